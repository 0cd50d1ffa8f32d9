//! The messages file (the CLI's `--messages`): a JSON array of messages whose parts are typed
//! parts (`{"type": ...}`) or native Converse content blocks.

use super::{
    CacheTtl, Media, MediaKind, MediaSource, Message, NativeBlock, Part, Reasoning, SearchResult,
    ToolResultContent, ToolResultStatus,
};
use crate::codec::{base64_decode, base64_encode, percent_decode, percent_decode_bytes, quoted};
use crate::error::{CollectOk, Error, Result};
use crate::value::Value;

/// Reads a messages file: a JSON array of `{"role", "content": "text" | [part, ...],
/// "metadata"?: {...}}` (the CLI's `--messages` format).
///
/// A part is a typed part or a native Converse content block (an object without `"type"`
/// holding one `ContentBlock` member, bytes as base64 text: a reply's `output.message.content`
/// as it came). Typed parts:
/// - `{"type": "text", "text"}`; `{"type": "cache_point", "ttl"?: "5m" | "1h"}`;
/// - `{"type": "image" | "audio" | "video" | "pdf" | "document", <source>, "media_type"?,
///   "name"?}`, `<source>` one of `"base64"`, `"path"`, `"url"` (`s3://` with
///   `"bucket_owner"`?, `https://`, `file://`, `data:`), and for documents `"text"` or
///   `"content": ["chunk", ...]`; documents also take `"context"` and `"citations": true`;
/// - `{"type": "reasoning", "text", "signature"?}` or `{"type": "reasoning", "redacted":
///   "<base64>"}`;
/// - `{"type": "search_result", "source", "title", "content": ["text", ...], "citations"?}`;
/// - `{"type": "tool_use", "id", "name", "input"}`; `{"type": "tool_result", "tool_use_id",
///   "content": "text" | [part, ...], "status"?}` (content parts: text, `{"type": "json",
///   "json"}`, image, pdf, document, video, search_result);
/// - `{"type": "guard_content", "text", "qualifiers"?}` or an image (`"base64"`/`"path"`,
///   PNG or JPEG) instead of `"text"`.
///
/// ```
/// use bedrock_request::{prompt, Part};
/// let messages = prompt::messages_from_json(r#"[
///   {"role": "system", "content": "Be brief."},
///   {"role": "user", "content": [{"type": "text", "text": "Hi"}], "metadata": {"cache_control": {"type": "ephemeral"}}},
///   {"role": "assistant", "content": [{"reasoningContent": {"reasoningText": {"text": "Hm.", "signature": "c2ln"}}}, {"text": "Hello"}]}
/// ]"#)?;
/// assert_eq!(messages[1].parts, vec![Part::Text("Hi".into())]);
/// assert!(matches!(&messages[2].parts[0], Part::Native(b) if b.member() == "reasoningContent"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn messages_from_json(json: &str) -> Result<Vec<Message>> {
    let value = Value::from_json_str(json)
        .map_err(|e| Error::prompt(format!("the messages are not valid JSON: {e}")))?;
    messages_from_value(value)
}

/// The messages of [`messages_from_json`]'s format, from an already parsed [`Value`] (what a
/// host holding the JSON as a value passes, without writing it out and reading it again).
///
/// ```
/// use bedrock_request::{prompt, Part, Value};
/// let value = Value::from_json_str(r#"[{"role": "user", "content": "Hi"}]"#)?;
/// let messages = prompt::messages_from_value(value)?;
/// assert_eq!(messages[0].parts, vec![Part::Text("Hi".into())]);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn messages_from_value(value: Value) -> Result<Vec<Message>> {
    let Value::Array(items) = value else {
        return Err(Error::prompt(
            "the messages must be a JSON array of {\"role\", \"content\"} objects",
        ));
    };
    read_each(items.into_iter(), "message", message_from_value)
}

/// Each item read by `read`, in order; an error names the item (`"part 2: ..."`). A plain loop:
/// a `Result`-collecting iterator chain was a larger copy per item type in the JS module.
fn read_each<T, U>(
    items: impl ExactSizeIterator<Item = T>,
    what: &str,
    read: impl Fn(T) -> Result<U>,
) -> Result<Vec<U>> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.enumerate() {
        out.push(read(item).map_err(|e| e.context(format_args!("{what} {i}")))?);
    }
    Ok(out)
}

