//! The credential sources that need I/O, each a pure request builder plus a pure parser:
//! `credential_process`, SSO (`GetRoleCredentials`), STS (`AssumeRole`,
//! `AssumeRoleWithWebIdentity`), the container endpoint (ECS/EKS) and EC2 IMDS.
//!
//! None of them performs the I/O: [`Chain`](super::Chain) hands each request to the caller.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::Credentials;
use crate::converse::Endpoint;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{Body, HttpRequest, HttpResponse};
use crate::Env;

fn cred_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Credentials, message)
}

/// Form-encodes like botocore (`quote` with `-_.~` safe).
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::converse::encode_path_label(k),
                crate::converse::encode_path_label(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Parses an RFC 3339 time, or the older `2019-11-14T04:05:45UTC` form of SSO caches.
pub(crate) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let fixed = text.strip_suffix("UTC").map(|t| format!("{t}Z"))?;
        OffsetDateTime::parse(&fixed, &Rfc3339).ok()
    })
}

fn json_str<'j>(json: &'j serde_json::Value, key: &str) -> Option<&'j str> {
    json.get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
}

/// Credentials from a JSON object with `AccessKeyId`, `SecretAccessKey`, a token field and an
/// optional `Expiration` (RFC 3339), as the container endpoint, IMDS and credential_process
/// return them.
fn credentials_from_json(
    json: &serde_json::Value,
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
        let at = parse_time(exp).ok_or_else(|| {
            cred_error(format!(
                "{source}: Expiration {exp:?} is not an RFC 3339 time"
            ))
        })?;
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

fn parse_json(body: &[u8], source: &str) -> Result<serde_json::Value> {
    serde_json::from_slice(body)
        .map_err(|e| cred_error(format!("{source}: the response is not JSON: {e}")))
}

fn endpoint_from_env(env: &Env, service_var: &str) -> Result<Option<Endpoint>> {
    for var in [service_var, "AWS_ENDPOINT_URL"] {
        if let Some(url) = env.get_nonempty(var) {
            return Endpoint::parse_reason(url)
                .map(Some)
                .map_err(|e| cred_error(format!("{var}={url:?} is not usable: {e}")));
        }
    }
    Ok(None)
}

fn request(
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

// ---------------------------------------------------------------------------------------------
// credential_process

/// Splits a `credential_process` command line into arguments, as botocore does with
/// `shlex.split` (quotes and backslashes, no shell).
pub fn split_command(command: &str) -> Result<Vec<String>> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_arg = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_arg = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err(cred_error("credential_process: unclosed ' quote")),
                    }
                }
            }
            '"' => {
                in_arg = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => current.push(c),
                            Some(c) => {
                                current.push('\\');
                                current.push(c);
                            }
                            None => {
                                return Err(cred_error("credential_process: unclosed \" quote"))
                            }
                        },
                        Some(c) => current.push(c),
                        None => return Err(cred_error("credential_process: unclosed \" quote")),
                    }
                }
            }
            '\\' => {
                in_arg = true;
                if let Some(c) = chars.next() {
                    current.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut current));
                    in_arg = false;
                }
            }
            c => {
                in_arg = true;
                current.push(c);
            }
        }
    }
    if in_arg {
        args.push(current);
    }
    if args.is_empty() {
        return Err(cred_error("credential_process is empty"));
    }
    Ok(args)
}

/// What a process printed: whether it succeeded, its standard output and error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessOutput {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error (for error messages).
    pub stderr: String,
}

/// Parses `credential_process` output: `{"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken"?, "Expiration"?}`; expired credentials are an error.
pub fn parse_process_output(output: &ProcessOutput, now: OffsetDateTime) -> Result<Credentials> {
    if !output.success {
        let stderr: String = output.stderr.trim().chars().take(300).collect();
        return Err(cred_error(format!(
            "credential_process failed: {stderr}; run the command yourself to see why"
        )));
    }
    let json = parse_json(output.stdout.as_bytes(), "credential_process")?;
    match json.get("Version").and_then(|v| v.as_u64()) {
        Some(1) => {}
        _ => {
            return Err(cred_error(
                "credential_process: the output must have \"Version\": 1",
            ))
        }
    }
    let creds = credentials_from_json(&json, "SessionToken", "credential_process")?;
    if creds.expires_at().is_some_and(|at| at <= now) {
        return Err(cred_error(
            "credential_process returned credentials that have already expired",
        ));
    }
    Ok(creds)
}

