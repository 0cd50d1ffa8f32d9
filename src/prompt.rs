//! Chat messages and the role policy that turns them into a Converse conversation.
//!
//! The policy runs in BAML's order, with one fix:
//! 1. a role outside `allowed_roles` becomes `default_role`;
//! 2. `remap_roles` applies;
//! 3. blank text parts are dropped (and a message left empty with them);
//! 4. adjacent messages of the same role merge into one;
//! 5. leading `system` messages become the top-level `system` blocks;
//! 6. a later `system` message is sent as `user` **and merged with adjacent user messages**
//!    (BAML sends two user messages in a row, which Converse rejects: roles must alternate);
//! 7. a prompt that is only system text is sent as one user message.
//!
//! `cache_control` role metadata (when `allowed_role_metadata` lets it through) puts a
//! `{"cachePoint":{"type":"default"}}` block after that message's parts. The conversation must
//! then start with a `user` message, and every role on the wire must be `user` or `assistant`.

use crate::codec::{base64_encode, percent_decode};
use crate::config::RolePolicy;
use crate::error::{Error, Result};
use crate::value::Value;

/// One chat message: a role, its parts, and role metadata (as BAML's `_.role("user", k=v)`).
///
/// ```
/// use bedrock_request::Message;
/// let m = Message::user("Summarise this").with_cache_control();
/// assert_eq!(m.role, "user");
/// assert_eq!(m.metadata[0].0, "cache_control");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Message {
    /// The role as written in the prompt (`system`, `user`, `assistant`, or anything else the
    /// role policy maps).
    pub role: String,
    /// The content, in order.
    pub parts: Vec<Part>,
    /// Role metadata, in order (`cache_control` is the key Converse understands).
    pub metadata: Vec<(String, Value)>,
}

impl Message {
    /// A message with any role and parts.
    pub fn new(role: impl Into<String>, parts: Vec<Part>) -> Self {
        Message {
            role: role.into(),
            parts,
            metadata: Vec::new(),
        }
    }

    /// A `system` message with one text part.
    pub fn system(text: impl Into<String>) -> Self {
        Message::new("system", vec![Part::Text(text.into())])
    }

    /// A `user` message with one text part.
    pub fn user(text: impl Into<String>) -> Self {
        Message::new("user", vec![Part::Text(text.into())])
    }

    /// An `assistant` message with one text part.
    pub fn assistant(text: impl Into<String>) -> Self {
        Message::new("assistant", vec![Part::Text(text.into())])
    }

    /// Adds a role metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: Value) -> Self {
        self.metadata.push((key.into(), value));
        self
    }

    /// Adds `cache_control: {"type": "ephemeral"}` (a Converse cache point after this message).
    pub fn with_cache_control(self) -> Self {
        self.with_metadata(
            "cache_control",
            Value::Object(vec![("type".into(), Value::from("ephemeral"))]),
        )
    }
}

/// One part of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// Text.
    Text(String),
    /// An image, document, audio or video.
    Media(Media),
    /// A tool call the model made (in an assistant message, replayed in an agent loop).
    ToolUse {
        /// `toolUseId`.
        id: String,
        /// The tool's name.
        name: String,
        /// The input, as JSON.
        input: Value,
    },
    /// The result of a tool call (in a user message).
    ToolResult {
        /// The `toolUseId` it answers.
        tool_use_id: String,
        /// The result's content.
        content: Vec<ToolResultContent>,
        /// `success` or `error` (None: not sent).
        status: Option<ToolResultStatus>,
    },
    /// Text a guardrail evaluates (`guardContent`), with optional qualifiers
    /// (`grounding_source`, `query`, `guard_content`).
    GuardContent {
        /// The text.
        text: String,
        /// The qualifiers.
        qualifiers: Vec<String>,
    },
}

/// One block of a tool result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolResultContent {
    /// Text.
    Text(String),
    /// JSON.
    Json(Value),
    /// An image or document.
    Media(Media),
}

/// A tool result's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolResultStatus {
    /// `success`.
    Success,
    /// `error`.
    Error,
}