fn message_from_value(item: Value) -> Result<Message> {
    let Value::Object(fields) = item else {
        return Err(Error::prompt(format!(
            "must be an object with role and content, found {}",
            item.type_name()
        )));
    };
    let mut role = None;
    let mut parts = None;
    let mut metadata = Vec::new();
    for (key, value) in fields {
        match key.as_str() {
            "role" => match value {
                Value::String(r) => role = Some(r),
                _ => return Err(Error::prompt("role must be a string")),
            },
            "content" => {
                parts = Some(match value {
                    Value::String(s) => vec![Part::Text(s)],
                    Value::Array(items) => read_each(items.into_iter(), "part", part_from_value)?,
                    other => {
                        return Err(Error::prompt(format!(
                            "content must be a string or an array of parts, found {}",
                            other.type_name()
                        )))
                    }
                })
            }
            "metadata" => match value {
                Value::Object(entries) => metadata = entries,
                Value::Null => {}
                other => {
                    return Err(Error::prompt(format!(
                        "metadata must be an object, found {}",
                        other.type_name()
                    )))
                }
            },
            other => {
                return Err(Error::prompt(format!(
                    "unknown field {q_other}; a message has role, content and metadata",
                    q_other = quoted(&other)
                )))
            }
        }
    }
    let role = role.ok_or_else(|| Error::prompt("role is missing"))?;
    let parts = parts.ok_or_else(|| Error::prompt("content is missing"))?;
    Ok(Message {
        role,
        parts,
        metadata,
    })
}

/// The fields of one typed part, read once each; every key must be one its type takes.
struct Fields<'v> {
    kind: String,
    value: &'v Value,
}

impl<'v> Fields<'v> {
    fn new(kind: String, value: &'v Value, allowed: &[&str]) -> Result<Self> {
        for (key, _) in value.as_object().unwrap_or_default() {
            if key != "type" && !allowed.contains(&key.as_str()) {
                return Err(Error::prompt(format!(
                    "{} part has the unknown field {q_key}; it takes {}",
                    a(&kind),
                    allowed.join(", "),
                    q_key = quoted(&key)
                )));
            }
        }
        Ok(Fields { kind, value })
    }

    fn get(&self, name: &str) -> Option<&'v Value> {
        self.value.get(name).filter(|v| !v.is_null())
    }

    fn string(&self, name: &str) -> Result<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Error::prompt(format!(
                "{} part's \"{name}\" must be a string, found {}",
                a(&self.kind),
                other.type_name()
            ))),
        }
    }

    fn required(&self, name: &str) -> Result<String> {
        self.string(name)?.ok_or_else(|| {
            Error::prompt(format!("{} part needs a string \"{name}\"", a(&self.kind)))
        })
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::prompt(format!(
                "{} part's \"{name}\" must be true or false, found {}",
                a(&self.kind),
                other.type_name()
            ))),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    Value::Object(_) => item
                        .get("text")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| self.not_strings(name)),
                    _ => Err(self.not_strings(name)),
                })
                .collect_ok()
                .map(Some),
            Some(_) => Err(self.not_strings(name)),
        }
    }

    fn not_strings(&self, name: &str) -> Error {
        Error::prompt(format!(
            "{} part's \"{name}\" must be an array of strings (or {{\"text\"}} objects)",
            a(&self.kind)
        ))
    }
}

const MEDIA_FIELDS: &[&str] = &[
    "base64",
    "url",
    "path",
    "media_type",
    "name",
    "bucket_owner",
];
const DOCUMENT_FIELDS: &[&str] = &[
    "base64",
    "url",
    "path",
    "media_type",
    "name",
    "bucket_owner",
    "text",
    "content",
    "context",
    "citations",
];

fn part_from_value(value: Value) -> Result<Part> {
    let kind = match value.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(other) => {
            return Err(Error::prompt(format!(
                "a part's \"type\" must be a string, found {}",
                other.type_name()
            )))
        }
        None if value.as_object().is_some() => return NativeBlock::new(value).map(Part::Native),
        None => {
            return Err(Error::prompt(format!(
                "a part must be an object (a typed part with \"type\", or a native Converse content block), found {}",
                value.type_name()
            )))
        }
    };
    let media_kind = match kind.as_str() {
        "text" => {
            let f = Fields::new(kind, &value, &["text"])?;
            return f.required("text").map(Part::Text);
        }
        "cache_point" => {
            let f = Fields::new(kind, &value, &["ttl"])?;
            let ttl = f.string("ttl")?.map(|t| CacheTtl::parse(&t)).transpose()?;
            return Ok(Part::CachePoint(ttl));
        }
        "reasoning" => return reasoning(Fields::new(kind, &value, &["text", "signature", "redacted"])?),
        "search_result" => {
            let f = Fields::new(kind, &value, &["source", "title", "content", "citations"])?;
            return search_result(&f).map(Part::SearchResult);
        }
        "tool_use" => return tool_use(Fields::new(kind, &value, &["id", "name", "input"])?),
        "tool_result" => {
            return tool_result(Fields::new(kind, &value, &["tool_use_id", "content", "status"])?)
        }
        "guard_content" => {
            let mut allowed = vec!["text", "qualifiers"];
            allowed.extend(MEDIA_FIELDS);
            return guard_content(Fields::new(kind, &value, &allowed)?);
        }
        "image" => MediaKind::Image,
        "audio" => MediaKind::Audio,
        "video" => MediaKind::Video,
        "pdf" => MediaKind::Pdf,
        "document" => MediaKind::Document,
        other => {
            return Err(Error::prompt(format!(
                "unknown part type {q_other}; expected text, image, audio, video, pdf, document, reasoning, cache_point, search_result, tool_use, tool_result or guard_content (or a native Converse block, without \"type\")",
                q_other = quoted(&other)
            )))
        }
    };
    let document = matches!(media_kind, MediaKind::Pdf | MediaKind::Document);
    let allowed = if document {
        DOCUMENT_FIELDS
    } else {
        MEDIA_FIELDS
    };
    let f = Fields::new(kind, &value, allowed)?;
    media(&f, media_kind).map(Part::Media)
}

