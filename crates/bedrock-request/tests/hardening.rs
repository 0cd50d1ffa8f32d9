//! Inputs that must not panic, secrets that must not show, and edge rules of the chain, stream
//! and request (found in review).

use bedrock_request::credentials::{Chain, SharedConfig, Step};
use bedrock_request::parse::AwsError;
use bedrock_request::sign::{explain, verify, Verification, VerifyStage};
use bedrock_request::{
    converse, prompt, ClientConfig, Credentials, Env, HttpRequest, HttpResponse, Message,
};
use time::macros::datetime;

fn signed() -> HttpRequest {
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .build()
        .unwrap();
    let creds = Credentials::new("AKIDEXAMPLE", "SECRET").with_session_token("SESSIONTOKEN");
    converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap()
        .sign(
            &bedrock_request::Auth::SigV4(creds),
            datetime!(2024-01-15 12:00 UTC),
        )
        .unwrap()
}

#[test]
fn old_or_odd_dates_never_panic() {
    let mut r = signed();
    for date in [
        "19000101T000000Z",
        "00000101T000000Z",
        "99991231T235959Z",
        "2024011",
        "2024-01-15",
    ] {
        for (k, v) in r.headers.iter_mut() {
            if k == "x-amz-date" {
                *v = date.to_owned();
            }
        }
        let _ = explain(&r, "SECRET");
        let _ = verify(
            &r,
            &Credentials::new("AKIDEXAMPLE", "SECRET"),
            "us-east-1",
            "bedrock",
            None,
        );
        let _ = verify(
            &r,
            &Credentials::new("AKIDEXAMPLE", "SECRET"),
            "us-east-1",
            "bedrock",
            Some(datetime!(2024-01-15 12:00 UTC)),
        );
    }
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    // Responses, process output and config sections (the sources' requests: unit tests).
    let response = HttpResponse::new(200, r#"{"SecretAccessKey":"RESPONSESECRET"}"#);
    let output = bedrock_request::credentials::ProcessOutput {
        success: true,
        stdout: "PROCESSSECRET".into(),
        stderr: String::new(),
    };
    let files = SharedConfig::parse(None, Some("[default]\naws_access_key_id = AKID\naws_secret_access_key = FILESECRET\naws_session_token = FILETOKEN\n")).unwrap();
    let shown = format!("{response:?} {output:?} {files:?}");
    for secret in ["RESPONSESECRET", "PROCESSSECRET", "FILESECRET", "FILETOKEN"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("AKID"), "{shown}");
    // A chain that has read a credentials file.
    let mut chain = Chain::new(
        &ClientConfig::builder().model("m").build().unwrap(),
        &Env::from_iter([("HOME", "/h"), ("AWS_EC2_METADATA_DISABLED", "true")]),
    );
    let _ = chain.poll(datetime!(2024-01-15 12:00 UTC));
    chain
        .handle(bedrock_request::credentials::Performed::File(Some(
            "[default]\naws_access_key_id = A\naws_secret_access_key = CHAINSECRET\n".into(),
        )))
        .unwrap();
    assert!(!format!("{chain:?}").contains("CHAINSECRET"));
    // AWS's signature-mismatch echo quotes the session token: it is redacted, and the
    // diagnosis still works.
    let sent = signed();
    let canonical = bedrock_request::sign::CanonicalRequest::of(&sent)
        .unwrap()
        .text();
    assert!(canonical.contains("SESSIONTOKEN"));
    let sts = bedrock_request::sign::string_to_sign(&sent).unwrap();
    let message = format!("The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{sts}'\n");
    let body = serde_json::json!({ "message": message }).to_string();
    let e = AwsError::from_response(
        403,
        &[(
            "x-amzn-errortype".into(),
            "InvalidSignatureException".into(),
        )],
        body.as_bytes(),
    )
    .diagnose(&sent);
    let shown = format!("{e:?} {e}");
    assert!(!shown.contains("SESSIONTOKEN"), "{shown}");
    assert_eq!(
        e.signature.unwrap().differs,
        Some(bedrock_request::parse::SignaturePart::SecretKey)
    );
    // verify's detail too.
    let mut changed = sent.clone();
    changed.body = bedrock_request::Body::new(b"{}".to_vec());
    match verify(
        &changed,
        &Credentials::new("AKIDEXAMPLE", "SECRET"),
        "us-east-1",
        "bedrock",
        None,
    ) {
        Verification::Invalid {
            stage: VerifyStage::Signature,
            detail,
        } => assert!(!detail.contains("SESSIONTOKEN"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn chain_edges() {
    use bedrock_request::credentials::{drive, CredentialSource, Performed};
    let perform = |files: &'static [(&'static str, &'static str)]| {
        move |step: &Step| match step {
            Step::ReadFile { path, .. } => Performed::File(
                files
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, t)| t.to_string()),
            ),
            Step::Send(r) if r.url.contains("127.0.0.1:9") => {
                Performed::Response(HttpResponse::new(
                    200,
                    r#"{"AccessKeyId":"ECS","SecretAccessKey":"s","Token":"t"}"#,
                ))
            }
            _ => Performed::Unreachable("no".into()),
        }
    };
    let now = datetime!(2024-01-15 12:00 UTC);
    // An explicit profile with settings only: the container still answers (not env keys).
    let config = ClientConfig::builder()
        .model("m")
        .profile("p")
        .build()
        .unwrap();
    let env = Env::from_iter([
        ("HOME", "/h"),
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/c"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let r = drive(
        Chain::new(&config, &env),
        now,
        perform(&[(
            "/h/.aws/config",
            "[profile p] ; comment\nregion = eu-west-1\n",
        )]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (r.source, r.region.as_deref()),
        (CredentialSource::Container, Some("eu-west-1"))
    );
    // credential_source = Environment uses AWS keys even when a Bedrock API key is set.
    let env = Env::from_iter([
        ("HOME", "/h"),
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_BEARER_TOKEN_BEDROCK", "k"),
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
    ]);
    let config = ClientConfig::builder()
        .model("m")
        .profile("r")
        .build()
        .unwrap();
    let mut sent = Vec::new();
    let result = drive(Chain::new(&config, &env), now, |step| {
        if let Step::Send(r) = step {
            sent.push(r.clone());
        }
        match step {
            Step::ReadFile { .. } => Performed::File(Some("[profile r]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n".into())),
            _ => Performed::Response(HttpResponse::new(200, "<X><AccessKeyId>ROLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken></X>")),
        }
    });
    assert_eq!(
        result.unwrap().unwrap().source,
        CredentialSource::AssumeRole
    );
    assert!(sent[0]
        .header("authorization")
        .unwrap()
        .contains("Credential=ENVKEY/"));
}

#[test]
fn request_and_stream_edges() {
    // send_url_add_mime_type sends a URL, which Bedrock only takes from S3.
    let config = ClientConfig::from_json_str(r#"{"model":"m","region":"us-east-1","media_url_handler":{"image":"send_url_add_mime_type"}}"#).unwrap();
    let messages = prompt::messages_from_json(
        r#"[{"role":"user","content":[{"type":"image","url":"https://x/a.png"}]}]"#,
    )
    .unwrap();
    assert!(converse::urls_to_fetch(&config, &messages).is_empty());
    assert!(converse::Builder::new(&config, &messages, &Env::new())
        .build()
        .unwrap_err()
        .to_string()
        .contains("only reads media from s3://"));
    // A null inside a new object is not sent.
    let config = ClientConfig::from_json_str(r#"{"model":"m","region":"us-east-1","extra_body":{"inferenceConfig":{"temperature":null,"topK":5}}}"#).unwrap();
    let body = converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap()
        .into_preview()
        .body;
    assert!(
        body.as_str()
            .unwrap()
            .ends_with(r#""inferenceConfig":{"topK":5}}"#),
        "{:?}",
        body.as_str()
    );
    // A stream cut off between events (no messageStop) is not a success.
    let e = bedrock_request::stream::ConverseStream::decode_all(
        &[],
        bedrock_request::FinishReasonPolicy::Any,
    )
    .unwrap_err();
    assert!(e.to_string().contains("ended without messageStop"), "{e}");
}

/// A region or service with a line break (or anything but a signing name's characters) is
/// refused before signing: it would end up in `authorization`, a header of its own on the
/// wire (found by an adversarial run: `"us-east-1\r\nX-Injected: yes"`).
#[test]
fn a_region_or_service_that_is_no_name_is_refused_when_signing() {
    use bedrock_request::sign::{sign_for_service, Signer};
    use bedrock_request::{Body, ErrorKind};
    let request = HttpRequest {
        method: "POST".into(),
        url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
        headers: vec![],
        body: Body::new(b"{}".to_vec()),
    };
    let creds = Credentials::new("AKIDEXAMPLE", "SECRET");
    let now = datetime!(2024-01-15 12:00 UTC);
    for region in [
        "us-east-1\r\nX-Injected: yes",
        "us-east-1\n",
        "US-EAST-1",
        "",
        "eu west",
    ] {
        let mut r = request.clone();
        let e = Signer::new()
            .sign_in_place(&mut r, &creds, region, now, None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Signing, "{region:?}");
        assert!(e.to_string().contains("region"), "{e}");
        assert_eq!(r, request, "the request is left as it was");
        let mut r = request.clone();
        assert!(sign_for_service(&mut r, &creds, region, "sts", now).is_err());
    }
    for service in ["sts\r\nX-Injected: yes", "", "Bedrock"] {
        let mut r = request.clone();
        let e = sign_for_service(&mut r, &creds, "us-east-1", service, now).unwrap_err();
        assert!(e.to_string().contains("service"), "{e}");
        assert_eq!(r, request);
    }
    let mut r = request.clone();
    Signer::new()
        .sign_in_place(&mut r, &creds, "eu-west-3", now, None)
        .unwrap();
    assert!(r
        .header("authorization")
        .unwrap()
        .contains("/eu-west-3/bedrock/"));
}

/// `verify` is no signature oracle: an invalid request's detail carries nothing derived from
/// the verifier's secret (the expected signature) and not the expected access key, and a
/// request signed for another region or service is invalid (found by an adversarial run: the
/// detail's signature, copied into the header, then verified as `Valid`).
#[test]
fn verify_is_no_signature_oracle() {
    use bedrock_request::sign::{sign_for_service, Signer, VerifyStage};
    let verifier = Credentials::new("AKIDEXAMPLE", "VERIFIERSECRET");
    let now = datetime!(2024-01-15 12:00 UTC);
    let blank = HttpRequest {
        method: "POST".into(),
        url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
        headers: vec![(
            "host".into(),
            "bedrock-runtime.us-east-1.amazonaws.com".into(),
        )],
        body: bedrock_request::Body::new(b"{}".to_vec()),
    };
    // A forger who knows the key id but not the secret.
    let mut forged = blank.clone();
    Signer::new()
        .sign_in_place(
            &mut forged,
            &Credentials::new("AKIDEXAMPLE", "GUESS"),
            "us-east-1",
            now,
            None,
        )
        .unwrap();
    let right = explain(&forged, "VERIFIERSECRET").unwrap().signature;
    match verify(&forged, &verifier, "us-east-1", "bedrock", Some(now)) {
        Verification::Invalid {
            stage: VerifyStage::Signature,
            detail,
        } => {
            assert!(!detail.contains(&right), "{detail}");
            let hex64 = detail
                .split(|c: char| !c.is_ascii_hexdigit())
                .any(|w| w.len() == 64 && w != bedrock_request::sign::sha256_hex(b"{}"));
            assert!(!hex64, "no signature-like value: {detail}");
        }
        other => panic!("{other:?}"),
    }
    // Copying the right signature in is what a valid request looks like (the control).
    let auth = forged.header("authorization").unwrap().to_owned();
    let fixed = auth.rsplit_once("Signature=").unwrap().0.to_owned() + "Signature=" + &right;
    for (k, v) in forged.headers.iter_mut() {
        if k == "authorization" {
            *v = fixed.clone();
        }
    }
    assert_eq!(
        verify(&forged, &verifier, "us-east-1", "bedrock", Some(now)),
        Verification::Valid
    );
    // Another key id: the verifier's is not named.
    let mut other = blank.clone();
    Signer::new()
        .sign_in_place(
            &mut other,
            &Credentials::new("AKIDOTHER", "x"),
            "us-east-1",
            now,
            None,
        )
        .unwrap();
    match verify(&other, &verifier, "us-east-1", "bedrock", Some(now)) {
        Verification::Invalid {
            stage: VerifyStage::AccessKey,
            detail,
        } => assert!(!detail.contains("AKIDEXAMPLE"), "{detail}"),
        v => panic!("{v:?}"),
    }
    // Signed with the verifier's own key, but for STS in eu-west-1: not a Bedrock request here.
    let mut sts = blank.clone();
    sign_for_service(&mut sts, &verifier, "eu-west-1", "sts", now).unwrap();
    assert!(matches!(
        verify(&sts, &verifier, "us-east-1", "bedrock", Some(now)),
        Verification::Invalid {
            stage: VerifyStage::Scope,
            ..
        }
    ));
    assert_eq!(
        verify(&sts, &verifier, "eu-west-1", "sts", Some(now)),
        Verification::Valid
    );
}

/// One reading of a URL everywhere: a query right after the host (`https://h?Action=X`) is
/// the request line's `/?Action=X`, the signature's query, and `http::Request`'s; a fragment is
/// in none of them. aws-sigv4 signs the same (found by an adversarial run: the query was
/// signed empty and left off the raw request while `http::Request` sent it).
#[test]
fn a_query_right_after_the_host_is_signed_and_sent() {
    use bedrock_request::sign::{sign_for_service, CanonicalRequest};
    let creds = Credentials::new("AKIDEXAMPLE", "SECRET");
    let now = datetime!(2024-01-15 12:00 UTC);
    for (url, target, canonical_query) in [
        (
            "https://sts.amazonaws.com?Version=2011-06-15&Action=X",
            "/?Version=2011-06-15&Action=X",
            "Action=X&Version=2011-06-15",
        ),
        (
            "https://sts.amazonaws.com/?Action=X#frag",
            "/?Action=X",
            "Action=X",
        ),
        ("https://sts.amazonaws.com#frag", "/", ""),
        ("https://sts.amazonaws.com", "/", ""),
    ] {
        let mut request = HttpRequest {
            method: "GET".into(),
            url: url.into(),
            headers: vec![("host".into(), "sts.amazonaws.com".into())],
            body: bedrock_request::Body::new(vec![]),
        };
        assert_eq!(request.path_and_query(), target, "{url}");
        let reference =
            crate::util::signed_by_aws_sigv4(&request, &creds, "us-east-1", "sts", now).unwrap();
        sign_for_service(&mut request, &creds, "us-east-1", "sts", now).unwrap();
        assert_eq!(
            request.header("authorization"),
            reference.header("authorization"),
            "{url}"
        );
        let canonical = CanonicalRequest::of(&request).unwrap().text();
        assert_eq!(canonical.lines().nth(2), Some(canonical_query), "{url}");
        let raw = String::from_utf8(request.to_http()).unwrap();
        assert!(
            raw.starts_with(&format!("GET {target} HTTP/1.1\r\n")),
            "{raw}"
        );
        let http = http::Request::try_from(request).unwrap();
        assert_eq!(
            http.uri().path_and_query().unwrap().as_str(),
            target,
            "{url}"
        );
    }
}

/// A header value with a byte past ASCII that is not UTF-8 (HTTP's obs-text, as a proxy may
/// add in Latin-1) does not hide the response: a 429 behind it is still classified (it was
/// refused whole: "the head is not UTF-8").
#[test]
fn an_obs_text_header_value_does_not_hide_the_response() {
    let mut raw = b"HTTP/1.1 429 Too Many Requests\r\nx-proxy-note: caf".to_vec();
    raw.push(0xE9);
    raw.extend_from_slice(b"\r\nx-amzn-errortype: ThrottlingException\r\ncontent-type: application/json\r\n\r\n{\"message\":\"Too many tokens\"}");
    let response = HttpResponse::parse(&raw).unwrap();
    assert_eq!(response.status, 429);
    assert_eq!(response.header("x-proxy-note"), Some("caf\u{fffd}"));
    let e = bedrock_request::parse::response(
        response.status,
        &response.headers,
        &response.body,
        &bedrock_request::FinishReasonPolicy::Any,
    )
    .unwrap_err();
    assert_eq!(
        e.aws().unwrap().kind,
        bedrock_request::parse::AwsErrorKind::Throttling,
        "{e}"
    );
}

/// Issue 25, item 11: an API key or a session token never goes to a plain-HTTP endpoint off
/// this machine unless the caller says so; SigV4 without a token, https and loopback are fine.
#[test]
fn secrets_do_not_travel_in_clear_text_unless_allowed() {
    use bedrock_request::{Auth, Secret};
    let now = datetime!(2024-01-15 12:00 UTC);
    let key = Auth::Bearer(Secret::new("ABSKkey"));
    let token = Auth::SigV4(Credentials::new("AKID", "SECRET").with_session_token("TOKEN"));
    let plain = Auth::SigV4(Credentials::new("AKID", "SECRET"));
    let build = |endpoint: &str| {
        let config = ClientConfig::builder()
            .model("m")
            .region("us-east-1")
            .endpoint_url(endpoint)
            .build()
            .unwrap();
        converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
            .build()
            .unwrap()
    };
    for auth in [&key, &token] {
        let e = build("http://proxy.example:8080")
            .sign(auth, now)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("would travel in clear text to http://proxy.example:8080"),
            "{e}"
        );
        for fine in [
            "https://proxy.example",
            "http://127.0.0.1:9",
            "http://[::1]:9",
            "http://localhost:9",
        ] {
            build(fine).sign(auth, now).unwrap();
        }
        let signed = build("HTTP://proxy.example")
            .allow_cleartext()
            .sign(auth, now)
            .unwrap();
        assert!(signed.headers.iter().any(|(k, _)| k == "authorization"));
        assert!(build("HTTP://proxy.example").sign(auth, now).is_err());
    }
    build("http://proxy.example").sign(&plain, now).unwrap();
}