/// A media part: what it is, where its bytes are, and an optional name (documents need one).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Media {
    /// Image, audio, video, PDF or other document.
    pub kind: MediaKind,
    /// Inline bytes or a URL.
    pub source: MediaSource,
    /// A name (Converse requires one for documents).
    pub name: Option<String>,
}

impl Media {
    /// A media part.
    pub fn new(kind: MediaKind, source: MediaSource) -> Self {
        Media {
            kind,
            source,
            name: None,
        }
    }

    /// A media part from bytes in memory (sent inline, base64). `media_type` may be left out
    /// when the bytes tell the format (PNG, JPEG, GIF, WebP, PDF, the audio and video
    /// containers); given, it must agree with them.
    ///
    /// ```
    /// use bedrock_request::prompt::{Media, MediaKind};
    /// use bedrock_request::{converse::Builder, ClientConfig, Env, Message, Part};
    /// let png = b"\x89PNG\r\n\x1a\n rest of the file".to_vec();
    /// let image = Part::Media(Media::from_bytes(MediaKind::Image, &png, None));
    /// let message = Message::new("user", vec![Part::Text("What is this?".into()), image]);
    /// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
    /// let request = Builder::new(&config, &[message], &Env::new()).build()?;
    /// assert!(request.preview().body.as_str().unwrap().contains(r#""image":{"format":"png""#));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_bytes(kind: MediaKind, bytes: &[u8], media_type: Option<&str>) -> Self {
        Media::new(
            kind,
            MediaSource::Base64 {
                data: base64_encode(bytes),
                media_type: media_type.map(str::to_owned),
            },
        )
    }
}

/// The kind of a media part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaKind {
    /// An image.
    Image,
    /// Audio.
    Audio,
    /// Video.
    Video,
    /// A PDF document.
    Pdf,
    /// Another document (csv, doc, docx, xls, xlsx, html, txt, md).
    Document,
}

/// Where a media part's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaSource {
    /// Inline base64, with its MIME type unless the bytes tell the format.
    Base64 {
        /// The base64 text.
        data: String,
        /// The MIME type, such as `image/png` (it must agree with the bytes).
        media_type: Option<String>,
    },
    /// A local file (`"path"`, or a `file://` URL), read by the caller: list them with
    /// [`converse::files_to_read`](crate::converse::files_to_read) and pass the bytes with
    /// [`Builder::media`](crate::converse::Builder::media), keyed by this path as written.
    File {
        /// The path as written (a messages file's paths are relative to it).
        path: String,
        /// The MIME type, unless the bytes or the extension tell it.
        media_type: Option<String>,
    },
    /// An `s3://` or `http(s)://` URL.
    Url {
        /// The URL.
        url: String,
        /// The MIME type, if known.
        media_type: Option<String>,
        /// For `s3://`, the bucket owner's account id.
        bucket_owner: Option<String>,
    },
}

/// Converse's two message roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConverseRole {
    /// `user`
    User,
    /// `assistant`
    Assistant,
}

impl ConverseRole {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConverseRole::User => "user",
            ConverseRole::Assistant => "assistant",
        }
    }
}

/// A content block of the conversation after the role policy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Block {
    /// A text block.
    Text(String),
    /// Any other part (media, tool use, tool result, guard content), as given.
    Part(Part),
    /// A prompt-cache checkpoint (`{"cachePoint":{"type":"default"}}`).
    CachePoint,
}

/// The conversation as Converse takes it: system blocks and alternating turns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Conversation {
    /// The top-level `system` blocks (from the leading system messages).
    pub system: Vec<Block>,
    /// The turns, starting with a user turn, roles alternating.
    pub turns: Vec<(ConverseRole, Vec<Block>)>,
}

