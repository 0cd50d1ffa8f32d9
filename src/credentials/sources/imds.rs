//! EC2 instance metadata: IMDSv2 (token `PUT`), falling back to IMDSv1 when the token is refused.

use super::{cred_error, credentials_from_json, json_str, parse_json, request};
use crate::converse::Endpoint;
use crate::credentials::Credentials;
use crate::error::Result;
use crate::request::{HttpRequest, HttpResponse};
use crate::Env;

/// The IMDS base URL: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`.
pub fn imds_base(env: &Env) -> Result<Endpoint> {
    let url = env
        .get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or("http://169.254.169.254");
    Endpoint::parse_reason(url).map_err(|e| {
        cred_error(format!(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT={:?} is not usable: {e}",
            crate::converse::redact_userinfo(url)
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
