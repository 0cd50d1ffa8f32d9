//! Signing: the only module that calls aws-sigv4.
//!
//! Settings are aws-sigv4's defaults, which match botocore for Bedrock: the path is
//! percent-encoded once more for the canonical request (`%3A` → `%253A`), no path
//! normalisation beyond that, no `x-amz-content-sha256` header (the body hash is still part of
//! the signature), and the session token is signed as `x-amz-security-token`.

use std::time::SystemTime;

use aws_sigv4::http_request::{sign as sigv4_sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use time::OffsetDateTime;

use crate::credentials::Credentials;
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
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
        credentials.session_token().map(|t| t.expose().to_owned()),
        None,
        "bedrock-request",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
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
