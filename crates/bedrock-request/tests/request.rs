//! URLs, regions, endpoints, headers, credentials and the request's renderings.

use bedrock_request::{
    converse, credentials, Auth, ClientConfig, Credentials, Env, ErrorKind, HttpRequest, Message,
    Secret,
};
use time::macros::datetime;

use crate::util::config;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn url(config: &ClientConfig, env: &Env) -> String {
    converse::Builder::new(config, &[Message::user("hi")], env)
        .build()
        .unwrap()
        .preview()
        .url
        .clone()
}

fn signed(config: &ClientConfig, env: &Env) -> HttpRequest {
    let unsigned = converse::Builder::new(config, &[Message::user("hi")], env)
        .build()
        .unwrap();
    let auth = credentials::resolve_static(config, env)
        .unwrap()
        .unwrap()
        .auth;
    unsigned
        .sign(&auth, datetime!(2024-01-15 12:34:56 UTC))
        .unwrap()
}

#[test]
fn the_model_id_is_one_path_label() {
    for (model, path) in [
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            "anthropic.claude-3-haiku-20240307-v1%3A0",
        ),
        ("us.amazon.nova-pro-v1:0", "us.amazon.nova-pro-v1%3A0"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc",
        ),
        ("a b+c?d#e%f~g_h", "a%20b%2Bc%3Fd%23e%25f~g_h"),
        ("ü", "%C3%BC"),
    ] {
        let c = ClientConfig::builder()
            .model(model)
            .region("us-east-1")
            .build()
            .unwrap();
        assert_eq!(
            url(&c, &Env::new()),
            format!("https://bedrock-runtime.us-east-1.amazonaws.com/model/{path}/converse")
        );
    }
}

