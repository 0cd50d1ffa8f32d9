//! ConverseStream: the event-stream decoder, the typed events, and an accumulator that folds
//! them into the same [`Completion`] as a non-streaming call.
//!
//! ```
//! use bedrock_request::stream::{ConverseStream, Event};
//! use bedrock_request::FinishReasonPolicy;
//!
//! # fn frame(event: &str, payload: &str) -> Vec<u8> {
//! #     use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
//! #     let m = Message::new(payload.as_bytes().to_vec())
//! #         .add_header(Header::new(":message-type", HeaderValue::String("event".into())))
//! #         .add_header(Header::new(":event-type", HeaderValue::String(event.to_owned().into())));
//! #     let mut out = Vec::new();
//! #     aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
//! #     out
//! # }
//! let body = [
//!     frame("messageStart", r#"{"role":"assistant"}"#),
//!     frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#),
//!     frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"lo"}}"#),
//!     frame("contentBlockStop", r#"{"contentBlockIndex":0}"#),
//!     frame("messageStop", r#"{"stopReason":"end_turn"}"#),
//! ].concat();
//! let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
//! let mut printed = String::new();
//! for chunk in body.chunks(7) {           // whatever sizes the network delivers
//!     stream.push(chunk);
//!     while let Some(event) = stream.next_event()? {
//!         if let Event::TextDelta { text, .. } = &event {
//!             printed.push_str(text);      // print as it arrives
//!         }
//!     }
//! }
//! let completion = stream.finish()?;
//! assert_eq!((printed.as_str(), completion.text.as_str()), ("Hello", "Hello"));
//! # Ok::<(), bedrock_request::Error>(())
//! ```

/// The `application/vnd.amazon.eventstream` frame decoder: incremental, CRC-checked.
///
/// A message is a 12-byte prelude (total length, headers length, CRC-32 of those 8 bytes),
/// headers, a payload, and a CRC-32 of everything before it; all integers big-endian. Feed
/// bytes in chunks of any size with [`Decoder::push`](frame::Decoder::push), take messages with
/// [`Decoder::next_message`](frame::Decoder::next_message): partial input is never an error,
/// both CRCs are always checked, and [`Decoder::finish`](frame::Decoder::finish) says whether
/// the stream ended in the middle of a message.
pub mod frame {
    pub use crate::frame::{
        crc32, Decoder, FrameError, HeaderValue, Message, DEFAULT_MAX_MESSAGE_SIZE,
    };
}

use std::collections::BTreeMap;

use crate::aws_error::AwsError;
use crate::codec::base64_decode;
use crate::completion::{
    Citation, Citations, Completion, ContentBlock, Reasoning, StopReason, ToolCall, Usage,
};
use crate::config::FinishReasonPolicy;
use crate::error::{Error, ErrorKind, Result};
use crate::json_text::JsonText;
use crate::parse;
use crate::value::Value;

