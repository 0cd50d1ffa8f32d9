//! Credentials and how a request is authorised.
//!
//! This version resolves the sources that need no I/O: explicit options, then the environment
//! snapshot (`AWS_BEARER_TOKEN_BEDROCK`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
//! `AWS_SESSION_TOKEN`). [`resolve_static`] answers `Ok(None)` when those do not apply, and
//! that is the seam where the rest of the chain (shared config files, SSO, assume-role,
//! container and instance metadata, driven sans-IO) continues.
//!
//! Order, and why:
//! 1. explicit keys in the client config (they always beat the environment);
//! 2. an explicit `profile` option: it is explicit configuration, so environment keys do not
//!    override it (as in the AWS CLI and botocore). Profiles are read by the chain, so this
//!    step answers `None` here;
//! 3. `AWS_BEARER_TOKEN_BEDROCK` (a Bedrock API key: `Authorization: Bearer`, no SigV4);
//! 4. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`).

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
    /// The environment snapshot.
    Environment,
}

impl CredentialSource {
    /// The stable lowercase name (`explicit`, `environment`), as the CLI prints it.
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialSource::Explicit => "explicit",
            CredentialSource::Environment => "environment",
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
        }));
    }
    if config.profile.is_some() {
        return Ok(None);
    }
    if let Some(token) = env.get_nonempty("AWS_BEARER_TOKEN_BEDROCK") {
        return Ok(Some(Resolved {
            auth: Auth::Bearer(Secret::new(token)),
            source: CredentialSource::Environment,
        }));
    }
    from_env(env).map(|found| {
        found.map(|creds| Resolved {
            auth: Auth::SigV4(creds),
            source: CredentialSource::Environment,
        })
    })
}

fn from_env(env: &Env) -> Result<Option<Credentials>> {
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
    match &config.profile {
        Some(p) => Error::credentials(format!(
            "profile {p:?} is set, and reading credentials from the shared config files (~/.aws/config, ~/.aws/credentials) is not supported by this version yet; set access_key_id and secret_access_key in the client options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY without the profile"
        )),
        None => Error::credentials(
            "no credentials found: set access_key_id and secret_access_key in the client options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK",
        ),
    }
}
