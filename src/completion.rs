//! What a model answered: [`Completion`] and its parts, the same for Converse and
//! ConverseStream, and [`FinishReasonError`] for a finish reason the client refuses.
//!
//! Plain data over [`Value`] (numbers and key order as received): a tool call's `input` goes
//! back into the next request unchanged.

use crate::json_text::JsonText;
use crate::value::{write_json_string, Value};

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
    /// `input`: the JSON the model produced, kept as its exact text (numbers and key order
    /// as sent; [`JsonText::to_value`] builds the tree, and a large input costs only its bytes).
    pub input: JsonText,
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
    pub other_content: Vec<Value>,
    /// `stopReason`.
    pub stop_reason: Option<StopReason>,
    /// `usage`.
    pub usage: Option<Usage>,
    /// `metrics.latencyMs`.
    pub latency_ms: Option<u64>,
    /// `additionalModelResponseFields`.
    pub additional_model_response_fields: Option<Value>,
    /// `trace` (guardrail and prompt-router traces).
    pub trace: Option<Value>,
}

impl Completion {
    /// The completion as the CLI's `parse --format json` prints it, compact: `{"text",
    /// "stop_reason", "usage", "tool_calls", "reasoning"}` (redacted reasoning as its size
    /// only). Each tool call's input is written as the model produced it, byte for byte, with no
    /// tree built in between, however large it is.
    ///
    /// ```
    /// use bedrock_request::{parse, FinishReasonPolicy};
    /// let body = br#"{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},"stopReason":"end_turn"}"#;
    /// let completion = parse::response(200, &[], body, &FinishReasonPolicy::Any)?;
    /// assert_eq!(completion.to_json(),
    ///     r#"{"text":"Hi","stop_reason":"end_turn","usage":null,"tool_calls":[],"reasoning":[]}"#);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        self.write_json(false)
    }

    /// The same, indented two spaces a level.
    pub fn to_json_pretty(&self) -> String {
        self.write_json(true)
    }

    fn write_json(&self, pretty: bool) -> String {
        let count = |n: u64| Value::Number(n.into());
        let optional = |n: Option<u64>| n.map_or(Value::Null, count);
        let text = |t: &Option<String>| t.as_deref().map_or(Value::Null, Value::from);
        let usage = self.usage.map_or(Value::Null, |u| {
            object(vec![
                ("input_tokens", count(u.input_tokens)),
                ("output_tokens", count(u.output_tokens)),
                ("total_tokens", count(u.total_tokens)),
                (
                    "cache_read_input_tokens",
                    optional(u.cache_read_input_tokens),
                ),
                (
                    "cache_write_input_tokens",
                    optional(u.cache_write_input_tokens),
                ),
            ])
        });
        let reasoning = self
            .reasoning
            .iter()
            .map(|r| {
                let redacted = r.redacted.as_ref().map_or(Value::Null, |b| {
                    Value::String(format!("<{} bytes>", b.len()))
                });
                object(vec![
                    ("text", text(&r.text)),
                    ("signature", text(&r.signature)),
                    ("redacted", redacted),
                ])
            })
            .collect();
        let stop_reason = self
            .stop_reason
            .as_ref()
            .map_or(Value::Null, |s| Value::from(s.as_str()));
        // `None` stands for the tool calls, written with their inputs as raw JSON text.
        let fields: [(&str, Option<Value>); 5] = [
            ("text", Some(Value::from(self.text.as_str()))),
            ("stop_reason", Some(stop_reason)),
            ("usage", Some(usage)),
            ("tool_calls", None),
            ("reasoning", Some(Value::Array(reasoning))),
        ];
        let mut out = String::new();
        out.push('{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(&mut out, pretty, 1);
            write_key(&mut out, key, pretty);
            match value {
                Some(v) if pretty => v.write_pretty(&mut out, 1),
                Some(v) => v.write_json(&mut out),
                None => self.write_tool_calls(&mut out, pretty),
            }
        }
        newline(&mut out, pretty, 0);
        out.push('}');
        out
    }

    fn write_tool_calls(&self, out: &mut String, pretty: bool) {
        out.push('[');
        for (i, call) in self.tool_calls.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, pretty, 2);
            out.push('{');
            for (j, (key, text)) in [("id", &call.id), ("name", &call.name)].iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                newline(out, pretty, 3);
                write_key(out, key, pretty);
                write_json_string(text, out);
            }
            out.push(',');
            newline(out, pretty, 3);
            write_key(out, "input", pretty);
            out.push_str(call.input.as_str());
            newline(out, pretty, 2);
            out.push('}');
        }
        if !self.tool_calls.is_empty() {
            newline(out, pretty, 1);
        }
        out.push(']');
    }
}

fn newline(out: &mut String, pretty: bool, depth: usize) {
    if pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_key(out: &mut String, key: &str, pretty: bool) {
    write_json_string(key, out);
    out.push_str(if pretty { ": " } else { ":" });
}

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
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