/// One ConverseStream event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `messageStart`.
    MessageStart {
        /// The role (`assistant`).
        role: String,
    },
    /// `contentBlockStart` for a tool call.
    ToolUseStart {
        /// The block index.
        index: u64,
        /// `toolUseId`.
        id: String,
        /// The tool's name.
        name: String,
        /// `type`: `server_tool_use` when Bedrock runs the tool itself.
        tool_type: Option<String>,
    },
    /// `contentBlockStart` for a server tool's result (in the assistant's own turn).
    ToolResultStart {
        /// The block index.
        index: u64,
        /// `toolUseId`.
        tool_use_id: String,
        /// `status` (`success`, `error`).
        status: Option<String>,
        /// `type`.
        tool_type: Option<String>,
    },
    /// `contentBlockStart` for a generated image.
    ImageStart {
        /// The block index.
        index: u64,
        /// `format` (`png`, `jpeg`...).
        format: String,
    },
    /// `contentBlockDelta` with text.
    TextDelta {
        /// The block index.
        index: u64,
        /// The text.
        text: String,
    },
    /// `contentBlockDelta` with a fragment of a tool call's input JSON.
    ToolInputDelta {
        /// The block index.
        index: u64,
        /// The fragment.
        input: String,
    },
    /// `contentBlockDelta` with a part of a server tool's result (`[{"text"} | {"json"}]`).
    ToolResultDelta {
        /// The block index.
        index: u64,
        /// The result blocks, as received.
        content: Value,
    },
    /// `contentBlockDelta` with reasoning text.
    ReasoningDelta {
        /// The block index.
        index: u64,
        /// The text.
        text: String,
    },
    /// `contentBlockDelta` with a reasoning signature.
    ReasoningSignature {
        /// The block index.
        index: u64,
        /// The signature.
        signature: String,
    },
    /// `contentBlockDelta` with redacted reasoning (decoded from base64).
    ReasoningRedacted {
        /// The block index.
        index: u64,
        /// The encrypted bytes.
        data: Vec<u8>,
    },
    /// `contentBlockDelta` with a citation of the block's text (the block becomes a
    /// `citationsContent` block).
    CitationDelta {
        /// The block index.
        index: u64,
        /// The citation, typed.
        citation: Citation,
        /// The citation as received (kept for the replayed message).
        raw: Value,
    },
    /// `contentBlockDelta` with a generated image's `source` (or `error`).
    ImageDelta {
        /// The block index.
        index: u64,
        /// The delta as received.
        delta: Value,
    },
    /// `contentBlockStop`.
    ContentBlockStop {
        /// The block index.
        index: u64,
    },
    /// `messageStop`.
    MessageStop {
        /// The stop reason.
        stop_reason: Option<StopReason>,
        /// `additionalModelResponseFields`.
        additional_model_response_fields: Option<Value>,
    },
    /// `metadata`: usage, metrics, trace, and the tier that served the request.
    Metadata {
        /// `usage`.
        usage: Option<Usage>,
        /// `metrics.latencyMs`.
        latency_ms: Option<u64>,
        /// `trace`.
        trace: Option<Value>,
        /// `serviceTier.type`.
        service_tier: Option<String>,
        /// `performanceConfig.latency`.
        performance_latency: Option<String>,
    },
    /// An event (or delta kind) this version does not know: kept, not dropped.
    Unknown {
        /// `:event-type`.
        event_type: String,
        /// The payload as JSON (or `null` when it is not JSON).
        payload: Value,
    },
}

fn malformed(event: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Response,
        format!("ConverseStream {event} event: {what}"),
    )
}

fn index_of(payload: &Value) -> u64 {
    payload
        .get("contentBlockIndex")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn str_at<'j>(json: &'j Value, pointer: &str) -> Option<&'j str> {
    json.pointer(pointer).and_then(Value::as_str)
}

fn string_at(json: &Value, pointer: &str) -> Option<String> {
    str_at(json, pointer).map(str::to_owned)
}

fn present(json: &Value, key: &str) -> Option<Value> {
    json.get(key).filter(|v| !v.is_null()).cloned()
}

/// The ConverseStream event types this version reads.
const KNOWN_EVENTS: [&str; 6] = [
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
];