fn reasoning(f: Fields) -> Result<Part> {
    let text = f.string("text")?;
    let signature = f.string("signature")?;
    let redacted = f.string("redacted")?;
    let reasoning = match (text, redacted) {
        (Some(text), None) => Reasoning {
            text: Some(text),
            signature,
            redacted: None,
        },
        (None, Some(data)) if signature.is_none() => Reasoning {
            text: None,
            signature: None,
            redacted: Some(base64_decode(&data).ok_or_else(|| {
                Error::prompt("a reasoning part's \"redacted\" must be base64 (the redactedContent bytes as the reply sent them)")
            })?),
        },
        _ => {
            return Err(Error::prompt(
                "a reasoning part holds either \"text\" (with its \"signature\") or \"redacted\" (base64), as the model produced it",
            ))
        }
    };
    Ok(Part::Reasoning(reasoning))
}

fn search_result(f: &Fields) -> Result<SearchResult> {
    Ok(SearchResult {
        source: f.required("source")?,
        title: f.required("title")?,
        content: f.strings("content")?.ok_or_else(|| {
            Error::prompt("a search_result part needs \"content\": an array of strings")
        })?,
        citations: f.boolean("citations")?,
    })
}

fn tool_use(f: Fields) -> Result<Part> {
    Ok(Part::ToolUse {
        id: f.required("id")?,
        name: f.required("name")?,
        input: f.get("input").cloned().unwrap_or(Value::Object(Vec::new())),
    })
}

fn tool_result(f: Fields) -> Result<Part> {
    let content = match f.get("content") {
        Some(Value::String(s)) => vec![ToolResultContent::Text(s.clone())],
        Some(Value::Array(items)) => read_each(items.iter(), "content", tool_result_content)?,
        _ => {
            return Err(Error::prompt(
                "a tool_result part needs \"content\": a string or an array of parts",
            ))
        }
    };
    let status = match f.string("status")?.as_deref() {
        None => None,
        Some("success") => Some(ToolResultStatus::Success),
        Some("error") => Some(ToolResultStatus::Error),
        Some(other) => {
            return Err(Error::prompt(format!(
                "tool_result status {q_other} is not success or error",
                q_other = quoted(&other)
            )))
        }
    };
    Ok(Part::ToolResult {
        tool_use_id: f.required("tool_use_id")?,
        content,
        status,
    })
}

fn guard_content(f: Fields) -> Result<Part> {
    if f.get("text").is_none() {
        if f.get("qualifiers").is_some() {
            return Err(Error::prompt(
                "a guard_content image takes no qualifiers (Converse qualifies guarded text only)",
            ));
        }
        return media(&f, MediaKind::Image).map(Part::GuardImage);
    }
    let qualifiers = f.strings("qualifiers")?.unwrap_or_default();
    for q in &qualifiers {
        if !matches!(q.as_str(), "grounding_source" | "query" | "guard_content") {
            return Err(Error::prompt(format!(
                "guard_content qualifier {q_q} is not grounding_source, query or guard_content",
                q_q = quoted(&q)
            )));
        }
    }
    Ok(Part::GuardContent {
        text: f.required("text")?,
        qualifiers,
    })
}

/// "an image", "a document": the article for a part's kind.
fn a(kind: &str) -> String {
    match kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        true => format!("an {kind}"),
        false => format!("a {kind}"),
    }
}