#[test]
fn region_comes_from_the_option_then_aws_region_then_aws_default_region() {
    let no_region = config(r#"{"model":"m"}"#);
    let both = Env::from_iter([
        ("AWS_REGION", "eu-west-1"),
        ("AWS_DEFAULT_REGION", "eu-west-2"),
    ]);
    assert!(url(&no_region, &both).starts_with("https://bedrock-runtime.eu-west-1.amazonaws.com/"));
    let default_only = Env::from_iter([("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "eu-west-2")]);
    assert!(url(&no_region, &default_only)
        .starts_with("https://bedrock-runtime.eu-west-2.amazonaws.com/"));
    let with_option = config(r#"{"model":"m","region":"ap-south-1"}"#);
    assert!(
        url(&with_option, &both).starts_with("https://bedrock-runtime.ap-south-1.amazonaws.com/")
    );
    let e = converse::Builder::new(&no_region, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Request);
    assert_eq!(
        e.to_string(),
        "no region: set `region` in the client options, or the AWS_REGION (or AWS_DEFAULT_REGION) environment variable"
    );
    let e = converse::Builder::new(
        &no_region,
        &[Message::user("hi")],
        &Env::from_iter([("AWS_REGION", "US East")]),
    )
    .build()
    .unwrap_err();
    assert!(e.to_string().ends_with("(from AWS_REGION)"), "{e}");
    let china = config(r#"{"model":"m","region":"cn-north-1"}"#);
    assert!(url(&china, &Env::new())
        .starts_with("https://bedrock-runtime.cn-north-1.amazonaws.com.cn/"));
}

#[test]
fn endpoint_comes_from_the_option_then_the_service_variable_then_the_global_one() {
    let plain = config(r#"{"model":"m","region":"us-east-1"}"#);
    let with_option =
        config(r#"{"model":"m","region":"us-east-1","endpoint_url":"https://vpce.example.com/x"}"#);
    let env = Env::from_iter([
        (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            "https://service.example.com/s/",
        ),
        ("AWS_ENDPOINT_URL", "https://global.example.com/g"),
    ]);
    assert_eq!(
        url(&with_option, &env),
        "https://vpce.example.com/x/model/m/converse"
    );
    assert_eq!(
        url(&plain, &env),
        "https://service.example.com/s/model/m/converse"
    );
    let global = Env::from_iter([("AWS_ENDPOINT_URL", "https://global.example.com/g")]);
    assert_eq!(
        url(&plain, &global),
        "https://global.example.com/g/model/m/converse"
    );
    let ignored = global
        .clone()
        .with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assert_eq!(
        url(&plain, &ignored),
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse"
    );
    let bad = Env::from_iter([("AWS_ENDPOINT_URL", "localhost:4566")]);
    let e = converse::Builder::new(&plain, &[Message::user("hi")], &bad)
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "AWS_ENDPOINT_URL=\"localhost:4566\" is not usable: it must start with https:// (or http:// for a local proxy)"
    );
}

#[test]
fn the_host_header_matches_the_url_and_is_signed() {
    let c = config(
        r#"{"model":"m","region":"us-east-1","endpoint_url":"http://LOCALHOST:8080","access_key_id":"AKID","secret_access_key":"S"}"#,
    );
    let r = signed(&c, &Env::new());
    assert_eq!(r.url, "http://localhost:8080/model/m/converse");
    assert_eq!(r.header("host"), Some("localhost:8080"));
    assert!(r
        .header("authorization")
        .unwrap()
        .contains("SignedHeaders=content-type;host;x-amz-date,"));
}

#[test]
fn signed_headers_in_order_with_and_without_a_session_token() {
    let c = config(&format!(
        r#"{{"model":"m","region":"us-east-1","access_key_id":"AKIDEXAMPLE","secret_access_key":"{SECRET}"}}"#
    ));
    let names: Vec<String> = signed(&c, &Env::new())
        .headers
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        names,
        ["content-type", "host", "x-amz-date", "authorization"]
    );
    let c = config(&format!(
        r#"{{"model":"m","region":"us-east-1","access_key_id":"ASIA","secret_access_key":"{SECRET}","session_token":"TOKEN"}}"#
    ));
    let r = signed(&c, &Env::new());
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "content-type",
            "host",
            "x-amz-date",
            "x-amz-security-token",
            "authorization"
        ]
    );
    assert_eq!(r.header("x-amz-security-token"), Some("TOKEN"));
    assert!(r
        .header("authorization")
        .unwrap()
        .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
    assert!(r.header("x-amz-content-sha256").is_none());
}

#[test]
fn signing_is_deterministic_and_time_dependent() {
    let c = config(&format!(
        r#"{{"model":"m","region":"us-east-1","access_key_id":"AKIDEXAMPLE","secret_access_key":"{SECRET}"}}"#
    ));
    let unsigned = converse::Builder::new(&c, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap();
    let auth = Auth::SigV4(Credentials::new("AKIDEXAMPLE", SECRET));
    let a = unsigned
        .clone()
        .sign(&auth, datetime!(2024-01-15 12:34:56 UTC))
        .unwrap();
    let b = unsigned
        .clone()
        .sign(&auth, datetime!(2024-01-15 12:34:56 UTC))
        .unwrap();
    let later = unsigned
        .clone()
        .sign(&auth, datetime!(2024-01-15 12:34:57 UTC))
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a.header("authorization"), later.header("authorization"));
    // An offset time is the same instant: same signature.
    let offset = unsigned
        .clone()
        .sign(&auth, datetime!(2024-01-15 14:34:56 +02:00))
        .unwrap();
    assert_eq!(a, offset);
    // The preview is the same request minus the signing headers.
    assert_eq!(unsigned.preview().headers[..], a.headers[..2]);
    assert_eq!(unsigned.preview().body, a.body);
}

#[test]
fn numbers_are_sent_as_written() {
    let expected = r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":1000,"temperature":0.70,"topP":1e-1},"additionalModelRequestFields":{"top_k":250,"x":1.50}}"#;
    let src = "client<llm> C {\n provider aws-bedrock\n options {\n model m\n region us-east-1\n inference_configuration {\n temperature 0.70\n top_p 1e-1\n max_tokens 1000\n }\n additional_model_request_fields { top_k 250, x 1.50 }\n }\n}";
    let json = r#"{"model":"m","region":"us-east-1","inference_configuration":{"temperature":0.70,"top_p":1e-1,"max_tokens":1000},"additional_model_request_fields":{"top_k":250,"x":1.50}}"#;
    for config in [
        ClientConfig::from_baml(src, "C", &Env::new()).unwrap(),
        config(json),
    ] {
        let body = converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
            .build()
            .unwrap()
            .into_preview()
            .body;
        assert_eq!(body.as_str().unwrap(), expected);
    }
}

#[test]
fn credentials_precedence() {
    let env_keys = Env::from_iter([
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ("AWS_SESSION_TOKEN", "ENVTOKEN"),
    ]);
    let bearer = env_keys
        .clone()
        .with("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-XYZ");
    let explicit =
        config(r#"{"model":"m","access_key_id":"OPTKEY","secret_access_key":"OPTSECRET"}"#);
    let plain = config(r#"{"model":"m"}"#);
    let profile = config(r#"{"model":"m","profile":"dev"}"#);

    // Explicit keys beat everything in the environment.
    let r = credentials::resolve_static(&explicit, &bearer)
        .unwrap()
        .unwrap();
    assert_eq!(r.source.as_str(), "explicit");
    assert!(
        matches!(&r.auth, Auth::SigV4(c) if c.access_key_id() == "OPTKEY" && c.session_token().is_none())
    );
    // A Bedrock API key in the environment beats environment keys.
    let r = credentials::resolve_static(&plain, &bearer)
        .unwrap()
        .unwrap();
    assert_eq!(r.auth, Auth::Bearer(Secret::new("bedrock-api-key-XYZ")));
    // Environment keys, with the session token.
    let r = credentials::resolve_static(&plain, &env_keys)
        .unwrap()
        .unwrap();
    assert_eq!(r.source.as_str(), "environment");
    assert!(
        matches!(&r.auth, Auth::SigV4(c) if c.access_key_id() == "ENVKEY" && c.session_token().unwrap().expose() == "ENVTOKEN")
    );
    // An explicit profile is explicit configuration: environment keys do not override it.
    assert_eq!(
        credentials::resolve_static(&profile, &bearer).unwrap(),
        None
    );
    // (The profile itself is read by credentials::Chain; see tests/credentials.rs.)
    // Nothing at all.
    assert_eq!(
        credentials::resolve_static(&plain, &Env::new()).unwrap(),
        None
    );
    assert!(credentials::no_credentials_error()
        .to_string()
        .starts_with("no credentials found"));
    // Half a key pair in the environment is an error naming the missing variable.
    let e = credentials::resolve_static(&plain, &Env::from_iter([("AWS_ACCESS_KEY_ID", "K")]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e
        .to_string()
        .starts_with("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
}

#[test]
fn a_bedrock_api_key_replaces_sigv4() {
    let c = config(r#"{"model":"m","region":"us-east-1"}"#);
    let env = Env::from_iter([("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-abc")]);
    let r = signed(&c, &env);
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["content-type", "host", "authorization"]);
    assert_eq!(
        r.header("authorization"),
        Some("Bearer bedrock-api-key-abc")
    );
    let unsigned = converse::Builder::new(&c, &[Message::user("hi")], &env)
        .build()
        .unwrap();
    let e = unsigned
        .sign(
            &Auth::Bearer(Secret::new("a\r\nx-evil: 1")),
            datetime!(2024-01-15 0:00 UTC),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
}

#[test]
fn debug_output_redacts_secrets() {
    let c = config(&format!(
        r#"{{"model":"m","region":"us-east-1","access_key_id":"AKIDEXAMPLE","secret_access_key":"{SECRET}","session_token":"TOKENVALUE"}}"#
    ));
    let r = signed(&c, &Env::new());
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("TOKENVALUE") && !shown.contains("Signature=") && !shown.contains(SECRET),
        "{shown}"
    );
    assert!(
        shown.contains(r#"("authorization", "<redacted>")"#),
        "{shown}"
    );
    let bearer = Env::from_iter([("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-SECRETKEY")]);
    let shown = format!(
        "{:?} {:?}",
        signed(&config(r#"{"model":"m","region":"us-east-1"}"#), &bearer),
        bearer
    );
    assert!(!shown.contains("SECRETKEY"), "{shown}");
    let resolved = credentials::resolve_static(&c, &Env::new()).unwrap();
    assert!(!format!("{resolved:?}").contains("TOKENVALUE"));
}

#[test]
fn converts_to_http_request_and_renders_as_curl_and_raw_http() {
    let c = config(&format!(
        r#"{{"model":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-east-1","access_key_id":"AKIDEXAMPLE","secret_access_key":"{SECRET}"}}"#
    ));
    let r = converse::Builder::new(&c, &[Message::user("it's \"quoted\"")], &Env::new())
        .build()
        .unwrap()
        .sign(
            &Auth::SigV4(Credentials::new("AKIDEXAMPLE", SECRET)),
            datetime!(2024-01-15 12:34:56 UTC),
        )
        .unwrap();

    let h: http::Request<Vec<u8>> = r.clone().try_into().unwrap();
    assert_eq!(h.method(), http::Method::POST);
    assert_eq!(
        h.uri().path(),
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert_eq!(
        h.headers()["host"],
        "bedrock-runtime.us-east-1.amazonaws.com"
    );
    assert_eq!(
        h.headers()["authorization"],
        r.header("authorization").unwrap()
    );
    assert_eq!(h.body(), r.body.as_bytes());

    let curl = r.to_curl();
    assert!(curl.starts_with(r#"printf '%s' '{"messages":[{"role":"user","content":[{"text":"it'\''s \"quoted\""}]}]}' |"#), "{curl}");
    assert!(curl.contains("\ncurl -sS -i --globoff -X POST 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse'"));
    assert!(curl.ends_with("--data-binary @-"), "{curl}");

    let raw = String::from_utf8(r.to_http()).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("POST /model/anthropic.claude-3-haiku-20240307-v1%3A0/converse HTTP/1.1\r\ncontent-type: application/json\r\nhost: bedrock-runtime.us-east-1.amazonaws.com\r\n"));
    assert!(head.ends_with(&format!("content-length: {}", r.body.len())));
    assert_eq!(body.as_bytes(), r.body.as_bytes());

    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["method"], "POST");
    assert_eq!(
        json["headers"][1],
        serde_json::json!(["host", "bedrock-runtime.us-east-1.amazonaws.com"])
    );
    assert_eq!(json["body_text"], r.body.as_str().unwrap());
    assert_eq!(
        json["body"],
        serde_json::Value::from(r.body.json().unwrap())
    );
}

#[test]
fn more_endpoint_and_credential_sources() {
    let plain = config(r#"{"model":"m","region":"us-east-1"}"#);
    // An empty service variable is unset: the global one applies.
    let env = Env::from_iter([
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", ""),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:80/p"),
    ]);
    let r = converse::Builder::new(&plain, &[Message::user("hi")], &env)
        .build()
        .unwrap()
        .into_preview();
    assert_eq!(r.url, "http://127.0.0.1/p/model/m/converse");
    assert_eq!(r.header("host"), Some("127.0.0.1"));
    // FIPS, and partitions other than aws.
    let fips = Env::from_iter([("AWS_USE_FIPS_ENDPOINT", "true")]);
    assert!(url(&plain, &fips).starts_with("https://bedrock-runtime-fips.us-east-1.amazonaws.com/"));
    let iso = config(r#"{"model":"m","region":"us-isob-east-1"}"#);
    assert!(
        url(&iso, &Env::new()).starts_with("https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov/")
    );
    let dual = Env::from_iter([("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
    let e = converse::Builder::new(&plain, &[Message::user("hi")], &dual)
        .build()
        .unwrap_err();
    assert!(
        e.to_string().starts_with("AWS_USE_DUALSTACK_ENDPOINT=true"),
        "{e}"
    );
    // botocore's legacy name for the session token.
    let legacy = Env::from_iter([
        ("AWS_ACCESS_KEY_ID", "K"),
        ("AWS_SECRET_ACCESS_KEY", "S"),
        ("AWS_SECURITY_TOKEN", "LEGACY"),
    ]);
    let r = credentials::resolve_static(&plain, &legacy)
        .unwrap()
        .unwrap();
    assert!(matches!(&r.auth, Auth::SigV4(c) if c.session_token().unwrap().expose() == "LEGACY"));
}

#[test]
fn unusable_times_and_credentials_are_errors_not_panics() {
    let c = config(r#"{"model":"m","region":"us-east-1"}"#);
    let unsigned = converse::Builder::new(&c, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap();
    let good = Auth::SigV4(Credentials::new("AKID", "SECRET"));
    let e = unsigned
        .clone()
        .sign(&good, datetime!(1969-12-31 23:59:59 UTC))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signing);
    assert!(e.to_string().contains("must not be before 1970"), "{e}");
    for (auth, what) in [
        (
            Auth::SigV4(Credentials::new("AKID\r\nx-evil: 1", "SECRET")),
            "the access key id",
        ),
        (
            Auth::SigV4(Credentials::new("", "SECRET")),
            "the access key id is empty",
        ),
        (
            Auth::SigV4(Credentials::new("AKID", "SECRET\n")),
            "the secret access key",
        ),
        (
            Auth::SigV4(Credentials::new("AKID", "SECRET").with_session_token("TOK EN")),
            "the session token",
        ),
        (Auth::Bearer(Secret::new("key\u{0}")), "the Bedrock API key"),
        (
            Auth::Bearer(Secret::new("")),
            "the Bedrock API key is empty",
        ),
    ] {
        let e = unsigned
            .clone()
            .sign(&auth, datetime!(2024-01-15 0:00 UTC))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.to_string().starts_with(what), "{e}");
        assert!(
            !e.to_string().contains("SECRET") && !e.to_string().contains("evil"),
            "{e}"
        );
    }
}
