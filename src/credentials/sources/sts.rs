//! STS: `AssumeRole` (signed with the source credentials) and `AssumeRoleWithWebIdentity`.

use super::{cred_error, endpoint_from_env, form_encode, parse_time, request};
use crate::converse::Endpoint;
use crate::credentials::Credentials;
use crate::error::Result;
use crate::request::{HttpRequest, HttpResponse};
use crate::Env;

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
