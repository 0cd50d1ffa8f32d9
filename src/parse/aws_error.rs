//! AWS error responses: kinds, retry advice, hints, signature-mismatch diagnosis, clock skew.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::Error;
use crate::request::HttpRequest;
use crate::sign::canonical::{redact_tokens, string_to_sign, CanonicalRequest};

/// What kind of error AWS returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwsErrorKind {
    /// `AccessDeniedException` (403): IAM does not allow the call, or model access is missing.
    AccessDenied,
    /// `UnrecognizedClientException` / `InvalidClientTokenId` (403): the access key or session
    /// token is not valid.
    UnrecognizedClient,
    /// `ExpiredTokenException` (403): temporary credentials expired.
    ExpiredToken,
    /// `SignatureDoesNotMatch` / `InvalidSignatureException` (403): the signature differs.
    SignatureMismatch,
    /// "Signature expired" / "Signature not yet current": the signing clock is off.
    ClockSkew,
    /// `IncompleteSignatureException` / `MissingAuthenticationTokenException`: the
    /// authorization header is missing or malformed.
    MissingAuthentication,
    /// `ValidationException` (400), with the case when it is a known one.
    Validation(ValidationCase),
    /// `ThrottlingException` (429).
    Throttling,
    /// `ServiceQuotaExceededException`.
    ServiceQuotaExceeded,
    /// `ModelTimeoutException` (408).
    ModelTimeout,
    /// `ModelNotReadyException` (429).
    ModelNotReady,
    /// `ModelErrorException` (424).
    ModelError,
    /// `modelStreamErrorException`: the model failed in the middle of a stream.
    ModelStreamError,
    /// `ResourceNotFoundException` (404).
    ResourceNotFound,
    /// `InternalServerException` (500).
    InternalServer,
    /// `ServiceUnavailableException` (503).
    ServiceUnavailable,
    /// Any other code, kept in [`AwsError::code`].
    Other,
}

/// Known kinds of `ValidationException`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationCase {
    /// "Model is not supported in this Region" (and similar).
    ModelNotSupportedInRegion,
    /// "Account is not authorized to use model" / model access not granted.
    AccountNotAuthorizedForModel,
    /// "... with on-demand throughput isn't supported": call an inference profile instead.
    OnDemandThroughputNotSupported,
    /// "The provided model identifier is invalid".
    InvalidModelIdentifier,
    /// Any other validation failure (the message says which field).
    Other,
}

/// Which part of the canonical request differs between what we signed and what AWS expected.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignaturePart {
    /// The HTTP method.
    Method,
    /// The path (its encoding, or a prefix).
    Path,
    /// The query string.
    Query,
    /// The value of this signed header.
    Header(String),
    /// The list of signed headers.
    SignedHeaders,
    /// The body hash: the bytes sent are not the bytes signed.
    PayloadHash,
    /// The date or credential scope (region, service, day).
    Scope,
    /// Everything matches: the secret key is not the one AWS has for this access key id.
    SecretKey,
}

/// The result of comparing AWS's echoed canonical request with ours.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureMismatch {
    /// The canonical request AWS computed, as it echoed it.
    pub expected_canonical_request: String,
    /// The string to sign AWS computed.
    pub expected_string_to_sign: Option<String>,
    /// Our canonical request for the request we sent (when it was given).
    pub our_canonical_request: Option<String>,
    /// The first part that differs (when our request was given).
    pub differs: Option<SignaturePart>,
    /// What that difference usually means.
    pub explanation: String,
}

/// How far the signing time was from AWS's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClockSkew {
    /// The `x-amz-date` the request was signed with.
    pub signed_at: OffsetDateTime,
    /// AWS's time when it received the request.
    pub server_time: OffsetDateTime,
}

impl ClockSkew {
    /// `server_time - signed_at`: add this to your clock to sign in AWS's time.
    pub fn offset(&self) -> time::Duration {
        self.server_time - self.signed_at
    }
}

