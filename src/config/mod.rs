//! The client config: one validated [`ClientConfig`] from a BAML block, a JSON options map or
//! a builder.
//!
//! All three sources end in the same validation ([`ClientConfig::from_options`]), so the same
//! option is checked the same way wherever it comes from. Error texts are BAML's where BAML has
//! one (`Unsupported property: {key}`, `model_id is required`...). Where BAML is lax we are
//! stricter, and say so in `docs/baml-compatibility.md`: the credential rules are checked here,
//! when the config is built, not when the first request fails.

mod baml;

pub use baml::{BamlClient, BamlFile};

use crate::converse::Endpoint;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::value::{Number, Value};
use crate::Env;

/// A validated `aws-bedrock` client config.
///
/// Build one with [`ClientConfig::from_baml`], [`ClientConfig::from_json_str`] /
/// [`ClientConfig::from_options`], or [`ClientConfig::builder`].
///
/// `Debug` never shows the secret key or session token.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The client's name (the BAML block's or the registry's), when it has one.
    pub name: Option<String>,
    /// The model id, inference-profile id or ARN (`model` or `model_id`).
    pub model: String,
    /// The region option; when `None`, `AWS_REGION` then `AWS_DEFAULT_REGION` are used.
    pub region: Option<String>,
    /// Explicit credentials (`access_key_id`, `secret_access_key`, optional `session_token`).
    pub credentials: Option<Credentials>,
    /// The shared-config profile to take credentials from.
    pub profile: Option<String>,
    /// The endpoint to send to instead of `https://bedrock-runtime.{region}.amazonaws.com`.
    pub endpoint_url: Option<Endpoint>,
    /// `inference_configuration`.
    pub inference: InferenceConfig,
    /// `additional_model_request_fields`, verbatim (an object's entries, in order).
    pub additional_model_request_fields: Vec<(String, Value)>,
    /// `allowed_roles`, `default_role`, `remap_roles`, `allowed_role_metadata`.
    pub roles: RolePolicy,
    /// `supports_streaming` (default `true`): whether callers should use ConverseStream.
    pub supports_streaming: bool,
    /// `finish_reason_allow_list` / `finish_reason_deny_list`.
    pub finish_reason: FinishReasonPolicy,
    /// `media_url_handler`.
    pub media_url_handler: MediaUrlHandler,
    /// `http` timeouts (this crate does no I/O; they are here for the caller's HTTP client).
    pub http: HttpOptions,
    /// `guardrail_config { identifier version trace }` → `guardrailConfig`.
    pub guardrail: Option<GuardrailConfig>,
    /// `prompt_variables { name "value" }` → `promptVariables` (for prompt-management ARNs).
    pub prompt_variables: Vec<(String, String)>,
    /// `request_metadata { key "value" }` → `requestMetadata`.
    pub request_metadata: Vec<(String, String)>,
    /// `performance_config { latency standard|optimized }` → `performanceConfig.latency`.
    pub performance_latency: Option<String>,
    /// `additional_model_response_field_paths ["/stop_sequence"]`.
    pub additional_model_response_field_paths: Vec<String>,
    /// `extra_body { ... }`: deep-merged into the body last (a `null` removes a key), so new
    /// Converse fields need no new release.
    pub extra_body: Vec<(String, Value)>,
}

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
    fn parse(s: &str) -> Option<Self> {
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

const HTTP_FIELDS: [&str; 4] = [
    "connect_timeout_ms",
    "request_timeout_ms",
    "time_to_first_token_timeout_ms",
    "idle_timeout_ms",
];

impl ClientConfig {
    /// Reads client `name` from BAML source, resolving `env.NAME` references from `env`.
    ///
    /// ```
    /// use bedrock_request::{ClientConfig, Env};
    /// let src = r#"
    ///   client<llm> C {
    ///     provider aws-bedrock
    ///     options { model "m", region env.R }
    ///   }"#;
    /// let config = ClientConfig::from_baml(src, "C", &Env::from_iter([("R", "eu-west-3")]))?;
    /// assert_eq!(config.region.as_deref(), Some("eu-west-3"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_baml(source: &str, client: &str, env: &Env) -> Result<ClientConfig> {
        BamlFile::parse(source)?.client(client)?.to_config(env)
    }

    /// Reads a JSON options map, as BAML's `ClientRegistry.addLlmClient(name, "aws-bedrock",
    /// options)` takes it. `env` is not read for option values (JSON has no `env.` syntax); it
    /// is accepted for symmetry with [`ClientConfig::from_baml`] and future use.
    pub fn from_json_str(json: &str, env: &Env) -> Result<ClientConfig> {
        let _ = env;
        let value = Value::from_json_str(json)
            .map_err(|e| Error::config(format!("the options are not valid JSON: {e}")))?;
        ClientConfig::from_options(&value)
    }

    /// Validates an options map (a [`Value::Object`]).
    ///
    /// Keys are BAML's; the camelCase `accessKeyId`, `secretAccessKey` and `sessionToken` of
    /// BAML's TypeScript examples are accepted too.
    pub fn from_options(options: &Value) -> Result<ClientConfig> {
        ClientConfig::from_options_named(options, None)
    }

    /// Like [`ClientConfig::from_options`], for a client with a name (used in error messages).
    pub fn from_options_named(options: &Value, name: Option<&str>) -> Result<ClientConfig> {
        let result = validate(options, name);
        match name {
            Some(n) => result.map_err(|e| e.context(format_args!("client {n}"))),
            None => result,
        }
    }

    /// A builder that ends in the same validation as the other sources.
    ///
    /// ```
    /// use bedrock_request::ClientConfig;
    /// let config = ClientConfig::builder()
    ///     .model("anthropic.claude-3-haiku-20240307-v1:0")
    ///     .region("us-east-1")
    ///     .max_tokens(256)
    ///     .temperature(0.7)
    ///     .build()?;
    /// assert_eq!(config.inference.temperature.unwrap().as_str(), "0.7");
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }
}

