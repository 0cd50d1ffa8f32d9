//! What a model answered: [`Completion`] and its parts, the same for Converse and
//! ConverseStream, and [`FinishReasonError`] for a finish reason the client refuses.
//!
//! Plain data over [`Value`] (numbers and key order as received): a tool call's `input` goes
//! back into the next request unchanged.

use crate::codec::base64_encode;
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// `cacheDetails`: the tokens written to the cache, per TTL.
    pub cache_details: Vec<CacheDetail>,
}

/// One entry of `usage.cacheDetails`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheDetail {
    /// `ttl` (`5m`, `1h`), as received.
    pub ttl: String,
    /// `inputTokens`.
    pub input_tokens: u64,
}

impl Usage {
    /// The usage as [`Completion::to_json`] writes it: `input_tokens`, `output_tokens`,
    /// `total_tokens`, `cache_read_input_tokens`, `cache_write_input_tokens` (null when not
    /// reported) and `cache_details` (`[{ttl, input_tokens}]`).
    pub fn to_value(&self) -> Value {
        let count = |n: u64| Value::Number(n.into());
        let optional = |n: Option<u64>| n.map_or(Value::Null, count);
        let details = self
            .cache_details
            .iter()
            .map(|d| {
                Value::object(vec![
                    ("ttl", Value::from(d.ttl.as_str())),
                    ("input_tokens", count(d.input_tokens)),
                ])
            })
            .collect();
        Value::object(vec![
            ("input_tokens", count(self.input_tokens)),
            ("output_tokens", count(self.output_tokens)),
            ("total_tokens", count(self.total_tokens)),
            (
                "cache_read_input_tokens",
                optional(self.cache_read_input_tokens),
            ),
            (
                "cache_write_input_tokens",
                optional(self.cache_write_input_tokens),
            ),
            ("cache_details", Value::Array(details)),
        ])
    }
}

/// One reasoning block (`reasoningContent`): text with its signature, or redacted bytes.
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
    /// Reasoning text with its signature, as the model produced them.
    pub fn text(text: impl Into<String>, signature: Option<String>) -> Self {
        Reasoning {
            text: Some(text.into()),
            signature,
            redacted: None,
        }
    }

    /// Redacted (encrypted) reasoning.
    pub fn redacted(bytes: Vec<u8>) -> Self {
        Reasoning {
            text: None,
            signature: None,
            redacted: Some(bytes),
        }
    }

    /// True for a redacted (encrypted) block.
    pub fn is_redacted(&self) -> bool {
        self.redacted.is_some()
    }

    /// The block as Converse takes it: `{"reasoningContent": {...}}`.
    fn to_block(&self) -> Value {
        let inner = match &self.redacted {
            Some(bytes) => Value::object(vec![(
                "redactedContent",
                Value::String(base64_encode(bytes)),
            )]),
            None => {
                let mut fields = vec![(
                    "text",
                    Value::from(self.text.as_deref().unwrap_or_default()),
                )];
                if let Some(signature) = &self.signature {
                    fields.push(("signature", Value::from(signature.as_str())));
                }
                Value::object(vec![("reasoningText", Value::object(fields))])
            }
        };
        Value::object(vec![("reasoningContent", inner)])
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
    /// `type`: `server_tool_use` for a tool Bedrock ran itself (a `systemTool`); `None` for
    /// a tool you run.
    pub tool_type: Option<String>,
}

impl ToolCall {
    /// A tool Bedrock ran itself (a server tool use): never run it locally, its result is in
    /// the same assistant turn.
    pub fn is_server(&self) -> bool {
        self.tool_type.is_some()
    }
}

/// A span in a cited source: a document (`documentIndex`) or search result
/// (`searchResultIndex`), and where in it (characters, pages or chunks, by the kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Span {
    /// `documentIndex` or `searchResultIndex`.
    pub index: Option<u64>,
    /// `start`.
    pub start: Option<u64>,
    /// `end`.
    pub end: Option<u64>,
}

/// Where a citation points (`CitationLocation`, a union).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CitationLocation {
    /// `web`: a page.
    Web {
        /// `url`.
        url: Option<String>,
        /// `domain`.
        domain: Option<String>,
    },
    /// `documentChar`: characters of a document.
    DocumentChar(Span),
    /// `documentPage`: pages of a document.
    DocumentPage(Span),
    /// `documentChunk`: chunks of a document.
    DocumentChunk(Span),
    /// `searchResultLocation`: content blocks of a search result.
    SearchResult(Span),
    /// A location kind this version does not know, verbatim.
    Other(Value),
}

