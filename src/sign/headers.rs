//! SigV4 in the headers: `x-amz-date`, `x-amz-security-token` and `authorization`, through
//! aws-sigv4; and the checks every signing needs (a time after 1970, header-safe credentials).

use std::time::SystemTime;

use aws_sigv4::http_request::{sign as sigv4_sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use time::OffsetDateTime;

use crate::auth::Credentials;
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// The SigV4 signing name for Bedrock (not `bedrock-runtime`).
pub const SIGNING_NAME: &str = "bedrock";

/// Signs `request` in place at time `now`: adds `x-amz-date`, `x-amz-security-token` (with
/// temporary credentials) and `authorization`, after the headers already there (which are
/// all signed).
pub fn sign_in_place(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sign_for_service(request, credentials, region, SIGNING_NAME, now)
}

/// Like [`sign_in_place`] for another AWS service (`sts` for the credential chain's
/// AssumeRole).
pub fn sign_for_service(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let identity = checked_identity(credentials, now)?.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::from(now))
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Error::signing(format!("invalid signing parameters: {e}")))?
        .into();
    let signable = SignableRequest::new(
        &request.method,
        request.url.as_str(),
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body.as_bytes()),
    )
    .map_err(|e| Error::signing(format!("cannot sign URL {}: {e}", request.url)))?;
    let (instructions, _signature) = sigv4_sign(signable, &params)
        .map_err(|e| Error::signing(format!("signing failed: {e}")))?
        .into_parts();
    let (headers, _params) = instructions.into_parts();
    // aws-sigv4 yields x-amz-date, authorization and x-amz-security-token; put the date and
    // token first so the order reads like the canonical headers, authorization last.
    let mut added: Vec<(String, String)> = headers
        .iter()
        .map(|h| (h.name().to_ascii_lowercase(), h.value().to_owned()))
        .collect();
    added.sort_by_key(|(k, _)| k == "authorization");
    request.headers.extend(added);
    Ok(())
}

/// aws-sigv4's credentials for `credentials`, after the checks every signing needs: a time
/// after 1970 (a `SystemTime` everywhere, wasm included) and header-safe credentials.
pub(crate) fn checked_identity(
    credentials: &Credentials,
    now: OffsetDateTime,
) -> Result<aws_credential_types::Credentials> {
    if now.unix_timestamp() < 0 {
        return Err(Error::signing(format!(
            "cannot sign at {now}: the signing time must not be before 1970"
        )));
    }
    check_header_safe("the access key id", credentials.access_key_id())?;
    check_header_safe(
        "the secret access key",
        credentials.secret_access_key().expose(),
    )?;
    if let Some(token) = credentials.session_token() {
        check_header_safe("the session token", token.expose())?;
    }
    Ok(aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
        credentials.session_token().map(|t| t.expose().to_owned()),
        None,
        "bedrock-request",
    ))
}

/// Checks that a credential can go into an HTTP header: non-empty visible ASCII, no spaces.
/// The value itself is never quoted back.
pub(crate) fn check_header_safe(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::credentials(format!("{what} is empty")));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::credentials(format!(
            "{what} has a space, a control character or a non-ASCII character; check for a stray newline or quote where it is set"
        )));
    }
    Ok(())
}