/// Builds a [`ClientConfig`] from typed setters; [`build`](Self::build) validates.
///
/// `Debug` shows which options are set, not their values.
#[derive(Clone, Default)]
pub struct ClientConfigBuilder {
    name: Option<String>,
    options: Vec<(String, Value)>,
    inference: Vec<(String, Value)>,
}

impl std::fmt::Debug for ClientConfigBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |entries: &[(String, Value)]| {
            entries.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>()
        };
        f.debug_struct("ClientConfigBuilder")
            .field("name", &self.name)
            .field("options", &keys(&self.options))
            .field("inference_configuration", &keys(&self.inference))
            .finish()
    }
}

impl ClientConfigBuilder {
    /// Sets any option by its BAML name (replacing an earlier value).
    pub fn option(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        match self.options.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.options.push((key.to_owned(), value)),
        }
        self
    }

    fn inference(mut self, key: &str, value: Value) -> Self {
        self.inference.retain(|(k, _)| k != key);
        self.inference.push((key.to_owned(), value));
        self
    }

    /// The client's name, used in error messages.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// `model`: a model id, inference-profile id or ARN.
    pub fn model(self, model: &str) -> Self {
        self.option("model", model)
    }

    /// `region`.
    pub fn region(self, region: &str) -> Self {
        self.option("region", region)
    }

    /// Explicit long-term credentials.
    pub fn access_keys(self, access_key_id: &str, secret_access_key: &str) -> Self {
        self.option("access_key_id", access_key_id)
            .option("secret_access_key", secret_access_key)
    }

    /// `session_token`, for temporary credentials (with [`access_keys`](Self::access_keys)).
    pub fn session_token(self, token: &str) -> Self {
        self.option("session_token", token)
    }

    /// `profile`.
    pub fn profile(self, profile: &str) -> Self {
        self.option("profile", profile)
    }

    /// `endpoint_url`.
    pub fn endpoint_url(self, url: &str) -> Self {
        self.option("endpoint_url", url)
    }

    /// `inference_configuration.max_tokens`.
    pub fn max_tokens(self, max_tokens: u64) -> Self {
        self.inference("max_tokens", Value::Number(max_tokens.into()))
    }

    /// `inference_configuration.temperature` (sent in its shortest form: `0.7`).
    pub fn temperature(self, temperature: f64) -> Self {
        self.inference(
            "temperature",
            Number::from_f64(temperature).map_or(Value::Null, Value::Number),
        )
    }

    /// `inference_configuration.top_p`.
    pub fn top_p(self, top_p: f64) -> Self {
        self.inference(
            "top_p",
            Number::from_f64(top_p).map_or(Value::Null, Value::Number),
        )
    }

    /// `inference_configuration.stop_sequences`.
    pub fn stop_sequences<S: Into<String>>(self, stops: impl IntoIterator<Item = S>) -> Self {
        let list = stops.into_iter().map(|s| Value::String(s.into())).collect();
        self.inference("stop_sequences", Value::Array(list))
    }

    /// `additional_model_request_fields` (must be an object).
    pub fn additional_model_request_fields(self, fields: Value) -> Self {
        self.option("additional_model_request_fields", fields)
    }

    /// `allowed_roles`.
    pub fn allowed_roles<S: Into<String>>(self, roles: impl IntoIterator<Item = S>) -> Self {
        let list = roles.into_iter().map(|s| Value::String(s.into())).collect();
        self.option("allowed_roles", Value::Array(list))
    }

    /// `default_role`.
    pub fn default_role(self, role: &str) -> Self {
        self.option("default_role", role)
    }

    /// `remap_roles`, as `(from, to)` pairs.
    pub fn remap_roles<A: Into<String>, B: Into<String>>(
        self,
        pairs: impl IntoIterator<Item = (A, B)>,
    ) -> Self {
        let map = pairs
            .into_iter()
            .map(|(a, b)| (a.into(), Value::String(b.into())))
            .collect();
        self.option("remap_roles", Value::Object(map))
    }

    /// `allowed_role_metadata`.
    pub fn allowed_role_metadata(self, allowed: AllowedRoleMetadata) -> Self {
        let value = match allowed {
            AllowedRoleMetadata::All => Value::from("all"),
            AllowedRoleMetadata::None => Value::from("none"),
            AllowedRoleMetadata::Only(keys) => {
                Value::Array(keys.into_iter().map(Value::String).collect())
            }
        };
        self.option("allowed_role_metadata", value)
    }

    /// `supports_streaming`.
    pub fn supports_streaming(self, yes: bool) -> Self {
        self.option("supports_streaming", yes)
    }

    /// `finish_reason_allow_list`.
    pub fn finish_reason_allow_list<S: Into<String>>(
        self,
        list: impl IntoIterator<Item = S>,
    ) -> Self {
        let list = list.into_iter().map(|s| Value::String(s.into())).collect();
        self.option("finish_reason_allow_list", Value::Array(list))
    }

    /// `finish_reason_deny_list`.
    pub fn finish_reason_deny_list<S: Into<String>>(
        self,
        list: impl IntoIterator<Item = S>,
    ) -> Self {
        let list = list.into_iter().map(|s| Value::String(s.into())).collect();
        self.option("finish_reason_deny_list", Value::Array(list))
    }

    /// Validates and returns the config.
    pub fn build(self) -> Result<ClientConfig> {
        let mut options = self.options;
        if !self.inference.is_empty() {
            if options.iter().any(|(k, _)| k == "inference_configuration") {
                return Err(Error::config(
                    "inference_configuration is set both with .option(\"inference_configuration\", ..) and with typed setters (max_tokens, temperature, top_p, stop_sequences); use one or the other",
                ));
            }
            options.push((
                "inference_configuration".to_owned(),
                Value::Object(self.inference),
            ));
        }
        ClientConfig::from_options_named(&Value::Object(options), self.name.as_deref())
    }
}

