//! Our own view of SigV4's canonical request and string to sign, for a signed request.
//!
//! The signer (`sigv4`) computes its canonical request here, and so does the diagnosis of a
//! signed request, from the request as it will be sent, so a `SignatureDoesNotMatch` answer can
//! be compared part by part with what AWS says it expected. It follows aws-sigv4's default settings (the ones we sign
//! with): the path normalised and percent-encoded once more, headers lowercased, trimmed and
//! sorted, the payload hashed. The tests check it against aws-sigv4's signatures and
//! botocore's canonical requests.

use sha2::{Digest, Sha256};

use crate::auth::Credentials;
use crate::codec::{form_decode, parse_amz_date, percent_encode, redact_tokens};
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
        let (path, query) = split_path_query(request.path_and_query());
        let signed: Vec<&str> = auth.signed_headers.split(';').collect();
        let payload_hash = hex::encode(Sha256::digest(request.body.as_bytes()));
        // A signed `host` the request does not carry is the URL's (what the signer signed).
        let headers = super::sigv4::headers_with_host(request);
        CanonicalRequest::build(
            &request.method,
            path,
            query,
            &headers,
            &signed,
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

/// The canonical request, string to sign and signature of a signed request, recomputed with
/// the secret key (the CLI's `explain`).
///
/// `Debug` shows the session token in the canonical request as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The canonical request text.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature this secret key gives.
    pub signature: String,
    /// Whether it equals the signature in the request's `authorization` header.
    pub matches: bool,
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

impl std::fmt::Debug for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explanation")
            .field("canonical_request", &redact_tokens(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("matches", &self.matches)
            .finish()
    }
}

impl Explanation {
    /// The same with the session token in the canonical request shown as `<redacted>`, for
    /// printing (the CLI's `explain` prints this).
    pub fn redacted(mut self) -> Explanation {
        self.canonical_request = redact_tokens(&self.canonical_request);
        self
    }
}

/// Recomputes a signed request's canonical request, string to sign and signature with
/// `secret_access_key` (the scope — date, region, service — comes from its `authorization`).
pub fn explain(request: &HttpRequest, secret_access_key: &str) -> Result<Explanation> {
    let auth = Authorization::of(request)?;
    let canonical_request = CanonicalRequest::of(request)?.text();
    let string_to_sign = string_to_sign(request)?;
    let mut scope = auth.scope.split('/');
    let (Some(day), Some(region), Some(service)) = (scope.next(), scope.next(), scope.next())
    else {
        return Err(Error::signing(
            "the credential scope is not DATE/REGION/SERVICE/aws4_request",
        ));
    };
    if auth.amz_date.get(..8) != Some(day) {
        return Err(Error::signing(
            "x-amz-date's day differs from the credential scope's",
        ));
    }
    if parse_amz_date(&auth.amz_date).is_none() {
        return Err(Error::signing("x-amz-date is not YYYYMMDDTHHMMSSZ"));
    }
    let key = super::sigv4::signing_key(secret_access_key, day, region, service);
    let signature = super::sigv4::signature(&key, &string_to_sign);
    Ok(Explanation {
        matches: signature == auth.signature,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// The first check a signed request fails in [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyStage {
    /// No `authorization` header, or not SigV4, or malformed.
    Authorization,
    /// The access key id is not the expected one.
    AccessKey,
    /// The credential scope's day does not match `x-amz-date`.
    Scope,
    /// A header listed in `SignedHeaders` is missing.
    SignedHeader(String),
    /// `x-amz-date` is more than 15 minutes from the verifier's clock.
    Date,
    /// `x-amz-content-sha256` does not match the body.
    PayloadHash,
    /// The signature differs: something signed was changed, or another secret signed it.
    Signature,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The signature is valid for these credentials.
    Valid,
    /// It is not: the first failing stage, and why.
    Invalid {
        /// The stage.
        stage: VerifyStage,
        /// What differs.
        detail: String,
    },
}

/// Verifies a signed request as received (by a server or a proxy) against the credentials
/// that should have signed it; `now` (when given) also checks the 15-minute window.
///
/// ```
/// use bedrock_request::{converse, sign::{verify, Verification}, Auth, ClientConfig, Credentials, Env, Message};
/// use time::macros::datetime;
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").region("us-east-1").build()?;
/// let mut signed = converse::Builder::new(&config, &[Message::user("hi")], &Env::new()).build()?
///     .sign(&Auth::SigV4(creds.clone()), datetime!(2024-01-15 12:00 UTC))?;
/// assert_eq!(verify(&signed, &creds, Some(datetime!(2024-01-15 12:05 UTC))), Verification::Valid);
/// signed.url = signed.url.replace("%3A", ":"); // what a re-encoding client might send
/// assert!(matches!(verify(&signed, &creds, None), Verification::Invalid { .. }));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn verify(
    request: &HttpRequest,
    credentials: &Credentials,
    now: Option<time::OffsetDateTime>,
) -> Verification {
    let invalid = |stage, detail: String| Verification::Invalid { stage, detail };
    let auth = match Authorization::of(request) {
        Ok(a) => a,
        Err(e) => return invalid(VerifyStage::Authorization, e.to_string()),
    };
    let header = request.header("authorization").unwrap_or_default();
    let key_id = header
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default();
    if key_id != credentials.access_key_id() {
        return invalid(
            VerifyStage::AccessKey,
            format!(
                "signed by access key {key_id}, expected {}",
                credentials.access_key_id()
            ),
        );
    }
    if auth.amz_date.get(..8) != auth.scope.split('/').next() {
        return invalid(
            VerifyStage::Scope,
            format!(
                "x-amz-date {} is not the scope's day ({})",
                auth.amz_date, auth.scope
            ),
        );
    }
    for name in auth.signed_headers.split(';') {
        if request.header(name).is_none() {
            return invalid(
                VerifyStage::SignedHeader(name.to_owned()),
                format!("signed header {name} is not in the request"),
            );
        }
    }
    if let (Some(now), Some(at)) = (now, parse_amz_date(&auth.amz_date)) {
        let skew = (now - at).abs();
        if skew > time::Duration::minutes(15) {
            let skew = skew.whole_seconds();
            return invalid(
                VerifyStage::Date,
                format!(
                    "signed at {} ({skew} s from now): outside the 15-minute window",
                    auth.amz_date
                ),
            );
        }
    }
    if let Some(declared) = request.header("x-amz-content-sha256") {
        let actual = hex::encode(Sha256::digest(request.body.as_bytes()));
        if declared != actual && declared != "UNSIGNED-PAYLOAD" {
            return invalid(
                VerifyStage::PayloadHash,
                "x-amz-content-sha256 is not the body's hash: the body changed".into(),
            );
        }
    }
    match explain(request, credentials.secret_access_key().expose()) {
        Ok(e) if e.matches => Verification::Valid,
        Ok(e) => invalid(
            VerifyStage::Signature,
            format!(
                "the signature should be {} for this request and key; the canonical request it was checked against:\n{}",
                e.signature,
                redact_tokens(&e.canonical_request)
            ),
        ),
        Err(e) => invalid(VerifyStage::Authorization, e.to_string()),
    }
}

/// The string to sign for a signed request: algorithm, `x-amz-date`, scope, and the hash of
/// the canonical request.
pub fn string_to_sign(request: &HttpRequest) -> Result<String> {
    let auth = Authorization::of(request)?;
    let canonical = CanonicalRequest::of(request)?;
    Ok(format!(
        "AWS4-HMAC-SHA256\n{}\n{}\n{}",
        auth.amz_date,
        auth.scope,
        hex::encode(Sha256::digest(canonical.text().as_bytes()))
    ))
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
