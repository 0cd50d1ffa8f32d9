//! Short-term Bedrock API keys and presigned URLs, against AWS's aws-bedrock-token-generator.

use bedrock_request::sign::{bedrock_api_key, presign_url};
use bedrock_request::{Credentials, ErrorKind};
use time::macros::datetime;

use crate::common::repo_path;

#[test]
fn api_keys_match_aws_bedrock_token_generator() {
    let dir = repo_path("vectors/api-key");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["time"], "2025-07-01T09:30:00Z");
        let input = &v["input"];
        let mut creds = Credentials::new(
            input["access_key_id"].as_str().unwrap(),
            input["secret_access_key"].as_str().unwrap(),
        );
        if let Some(t) = input["session_token"].as_str() {
            creds = creds.with_session_token(t);
        }
        let key = bedrock_api_key(
            &creds,
            input["region"].as_str().unwrap(),
            datetime!(2025-07-01 09:30:00 UTC),
            std::time::Duration::from_secs(input["expires_in"].as_u64().unwrap()),
        )
        .unwrap();
        assert_eq!(
            key.expose(),
            v["api_key"].as_str().unwrap(),
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 3, "expected the api-key vectors, found {count}");
}

#[test]
fn api_key_limits() {
    let creds = Credentials::new("AKID", "SECRET");
    let now = datetime!(2025-07-01 09:30 UTC);
    for secs in [0, 43_201] {
        let e = bedrock_api_key(
            &creds,
            "us-east-1",
            now,
            std::time::Duration::from_secs(secs),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Signing);
        assert!(e.to_string().contains("lives 1 to 43200 seconds"), "{e}");
    }
    assert!(bedrock_api_key(&creds, "US East", now, std::time::Duration::from_secs(60)).is_err());
}

#[test]
fn presigned_urls_carry_the_signature_in_the_query() {
    let url = presign_url(
        "GET",
        "https://example.amazonaws.com/",
        &Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        "us-east-1",
        "service",
        datetime!(2015-08-30 12:36:00 UTC),
        std::time::Duration::from_secs(3600),
    )
    .unwrap();
    // The AWS SigV4 test suite's get-vanilla, query flavour (aws-c-auth's expected signature).
    assert_eq!(
        url,
        "https://example.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
    );
}