// ---------------------------------------------------------------------------------------------
// Validation: one pass over the options, then the rules that join several of them.

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "map",
    }
}

fn string(key: &str, v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(Error::config(format!(
            "{key} must be a string. Got: {}",
            type_name(other)
        ))),
    }
}

/// A string option where `null` and `""` mean "not set" (as BAML treats `session_token ""`).
fn optional_string(key: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        _ => string(key, v).map(|s| (!s.is_empty()).then_some(s)),
    }
}

fn string_list(key: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(Error::config(format!(
                    "values in {key} must be strings. Got: {}",
                    type_name(other)
                ))),
            })
            .collect(),
        other => Err(Error::config(format!(
            "{key} must be an array. Got: {}",
            type_name(other)
        ))),
    }
}

fn map<'v>(key: &str, v: &'v Value) -> Result<&'v [(String, Value)]> {
    match v {
        Value::Object(entries) => Ok(entries),
        other => Err(Error::config(format!(
            "{key} must be a map. Got: {}",
            type_name(other)
        ))),
    }
}

fn non_negative_integer(key: &str, v: &Value) -> Result<u64> {
    match v {
        Value::Number(n) if n.is_integer() => n.as_u64().ok_or_else(|| {
            if n.as_str().starts_with('-') {
                Error::config(format!("{key} must be non-negative, got: {n}ms"))
            } else {
                Error::config(format!("{key} is too large, got: {n}ms"))
            }
        }),
        other => Err(Error::config(format!(
            "{key} must be an integer. Got: {}",
            match other {
                Value::Number(n) => n.to_string(),
                _ => type_name(other).to_owned(),
            }
        ))),
    }
}

