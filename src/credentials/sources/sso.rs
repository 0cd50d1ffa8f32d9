//! AWS IAM Identity Center (SSO): the cached token file, `GetRoleCredentials`.

use time::OffsetDateTime;

use super::{
    cred_error, endpoint_from_env, form_encode, json_str, parse_json, parse_time, request,
};
use crate::converse::Endpoint;
use crate::credentials::Credentials;
use crate::error::Result;
use crate::request::{HttpRequest, HttpResponse};
use crate::Env;

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
    use sha1::Digest;
    format!(
        "{}.json",
        hex::encode(sha1::Sha1::digest(cache_key.as_bytes()))
    )
}

/// The access token from a cached SSO token file, checked against `now`.
pub fn parse_sso_token(text: &str, settings: &SsoSettings, now: OffsetDateTime) -> Result<String> {
    let login = format!(
        "run `aws sso login` for {} and try again",
        settings.start_url
    );
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| cred_error(format!("the SSO token cache is not JSON; {login}")))?;
    let token = json_str(&json, "accessToken")
        .ok_or_else(|| cred_error(format!("the SSO token cache has no accessToken; {login}")))?;
    let expires = json_str(&json, "expiresAt")
        .and_then(parse_time)
        .ok_or_else(|| {
            cred_error(format!(
                "the SSO token cache has no valid expiresAt; {login}"
            ))
        })?;
    if expires <= now {
        return Err(cred_error(format!(
            "the SSO session expired at {expires}; {login}"
        )));
    }
    Ok(token.to_owned())
}

/// The `GetRoleCredentials` request (`AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL` honoured).
pub fn sso_request(settings: &SsoSettings, token: &str, env: &Env) -> Result<HttpRequest> {
    let endpoint = match endpoint_from_env(env, "AWS_ENDPOINT_URL_SSO")? {
        Some(e) => e,
        None => {
            crate::converse::validate_region(&settings.region)
                .map_err(|e| cred_error(format!("sso_region: {e}")))?;
            Endpoint::parse_reason(&format!(
                "https://portal.sso.{}.amazonaws.com",
                settings.region
            ))
            .map_err(|e| cred_error(format!("sso_region {:?}: {e}", settings.region)))?
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
    if let Some(ms) = rc.get("expiration").and_then(|v| v.as_i64()) {
        if let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
            creds = creds.with_expiry(at);
        }
    }
    Ok(creds)
}
