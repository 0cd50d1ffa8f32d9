//! The option groups of a [`ClientConfig`](super::ClientConfig): inference settings, the role
//! policy, the finish-reason policy, media URL handling, HTTP timeouts and guardrails.

use crate::value::{Number, Value};

/// `guardrail_config`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuardrailConfig {
    /// `identifier` → `guardrailIdentifier` (an id or ARN).
    pub identifier: String,
    /// `version` → `guardrailVersion` (`DRAFT` or a number).
    pub version: String,
    /// `trace`: `enabled`, `disabled` or `enabled_full`.
    pub trace: Option<String>,
    /// `stream_processing_mode`: `sync` or `async`, ConverseStream only (Converse's
    /// `guardrailConfig` has no such member, so it is left out there).
    pub stream_processing_mode: Option<String>,
}

/// `output_format { name description? schema {...} }` → `outputConfig.textFormat`: the model
/// answers with JSON that follows the schema (structured outputs).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputFormat {
    /// `name` → `jsonSchema.name`.
    pub name: Option<String>,
    /// `description` → `jsonSchema.description`.
    pub description: Option<String>,
    /// `schema`: a JSON Schema object, sent as compact JSON text (`jsonSchema.schema`).
    pub schema: Value,
}

/// `inference_configuration { max_tokens temperature top_p stop_sequences }`.
///
/// Numbers are kept as written and sent as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InferenceConfig {
    /// `max_tokens` → `maxTokens`.
    pub max_tokens: Option<u64>,
    /// `temperature` → `temperature`.
    pub temperature: Option<Number>,
    /// `top_p` → `topP`.
    pub top_p: Option<Number>,
    /// `stop_sequences` → `stopSequences` (omitted when empty).
    pub stop_sequences: Vec<String>,
}

impl InferenceConfig {
    /// True when nothing is set (the body then has no `inferenceConfig`).
    pub fn is_empty(&self) -> bool {
        self.max_tokens.is_none()
            && self.temperature.is_none()
            && self.top_p.is_none()
            && self.stop_sequences.is_empty()
    }
}

/// How roles in the prompt map to roles on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RolePolicy {
    /// Roles passed through; others become `default_role`. Default: system, user, assistant.
    pub allowed_roles: Vec<String>,
    /// The role given to messages whose role is not allowed. Default: `user` if allowed, else
    /// the first allowed role.
    pub default_role: String,
    /// Renames applied after the allowed/default step, as `(from, to)` pairs.
    pub remap_roles: Vec<(String, String)>,
    /// Which role metadata keys are forwarded (`cache_control` is the one Converse uses).
    pub allowed_role_metadata: AllowedRoleMetadata,
}

impl Default for RolePolicy {
    fn default() -> Self {
        RolePolicy {
            allowed_roles: vec!["system".into(), "user".into(), "assistant".into()],
            default_role: "user".into(),
            remap_roles: Vec::new(),
            allowed_role_metadata: AllowedRoleMetadata::All,
        }
    }
}

/// `allowed_role_metadata`: `"all"`, `"none"` or a list of keys.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllowedRoleMetadata {
    /// Every key (the default here; BAML's default is none, see the compatibility notes).
    All,
    /// No key.
    None,
    /// Only these keys.
    Only(Vec<String>),
}

impl AllowedRoleMetadata {
    /// Whether metadata `key` is forwarded.
    pub fn allows(&self, key: &str) -> bool {
        match self {
            AllowedRoleMetadata::All => true,
            AllowedRoleMetadata::None => false,
            AllowedRoleMetadata::Only(keys) => keys.iter().any(|k| k == key),
        }
    }
}

/// `finish_reason_allow_list` / `finish_reason_deny_list`, compared case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FinishReasonPolicy {
    /// Every finish reason is fine (the default).
    #[default]
    Any,
    /// Only these.
    Allow(Vec<String>),
    /// All but these.
    Deny(Vec<String>),
}

impl FinishReasonPolicy {
    /// Whether `reason` passes; a missing finish reason always passes.
    ///
    /// ```
    /// use bedrock_request::FinishReasonPolicy;
    /// let policy = FinishReasonPolicy::Allow(vec!["end_turn".into()]);
    /// assert!(policy.allows(Some("END_TURN")));
    /// assert!(!policy.allows(Some("max_tokens")));
    /// assert!(policy.allows(None));
    /// ```
    pub fn allows(&self, reason: Option<&str>) -> bool {
        let Some(reason) = reason else { return true };
        let listed = |list: &[String]| list.iter().any(|r| r.eq_ignore_ascii_case(reason));
        match self {
            FinishReasonPolicy::Any => true,
            FinishReasonPolicy::Allow(list) => listed(list),
            FinishReasonPolicy::Deny(list) => !listed(list),
        }
    }
}

/// One `media_url_handler` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaUrlMode {
    /// `send_base64`: fetch the URL and send the bytes.
    SendBase64,
    /// `send_url`: send the URL as it is.
    SendUrl,
    /// `send_url_add_mime_type`: send the URL, making sure a MIME type is known.
    SendUrlAddMimeType,
    /// `send_base64_unless_google_url`: fetch unless it is a `gs://` URL.
    SendBase64UnlessGoogleUrl,
}

impl MediaUrlMode {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "send_base64" => MediaUrlMode::SendBase64,
            "send_url" => MediaUrlMode::SendUrl,
            "send_url_add_mime_type" => MediaUrlMode::SendUrlAddMimeType,
            "send_base64_unless_google_url" => MediaUrlMode::SendBase64UnlessGoogleUrl,
            _ => return None,
        })
    }
}

/// `media_url_handler { image audio pdf video }`, with Bedrock's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaUrlHandler {
    /// Default `send_base64`.
    pub image: MediaUrlMode,
    /// Default `send_base64`.
    pub audio: MediaUrlMode,
    /// Default `send_base64`.
    pub pdf: MediaUrlMode,
    /// Default `send_url`.
    pub video: MediaUrlMode,
}

impl Default for MediaUrlHandler {
    fn default() -> Self {
        MediaUrlHandler {
            image: MediaUrlMode::SendBase64,
            audio: MediaUrlMode::SendBase64,
            pdf: MediaUrlMode::SendBase64,
            video: MediaUrlMode::SendUrl,
        }
    }
}

/// `http { ... }` timeouts in milliseconds, for the caller's HTTP client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpOptions {
    /// `connect_timeout_ms`.
    pub connect_timeout_ms: Option<u64>,
    /// `request_timeout_ms`.
    pub request_timeout_ms: Option<u64>,
    /// `time_to_first_token_timeout_ms`.
    pub time_to_first_token_timeout_ms: Option<u64>,
    /// `idle_timeout_ms`.
    pub idle_timeout_ms: Option<u64>,
}