/// Turns a decoded message into an [`Event`], or the error it carries (`exception` and `error`
/// frames become [`AwsError`]s, never skipped).
pub fn event_from_message(message: &frame::Message) -> Result<Event> {
    let parsed = std::str::from_utf8(&message.payload)
        .map_err(|e| format!("not UTF-8 ({e})"))
        .and_then(|text| Value::from_json_str(text).map_err(|e| e.to_string()));
    match message.header_str(":message-type") {
        Some("exception") => {
            let kind = message
                .header_str(":exception-type")
                .unwrap_or("unknownException");
            let payload = parsed.unwrap_or(Value::Null);
            return Err(AwsError::from_stream_exception(kind, &payload).into());
        }
        Some("error") => {
            let code = message.header_str(":error-code").unwrap_or("UnknownError");
            let text = message.header_str(":error-message").unwrap_or("");
            let payload = Value::Object(vec![("message".into(), Value::from(text))]);
            return Err(AwsError::from_stream_exception(code, &payload).into());
        }
        _ => {}
    }
    let event_type = message.header_str(":event-type").unwrap_or("");
    // A known event whose payload is not a JSON object is an error naming the event: its text
    // must not vanish into an Unknown event. Unknown event types are kept as they came.
    let payload = match (KNOWN_EVENTS.contains(&event_type), parsed) {
        (true, Ok(payload)) if payload.as_object().is_some() => payload,
        (true, Ok(other)) => {
            return Err(malformed(
                event_type,
                &format!("the payload is {}, not a JSON object", other.type_name()),
            ))
        }
        (true, Err(why)) => {
            return Err(malformed(
                event_type,
                &format!("the payload is not JSON: {why}"),
            ))
        }
        (false, parsed) => parsed.unwrap_or(Value::Null),
    };
    let known = match event_type {
        "messageStart" => Some(Event::MessageStart {
            role: str_at(&payload, "/role").unwrap_or("assistant").to_owned(),
        }),
        "contentBlockStart" => content_block_start(&payload)?,
        "contentBlockDelta" => content_block_delta(&payload)?,
        "contentBlockStop" => Some(Event::ContentBlockStop {
            index: index_of(&payload),
        }),
        "messageStop" => Some(Event::MessageStop {
            stop_reason: str_at(&payload, "/stopReason").map(StopReason::parse),
            additional_model_response_fields: present(&payload, "additionalModelResponseFields"),
        }),
        "metadata" => Some(metadata(&payload)?),
        _ => None,
    };
    Ok(known.unwrap_or_else(|| Event::Unknown {
        event_type: event_type.to_owned(),
        payload,
    }))
}

/// `contentBlockStart`: a tool call, a server tool's result or an image (`None` for a start
/// kind this version does not know).
fn content_block_start(payload: &Value) -> Result<Option<Event>> {
    let index = index_of(payload);
    let required = |block: &Value, key: &str, what: &str| {
        string_at(block, key).ok_or_else(|| malformed("contentBlockStart", what))
    };
    if let Some(t) = payload.pointer("/start/toolUse") {
        return Ok(Some(Event::ToolUseStart {
            index,
            id: required(t, "/toolUseId", "toolUse has no toolUseId")?,
            name: required(t, "/name", "toolUse has no name")?,
            tool_type: string_at(t, "/type"),
        }));
    }
    if let Some(t) = payload.pointer("/start/toolResult") {
        return Ok(Some(Event::ToolResultStart {
            index,
            tool_use_id: required(t, "/toolUseId", "toolResult has no toolUseId")?,
            status: string_at(t, "/status"),
            tool_type: string_at(t, "/type"),
        }));
    }
    if let Some(i) = payload.pointer("/start/image") {
        return Ok(Some(Event::ImageStart {
            index,
            format: required(i, "/format", "image has no format")?,
        }));
    }
    Ok(None)
}

/// `contentBlockDelta`: text, tool input, a tool result, reasoning, a citation or an image
/// (`None` for a delta kind this version does not know).
fn content_block_delta(payload: &Value) -> Result<Option<Event>> {
    let index = index_of(payload);
    let Some([(kind, delta)]) = payload.get("delta").and_then(Value::as_object) else {
        return Ok(None);
    };
    let event = match kind.as_str() {
        "text" => delta.as_str().map(|text| Event::TextDelta {
            index,
            text: text.to_owned(),
        }),
        "toolUse" => string_at(delta, "/input").map(|input| Event::ToolInputDelta { index, input }),
        "toolResult" => Some(Event::ToolResultDelta {
            index,
            content: delta.clone(),
        }),
        "citation" => Some(Event::CitationDelta {
            index,
            citation: Citation::from_value(delta),
            raw: delta.clone(),
        }),
        "image" => Some(Event::ImageDelta {
            index,
            delta: delta.clone(),
        }),
        "reasoningContent" => reasoning_delta(index, delta)?,
        _ => None,
    };
    Ok(event)
}