/// One citation: the source and the passage the model relied on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Citation {
    /// `title`.
    pub title: Option<String>,
    /// `source`.
    pub source: Option<String>,
    /// `sourceContent[].text`: the cited passage.
    pub source_content: Vec<String>,
    /// `location`.
    pub location: Option<CitationLocation>,
}

impl Citation {
    /// Reads a `Citation` (or a stream's `CitationsDelta`, the same shape).
    pub fn from_value(value: &Value) -> Citation {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let source_content = value
            .get("sourceContent")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| text(c, "text"))
            .collect();
        let location = value
            .get("location")
            .and_then(Value::as_object)
            .and_then(|o| o.first())
            .map(|(kind, v)| {
                let n = |k: &str| v.get(k).and_then(Value::as_u64);
                let span = |index: &str| Span {
                    index: n(index),
                    start: n("start"),
                    end: n("end"),
                };
                match kind.as_str() {
                    "web" => CitationLocation::Web {
                        url: text(v, "url"),
                        domain: text(v, "domain"),
                    },
                    "documentChar" => CitationLocation::DocumentChar(span("documentIndex")),
                    "documentPage" => CitationLocation::DocumentPage(span("documentIndex")),
                    "documentChunk" => CitationLocation::DocumentChunk(span("documentIndex")),
                    "searchResultLocation" => {
                        CitationLocation::SearchResult(span("searchResultIndex"))
                    }
                    _ => CitationLocation::Other(
                        value.get("location").cloned().unwrap_or(Value::Null),
                    ),
                }
            });
        Citation {
            title: text(value, "title"),
            source: text(value, "source"),
            source_content,
            location,
        }
    }

    fn to_json_value(&self) -> Value {
        let text = |t: &Option<String>| t.as_deref().map_or(Value::Null, Value::from);
        let n = |x: Option<u64>| x.map_or(Value::Null, |x| Value::Number(x.into()));
        let span = |kind: &str, index: &str, s: &Span| {
            Value::object(vec![
                ("type", Value::from(kind)),
                (index, n(s.index)),
                ("start", n(s.start)),
                ("end", n(s.end)),
            ])
        };
        let location = match &self.location {
            None => Value::Null,
            Some(CitationLocation::Web { url, domain }) => Value::object(vec![
                ("type", Value::from("web")),
                ("url", text(url)),
                ("domain", text(domain)),
            ]),
            Some(CitationLocation::DocumentChar(s)) => span("document_char", "document_index", s),
            Some(CitationLocation::DocumentPage(s)) => span("document_page", "document_index", s),
            Some(CitationLocation::DocumentChunk(s)) => span("document_chunk", "document_index", s),
            Some(CitationLocation::SearchResult(s)) => {
                span("search_result", "search_result_index", s)
            }
            Some(CitationLocation::Other(v)) => v.clone(),
        };
        Value::object(vec![
            ("title", text(&self.title)),
            ("source", text(&self.source)),
            (
                "source_content",
                Value::Array(
                    self.source_content
                        .iter()
                        .map(|t| Value::from(t.as_str()))
                        .collect(),
                ),
            ),
            ("location", location),
        ])
    }
}

/// A `citationsContent` block: generated text with the citations behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Citations {
    /// `content[].text`: the generated text (also in [`Completion::text`]).
    pub content: Vec<String>,
    /// `citations`, typed.
    pub citations: Vec<Citation>,
    /// The block as received (`{"citationsContent": {...}}`), sent back as is.
    pub block: Value,
}

impl Citations {
    /// Reads a `citationsContent` member's value.
    pub fn from_value(inner: &Value) -> Citations {
        let list = |k: &str| inner.get(k).and_then(Value::as_array).unwrap_or_default();
        Citations {
            content: list("content")
                .iter()
                .filter_map(|c| c.get("text").and_then(Value::as_str).map(str::to_owned))
                .collect(),
            citations: list("citations").iter().map(Citation::from_value).collect(),
            block: Value::object(vec![("citationsContent", inner.clone())]),
        }
    }
}

/// One content block of the assistant's message, in the order the model produced them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentBlock {
    /// `text`.
    Text(String),
    /// `reasoningContent`.
    Reasoning(Reasoning),
    /// `toolUse` (a server tool's too: see [`ToolCall::is_server`]).
    ToolUse(ToolCall),
    /// `citationsContent`.
    Citations(Citations),
    /// Any other block (images, a server tool's `toolResult`, kinds this version does not
    /// know), verbatim.
    Other(Value),
}

