//! Chat messages and the role policy that turns them into a Converse conversation.
//!
//! The policy runs in BAML's order, with one fix:
//! 1. a role outside `allowed_roles` becomes `default_role`;
//! 2. `remap_roles` applies;
//! 3. blank text parts are dropped, native `{"text"}` blocks too (and a message left empty
//!    with them);
//! 4. adjacent messages of the same role merge into one;
//! 5. leading `system` messages become the top-level `system` blocks;
//! 6. a later `system` message is sent as `user` **and merged with adjacent user messages**
//!    (BAML sends two user messages in a row, which Converse rejects: roles must alternate);
//! 7. a prompt that is only system text is sent as one user message.
//!
//! `cache_control` role metadata (when `allowed_role_metadata` lets it through) puts a
//! `{"cachePoint":{"type":"default"}}` block (with its `ttl`) after that message's parts. When
//! adjacent assistant messages merge, each one's leading reasoning moves before the turn's
//! text and tool uses (Bedrock wants a turn's reasoning first); within one message the order
//! is kept. The conversation must then start with a `user` message, every role on the wire
//! must be `user` or `assistant`, tool uses and reasoning must be in assistant turns and tool
//! results in user turns (a server tool's result, which Bedrock returns in the assistant's
//! turn, excepted).
//!
//! A reply goes back with [`Completion::to_message`](crate::parse::Completion::to_message);
//! a messages file ([`messages_from_json`]) takes typed parts and native Converse blocks
//! ([`NativeBlock`]).

mod file;
mod native;
mod notes;

pub use crate::completion::Reasoning;
pub use file::{messages_from_json, messages_from_value};
pub use native::NativeBlock;
pub use notes::role_notes;

use crate::codec::quoted;
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

impl Part {
    /// A tool's result as text, answering the model's tool call `tool_use_id` (the `id` of
    /// its [`ToolCall`](crate::parse::ToolCall)); it goes in a user message.
    pub fn tool_result(tool_use_id: impl Into<String>, text: impl Into<String>) -> Part {
        Part::ToolResult {
            tool_use_id: tool_use_id.into(),
            content: vec![ToolResultContent::Text(text.into())],
            status: None,
        }
    }

    /// A tool's result as JSON (Converse's `json` content).
    pub fn tool_result_json(tool_use_id: impl Into<String>, json: Value) -> Part {
        Part::ToolResult {
            tool_use_id: tool_use_id.into(),
            content: vec![ToolResultContent::Json(json)],
            status: None,
        }
    }
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

/// One part of a message: text, media, a tool call the model made or a tool's result, and
/// the rest of what Converse takes.
///
/// ```
/// use bedrock_request::{Message, Part, Value};
/// // A user turn answering the model's tool call `t1`, with a line of text after it.
/// let turn = Message::new("user", vec![
///     Part::tool_result("t1", r#"{"temperature_c": 18}"#),
///     Part::Text("Anything else?".into()),
/// ]);
/// assert!(matches!(&turn.parts[0], Part::ToolResult { tool_use_id, .. } if tool_use_id == "t1"));
/// let json = Part::tool_result_json("t2", Value::from_json_str(r#"{"ok": true}"#)?);
/// assert!(matches!(json, Part::ToolResult { .. }));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
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
    /// An image a guardrail evaluates (`guardContent.image`: PNG or JPEG bytes).
    GuardImage(Media),
    /// The model's reasoning, replayed in its assistant turn (`reasoningContent`): text with
    /// its signature, or redacted bytes, exactly as the model produced them. The role policy
    /// keeps each message's leading reasoning first in its turn.
    Reasoning(Reasoning),
    /// A prompt-cache checkpoint (`cachePoint`), optionally with a TTL.
    CachePoint(Option<CacheTtl>),
    /// A search result the model may cite (`searchResult`).
    SearchResult(SearchResult),
    /// A Converse content block as the wire has it, sent as written (a reply's
    /// `output.message.content` appended unchanged).
    Native(NativeBlock),
}

/// How long a prompt-cache checkpoint lives (`cachePoint.ttl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheTtl {
    /// `5m`, Bedrock's default.
    FiveMinutes,
    /// `1h`.
    OneHour,
}

impl CacheTtl {
    /// Reads `5m` or `1h`; the error names both.
    ///
    /// ```
    /// use bedrock_request::prompt::CacheTtl;
    /// assert_eq!(CacheTtl::parse("1h")?, CacheTtl::OneHour);
    /// assert!(CacheTtl::parse("2h").is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn parse(ttl: &str) -> Result<CacheTtl> {
        match ttl {
            "5m" => Ok(CacheTtl::FiveMinutes),
            "1h" => Ok(CacheTtl::OneHour),
            other => Err(Error::prompt(format!(
                "cache point ttl {q_other} is not one Bedrock takes: write \"5m\" or \"1h\"",
                q_other = quoted(&other)
            ))),
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheTtl::FiveMinutes => "5m",
            CacheTtl::OneHour => "1h",
        }
    }
}

