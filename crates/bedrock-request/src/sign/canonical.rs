//! Our own view of SigV4's canonical request and string to sign, for a signed request.
//!
//! The signer (`sigv4`) computes its canonical request here, and so does the diagnosis of a
//! signed request, from the request as it will be sent, so a `SignatureDoesNotMatch` answer can
//! be compared part by part with what AWS says it expected. It follows aws-sigv4's default settings (the ones we sign
//! with): the path normalised and percent-encoded once more, headers lowercased, trimmed and
//! sorted, the payload hashed. The tests check it against aws-sigv4's signatures and
//! botocore's canonical requests.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::codec::{form_decode, percent_encode, redact_tokens, split_url};
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// The parts of a SigV4 canonical request.
///
/// `Debug` shows the session token (a signed header, or a presigned query parameter) as
/// `<redacted>`; [`text`](Self::text) has it, since the signature covers it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanonicalRequest {
    /// The HTTP method.
    pub method: String,
    /// The canonical URI (normalised, encoded again).
    pub path: String,
    /// The canonical query string (empty for Converse).
    pub query: String,
    /// `name:value` lines of the signed headers, sorted.
    pub headers: Vec<(String, String)>,
    /// The signed header names, `;`-joined.
    pub signed_headers: String,
    /// Hex SHA-256 of the body.
    pub payload_hash: String,
}

impl CanonicalRequest {
    /// Computes the canonical request of a signed request (the signed header names come from
    /// its `authorization` header).
    pub fn of(request: &HttpRequest) -> Result<CanonicalRequest> {
        let auth = Authorization::of(request)?;
        let signed: Vec<&str> = auth.signed_headers.split(';').collect();
        let payload_hash = hex::encode(Sha256::digest(request.body.as_bytes()));
        // A signed `host` the request does not carry is the URL's (what the signer signed).
        let headers = headers_with_host(request);
        CanonicalRequest::of_sent(request, &headers, &signed, payload_hash)
    }

    /// The canonical request of `request` as it is sent (its method and URL, the path
    /// normalised) with these headers and signed names: what [`of`](Self::of) and the signer
    /// both compute.
    pub(super) fn of_sent(
        request: &HttpRequest,
        headers: &[(String, String)],
        signed: &[&str],
        payload_hash: String,
    ) -> Result<CanonicalRequest> {
        let target = request.path_and_query();
        let (path, query) = split_path_query(&target);
        CanonicalRequest::build(
            &request.method,
            path,
            query,
            headers,
            signed,
            true,
            payload_hash,
        )
    }

    /// The canonical request from its parts, as aws-sigv4 computes it (double path encoding):
    /// `path` as sent (normalised first when `normalize_path`), `query` raw (form-decoded,
    /// re-encoded, sorted), the `signed` header names (their values taken from `headers`, trimmed,
    /// repeated ones joined by `,`), and the payload hash.
    pub fn build(
        method: &str,
        path: &str,
        query: &str,
        headers: &[(String, String)],
        signed: &[&str],
        normalize_path: bool,
        payload_hash: String,
    ) -> Result<CanonicalRequest> {
        let mut names: Vec<String> = signed.iter().map(|n| n.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        let mut canonical_headers = Vec::new();
        for name in &names {
            let values: Vec<String> = headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| normalize_value(v))
                .collect();
            if values.is_empty() {
                return Err(Error::signing(format!(
                    "header {name} is listed as signed but is not in the request"
                )));
            }
            canonical_headers.push((name.clone(), values.join(",")));
        }
        Ok(CanonicalRequest {
            method: method.to_owned(),
            path: canonical_path(path, normalize_path),
            query: canonical_query(query),
            headers: canonical_headers,
            signed_headers: names.join(";"),
            payload_hash,
        })
    }

    /// The canonical request text, as SigV4 hashes it.
    pub fn text(&self) -> String {
        // Pushed piece by piece into one buffer of the right size (no `format!` per header).
        let header_len: usize = self
            .headers
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum();
        let mut out = String::with_capacity(
            self.method.len()
                + self.path.len()
                + self.query.len()
                + header_len
                + self.signed_headers.len()
                + self.payload_hash.len()
                + 5,
        );
        for piece in [&self.method, "\n", &self.path, "\n", &self.query, "\n"] {
            out.push_str(piece);
        }
        for (k, v) in &self.headers {
            for piece in [k, ":", v, "\n"] {
                out.push_str(piece);
            }
        }
        for piece in ["\n", &self.signed_headers, "\n", &self.payload_hash] {
            out.push_str(piece);
        }
        out
    }
}