// ---------------------------------------------------------------------------------------------
// SSO

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
    let endpoint = endpoint_from_env(env, "AWS_ENDPOINT_URL_SSO")?.unwrap_or_else(|| {
        Endpoint::parse_reason(&format!(
            "https://portal.sso.{}.amazonaws.com",
            settings.region
        ))
        .expect("a valid region makes a valid host")
    });
    let query = form_encode(&[
        ("account_id", &settings.account_id),
        ("role_name", &settings.role_name),
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

// ---------------------------------------------------------------------------------------------
// STS

/// AssumeRole parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`.
    pub session_name: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
}

/// The STS endpoint and signing region: `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`, else
/// `https://sts.{region}.amazonaws.com`, else the global `https://sts.amazonaws.com` (us-east-1).
pub fn sts_endpoint(env: &Env, region: Option<&str>) -> Result<(Endpoint, String)> {
    let signing_region = region.unwrap_or("us-east-1").to_owned();
    if let Some(e) = endpoint_from_env(env, "AWS_ENDPOINT_URL_STS")? {
        return Ok((e, signing_region));
    }
    let host = match region {
        Some(r) => {
            crate::converse::validate_region(r).map_err(cred_error)?;
            let suffix = if r.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://sts.{r}.{suffix}")
        }
        None => "https://sts.amazonaws.com".to_owned(),
    };
    Ok((
        Endpoint::parse_reason(&host).map_err(cred_error)?,
        signing_region,
    ))
}

/// The `AssumeRole` request, unsigned (the chain signs it with the source credentials,
/// service `sts`). Body parameters in botocore's order.
pub fn assume_role_request(params: &AssumeRole, endpoint: &Endpoint) -> HttpRequest {
    let duration = params.duration_seconds.map(|d| d.to_string());
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", &params.role_arn),
        ("RoleSessionName", &params.session_name),
    ];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d));
    }
    if let Some(x) = &params.external_id {
        pairs.push(("ExternalId", x));
    }
    form_request(endpoint, &pairs)
}

/// The `AssumeRoleWithWebIdentity` request (not signed: the token is the proof).
pub fn web_identity_request(
    role_arn: &str,
    session_name: &str,
    token: &str,
    endpoint: &Endpoint,
) -> HttpRequest {
    form_request(
        endpoint,
        &[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", role_arn),
            ("RoleSessionName", session_name),
            ("WebIdentityToken", token),
        ],
    )
}

fn form_request(endpoint: &Endpoint, pairs: &[(&str, &str)]) -> HttpRequest {
    let url = format!("{endpoint}/");
    request(
        "POST",
        url,
        endpoint.host(),
        vec![(
            "content-type".to_owned(),
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        )],
        form_encode(pairs).into_bytes(),
    )
}

