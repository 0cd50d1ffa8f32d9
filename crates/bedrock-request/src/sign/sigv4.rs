//! SigV4 in the headers, computed here: the canonical request ([`CanonicalRequest`]), the
//! string to sign, the derived key and the HMAC-SHA256 signature.
//!
//! It follows aws-sigv4's default settings (what botocore does too): every header is signed but
//! `authorization`, `user-agent`, `x-amzn-trace-id` and `transfer-encoding`; `host` is taken
//! from the URL when the request has none; the path is normalised and percent-encoded once
//! more; `x-amz-date`, `x-amz-security-token` (temporary credentials) and `authorization`
//! replace any the request already had. The tests check it against aws-sigv4's `sign()` on
//! generated requests, the AWS SigV4 suite, and botocore's signatures.
//!
//! Why not aws-sigv4's `sign()` itself: it goes through `http::HeaderMap` and `http::Uri`, which
//! costs a third of a small request's time and a tenth of the WebAssembly module's size, and it
//! cannot reuse a derived key.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::canonical::{headers_with_host, CanonicalRequest};
use super::key::{amz_date, signature, KeyCache};
use crate::auth::Credentials;
use crate::codec::{hex_lower, quoted, split_url};
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// Headers aws-sigv4 never signs (its default `excluded_headers`): set by the signature,
/// rewritten by proxies, or hop-by-hop.
const UNSIGNED_HEADERS: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// Signs `request` in place for `service` in `region` at `now` (already checked: a time after
/// 1970, header-safe credentials), with the body's hash given or computed and the derived key
/// from `keys`.
pub(crate) fn sign(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
    payload_hash: Option<&str>,
    keys: &mut KeyCache,
) -> Result<()> {
    check_request(request)?;
    let amz_date = amz_date(now);
    let token = credentials.session_token().map(|t| t.expose());
    request.headers.retain(|(name, _)| {
        !(name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("x-amz-date")
            || (token.is_some() && name.eq_ignore_ascii_case("x-amz-security-token")))
    });
    request
        .headers
        .push(("x-amz-date".into(), amz_date.clone()));
    if let Some(token) = token {
        request
            .headers
            .push(("x-amz-security-token".into(), token.to_owned()));
    }
    let payload_hash = match payload_hash {
        Some(hash) => hash.to_owned(),
        None => hex_lower(&Sha256::digest(request.body.as_bytes())),
    };
    let canonical = {
        let headers = headers_with_host(request);
        let signed: Vec<&str> = headers
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| {
                !UNSIGNED_HEADERS
                    .iter()
                    .any(|u| name.eq_ignore_ascii_case(u))
            })
            .collect();
        CanonicalRequest::of_sent(request, &headers, &signed, payload_hash)?
    };
    // Pushed piece by piece (`format!` was a few percent of a small request's signing).
    let scope = [&amz_date[..8], "/", region, "/", service, "/aws4_request"].concat();
    let canonical_hash = hex_lower(&Sha256::digest(canonical.text().as_bytes()));
    let string_to_sign = [
        "AWS4-HMAC-SHA256\n",
        &amz_date,
        "\n",
        &scope,
        "\n",
        &canonical_hash,
    ]
    .concat();
    let key = keys.key(
        credentials.secret_access_key().expose(),
        &amz_date[..8],
        region,
        service,
    );
    let signature = signature(&key, &string_to_sign);
    let authorization = [
        "AWS4-HMAC-SHA256 Credential=",
        credentials.access_key_id(),
        "/",
        &scope,
        ", SignedHeaders=",
        &canonical.signed_headers,
        ", Signature=",
        &signature,
    ]
    .concat();
    request
        .headers
        .push(("authorization".into(), authorization));
    Ok(())
}

/// Checks what an HTTP/1.1 stack would refuse to send (aws-sigv4 refuses the same through
/// `http`'s types): an absolute `http(s)` URL of visible ASCII, token header names, and header
/// values without control characters.
fn check_request(request: &HttpRequest) -> Result<()> {
    let url = &request.url;
    let cannot = |why: &str| Error::signing(format!("cannot sign URL {url}: {why}"));
    if let Some(b) = url.bytes().find(|b| !b.is_ascii_graphic()) {
        return Err(cannot(&format!(
            "it has the byte {b:#04x} (spaces, control and non-ASCII characters must be percent-encoded)"
        )));
    }
    let parts = split_url(url);
    if !matches!(
        parts.prefix.to_ascii_lowercase().as_str(),
        "https://" | "http://"
    ) {
        return Err(cannot("it is not an absolute http:// or https:// URL"));
    }
    let authority = parts.authority;
    if authority.rsplit('@').next().unwrap_or(authority).is_empty() {
        return Err(cannot("it has no host"));
    }
    if !is_token(&request.method) {
        return Err(Error::signing(format!(
            "the method {} is not an HTTP method name",
            quoted(&request.method)
        )));
    }
    for (name, value) in &request.headers {
        if !is_token(name) {
            return Err(Error::signing(format!(
                "the header name {q_name} is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
                q_name = quoted(&name)
            )));
        }
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(Error::signing(format!(
                "the value of header {name} has a control character (a stray newline?)"
            )));
        }
    }
    Ok(())
}

/// An RFC 9110 token: a header name or a method.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
