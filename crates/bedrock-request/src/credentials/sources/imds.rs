//! EC2 instance metadata: IMDSv2 (token `PUT`), falling back to IMDSv1 when the token is refused.

use super::{cred_error, credentials_from_json, json_str, parse_json, request};
use crate::auth::Credentials;
use crate::codec::{quoted, redact_userinfo};
use crate::credentials::step::{fail, Io, R};
use crate::endpoint::Endpoint;
use crate::env::Env;
use crate::error::Result;
use crate::request::{HttpRequest, HttpResponse};

/// The IMDS base URL: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`.
pub fn imds_base(env: &Env) -> Result<Endpoint> {
    let url = env
        .get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or("http://169.254.169.254");
    Endpoint::parse_reason(url).map_err(|e| {
        cred_error(format!(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT={} is not usable: {e}",
            quoted(&redact_userinfo(url))
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

/// The chain's instance-metadata step: IMDSv2 token (IMDSv1 when refused), role, credentials.
pub(crate) fn imds(io: &Io) -> R<Option<Credentials>> {
    if io.env.flag("AWS_EC2_METADATA_DISABLED") {
        return Ok(None);
    }
    let base = imds_base(io.env)?;
    // IMDSv2 token; refused (403/404/405: IMDSv1-only or a proxy) → IMDSv1.
    let token = match io.send("imds:token", || Ok(imds_token_request(&base)))? {
        Err(_) => return Ok(None), // no instance metadata here: not on EC2
        Ok(r) if r.status == 200 => Some(r.text().trim().to_owned()),
        Ok(r) if matches!(r.status, 403..=405) => None,
        Ok(r) => {
            return Err(fail(format!(
                "IMDS answered HTTP {} to the token request",
                r.status
            )))
        }
    };
    let list_path = "/latest/meta-data/iam/security-credentials/";
    let roles = match io.send("imds:role", || {
        Ok(imds_get(&base, list_path, token.as_deref()))
    })? {
        Err(_) => return Ok(None),
        Ok(r) if r.status == 200 => r.text(),
        Ok(r) if r.status == 404 => return Ok(None), // no instance profile attached
        Ok(r) => {
            return Err(fail(format!(
                "IMDS answered HTTP {} when asked for the instance's role; check the instance's metadata options (or set AWS_EC2_METADATA_DISABLED=true off EC2)",
                r.status
            )))
        }
    };
    let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let path = format!("{list_path}{role}");
    let response = io
        .send("imds:credentials", || {
            Ok(imds_get(&base, &path, token.as_deref()))
        })?
        .map_err(|why| fail(format!("IMDS became unreachable ({why})")))?;
    Ok(Some(parse_imds_credentials(&response)?))
}
