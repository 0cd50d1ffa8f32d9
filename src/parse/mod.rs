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

mod aws_error;

pub(crate) use aws_error::parse_amz_date as amz_date;
mod structured;

pub use aws_error::{
    clock_offset, AwsError, AwsErrorKind, ClockSkew, SignatureMismatch, SignaturePart,
    ValidationCase,
};
pub use structured::{find_json, structured};

use serde_json::Value as Json;

use crate::config::FinishReasonPolicy;
use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;

/// Why the model stopped, as Converse reports it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// `end_turn`: the model finished.
    EndTurn,
    /// `tool_use`: the model asks for a tool call.
    ToolUse,
    /// `max_tokens`: cut off at `maxTokens`.
    MaxTokens,
    /// `stop_sequence`: a stop sequence was produced.
    StopSequence,
    /// `guardrail_intervened`.
    GuardrailIntervened,
    /// `content_filtered`.
    ContentFiltered,
    /// `malformed_model_output`.
    MalformedModelOutput,
    /// `malformed_tool_use`.
    MalformedToolUse,
    /// `model_context_window_exceeded`.
    ModelContextWindowExceeded,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

impl StopReason {
    /// Reads a wire value; unknown values are kept in [`StopReason::Other`].
    pub fn parse(value: &str) -> StopReason {
        match value {
            "end_turn" => StopReason::EndTurn,
            "tool_use" => StopReason::ToolUse,
            "max_tokens" => StopReason::MaxTokens,
            "stop_sequence" => StopReason::StopSequence,
            "guardrail_intervened" => StopReason::GuardrailIntervened,
            "content_filtered" => StopReason::ContentFiltered,
            "malformed_model_output" => StopReason::MalformedModelOutput,
            "malformed_tool_use" => StopReason::MalformedToolUse,
            "model_context_window_exceeded" => StopReason::ModelContextWindowExceeded,
            other => StopReason::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::ToolUse => "tool_use",
            StopReason::MaxTokens => "max_tokens",
            StopReason::StopSequence => "stop_sequence",
            StopReason::GuardrailIntervened => "guardrail_intervened",
            StopReason::ContentFiltered => "content_filtered",
            StopReason::MalformedModelOutput => "malformed_model_output",
            StopReason::MalformedToolUse => "malformed_tool_use",
            StopReason::ModelContextWindowExceeded => "model_context_window_exceeded",
            StopReason::Other(s) => s,
        }
    }
}

/// Token counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// `inputTokens`.
    pub input_tokens: u64,
    /// `outputTokens`.
    pub output_tokens: u64,
    /// `totalTokens`.
    pub total_tokens: u64,
    /// `cacheReadInputTokens`.
    pub cache_read_input_tokens: Option<u64>,
    /// `cacheWriteInputTokens`.
    pub cache_write_input_tokens: Option<u64>,
}

/// One reasoning block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reasoning {
    /// `reasoningText.text`.
    pub text: Option<String>,
    /// `reasoningText.signature` (send it back unchanged in multi-turn conversations).
    pub signature: Option<String>,
    /// `redactedContent`, decoded from base64: encrypted reasoning, to be sent back as is.
    pub redacted: Option<Vec<u8>>,
}

impl Reasoning {
    /// True for a redacted (encrypted) block.
    pub fn is_redacted(&self) -> bool {
        self.redacted.is_some()
    }
}

/// A tool call the model asks for (`toolUse`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToolCall {
    /// `toolUseId`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `input`, as JSON.
    pub input: Json,
}

/// A parsed Converse response.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Completion {
    /// Every `text` block, joined in order (empty when there is none).
    pub text: String,
    /// Reasoning blocks, in order.
    pub reasoning: Vec<Reasoning>,
    /// Tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Content blocks of other kinds (images, citations...), verbatim.
    pub other_content: Vec<Json>,
    /// `stopReason`.
    pub stop_reason: Option<StopReason>,
    /// `usage`.
    pub usage: Option<Usage>,
    /// `metrics.latencyMs`.
    pub latency_ms: Option<u64>,
    /// `additionalModelResponseFields`.
    pub additional_model_response_fields: Option<Json>,
    /// `trace` (guardrail and prompt-router traces).
    pub trace: Option<Json>,
}