fn media(f: &Fields, kind: MediaKind) -> Result<Media> {
    let media_type = f.string("media_type")?;
    let document = matches!(kind, MediaKind::Pdf | MediaKind::Document);
    let (text, chunks) = if document {
        (f.string("text")?, f.strings("content")?)
    } else {
        (None, None)
    };
    let given = [
        f.string("base64")?,
        f.string("url")?,
        f.string("path")?,
        text.clone(),
    ];
    let sources = given.iter().filter(|s| s.is_some()).count() + usize::from(chunks.is_some());
    if sources != 1 {
        let last = if document {
            ", \"path\", \"text\" and \"content\""
        } else {
            " and \"path\""
        };
        let names = ["\"base64\"", "\"url\"", "\"path\"", "\"text\""];
        let mut present: Vec<&str> = (given.iter().zip(names))
            .filter_map(|(s, name)| s.as_ref().map(|_| name))
            .collect();
        present.extend(chunks.as_ref().map(|_| "\"content\""));
        let got = match present.len() {
            0 => "none was given".to_owned(),
            _ => format!("{} were given", present.join(" and ")),
        };
        return Err(Error::prompt(format!(
            "{} part needs exactly one of \"base64\", \"url\" (s3://, https://, file://, data:){last}; {got}",
            a(&f.kind)
        )));
    }
    let [base64, url, path, _] = given;
    let source = if let Some(data) = base64 {
        MediaSource::Base64 { data, media_type }
    } else if let Some(url) = url {
        if !url.contains("://") && !url.starts_with("data:") {
            return Err(Error::prompt(format!(
                "{} part's \"url\" {} has no scheme (s3://, https://, file://, data:): for a file on disk, write \"path\": {}",
                a(&f.kind),
                crate::codec::quoted(&url),
                crate::codec::quoted(&url)
            )));
        }
        if url.starts_with("data:") {
            data_url(&url, media_type)?
        } else if let Some(path) = url.strip_prefix("file://") {
            MediaSource::File {
                path: percent_decode(path),
                media_type,
            }
        } else {
            MediaSource::Url {
                url,
                media_type,
                bucket_owner: f.string("bucket_owner")?,
            }
        }
    } else if let Some(path) = path {
        MediaSource::File { path, media_type }
    } else if let Some(text) = text {
        MediaSource::Text { text, media_type }
    } else {
        MediaSource::Chunks {
            chunks: chunks.unwrap_or_default(),
            media_type,
        }
    };
    let mut media = Media::new(kind, source);
    media.name = f.string("name")?;
    if document {
        media.context = f.string("context")?;
        media.citations = f.boolean("citations")?;
    }
    Ok(media)
}

/// `data:[<media type>][;base64],<data>` (RFC 2397) as inline base64.
fn data_url(url: &str, media_type: Option<String>) -> Result<MediaSource> {
    let bad = || {
        Error::prompt(format!(
            "{} is not a data: URL (data:<media type>;base64,<data>)",
            quoted(&url.chars().take(60).collect::<String>())
        ))
    };
    let (head, data) = url["data:".len()..].split_once(',').ok_or_else(bad)?;
    let (declared, base64) = match head.strip_suffix(";base64") {
        Some(t) => (t, true),
        None => (head, false),
    };
    let declared = declared.split(';').next().unwrap_or("").trim();
    let media_type = media_type.or((!declared.is_empty()).then(|| declared.to_owned()));
    let data = if base64 {
        data.to_owned()
    } else {
        // The octets as written (`caf%E9` is the four bytes c a f 0xE9), not UTF-8 text.
        base64_encode(&percent_decode_bytes(data))
    };
    Ok(MediaSource::Base64 { data, media_type })
}

fn tool_result_content(item: &Value) -> Result<ToolResultContent> {
    let kind = match item.get("type") {
        Some(Value::String(k)) => k.clone(),
        None if item.as_object().is_some() => {
            return Err(Error::prompt(
                "a tool result's content parts are typed parts (text, json, image, pdf, document, video, search_result); write the whole tool result as a native toolResult block to send native content",
            ))
        }
        _ => return Err(Error::prompt("a tool result's content part needs a string \"type\"")),
    };
    match kind.as_str() {
        "text" => Fields::new(kind, item, &["text"])?
            .required("text")
            .map(ToolResultContent::Text),
        "json" => {
            let f = Fields::new(kind, item, &["json"])?;
            f.get("json")
                .cloned()
                .map(ToolResultContent::Json)
                .ok_or_else(|| Error::prompt("a json part needs \"json\""))
        }
        "search_result" => {
            let f = Fields::new(kind, item, &["source", "title", "content", "citations"])?;
            search_result(&f).map(ToolResultContent::SearchResult)
        }
        "image" | "pdf" | "document" | "video" => match part_from_value(item.clone())? {
            Part::Media(m) => Ok(ToolResultContent::Media(m)),
            _ => Err(Error::prompt("a tool result's media part must be media")),
        },
        other => Err(Error::prompt(format!(
            "a tool result's content part has type {q_other}; it takes text, json, image, pdf, document, video or search_result",
            q_other = quoted(&other)
        ))),
    }
}
