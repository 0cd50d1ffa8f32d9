//! Credentials and how a request is authorised, and the resolution chain that finds them.
//!
//! [`resolve_static`] answers from what needs no I/O (explicit options, the environment
//! snapshot). [`Chain`] is the whole chain, sans-IO: it asks the caller to read files, send
//! requests and run commands ([`Step`]), in this order:
//!
//! 1. explicit keys in the client config (they always beat the environment);
//! 2. an explicit profile (the `profile` option, or [`Chain::with_profile`] / the CLI's
//!    `--profile`): explicit configuration, so it beats environment keys, as in the AWS CLI and
//!    botocore (`AWS_PROFILE` does not);
//! 3. `AWS_BEARER_TOKEN_BEDROCK` (a Bedrock API key: `Authorization: Bearer`, no SigV4), then
//!    `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
//! 4. web identity from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`;
//! 5. the shared config files, profile `AWS_PROFILE` else `default`: `role_arn` (with
//!    `web_identity_token_file`, `source_profile` or `credential_source`), SSO (`sso_session`
//!    or legacy `sso_start_url`), static keys, `credential_process`;
//! 6. the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`);
//! 7. EC2 instance metadata (IMDSv2, falling back to IMDSv1), unless
//!    `AWS_EC2_METADATA_DISABLED=true`.
//!
//! A source that does not apply lets the chain move on; one that applies but fails stops it with
//! an error naming the source and the fix. `docs/credentials.md` lists every variable read.

/// The blocking performer: the whole chain in one call (feature `blocking`, native only).
#[cfg(all(feature = "blocking", not(target_family = "wasm")))]
pub mod blocking;
mod chain;
mod environment;
mod shared_config;
pub(crate) mod sources;
mod step;

pub use chain::{
    drive, profile_region, profile_setting, profiles_setting, with_profile_endpoints, Chain,
    MAX_STEPS,
};
pub use environment::{no_credentials_error, no_static_credentials_error, resolve_static};
pub use shared_config::{Section, SharedConfig};
pub use sources::sso_cache_file_name;
pub use step::{
    CredentialSource, Performed, ProcessOutput, Resolved, Step, MAX_CONFIG_FILE, MAX_TOKEN_FILE,
};
