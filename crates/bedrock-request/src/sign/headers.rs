//! SigV4 in the headers: `x-amz-date`, `x-amz-security-token` and `authorization` (computed
//! in `sigv4`); and the checks every signing needs (a time after 1970, header-safe credentials).

use time::OffsetDateTime;

use super::key::KeyCache;
use crate::auth::{Credentials, Secret};
use crate::codec::quoted;
use crate::endpoint::validate_region;
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// The SigV4 signing name for Bedrock (not `bedrock-runtime`).
pub const SIGNING_NAME: &str = "bedrock";

/// Signs an [`HttpRequest`] in place with SigV4 for Bedrock: adds `x-amz-date`,
/// `x-amz-security-token` (with temporary credentials) and `authorization`, after the headers
/// already there (which are all signed). [`UnsignedRequest::sign`](crate::converse::UnsignedRequest::sign)
/// uses a new one for each request.
///
/// It keeps the last SigV4 key it derived (for one secret key, day, region and service) in
/// this value, which you own: signing many requests with the same credentials skips the key's
/// derivation (four HMAC-SHA256s, about a tenth of a small request's signing in WebAssembly;
/// natively it does not show). The library keeps nothing between calls.
///
/// `Debug` shows no key.
///
/// ```
/// use bedrock_request::{sign, Credentials, HttpRequest, Body};
/// use time::macros::datetime;
/// let request = HttpRequest {
///     method: "POST".into(),
///     url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
///     headers: vec![],
///     body: Body::new(b"{}".to_vec()),
/// };
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let now = datetime!(2015-08-30 12:36:00 UTC);
/// let mut signer = sign::Signer::new();
/// let (mut kept, mut fresh) = (request.clone(), request);
/// signer.sign_in_place(&mut kept, &creds, "us-east-1", now, None)?;
/// signer.sign_in_place(&mut kept, &creds, "us-east-1", now, None)?; // the kept key, re-signed
/// sign::Signer::new().sign_in_place(&mut fresh, &creds, "us-east-1", now, None)?;
/// assert_eq!(kept.header("authorization"), fresh.header("authorization"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Signer {
    keys: KeyCache,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { .. }")
    }
}

impl Signer {
    /// A signer that has derived no key yet.
    pub fn new() -> Signer {
        Signer::default()
    }

    /// Signs `request` in place at time `now` for `region`, the body's SHA-256 computed, or
    /// given in lowercase hex as `payload_hash`: a host that hashes natively (WebCrypto's
    /// `crypto.subtle.digest`) signs a large body at its own speed (aws-sigv4's
    /// `SignableBody::Precomputed`). A given hash is trusted: the body is not read, and it
    /// must be the bytes that hash, or AWS refuses the signature.
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
    /// let mut signer = sign::Signer::new();
    /// signer.sign_in_place(&mut computed, &creds, "us-east-1", now, None)?;
    /// let hash = sign::sha256_hex(&body); // or the host's own digest of the same bytes
    /// signer.sign_in_place(&mut given, &creds, "us-east-1", now, Some(&hash))?;
    /// assert_eq!(computed.header("authorization"), given.header("authorization"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn sign_in_place(
        &mut self,
        request: &mut HttpRequest,
        credentials: &Credentials,
        region: &str,
        now: OffsetDateTime,
        payload_hash: Option<&str>,
    ) -> Result<()> {
        if let Some(hash) = payload_hash {
            if hash.len() != 64
                || !hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(Error::signing(format!(
                    "the payload hash {} is not a SHA-256 in lowercase hex (64 characters)",
                    quoted(&hash.chars().take(80).collect::<String>())
                )));
            }
        }
        self.sign(
            request,
            credentials,
            region,
            SIGNING_NAME,
            now,
            payload_hash,
        )
    }

    fn sign(
        &mut self,
        request: &mut HttpRequest,
        credentials: &Credentials,
        region: &str,
        service: &str,
        now: OffsetDateTime,
        payload_hash: Option<&str>,
    ) -> Result<()> {
        // Both become part of the signature's scope, in the `authorization` header: a line
        // break in either would be a header of its own on the wire.
        validate_region(region).map_err(Error::signing)?;
        check_service(service)?;
        check_credentials(credentials, now)?;
        super::sigv4::sign(
            request,
            credentials,
            region,
            service,
            now,
            payload_hash,
            &mut self.keys,
        )
    }
}

/// The SHA-256 of `bytes` in lowercase hex, as SigV4 writes a payload hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::codec::hex_lower(&sha2::Sha256::digest(bytes))
}

/// Like [`Signer::sign_in_place`] for another AWS service (`sts` for the credential chain's
/// AssumeRole).
pub fn sign_for_service(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
) -> Result<()> {
    Signer::new().sign(request, credentials, region, service, now, None)
}

/// Checks a signing name (`bedrock`, `sts`): lowercase letters, digits and `-`, as AWS's are.
fn check_service(service: &str) -> Result<()> {
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::signing(format!(
            "the service {} is not an AWS signing name: use lowercase letters, digits and '-', such as bedrock",
            quoted(service)
        )));
    }
    Ok(())
}

/// The checks every signing needs: a time after 1970 (a `SystemTime` everywhere, wasm
/// included) and header-safe credentials.
pub(crate) fn check_credentials(credentials: &Credentials, now: OffsetDateTime) -> Result<()> {
    if now.unix_timestamp() < 0 {
        return Err(Error::signing(format!(
            "cannot sign at Unix time {}: the signing time must not be before 1970",
            now.unix_timestamp()
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
    Ok(())
}

/// aws-sigv4's credentials for `credentials` (presigning uses aws-sigv4), after
/// [`check_credentials`].
pub(crate) fn checked_identity(
    credentials: &Credentials,
    now: OffsetDateTime,
) -> Result<aws_credential_types::Credentials> {
    check_credentials(credentials, now)?;
    Ok(aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
        credentials.session_token().map(|t| t.expose().to_owned()),
        None,
        "bedrock-request",
    ))
}

/// Authorises `request` with a Bedrock API key, in place of SigV4: adds `authorization:
/// Bearer <key>` after checking that the key can go into a header (the key is never quoted
/// back in the error).
///
/// ```
/// use bedrock_request::{sign, Body, HttpRequest, Secret};
/// let mut request = HttpRequest {
///     method: "POST".into(),
///     url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
///     headers: Vec::new(),
///     body: Body::new(b"{}".to_vec()),
/// };
/// sign::bearer_in_place(&mut request, &Secret::new("ABSKexample"))?;
/// assert_eq!(request.header("authorization"), Some("Bearer ABSKexample"));
/// assert!(sign::bearer_in_place(&mut request, &Secret::new("key\n")).is_err());
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn bearer_in_place(request: &mut HttpRequest, key: &Secret) -> Result<()> {
    check_header_safe("the Bedrock API key", key.expose())?;
    request
        .headers
        .push(("authorization".into(), format!("Bearer {}", key.expose())));
    Ok(())
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
