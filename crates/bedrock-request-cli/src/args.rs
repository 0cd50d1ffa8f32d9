//! What several subcommands share: how a request is built (`request`, `send`), the output
//! formats of a request and of an answer, and the `--time` value.

use clap::{Args, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// What a request is built from (shared by `request` and `send`).
#[derive(Args)]
pub struct BuildArgs {
    /// A BAML file holding `client<llm>` blocks (use with --client).
    #[arg(
        long,
        value_name = "FILE",
        requires = "client",
        conflicts_with = "options"
    )]
    pub baml: Option<String>,
    /// The client's name in the BAML file.
    #[arg(long, value_name = "NAME", requires = "baml")]
    pub client: Option<String>,
    /// A JSON options map, as BAML's ClientRegistry.addLlmClient takes it (instead of --baml).
    #[arg(long, value_name = "FILE.json", required_unless_present = "baml")]
    pub options: Option<String>,
    /// The user's message (one user turn). Without it and --messages, no messages are sent:
    /// a Prompt management ARN fills them from its prompt_variables.
    #[arg(long, value_name = "TEXT", conflicts_with = "messages")]
    pub prompt: Option<String>,
    /// A JSON array of {"role", "content", "metadata"} messages.
    #[arg(long, value_name = "FILE.json")]
    pub messages: Option<String>,
    /// A tools file: {"tools": [{"name", "description", "input_schema", "strict"?} |
    /// {"system_tool": NAME}], "tool_choice"?, "cache_point"?}.
    #[arg(long, value_name = "FILE.json")]
    pub tools: Option<String>,
    /// A leading system message.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Use this profile for credentials and region (overrides the config's `profile`; it beats
    /// environment keys).
    #[arg(long)]
    pub profile: Option<String>,
    /// The region (overrides the config's `region` and AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// The model id, inference profile id or ARN (overrides the config's `model`).
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Signing time: 20240115T123456Z or RFC 3339 (default: now).
    #[arg(long, value_name = "T")]
    pub time: Option<String>,
    /// Build the ConverseStream request (path converse-stream) instead of Converse.
    #[arg(long, conflicts_with = "count_tokens")]
    pub stream: bool,
    /// Build the CountTokens request for the same conversation (path count-tokens).
    #[arg(long)]
    pub count_tokens: bool,
    /// The request before signing (no credentials needed).
    #[arg(long)]
    pub unsigned: bool,
    /// Sign an API key or a session token for a plain http:// endpoint that is not this
    /// machine (refused by default: they would travel in clear text).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Fetch media URLs over plain http too (https only by default).
    #[arg(long)]
    pub media_http: bool,
    /// Fetch media from loopback, private and link-local hosts too (refused by default: a
    /// messages file could otherwise point at the instance metadata service).
    #[arg(long)]
    pub media_private_hosts: bool,
    /// Read media paths outside the messages file's folder too (absolute paths, `..`,
    /// file:// URLs elsewhere, symlinks out of it).
    #[arg(long)]
    pub media_any_path: bool,
    /// The most bytes all media of one request may take, fetched and read together.
    #[arg(long, value_name = "BYTES", default_value_t = 100 * 1024 * 1024)]
    pub max_media_bytes: u64,
}

/// How `request` prints a request.
#[derive(Clone, Copy, ValueEnum)]
pub enum RequestFormat {
    /// One JSON object: method, url, headers, body, body_text.
    Json,
    /// A runnable curl command.
    Curl,
    /// The raw HTTP/1.1 request, then a line end (past Content-Length; servers ignore it).
    Http,
}

/// How `parse` and `send` print an answer.
#[derive(Clone, Copy, ValueEnum)]
pub enum ParseFormat {
    /// The model's text.
    Text,
    /// {"text", "stop_reason", "usage", "tool_calls", "server_tool_calls", "reasoning",
    /// "citations", "service_tier"} (a CountTokens reply: {"input_tokens"}).
    Json,
    /// The assistant turn as a native Converse message, every block in order: append it to
    /// a messages file as it is.
    Message,
}

/// `--time`: SigV4's basic form (`20240115T123456Z`) or RFC 3339.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    let basic = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(text, basic)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .map_err(|_| {
            format!("--time {text:?} is not a time: use 20240115T123456Z or RFC 3339 (2024-01-15T12:34:56Z)")
        })
}