impl Completion {
    /// The completion as the CLI's `parse --format json` prints it: `{"text", "stop_reason",
    /// "usage", "tool_calls", "reasoning"}`.
    pub fn to_json(&self) -> Json {
        let usage = self.usage.map(|u| {
            serde_json::json!({
                "input_tokens": u.input_tokens,
                "output_tokens": u.output_tokens,
                "total_tokens": u.total_tokens,
                "cache_read_input_tokens": u.cache_read_input_tokens,
                "cache_write_input_tokens": u.cache_write_input_tokens,
            })
        });
        let tool_calls: Vec<Json> = self
            .tool_calls
            .iter()
            .map(|t| serde_json::json!({"id": t.id, "name": t.name, "input": t.input}))
            .collect();
        let reasoning: Vec<Json> = self
            .reasoning
            .iter()
            .map(|r| {
                serde_json::json!({
                    "text": r.text,
                    "signature": r.signature,
                    "redacted": r.redacted.as_ref().map(|b| b.len()).map(|n| format!("<{n} bytes>")),
                })
            })
            .collect();
        serde_json::json!({
            "text": self.text,
            "stop_reason": self.stop_reason.as_ref().map(StopReason::as_str),
            "usage": usage,
            "tool_calls": tool_calls,
            "reasoning": reasoning,
        })
    }
}

/// A finish reason refused by `finish_reason_allow_list` / `finish_reason_deny_list`
/// (BAML's `BamlClientFinishReasonError`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FinishReasonError {
    /// The refused finish reason.
    pub finish_reason: String,
    /// The model's text (the raw output).
    pub raw_output: String,
    /// The whole parsed completion.
    pub completion: Box<Completion>,
}

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
        .into_error());
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
    Err(Error::with_finish_reason(FinishReasonError {
        finish_reason,
        raw_output: completion.text.clone(),
        completion: Box::new(completion.clone()),
    }))
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Response,
        format!("not a Converse response: {what}"),
    )
}

fn u64_field(object: &Json, key: &str) -> Result<Option<u64>> {
    match object.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| malformed(format!("{key} is not a non-negative integer"))),
    }
}

/// Parses the body of a successful Converse response.
pub fn converse_body(body: &[u8]) -> Result<Completion> {
    let json: Json = serde_json::from_slice(body).map_err(|e| malformed(format!("{e}")))?;
    if !json.is_object() {
        return Err(malformed("the body is not a JSON object"));
    }
    let mut completion = Completion::default();
    let content = json
        .pointer("/output/message/content")
        .ok_or_else(|| malformed("output.message.content is missing"))?
        .as_array()
        .ok_or_else(|| malformed("output.message.content is not an array"))?;
    for block in content {
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
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(format!("toolUse.{k} is missing")))
            };
            completion.tool_calls.push(ToolCall {
                id: field("toolUseId")?,
                name: field("name")?,
                input: t.get("input").cloned().unwrap_or(Json::Null),
            });
        } else {
            completion.other_content.push(block.clone());
        }
    }
    completion.stop_reason = match json.get("stopReason") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(StopReason::parse(s)),
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
    completion.additional_model_response_fields = json
        .get("additionalModelResponseFields")
        .filter(|v| !v.is_null())
        .cloned();
    completion.trace = json.get("trace").filter(|v| !v.is_null()).cloned();
    Ok(completion)
}

fn reasoning(block: &Json) -> Result<Reasoning> {
    let mut out = Reasoning::default();
    if let Some(t) = block.get("reasoningText") {
        out.text = t.get("text").and_then(Json::as_str).map(str::to_owned);
        out.signature = t.get("signature").and_then(Json::as_str).map(str::to_owned);
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

/// Standard base64 (with or without padding) to bytes.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A leftover of 6 bits means one stray character: not base64.
    (bits < 6).then_some(out)
}
