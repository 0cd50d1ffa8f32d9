//! STS: `AssumeRole` (signed with the source credentials) and `AssumeRoleWithWebIdentity`.

use super::{cred_error, request};
use crate::auth::Credentials;
use crate::codec::{form_encode, parse_rfc3339, quoted};
use crate::credentials::step::{expand_home, fail, Io, MAX_TOKEN_FILE, R};
use crate::endpoint::{configured_endpoint, validate_region, Endpoint};
use crate::env::Env;
use crate::error::{ErrorKind, Result};
use crate::request::{HttpRequest, HttpResponse};
use crate::sign;

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
    if let Some(e) = configured_endpoint(env, "AWS_ENDPOINT_URL_STS", ErrorKind::Credentials)? {
        return Ok((e, signing_region));
    }
    let endpoint = match region {
        Some(r) => {
            validate_region(r).map_err(cred_error)?;
            Endpoint::regional("sts", r)
        }
        None => Endpoint::parse_reason("https://sts.amazonaws.com").map_err(cred_error)?,
    };
    Ok((endpoint, signing_region))
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
    if let Some(at) = xml_tag(&xml, "Expiration")
        .as_deref()
        .and_then(parse_rfc3339)
    {
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

/// The chain's web identity step: the token file, then `AssumeRoleWithWebIdentity`.
pub(crate) fn web_identity(
    io: &Io,
    token_file: &str,
    role_arn: &str,
    session: Option<String>,
    region: Option<&str>,
) -> R<Credentials> {
    let path = expand_home(token_file, io.home());
    let token = io
        .read_file(&path, MAX_TOKEN_FILE)?
        .ok_or_else(|| fail(format!("the web identity token file {path} does not exist (AWS_WEB_IDENTITY_TOKEN_FILE / web_identity_token_file)")))?;
    let token = token.trim().to_owned();
    let session = session.unwrap_or_else(|| format!("bedrock-request-{}", io.now.unix_timestamp()));
    let (endpoint, _) = sts_endpoint(io.env, region)?;
    let response = io.send(&format!("sts:AssumeRoleWithWebIdentity:{role_arn}"), || {
        Ok(web_identity_request(role_arn, &session, &token, &endpoint))
    })?;
    let response =
        response.map_err(|why| fail(format!("STS is unreachable for web identity ({why})")))?;
    Ok(parse_sts_response(&response, "AssumeRoleWithWebIdentity")?)
}

/// The chain's AssumeRole step for profile `name`, signed with `source`.
pub(crate) fn assume_role(
    io: &Io,
    source: &Credentials,
    params: &AssumeRole,
    region: Option<&str>,
    name: &str,
) -> R<Credentials> {
    let (endpoint, signing_region) = sts_endpoint(io.env, region)?;
    let now = io.now;
    let response = io.send(&format!("sts:AssumeRole:{}", params.role_arn), || {
        let mut request = assume_role_request(params, &endpoint);
        sign::sign_for_service(&mut request, source, &signing_region, "sts", now)?;
        Ok(request)
    })?;
    let response = response.map_err(|why| {
        fail(format!(
            "STS is unreachable for profile {q_name}'s role ({why})",
            q_name = quoted(&name)
        ))
    })?;
    Ok(parse_sts_response(
        &response,
        &format!("AssumeRole for profile {q_name}", q_name = quoted(&name)),
    )?)
}