fn reasoning_delta(index: u64, r: &Value) -> Result<Option<Event>> {
    Ok(if let Some(text) = r.get("text").and_then(Value::as_str) {
        Some(Event::ReasoningDelta {
            index,
            text: text.to_owned(),
        })
    } else if let Some(signature) = r.get("signature").and_then(Value::as_str) {
        Some(Event::ReasoningSignature {
            index,
            signature: signature.to_owned(),
        })
    } else if let Some(data) = r.get("redactedContent").and_then(Value::as_str) {
        Some(Event::ReasoningRedacted {
            index,
            data: base64_decode(data)
                .ok_or_else(|| malformed("contentBlockDelta", "redactedContent is not base64"))?,
        })
    } else {
        None
    })
}

/// `metadata`: usage, metrics, trace, and the tier and latency mode that served it.
fn metadata(payload: &Value) -> Result<Event> {
    let usage = match payload.get("usage").filter(|u| !u.is_null()) {
        Some(u) => {
            Some(parse::usage(u).map_err(|e| malformed("metadata", &format!("usage: {e}")))?)
        }
        None => None,
    };
    Ok(Event::Metadata {
        usage,
        latency_ms: payload
            .pointer("/metrics/latencyMs")
            .and_then(Value::as_u64),
        trace: present(payload, "trace"),
        service_tier: parse::served(payload, "/serviceTier/type"),
        performance_latency: parse::served(payload, "/performanceConfig/latency"),
    })
}

/// A content block being assembled from its deltas.
#[derive(Clone, Debug)]
enum Block {
    Text(String),
    Tool {
        id: String,
        name: String,
        input: String,
        tool_type: Option<String>,
    },
    Reasoning(Reasoning),
    /// Text with citations: a `citationsContent` block.
    Citations {
        text: String,
        citations: Vec<(Citation, Value)>,
    },
    ToolResult {
        tool_use_id: String,
        status: Option<String>,
        tool_type: Option<String>,
        content: Vec<Value>,
    },
    Image {
        format: String,
        fields: Vec<(String, Value)>,
    },
}

impl Block {
    fn into_content(self) -> Result<ContentBlock> {
        let obj = |entries: Vec<(&str, Value)>| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        };
        Ok(match self {
            Block::Text(text) => ContentBlock::Text(text),
            Block::Reasoning(r) => ContentBlock::Reasoning(r),
            Block::Tool {
                id,
                name,
                input,
                tool_type,
            } => {
                let input = if input.trim().is_empty() {
                    JsonText::from_valid("{}".to_owned())
                } else {
                    JsonText::parse(input).map_err(|e| {
                        Error::new(ErrorKind::Response, format!("ConverseStream: tool call {name} ({id}) has input that is not JSON: {e}"))
                    })?
                };
                ContentBlock::ToolUse(ToolCall {
                    id,
                    name,
                    input,
                    tool_type,
                })
            }
            Block::Citations { text, citations } => {
                let (typed, raw): (Vec<Citation>, Vec<Value>) = citations.into_iter().unzip();
                let inner = obj(vec![
                    (
                        "content",
                        Value::Array(vec![obj(vec![("text", Value::String(text.clone()))])]),
                    ),
                    ("citations", Value::Array(raw)),
                ]);
                ContentBlock::Citations(Citations {
                    content: vec![text],
                    citations: typed,
                    block: obj(vec![("citationsContent", inner)]),
                })
            }
            Block::ToolResult {
                tool_use_id,
                status,
                tool_type,
                content,
            } => {
                let mut fields = vec![
                    ("toolUseId", Value::String(tool_use_id)),
                    ("content", Value::Array(content)),
                ];
                if let Some(status) = status {
                    fields.push(("status", Value::String(status)));
                }
                if let Some(kind) = tool_type {
                    fields.push(("type", Value::String(kind)));
                }
                ContentBlock::Other(obj(vec![("toolResult", obj(fields))]))
            }
            Block::Image { format, fields } => {
                let mut all = vec![("format".to_owned(), Value::String(format))];
                all.extend(fields);
                ContentBlock::Other(obj(vec![("image", Value::Object(all))]))
            }
        })
    }
}

/// Folds events into a [`Completion`], applying the finish-reason policy at `messageStop`:
/// the same content blocks, in the same order, as a Converse response of the same answer.
#[derive(Clone, Debug)]
pub struct Accumulator {
    completion: Completion,
    blocks: Vec<(u64, Block)>,
    /// Where each content block index is in `blocks`: any number of blocks in linear time.
    positions: BTreeMap<u64, usize>,
    policy: FinishReasonPolicy,
    stopped: bool,
}