fn string_map(key: &str, v: &Value) -> Result<Vec<(String, String)>> {
    map(key, v)?
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(Error::config(format!(
                "{key} values must be strings. Got: {} for {k}",
                type_name(other)
            ))),
        })
        .collect()
}

fn guardrail_config(v: &Value) -> Result<GuardrailConfig> {
    let mut identifier = None;
    let mut version = None;
    let mut trace = None;
    for (k, v) in map("guardrail_config", v)? {
        let text = string(&format!("guardrail_config {k}"), v)?;
        match k.as_str() {
            "identifier" => identifier = Some(text),
            "version" => version = Some(text),
            "trace" if matches!(text.as_str(), "enabled" | "disabled" | "enabled_full") => {
                trace = Some(text)
            }
            "trace" => {
                return Err(Error::config(format!(
                "guardrail_config trace must be enabled, disabled or enabled_full, got {text:?}"
            )))
            }
            other => {
                return Err(Error::config(format!(
                    "unknown guardrail_config key: {other} (use identifier, version, trace)"
                )))
            }
        }
    }
    match (identifier, version) {
        (Some(identifier), Some(version)) => Ok(GuardrailConfig {
            identifier,
            version,
            trace,
        }),
        _ => Err(Error::config(
            "guardrail_config needs both identifier and version",
        )),
    }
}

fn number(key: &str, v: &Value) -> Result<Number> {
    match v {
        Value::Number(n) => Ok(n.clone()),
        other => Err(Error::config(format!(
            "{key} must be a number. Got: {}",
            type_name(other)
        ))),
    }
}

fn inference_config(v: &Value) -> Result<InferenceConfig> {
    let mut out = InferenceConfig::default();
    for (key, value) in map("inference_configuration", v)? {
        match key.as_str() {
            "max_tokens" => {
                let n = match value {
                    Value::Number(n) if n.is_integer() => n.as_u64().filter(|&n| n >= 1),
                    _ => None,
                };
                out.max_tokens = Some(n.ok_or_else(|| {
                    Error::config(format!(
                        "max_tokens must be a positive integer. Got: {}",
                        describe(value)
                    ))
                })?);
            }
            "temperature" => out.temperature = Some(number("temperature", value)?),
            "top_p" => out.top_p = Some(number("top_p", value)?),
            "stop_sequences" => out.stop_sequences = string_list("stop_sequences", value)?,
            other => {
                return Err(Error::config(format!(
                    "unknown inference_config key: {other}"
                )))
            }
        }
    }
    Ok(out)
}

/// A value for an error message: numbers and short strings verbatim, others by type.
fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() <= 40 => format!("{s:?}"),
        other => type_name(other).to_owned(),
    }
}

