//! Signature-mismatch diagnosis: AWS's echo of its canonical request beside ours for the
//! request that was sent, naming the first part that differs.

use super::canonical::CanonicalRequest;
use super::explain::string_to_sign;
use crate::aws_error::{AwsError, AwsErrorKind, SignatureMismatch, SignaturePart};
use crate::codec::{quoted, redact_tokens};
use crate::request::HttpRequest;

impl AwsError {
    /// Compares a signature-mismatch answer with the request that was sent, naming the part
    /// that differs (no effect on other errors, or when AWS did not echo its canonical request).
    pub fn diagnose(mut self, sent: &HttpRequest) -> AwsError {
        if self.kind == AwsErrorKind::SignatureMismatch {
            if let Some(echo) = self.signature.take() {
                self.signature = Some(diagnose(echo, sent));
            }
        }
        self
    }
}

fn diagnose(mut out: SignatureMismatch, sent: &HttpRequest) -> SignatureMismatch {
    let ours = match CanonicalRequest::of(sent) {
        Ok(c) => c,
        Err(e) => {
            out.explanation = format!("cannot compute our canonical request: {e}");
            return out;
        }
    };
    out.our_canonical_request = Some(redact_tokens(&ours.text()));
    let (part, explanation) = compare(
        &ours,
        &out.expected_canonical_request,
        out.expected_string_to_sign.as_deref(),
        sent,
    );
    out.differs = Some(part);
    out.explanation = explanation;
    out
}

fn compare(
    ours: &CanonicalRequest,
    expected: &str,
    expected_sts: Option<&str>,
    sent: &HttpRequest,
) -> (SignaturePart, String) {
    let lines: Vec<&str> = expected.split('\n').collect();
    let n = lines.len();
    if n < 6 {
        return (
            SignaturePart::Path,
            "AWS's canonical request could not be read; compare it by eye with ours".into(),
        );
    }
    let (method, path, query) = (lines[0], lines[1], lines[2]);
    let payload = lines[n - 1];
    let signed = lines[n - 2];
    let their_headers: Vec<(&str, &str)> = lines[3..n - 3]
        .iter()
        .map(|l| l.split_once(':').unwrap_or((l, "")))
        .collect();
    if method != ours.method {
        return (SignaturePart::Method, format!("we signed {} but AWS received {method}: something between you and AWS changed the method", ours.method));
    }
    if path != ours.path {
        let why = if path.replace("%25", "%") == ours.path.replace("%25", "%")
            || path.contains(':') != ours.path.contains(':')
        {
            "the path's percent-encoding changed after signing: an HTTP client or proxy decoded or re-encoded it (for example sent ':' instead of '%3A'); send the URL exactly as signed"
        } else {
            "the path changed after signing: a proxy or gateway rewrote it, or endpoint_url's path prefix is not the one AWS sees"
        };
        return (
            SignaturePart::Path,
            format!(
                "path: we signed {} but AWS computed {path}; {why}",
                ours.path
            ),
        );
    }
    if query != ours.query {
        return (SignaturePart::Query, format!("query: we signed {} but AWS computed {q_query}: the query string changed after signing", quoted(&ours.query), q_query = quoted(&query)));
    }
    if signed != ours.signed_headers {
        return (SignaturePart::SignedHeaders, format!("signed headers: we signed {} but AWS saw {signed}: a signed header was dropped, renamed or not sent", ours.signed_headers));
    }
    for (name, value) in &ours.headers {
        let theirs = their_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v);
        if name == "x-amz-security-token" {
            // AWS's echo is redacted before it is kept: compare presence only, quote nothing.
            if theirs.is_none() {
                return (
                    SignaturePart::Header(name.clone()),
                    "header x-amz-security-token: we signed a session token but AWS received none; send every signed header".into(),
                );
            }
            continue;
        }
        if theirs != Some(value.as_str()) {
            let why = match name.as_str() {
                "host" => "the Host header changed: a proxy, or a client that adds the port, sent another host than the one signed",
                "content-type" => "the HTTP client replaced the content-type (for example added '; charset=utf-8')",
                _ => "the header was changed after signing",
            };
            return (
                SignaturePart::Header(name.clone()),
                format!(
                    "header {name}: we signed {q_value} but AWS received {}; {why}",
                    quoted(&theirs.unwrap_or("(nothing)")),
                    q_value = quoted(&value)
                ),
            );
        }
    }
    if payload != ours.payload_hash {
        return (SignaturePart::PayloadHash, "payload hash: the body AWS received is not the body we signed: an HTTP client re-serialised or re-encoded it (send the exact body bytes)".into());
    }
    if let (Some(sts), Ok(our_sts)) = (expected_sts, string_to_sign(sent)) {
        if sts != our_sts {
            return (SignaturePart::Scope, format!("the canonical requests match but the strings to sign differ (AWS: {}): the date or credential scope (region, service name 'bedrock') is not what AWS expects", quoted(&sts.lines().nth(2).unwrap_or(""))));
        }
    }
    (SignaturePart::SecretKey, "the canonical request and string to sign match AWS's: the secret access key is not the one AWS has for this access key id".into())
}
