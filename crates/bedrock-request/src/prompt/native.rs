//! Native Converse content blocks: a block written as Converse takes it (`{"toolUse": {...}}`,
//! `{"reasoningContent": {...}}`), checked to hold one known union member and sent as written,
//! so a reply's `output.message` can be appended to the conversation unchanged; and
//! [`Completion::to_message`], a reply back into the assistant's message.

use super::{Message, Part};
use crate::codec::base64_decode;
use crate::codec::quoted;
use crate::completion::{Completion, ContentBlock};
use crate::error::{CollectOk, Error, Result};
use crate::value::Value;

/// A Converse `ContentBlock` union member, its required members (botocore's service model),
/// and the unions inside it that must hold exactly one member.
struct Member {
    name: &'static str,
    required: &'static [&'static str],
    /// Members that are unions themselves (`source`), or `""` when the block is one.
    unions: &'static [&'static str],
}

/// Every member of Converse's `ContentBlock` union (botocore 1.44.8).
const MEMBERS: &[Member] = &[
    Member {
        name: "text",
        required: &[],
        unions: &[],
    },
    Member {
        name: "image",
        required: &["format", "source"],
        unions: &["source"],
    },
    Member {
        name: "document",
        required: &["name", "source"],
        unions: &["source"],
    },
    Member {
        name: "video",
        required: &["format", "source"],
        unions: &["source"],
    },
    Member {
        name: "audio",
        required: &["format", "source"],
        unions: &["source"],
    },
    Member {
        name: "toolUse",
        required: &["toolUseId", "name", "input"],
        unions: &[],
    },
    Member {
        name: "toolResult",
        required: &["toolUseId", "content"],
        unions: &[],
    },
    Member {
        name: "guardContent",
        required: &[],
        unions: &[""],
    },
    Member {
        name: "cachePoint",
        required: &["type"],
        unions: &[],
    },
    Member {
        name: "reasoningContent",
        required: &[],
        unions: &[""],
    },
    Member {
        name: "citationsContent",
        required: &[],
        unions: &[],
    },
    Member {
        name: "searchResult",
        required: &["source", "title", "content"],
        unions: &[],
    },
    Member {
        name: "toolAddition",
        required: &["tool"],
        unions: &[],
    },
    Member {
        name: "toolRemoval",
        required: &["tool"],
        unions: &[],
    },
];

fn member_names() -> String {
    MEMBERS
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Converse content block as the wire has it (bytes as base64 text), checked to be one
/// known member of the `ContentBlock` union with its required members.
///
/// ```
/// use bedrock_request::prompt::NativeBlock;
/// use bedrock_request::Value;
/// let block = NativeBlock::new(Value::from_json_str(r#"{"reasoningContent": {"reasoningText": {"text": "Hm.", "signature": "c2ln"}}}"#)?)?;
/// assert_eq!(block.member(), "reasoningContent");
/// let err = NativeBlock::new(Value::from_json_str(r#"{"toolUse": {"name": "f"}}"#)?).unwrap_err();
/// assert!(err.to_string().contains("toolUse needs \"toolUseId\""));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeBlock {
    value: Value,
}

impl NativeBlock {
    /// Checks `value` is `{"<member>": {...}}` for one known member.
    pub fn new(value: Value) -> Result<NativeBlock> {
        check(&value)?;
        Ok(NativeBlock { value })
    }

    /// A block exactly as a reply had it, unchecked: a block kind newer than this version
    /// goes back as it came.
    pub(crate) fn from_reply(value: Value) -> NativeBlock {
        NativeBlock { value }
    }

    /// The union member (`text`, `toolUse`, `reasoningContent`...).
    pub fn member(&self) -> &str {
        self.value
            .as_object()
            .and_then(|o| o.first())
            .map_or("", |(k, _)| k.as_str())
    }

    /// The member's value (`{"toolUseId": ..., "name": ..., "input": ...}` for `toolUse`).
    pub fn inner(&self) -> &Value {
        self.value
            .as_object()
            .and_then(|o| o.first())
            .map_or(&Value::Null, |(_, v)| v)
    }

    /// The whole block, as it is sent.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Takes the block's value.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// For `toolUse` and `toolResult`: the tool use id.
    pub(crate) fn tool_use_id(&self) -> Option<&str> {
        self.inner().get("toolUseId").and_then(Value::as_str)
    }

    /// For `toolUse` and `toolResult`: whether it is a server tool's (`"type"` set: Bedrock
    /// ran the tool, and its result is in the assistant's own turn).
    pub(crate) fn is_server_tool(&self) -> bool {
        self.inner().get("type").is_some_and(|t| !t.is_null())
    }
}

