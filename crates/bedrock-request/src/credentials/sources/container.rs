//! The container credentials endpoint (ECS task roles, EKS Pod Identity).

use super::{cred_error, credentials_from_json, parse_json, request};
use crate::auth::Credentials;
use crate::codec::{quoted, redact_userinfo};
use crate::credentials::step::{fail, Io, MAX_TOKEN_FILE, R};
use crate::endpoint::Endpoint;
use crate::env::Env;
use crate::error::Result;
use crate::request::{HttpRequest, HttpResponse};
use crate::sign;

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
    let shown = redact_userinfo(full);
    let endpoint = Endpoint::parse_reason(full.split('?').next().unwrap_or(full)).map_err(|e| {
        cred_error(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI={q_shown} is not usable: {e}",
            q_shown = quoted(&shown)
        ))
    })?;
    let host = endpoint.host();
    // The host without its port; IPv6 literals keep their brackets off for parsing.
    let bare = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let allowed_ip = bare.parse::<std::net::IpAddr>().is_ok_and(|ip| {
        ip.is_loopback()
            || ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
                .iter()
                .any(|a| a.parse::<std::net::IpAddr>().ok() == Some(ip))
    });
    let allowed = endpoint.scheme() == "https" || bare == "localhost" || allowed_ip;
    if !allowed {
        return Err(cred_error(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI={q_shown}: plain http is allowed only to loopback, 169.254.170.2 or 169.254.170.23; use https",
            q_shown = quoted(&shown)
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
        sign::check_header_safe("the container authorization token", t)?;
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

/// The chain's container step: `AWS_CONTAINER_CREDENTIALS_*_URI`, with its token.
pub(crate) fn container(io: &Io) -> R<Option<Credentials>> {
    let Some(url) = container_url(io.env)? else {
        return Ok(None);
    };
    let token = match io
        .env
        .get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    {
        Some(path) => Some(io.read_file(path, MAX_TOKEN_FILE)?.ok_or_else(|| {
            fail(format!(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={path} does not exist"
            ))
        })?),
        None => io
            .env
            .get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(str::to_owned),
    };
    let response = io.send("container", || container_request(&url, token.as_deref()))?;
    let response = response.map_err(|why| {
        fail(format!(
            "the container credentials endpoint {url} is unreachable ({why})"
        ))
    })?;
    Ok(Some(parse_container_response(&response)?))
}
