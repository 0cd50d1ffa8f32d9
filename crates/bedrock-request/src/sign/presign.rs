//! Presigned URLs (SigV4 in the query string) and short-term Bedrock API keys.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use time::OffsetDateTime;

use crate::auth::{Credentials, Secret};
use crate::codec::{base64_encode, percent_encode, quoted};
use crate::endpoint::validate_region;
use crate::error::{Error, Result};

/// The longest a Bedrock API key made here may live: 12 hours (what AWS's generator uses).
pub const MAX_API_KEY_SECONDS: u64 = 43_200;

/// Presigns `method url` (SigV4 in the query string, `host` the only signed header, empty
/// body) for `service` in `region` at `now`, valid `expires_in`. Query parameters come out in
/// botocore's order: the URL's own, then `X-Amz-Algorithm`, `-Credential`, `-Date`,
/// `-Expires`, `-SignedHeaders`, `-Security-Token`, `-Signature`.
pub fn presign_url(
    method: &str,
    url: &str,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
    expires_in: Duration,
) -> Result<String> {
    let identity = super::headers::checked_identity(credentials, now)?.into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires_in);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::from(now))
        .settings(settings)
        .build()
        .map_err(|e| Error::signing(format!("invalid signing parameters: {e}")))?
        .into();
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .ok_or_else(|| {
            Error::signing(format!(
                "cannot presign {q_url}: it has no host",
                q_url = quoted(&url)
            ))
        })?;
    let signable = SignableRequest::new(
        method,
        url,
        [("host", host)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| Error::signing(format!("cannot presign {url}: {e}")))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| Error::signing(format!("presigning failed: {e}")))?
        .into_parts();
    let (_, query) = instructions.into_parts();
    let order = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
    ];
    let mut out = url.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for name in order {
        if let Some((_, value)) = query.iter().find(|(k, _)| *k == name) {
            out.push(sep);
            out.push_str(name);
            out.push('=');
            out.push_str(&percent_encode(value, false));
            sep = '&';
        }
    }
    Ok(out)
}

/// A short-term Bedrock API key: `bedrock-api-key-` + base64 of a presigned
/// `https://bedrock.amazonaws.com/?Action=CallWithBearerToken` URL (service `bedrock`) without
/// its scheme, with `&Version=1` appended — what AWS's `aws-bedrock-token-generator` makes,
/// offline. Use it as `AWS_BEARER_TOKEN_BEDROCK` (`Authorization: Bearer`). `expires_in` is at
/// most 12 hours; the key never outlives the credentials that signed it.
///
/// ```
/// use bedrock_request::{sign::bedrock_api_key, Credentials};
/// use time::macros::datetime;
/// let key = bedrock_api_key(
///     &Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
///     "us-east-1", datetime!(2025-07-01 09:30 UTC), std::time::Duration::from_secs(43200))?;
/// assert!(key.expose().starts_with("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249"));
/// assert_eq!(format!("{key:?}"), "<redacted>");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn bedrock_api_key(
    credentials: &Credentials,
    region: &str,
    now: OffsetDateTime,
    expires_in: Duration,
) -> Result<Secret> {
    if expires_in.as_secs() == 0 || expires_in.as_secs() > MAX_API_KEY_SECONDS {
        return Err(Error::signing(format!(
            "a Bedrock API key lives 1 to {MAX_API_KEY_SECONDS} seconds (12 hours), not {}",
            expires_in.as_secs()
        )));
    }
    validate_region(region).map_err(Error::signing)?;
    let url = presign_url(
        "POST",
        "https://bedrock.amazonaws.com/?Action=CallWithBearerToken",
        credentials,
        region,
        "bedrock",
        now,
        expires_in,
    )?;
    let without_scheme = url.trim_start_matches("https://");
    let token = base64_encode(format!("{without_scheme}&Version=1").as_bytes());
    Ok(Secret::new(format!("bedrock-api-key-{token}")))
}