/// Applies the role policy (see the [module docs](self)).
///
/// ```
/// use bedrock_request::config::RolePolicy;
/// use bedrock_request::{prompt, Message};
/// let conv = prompt::apply_role_policy(
///     &[Message::system("Be brief."), Message::user("Hi"), Message::system("Answer in French."), Message::user("Why?")],
///     &RolePolicy::default(),
/// )?;
/// assert_eq!(conv.system.len(), 1);
/// assert_eq!(conv.turns.len(), 1); // the later system message merged into the user turn
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn apply_role_policy(messages: &[Message], policy: &RolePolicy) -> Result<Conversation> {
    // Steps 1-3: role per message, blocks per message.
    let staged: Vec<Staged> = messages.iter().filter_map(|m| stage(m, policy)).collect();
    if staged.is_empty() {
        return Err(Error::prompt(
            "the prompt is empty: every message is empty or blank, and Converse needs at least one user message",
        ));
    }
    // Step 4: merge adjacent messages of one role.
    let mut merged = merge_adjacent(staged);
    // Steps 5 and 7: a leading system message becomes `system`, unless it is all there is.
    let mut conversation = Conversation::default();
    if merged[0].role == "system" {
        if merged.len() == 1 {
            merged[0].role = "user".to_owned();
        } else {
            conversation.system = system_blocks(merged.remove(0))?;
        }
    }
    // Step 6: later system messages are user messages, merged with their neighbours.
    for m in &mut merged {
        if m.role == "system" {
            m.role = "user".to_owned();
        }
    }
    for (i, m) in merge_adjacent(merged).into_iter().enumerate() {
        let role = converse_role(&m)?;
        if i == 0 && role != ConverseRole::User {
            return Err(Error::prompt(format!(
                "the conversation starts with an {} message, and Converse requires the first message to be from the user; add a user message before it",
                role.as_str()
            )));
        }
        conversation.turns.push((role, m.blocks));
    }
    Ok(conversation)
}

/// One message after the role policy: its wire role and blocks (blank text dropped, a cache
/// point for `cache_control`); `None` when nothing is left of it.
fn stage(message: &Message, policy: &RolePolicy) -> Option<Staged> {
    let original = message.role.as_str();
    let allowed = if policy.allowed_roles.iter().any(|r| r == original) {
        original
    } else {
        policy.default_role.as_str()
    };
    let role = policy
        .remap_roles
        .iter()
        .find(|(from, _)| from == allowed)
        .map_or(allowed, |(_, to)| to.as_str());
    let mut blocks: Vec<Block> = Vec::new();
    for part in &message.parts {
        match part {
            Part::Text(t) if t.trim().is_empty() => {}
            Part::Text(t) => blocks.push(Block::Text(t.clone())),
            other => blocks.push(Block::Part(other.clone())),
        }
    }
    if blocks.is_empty() {
        return None;
    }
    // Any cache_control value asks for a cache point, except null and false.
    let cache = message.metadata.iter().any(|(k, v)| {
        k == "cache_control"
            && !matches!(v, Value::Null | Value::Bool(false))
            && policy.allowed_role_metadata.allows(k)
    });
    if cache {
        blocks.push(Block::CachePoint);
    }
    Some(Staged {
        role: role.to_owned(),
        original: original.to_owned(),
        blocks,
    })
}

/// The leading system message's blocks: text, cache points and guard content only.
fn system_blocks(first: Staged) -> Result<Vec<Block>> {
    for block in &first.blocks {
        match block {
            Block::Text(_) | Block::CachePoint | Block::Part(Part::GuardContent { .. }) => {}
            Block::Part(_) => {
                return Err(Error::prompt(
                    "a system message holds a media, tool use or tool result part; Converse's system blocks take text (and guard content) only, so move it into a user message",
                ))
            }
        }
    }
    Ok(first.blocks)
}

/// A merged message's Converse role, checking that tool uses are the assistant's and tool
/// results the user's.
fn converse_role(m: &Staged) -> Result<ConverseRole> {
    let role = match m.role.as_str() {
        "user" => ConverseRole::User,
        "assistant" => ConverseRole::Assistant,
        other => {
            let how = if other == m.original {
                String::new()
            } else {
                format!(
                    " (the prompt's role {:?} after allowed_roles/default_role/remap_roles)",
                    m.original
                )
            };
            return Err(Error::prompt(format!(
                "role {other:?}{how} cannot be sent: Converse takes only user and assistant messages (and a leading system message); fix remap_roles or default_role"
            )));
        }
    };
    for block in &m.blocks {
        match (block, role) {
            (Block::Part(Part::ToolUse { name, .. }), ConverseRole::User) => {
                return Err(Error::prompt(format!(
                    "a tool_use part ({name}) is in a user message; tool calls belong to the assistant's turn"
                )))
            }
            (Block::Part(Part::ToolResult { tool_use_id, .. }), ConverseRole::Assistant) => {
                return Err(Error::prompt(format!(
                    "a tool_result part (for {tool_use_id}) is in an assistant message; tool results belong to the user's turn"
                )))
            }
            _ => {}
        }
    }
    Ok(role)
}

