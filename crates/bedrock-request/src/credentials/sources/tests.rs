//! The sources' request builders and parsers, which are not public API: requests checked
//! against botocore's (vectors/credentials/), secrets kept out of `Debug` and errors, and the
//! container endpoint's loopback rule.

use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::auth::Credentials;
use crate::credentials::Step;
use crate::env::Env;

const NOW: OffsetDateTime = datetime!(2024-01-15 12:00:00 UTC);

/// A botocore vector of `vectors/credentials/`, compiled in (the library's code reads no file,
/// its tests included).
macro_rules! vector {
    ($name:literal) => {
        serde_json::from_str::<serde_json::Value>(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/credentials/",
            $name,
            ".json"
        )))
        .unwrap()
    };
}

#[test]
fn sts_and_sso_requests_match_botocore() {
    // AssumeRole, signed: same body, same signature.
    let v = vector!("assume-role");
    let (input, theirs) = (&v["input"], &v["botocore"]);
    let (endpoint, region) = sts_endpoint(&Env::new(), input["region"].as_str()).unwrap();
    let params = AssumeRole {
        role_arn: input["role_arn"].as_str().unwrap().into(),
        session_name: input["session_name"].as_str().unwrap().into(),
        external_id: input["external_id"].as_str().map(Into::into),
        duration_seconds: input["duration_seconds"].as_u64().map(|d| d as u32),
    };
    let mut ours = assume_role_request(&params, &endpoint);
    let creds = Credentials::new(
        input["access_key_id"].as_str().unwrap(),
        input["secret_access_key"].as_str().unwrap(),
    );
    crate::sign::sign_for_service(&mut ours, &creds, &region, "sts", NOW).unwrap();
    assert_eq!(ours.method, theirs["method"]);
    assert_eq!(ours.url, theirs["url"]);
    assert_eq!(ours.body.as_str().unwrap(), theirs["body"]);
    assert_eq!(
        ours.header("content-type").unwrap(),
        theirs["headers"]["content-type"]
    );
    assert_eq!(
        ours.header("authorization").unwrap(),
        theirs["headers"]["authorization"]
    );
    // AssumeRoleWithWebIdentity, unsigned.
    let v = vector!("assume-role-with-web-identity");
    let (input, theirs) = (&v["input"], &v["botocore"]);
    let (endpoint, _) = sts_endpoint(&Env::new(), input["region"].as_str()).unwrap();
    let ours = web_identity_request(
        input["role_arn"].as_str().unwrap(),
        input["session_name"].as_str().unwrap(),
        input["token"].as_str().unwrap(),
        &endpoint,
    );
    assert_eq!(
        (ours.method.as_str(), ours.url.as_str()),
        (
            theirs["method"].as_str().unwrap(),
            theirs["url"].as_str().unwrap()
        )
    );
    assert_eq!(ours.body.as_str().unwrap(), theirs["body"]);
    assert!(
        theirs["headers"].get("authorization").is_none() && ours.header("authorization").is_none()
    );
    // SSO GetRoleCredentials.
    let v = vector!("sso-get-role-credentials");
    let (input, theirs) = (&v["input"], &v["botocore"]);
    let settings = SsoSettings {
        cache_key: "corp".into(),
        region: input["region"].as_str().unwrap().into(),
        account_id: input["account_id"].as_str().unwrap().into(),
        role_name: input["role_name"].as_str().unwrap().into(),
        start_url: "https://corp.awsapps.com/start".into(),
    };
    let ours = sso_request(&settings, input["token"].as_str().unwrap(), &Env::new()).unwrap();
    assert_eq!(
        (ours.method.as_str(), ours.url.as_str()),
        (
            theirs["method"].as_str().unwrap(),
            theirs["url"].as_str().unwrap()
        )
    );
    assert_eq!(
        ours.header("x-amz-sso_bearer_token").unwrap(),
        theirs["headers"]["x-amz-sso_bearer_token"]
    );
}

#[test]
fn a_bad_sso_region_is_refused() {
    let settings = SsoSettings {
        cache_key: "k".into(),
        region: "a?b".into(),
        account_id: "1".into(),
        role_name: "r".into(),
        start_url: "https://x".into(),
    };
    assert!(sso_request(&settings, "token", &Env::new()).is_err());
}

#[test]
fn sources_keep_secrets_out_of_debug_and_errors() {
    let settings = SsoSettings {
        cache_key: "k".into(),
        region: "eu-west-1".into(),
        account_id: "1".into(),
        role_name: "r".into(),
        start_url: "https://x".into(),
    };
    let sso = sso_request(&settings, "SSOTOKEN", &Env::new()).unwrap();
    let web = web_identity_request(
        "arn:aws:iam::1:role/R",
        "s",
        "JWTTOKEN",
        &sts_endpoint(&Env::new(), None).unwrap().0,
    );
    let shown = format!("{sso:?} {:?} {web:?}", Step::Send(sso.clone()));
    for secret in ["SSOTOKEN", "JWTTOKEN"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // A password in an endpoint URL is not repeated.
    let env = Env::from_iter([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://user:PASSWORD@evil.example.com/creds",
    )]);
    let e = container_url(&env).unwrap_err();
    assert!(!e.to_string().contains("PASSWORD"), "{e}");
}

#[test]
fn container_full_uri_must_really_be_loopback_for_plain_http() {
    for ok in [
        "http://127.0.0.1:8080/c",
        "http://127.1.2.3/c",
        "http://localhost/c",
        "http://[::1]:80/c",
        "http://169.254.170.23/v1/credentials",
        "https://anything.example.com/c",
    ] {
        assert!(
            container_url(&Env::from_iter([(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                ok
            )]))
            .is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "http://127.evil.example/c",
        "http://10.0.0.1/c",
        "http://169.254.170.3/c",
    ] {
        assert!(
            container_url(&Env::from_iter([(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                bad
            )]))
            .is_err(),
            "{bad}"
        );
    }
}

#[test]
fn ignore_configured_endpoint_urls_applies_to_sts() {
    let env = Env::from_iter([
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
    ]);
    // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS also applies to STS.
    assert_eq!(
        sts_endpoint(&env, None).unwrap().0.to_string(),
        "https://sts.amazonaws.com"
    );
}