/// A search result the model can cite (`searchResult`), in a message or a tool result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchResult {
    /// Where it came from (a URL or an identifier).
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its text, one block per passage.
    pub content: Vec<String>,
    /// `citations.enabled` (None: not sent).
    pub citations: Option<bool>,
}

impl SearchResult {
    /// A search result.
    pub fn new(source: impl Into<String>, title: impl Into<String>, content: Vec<String>) -> Self {
        SearchResult {
            source: source.into(),
            title: title.into(),
            content,
            citations: None,
        }
    }
}

/// One block of a tool result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolResultContent {
    /// Text.
    Text(String),
    /// JSON.
    Json(Value),
    /// An image, document or video.
    Media(Media),
    /// A search result the model may cite.
    SearchResult(SearchResult),
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
    /// For documents: `context`, what the document is (used for citations).
    pub context: Option<String>,
    /// For documents: `citations.enabled` (None: not sent).
    pub citations: Option<bool>,
}

impl Media {
    /// A media part.
    pub fn new(kind: MediaKind, source: MediaSource) -> Self {
        Media {
            kind,
            source,
            name: None,
            context: None,
            citations: None,
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
        Media::from_vec(kind, bytes.to_vec(), media_type)
    }

    /// Like [`from_bytes`](Self::from_bytes), taking the bytes without a copy. They are
    /// base64-encoded straight into the request body when it is built.
    pub fn from_vec(kind: MediaKind, bytes: Vec<u8>, media_type: Option<&str>) -> Self {
        Media::new(
            kind,
            MediaSource::Bytes {
                bytes,
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
    /// Bytes in memory ([`Media::from_bytes`]), base64-encoded into the body when it is built,
    /// with the MIME type unless the bytes tell the format.
    Bytes {
        /// The bytes.
        bytes: Vec<u8>,
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
    /// A document's plain text (`source.text`), for documents only.
    Text {
        /// The text.
        text: String,
        /// The MIME type for `format` (`text/plain`, `text/markdown`...); None: no `format`.
        media_type: Option<String>,
    },
    /// A document as text chunks (`source.content`), for documents only: citations then
    /// point at chunks.
    Chunks {
        /// The chunks, in order.
        chunks: Vec<String>,
        /// The MIME type for `format`; None: no `format`.
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
    /// Any other part (media, tool use, tool result, reasoning, native blocks...), as given.
    Part(Part),
    /// A prompt-cache checkpoint (`{"cachePoint":{"type":"default"}}`, with its `ttl`).
    CachePoint(Option<CacheTtl>),
}

impl Block {
    fn is_reasoning(&self) -> bool {
        match self {
            Block::Part(Part::Reasoning(_)) => true,
            Block::Part(Part::Native(n)) => n.member() == "reasoningContent",
            _ => false,
        }
    }
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
    let mut staged: Vec<Staged> = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        if let Some(s) = stage(m, policy).map_err(|e| e.context(format_args!("message {i}")))? {
            staged.push(s);
        }
    }
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
        conversation.turns.push((role, m.into_blocks()));
    }
    Ok(conversation)
}

/// The cache point `cache_control` metadata asks for: any value except `null` and `false`,
/// with `ttl` (`"5m"`/`"1h"`) when the value is an object that has one.
fn cache_control(message: &Message, policy: &RolePolicy) -> Result<Option<Block>> {
    let Some((_, value)) = message.metadata.iter().find(|(k, v)| {
        k == "cache_control"
            && !matches!(v, Value::Null | Value::Bool(false))
            && policy.allowed_role_metadata.allows(k)
    }) else {
        return Ok(None);
    };
    let ttl = match value.get("ttl") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(CacheTtl::parse(t)?),
        Some(other) => {
            return Err(Error::prompt(format!(
                "cache_control ttl must be \"5m\" or \"1h\", found {}",
                other.type_name()
            )))
        }
    };
    Ok(Some(Block::CachePoint(ttl)))
}

/// One message after the role policy: its wire role and blocks (blank text dropped, a cache
/// point for `cache_control`); `None` when nothing is left of it.
fn stage(message: &Message, policy: &RolePolicy) -> Result<Option<Staged>> {
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
            // Bedrock refuses blank text blocks, native ones too ("The text field in the
            // ContentBlock object is blank"): a reply's whitespace block is not sent back.
            Part::Native(n) if n.inner().as_str().is_some_and(|t| t.trim().is_empty()) => {}
            Part::Text(t) => blocks.push(Block::Text(t.clone())),
            Part::CachePoint(ttl) => blocks.push(Block::CachePoint(*ttl)),
            other => blocks.push(Block::Part(other.clone())),
        }
    }
    if blocks.is_empty() {
        return Ok(None);
    }
    if let Some(cache_point) = cache_control(message, policy)? {
        blocks.push(cache_point);
    }
    let leading = blocks.iter().take_while(|b| b.is_reasoning()).count();
    let rest = blocks.split_off(leading);
    Ok(Some(Staged {
        role: role.to_owned(),
        original: original.to_owned(),
        lead: blocks,
        rest,
    }))
}

/// The leading system message's blocks: text, cache points and guard content only.
fn system_blocks(first: Staged) -> Result<Vec<Block>> {
    for block in first.blocks() {
        let allowed = match block {
            Block::Text(_)
            | Block::CachePoint(_)
            | Block::Part(Part::GuardContent { .. } | Part::GuardImage(_)) => true,
            Block::Part(Part::Native(n)) => {
                matches!(n.member(), "text" | "guardContent" | "cachePoint")
            }
            Block::Part(_) => false,
        };
        if !allowed {
            return Err(Error::prompt(format!(
                "a system message holds a {}; Converse's system blocks take text, guard content and cache points only, so move it into a user message",
                describe(block)
            )));
        }
    }
    Ok(first.into_blocks())
}

/// What a block is, for errors (`tool_use part (get_weather)`).
fn describe(block: &Block) -> String {
    match block {
        Block::Text(_) => "text part".into(),
        Block::CachePoint(_) => "cache_point part".into(),
        Block::Part(part) => match part {
            Part::Text(_) => "text part".into(),
            Part::Media(_) => "media part".into(),
            Part::ToolUse { name, .. } => format!("tool_use part ({name})"),
            Part::ToolResult { tool_use_id, .. } => format!("tool_result part (for {tool_use_id})"),
            Part::GuardContent { .. } | Part::GuardImage(_) => "guard_content part".into(),
            Part::Reasoning(_) => "reasoning part".into(),
            Part::CachePoint(_) => "cache_point part".into(),
            Part::SearchResult(_) => "search_result part".into(),
            Part::Native(n) => format!("native {} block", n.member()),
        },
    }
}

/// A merged message's Converse role, checking that tool uses and reasoning are the
/// assistant's and tool results the user's (a server tool's result is the assistant's).
fn converse_role(m: &Staged) -> Result<ConverseRole> {
    let role = match m.role.as_str() {
        "user" => ConverseRole::User,
        "assistant" => ConverseRole::Assistant,
        other => {
            let how = if other == m.original {
                String::new()
            } else {
                format!(
                    " (the prompt's role {} after allowed_roles/default_role/remap_roles)",
                    quoted(&m.original)
                )
            };
            return Err(Error::prompt(format!(
                "role {q_other}{how} cannot be sent: Converse takes only user and assistant messages (and a leading system message); fix remap_roles or default_role",
                q_other = quoted(&other)
            )));
        }
    };
    for block in m.blocks() {
        let Block::Part(part) = block else { continue };
        let assistant_only = match part {
            Part::ToolUse { .. } | Part::Reasoning(_) => true,
            Part::Native(n) => matches!(n.member(), "toolUse" | "reasoningContent"),
            _ => false,
        };
        let user_only = match part {
            Part::ToolResult { .. } => true,
            Part::Native(n) => n.member() == "toolResult" && !n.is_server_tool(),
            _ => false,
        };
        if assistant_only && role == ConverseRole::User {
            return Err(Error::prompt(format!(
                "a {} is in a user message; tool calls and reasoning belong to the assistant's turn",
                describe(block)
            )));
        }
        if user_only && role == ConverseRole::Assistant {
            return Err(Error::prompt(format!(
                "a {} is in an assistant message; tool results belong to the user's turn (only a server tool's result, with \"type\", is the assistant's)",
                describe(block)
            )));
        }
    }
    Ok(role)
}

/// A message (or merged messages) on its way to a turn: the reasoning blocks that open it,
/// then the rest.
struct Staged {
    role: String,
    original: String,
    lead: Vec<Block>,
    rest: Vec<Block>,
}

impl Staged {
    fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.lead.iter().chain(&self.rest)
    }

    fn into_blocks(mut self) -> Vec<Block> {
        self.lead.append(&mut self.rest);
        self.lead
    }
}

/// Merges adjacent messages of one role. In a merged turn, each message's leading reasoning
/// blocks move up to follow the turn's leading reasoning: Bedrock wants a turn's reasoning
/// before its text and tool uses, so two assistant messages `[text]` and `[reasoning,
/// tool_use]` become `[reasoning, text, tool_use]`. Within one message the order is kept.
fn merge_adjacent(messages: Vec<Staged>) -> Vec<Staged> {
    let mut out: Vec<Staged> = Vec::with_capacity(messages.len());
    for m in messages {
        match out.last_mut() {
            Some(last) if last.role == m.role => {
                last.lead.extend(m.lead);
                last.rest.extend(m.rest);
            }
            _ => out.push(m),
        }
    }
    out
}