struct Staged {
    role: String,
    original: String,
    blocks: Vec<Block>,
}

fn merge_adjacent(messages: Vec<Staged>) -> Vec<Staged> {
    let mut out: Vec<Staged> = Vec::with_capacity(messages.len());
    for m in messages {
        match out.last_mut() {
            Some(last) if last.role == m.role => last.blocks.extend(m.blocks),
            _ => out.push(m),
        }
    }
    out
}

/// Reads a messages file: a JSON array of `{"role", "content": "text" | [part, ...],
/// "metadata"?: {...}}` (the CLI's `--messages` format).
///
/// Parts: `{"type": "text", "text"}`, or `{"type": "image"|"audio"|"video"|"pdf"|"document",
/// "base64", "media_type", "name"?}` / the same with `"url"` (and `"bucket_owner"`) instead of
/// `base64`.
///
/// ```
/// use bedrock_request::{prompt, Part};
/// let messages = prompt::messages_from_json(r#"[
///   {"role": "system", "content": "Be brief."},
///   {"role": "user", "content": [{"type": "text", "text": "Hi"}], "metadata": {"cache_control": {"type": "ephemeral"}}}
/// ]"#)?;
/// assert_eq!(messages[1].parts, vec![Part::Text("Hi".into())]);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn messages_from_json(json: &str) -> Result<Vec<Message>> {
    let value = Value::from_json_str(json)
        .map_err(|e| Error::prompt(format!("the messages are not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(Error::prompt(
            "the messages must be a JSON array of {\"role\", \"content\"} objects",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            message_from_value(item).map_err(|e| e.context(format_args!("message {i}")))
        })
        .collect()
}

fn message_from_value(item: &Value) -> Result<Message> {
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
            "role" => {
                role = Some(
                    value
                        .as_str()
                        .ok_or_else(|| Error::prompt("role must be a string"))?,
                )
            }
            "content" => {
                parts = Some(match value {
                    Value::String(s) => vec![Part::Text(s.clone())],
                    Value::Array(items) => items
                        .iter()
                        .enumerate()
                        .map(|(j, p)| {
                            part_from_value(p).map_err(|e| e.context(format_args!("part {j}")))
                        })
                        .collect::<Result<_>>()?,
                    other => {
                        return Err(Error::prompt(format!(
                            "content must be a string or an array of parts, found {}",
                            other.type_name()
                        )))
                    }
                })
            }
            "metadata" => match value {
                Value::Object(entries) => metadata = entries.clone(),
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
                    "unknown field {other:?}; a message has role, content and metadata"
                )))
            }
        }
    }
    let role = role.ok_or_else(|| Error::prompt("role is missing"))?;
    let parts = parts.ok_or_else(|| Error::prompt("content is missing"))?;
    Ok(Message {
        role: role.to_owned(),
        parts,
        metadata,
    })
}