fn media_url_handler(v: &Value) -> Result<MediaUrlHandler> {
    let mut out = MediaUrlHandler::default();
    for (key, value) in map("media_url_handler", v)? {
        let mode_text = match value {
            Value::String(s) => s,
            _ => return Err(Error::config("media_url_handler values must be strings")),
        };
        let mode = MediaUrlMode::parse(mode_text).ok_or_else(|| {
            Error::config(format!(
                "Invalid media URL handling mode: {mode_text}. Expected one of: send_base64, send_url, send_url_add_mime_type, send_base64_unless_google_url"
            ))
        })?;
        match key.as_str() {
            "image" => out.image = mode,
            "audio" => out.audio = mode,
            "pdf" => out.pdf = mode,
            "video" => out.video = mode,
            other => {
                return Err(Error::config(format!(
                    "Unknown media type in media_url_handler: {other}. Expected one of: image, audio, pdf, video"
                )))
            }
        }
    }
    Ok(out)
}

fn http_options(v: &Value) -> Result<HttpOptions> {
    let entries = match v {
        Value::Object(entries) => entries,
        _ => {
            return Err(Error::config(
                "http must be a configuration block with timeout settings",
            ))
        }
    };
    let mut out = HttpOptions::default();
    for (key, value) in entries {
        let slot = match key.as_str() {
            "connect_timeout_ms" => &mut out.connect_timeout_ms,
            "request_timeout_ms" => &mut out.request_timeout_ms,
            "time_to_first_token_timeout_ms" => &mut out.time_to_first_token_timeout_ms,
            "idle_timeout_ms" => &mut out.idle_timeout_ms,
            "total_timeout_ms" => {
                return Err(Error::config(format!(
                    "Unrecognized field 'total_timeout_ms' in http configuration block. 'total_timeout_ms' is only available for composite clients (fallback/round-robin). For regular clients, use: {}",
                    HTTP_FIELDS.join(", ")
                )))
            }
            other => {
                return Err(Error::config(match closest(other, &HTTP_FIELDS) {
                    Some(s) => format!(
                        "Unrecognized field '{other}' in http configuration block. Did you mean '{s}'?"
                    ),
                    None => format!(
                        "Unrecognized field '{other}' in http configuration block. Supported timeout fields are: {}",
                        HTTP_FIELDS.join(", ")
                    ),
                }))
            }
        };
        *slot = Some(non_negative_integer(key, value)?);
    }
    Ok(out)
}

