//! AWS IAM Identity Center (SSO): the cached token file, `GetRoleCredentials`.

use time::OffsetDateTime;

use super::{cred_error, json_str, parse_json, request};
use crate::auth::Credentials;
use crate::codec::{form_encode, parse_rfc3339, quoted};
use crate::credentials::shared_config::{Section, SharedConfig};
use crate::credentials::step::{fail, Io, MAX_TOKEN_FILE, R};
use crate::endpoint::{configured_endpoint, validate_region, Endpoint};
use crate::env::Env;
use crate::error::{ErrorKind, Result};
use crate::request::{HttpRequest, HttpResponse};
use crate::value::Value;

/// The SSO settings of a profile, from `sso_session` (and its section) or the legacy keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSettings {
    /// The token cache key: the session name, or the legacy start URL.
    pub cache_key: String,
    /// `sso_region`.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// `sso_start_url` (for messages).
    pub start_url: String,
}

/// The token cache file name: the SHA-1 hex of the session name or legacy start URL, `.json`.
///
/// ```
/// use bedrock_request::credentials::sso_cache_file_name;
/// // SHA-1("admin") is d033e22a...: the AWS CLI names the cache file after it.
/// assert_eq!(sso_cache_file_name("admin"), "d033e22ae348aeb5660fc2140aec35850c4da997.json");
/// ```
pub fn sso_cache_file_name(cache_key: &str) -> String {
    format!(
        "{}.json",
        hex::encode(<sha1::Sha1 as sha2::Digest>::digest(cache_key.as_bytes()))
    )
}

/// The access token from a cached SSO token file, checked against `now`.
pub fn parse_sso_token(text: &str, settings: &SsoSettings, now: OffsetDateTime) -> Result<String> {
    let login = format!(
        "run `aws sso login` for {} and try again",
        settings.start_url
    );
    let json = Value::from_json_str(text)
        .map_err(|_| cred_error(format!("the SSO token cache is not JSON; {login}")))?;
    let token = json_str(&json, "accessToken")
        .ok_or_else(|| cred_error(format!("the SSO token cache has no accessToken; {login}")))?;
    let (expires_text, expires) = json_str(&json, "expiresAt")
        .and_then(|t| Some((t, parse_rfc3339(t)?)))
        .ok_or_else(|| {
            cred_error(format!(
                "the SSO token cache has no valid expiresAt; {login}"
            ))
        })?;
    if expires <= now {
        return Err(cred_error(format!(
            "the SSO session expired at {expires_text}; {login}"
        )));
    }
    Ok(token.to_owned())
}

/// The `GetRoleCredentials` request (`AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL` honoured).
pub fn sso_request(settings: &SsoSettings, token: &str, env: &Env) -> Result<HttpRequest> {
    let endpoint = match configured_endpoint(env, "AWS_ENDPOINT_URL_SSO", ErrorKind::Credentials)? {
        Some(e) => e,
        None => {
            validate_region(&settings.region)
                .map_err(|e| cred_error(format!("sso_region: {e}")))?;
            Endpoint::regional("portal.sso", &settings.region)
        }
    };
    // Parameters in botocore's order (vectors/credentials/sso-get-role-credentials.json).
    let query = form_encode(&[
        ("role_name", &settings.role_name),
        ("account_id", &settings.account_id),
    ]);
    Ok(request(
        "GET",
        format!("{endpoint}/federation/credentials?{query}"),
        endpoint.host(),
        vec![("x-amz-sso_bearer_token".to_owned(), token.to_owned())],
        Vec::new(),
    ))
}

/// Parses a `GetRoleCredentials` response.
pub fn parse_sso_response(response: &HttpResponse, settings: &SsoSettings) -> Result<Credentials> {
    if response.status == 401 || response.status == 403 {
        return Err(cred_error(format!(
            "SSO refused the cached token (HTTP {}); run `aws sso login` for {} and try again",
            response.status, settings.start_url
        )));
    }
    if response.status != 200 {
        return Err(cred_error(format!(
            "SSO GetRoleCredentials failed (HTTP {}): {}",
            response.status,
            response.text()
        )));
    }
    let json = parse_json(&response.body, "SSO")?;
    let rc = json
        .get("roleCredentials")
        .ok_or_else(|| cred_error("SSO: the response has no roleCredentials"))?;
    let field = |k: &str| {
        json_str(rc, k).ok_or_else(|| cred_error(format!("SSO: roleCredentials has no {k}")))
    };
    let mut creds = Credentials::new(field("accessKeyId")?, field("secretAccessKey")?)
        .with_session_token(field("sessionToken")?);
    let expiration = match rc.get("expiration") {
        Some(Value::Number(n)) => n.as_str().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(ms) = expiration {
        if let Some(at) = crate::codec::from_unix_ms(ms) {
            creds = creds.with_expiry(at);
        }
    }
    Ok(creds)
}

/// The chain's SSO step for profile `name`: the cached token, then `GetRoleCredentials`.
pub(crate) fn sso(io: &Io, files: &SharedConfig, p: &Section, name: &str) -> R<Credentials> {
    let settings = sso_settings(files, p, name)?;
    let home = io
        .home()
        .ok_or_else(|| fail("SSO needs HOME to find ~/.aws/sso/cache"))?;
    let path = format!(
        "{}/.aws/sso/cache/{}",
        home.trim_end_matches('/'),
        sso_cache_file_name(&settings.cache_key)
    );
    let text = io.read_file(&path, MAX_TOKEN_FILE)?.ok_or_else(|| {
        fail(format!(
            "no SSO token in {path}; run `aws sso login --profile {name}` and try again"
        ))
    })?;
    let token = parse_sso_token(&text, &settings, io.now)?;
    let response = io.send(
        &format!(
            "sso:{}:{}:{}",
            settings.cache_key, settings.account_id, settings.role_name
        ),
        || sso_request(&settings, &token, io.env),
    )?;
    let response = response.map_err(|why| {
        fail(format!(
            "the SSO portal is unreachable for profile {q_name} ({why})",
            q_name = quoted(&name)
        ))
    })?;
    Ok(parse_sso_response(&response, &settings)?)
}

fn sso_settings(files: &SharedConfig, p: &Section, name: &str) -> R<SsoSettings> {
    let need = |section: &Section, key: &str, place: &str| {
        section.get(key).map(str::to_owned).ok_or_else(|| {
            fail(format!(
                "{place} has no {key}; run `aws configure sso` to set it up"
            ))
        })
    };
    let place = format!("profile {}", quoted(name));
    let (cache_key, region, start_url) = match p.get("sso_session") {
        Some(session) => {
            let s = files.sso_session(session).ok_or_else(|| {
                fail(format!(
                    "profile {} names sso_session {}, but there is no [sso-session {session}] section",
                    quoted(name),
                    quoted(session)
                ))
            })?;
            let splace = format!("[sso-session {session}]");
            (
                session.to_owned(),
                need(s, "sso_region", &splace)?,
                need(s, "sso_start_url", &splace)?,
            )
        }
        None => {
            let url = need(p, "sso_start_url", &place)?;
            (url.clone(), need(p, "sso_region", &place)?, url)
        }
    };
    validate_region(&region).map_err(|e| fail(format!("{place}: sso_region: {e}")))?;
    Ok(SsoSettings {
        cache_key,
        region,
        account_id: need(p, "sso_account_id", &place)?,
        role_name: need(p, "sso_role_name", &place)?,
        start_url,
    })
}