impl Accumulator {
    /// An empty accumulator with the client's finish-reason policy.
    pub fn new(policy: FinishReasonPolicy) -> Self {
        Accumulator {
            completion: Completion::default(),
            blocks: Vec::new(),
            positions: BTreeMap::new(),
            policy,
            stopped: false,
        }
    }

    /// The block at `index`, made by `new` when it is the first event for it.
    fn block(&mut self, index: u64, new: impl FnOnce() -> Block) -> &mut Block {
        let at = *self.positions.entry(index).or_insert_with(|| {
            self.blocks.push((index, new()));
            self.blocks.len() - 1
        });
        &mut self.blocks[at].1
    }

    fn reasoning(&mut self, index: u64) -> &mut Reasoning {
        let block = self.block(index, || Block::Reasoning(Reasoning::default()));
        if !matches!(block, Block::Reasoning(_)) {
            *block = Block::Reasoning(Reasoning::default());
        }
        match block {
            Block::Reasoning(r) => r,
            _ => unreachable!("just made a reasoning block"),
        }
    }

    /// Adds one event. A refused finish reason is an error (BAML never checks it for streams).
    pub fn add(&mut self, event: &Event) -> Result<()> {
        match event {
            Event::TextDelta { index, text } => {
                self.completion.text.push_str(text);
                match self.block(*index, || Block::Text(String::new())) {
                    Block::Text(acc) | Block::Citations { text: acc, .. } => acc.push_str(text),
                    _ => {}
                }
            }
            Event::CitationDelta {
                index,
                citation,
                raw,
            } => {
                let block = self.block(*index, || Block::Text(String::new()));
                if let Block::Text(text) = block {
                    *block = Block::Citations {
                        text: std::mem::take(text),
                        citations: Vec::new(),
                    };
                }
                if let Block::Citations { citations, .. } = block {
                    citations.push((citation.clone(), raw.clone()));
                }
            }
            Event::ToolUseStart {
                index,
                id,
                name,
                tool_type,
            } => {
                *self.block(*index, || Block::Text(String::new())) = Block::Tool {
                    id: id.clone(),
                    name: name.clone(),
                    input: String::new(),
                    tool_type: tool_type.clone(),
                };
            }
            Event::ToolInputDelta { index, input } => {
                if let Block::Tool { input: acc, .. } = self.block(*index, || Block::Tool {
                    id: String::new(),
                    name: String::new(),
                    input: String::new(),
                    tool_type: None,
                }) {
                    acc.push_str(input);
                }
            }
            Event::ToolResultStart {
                index,
                tool_use_id,
                status,
                tool_type,
            } => {
                *self.block(*index, || Block::Text(String::new())) = Block::ToolResult {
                    tool_use_id: tool_use_id.clone(),
                    status: status.clone(),
                    tool_type: tool_type.clone(),
                    content: Vec::new(),
                };
            }
            Event::ToolResultDelta { index, content } => {
                if let Block::ToolResult { content: acc, .. } =
                    self.block(*index, || Block::ToolResult {
                        tool_use_id: String::new(),
                        status: None,
                        tool_type: None,
                        content: Vec::new(),
                    })
                {
                    append_tool_result(acc, content);
                }
            }
            Event::ImageStart { index, format } => {
                *self.block(*index, || Block::Text(String::new())) = Block::Image {
                    format: format.clone(),
                    fields: Vec::new(),
                };
            }
            Event::ImageDelta { index, delta } => {
                if let Block::Image { fields, .. } = self.block(*index, || Block::Image {
                    format: String::new(),
                    fields: Vec::new(),
                }) {
                    for (k, v) in delta.as_object().unwrap_or_default() {
                        match fields.iter_mut().find(|(key, _)| key == k) {
                            Some(slot) => slot.1 = v.clone(),
                            None => fields.push((k.clone(), v.clone())),
                        }
                    }
                }
            }
            Event::ReasoningDelta { index, text } => self
                .reasoning(*index)
                .text
                .get_or_insert_with(String::new)
                .push_str(text),
            Event::ReasoningSignature { index, signature } => {
                self.reasoning(*index).signature = Some(signature.clone())
            }
            Event::ReasoningRedacted { index, data } => self
                .reasoning(*index)
                .redacted
                .get_or_insert_with(Vec::new)
                .extend_from_slice(data),
            Event::MessageStop {
                stop_reason,
                additional_model_response_fields,
            } => {
                self.completion.stop_reason = stop_reason.clone();
                self.completion.additional_model_response_fields =
                    additional_model_response_fields.clone();
                self.stopped = true;
                parse::check_finish_reason(&self.completion, &self.policy)?;
            }
            Event::Metadata {
                usage,
                latency_ms,
                trace,
                service_tier,
                performance_latency,
            } => {
                self.completion.usage = usage.clone();
                self.completion.latency_ms = *latency_ms;
                self.completion.trace = trace.clone();
                self.completion.service_tier = service_tier.clone();
                self.completion.performance_latency = performance_latency.clone();
            }
            Event::Unknown {
                event_type,
                payload,
            } => {
                self.completion.other_events.push(Value::Object(vec![
                    ("event".into(), Value::from(event_type.as_str())),
                    ("payload".into(), payload.clone()),
                ]));
            }
            Event::MessageStart { .. } | Event::ContentBlockStop { .. } => {}
        }
        Ok(())
    }

