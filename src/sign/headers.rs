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

/// Like [`sign_in_place`], with the body's SHA-256 given (lowercase hex) instead of computed:
/// a host that hashes natively (WebCrypto's `crypto.subtle.digest`) signs a large body at its
/// own speed (aws-sigv4's `SignableBody::Precomputed`). The body is not read; it must be the
/// bytes that hash, or AWS refuses the signature.
///
/// ```
/// use bedrock_request::{sign, Credentials, HttpRequest, Body};
/// use time::macros::datetime;
/// let body = br#"{"messages":[]}"#.to_vec();
/// let head = |body: Vec<u8>| HttpRequest {
///     method: "POST".into(),
///     url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
///     headers: vec![("host".into(), "bedrock-runtime.us-east-1.amazonaws.com".into())],
///     body: Body::new(body),
/// };
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let now = datetime!(2015-08-30 12:36:00 UTC);
/// let (mut computed, mut given) = (head(body.clone()), head(Vec::new()));
/// sign::sign_in_place(&mut computed, &creds, "us-east-1", now)?;
/// let hash = sign::sha256_hex(&body); // or the host's own digest of the same bytes
/// sign::sign_in_place_with_payload_hash(&mut given, &creds, "us-east-1", now, &hash)?;
/// assert_eq!(computed.header("authorization"), given.header("authorization"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn sign_in_place_with_payload_hash(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    now: OffsetDateTime,
    sha256_hex: &str,
) -> Result<()> {
    if sha256_hex.len() != 64
        || !sha256_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(Error::signing(format!(
            "the payload hash {:?} is not a SHA-256 in lowercase hex (64 characters)",
            sha256_hex.chars().take(80).collect::<String>()
        )));
    }
    sign_with(
        request,
        credentials,
        region,
        SIGNING_NAME,
        now,
        Some(sha256_hex),
    )
}

/// The SHA-256 of `bytes` in lowercase hex, as SigV4 writes a payload hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
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
    sign_with(request, credentials, region, service, now, None)
}

fn sign_with(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
    payload_hash: Option<&str>,
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
        match payload_hash {
            Some(hash) => SignableBody::Precomputed(hash.to_owned()),
            None => SignableBody::Bytes(request.body.as_bytes()),
        },
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