/// An error response from AWS, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsError {
    /// The kind.
    pub kind: AwsErrorKind,
    /// The error code (`x-amzn-errortype`, or the body's `__type` / `code`), cleaned of
    /// namespaces and suffixes (`ValidationException`).
    pub code: String,
    /// AWS's message.
    pub message: String,
    /// The HTTP status, exactly as received (`None` when only a body was given).
    pub status: Option<u16>,
    /// `x-amzn-requestid`, for AWS support.
    pub request_id: Option<String>,
    /// Whether sending the request again (signed anew) can succeed without changing anything
    /// else (for [`AwsErrorKind::ClockSkew`]: with a corrected time).
    pub retryable: bool,
    /// What to do about it.
    pub hint: String,
    /// For a signature mismatch that echoes the canonical request: the comparison.
    pub signature: Option<SignatureMismatch>,
    /// For [`AwsErrorKind::ClockSkew`]: the times AWS reported.
    pub clock_skew: Option<ClockSkew>,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} (HTTP {s}): {}", self.code, self.message)?,
            None => write!(f, "{}: {}", self.code, self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `aws.protocols#ValidationException:http://internal...` → `ValidationException`.
fn clean_code(raw: &str) -> String {
    let raw = raw.split(':').next().unwrap_or(raw);
    raw.rsplit('#').next().unwrap_or(raw).trim().to_owned()
}

impl AwsError {
    /// Classifies an error response (status, headers, body).
    pub fn from_response(status: u16, headers: &[(String, String)], body: &[u8]) -> AwsError {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field = |names: &[&str]| {
            json.as_ref().and_then(|j| {
                names
                    .iter()
                    .find_map(|n| j.get(*n).and_then(|v| v.as_str()).map(str::to_owned))
            })
        };
        let code = header(headers, "x-amzn-errortype")
            .map(clean_code)
            .filter(|c| !c.is_empty())
            .or_else(|| field(&["__type", "code", "Code", "Error"]).map(|c| clean_code(&c)))
            .or_else(|| code_from_message(&field(&["message", "Message"]).unwrap_or_default()))
            .unwrap_or_else(|| {
                if status == 0 {
                    "UnknownError".to_owned()
                } else {
                    format!("HTTP{status}")
                }
            });
        let message = field(&["message", "Message"]).unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                "(empty body)".to_owned()
            } else {
                text.chars().take(500).collect()
            }
        });
        let mut error = AwsError::classify(code, message, Some(status));
        error.request_id = header(headers, "x-amzn-requestid").map(str::to_owned);
        error
    }

    /// Classifies an error body alone (status unknown), as the CLI's `parse` does.
    pub fn from_body(body: &[u8]) -> AwsError {
        let mut error = AwsError::from_response(0, &[], body);
        error.status = None;
        error
    }

    fn classify(code: String, message: String, status: Option<u16>) -> AwsError {
        use AwsErrorKind as K;
        let lower = message.to_ascii_lowercase();
        let (kind, retryable, hint): (AwsErrorKind, bool, String) = if lower
            .starts_with("signature expired")
            || lower.starts_with("signature not yet current")
        {
            (K::ClockSkew, true, "the signing time is more than 15 minutes from AWS's clock: sign with the correct time (parse::clock_offset computes the offset from the response's Date header) and send again".into())
        } else {
            match code.as_str() {
                "AccessDeniedException" | "AccessDenied" => (K::AccessDenied, false, "check IAM permissions (bedrock:InvokeModel, and bedrock:InvokeModelWithResponseStream for streaming) on the model or inference profile; verify the execution role in Lambda/ECS; ensure model access is granted for this account and region".into()),
                "UnrecognizedClientException" | "InvalidClientTokenId" => (K::UnrecognizedClient, false, "the access key id or session token is not valid: verify the credentials are set correctly, check whether a session token is required and provided, and that the credentials have not expired or belong to another partition".into()),
                "ExpiredTokenException" | "ExpiredToken" => (K::ExpiredToken, false, "the temporary credentials expired: refresh them (aws sso login, a new AssumeRole, or your credential source) and sign again".into()),
                "SignatureDoesNotMatch" | "InvalidSignatureException" => (K::SignatureMismatch, false, "the signature AWS computed differs from ours: compare the canonical requests (see the diagnosis); the usual causes are an HTTP client that changes the path, headers or body after signing, or a wrong secret key".into()),
                "IncompleteSignatureException" | "MissingAuthenticationTokenException" | "MissingAuthenticationToken" => (K::MissingAuthentication, false, "the request reached AWS without a complete authorization header: send every header of the signed request, unchanged".into()),
                "ValidationException" => {
                    let case = validation_case(&lower);
                    let hint = match case {
                        ValidationCase::ModelNotSupportedInRegion => "check the model's availability in this region, request model access if needed, or use a different region (or a cross-region inference profile such as us.<model id>)",
                        ValidationCase::AccountNotAuthorizedForModel => "request model access in the Bedrock console (Model access), wait for approval, and verify the model id is correct",
                        ValidationCase::OnDemandThroughputNotSupported => "this model cannot be called on demand by its model id: use an inference profile id instead (for example us.<model id> or eu.<model id>), or an inference profile ARN",
                        ValidationCase::InvalidModelIdentifier => "the model id is not valid in this region: check its spelling (aws bedrock list-foundation-models) and that the region offers it",
                        ValidationCase::Other => "the request breaks a Converse rule; the message names the field",
                    };
                    (K::Validation(case), false, hint.into())
                }
                "ThrottlingException" | "TooManyRequestsException" => (K::Throttling, true, "too many requests or tokens for the account's quota: retry with exponential backoff, or request a quota increase".into()),
                "ServiceQuotaExceededException" => (K::ServiceQuotaExceeded, false, "a service quota is exhausted: request an increase in Service Quotas, or use another region or inference profile".into()),
                "ModelTimeoutException" => (K::ModelTimeout, true, "the model took too long: retry, or reduce the prompt or maxTokens".into()),
                "ModelNotReadyException" => (K::ModelNotReady, true, "the model is not ready to serve yet: retry with backoff (the AWS SDKs retry this up to 5 times)".into()),
                "ModelStreamErrorException" => (K::ModelStreamError, true, "the model failed in the middle of the stream: retry the request".into()),
                "ModelErrorException" => (K::ModelError, false, "the model failed while processing the request: check the request against the model's limits; retrying may help if the failure is transient".into()),
                "ResourceNotFoundException" => (K::ResourceNotFound, false, "the model, inference profile or ARN was not found: check the id and the region".into()),
                "InternalServerException" | "InternalFailure" => (K::InternalServer, true, "an error inside AWS: retry with backoff".into()),
                "ServiceUnavailableException" | "ServiceUnavailable" => (K::ServiceUnavailable, true, "the service is unavailable: retry with backoff".into()),
                _ => (K::Other, matches!(status, Some(429 | 500..=599)), "an error this version does not classify; the code and message are AWS's".into()),
            }
        };
        let clock_skew = (kind == K::ClockSkew)
            .then(|| parse_skew(&message))
            .flatten();
        let signature = (kind == K::SignatureMismatch)
            .then(|| SignatureMismatch::from_message(&message, None))
            .flatten();
        // AWS's echo of the canonical request quotes the session token: never keep it.
        let message = redact_tokens(&message);
        AwsError {
            kind,
            code,
            message,
            status,
            request_id: None,
            retryable,
            hint,
            signature,
            clock_skew,
        }
    }

    /// Classifies an `exception` (or `error`) frame of an event stream: `:exception-type`
    /// (`throttlingException`...) and its JSON payload. The status is `None`: the stream's HTTP
    /// status was 200.
    pub fn from_stream_exception(exception_type: &str, payload: &serde_json::Value) -> AwsError {
        let mut chars = exception_type.chars();
        let code: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => "UnknownException".to_owned(),
        };
        let message = payload
            .get("message")
            .or_else(|| payload.get("Message"))
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_owned();
        AwsError::classify(clean_code(&code), message, None)
    }

    /// Compares a signature-mismatch answer with the request that was sent, naming the part
    /// that differs (no effect on other errors, or when AWS did not echo its canonical request).
    pub fn diagnose(mut self, sent: &HttpRequest) -> AwsError {
        if self.kind == AwsErrorKind::SignatureMismatch {
            self.signature = SignatureMismatch::from_message(&self.message, Some(sent));
        }
        self
    }

    /// Wraps this in the crate's [`Error`].
    pub fn into_error(self) -> Error {
        Error::with_aws(self)
    }
}

