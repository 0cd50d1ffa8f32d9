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
//! assert_eq!(completion.reasoning[0].text.as_deref(), Some("Think."));
//! assert_eq!(completion.stop_reason, Some(parse::StopReason::EndTurn));
//! assert_eq!(completion.usage.unwrap().total_tokens, 12);
//! # Ok::<(), bedrock_request::Error>(())
//! ```

mod structured;

pub use crate::aws_error::{
    AwsError, AwsErrorKind, ClockSkew, SignatureMismatch, SignaturePart, ValidationCase,
};
pub use crate::completion::{
    Completion, FinishReasonError, Reasoning, StopReason, ToolCall, Usage,
};
pub use structured::{find_json, structured};

use time::OffsetDateTime;

use crate::codec::{base64_decode, parse_http_date};
use crate::config::FinishReasonPolicy;
use crate::error::{Error, ErrorKind, Result};
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
        completion.usage = Some(Usage {
            input_tokens: u64_field(u, "inputTokens")?.unwrap_or(0),
            output_tokens: u64_field(u, "outputTokens")?.unwrap_or(0),
            total_tokens: u64_field(u, "totalTokens")?.unwrap_or(0),
            cache_read_input_tokens: u64_field(u, "cacheReadInputTokens")?,
            cache_write_input_tokens: u64_field(u, "cacheWriteInputTokens")?,
        });
    }
    if let Some(m) = json.get("metrics").filter(|m| !m.is_null()) {
        completion.latency_ms = u64_field(m, "latencyMs")?;
    }
    let present = |key: &str| json.get(key).filter(|v| !v.is_null()).cloned();
    completion.additional_model_response_fields = present("additionalModelResponseFields");
    completion.trace = present("trace");
    Ok(completion)
}

/// One block of `output.message.content`, folded into the completion.
fn content_block(completion: &mut Completion, block: &Value) -> Result<()> {
    if let Some(text) = block.get("text") {
        completion.text.push_str(
            text.as_str()
                .ok_or_else(|| malformed("a text block is not a string"))?,
        );
    } else if let Some(r) = block.get("reasoningContent") {
        completion.reasoning.push(reasoning(r)?);
    } else if let Some(t) = block.get("toolUse") {
        let field = |k: &str| {
            t.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| malformed(format!("toolUse.{k} is missing")))
        };
        completion.tool_calls.push(ToolCall {
            id: field("toolUseId")?,
            name: field("name")?,
            // The reader kept the input's JSON text as a string (parse_keeping_raw).
            input: match t.get("input") {
                Some(Value::String(raw)) => JsonText::from_valid(raw.clone()),
                _ => JsonText::from_valid("null".to_owned()),
            },
        });
    } else {
        completion.other_content.push(block.clone());
    }
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
            format!("Date header {date_header:?} is not an HTTP date (like 'Mon, 15 Jan 2024 12:34:56 GMT')"),
        )
    })?;
    Ok(server - local_now)
}
