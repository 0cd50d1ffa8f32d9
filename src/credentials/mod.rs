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

mod chain;
mod shared_config;
pub(crate) mod sources;
mod step;

pub use chain::{drive, profile_region, Chain, MAX_STEPS};
pub use shared_config::{Section, SharedConfig};
pub use sources::sso_cache_file_name;
pub use step::{Performed, ProcessOutput, Step};

use crate::auth::{Auth, Credentials, Secret};
use crate::config::ClientConfig;
use crate::env::Env;
use crate::error::{Error, Result};

/// Where credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// The client config's own options.
    Explicit,
    /// The environment snapshot (keys or a Bedrock API key).
    Environment,
    /// Static keys in a profile.
    Profile,
    /// A profile's `credential_process`.
    CredentialProcess,
    /// AWS IAM Identity Center (SSO).
    Sso,
    /// STS AssumeRole (`role_arn` with `source_profile` or `credential_source`).
    AssumeRole,
    /// STS AssumeRoleWithWebIdentity.
    WebIdentity,
    /// The ECS / EKS container endpoint.
    Container,
    /// EC2 instance metadata.
    Imds,
}

impl CredentialSource {
    /// The stable lowercase name, as the CLI prints it: `explicit`, `environment`, `profile`,
    /// `credential_process`, `sso`, `assume_role`, `web_identity`, `container`, `imds`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialSource::Explicit => "explicit",
            CredentialSource::Environment => "environment",
            CredentialSource::Profile => "profile",
            CredentialSource::CredentialProcess => "credential_process",
            CredentialSource::Sso => "sso",
            CredentialSource::AssumeRole => "assume_role",
            CredentialSource::WebIdentity => "web_identity",
            CredentialSource::Container => "container",
            CredentialSource::Imds => "imds",
        }
    }
}

/// Credentials found, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolved {
    /// How to authorise.
    pub auth: Auth,
    /// Where it came from.
    pub source: CredentialSource,
    /// The profile used, if any.
    pub profile: Option<String>,
    /// That profile's `region`, if it has one (used after `AWS_REGION` / `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
}

/// Resolves credentials from the sources that need no I/O: explicit options, then the
/// environment snapshot (see the [module docs](self) for the order).
///
/// `Ok(None)` means none of these apply (or the config names a `profile`): the rest of the
/// credential chain is next. An `Err` means a source applies but is broken, for example
/// `AWS_ACCESS_KEY_ID` without `AWS_SECRET_ACCESS_KEY`.
///
/// ```
/// use bedrock_request::{credentials, Auth, ClientConfig, Env};
///
/// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
/// let env = Env::from_iter([("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "SECRET")]);
/// let found = credentials::resolve_static(&config, &env)?.expect("from the environment");
/// assert_eq!(found.source.as_str(), "environment");
/// assert!(matches!(found.auth, Auth::SigV4(c) if c.access_key_id() == "AKID"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn resolve_static(config: &ClientConfig, env: &Env) -> Result<Option<Resolved>> {
    if let Some(creds) = config.credentials() {
        return Ok(Some(Resolved {
            auth: Auth::SigV4(creds.clone()),
            source: CredentialSource::Explicit,
            profile: None,
            region: None,
        }));
    }
    if config.profile().is_some() {
        return Ok(None);
    }
    resolve_env(env)
}

/// The environment's credentials: `AWS_BEARER_TOKEN_BEDROCK`, else the key variables.
pub(crate) fn resolve_env(env: &Env) -> Result<Option<Resolved>> {
    let found = |auth| {
        Some(Resolved {
            auth,
            source: CredentialSource::Environment,
            profile: None,
            region: None,
        })
    };
    if let Some(token) = env.get_nonempty("AWS_BEARER_TOKEN_BEDROCK") {
        return Ok(found(Auth::Bearer(Secret::new(token))));
    }
    Ok(from_env(env)?.and_then(|creds| found(Auth::SigV4(creds))))
}

pub(crate) fn from_env(env: &Env) -> Result<Option<Credentials>> {
    let id = env.get_nonempty("AWS_ACCESS_KEY_ID");
    let secret = env.get_nonempty("AWS_SECRET_ACCESS_KEY");
    // AWS_SECURITY_TOKEN is the legacy name botocore still reads.
    let token = env
        .get_nonempty("AWS_SESSION_TOKEN")
        .or_else(|| env.get_nonempty("AWS_SECURITY_TOKEN"));
    match (id, secret) {
        (Some(id), Some(secret)) => {
            let creds = Credentials::new(id, secret);
            Ok(Some(match token {
                Some(t) => creds.with_session_token(t),
                None => creds,
            }))
        }
        (Some(_), None) => Err(Error::credentials(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset AWS_ACCESS_KEY_ID",
        )),
        (None, Some(_)) => Err(Error::credentials(
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or unset AWS_SECRET_ACCESS_KEY",
        )),
        (None, None) => Ok(None),
    }
}

/// The error for when no source answered ([`Step::NotFound`], or `Ok(None)` from
/// [`resolve_static`] with nothing else to try), naming every way to provide credentials.
pub fn no_credentials_error() -> Error {
    Error::credentials(
        "no credentials found: set access_key_id and secret_access_key in the client options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK, or a profile in ~/.aws/credentials or ~/.aws/config (aws configure, aws sso login); on AWS, attach a role to the instance, task or pod",
    )
}