/// The code for a body that has a message but no code (some proxies strip the header).
fn code_from_message(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    let code = if lower.contains("signature we calculated does not match") {
        "SignatureDoesNotMatch"
    } else if lower.starts_with("signature expired")
        || lower.starts_with("signature not yet current")
    {
        "InvalidSignatureException"
    } else if lower.contains("security token included in the request is invalid") {
        "UnrecognizedClientException"
    } else if lower.contains("security token included in the request is expired") {
        "ExpiredTokenException"
    } else {
        return None;
    };
    Some(code.to_owned())
}

fn validation_case(lower: &str) -> ValidationCase {
    if lower.contains("on-demand throughput") {
        ValidationCase::OnDemandThroughputNotSupported
    } else if lower.contains("not supported in this region")
        || lower.contains("isn't supported in this region")
        || lower.contains("not available in this region")
    {
        ValidationCase::ModelNotSupportedInRegion
    } else if lower.contains("not authorized to use model")
        || lower.contains("don't have access to the model")
        || lower.contains("do not have access to the model")
    {
        ValidationCase::AccountNotAuthorizedForModel
    } else if lower.contains("model identifier is invalid") {
        ValidationCase::InvalidModelIdentifier
    } else {
        ValidationCase::Other
    }
}

/// The text between `'` after `marker`, as AWS quotes the canonical request and string to sign.
fn quoted_after<'m>(message: &'m str, marker: &str) -> Option<&'m str> {
    let start = message.find(marker)? + marker.len();
    let rest = message[start..].trim_start_matches([' ', '\n', '\r', ':']);
    let rest = rest.strip_prefix('\'')?;
    // The quoted block ends at the last ' before the next marker (or the end).
    let end_region = rest.find("The String-to-Sign").unwrap_or(rest.len());
    let end = rest[..end_region].rfind('\'')?;
    Some(&rest[..end])
}