fn part_from_value(value: &Value) -> Result<Part> {
    let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let kind = field("type").ok_or_else(|| Error::prompt("a part needs a string \"type\""))?;
    let media_kind = match kind.as_str() {
        "text" => {
            return field("text")
                .map(Part::Text)
                .ok_or_else(|| Error::prompt("a text part needs a string \"text\""))
        }
        "image" => MediaKind::Image,
        "audio" => MediaKind::Audio,
        "video" => MediaKind::Video,
        "pdf" => MediaKind::Pdf,
        "document" => MediaKind::Document,
        "tool_use" => {
            let input = value.get("input").cloned().unwrap_or(Value::Object(Vec::new()));
            return Ok(Part::ToolUse {
                id: field("id").ok_or_else(|| Error::prompt("a tool_use part needs a string \"id\""))?,
                name: field("name").ok_or_else(|| Error::prompt("a tool_use part needs a string \"name\""))?,
                input,
            });
        }
        "tool_result" => {
            let content = match value.get("content") {
                Some(Value::String(s)) => vec![ToolResultContent::Text(s.clone())],
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(j, item)| tool_result_content(item).map_err(|e| e.context(format_args!("content {j}"))))
                    .collect::<Result<_>>()?,
                _ => return Err(Error::prompt("a tool_result part needs \"content\": a string or an array of parts")),
            };
            let status = match field("status").as_deref() {
                None => None,
                Some("success") => Some(ToolResultStatus::Success),
                Some("error") => Some(ToolResultStatus::Error),
                Some(other) => return Err(Error::prompt(format!("tool_result status {other:?} is not success or error"))),
            };
            return Ok(Part::ToolResult {
                tool_use_id: field("tool_use_id").ok_or_else(|| Error::prompt("a tool_result part needs a string \"tool_use_id\""))?,
                content,
                status,
            });
        }
        "guard_content" => {
            let qualifiers = match value.get("qualifiers") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|q| q.as_str().map(str::to_owned).ok_or_else(|| Error::prompt("qualifiers must be strings")))
                    .collect::<Result<_>>()?,
                Some(_) => return Err(Error::prompt("qualifiers must be an array of strings")),
            };
            return Ok(Part::GuardContent {
                text: field("text").ok_or_else(|| Error::prompt("a guard_content part needs a string \"text\""))?,
                qualifiers,
            });
        }
        other => {
            return Err(Error::prompt(format!(
                "unknown part type {other:?}; expected text, image, audio, video, pdf, document, tool_use, tool_result or guard_content"
            )))
        }
    };
    let media_type = field("media_type");
    let source = match (field("base64"), field("url"), field("path")) {
        (Some(data), None, None) => MediaSource::Base64 { data, media_type },
        (None, Some(url), None) if url.starts_with("data:") => data_url(&url, media_type)?,
        (None, Some(url), None) if url.starts_with("file://") => MediaSource::File {
            path: percent_decode(&url["file://".len()..]),
            media_type,
        },
        (None, Some(url), None) => MediaSource::Url {
            url,
            media_type,
            bucket_owner: field("bucket_owner"),
        },
        (None, None, Some(path)) => MediaSource::File { path, media_type },
        _ => {
            return Err(Error::prompt(format!(
                "a {kind} part needs exactly one of \"base64\", \"url\" (s3://, https://, file://, data:) and \"path\""
            )))
        }
    };
    let mut media = Media::new(media_kind, source);
    media.name = field("name");
    Ok(Part::Media(media))
}

/// `data:[<media type>][;base64],<data>` (RFC 2397) as inline base64.
fn data_url(url: &str, media_type: Option<String>) -> Result<MediaSource> {
    let bad = || {
        Error::prompt(format!(
            "{:?} is not a data: URL (data:<media type>;base64,<data>)",
            url.chars().take(60).collect::<String>()
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
        base64_encode(percent_decode(data).as_bytes())
    };
    Ok(MediaSource::Base64 { data, media_type })
}

fn tool_result_content(item: &Value) -> Result<ToolResultContent> {
    match item.get("type").and_then(Value::as_str) {
        Some("text") => item
            .get("text")
            .and_then(Value::as_str)
            .map(|t| ToolResultContent::Text(t.to_owned()))
            .ok_or_else(|| Error::prompt("a text part needs a string \"text\"")),
        Some("json") => item
            .get("json")
            .cloned()
            .map(ToolResultContent::Json)
            .ok_or_else(|| Error::prompt("a json part needs \"json\"")),
        Some("image" | "pdf" | "document" | "video") => match part_from_value(item)? {
            Part::Media(m) => Ok(ToolResultContent::Media(m)),
            _ => unreachable!("media types give media parts"),
        },
        _ => Err(Error::prompt(
            "a tool result's content parts are text, json, image, pdf, document or video",
        )),
    }
}