/// The `Credential`, `SignedHeaders` and `Signature` of an `authorization` header, and the
/// request's `x-amz-date`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub(crate) scope: String,
    pub(crate) signed_headers: String,
    pub(crate) signature: String,
    pub(crate) amz_date: String,
}

impl Authorization {
    pub(crate) fn of(request: &HttpRequest) -> Result<Authorization> {
        let header = request
            .header("authorization")
            .ok_or_else(|| Error::signing("the request has no authorization header"))?;
        let rest = header.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
            Error::signing("the authorization header is not AWS4-HMAC-SHA256 (SigV4)")
        })?;
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        for part in rest.split(',') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("Credential=") {
                credential = Some(v);
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                signed_headers = Some(v);
            } else if let Some(v) = part.strip_prefix("Signature=") {
                signature = Some(v);
            }
        }
        let (Some(credential), Some(signed_headers), Some(signature)) =
            (credential, signed_headers, signature)
        else {
            return Err(Error::signing(
                "the authorization header lacks Credential, SignedHeaders or Signature",
            ));
        };
        let scope = credential
            .split_once('/')
            .map(|(_, scope)| scope.to_owned())
            .ok_or_else(|| Error::signing("the authorization Credential has no scope"))?;
        let amz_date = request
            .header("x-amz-date")
            .ok_or_else(|| Error::signing("the request has no x-amz-date header"))?
            .to_owned();
        Ok(Authorization {
            scope,
            signed_headers: signed_headers.to_owned(),
            signature: signature.to_owned(),
            amz_date,
        })
    }
}

impl std::fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = k.eq_ignore_ascii_case("x-amz-security-token");
                (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("CanonicalRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact_tokens(&self.query))
            .field("headers", &headers)
            .field("signed_headers", &self.signed_headers)
            .field("payload_hash", &self.payload_hash)
            .finish()
    }
}

/// The path and the query of a request line's target (the query empty when there is none).
pub(super) fn split_path_query(path_and_query: &str) -> (&str, &str) {
    match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    }
}

/// Trims spaces and collapses runs of spaces, as aws-sigv4 (and S3) do for header values:
/// only `' '`, not tabs or other whitespace.
fn normalize_value(value: &str) -> String {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        // The usual case, copied whole.
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

/// aws-sigv4's path: normalised when asked (`.` and `..` resolved, empty segments dropped,
/// only if the path has a `.` or `//`), then percent-encoded again (all but unreserved and `/`).
fn canonical_path(path: &str, normalize: bool) -> String {
    if !normalize {
        return percent_encode(path, true);
    }
    let path = if path.is_empty() {
        "/".to_owned()
    } else if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    if !(path.contains('.') || path.contains("//")) {
        return percent_encode(&path, true);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut normalized = segments.join("/");
    if !normalized.starts_with('/') {
        normalized.insert(0, '/');
    }
    let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|e| path.ends_with(e));
    if ends_with_slash && !normalized.ends_with('/') {
        normalized.push('/');
    }
    percent_encode(&normalized, true)
}

fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_encode(&form_decode(k), false),
                percent_encode(&form_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The headers whose values the signature covers: the request's, after a `host` from the URL
/// when the request has none (the HTTP stack will send it, so it is signed).
pub(super) fn headers_with_host(request: &HttpRequest) -> Cow<'_, [(String, String)]> {
    match host_to_sign(request) {
        Some(host) => {
            Cow::Owned([vec![("host".to_owned(), host)], request.headers.clone()].concat())
        }
        None => Cow::Borrowed(&request.headers),
    }
}

/// The `host` to sign when the request has no `host` header: the URL's (after any userinfo),
/// without a default port, as the HTTP stack will send it.
fn host_to_sign(request: &HttpRequest) -> Option<String> {
    if request.header("host").is_some() {
        return None;
    }
    let parts = split_url(&request.url);
    let default_port = match parts.prefix.to_ascii_lowercase().as_str() {
        "https://" => ":443",
        "" => return None,
        _ => ":80",
    };
    let authority = parts.authority;
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    Some(
        host_port
            .strip_suffix(default_port)
            .unwrap_or(host_port)
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::normalize_value;

    #[test]
    fn header_values_are_trimmed_like_aws_sigv4() {
        assert_eq!(
            normalize_value("  Some  example   text  "),
            "Some example text"
        );
        assert_eq!(normalize_value("\tkeep\ttabs\t"), "\tkeep\ttabs\t");
        assert_eq!(normalize_value(" "), "");
    }
}
