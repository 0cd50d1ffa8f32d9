//! The `b.parse` side: Converse responses, AWS errors and finish reasons.
//!
//! [`response`] takes what your HTTP stack got back (status, headers, body bytes) and returns a
//! [`Completion`], or an [`Error`] that says what went wrong: an AWS error with its kind, a hint
//! and whether a retry can help ([`AwsError`]), a finish reason the client's policy refuses
//! ([`FinishReasonError`]), or a body that is not a Converse response.
//!
//! ```
//! use bedrock_request::{parse, FinishReasonPolicy};
//! let body = br#"{"output":{"message":{"role":"assistant","content":[
//!     {"reasoningContent":{"reasoningText":{"text":"Think.","signature":"sig"}}},
//!     {"text":"Hello!"}]}},
//!   "stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":7,"totalTokens":12},
//!   "metrics":{"latencyMs":321}}"#;
//! let completion = parse::response(200, &[], body, &FinishReasonPolicy::Any)?;
//! assert_eq!(completion.text, "Hello!");
//! assert_eq!(completion.reasoning()[0].text.as_deref(), Some("Think."));
//! assert_eq!(completion.stop_reason, Some(parse::StopReason::EndTurn));
//! assert_eq!(completion.usage.as_ref().unwrap().total_tokens, 12);
//! # Ok::<(), bedrock_request::Error>(())
//! ```

pub use crate::aws_error::{
    AwsError, AwsErrorKind, ClockSkew, SignatureMismatch, SignaturePart, ValidationCase,
};
pub use crate::completion::{
    CacheDetail, Citation, CitationLocation, Citations, Completion, ContentBlock,
    FinishReasonError, Reasoning, Span, StopReason, ToolCall, Usage,
};

use time::OffsetDateTime;

use crate::codec::{base64_decode, parse_http_date, quoted};
use crate::config::FinishReasonPolicy;
use crate::error::{CollectOk, Error, ErrorKind, Result};
use crate::json_text::JsonText;
use crate::request::HttpRequest;
use crate::value::Value;

/// Parses a Converse response: for a 2xx status the body as a [`Completion`] (then checked
/// against `policy`), otherwise the AWS error it carries.
///
/// `headers` are the response headers (`x-amzn-errortype`, `x-amzn-requestid` and `date` are
/// read).
pub fn response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    policy: &FinishReasonPolicy,
) -> Result<Completion> {
    parse_response(None, status, headers, body, policy)
}

/// Like [`response`], for the request you sent: a signature mismatch is compared with it
/// ([`AwsError::diagnose`]), so the error names the part of the request that changed.
///
/// ```
/// use bedrock_request::{converse, parse, Auth, ClientConfig, Credentials, Env, ErrorKind, Message};
/// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
/// let auth = Auth::SigV4(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
/// let sent = converse::Builder::new(&config, &[Message::user("Hi")], &Env::new())
///     .build()?
///     .sign(&auth, time::OffsetDateTime::now_utc())?;
/// // A reply: the completion, with the client's finish-reason policy applied.
/// let ok = br#"{"output":{"message":{"role":"assistant","content":[{"text":"Hello!"}]}},"stopReason":"end_turn"}"#;
/// assert_eq!(parse::response_to(&sent, 200, &[], ok, config.finish_reason())?.text, "Hello!");
/// // An error: classified, with what to do.
/// let throttled = [("x-amzn-errortype".to_owned(), "ThrottlingException".to_owned())];
/// let e = parse::response_to(&sent, 429, &throttled, br#"{"message":"Too many requests"}"#, config.finish_reason()).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Aws);
/// assert!(e.aws().unwrap().retryable);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn response_to(
    sent: &HttpRequest,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    policy: &FinishReasonPolicy,
) -> Result<Completion> {
    parse_response(Some(sent), status, headers, body, policy)
}