/// A parsed Converse response (or an accumulated ConverseStream).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Completion {
    /// The text of every `text` and `citationsContent` block, joined in order (empty when
    /// there is none).
    pub text: String,
    /// Every content block, in order: [`to_message`](Self::to_message) turns them into the
    /// assistant turn to append.
    pub content: Vec<ContentBlock>,
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
    /// `serviceTier.type`: the tier that served the request.
    pub service_tier: Option<String>,
    /// `performanceConfig.latency`: the latency mode that served it.
    pub performance_latency: Option<String>,
    /// Stream events this version does not know (`{"event", "payload"}`), kept.
    pub other_events: Vec<Value>,
}

impl Completion {
    /// The tool calls you must run and answer with a tool result, in order (server tool uses
    /// left out: Bedrock ran those).
    pub fn tool_calls(&self) -> Vec<&ToolCall> {
        self.tool_uses().filter(|t| !t.is_server()).collect()
    }

    /// The tool uses Bedrock ran itself (`type: server_tool_use`), in order.
    pub fn server_tool_calls(&self) -> Vec<&ToolCall> {
        self.tool_uses().filter(|t| t.is_server()).collect()
    }

    fn tool_uses(&self) -> impl Iterator<Item = &ToolCall> {
        self.content.iter().filter_map(|b| match b {
            ContentBlock::ToolUse(t) => Some(t),
            _ => None,
        })
    }

    /// The reasoning blocks, in order.
    pub fn reasoning(&self) -> Vec<&Reasoning> {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Reasoning(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// Every citation of every `citationsContent` block, in order.
    pub fn citations(&self) -> Vec<&Citation> {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Citations(c) => Some(c.citations.iter()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The completion as the CLI's `parse --format json` prints it, compact: `{"text",
    /// "stop_reason", "usage", "tool_calls", "server_tool_calls", "reasoning", "citations",
    /// "service_tier"}` (redacted reasoning as its size only). Each tool call's input is
    /// written as the model produced it, byte for byte, with no tree built in between.
    ///
    /// ```
    /// use bedrock_request::{parse, FinishReasonPolicy};
    /// let body = br#"{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},"stopReason":"end_turn"}"#;
    /// let completion = parse::response(200, &[], body, &FinishReasonPolicy::Any)?;
    /// assert_eq!(completion.to_json(),
    ///     r#"{"text":"Hi","stop_reason":"end_turn","usage":null,"tool_calls":[],"server_tool_calls":[],"reasoning":[],"citations":[],"service_tier":null}"#);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        self.summary().write(false)
    }

    /// The same, indented two spaces a level.
    pub fn to_json_pretty(&self) -> String {
        self.summary().write(true)
    }

    /// The assistant turn as a native Converse message, `{"role": "assistant", "content":
    /// [...]}`: every block in order as Converse takes it back (reasoning text and signature,
    /// redacted bytes as base64, tool uses with their input byte for byte, citations as
    /// received), so it can be appended to a messages file unchanged.
    ///
    /// ```
    /// use bedrock_request::{parse, FinishReasonPolicy};
    /// let body = br#"{"output":{"message":{"role":"assistant","content":[
    ///   {"reasoningContent":{"reasoningText":{"text":"Weather tool.","signature":"c2ln"}}},
    ///   {"toolUse":{"toolUseId":"t1","name":"weather","input":{"city":"Paris"}}}]}},"stopReason":"tool_use"}"#;
    /// let completion = parse::response(200, &[], body, &FinishReasonPolicy::Any)?;
    /// assert_eq!(completion.to_message_json(), concat!(
    ///     r#"{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"Weather tool.","signature":"c2ln"}}},"#,
    ///     r#"{"toolUse":{"toolUseId":"t1","name":"weather","input":{"city":"Paris"}}}]}"#));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn to_message_json(&self) -> String {
        self.message_tree().write(false)
    }

    /// The same, indented two spaces a level.
    pub fn to_message_json_pretty(&self) -> String {
        self.message_tree().write(true)
    }

    /// The content blocks as native Converse blocks (tool inputs as their raw text).
    fn message_tree(&self) -> Tree<'_> {
        let blocks = self
            .content
            .iter()
            .map(|block| match block {
                ContentBlock::Text(t) => {
                    Tree::Value(Value::object(vec![("text", Value::from(t.as_str()))]))
                }
                ContentBlock::Reasoning(r) => Tree::Value(r.to_block()),
                ContentBlock::ToolUse(t) => {
                    let mut fields = vec![
                        ("toolUseId", Tree::Value(Value::from(t.id.as_str()))),
                        ("name", Tree::Value(Value::from(t.name.as_str()))),
                        ("input", Tree::Raw(t.input.as_str())),
                    ];
                    if let Some(kind) = &t.tool_type {
                        fields.push(("type", Tree::Value(Value::from(kind.as_str()))));
                    }
                    Tree::Object(vec![("toolUse", Tree::Object(fields))])
                }
                ContentBlock::Citations(c) => Tree::Borrowed(&c.block),
                ContentBlock::Other(v) => Tree::Borrowed(v),
            })
            .collect();
        Tree::Object(vec![
            ("role", Tree::Value(Value::from("assistant"))),
            ("content", Tree::Array(blocks)),
        ])
    }

    fn summary(&self) -> Tree<'_> {
        let text = |t: Option<&str>| t.map_or(Value::Null, Value::from);
        let usage = self.usage.as_ref().map_or(Value::Null, Usage::to_value);
        let reasoning = self
            .reasoning()
            .into_iter()
            .map(|r| {
                let redacted = r.redacted.as_ref().map_or(Value::Null, |b| {
                    Value::String(format!("<{} bytes>", b.len()))
                });
                Value::object(vec![
                    ("text", text(r.text.as_deref())),
                    ("signature", text(r.signature.as_deref())),
                    ("redacted", redacted),
                ])
            })
            .collect();
        let stop_reason = text(self.stop_reason.as_ref().map(StopReason::as_str));
        Tree::Object(vec![
            ("text", Tree::Value(Value::from(self.text.as_str()))),
            ("stop_reason", Tree::Value(stop_reason)),
            ("usage", Tree::Value(usage)),
            ("tool_calls", calls(self.tool_calls())),
            ("server_tool_calls", calls(self.server_tool_calls())),
            ("reasoning", Tree::Value(Value::Array(reasoning))),
            (
                "citations",
                Tree::Value(Value::Array(
                    self.citations()
                        .into_iter()
                        .map(Citation::to_json_value)
                        .collect(),
                )),
            ),
            (
                "service_tier",
                Tree::Value(text(self.service_tier.as_deref())),
            ),
        ])
    }
}

