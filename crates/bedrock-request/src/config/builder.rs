//! [`ClientConfigBuilder`]: typed setters over the same options map the other sources give,
//! ending in the same validation.

use super::client::ClientConfig;
use super::policy::AllowedRoleMetadata;
use super::validate;
use crate::error::{Error, Result};
use crate::value::{Number, Value};

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
        validate::from_options(&Value::Object(options), self.name.as_deref())
    }
}
