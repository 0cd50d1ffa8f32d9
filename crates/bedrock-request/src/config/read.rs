//! The entry points: a [`ClientConfig`] from a BAML block, a JSON options map, an options
//! [`Value`] or a builder; all end in the same validation.

use super::baml::BamlFile;
use super::builder::ClientConfigBuilder;
use super::client::ClientConfig;
use super::validate;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::value::Value;

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
        validate::from_options(&value, None)
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
        validate::from_options(options, name)
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

    /// The same config for another model (a command line's `--model`), checked as the `model`
    /// option is.
    ///
    /// ```
    /// use bedrock_request::ClientConfig;
    /// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
    /// assert_eq!(config.with_model("us.anthropic.claude-3-5-haiku-20241022-v1:0")?.model(),
    ///     "us.anthropic.claude-3-5-haiku-20241022-v1:0");
    /// assert!(config.with_model(" ").is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn with_model(&self, model: &str) -> Result<ClientConfig> {
        let model = validate::model(Some(model.to_owned()), None)?;
        Ok(ClientConfig {
            model,
            ..self.clone()
        })
    }

    /// The same config with the `profile` option set (a command line's `--profile`); like the
    /// option, it cannot be mixed with explicit credentials.
    pub fn with_profile(&self, profile: &str) -> Result<ClientConfig> {
        validate::profile_without_keys(Some(profile), self.credentials())?;
        Ok(ClientConfig {
            profile: Some(profile.to_owned()),
            ..self.clone()
        })
    }
}