fn parse_response(
    sent: Option<&HttpRequest>,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    policy: &FinishReasonPolicy,
) -> Result<Completion> {
    if !(200..300).contains(&status) {
        let error = AwsError::from_response(status, headers, body);
        return Err(match sent {
            Some(sent) => error.diagnose(sent),
            None => error,
        }
        .into());
    }
    let completion = converse_body(body)?;
    check_finish_reason(&completion, policy)?;
    Ok(completion)
}

/// Checks a completion's stop reason against the client's policy (case-insensitive; a missing
/// stop reason passes).
pub fn check_finish_reason(completion: &Completion, policy: &FinishReasonPolicy) -> Result<()> {
    let reason = completion.stop_reason.as_ref().map(StopReason::as_str);
    if policy.allows(reason) {
        return Ok(());
    }
    let finish_reason = reason.unwrap_or_default().to_owned();
    Err(FinishReasonError {
        finish_reason,
        raw_output: completion.text.clone(),
        completion: Box::new(completion.clone()),
    }
    .into())
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Response,
        format!("not a Converse response: {what}"),
    )
}

fn u64_field(object: &Value, key: &str) -> Result<Option<u64>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| malformed(format!("{key} is not a non-negative integer"))),
    }
}

/// Where a tool call's input is in a Converse response.
const TOOL_INPUT: [&str; 6] = ["output", "message", "content", "*", "toolUse", "input"];

/// Parses the body of a successful Converse response.
pub fn converse_body(body: &[u8]) -> Result<Completion> {
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("the body is not UTF-8: {e}")))?;
    // Tool inputs are kept as their JSON text (checked, not built): a large one costs its bytes.
    let json =
        crate::json::parse_keeping_raw(text, &TOOL_INPUT).map_err(|e| malformed(e.message()))?;
    if json.as_object().is_none() {
        return Err(malformed("the body is not a JSON object"));
    }
    let mut completion = Completion::default();
    let content = json
        .pointer("/output/message/content")
        .ok_or_else(|| malformed("output.message.content is missing"))?
        .as_array()
        .ok_or_else(|| malformed("output.message.content is not an array"))?;
    for block in content {
        content_block(&mut completion, block)?;
    }
    completion.stop_reason = match json.get("stopReason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(StopReason::parse(s)),
        Some(_) => return Err(malformed("stopReason is not a string")),
    };
    if let Some(u) = json.get("usage").filter(|u| !u.is_null()) {
        completion.usage = Some(usage(u).map_err(|e| malformed(format!("usage: {e}")))?);
    }
    if let Some(m) = json.get("metrics").filter(|m| !m.is_null()) {
        completion.latency_ms = u64_field(m, "latencyMs")?;
    }
    let present = |key: &str| json.get(key).filter(|v| !v.is_null()).cloned();
    completion.additional_model_response_fields = present("additionalModelResponseFields");
    completion.trace = present("trace");
    completion.service_tier = served(&json, "/serviceTier/type");
    completion.performance_latency = served(&json, "/performanceConfig/latency");
    Ok(completion)
}

/// A string at `pointer`, for the tier and latency mode a response reports.
pub(crate) fn served(json: &Value, pointer: &str) -> Option<String> {
    json.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `usage` (a response's, or a stream's `metadata` event's).
pub(crate) fn usage(u: &Value) -> std::result::Result<Usage, String> {
    let count = |object: &Value, key: &str| -> std::result::Result<Option<u64>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("{key} is not a non-negative integer")),
        }
    };
    let cache_details = match u.get("cacheDetails") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|d| {
                Ok::<_, String>(CacheDetail {
                    ttl: d
                        .get("ttl")
                        .and_then(Value::as_str)
                        .ok_or("a cacheDetails entry has no ttl")?
                        .to_owned(),
                    input_tokens: count(d, "inputTokens")?.unwrap_or(0),
                })
            })
            .collect_ok()?,
        Some(_) => return Err("cacheDetails is not an array".into()),
    };
    Ok(Usage {
        input_tokens: count(u, "inputTokens")?.unwrap_or(0),
        output_tokens: count(u, "outputTokens")?.unwrap_or(0),
        total_tokens: count(u, "totalTokens")?.unwrap_or(0),
        cache_read_input_tokens: count(u, "cacheReadInputTokens")?,
        cache_write_input_tokens: count(u, "cacheWriteInputTokens")?,
        cache_details,
    })
}

