//! The accumulator: events folded into the same [`Completion`] as a Converse response.

use std::collections::BTreeMap;

use super::Event;
use crate::completion::{Citation, Citations, Completion, ContentBlock, Reasoning, ToolCall};
use crate::config::FinishReasonPolicy;
use crate::error::{Error, ErrorKind, Result};
use crate::json_text::JsonText;
use crate::parse;
use crate::value::Value;

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
                let inner = Value::object(vec![
                    (
                        "content",
                        Value::Array(vec![Value::object(vec![(
                            "text",
                            Value::String(text.clone()),
                        )])]),
                    ),
                    ("citations", Value::Array(raw)),
                ]);
                ContentBlock::Citations(Citations {
                    content: vec![text],
                    citations: typed,
                    block: Value::object(vec![("citationsContent", inner)]),
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
                ContentBlock::Other(Value::object(vec![("toolResult", Value::object(fields))]))
            }
            Block::Image { format, fields } => {
                let mut all = vec![("format".to_owned(), Value::String(format))];
                all.extend(fields);
                ContentBlock::Other(Value::object(vec![("image", Value::Object(all))]))
            }
        })
    }
}

/// Folds events into a [`Completion`], applying the finish-reason policy at `messageStop`:
/// the same content blocks, in the same order, as a Converse response of the same answer.
/// (`ConverseStream` decodes the bytes and accumulates in one; this is for events you have.)
///
/// ```
/// use bedrock_request::stream::{event_from_message, frame::Decoder, Accumulator};
/// use bedrock_request::FinishReasonPolicy;
/// # fn frame(event: &str, payload: &str) -> Vec<u8> {
/// #     let mut headers = Vec::new();
/// #     for (name, value) in [(":message-type", "event"), (":event-type", event)] {
/// #         headers.push(name.len() as u8);
/// #         headers.extend(name.as_bytes());
/// #         headers.push(7);
/// #         headers.extend((value.len() as u16).to_be_bytes());
/// #         headers.extend(value.as_bytes());
/// #     }
/// #     let total = 12 + headers.len() + payload.len() + 4;
/// #     let mut m = Vec::from((total as u32).to_be_bytes());
/// #     m.extend((headers.len() as u32).to_be_bytes());
/// #     let crc = crc32fast::hash(&m);
/// #     m.extend(crc.to_be_bytes());
/// #     m.extend(headers);
/// #     m.extend(payload.as_bytes());
/// #     let crc = crc32fast::hash(&m);
/// #     m.extend(crc.to_be_bytes());
/// #     m
/// # }
/// let mut decoder = Decoder::new();
/// decoder.push(&frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#));
/// decoder.push(&frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"lo"}}"#));
/// decoder.push(&frame("messageStop", r#"{"stopReason":"end_turn"}"#));
/// let mut acc = Accumulator::new(FinishReasonPolicy::Any);
/// while let Some(message) = decoder.next_message()? {
///     acc.add(&event_from_message(&message)?)?;
/// }
/// assert_eq!(acc.finish()?.text, "Hello");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
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
                    // An image delta carries `source` (or `error`): a later one replaces it.
                    for (k, v) in delta.as_object().unwrap_or_default() {
                        if matches!(k.as_str(), "source" | "error") {
                            match fields.iter_mut().find(|(key, _)| key == k) {
                                Some(slot) => slot.1 = v.clone(),
                                None => fields.push((k.clone(), v.clone())),
                            }
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
        // `positions` lists each block's index in order: no sort needed.
        let mut slots: Vec<Option<Block>> = self.blocks.into_iter().map(|(_, b)| Some(b)).collect();
        let mut content = Vec::with_capacity(slots.len());
        for &at in self.positions.values() {
            if let Some(block) = slots.get_mut(at).and_then(Option::take) {
                content.push(block.into_content()?);
            }
        }
        self.completion.content = content;
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