/// Tool calls as `parse --format json` lists them, inputs as raw text.
fn calls(calls: Vec<&ToolCall>) -> Tree<'_> {
    Tree::Array(
        calls
            .into_iter()
            .map(|call| {
                Tree::Object(vec![
                    ("id", Tree::Value(Value::from(call.id.as_str()))),
                    ("name", Tree::Value(Value::from(call.name.as_str()))),
                    ("input", Tree::Raw(call.input.as_str())),
                ])
            })
            .collect(),
    )
}

/// JSON to write: values, borrowed values, and raw JSON text (tool inputs, written byte for
/// byte with no tree built).
enum Tree<'a> {
    Value(Value),
    Borrowed(&'a Value),
    Raw(&'a str),
    Array(Vec<Tree<'a>>),
    Object(Vec<(&'a str, Tree<'a>)>),
}

impl Tree<'_> {
    fn write(&self, pretty: bool) -> String {
        let mut out = String::new();
        self.write_to(&mut out, pretty, 0);
        out
    }

    fn write_to(&self, out: &mut String, pretty: bool, depth: usize) {
        match self {
            Tree::Value(v) if pretty => v.write_pretty(out, depth),
            Tree::Borrowed(v) if pretty => v.write_pretty(out, depth),
            Tree::Value(v) => v.write_json(out),
            Tree::Borrowed(v) => v.write_json(out),
            Tree::Raw(text) => out.push_str(text),
            Tree::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, pretty, depth + 1);
                    item.write_to(out, pretty, depth + 1);
                }
                if !items.is_empty() {
                    newline(out, pretty, depth);
                }
                out.push(']');
            }
            Tree::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, pretty, depth + 1);
                    write_json_string(key, out);
                    out.push_str(if pretty { ": " } else { ":" });
                    value.write_to(out, pretty, depth + 1);
                }
                if !entries.is_empty() {
                    newline(out, pretty, depth);
                }
                out.push('}');
            }
        }
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