/// One block of `output.message.content`, kept in order (text also joined into `text`).
fn content_block(completion: &mut Completion, block: &Value) -> Result<()> {
    let Some([(member, inner)]) = block.as_object() else {
        completion.content.push(ContentBlock::Other(block.clone()));
        return Ok(());
    };
    let parsed = match member.as_str() {
        "text" => {
            let text = inner
                .as_str()
                .ok_or_else(|| malformed("a text block is not a string"))?;
            completion.text.push_str(text);
            ContentBlock::Text(text.to_owned())
        }
        "reasoningContent" => ContentBlock::Reasoning(reasoning(inner)?),
        "toolUse" => {
            let field = |k: &str| {
                inner
                    .get(k)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(format!("toolUse.{k} is missing")))
            };
            ContentBlock::ToolUse(ToolCall {
                id: field("toolUseId")?,
                name: field("name")?,
                // The reader kept the input's JSON text as a string (parse_keeping_raw).
                input: match inner.get("input") {
                    Some(Value::String(raw)) => JsonText::from_valid(raw.clone()),
                    _ => JsonText::from_valid("null".to_owned()),
                },
                tool_type: inner.get("type").and_then(Value::as_str).map(str::to_owned),
            })
        }
        "citationsContent" => {
            let citations = Citations::from_value(inner);
            for text in &citations.content {
                completion.text.push_str(text);
            }
            ContentBlock::Citations(citations)
        }
        _ => ContentBlock::Other(block.clone()),
    };
    completion.content.push(parsed);
    Ok(())
}

fn reasoning(block: &Value) -> Result<Reasoning> {
    let mut out = Reasoning::default();
    if let Some(t) = block.get("reasoningText") {
        out.text = t.get("text").and_then(Value::as_str).map(str::to_owned);
        out.signature = t
            .get("signature")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    if let Some(r) = block.get("redactedContent") {
        let text = r
            .as_str()
            .ok_or_else(|| malformed("redactedContent is not a base64 string"))?;
        out.redacted = Some(
            base64_decode(text).ok_or_else(|| malformed("redactedContent is not valid base64"))?,
        );
    }
    Ok(out)
}

/// Parses a CountTokens response: for a 2xx status the `inputTokens` of `{"inputTokens": N}`,
/// otherwise the AWS error it carries.
///
/// ```
/// use bedrock_request::parse;
/// assert_eq!(parse::count_tokens(200, &[], br#"{"inputTokens": 42}"#)?, 42);
/// let err = parse::count_tokens(400, &[], br#"{"message": "The provided model doesn't support counting tokens."}"#).unwrap_err();
/// assert!(err.aws().is_some());
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn count_tokens(status: u16, headers: &[(String, String)], body: &[u8]) -> Result<u64> {
    if !(200..300).contains(&status) {
        return Err(AwsError::from_response(status, headers, body).into());
    }
    let bad = |what: &str| {
        Error::new(
            ErrorKind::Response,
            format!("not a CountTokens response: {what}"),
        )
    };
    let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
    let json = Value::from_json_str(text).map_err(|e| bad(&e.to_string()))?;
    json.get("inputTokens")
        .ok_or_else(|| bad("inputTokens is missing"))?
        .as_u64()
        .ok_or_else(|| bad("inputTokens is not a non-negative integer"))
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
pub fn clock_offset(date_header: &str, local_now: OffsetDateTime) -> Result<time::Duration> {
    let server = parse_http_date(date_header).ok_or_else(|| {
        Error::new(
            ErrorKind::Response,
            format!(
                "Date header {} is not an HTTP date (like 'Mon, 15 Jan 2024 12:34:56 GMT')",
                quoted(date_header)
            ),
        )
    })?;
    Ok(server - local_now)
}