/// The text of the first `<tag>...</tag>` in `xml`, entity-decoded.
fn xml_tag(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// Parses an `AssumeRole` / `AssumeRoleWithWebIdentity` response (XML).
pub fn parse_sts_response(response: &HttpResponse, what: &str) -> Result<Credentials> {
    let xml = response.text();
    if response.status != 200 {
        let code = xml_tag(&xml, "Code").unwrap_or_else(|| format!("HTTP {}", response.status));
        let message = xml_tag(&xml, "Message").unwrap_or_default();
        return Err(cred_error(format!("{what} failed: {code}: {message}")));
    }
    let field = |tag: &str| {
        xml_tag(&xml, tag)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| cred_error(format!("{what}: the response has no {tag}")))
    };
    let mut creds = Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?)
        .with_session_token(field("SessionToken")?);
    if let Some(at) = xml_tag(&xml, "Expiration").as_deref().and_then(parse_time) {
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

// ---------------------------------------------------------------------------------------------
// Container (ECS, EKS Pod Identity)

/// The container credentials URL from `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
/// if either is set. A full URI must be https, or http to a loopback address or the ECS/EKS
/// link-local hosts.
pub fn container_url(env: &Env) -> Result<Option<String>> {
    if let Some(relative) = env.get_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        return Ok(Some(format!("http://169.254.170.2{relative}")));
    }
    let Some(full) = env.get_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
        return Ok(None);
    };
    let endpoint = Endpoint::parse_reason(full.split('?').next().unwrap_or(full)).map_err(|e| {
        cred_error(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI={full:?} is not usable: {e}"
        ))
    })?;
    let host = endpoint.host();
    let bare = host
        .rsplit_once(':')
        .filter(|_| !host.starts_with('['))
        .map_or(host, |(h, _)| h);
    let allowed = endpoint.scheme() == "https"
        || bare == "localhost"
        || bare.starts_with("127.")
        || bare.starts_with("[::1]")
        || bare == "169.254.170.2"
        || bare == "169.254.170.23"
        || bare.starts_with("[fd00:ec2::23]");
    if !allowed {
        return Err(cred_error(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI={full:?}: plain http is allowed only to loopback, 169.254.170.2 or 169.254.170.23; use https"
        )));
    }
    Ok(Some(full.to_owned()))
}

/// The container credentials request, with the authorization token when there is one.
pub fn container_request(url: &str, token: Option<&str>) -> Result<HttpRequest> {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
        .to_owned();
    let mut headers = Vec::new();
    if let Some(t) = token {
        let t = t.trim();
        crate::sign::check_header_safe("the container authorization token", t)?;
        headers.push(("authorization".to_owned(), t.to_owned()));
    }
    Ok(request("GET", url.to_owned(), &host, headers, Vec::new()))
}

/// Parses the container endpoint's answer.
pub fn parse_container_response(response: &HttpResponse) -> Result<Credentials> {
    if response.status != 200 {
        return Err(cred_error(format!(
            "the container credentials endpoint answered HTTP {}: {}",
            response.status,
            response.text().chars().take(300).collect::<String>()
        )));
    }
    credentials_from_json(
        &parse_json(&response.body, "container credentials")?,
        "Token",
        "container credentials",
    )
}

// ---------------------------------------------------------------------------------------------
// EC2 instance metadata (IMDSv2, with the IMDSv1 fallback)

/// The IMDS base URL: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`.
pub fn imds_base(env: &Env) -> Result<Endpoint> {
    let url = env
        .get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or("http://169.254.169.254");
    Endpoint::parse_reason(url).map_err(|e| {
        cred_error(format!(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT={url:?} is not usable: {e}"
        ))
    })
}

/// The IMDSv2 token request (`PUT /latest/api/token`, TTL 6 hours).
pub fn imds_token_request(base: &Endpoint) -> HttpRequest {
    request(
        "PUT",
        format!("{base}/latest/api/token"),
        base.host(),
        vec![(
            "x-aws-ec2-metadata-token-ttl-seconds".to_owned(),
            "21600".to_owned(),
        )],
        Vec::new(),
    )
}

/// A metadata GET, with the IMDSv2 token when there is one (IMDSv1 without).
pub fn imds_get(base: &Endpoint, path: &str, token: Option<&str>) -> HttpRequest {
    let headers = token
        .map(|t| vec![("x-aws-ec2-metadata-token".to_owned(), t.to_owned())])
        .unwrap_or_default();
    request(
        "GET",
        format!("{base}{path}"),
        base.host(),
        headers,
        Vec::new(),
    )
}

/// Parses the instance's role credentials.
pub fn parse_imds_credentials(response: &HttpResponse) -> Result<Credentials> {
    if response.status != 200 {
        return Err(cred_error(format!(
            "IMDS answered HTTP {} for the role's credentials",
            response.status
        )));
    }
    let json = parse_json(&response.body, "IMDS")?;
    if let Some(code) = json_str(&json, "Code").filter(|c| *c != "Success") {
        return Err(cred_error(format!(
            "IMDS: the instance role's credentials are not available ({code})"
        )));
    }
    credentials_from_json(&json, "Token", "IMDS")
}
