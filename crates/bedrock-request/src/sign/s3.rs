//! SigV4 as S3 requires it, by aws-sigv4 with S3's settings: service `s3`, the path encoded
//! once and not normalised, and the body's hash sent as `x-amz-content-sha256`.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use time::OffsetDateTime;

use super::headers::{checked_identity, sha256_hex};
use crate::auth::Credentials;
use crate::endpoint::validate_region;
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// Signs an S3 request in place at `now`: adds `x-amz-date`, `x-amz-content-sha256` (the
/// body's SHA-256), `x-amz-security-token` (with a session token) and `authorization`. The
/// request's `host` header must be there (the S3 request builders add it).
///
/// ```
/// use bedrock_request::{sign::sign_s3_in_place, Body, Credentials, HttpRequest};
/// use time::macros::datetime;
/// let mut request = HttpRequest {
///     method: "GET".into(),
///     url: "https://examplebucket.s3.amazonaws.com/test.txt".into(),
///     headers: vec![("host".into(), "examplebucket.s3.amazonaws.com".into()), ("range".into(), "bytes=0-9".into())],
///     body: Body::new(Vec::new()),
/// };
/// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
/// sign_s3_in_place(&mut request, &creds, "us-east-1", datetime!(2013-05-24 00:00 UTC))?;
/// // AWS's own example (S3 API reference, "Example: GET Object").
/// let auth = request.headers.iter().find(|(k, _)| k == "authorization").unwrap();
/// assert!(auth.1.ends_with("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn sign_s3_in_place(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    now: OffsetDateTime,
) -> Result<()> {
    validate_region(region).map_err(Error::signing)?;
    let identity = checked_identity(credentials, now)?.into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(SystemTime::from(now))
        .settings(settings)
        .build()
        .map_err(|e| Error::signing(format!("invalid signing parameters: {e}")))?
        .into();
    let hash = sha256_hex(request.body.as_bytes());
    let signable = SignableRequest::new(
        &request.method,
        &request.url,
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Precomputed(hash),
    )
    .map_err(|e| Error::signing(format!("cannot sign {}: {e}", request.url)))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| Error::signing(format!("signing failed: {e}")))?
        .into_parts();
    let (headers, _) = instructions.into_parts();
    for header in headers {
        request
            .headers
            .push((header.name().to_owned(), header.value().to_owned()));
    }
    Ok(())
}
