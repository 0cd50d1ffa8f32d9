//! AWS error responses as data: kinds, retry advice, hints, AWS's echo of a mismatched
//! signature, clock skew. The comparison of that echo with our own signature is
//! [`AwsError::diagnose`], in `sign`; the conversion into the crate's error is in `error`.

use std::fmt;

use time::OffsetDateTime;

use crate::codec::{duration_text, parse_amz_date, redact_tokens};
use crate::value::Value;

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
    /// `originalStatusCode` of a `ModelErrorException` / `modelStreamErrorException`: the
    /// status the model itself returned.
    pub original_status_code: Option<u16>,
    /// `resourceName` of a `ModelErrorException`.
    pub resource_name: Option<String>,
    /// `originalMessage` of a `modelStreamErrorException`: the model's own message.
    pub original_message: Option<String>,
}

impl AwsError {
    /// The error as a person reads it, one fact a line: AWS's error, the hint, whether sending
    /// it again can help, the clock skew AWS reported, and for a signature mismatch the
    /// diagnosis and both canonical requests (AWS's and ours). The CLI prints it; an
    /// [`Error`](crate::Error) of kind `Aws` has the same lines less the canonical requests.
    pub fn report(&self) -> String {
        self.report_lines(true)
    }

    /// [`report`](Self::report) (`whole`), or the short form an [`Error`](crate::Error)'s
    /// message carries: `retry: yes`/`no` without the advice, no canonical requests.
    pub(crate) fn report_lines(&self, whole: bool) -> String {
        let mut text = format!("{self}\nhint: {}", self.hint);
        text.push_str(match (self.retryable, whole) {
            (true, true) => "\nretry: yes (send it again, signed anew)",
            (false, true) => "\nretry: no (change the request or the setup first)",
            (true, false) => "\nretry: yes",
            (false, false) => "\nretry: no",
        });
        if let Some(skew) = &self.clock_skew {
            text.push_str("\nclock skew: AWS's clock is ");
            text.push_str(&duration_text(skew.offset()));
            text.push_str(" ahead of the signing time");
        }
        if let Some(sig) = &self.signature {
            if sig.differs.is_some() {
                text.push_str("\ndiagnosis: ");
                text.push_str(&sig.explanation);
            }
            if whole {
                text.push_str("\nAWS's canonical request:\n");
                text.push_str(&sig.expected_canonical_request);
                if let Some(ours) = &sig.our_canonical_request {
                    text.push_str("\nour canonical request:\n");
                    text.push_str(ours);
                }
            }
        }
        text
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            // No error code: the status is the code (`HTTP503`), said once.
            Some(s) if self.code == format!("HTTP{s}") => write!(f, "HTTP {s}: {}", self.message)?,
            Some(s) => write!(f, "{} (HTTP {s}): {}", self.code, self.message)?,
            None => write!(f, "{}: {}", self.code, self.message)?,
        }
        match (&self.original_status_code, &self.original_message) {
            (Some(s), Some(m)) => write!(f, " (the model returned HTTP {s}: {m})")?,
            (Some(s), None) => write!(f, " (the model returned HTTP {s})")?,
            (None, Some(m)) => write!(f, " (the model said: {m})")?,
            (None, None) => {}
        }
        if let Some(r) = &self.resource_name {
            write!(f, " [resource {r}]")?;
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
        // The crate's own reader (no second JSON parser in a wasm build).
        let json: Option<Value> = std::str::from_utf8(body)
            .ok()
            .and_then(|text| Value::from_json_str(text).ok())
            .filter(|v| v.as_object().is_some());
        let field = |names: &[&str]| {
            json.as_ref().and_then(|j| {
                names
                    .iter()
                    .find_map(|n| j.get(n).and_then(Value::as_str).map(str::to_owned))
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
        if let Some(json) = &json {
            error.model_details(json);
        }
        error
    }

    /// Classifies an error body alone (status unknown), as the CLI's `parse` does.
    pub fn from_body(body: &[u8]) -> AwsError {
        let mut error = AwsError::from_response(0, &[], body);
        error.status = None;
        error
    }

    fn classify(code: String, message: String, status: Option<u16>) -> AwsError {
        let lower = message.to_ascii_lowercase();
        let (kind, retryable, hint) = if lower.starts_with("signature expired")
            || lower.starts_with("signature not yet current")
        {
            (AwsErrorKind::ClockSkew, true, CLOCK_SKEW_HINT)
        } else if code == "ValidationException" {
            let case = validation_case(&lower);
            (AwsErrorKind::Validation(case), false, validation_hint(case))
        } else {
            match RULES.iter().find(|r| r.codes.contains(&code.as_str())) {
                Some(rule) => (rule.kind.clone(), rule.retryable, rule.hint),
                None => (
                    AwsErrorKind::Other,
                    matches!(status, Some(429 | 500..=599)),
                    match (code.starts_with("HTTP"), status) {
                        // No error code at all: what the status alone says.
                        (true, Some(500..=599)) => {
                            "the service (or a proxy before it) failed without an error code: it is retried as a transient error; if it persists, check endpoint_url and the service's health"
                        }
                        (true, Some(429)) => "too many requests (no error code): slow down, or ask AWS for a higher quota",
                        (true, Some(_)) => {
                            "refused without an AWS error code: the answer may not come from Bedrock (check endpoint_url, a proxy or a gateway in between)"
                        }
                        _ => "an error this version does not classify; the code and message are AWS's",
                    },
                ),
            }
        };
        let clock_skew = (kind == AwsErrorKind::ClockSkew)
            .then(|| parse_skew(&message))
            .flatten();
        let signature = (kind == AwsErrorKind::SignatureMismatch)
            .then(|| SignatureMismatch::from_message(&message))
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
            hint: hint.to_owned(),
            signature,
            clock_skew,
            original_status_code: None,
            resource_name: None,
            original_message: None,
        }
    }

    /// The model error members (`originalStatusCode`, `resourceName`, `originalMessage`).
    fn model_details(&mut self, body: &Value) {
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(redact_tokens);
        self.original_status_code = body
            .get("originalStatusCode")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok());
        self.resource_name = text("resourceName");
        self.original_message = text("originalMessage");
    }

    /// Classifies an `exception` (or `error`) frame of an event stream: `:exception-type`
    /// (`throttlingException`...) and its JSON payload. The status is `None`: the stream's HTTP
    /// status was 200.
    pub fn from_stream_exception(exception_type: &str, payload: &Value) -> AwsError {
        let mut chars = exception_type.chars();
        let code: String = match chars.next() {
            // ASCII: exception types are identifiers (`throttlingException`); Unicode's case
            // table would be 2.6 KB of the JS module for nothing.
            Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
            None => "UnknownException".to_owned(),
        };
        let message = payload
            .get("message")
            .or_else(|| payload.get("Message"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut error = AwsError::classify(clean_code(&code), message, None);
        error.model_details(payload);
        error
    }
}

const CLOCK_SKEW_HINT: &str = "the signing time is more than 15 minutes from AWS's clock: sign with the correct time (parse::clock_offset computes the offset from the response's Date header) and send again";

/// One row of the classification: the codes AWS uses for a kind, whether a retry can help,
/// and what to do.
struct Rule {
    codes: &'static [&'static str],
    kind: AwsErrorKind,
    retryable: bool,
    hint: &'static str,
}

/// Every code this version classifies (`ValidationException` has its own cases below).
const RULES: &[Rule] = &[
    Rule {
        codes: &["AccessDeniedException", "AccessDenied"],
        kind: AwsErrorKind::AccessDenied,
        retryable: false,
        hint: "check IAM permissions (bedrock:InvokeModel, and bedrock:InvokeModelWithResponseStream for streaming) on the model or inference profile; verify the execution role in Lambda/ECS; ensure model access is granted for this account and region",
    },
    Rule {
        codes: &["UnrecognizedClientException", "InvalidClientTokenId"],
        kind: AwsErrorKind::UnrecognizedClient,
        retryable: false,
        hint: "the access key id or session token is not valid: verify the credentials are set correctly, check whether a session token is required and provided, and that the credentials have not expired or belong to another partition",
    },
    Rule {
        codes: &["ExpiredTokenException", "ExpiredToken"],
        kind: AwsErrorKind::ExpiredToken,
        retryable: false,
        hint: "the temporary credentials expired: refresh them (aws sso login, a new AssumeRole, or your credential source) and sign again",
    },
    Rule {
        codes: &["SignatureDoesNotMatch", "InvalidSignatureException"],
        kind: AwsErrorKind::SignatureMismatch,
        retryable: false,
        hint: "the signature AWS computed differs from ours: compare the canonical requests (see the diagnosis); the usual causes are an HTTP client that changes the path, headers or body after signing, or a wrong secret key",
    },
    Rule {
        codes: &[
            "IncompleteSignatureException",
            "MissingAuthenticationTokenException",
            "MissingAuthenticationToken",
        ],
        kind: AwsErrorKind::MissingAuthentication,
        retryable: false,
        hint: "the request reached AWS without a complete authorization header: send every header of the signed request, unchanged",
    },
    Rule {
        codes: &["ThrottlingException", "TooManyRequestsException"],
        kind: AwsErrorKind::Throttling,
        retryable: true,
        hint: "too many requests or tokens for the account's quota: retry with exponential backoff, or request a quota increase",
    },
    Rule {
        codes: &["ServiceQuotaExceededException"],
        kind: AwsErrorKind::ServiceQuotaExceeded,
        retryable: false,
        hint: "a service quota is exhausted: request an increase in Service Quotas, or use another region or inference profile",
    },
    Rule {
        codes: &["ModelTimeoutException"],
        kind: AwsErrorKind::ModelTimeout,
        retryable: false,
        hint: "the model took too long: reduce the prompt or maxTokens, or stream the answer (the AWS SDKs do not retry this; a BAML retry_policy or a fallback client can)",
    },
    Rule {
        codes: &["ModelNotReadyException"],
        kind: AwsErrorKind::ModelNotReady,
        retryable: true,
        hint: "the model is not ready to serve yet: retry with backoff (the AWS SDKs retry this up to 5 times)",
    },
    Rule {
        codes: &["ModelStreamErrorException"],
        kind: AwsErrorKind::ModelStreamError,
        retryable: false,
        hint: "the model failed in the middle of the stream: send the request again if the failure looks transient (the AWS SDKs do not retry this; a BAML retry_policy or a fallback client can)",
    },
    Rule {
        codes: &["ModelErrorException"],
        kind: AwsErrorKind::ModelError,
        retryable: false,
        hint: "the model failed while processing the request: check the request against the model's limits; retrying may help if the failure is transient",
    },
    Rule {
        codes: &["ResourceNotFoundException"],
        kind: AwsErrorKind::ResourceNotFound,
        retryable: false,
        hint: "the model, inference profile or ARN was not found: check the id and the region",
    },
    Rule {
        codes: &["InternalServerException", "InternalFailure"],
        kind: AwsErrorKind::InternalServer,
        retryable: true,
        hint: "an error inside AWS: retry with backoff",
    },
    Rule {
        codes: &["ServiceUnavailableException", "ServiceUnavailable"],
        kind: AwsErrorKind::ServiceUnavailable,
        retryable: true,
        hint: "the service is unavailable: retry with backoff",
    },
];

fn validation_hint(case: ValidationCase) -> &'static str {
    match case {
        ValidationCase::ModelNotSupportedInRegion => "check the model's availability in this region, request model access if needed, or use a different region (or a cross-region inference profile such as us.<model id>)",
        ValidationCase::AccountNotAuthorizedForModel => "request model access in the Bedrock console (Model access), wait for approval, and verify the model id is correct",
        ValidationCase::OnDemandThroughputNotSupported => "this model cannot be called on demand by its model id: use an inference profile id instead (for example us.<model id> or eu.<model id>), or an inference profile ARN",
        ValidationCase::InvalidModelIdentifier => "the model id is not valid in this region: check its spelling (aws bedrock list-foundation-models) and that the region offers it",
        ValidationCase::Other => "the request breaks a Converse rule; the message names the field",
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
    /// AWS's echo of its canonical request and string to sign, from the error message; the
    /// comparison with ours is [`AwsError::diagnose`] (in `sign`, which knows our view).
    fn from_message(message: &str) -> Option<SignatureMismatch> {
        let expected = redact_tokens(
            &quoted_after(
                message,
                "The Canonical String for this request should have been",
            )?
            .replace("\r\n", "\n"),
        );
        let expected_sts = quoted_after(message, "The String-to-Sign should have been")
            .map(|s| s.replace("\r\n", "\n"));
        Some(SignatureMismatch {
            expected_canonical_request: expected,
            expected_string_to_sign: expected_sts,
            our_canonical_request: None,
            differs: None,
            explanation: "AWS echoed its canonical request; pass the request you sent to AwsError::diagnose to compare".into(),
        })
    }
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
