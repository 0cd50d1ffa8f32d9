//! ConverseStream events: a decoded message to an [`Event`], or the AWS error it carries.

use super::frame;
use crate::aws_error::AwsError;
use crate::codec::base64_decode;
use crate::completion::{Citation, StopReason, Usage};
use crate::error::{Error, ErrorKind, Result};
use crate::json;
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

/// The usual text delta, `{"contentBlockIndex":N,"delta":{"text":"..."}}` with an optional
/// `"p"` padding string last (compact, in that order, as Bedrock sends it), read without
/// building a value tree: most of a stream is these. Anything else, or anything unexpected in
/// it, takes the general path, which gives the same event or the error.
fn text_delta_fast(payload: &str) -> Option<Event> {
    let rest = payload.strip_prefix(r#"{"contentBlockIndex":"#)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && rest.starts_with('0')) {
        return None;
    }
    let index: u64 = rest[..digits].parse().ok()?;
    let rest = rest[digits..].strip_prefix(r#","delta":{"text":"#)?;
    let (text, used) = json::string_prefix(rest)?;
    let mut rest = rest[used..].strip_prefix('}')?;
    if let Some(padding) = rest.strip_prefix(r#","p":"#) {
        let (_, used) = json::string_prefix(padding)?;
        rest = &padding[used..];
    }
    (rest == "}").then_some(Event::TextDelta { index, text })
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
    if matches!(message.header_str(":message-type"), None | Some("event"))
        && message.header_str(":event-type") == Some("contentBlockDelta")
    {
        if let Some(event) = std::str::from_utf8(&message.payload)
            .ok()
            .and_then(text_delta_fast)
        {
            return Ok(event);
        }
    }
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

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// Whatever the fast path reads, the general path reads the same; and it reads the shapes
    /// Bedrock sends.
    #[test]
    fn the_text_delta_fast_path_agrees_with_the_general_path() {
        let texts = [
            r#""Hello""#,
            r#""""#,
            r#""quote \" back \\ nl \n tab \t uni \u00e9 \ud83c\udf89 é🎉""#,
            r#""unterminated"#,
            r#""bad \x escape""#,
            r#""ctl "#,
        ];
        let indexes = [
            "0",
            "7",
            "18446744073709551615",
            "18446744073709551616",
            "01",
            "-1",
            "",
        ];
        let tails = [
            "}",
            r#","p":"abcdefgh"}"#,
            r#","p":"ab\"c"}"#,
            r#","p":1}"#,
            r#","x":1}"#,
            "} ",
            r#","p":"a"}}"#,
            "",
        ];
        let mut fast_hits = 0;
        for index in indexes {
            for text in texts {
                for tail in tails {
                    let payload =
                        format!(r#"{{"contentBlockIndex":{index},"delta":{{"text":{text}}}{tail}"#);
                    let general = Value::from_json_str(&payload)
                        .ok()
                        .filter(|v| v.as_object().is_some())
                        .and_then(|v| content_block_delta(&v).ok().flatten());
                    if let Some(fast) = text_delta_fast(&payload) {
                        fast_hits += 1;
                        assert_eq!(Some(fast), general, "{payload}");
                    }
                }
            }
        }
        // The valid shapes: 3 indexes, 3 texts, 3 tails.
        assert_eq!(fast_hits, 27);
        let bedrock = r#"{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abcdefghijklmnopqrstuvwxyzABCDE"}"#;
        assert_eq!(
            text_delta_fast(bedrock),
            Some(Event::TextDelta {
                index: 0,
                text: "Hi".into()
            })
        );
    }
}
