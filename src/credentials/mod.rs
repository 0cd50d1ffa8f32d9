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
pub mod sources;

pub use chain::{drive, Chain, Performed, Step};
pub use shared_config::{Section, SharedConfig};
pub use sources::{sso_cache_file_name, ProcessOutput};

use std::fmt;
use time::OffsetDateTime;

use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::Env;

/// A secret string: `Debug` and `Display` print `<redacted>`; [`expose`](Secret::expose) gives
/// the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// AWS credentials for SigV4: an access key id, a secret key, and for temporary credentials a
/// session token and an expiry.
///
/// ```
/// use bedrock_request::Credentials;
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
///     .with_session_token("token");
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("EXAMPLEKEY") && !shown.contains("token\""));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    expires_at: Option<OffsetDateTime>,
}

impl Credentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: None,
            expires_at: None,
        }
    }

    /// Adds a session token (temporary credentials).
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Secret::new(token));
        self
    }

    /// Adds an expiry time.
    pub fn with_expiry(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The access key id (not secret; it appears in the `Authorization` header).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&Secret> {
        self.session_token.as_ref()
    }

    /// When temporary credentials expire, if known.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// Whether these credentials expire within `margin` of `now` (and so should be resolved
    /// again before signing). Credentials without an expiry never need it.
    ///
    /// ```
    /// use bedrock_request::Credentials;
    /// use time::{macros::datetime, Duration};
    /// let c = Credentials::new("A", "S").with_expiry(datetime!(2024-01-15 12:10 UTC));
    /// assert!(!c.needs_refresh(datetime!(2024-01-15 12:00 UTC), Duration::minutes(5)));
    /// assert!(c.needs_refresh(datetime!(2024-01-15 12:06 UTC), Duration::minutes(5)));
    /// ```
    pub fn needs_refresh(&self, now: OffsetDateTime, margin: time::Duration) -> bool {
        self.expires_at.is_some_and(|at| at - margin <= now)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// How a request is authorised.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// SigV4 with these credentials.
    SigV4(Credentials),
    /// A Bedrock API key, sent as `Authorization: Bearer <key>` (no SigV4).
    Bearer(Secret),
}

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
    if let Some(creds) = &config.credentials {
        return Ok(Some(Resolved {
            auth: Auth::SigV4(creds.clone()),
            source: CredentialSource::Explicit,
            profile: None,
            region: None,
        }));
    }
    if config.profile.is_some() {
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

/// The error for when no source answered, naming every way to provide credentials.
pub fn no_credentials_error(config: &ClientConfig) -> Error {
    let _ = config;
    Error::credentials(
        "no credentials found: set access_key_id and secret_access_key in the client options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK, or a profile in ~/.aws/credentials or ~/.aws/config (aws configure, aws sso login); on AWS, attach a role to the instance, task or pod",
    )
}
