//! The sources that need no I/O: explicit options and the environment snapshot
//! (`AWS_BEARER_TOKEN_BEDROCK`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`).

use super::step::{CredentialSource, Resolved};
use crate::auth::{Auth, Credentials, Secret};
use crate::config::ClientConfig;
use crate::env::Env;
use crate::error::{Error, Result};

/// Resolves credentials from the sources that need no I/O: explicit options, then the
/// environment snapshot (see the [module docs](super) for the order).
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

/// The error for when no source answered: every way to provide credentials. A chain that
/// ended in [`Step::NotFound`](super::Step::NotFound) says more with
/// [`Chain::not_found_error`](super::Chain::not_found_error) (the profiles it found).
pub fn no_credentials_error() -> Error {
    Error::credentials(
        "no credentials found: set access_key_id and secret_access_key in the client options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK, or a profile in ~/.aws/credentials or ~/.aws/config (aws configure, aws sso login); on AWS, attach a role to the instance, task or pod",
    )
}

/// The error for [`resolve_static`] finding nothing: the same, and that it reads only the
/// options and the environment (profiles, SSO, roles, containers and instance metadata are the
/// chain's: [`Chain`](super::Chain), or `credentials::blocking::resolve` with the crate's
/// feature `blocking`).
pub fn no_static_credentials_error() -> Error {
    Error::credentials(format!(
        "{} (credentials::resolve_static reads only the options and the environment: for profiles, SSO, roles, containers and instance metadata drive credentials::Chain, or call credentials::blocking::resolve with the crate's feature `blocking`)",
        no_credentials_error()
    ))
}