fn check(value: &Value) -> Result<()> {
    let bad = |what: String| Error::prompt(format!("a native Converse content block {what}"));
    let Some(entries) = value.as_object() else {
        return Err(bad(format!(
            "must be an object, found {}",
            value.type_name()
        )));
    };
    let [(name, inner)] = entries else {
        let keys: Vec<String> = entries.iter().map(|(k, _)| quoted(k).to_string()).collect();
        return Err(bad(format!(
            "must hold exactly one member (one of {}), found {}: [{}]; a typed part needs \"type\"",
            member_names(),
            keys.len(),
            keys.join(", ")
        )));
    };
    let Some(member) = MEMBERS.iter().find(|m| m.name == name) else {
        return Err(bad(format!(
            "has the unknown member {q_name}: Converse's content blocks are {} (a typed part needs \"type\")",
            member_names(), q_name = quoted(&name)
        )));
    };
    if member.name == "text" {
        return match inner {
            Value::String(_) => Ok(()),
            other => Err(bad(format!(
                "text must be a string, found {}",
                other.type_name()
            ))),
        };
    }
    let Some(fields) = inner.as_object() else {
        return Err(bad(format!(
            "{name} must be an object, found {}",
            inner.type_name()
        )));
    };
    for required in member.required {
        if !fields.iter().any(|(k, _)| k == required) {
            return Err(bad(format!("{name} needs \"{required}\"")));
        }
    }
    for union in member.unions {
        let (what, value) = if union.is_empty() {
            (name.to_string(), inner)
        } else {
            match inner.get(union) {
                Some(v) => (format!("{name}.{union}"), v),
                None => continue,
            }
        };
        match value.as_object() {
            Some([(_, _)]) => {}
            _ => {
                return Err(bad(format!(
                    "{what} is a union: it must be an object with exactly one member"
                )))
            }
        }
    }
    check_bytes(name, inner).map_err(bad)
}

/// Inline bytes are base64 text on the wire; anything else would be refused by Bedrock.
fn check_bytes(name: &str, inner: &Value) -> std::result::Result<(), String> {
    let at = match name {
        "image" | "document" | "video" | "audio" => inner.pointer("/source/bytes"),
        "reasoningContent" => inner.get("redactedContent"),
        "guardContent" => inner.pointer("/image/source/bytes"),
        _ => None,
    };
    match at {
        None => Ok(()),
        Some(Value::String(s)) if base64_decode(s).is_some() => Ok(()),
        Some(_) => Err(format!(
            "{name}: the bytes must be base64 text, as on the wire"
        )),
    }
}

impl Completion {
    /// The assistant turn to append to the conversation for the next call: every content
    /// block in order, as the model produced it (reasoning with its signature, redacted
    /// reasoning, tool uses with their exact input, citations and any other block verbatim).
    /// Server tool uses and their results go back as native blocks.
    ///
    /// ```
    /// use bedrock_request::{parse, FinishReasonPolicy, Message, Part};
    /// let body = br#"{"output":{"message":{"role":"assistant","content":[
    ///   {"reasoningContent":{"reasoningText":{"text":"Use the tool.","signature":"c2ln"}}},
    ///   {"toolUse":{"toolUseId":"t1","name":"weather","input":{"city":"Paris"}}}]}},"stopReason":"tool_use"}"#;
    /// let completion = parse::response(200, &[], body, &FinishReasonPolicy::Any)?;
    /// let turn = completion.to_message();
    /// assert_eq!(turn.role, "assistant");
    /// assert!(matches!(&turn.parts[0], Part::Reasoning(r) if r.signature.as_deref() == Some("c2ln")));
    /// assert!(matches!(&turn.parts[1], Part::ToolUse { id, .. } if id == "t1"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn to_message(&self) -> Message {
        let parts = self
            .content
            .iter()
            .map(|block| match block {
                ContentBlock::Text(t) => Part::Text(t.clone()),
                ContentBlock::Reasoning(r) => Part::Reasoning(r.clone()),
                ContentBlock::ToolUse(t) if !t.is_server() => Part::ToolUse {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    input: t.input.to_value(),
                },
                ContentBlock::ToolUse(t) => {
                    let mut fields = vec![
                        ("toolUseId".to_owned(), Value::from(t.id.as_str())),
                        ("name".to_owned(), Value::from(t.name.as_str())),
                        ("input".to_owned(), t.input.to_value()),
                    ];
                    if let Some(kind) = &t.tool_type {
                        fields.push(("type".to_owned(), Value::from(kind.as_str())));
                    }
                    Part::Native(NativeBlock::from_reply(Value::Object(vec![(
                        "toolUse".to_owned(),
                        Value::Object(fields),
                    )])))
                }
                ContentBlock::Citations(c) => {
                    Part::Native(NativeBlock::from_reply(c.block.clone()))
                }
                ContentBlock::Other(v) => Part::Native(NativeBlock::from_reply(v.clone())),
            })
            .collect();
        Message::new("assistant", parts)
    }
}

impl Message {
    /// A message built from native Converse content blocks, each checked
    /// ([`NativeBlock::new`]).
    pub fn from_native(role: impl Into<String>, blocks: Vec<Value>) -> Result<Message> {
        let parts = blocks
            .into_iter()
            .map(|b| NativeBlock::new(b).map(Part::Native))
            .collect_ok()?;
        Ok(Message::new(role, parts))
    }
}