/// The candidate within BAML's typo distance (Levenshtein ≤ len/2 + 1), if any.
fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= word.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|r| format!("{r:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn validate(options: &Value, name: Option<&str>) -> Result<ClientConfig> {
    let entries = match options {
        Value::Object(entries) => entries.as_slice(),
        other => {
            return Err(Error::config(format!(
                "the options must be a map. Got: {}",
                type_name(other)
            )))
        }
    };
    let mut model = None;
    let mut model_id = None;
    let mut region = None;
    let mut access_key_id = None;
    let mut secret_access_key = None;
    let mut session_token = None;
    let mut profile = None;
    let mut endpoint_url = None;
    let mut inference = InferenceConfig::default();
    let mut additional = Vec::new();
    let mut allowed_roles = None;
    let mut default_role = None;
    let mut remap_roles = Vec::new();
    let mut allowed_role_metadata = AllowedRoleMetadata::All;
    let mut supports_streaming = true;
    let mut allow_list = None;
    let mut deny_list = None;
    let mut media = MediaUrlHandler::default();
    let mut http = HttpOptions::default();
    let mut guardrail = None;
    let mut prompt_variables = Vec::new();
    let mut request_metadata = Vec::new();
    let mut performance_latency = None;
    let mut response_paths = Vec::new();
    let mut extra_body = Vec::new();

    // The camelCase aliases must not be given together with their snake_case name.
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in entries {
        let canonical = match key.as_str() {
            "accessKeyId" => "access_key_id",
            "secretAccessKey" => "secret_access_key",
            "sessionToken" => "session_token",
            k => k,
        };
        if seen.contains(&canonical) {
            return Err(Error::config(format!(
                "{canonical} is given twice (as {canonical} and its camelCase alias); keep one"
            )));
        }
        seen.push(canonical);
        match canonical {
            "model" => model = Some(string(key, value)?),
            "model_id" => model_id = Some(string(key, value)?),
            "region" => region = Some(string(key, value)?),
            "access_key_id" => access_key_id = optional_string(key, value)?,
            "secret_access_key" => secret_access_key = optional_string(key, value)?,
            "session_token" => session_token = optional_string(key, value)?,
            "profile" => profile = optional_string(key, value)?,
            "endpoint_url" => {
                endpoint_url = match optional_string(key, value)? {
                    Some(url) => Some(Endpoint::parse_reason(&url).map_err(|e| {
                        Error::config(format!(
                            "endpoint_url {:?} is not usable: {e}",
                            crate::converse::redact_userinfo(&url)
                        ))
                    })?),
                    None => None,
                }
            }
            "inference_configuration" => inference = inference_config(value)?,
            "additional_model_request_fields" => {
                additional = map(key, value)?.to_vec();
            }
            "allowed_roles" => allowed_roles = Some(string_list(key, value)?),
            "default_role" => default_role = Some(string(key, value)?),
            "remap_roles" => {
                remap_roles = map(key, value)?
                    .iter()
                    .map(|(from, to)| match to {
                        Value::String(to) => Ok((from.clone(), to.clone())),
                        other => Err(Error::config(format!(
                            "remap_role must be a map of strings to strings. Got: {} for {from}",
                            type_name(other)
                        ))),
                    })
                    .collect::<Result<_>>()?;
            }
            "allowed_role_metadata" => {
                allowed_role_metadata = match value {
                    Value::String(s) if s == "all" => AllowedRoleMetadata::All,
                    Value::String(s) if s == "none" => AllowedRoleMetadata::None,
                    Value::String(s) => {
                        return Err(Error::config(format!(
                            "Invalid allowed role metadata: {s}. Allowed values are 'all' or 'none' or an array of roles."
                        )))
                    }
                    Value::Array(_) => AllowedRoleMetadata::Only(string_list(key, value)?),
                    _ => {
                        return Err(Error::config(
                            "allowed_role_metadata must be an array of keys or \"all\" or \"none\". For example: ['key1', 'key2']",
                        ))
                    }
                }
            }
            "supports_streaming" => {
                supports_streaming = match value {
                    Value::Bool(b) => *b,
                    other => {
                        return Err(Error::config(format!(
                            "supports_streaming must be a bool. Got: {}",
                            type_name(other)
                        )))
                    }
                }
            }
            "finish_reason_allow_list" => allow_list = Some(string_list(key, value)?),
            "finish_reason_deny_list" => deny_list = Some(string_list(key, value)?),
            "media_url_handler" => media = media_url_handler(value)?,
            "http" => http = http_options(value)?,
            "guardrail_config" => guardrail = Some(guardrail_config(value)?),
            "prompt_variables" => prompt_variables = string_map(key, value)?,
            "request_metadata" => request_metadata = string_map(key, value)?,
            "performance_config" => {
                for (k, v) in map(key, value)? {
                    match (k.as_str(), v) {
                        ("latency", Value::String(l)) if l == "standard" || l == "optimized" => performance_latency = Some(l.clone()),
                        ("latency", _) => return Err(Error::config("performance_config latency must be \"standard\" or \"optimized\"")),
                        (other, _) => return Err(Error::config(format!("unknown performance_config key: {other} (Converse has latency)"))),
                    }
                }
            }
            "additional_model_response_field_paths" => {
                response_paths = string_list(key, value)?;
                if let Some(bad) = response_paths.iter().find(|p| !p.starts_with('/')) {
                    return Err(Error::config(format!("additional_model_response_field_paths entries are JSON pointers starting with '/', got {bad:?}")));
                }
            }
            "extra_body" => extra_body = map(key, value)?.to_vec(),
            _ => return Err(Error::config(format!("Unsupported property: {key}"))),
        }
    }

    let model = match (model, model_id) {
        (Some(_), Some(_)) => {
            return Err(Error::config("model_id and model cannot both be provided"))
        }
        (Some(m), None) | (None, Some(m)) => m,
        (None, None) => return Err(Error::config("model_id is required")),
    };
    if model.trim().is_empty() {
        return Err(Error::config(
            "model_id is required (it is empty); give a model id such as anthropic.claude-3-haiku-20240307-v1:0, an inference profile id or an ARN",
        ));
    }
    if model == "." || model == ".." {
        return Err(Error::config(format!(
            "model {model:?} is not a model id (it would be read as a path segment); give a model id, an inference profile id or an ARN"
        )));
    }
    if let Some(r) = &region {
        crate::converse::validate_region(r).map_err(Error::config)?;
    }

    // Roles.
    let allowed_roles = allowed_roles.unwrap_or_else(|| RolePolicy::default().allowed_roles);
    if allowed_roles.is_empty() {
        return Err(Error::config("allowed_roles must not be empty"));
    }
    let default_role = match default_role {
        Some(role) => {
            if !allowed_roles.contains(&role) {
                return Err(Error::config(format!(
                    "default_role must be one of {}. Got: {role}. To support different default roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]",
                    quoted_list(&allowed_roles)
                )));
            }
            role
        }
        None if allowed_roles.iter().any(|r| r == "user") => "user".to_owned(),
        None => allowed_roles[0].clone(),
    };
    for (from, _) in &remap_roles {
        if !allowed_roles.contains(from) {
            return Err(Error::config(format!(
                "remap_roles values must be one of: {}. Got: {from}. To support different remap roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]",
                quoted_list(&allowed_roles)
            )));
        }
    }

    let finish_reason = match (allow_list, deny_list) {
        (Some(_), Some(_)) => {
            return Err(Error::config(
                "finish_reason_allow_list and finish_reason_deny_list cannot be used together",
            ))
        }
        (Some(list), None) => FinishReasonPolicy::Allow(list),
        (None, Some(list)) => FinishReasonPolicy::Deny(list),
        (None, None) => FinishReasonPolicy::Any,
    };

    // The seed's credential rules, checked now rather than at the first request.
    let credentials = match (access_key_id, secret_access_key, session_token) {
        (None, None, None) => None,
        (Some(id), Some(secret), token) => {
            let creds = Credentials::new(id, secret);
            Some(match token {
                Some(t) => creds.with_session_token(t),
                None => creds,
            })
        }
        (_, _, None) => {
            return Err(Error::config(
                "If either access_key_id or secret_access_key are provided, both must be provided.",
            ))
        }
        (_, _, Some(_)) => {
            return Err(Error::config(
                "If either access_key_id or secret_access_key are provided, both must be provided. If session_token is provided, all three must be provided.",
            ))
        }
    };
    if let (Some(p), Some(_)) = (&profile, &credentials) {
        return Err(Error::config(format!(
            "profile {p:?} cannot be mixed with explicit credentials (access_key_id, secret_access_key, session_token): remove the profile to use the keys, or remove the keys to use the profile"
        )));
    }

    Ok(ClientConfig {
        name: name.map(str::to_owned),
        model,
        region,
        credentials,
        profile,
        endpoint_url,
        inference,
        additional_model_request_fields: additional,
        roles: RolePolicy {
            allowed_roles,
            default_role,
            remap_roles,
            allowed_role_metadata,
        },
        supports_streaming,
        finish_reason,
        media_url_handler: media,
        http,
        guardrail,
        prompt_variables,
        request_metadata,
        performance_latency,
        additional_model_response_field_paths: response_paths,
        extra_body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_suggestions_follow_bamls_distance() {
        assert_eq!(
            closest("conect_timeout_ms", &HTTP_FIELDS),
            Some("connect_timeout_ms")
        );
        assert_eq!(closest("xyz", &HTTP_FIELDS), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