impl SignatureMismatch {
    fn from_message(message: &str, sent: Option<&HttpRequest>) -> Option<SignatureMismatch> {
        let expected = redact_tokens(
            &quoted_after(
                message,
                "The Canonical String for this request should have been",
            )?
            .replace("\r\n", "\n"),
        );
        let expected_sts = quoted_after(message, "The String-to-Sign should have been")
            .map(|s| s.replace("\r\n", "\n"));
        let mut out = SignatureMismatch {
            expected_canonical_request: expected.clone(),
            expected_string_to_sign: expected_sts.clone(),
            our_canonical_request: None,
            differs: None,
            explanation: "AWS echoed its canonical request; pass the request you sent to AwsError::diagnose to compare".into(),
        };
        let Some(sent) = sent else {
            return Some(out);
        };
        let ours = match CanonicalRequest::of(sent) {
            Ok(c) => c,
            Err(e) => {
                out.explanation = format!("cannot compute our canonical request: {e}");
                return Some(out);
            }
        };
        out.our_canonical_request = Some(redact_tokens(&ours.text()));
        let (part, explanation) = compare(&ours, &expected, expected_sts.as_deref(), sent);
        out.differs = Some(part);
        out.explanation = explanation;
        Some(out)
    }
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
        return (SignaturePart::Query, format!("query: we signed {:?} but AWS computed {query:?}: the query string changed after signing", ours.query));
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
                    "header {name}: we signed {value:?} but AWS received {:?}; {why}",
                    theirs.unwrap_or("(nothing)")
                ),
            );
        }
    }
    if payload != ours.payload_hash {
        return (SignaturePart::PayloadHash, "payload hash: the body AWS received is not the body we signed: an HTTP client re-serialised or re-encoded it (send the exact body bytes)".into());
    }
    if let (Some(sts), Ok(our_sts)) = (expected_sts, string_to_sign(sent)) {
        if sts != our_sts {
            return (SignaturePart::Scope, format!("the canonical requests match but the strings to sign differ (AWS: {:?}): the date or credential scope (region, service name 'bedrock') is not what AWS expects", sts.lines().nth(2).unwrap_or("")));
        }
    }
    (SignaturePart::SecretKey, "the canonical request and string to sign match AWS's: the secret access key is not the one AWS has for this access key id".into())
}

/// `20240115T123456Z` → time.
pub(crate) fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    let date = Date::from_calendar_date(
        num(0..4)? as i32,
        Month::try_from(num(4..6)? as u8).ok()?,
        num(6..8)? as u8,
    )
    .ok()?;
    let time = Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).ok()?;
    // Dates before 1970 cannot become a SystemTime everywhere (wasm): not a signing time.
    Some(PrimitiveDateTime::new(date, time).assume_utc()).filter(|t| t.unix_timestamp() >= 0)
}

/// "Signature expired: A is now earlier than B (C - 15 min.)" or "Signature not yet current:
/// A is still later than B (C + 15 min.)": A is the signed time, C AWS's time.
fn parse_skew(message: &str) -> Option<ClockSkew> {
    let stamps: Vec<OffsetDateTime> = message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(parse_amz_date)
        .collect();
    match stamps.as_slice() {
        [signed_at, _, server_time, ..] => Some(ClockSkew {
            signed_at: *signed_at,
            server_time: *server_time,
        }),
        _ => None,
    }
}

/// The offset between AWS's clock and yours, from a response's `Date` header
/// (`Mon, 15 Jan 2024 12:34:56 GMT`): add it to your time before signing.
///
/// ```
/// use bedrock_request::parse::clock_offset;
/// use time::macros::datetime;
/// let offset = clock_offset("Mon, 15 Jan 2024 12:34:56 GMT", datetime!(2024-01-15 12:00:00 UTC))?;
/// assert_eq!(offset, time::Duration::minutes(34) + time::Duration::seconds(56));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn clock_offset(date_header: &str, local_now: OffsetDateTime) -> crate::Result<time::Duration> {
    let server = parse_http_date(date_header).ok_or_else(|| {
        Error::new(
            crate::ErrorKind::Response,
            format!("Date header {date_header:?} is not an HTTP date (like 'Mon, 15 Jan 2024 12:34:56 GMT')"),
        )
    })?;
    Ok(server - local_now)
}

/// IMF-fixdate: `Mon, 15 Jan 2024 12:34:56 GMT`.
fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, hms, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as u8 + 1;
    let date = Date::from_calendar_date(
        year.parse().ok()?,
        Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let mut t = hms.split(':').map(|p| p.parse::<u8>().ok());
    let time = Time::from_hms(t.next()??, t.next()??, t.next()??).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}
