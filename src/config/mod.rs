//! The client config: one validated [`ClientConfig`] from a BAML block, a JSON options map or
//! a builder.
//!
//! All three sources end in the same validation ([`ClientConfig::from_options`]), so the same
//! option is checked the same way wherever it comes from. Error texts are BAML's where BAML has
//! one (`Unsupported property: {key}`, `model_id is required`...). Where BAML is lax we are
//! stricter, and say so in `docs/baml-compatibility.md`: the credential rules are checked here,
//! when the config is built, not when the first request fails.
//!
//! A `ClientConfig` stays valid: its fields are read through getters, and the one change a
//! caller can make afterwards, [`ClientConfig::with_region`], validates again.

mod baml;
mod builder;
mod policy;
mod validate;

pub use baml::{BamlClient, BamlFile};
pub use builder::ClientConfigBuilder;
pub use policy::{
    AllowedRoleMetadata, FinishReasonPolicy, GuardrailConfig, HttpOptions, InferenceConfig,
    MediaUrlHandler, MediaUrlMode, RolePolicy,
};

use crate::auth::Credentials;
use crate::endpoint::{validate_region, Endpoint};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::value::Value;

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
    name: Option<String>,
    /// The model id, inference-profile id or ARN (`model` or `model_id`).
    model: String,
    /// The region option; when `None`, `AWS_REGION` then `AWS_DEFAULT_REGION` are used.
    region: Option<String>,
    /// Explicit credentials (`access_key_id`, `secret_access_key`, optional `session_token`).
    credentials: Option<Credentials>,
    /// The shared-config profile to take credentials from.
    profile: Option<String>,
    /// The endpoint to send to instead of `https://bedrock-runtime.{region}.amazonaws.com`.
    endpoint_url: Option<Endpoint>,
    /// `inference_configuration`.
    inference: InferenceConfig,
    /// `additional_model_request_fields`, verbatim (an object's entries, in order).
    additional_model_request_fields: Vec<(String, Value)>,
    /// `allowed_roles`, `default_role`, `remap_roles`, `allowed_role_metadata`.
    roles: RolePolicy,
    /// `supports_streaming` (default `true`): whether callers should use ConverseStream.
    supports_streaming: bool,
    /// `finish_reason_allow_list` / `finish_reason_deny_list`.
    finish_reason: FinishReasonPolicy,
    /// `media_url_handler`.
    media_url_handler: MediaUrlHandler,
    /// `http` timeouts (this crate does no I/O; they are here for the caller's HTTP client).
    http: HttpOptions,
    /// `guardrail_config { identifier version trace }` → `guardrailConfig`.
    guardrail: Option<GuardrailConfig>,
    /// `prompt_variables { name "value" }` → `promptVariables` (for prompt-management ARNs).
    prompt_variables: Vec<(String, String)>,
    /// `request_metadata { key "value" }` → `requestMetadata`.
    request_metadata: Vec<(String, String)>,
    /// `performance_config { latency standard|optimized }` → `performanceConfig.latency`.
    performance_latency: Option<String>,
    /// `additional_model_response_field_paths ["/stop_sequence"]`.
    additional_model_response_field_paths: Vec<String>,
    /// `extra_body { ... }`: deep-merged into the body last (a `null` removes a key), so new
    /// Converse fields need no new release.
    extra_body: Vec<(String, Value)>,
}

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
    /// assert_eq!(config.region(), Some("eu-west-3"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_baml(source: &str, client: &str, env: &Env) -> Result<ClientConfig> {
        BamlFile::parse(source)?.client(client)?.to_config(env)
    }

    /// Reads a JSON options map, as BAML's `ClientRegistry.addLlmClient(name, "aws-bedrock",
    /// options)` takes it (values are literal: JSON has no `env.` syntax).
    ///
    /// ```
    /// use bedrock_request::ClientConfig;
    /// let config = ClientConfig::from_json_str(r#"{"model": "m", "inference_configuration": {"temperature": 0.70}}"#)?;
    /// assert_eq!(config.inference().temperature.as_ref().unwrap().as_str(), "0.70");
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_json_str(json: &str) -> Result<ClientConfig> {
        let value = Value::from_json_str(json)
            .map_err(|e| Error::config(format!("the options are not valid JSON: {e}")))?;
        ClientConfig::from_options(&value, None)
    }

    /// Validates an options map (a [`Value::Object`]) for the client `name`, if it has one
    /// (error messages then start with `client NAME: `).
    ///
    /// Keys are BAML's; the camelCase `accessKeyId`, `secretAccessKey` and `sessionToken` of
    /// BAML's TypeScript examples are accepted too.
    ///
    /// ```
    /// use bedrock_request::{ClientConfig, Value};
    /// let options = Value::from_json_str(r#"{"model": "m", "temprature": 1}"#)?;
    /// let err = ClientConfig::from_options(&options, Some("Haiku")).unwrap_err();
    /// assert_eq!(err.to_string(), "client Haiku: Unsupported property: temprature");
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_options(options: &Value, name: Option<&str>) -> Result<ClientConfig> {
        let result = validate::validate(options, name);
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
    /// assert_eq!(config.inference().temperature.as_ref().unwrap().as_str(), "0.7");
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }

    /// The same config with the `region` option set (a command line's `--region`); the region
    /// is validated as the option is.
    ///
    /// ```
    /// use bedrock_request::ClientConfig;
    /// let config = ClientConfig::builder().model("m").build()?.with_region("eu-west-3")?;
    /// assert_eq!(config.region(), Some("eu-west-3"));
    /// assert!(config.with_region("EU West").is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn with_region(&self, region: &str) -> Result<ClientConfig> {
        validate_region(region).map_err(Error::config)?;
        Ok(ClientConfig {
            region: Some(region.to_owned()),
            ..self.clone()
        })
    }

    /// The client's name (the BAML block's or the registry's), when it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The model id, inference-profile id or ARN (`model` or `model_id`).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The region option; when `None`, `AWS_REGION` then `AWS_DEFAULT_REGION` are used.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Explicit credentials (`access_key_id`, `secret_access_key`, optional `session_token`).
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The shared-config profile to take credentials from.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// The endpoint to send to instead of `https://bedrock-runtime.{region}.amazonaws.com`.
    pub fn endpoint_url(&self) -> Option<&Endpoint> {
        self.endpoint_url.as_ref()
    }

    /// `inference_configuration`.
    pub fn inference(&self) -> &InferenceConfig {
        &self.inference
    }

    /// `additional_model_request_fields`, verbatim (an object's entries, in order).
    pub fn additional_model_request_fields(&self) -> &[(String, Value)] {
        &self.additional_model_request_fields
    }

    /// `allowed_roles`, `default_role`, `remap_roles`, `allowed_role_metadata`.
    pub fn roles(&self) -> &RolePolicy {
        &self.roles
    }

    /// `supports_streaming` (default `true`): whether callers should use ConverseStream.
    pub fn supports_streaming(&self) -> bool {
        self.supports_streaming
    }

    /// `finish_reason_allow_list` / `finish_reason_deny_list`.
    pub fn finish_reason(&self) -> &FinishReasonPolicy {
        &self.finish_reason
    }

    /// `media_url_handler`.
    pub fn media_url_handler(&self) -> &MediaUrlHandler {
        &self.media_url_handler
    }

    /// `http` timeouts (this crate does no I/O; they are here for the caller's HTTP client).
    pub fn http(&self) -> &HttpOptions {
        &self.http
    }

    /// `guardrail_config { identifier version trace }` → `guardrailConfig`.
    pub fn guardrail(&self) -> Option<&GuardrailConfig> {
        self.guardrail.as_ref()
    }

    /// `prompt_variables { name "value" }` → `promptVariables` (for prompt-management ARNs).
    pub fn prompt_variables(&self) -> &[(String, String)] {
        &self.prompt_variables
    }

    /// `request_metadata { key "value" }` → `requestMetadata`.
    pub fn request_metadata(&self) -> &[(String, String)] {
        &self.request_metadata
    }

    /// `performance_config { latency standard|optimized }` → `performanceConfig.latency`.
    pub fn performance_latency(&self) -> Option<&str> {
        self.performance_latency.as_deref()
    }

    /// `additional_model_response_field_paths ["/stop_sequence"]`.
    pub fn additional_model_response_field_paths(&self) -> &[String] {
        &self.additional_model_response_field_paths
    }

    /// `extra_body { ... }`: deep-merged into the body last (a `null` removes a key), so new Converse fields need no new release.
    pub fn extra_body(&self) -> &[(String, Value)] {
        &self.extra_body
    }
}
