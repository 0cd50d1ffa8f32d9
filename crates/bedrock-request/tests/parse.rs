//! Converse responses, AWS errors, finish reasons, signature diagnosis, structured output.

use bedrock_request::structured::parse as structured;

use bedrock_request::parse::{
    self, clock_offset, AwsError, AwsErrorKind, SignaturePart, StopReason, ValidationCase,
};
use bedrock_request::sign::{string_to_sign, CanonicalRequest};
use bedrock_request::{
    converse, credentials, Auth, ClientConfig, Env, ErrorKind, FinishReasonPolicy, HttpRequest,
    Message,
};
use time::macros::datetime;

use crate::common::{mismatch_message, repo_path};

fn body(content: &str, rest: &str) -> Vec<u8> {
    format!(r#"{{"output":{{"message":{{"role":"assistant","content":[{content}]}}}}{rest}}}"#)
        .into_bytes()
}

fn ok(bytes: &[u8]) -> parse::Completion {
    parse::response(200, &[], bytes, &FinishReasonPolicy::Any).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_documented_stop_reason_and_unknown_ones() {
    for (wire, expected) in [
        ("end_turn", StopReason::EndTurn),
        ("tool_use", StopReason::ToolUse),
        ("max_tokens", StopReason::MaxTokens),
        ("stop_sequence", StopReason::StopSequence),
        ("guardrail_intervened", StopReason::GuardrailIntervened),
        ("content_filtered", StopReason::ContentFiltered),
        ("malformed_model_output", StopReason::MalformedModelOutput),
        ("malformed_tool_use", StopReason::MalformedToolUse),
        (
            "model_context_window_exceeded",
            StopReason::ModelContextWindowExceeded,
        ),
        (
            "brand_new_reason",
            StopReason::Other("brand_new_reason".into()),
        ),
    ] {
        let c = ok(&body(
            r#"{"text":"x"}"#,
            &format!(r#","stopReason":"{wire}""#),
        ));
        assert_eq!(c.stop_reason.as_ref(), Some(&expected));
        assert_eq!(expected.as_str(), wire);
    }
    assert_eq!(ok(&body(r#"{"text":"x"}"#, "")).stop_reason, None);
}

#[test]
fn a_full_response_parses_into_every_field() {
    let c = ok(&body(
        r#"{"reasoningContent":{"reasoningText":{"text":"Let me think.","signature":"EqQBCkgIARABGAIiQ"}}},
           {"reasoningContent":{"redactedContent":"AQIDBP8="}},
           {"text":"The answer "},
           {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris","days":[1,2]}}},
           {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}},
           {"text":"is 42."}"#,
        r#","stopReason":"tool_use",
           "usage":{"inputTokens":10,"outputTokens":20,"totalTokens":30,"cacheReadInputTokens":5,"cacheWriteInputTokens":7},
           "metrics":{"latencyMs":1234},
           "additionalModelResponseFields":{"stop_sequence":null},
           "trace":{"guardrail":{"modelOutput":["x"]}}"#,
    ));
    assert_eq!(c.text, "The answer is 42.");
    assert_eq!(c.reasoning().len(), 2);
    assert_eq!(c.reasoning()[0].text.as_deref(), Some("Let me think."));
    assert_eq!(
        c.reasoning()[0].signature.as_deref(),
        Some("EqQBCkgIARABGAIiQ")
    );
    assert!(!c.reasoning()[0].is_redacted());
    assert_eq!(
        c.reasoning()[1].redacted.as_deref(),
        Some(&[1u8, 2, 3, 4, 255][..])
    );
    assert_eq!(c.tool_calls().len(), 1);
    assert_eq!(c.tool_calls()[0].id, "tooluse_1");
    assert_eq!(c.tool_calls()[0].name, "get_weather");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(c.tool_calls()[0].input.as_str()).unwrap(),
        serde_json::json!({"city": "Paris", "days": [1, 2]})
    );
    assert_eq!(
        c.content
            .iter()
            .filter_map(|b| match b {
                bedrock_request::parse::ContentBlock::Other(v) => Some(serde_json::Value::from(v)),
                _ => None,
            })
            .collect::<Vec<_>>(),
        vec![serde_json::json!({"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}})]
    );
    let u = c.usage.clone().unwrap();
    assert_eq!(
        (u.input_tokens, u.output_tokens, u.total_tokens),
        (10, 20, 30)
    );
    assert_eq!(
        (u.cache_read_input_tokens, u.cache_write_input_tokens),
        (Some(5), Some(7))
    );
    assert_eq!(c.latency_ms, Some(1234));
    assert_eq!(
        c.additional_model_response_fields
            .as_ref()
            .map(serde_json::Value::from),
        Some(serde_json::json!({"stop_sequence": null}))
    );
    assert_eq!(
        c.trace.as_ref().map(serde_json::Value::from),
        Some(serde_json::json!({"guardrail":{"modelOutput":["x"]}}))
    );
    let j: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
    // The indented form is the same JSON.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&c.to_json_pretty()).unwrap(),
        j
    );
    assert_eq!(j["text"], "The answer is 42.");
    assert_eq!(j["stop_reason"], "tool_use");
    assert_eq!(j["usage"]["cache_read_input_tokens"], 5);
    assert_eq!(j["tool_calls"][0]["name"], "get_weather");
    assert_eq!(j["reasoning"][1]["redacted"], "<5 bytes>");
}

#[test]
fn responses_without_text_are_fine() {
    let tool_only = ok(&body(
        r#"{"toolUse":{"toolUseId":"t","name":"n","input":{}}}"#,
        r#","stopReason":"tool_use""#,
    ));
    assert_eq!(tool_only.text, "");
    let reasoning_only = ok(&body(
        r#"{"reasoningContent":{"reasoningText":{"text":"hmm"}}}"#,
        "",
    ));
    assert_eq!(reasoning_only.text, "");
    assert_eq!(ok(&body("", "")).text, "");
}

#[test]
fn malformed_bodies_are_clear_errors_never_panics() {
    let good = body(
        r#"{"text":"hi"},{"reasoningContent":{"redactedContent":"AQID"}}"#,
        r#","stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}"#,
    );
    for end in 0..good.len() {
        let e = parse::converse_body(&good[..end]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
        assert!(
            e.to_string().starts_with("not a Converse response: "),
            "{e}"
        );
    }
    for (bad, why) in [
        (&b"[]"[..], "the body is not a JSON object"),
        (b"{}", "output.message.content is missing"),
        (br#"{"output":{"message":{"content":{}}}}"#, "output.message.content is not an array"),
        (br#"{"output":{"message":{"content":[{"text":5}]}}}"#, "a text block is not a string"),
        (br#"{"output":{"message":{"content":[{"toolUse":{"name":"n"}}]}}}"#, "toolUse.toolUseId is missing"),
        (br#"{"output":{"message":{"content":[]}},"usage":{"inputTokens":-1}}"#, "inputTokens is not a non-negative integer"),
        (br#"{"output":{"message":{"content":[{"reasoningContent":{"redactedContent":"@@"}}]}}}"#, "redactedContent is not valid base64"),
        (b"\xff\xfe", "the body is not UTF-8"),
    ] {
        let e = parse::converse_body(bad).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
    }
}

#[test]
fn finish_reason_policy() {
    let max = body(r#"{"text":"cut"}"#, r#","stopReason":"max_tokens""#);
    let allow = FinishReasonPolicy::Allow(vec!["END_TURN".into()]);
    let e = parse::response(200, &[], &max, &allow).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FinishReason);
    assert_eq!(e.to_string(), "Finish reason not allowed: max_tokens");
    let detail = e.finish_reason().unwrap();
    assert_eq!(detail.finish_reason, "max_tokens");
    assert_eq!(detail.raw_output, "cut");
    assert!(!e.is_retryable());
    // Case-insensitive allow list passes end_turn.
    let end = body(r#"{"text":"ok"}"#, r#","stopReason":"end_turn""#);
    assert!(parse::response(200, &[], &end, &allow).is_ok());
    // Deny list.
    let deny = FinishReasonPolicy::Deny(vec!["Max_Tokens".into()]);
    assert_eq!(
        parse::response(200, &[], &max, &deny).unwrap_err().kind(),
        ErrorKind::FinishReason
    );
    assert!(parse::response(200, &[], &end, &deny).is_ok());
    // A missing finish reason is allowed by both.
    let none = body(r#"{"text":"?"}"#, "");
    assert!(parse::response(200, &[], &none, &allow).is_ok());
    assert!(parse::response(200, &[], &none, &deny).is_ok());
}

fn classify(status: u16, headers: &[(&str, &str)], body: &str) -> AwsError {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let e =
        parse::response(status, &headers, body.as_bytes(), &FinishReasonPolicy::Any).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Aws);
    e.aws().unwrap().clone()
}

#[test]
fn every_error_kind_from_header_or_body() {
    use AwsErrorKind as K;
    let cases: Vec<(u16, &str, &str, K, bool)> = vec![
        (403, "AccessDeniedException", "User: arn:aws:iam::123:user/x is not authorized to perform: bedrock:InvokeModel", K::AccessDenied, false),
        (403, "UnrecognizedClientException", "The security token included in the request is invalid.", K::UnrecognizedClient, false),
        (403, "ExpiredTokenException", "The security token included in the request is expired", K::ExpiredToken, false),
        (403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", K::SignatureMismatch, false),
        (403, "InvalidSignatureException", "Signature expired: 20240115T120000Z is now earlier than 20240115T122000Z (20240115T123500Z - 15 min.)", K::ClockSkew, true),
        (403, "IncompleteSignatureException", "Authorization header requires 'Signature' parameter.", K::MissingAuthentication, false),
        (403, "MissingAuthenticationTokenException", "Missing Authentication Token", K::MissingAuthentication, false),
        (400, "ValidationException", "The provided model identifier is invalid.", K::Validation(ValidationCase::InvalidModelIdentifier), false),
        (400, "ValidationException", "Model is not supported in this Region", K::Validation(ValidationCase::ModelNotSupportedInRegion), false),
        (400, "ValidationException", "Account is not authorized to use model", K::Validation(ValidationCase::AccountNotAuthorizedForModel), false),
        (400, "ValidationException", "Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.", K::Validation(ValidationCase::OnDemandThroughputNotSupported), false),
        (400, "ValidationException", "A conversation must start with a user message.", K::Validation(ValidationCase::Other), false),
        (429, "ThrottlingException", "Too many tokens, please wait before trying again.", K::Throttling, true),
        (400, "ServiceQuotaExceededException", "Quota exceeded", K::ServiceQuotaExceeded, false),
        // botocore's standard mode does not retry it (issue 26): neither does `retryable`.
        (408, "ModelTimeoutException", "Model has timed out in processing the request.", K::ModelTimeout, false),
        (429, "ModelNotReadyException", "Model is not ready", K::ModelNotReady, true),
        (424, "ModelErrorException", "The model returned an error", K::ModelError, false),
        (404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier.", K::ResourceNotFound, false),
        (500, "InternalServerException", "Internal server error", K::InternalServer, true),
        (503, "ServiceUnavailableException", "Bedrock is unable to process your request.", K::ServiceUnavailable, true),
        (418, "TeapotException", "I'm a teapot", K::Other, false),
    ];
    for (status, code, message, kind, retryable) in cases {
        let escaped = serde_json::to_string(message).unwrap();
        // 1. The code in x-amzn-errortype (with AWS's ':' suffix), lowercase `message`.
        let header_code = format!("{code}:http://internal.amazon.com/coral/com.amazon.bedrock/");
        let a = classify(
            status,
            &[
                ("x-amzn-errortype", &header_code),
                ("x-amzn-requestid", "req-1"),
            ],
            &format!(r#"{{"message":{escaped}}}"#),
        );
        // 2. The code in the body's __type (namespaced), capitalised `Message`.
        let b = classify(
            status,
            &[],
            &format!(r#"{{"__type":"com.amazon.coral.service#{code}","Message":{escaped}}}"#),
        );
        // 3. The code in the body's `code`.
        let c = classify(
            status,
            &[],
            &format!(r#"{{"code":"{code}","message":{escaped}}}"#),
        );
        for e in [&a, &b, &c] {
            assert_eq!(e.kind, kind, "{code}: {message}");
            assert_eq!(e.code, code);
            assert_eq!(e.message, message);
            assert_eq!(e.status, Some(status), "the status is never rewritten");
            assert_eq!(e.retryable, retryable, "{code}");
            assert!(!e.hint.is_empty());
        }
        assert_eq!(a.request_id.as_deref(), Some("req-1"));
        assert!(a
            .to_string()
            .starts_with(&format!("{code} (HTTP {status}): ")));
        assert!(a.to_string().ends_with("[request id req-1]"));
    }
    // Hints carry the seed's advice.
    let on_demand = classify(
        400,
        &[("x-amzn-errortype", "ValidationException")],
        r#"{"message":"Invocation of model ID x with on-demand throughput isn't supported."}"#,
    );
    assert!(on_demand.hint.contains("use an inference profile id"));
    let access = classify(
        403,
        &[("x-amzn-errortype", "AccessDeniedException")],
        r#"{"message":"no"}"#,
    );
    assert!(access.hint.contains("check IAM permissions"));
    // A non-JSON body still gives an error with the status and the text.
    let html = classify(502, &[], "<html>Bad Gateway</html>");
    assert_eq!(
        (html.code.as_str(), html.message.as_str(), html.status),
        ("HTTP502", "<html>Bad Gateway</html>", Some(502))
    );
    assert!(html.retryable);
}

#[test]
fn clock_skew_is_measured() {
    let e = classify(
        403,
        &[("x-amzn-errortype", "InvalidSignatureException")],
        r#"{"message":"Signature expired: 20240115T120000Z is now earlier than 20240115T122000Z (20240115T123500Z - 15 min.)"}"#,
    );
    let skew = e.clock_skew.unwrap();
    assert_eq!(skew.signed_at, datetime!(2024-01-15 12:00:00 UTC));
    assert_eq!(skew.offset(), time::Duration::minutes(35));
    let e = classify(
        403,
        &[("x-amzn-errortype", "InvalidSignatureException")],
        r#"{"message":"Signature not yet current: 20240115T130000Z is still later than 20240115T122500Z (20240115T121000Z + 15 min.)"}"#,
    );
    assert_eq!(e.kind, AwsErrorKind::ClockSkew);
    assert_eq!(e.clock_skew.unwrap().offset(), -time::Duration::minutes(50));
    assert_eq!(
        clock_offset(
            "Mon, 15 Jan 2024 12:35:00 GMT",
            datetime!(2024-01-15 12:00:00 UTC)
        )
        .unwrap(),
        time::Duration::minutes(35)
    );
    assert_eq!(
        clock_offset("yesterday", datetime!(2024-01-15 12:00:00 UTC))
            .unwrap_err()
            .kind(),
        ErrorKind::Response
    );
    assert!(clock_offset(
        "Mon, 32 Jan 2024 12:35:00 GMT",
        datetime!(2024-01-15 12:00:00 UTC)
    )
    .is_err());
}

/// The vector's request, signed by us, and botocore's canonical request / string to sign.
fn signed_vector(name: &str) -> (HttpRequest, String, String) {
    let text = std::fs::read_to_string(repo_path(&format!("vectors/bedrock/{name}.json"))).unwrap();
    let ordered = bedrock_request::Value::from_json_str(&text).unwrap();
    let input = ordered.get("input").unwrap();
    let config = ClientConfig::from_options(input.get("options").unwrap(), None).unwrap();
    let messages =
        bedrock_request::prompt::messages_from_json(&input.get("messages").unwrap().to_json())
            .unwrap();
    let env: Env = match input.get("env").unwrap() {
        bedrock_request::Value::Object(vars) => vars
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect(),
        _ => unreachable!(),
    };
    let auth = credentials::resolve_static(&config, &env)
        .unwrap()
        .unwrap()
        .auth;
    let tools = input
        .get("tools")
        .map(|t| converse::Tools::from_json(&t.to_json()).unwrap());
    let mut builder = converse::Builder::new(&config, &messages, &env);
    if let Some(tools) = &tools {
        builder = builder.tools(tools);
    }
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let unsigned = match json["input"]["operation"].as_str() {
        Some("converse-stream") => builder
            .operation(converse::Operation::ConverseStream)
            .build(),
        Some("count-tokens") => builder.operation(converse::Operation::CountTokens).build(),
        _ => builder.build(),
    };
    let signed = unsigned
        .unwrap()
        .sign(&auth, datetime!(2015-08-30 12:36:00 UTC))
        .unwrap();
    (
        signed,
        json["botocore"]["canonical_request"]
            .as_str()
            .unwrap()
            .to_owned(),
        json["botocore"]["string_to_sign"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[test]
fn our_canonical_view_is_botocores_for_every_vector() {
    for entry in std::fs::read_dir(repo_path("vectors/bedrock")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (signed, canonical, sts) = signed_vector(&name);
        assert_eq!(
            CanonicalRequest::of(&signed).unwrap().text(),
            canonical,
            "{name}"
        );
        assert_eq!(string_to_sign(&signed).unwrap(), sts, "{name}");
    }
}

fn diagnose(sent: &HttpRequest, aws_canonical: &str, aws_sts: &str) -> (SignaturePart, String) {
    let headers = vec![(
        "x-amzn-errortype".to_owned(),
        "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/"
            .to_owned(),
    )];
    let e = parse::response_to(
        sent,
        403,
        &headers,
        mismatch_message(aws_canonical, aws_sts).as_bytes(),
        &FinishReasonPolicy::Any,
    )
    .unwrap_err();
    let aws = e.aws().unwrap();
    assert_eq!(aws.kind, AwsErrorKind::SignatureMismatch);
    assert_eq!(aws.status, Some(403));
    let sig = aws.signature.clone().unwrap();
    assert_eq!(sig.expected_canonical_request, aws_canonical);
    assert_eq!(sig.expected_string_to_sign.as_deref(), Some(aws_sts));
    // The diagnosis is in the error's message, not only in a field.
    assert!(
        e.to_string()
            .ends_with(&format!("\ndiagnosis: {}", sig.explanation)),
        "{e}"
    );
    (sig.differs.unwrap(), sig.explanation)
}

#[test]
fn signature_mismatch_names_the_part_that_changed() {
    let (sent, canonical, sts) = signed_vector("model-id-with-colon");
    // A client that decoded %3A to ':' before sending: AWS encodes the ':' once.
    let decoded = canonical.replace("%253A", "%3A");
    let (part, why) = diagnose(&sent, &decoded, &sts);
    assert_eq!(part, SignaturePart::Path);
    assert!(
        why.contains("percent-encoding changed after signing"),
        "{why}"
    );
    // A client that added a charset to content-type.
    let charset = canonical.replace(
        "content-type:application/json",
        "content-type:application/json; charset=utf-8",
    );
    let (part, why) = diagnose(&sent, &charset, &sts);
    assert_eq!(part, SignaturePart::Header("content-type".into()));
    assert!(why.contains("charset"), "{why}");
    // A proxy that changed Host.
    let host = canonical.replace(
        "host:bedrock-runtime.us-east-1.amazonaws.com",
        "host:proxy.internal:8443",
    );
    assert_eq!(
        diagnose(&sent, &host, &sts).0,
        SignaturePart::Header("host".into())
    );
    // A client that re-serialised the body.
    let hash = canonical.lines().last().unwrap();
    let body = canonical.replace(hash, &"0".repeat(64));
    let (part, why) = diagnose(&sent, &body, &sts);
    assert_eq!(part, SignaturePart::PayloadHash);
    assert!(why.contains("body"), "{why}");
    // A dropped signed header.
    let dropped = canonical
        .replace("content-type;host;x-amz-date", "host;x-amz-date")
        .replace("content-type:application/json\n", "");
    assert_eq!(
        diagnose(&sent, &dropped, &sts).0,
        SignaturePart::SignedHeaders
    );
    // The method.
    assert_eq!(
        diagnose(&sent, &canonical.replacen("POST", "PUT", 1), &sts).0,
        SignaturePart::Method
    );
    // Same canonical request, another scope: signed for the wrong region.
    let other_region = sts.replace("us-east-1", "us-west-2");
    assert_eq!(
        diagnose(&sent, &canonical, &other_region).0,
        SignaturePart::Scope
    );
    // Everything equal: the secret key is wrong.
    let (part, why) = diagnose(&sent, &canonical, &sts);
    assert_eq!(part, SignaturePart::SecretKey);
    assert!(why.contains("secret access key"), "{why}");
    // Without the sent request, the echo is still extracted.
    let e = AwsError::from_body(mismatch_message(&canonical, &sts).as_bytes());
    let sig = e.signature.unwrap();
    assert_eq!(sig.expected_canonical_request, canonical);
    assert!(sig.differs.is_none());
}

#[test]
fn structured_output_finds_and_reads_json() {
    use std::collections::BTreeMap;
    let v: Vec<u32> = structured("[1, 2, 3]").unwrap();
    assert_eq!(v, [1, 2, 3]);
    let v: BTreeMap<String, String> =
        structured("Sure! Here is the data:\n```json\n{\"name\": \"Ada\"}\n```\nLet me know.")
            .unwrap();
    assert_eq!(v["name"], "Ada");
    let v: BTreeMap<String, Vec<u8>> =
        structured("I found {\"a\": [1, 2]} in the text, and {\"b\": [3]} too.").unwrap();
    assert_eq!(v["a"], [1, 2]);
    let v: (String, bool) = structured("```\n[\"x\", true]\n```").unwrap();
    assert_eq!(v, ("x".to_owned(), true));
    // Prose with braces that are not JSON before the real value.
    let v: BTreeMap<String, u8> = structured("Use {curly} braces like {this}: {\"n\": 7}").unwrap();
    assert_eq!(v["n"], 7);
    let e = structured::<BTreeMap<String, u8>>("no json at all").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StructuredOutput);
    assert!(
        e.to_string()
            .starts_with("the model's text does not fit the type: the value wanted an object, found \"no json at all\""),
        "{e}"
    );
    let e = structured::<BTreeMap<String, u8>>("{\"n\": 7, \"m\": 300}").unwrap_err();
    assert!(
        e.to_string().contains("field m wanted u8, found 300"),
        "{e}"
    );
}

#[test]
fn the_loop_request_send_parse_runs_end_to_end_offline() {
    // Build and sign, "send" (a canned Converse answer), parse with the config's policy.
    let config = ClientConfig::from_json_str(r#"{"model":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-east-1","access_key_id":"AKIDEXAMPLE","secret_access_key":"S","finish_reason_allow_list":["end_turn"]}"#)
    .unwrap();
    let auth = credentials::resolve_static(&config, &Env::new())
        .unwrap()
        .unwrap()
        .auth;
    let sent = converse::Builder::new(&config, &[Message::user("Give me JSON")], &Env::new())
        .build()
        .unwrap()
        .sign(&auth, datetime!(2024-01-15 12:00:00 UTC))
        .unwrap();
    let answer = body(
        r#"{"text":"```json\n{\"ok\": true}\n```"}"#,
        r#","stopReason":"end_turn""#,
    );
    let completion = parse::response_to(&sent, 200, &[], &answer, config.finish_reason()).unwrap();
    let value: std::collections::BTreeMap<String, bool> = structured(&completion.text).unwrap();
    assert!(value["ok"]);
}

#[test]
fn our_string_to_sign_gives_aws_sigv4s_signature_on_generated_requests() {
    // A small deterministic generator (xorshift): model ids with reserved characters, endpoint
    // prefixes, ports, session tokens, unicode and escaped bodies, several regions and times.
    let mut rng = crate::util::Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = move |n: u64| rng.below(n);
    let pieces = [
        "anthropic",
        ".",
        "-",
        "_",
        "~",
        ":",
        "/",
        " ",
        "%",
        "+",
        "é",
        "v1:0",
        "arn:aws:bedrock",
        "@",
        "=",
    ];
    let prefixes = ["", "/p", "/a/b", "/x%2Fy", "/v1/bedrock-proxy"];
    let regions = ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"];
    for case in 0..500 {
        let model: String = (0..1 + next(6))
            .map(|_| pieces[next(pieces.len() as u64) as usize])
            .collect();
        if model == "." || model == ".." || model.trim().is_empty() {
            continue;
        }
        let region = regions[next(4) as usize];
        let endpoint = match next(3) {
            0 => String::new(),
            1 => format!(
                r#","endpoint_url":"https://gw.example.com{}""#,
                prefixes[next(5) as usize]
            ),
            _ => format!(
                r#","endpoint_url":"http://127.0.0.1:{}{}""#,
                1024 + next(60000),
                prefixes[next(5) as usize]
            ),
        };
        let token = if next(2) == 0 {
            r#","session_token":"IQoJb3JpZ2luX2Vj//+=="#.to_owned() + "\""
        } else {
            String::new()
        };
        let options = format!(
            r#"{{"model":{},"region":"{region}","access_key_id":"AKID{case}","secret_access_key":"secret/{case}+key"{token}{endpoint}}}"#,
            serde_json::to_string(&model).unwrap()
        );
        let config =
            ClientConfig::from_json_str(&options).unwrap_or_else(|e| panic!("{options}: {e}"));
        let text: String = (0..next(40))
            .map(|_| ["a", " ", "\"", "\\", "\n", "é", "🎉", "\t", "{"][next(9) as usize])
            .collect();
        let messages = [Message::user(format!("x{text}"))];
        let now =
            datetime!(2015-08-30 12:36:00 UTC) + time::Duration::seconds(next(400_000_000) as i64);
        let auth = credentials::resolve_static(&config, &Env::new())
            .unwrap()
            .unwrap()
            .auth;
        let unsigned = converse::Builder::new(&config, &messages, &Env::new())
            .build()
            .unwrap();
        let signed = unsigned.clone().sign(&auth, now).unwrap();
        // Our signer against aws-sigv4's own sign() of the same request.
        let Auth::SigV4(creds) = &auth else {
            panic!("case {case}: SigV4 credentials expected")
        };
        let reference =
            crate::util::signed_by_aws_sigv4(unsigned.preview(), creds, region, "bedrock", now)
                .unwrap_or_else(|e| panic!("case {case}: aws-sigv4 refused it: {e}"));
        assert_eq!(signed.headers, reference.headers, "case {case}: {options}");
        // And our canonical view of the signed request gives the same signature.
        let sts = string_to_sign(&signed).unwrap();
        let key = aws_sigv4::sign::v4::generate_signing_key(
            &format!("secret/{case}+key"),
            now.into(),
            region,
            "bedrock",
        );
        let ours = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
        let theirs = signed
            .header("authorization")
            .unwrap()
            .rsplit("Signature=")
            .next()
            .unwrap();
        assert_eq!(
            ours,
            theirs,
            "case {case}: {options}\n{}",
            CanonicalRequest::of(&signed).unwrap().text()
        );
    }
}

#[test]
fn our_signer_and_canonical_view_equal_aws_sigv4_on_10000_generated_requests() {
    use bedrock_request::{Body, Credentials};
    let mut rng = crate::util::Rng::new(0xD1B5_4A32_D192_ED03);
    let mut next = move |n: u64| rng.below(n);
    let path_pieces = [
        "model",
        "arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Aapplication-inference-profile%2Fx",
        "a",
        "%20",
        "%E1%88%B4",
        "~",
        "-_.",
        "%2F",
        "%25",
        "%40",
        "!",
        "$",
        "&",
        "'",
        "(",
        ")",
        "*",
        "+",
        ",",
        ";",
        "=",
        ":",
        "@",
        "v1%3A0",
        ".",
    ];
    let query_pieces = [
        "a",
        "b",
        "%20",
        "+",
        "%2B",
        "~",
        "%3D",
        "x%26y",
        "",
        "%E2%82%AC",
        "Z",
        "1",
    ];
    let header_names = [
        "x-custom",
        "X-Custom",
        "content-type",
        "x-amz-meta-a",
        "accept",
        "x-trace",
        // aws-sigv4 leaves these unsigned; the signature's own headers replace any there.
        "user-agent",
        "X-Amzn-Trace-Id",
        "transfer-encoding",
        "authorization",
        "X-Amz-Date",
        "x-amz-security-token",
    ];
    let header_values = [
        "v",
        "  spaced   out  ",
        "a,b",
        "application/json",
        "1",
        "tab\there",
        "UPPER",
    ];
    let regions = ["us-east-1", "eu-west-3", "ap-south-1"];
    let mut cases = 0;
    for case in 0..10_000 {
        let segments = 1 + next(4);
        let path: String = (0..segments)
            .map(|_| {
                let n = 1 + next(3);
                let seg: String = (0..n)
                    .map(|_| path_pieces[next(path_pieces.len() as u64) as usize])
                    .collect();
                format!("/{seg}")
            })
            .collect();
        let query = if next(3) == 0 {
            String::new()
        } else {
            let pairs = 1 + next(4);
            let q: Vec<String> = (0..pairs)
                .map(|_| {
                    let k = query_pieces[next(query_pieces.len() as u64) as usize];
                    let k = if k.is_empty() { "k" } else { k };
                    let v = query_pieces[next(query_pieces.len() as u64) as usize];
                    format!("{k}={v}")
                })
                .collect();
            format!("?{}", q.join("&"))
        };
        // Now and then no host header (then the URL's host is signed) or a port in the URL.
        let authority = match next(6) {
            0 => "bedrock-runtime.us-east-1.amazonaws.com:443",
            1 => "127.0.0.1:8443",
            _ => "bedrock-runtime.us-east-1.amazonaws.com",
        };
        let mut headers = if next(4) == 0 {
            Vec::new()
        } else {
            vec![("host".to_owned(), authority.to_owned())]
        };
        for _ in 0..next(5) {
            headers.push((
                header_names[next(header_names.len() as u64) as usize].to_owned(),
                header_values[next(header_values.len() as u64) as usize].to_owned(),
            ));
        }
        let body: Vec<u8> = match next(50) {
            0..=14 => Vec::new(),
            15..=29 => "é🎉 unicode body".as_bytes().to_vec(),
            30 => vec![b'x'; 70_000], // large bodies, now and then (hashing is slow in debug)
            _ => (0..next(200)).map(|i| i as u8).collect(),
        };
        let mut request = bedrock_request::HttpRequest {
            method: ["GET", "POST", "PUT"][next(3) as usize].to_owned(),
            url: format!(
                "{}://{authority}{path}{query}",
                ["https", "http"][next(2) as usize]
            ),
            headers,
            body: Body::new(body),
        };
        let secret = format!("secret/{case}+x");
        let mut creds = Credentials::new(format!("AKID{case}"), secret.clone());
        if next(2) == 0 {
            creds = creds.with_session_token(format!("token/{case}=="));
        }
        let region = regions[next(3) as usize];
        let now =
            datetime!(2020-01-01 0:00 UTC) + time::Duration::seconds(next(300_000_000) as i64);
        let reference = crate::util::signed_by_aws_sigv4(&request, &creds, region, "bedrock", now)
            .unwrap_or_else(|e| panic!("case {case}: aws-sigv4 refused {}: {e}", request.url));
        bedrock_request::sign::sign_for_service(&mut request, &creds, region, "bedrock", now)
            .unwrap_or_else(|e| panic!("case {case}: {}: {e}", request.url));
        assert_eq!(
            request.headers,
            reference.headers,
            "case {case}: {}\n{}",
            request.url,
            CanonicalRequest::of(&request).unwrap().text()
        );
        let sts = string_to_sign(&request).unwrap_or_else(|e| panic!("case {case}: {e}"));
        let key = aws_sigv4::sign::v4::generate_signing_key(&secret, now.into(), region, "bedrock");
        let ours = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
        let theirs = request
            .header("authorization")
            .unwrap()
            .rsplit("Signature=")
            .next()
            .unwrap();
        assert_eq!(
            ours,
            theirs,
            "case {case}: {}\n{}",
            request.url,
            CanonicalRequest::of(&request).unwrap().text()
        );
        cases += 1;
    }
    assert!(
        cases >= 10_000,
        "only {cases} of 10000 generated requests could be signed"
    );
}

#[test]
fn an_aws_errors_display_says_what_to_do() {
    let throttled = parse::response(
        429,
        &[("x-amzn-errortype".into(), "ThrottlingException".into())],
        br#"{"message":"Too many tokens"}"#,
        &FinishReasonPolicy::Any,
    )
    .unwrap_err();
    assert_eq!(
        throttled.to_string(),
        "ThrottlingException (HTTP 429): Too many tokens\nhint: too many requests or tokens for the account's quota: retry with exponential backoff, or request a quota increase\nretry: yes"
    );
    let denied = parse::response(
        403,
        &[("x-amzn-errortype".into(), "AccessDeniedException".into())],
        br#"{"message":"no"}"#,
        &FinishReasonPolicy::Any,
    )
    .unwrap_err();
    assert!(denied.to_string().ends_with("\nretry: no"), "{denied}");
    // No error code at all (a proxy's 502 page, a gateway's 400): the status says what it can.
    let hint = |status: u16| {
        let e = parse::response(
            status,
            &[],
            b"<html>Bad Gateway</html>",
            &FinishReasonPolicy::Any,
        )
        .unwrap_err();
        e.aws().unwrap().hint.clone()
    };
    assert!(
        hint(502).contains("failed without an error code: it is retried"),
        "{}",
        hint(502)
    );
    assert!(
        hint(400).contains("may not come from Bedrock"),
        "{}",
        hint(400)
    );
}