    /// Whether `messageStop` was seen.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// The completion: blocks in index order, tool inputs checked to be JSON.
    pub fn finish(mut self) -> Result<Completion> {
        self.blocks.sort_by_key(|(i, _)| *i);
        self.completion.content = self
            .blocks
            .into_iter()
            .map(|(_, block)| block.into_content())
            .collect::<Result<_>>()?;
        Ok(self.completion)
    }
}

/// Appends a tool-result delta's blocks, joining text that continues text.
fn append_tool_result(acc: &mut Vec<Value>, delta: &Value) {
    let items = match delta {
        Value::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    for item in items {
        let continued = match (acc.last_mut(), item.get("text").and_then(Value::as_str)) {
            (Some(Value::Object(last)), Some(more)) => match last.as_mut_slice() {
                [(key, Value::String(text))] if key == "text" => {
                    text.push_str(more);
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !continued {
            acc.push(item.clone());
        }
    }
}

/// Decoder + events + accumulator in one: push body bytes, take events, finish.
#[derive(Clone, Debug)]
pub struct ConverseStream {
    decoder: frame::Decoder,
    accumulator: Accumulator,
}

impl ConverseStream {
    /// A stream with the client's finish-reason policy.
    pub fn new(policy: FinishReasonPolicy) -> Self {
        ConverseStream {
            decoder: frame::Decoder::new(),
            accumulator: Accumulator::new(policy),
        }
    }

    /// Adds body bytes as they arrive.
    pub fn push(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
    }

    /// The next event (already folded into the completion), `Ok(None)` when more bytes are
    /// needed; exception frames are errors.
    pub fn next_event(&mut self) -> Result<Option<Event>> {
        let Some(message) = self.decoder.next_message()? else {
            return Ok(None);
        };
        let event = event_from_message(&message)?;
        self.accumulator.add(&event)?;
        Ok(Some(event))
    }

    /// Ends the stream: drains the remaining events, checks the body ended between messages,
    /// and returns the completion.
    pub fn finish(mut self) -> Result<Completion> {
        while self.next_event()?.is_some() {}
        self.decoder.finish()?;
        if !self.accumulator.is_stopped() {
            return Err(Error::new(
                ErrorKind::Response,
                "ConverseStream: the stream ended without messageStop (cut off between events); the answer is incomplete",
            ));
        }
        self.accumulator.finish()
    }

    /// Decodes a whole ConverseStream body at once.
    pub fn decode_all(body: &[u8], policy: FinishReasonPolicy) -> Result<Completion> {
        let mut stream = ConverseStream::new(policy);
        stream.push(body);
        stream.finish()
    }
}
