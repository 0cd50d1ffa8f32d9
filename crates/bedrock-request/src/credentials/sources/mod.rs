//! The credential sources that need I/O, each a pure request builder plus a pure parser:
//! `credential_process`, SSO (`GetRoleCredentials`), STS (`AssumeRole`,
//! `AssumeRoleWithWebIdentity`), the container endpoint (ECS/EKS) and EC2 IMDS.
//!
//! Each file also holds its source's chain step (a function over the replay's `Io`), so a
//! source's request, parser and step read together. None of them performs the I/O:
//! [`Chain`](super::Chain) hands each request to the caller.

mod container;
mod imds;
mod process;
mod sso;
mod sts;
#[cfg(test)]
mod tests;

pub use container::*;
pub use imds::*;
pub use process::*;
pub use sso::*;
pub use sts::*;

use crate::auth::Credentials;
use crate::codec::parse_rfc3339;
use crate::codec::quoted;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{Body, HttpRequest};
use crate::value::Value;

pub(crate) fn cred_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Credentials, message)
}

pub(crate) fn json_str<'j>(json: &'j Value, key: &str) -> Option<&'j str> {
    json.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Credentials from a JSON object with `AccessKeyId`, `SecretAccessKey`, a token field and an
/// optional `Expiration` (RFC 3339), as the container endpoint, IMDS and credential_process
/// return them.
pub(crate) fn credentials_from_json(
    json: &Value,
    token_key: &str,
    source: &str,
) -> Result<Credentials> {
    let id = json_str(json, "AccessKeyId")
        .ok_or_else(|| cred_error(format!("{source}: the response has no AccessKeyId")))?;
    let secret = json_str(json, "SecretAccessKey")
        .ok_or_else(|| cred_error(format!("{source}: the response has no SecretAccessKey")))?;
    let mut creds = Credentials::new(id, secret);
    if let Some(token) = json_str(json, token_key) {
        creds = creds.with_session_token(token);
    }
    if let Some(exp) = json_str(json, "Expiration") {
        let at = parse_rfc3339(exp).ok_or_else(|| {
            cred_error(format!(
                "{source}: Expiration {q_exp} is not an RFC 3339 time",
                q_exp = quoted(&exp)
            ))
        })?;
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

pub(crate) fn parse_json(body: &[u8], source: &str) -> Result<Value> {
    let text = std::str::from_utf8(body)
        .map_err(|_| cred_error(format!("{source}: the response is not JSON: not UTF-8")))?;
    Value::from_json_str(text)
        .map_err(|e| cred_error(format!("{source}: the response is not JSON: {e}")))
}

pub(crate) fn request(
    method: &str,
    url: String,
    host: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> HttpRequest {
    let mut all = vec![("host".to_owned(), host.to_owned())];
    all.extend(headers);
    HttpRequest {
        method: method.to_owned(),
        url,
        headers: all,
        body: Body::new(body),
    }
}
