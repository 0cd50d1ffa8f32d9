//! Helpers shared by the tests.

use bedrock_request::{ClientConfig, Error};

/// Config from a JSON options map; panics with the error if it is rejected.
pub fn config(json: &str) -> ClientConfig {
    ClientConfig::from_json_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The error a JSON options map is rejected with; panics if it is accepted.
pub fn config_error(json: &str) -> Error {
    match ClientConfig::from_json_str(json) {
        Ok(c) => panic!("{json} was accepted: {c:?}"),
        Err(e) => e,
    }
}

/// A small deterministic generator (xorshift64) for the generated-input tests.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// `request` signed by aws-sigv4's own `sign()` with its default settings (the reference for
/// our signer), its instructions applied as aws-sigv4 applies them: each header it sets
/// (`x-amz-date`, `x-amz-security-token`, `authorization`) replaces any of that name.
pub fn signed_by_aws_sigv4(
    request: &bedrock_request::HttpRequest,
    credentials: &bedrock_request::Credentials,
    region: &str,
    service: &str,
    now: time::OffsetDateTime,
) -> Result<bedrock_request::HttpRequest, String> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
        credentials.session_token().map(|t| t.expose().to_owned()),
        None,
        "reference",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(std::time::SystemTime::from(now))
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        &request.method,
        request.url.as_str(),
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body.as_bytes()),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (set, _) = instructions.into_parts();
    let mut set: Vec<(String, String)> = set
        .iter()
        .map(|h| (h.name().to_ascii_lowercase(), h.value().to_owned()))
        .collect();
    set.sort_by_key(|(name, _)| match name.as_str() {
        "x-amz-date" => 0,
        "x-amz-security-token" => 1,
        _ => 2,
    });
    let mut signed = request.clone();
    signed
        .headers
        .retain(|(k, _)| !set.iter().any(|(name, _)| k.eq_ignore_ascii_case(name)));
    signed.headers.extend(set);
    Ok(signed)
}

/// A vector case's credentials (AWS's example key, and the case's `session_token` if any).
pub fn vector_credentials(case: &serde_json::Value) -> bedrock_request::Credentials {
    let creds = bedrock_request::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    );
    match case["session_token"].as_str() {
        Some(token) => creds.with_session_token(token),
        None => creds,
    }
}

/// Every header botocore's signer added (the case's `signed`) is in `request` with its value.
pub fn assert_signed_as_botocore(
    request: &bedrock_request::HttpRequest,
    case: &serde_json::Value,
    name: &str,
) {
    for (header, value) in case["signed"].as_object().unwrap() {
        let ours = request
            .headers
            .iter()
            .find(|(k, _)| k == header)
            .map(|(_, v)| v.as_str());
        assert_eq!(ours, value.as_str(), "{name}: {header}");
    }
}
