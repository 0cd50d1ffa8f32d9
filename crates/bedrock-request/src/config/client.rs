//! [`ClientConfig`]: the validated config, read through getters so it stays valid.

use super::policy::{
    FinishReasonPolicy, GuardrailConfig, HttpOptions, InferenceConfig, MediaUrlHandler,
    OutputFormat, RolePolicy,
};
use crate::auth::Credentials;
use crate::endpoint::{validate_region, Endpoint};
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
    pub(super) name: Option<String>,
    /// The model id, inference-profile id or ARN (`model` or `model_id`).
    pub(super) model: String,
    /// The region option; when `None`, `AWS_REGION` then `AWS_DEFAULT_REGION` are used.
    pub(super) region: Option<String>,
    /// Explicit credentials (`access_key_id`, `secret_access_key`, optional `session_token`).
    pub(super) credentials: Option<Credentials>,
    /// The shared-config profile to take credentials from.
    pub(super) profile: Option<String>,
    /// The endpoint to send to instead of `https://bedrock-runtime.{region}.amazonaws.com`.
    pub(super) endpoint_url: Option<Endpoint>,
    /// `inference_configuration`.
    pub(super) inference: InferenceConfig,
    /// `additional_model_request_fields`, verbatim (an object's entries, in order).
    pub(super) additional_model_request_fields: Vec<(String, Value)>,
    /// `allowed_roles`, `default_role`, `remap_roles`, `allowed_role_metadata`.
    pub(super) roles: RolePolicy,
    /// `supports_streaming` (default `true`): whether callers should use ConverseStream.
    pub(super) supports_streaming: bool,
    /// `finish_reason_allow_list` / `finish_reason_deny_list`.
    pub(super) finish_reason: FinishReasonPolicy,
    /// `media_url_handler`.
    pub(super) media_url_handler: MediaUrlHandler,
    /// `http` timeouts (this crate does no I/O; they are here for the caller's HTTP client).
    pub(super) http: HttpOptions,
    /// `guardrail_config { identifier version trace }` → `guardrailConfig`.
    pub(super) guardrail: Option<GuardrailConfig>,
    /// `prompt_variables { name "value" }` → `promptVariables` (for prompt-management ARNs).
    pub(super) prompt_variables: Vec<(String, String)>,
    /// `request_metadata { key "value" }` → `requestMetadata`.
    pub(super) request_metadata: Vec<(String, String)>,
    /// `performance_config { latency standard|optimized }` → `performanceConfig.latency`.
    pub(super) performance_latency: Option<String>,
    /// `additional_model_response_field_paths ["/stop_sequence"]`.
    pub(super) additional_model_response_field_paths: Vec<String>,
    /// `service_tier "flex"` → `serviceTier.type`.
    pub(super) service_tier: Option<String>,
    /// `output_format { name description schema }` → `outputConfig.textFormat`.
    pub(super) output_format: Option<OutputFormat>,
    /// `effort "high"` → `outputConfig.effort`.
    pub(super) effort: Option<String>,
    /// `project_identifier "ID or ARN"` → `projectIdentifier`.
    pub(super) project_identifier: Option<String>,
    /// `extra_body { ... }`: deep-merged into the body last (a `null` removes a key), so new
    /// Converse fields need no new release.
    pub(super) extra_body: Vec<(String, Value)>,
}

impl ClientConfig {
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

    /// `service_tier` (`priority`, `default`, `flex` or `reserved`) → `serviceTier.type`.
    pub fn service_tier(&self) -> Option<&str> {
        self.service_tier.as_deref()
    }

    /// `output_format { name description schema }` → `outputConfig.textFormat`.
    pub fn output_format(&self) -> Option<&OutputFormat> {
        self.output_format.as_ref()
    }

    /// `effort` (`low`, `medium`, `high`, `xhigh`, `max`) → `outputConfig.effort`.
    pub fn effort(&self) -> Option<&str> {
        self.effort.as_deref()
    }

    /// `project_identifier` (a Bedrock project's id or ARN) → `projectIdentifier`.
    pub fn project_identifier(&self) -> Option<&str> {
        self.project_identifier.as_deref()
    }

    /// `extra_body { ... }`: deep-merged into the body last (a `null` removes a key), so new Converse fields need no new release.
    pub fn extra_body(&self) -> &[(String, Value)] {
        &self.extra_body
    }
}
