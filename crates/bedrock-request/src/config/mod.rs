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
mod body_options;
mod builder;
mod client;
mod policy;
mod read;
pub(crate) mod suggest;
mod validate;
mod values;

pub use baml::{BamlClient, BamlFile};
pub use builder::ClientConfigBuilder;
pub use client::ClientConfig;
pub use policy::{
    AllowedRoleMetadata, FinishReasonPolicy, GuardrailConfig, HttpOptions, InferenceConfig,
    MediaUrlHandler, MediaUrlMode, OutputFormat, RolePolicy,
};
