//! Every input bounded: the adversarial inputs of issue 11, each handled in linear time and
//! bounded stack and memory, with a clear error where the input is bad. Sizes are the issue's;
//! the speed of each parser is measured in `benches/bounded.rs` (time at 2n over time at n).

use bedrock_request::credentials::{drive, Chain, Performed, SharedConfig, Step};
use bedrock_request::stream::{ConverseStream, Event};
use bedrock_request::structured::Schema;
use bedrock_request::{BamlFile, ClientConfig, Env, ErrorKind, FinishReasonPolicy, Value};
use time::macros::datetime;

use crate::common::frame;

/// Runs `f` on a thread with Rust's default stack for spawned threads (2 MiB): a parser that
/// recursed without a limit would overflow it (on WASI, where threads cannot be made, on the
/// main thread). It was 1 MiB, but an unoptimised build takes about 19 KB a level to coerce
/// a union of recursive objects, so 60 levels passed or overflowed 1 MiB with the compiler's
/// partitioning of the code (measured at the start of this change and at its end alike).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    if cfg!(target_os = "wasi") {
        return f();
    }
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_baml_nesting_is_an_error_naming_the_line_not_a_stack_overflow() {
    for open in ["[", "{ a "] {
        let e = on_small_stack(move || {
            let deep = format!(
                "client<llm> C {{\n  provider aws-bedrock\n  options {{\n    model m\n    extra_body {}\n  }}\n}}",
                open.repeat(40_000)
            );
            BamlFile::parse(&deep).unwrap_err()
        });
        assert_eq!(e.kind(), ErrorKind::Baml);
        assert!(e.to_string().starts_with("line 5, column "), "{e}");
        assert!(e.to_string().contains("deeper than 128 levels"), "{e}");
    }
    // 128 levels are fine.
    let ok = format!(
        "client<llm> C {{\n provider aws-bedrock\n options {{\n model m\n x {}1{}\n }}\n}}",
        "[".repeat(127),
        "]".repeat(127)
    );
    assert!(BamlFile::parse(&ok).is_ok());
}

#[test]
fn deep_json_is_an_error_not_a_stack_overflow() {
    let e = on_small_stack(|| Value::from_json_str(&"[".repeat(40_000)).unwrap_err());
    assert!(
        e.to_string().contains("nested more than 128 levels deep"),
        "{e}"
    );
    let e = on_small_stack(|| ClientConfig::from_json_str(&"{\"a\":".repeat(40_000)).unwrap_err());
    assert!(
        e.to_string().contains("nested more than 128 levels deep"),
        "{e}"
    );
}

#[test]
fn a_json_object_with_100k_keys_reads_and_keeps_a_repeated_key_in_place() {
    let n = sized(100_000);
    let mut text = String::from("{");
    for i in 0..n {
        text.push_str(&format!("\"k{i}\":{i},"));
    }
    text.push_str("\"k5\":\"again\"}");
    let v = Value::from_json_str(&text).unwrap();
    let entries = v.as_object().unwrap();
    assert_eq!(entries.len(), n);
    assert_eq!(entries[5], ("k5".to_owned(), Value::from("again")));
    assert_eq!(entries[n - 1].0, format!("k{}", n - 1));
}

#[test]
fn baml_with_200k_values_reads() {
    // One array of 200k items, and a block of 200k keys (each checked against the others).
    let n = sized(200_000);
    let items = vec!["1"; n].join(", ");
    let mut keys = String::new();
    for i in 0..n {
        keys.push_str(&format!("      k{i} {i}\n"));
    }
    let source = format!(
        "client<llm> C {{\n  provider aws-bedrock\n  options {{\n    model m\n    region us-east-1\n    additional_model_request_fields {{\n      big [{items}]\n{keys}    }}\n  }}\n}}"
    );
    let config = ClientConfig::from_baml(&source, "C", &Env::new()).unwrap();
    let fields = config.additional_model_request_fields();
    assert_eq!(fields.len(), n + 1);
    assert_eq!(fields[0].1.as_array().unwrap().len(), n);
    // A repeated key among them is still found, with its line.
    let last = n - 1;
    let repeated = source.replace(&format!("      k{last} {last}\n"), "      k7 7\n");
    let e = BamlFile::parse(&repeated).unwrap_err();
    assert!(e.to_string().contains("k7 is given twice"), "{e}");
    assert!(
        e.to_string().starts_with(&format!("line {}, ", n + 7)),
        "{e}"
    );
}

#[test]
fn a_stream_with_200k_content_blocks_accumulates() {
    let n = sized(200_000);
    let mut body = frame("messageStart", br#"{"role":"assistant"}"#);
    for i in 0..n {
        body.extend(frame(
            "contentBlockDelta",
            format!(r#"{{"contentBlockIndex":{i},"delta":{{"text":"x"}}}}"#).as_bytes(),
        ));
    }
    body.extend(frame("messageStop", br#"{"stopReason":"end_turn"}"#));
    let completion = ConverseStream::decode_all(&body, FinishReasonPolicy::Any).unwrap();
    assert_eq!(completion.text.len(), n);
}

#[test]
fn shared_config_with_100k_profiles_and_200k_keys_reads() {
    let n = sized(100_000);
    let mut many = String::new();
    for i in 0..n {
        many.push_str(&format!("[profile p{i}]\nregion = r{i}\n"));
    }
    let files = SharedConfig::parse(Some(&many), None).unwrap();
    let last = n - 1;
    assert_eq!(
        files.profile(&format!("p{last}")).unwrap().get("region"),
        Some(format!("r{last}").as_str())
    );
    assert_eq!(files.profile_names().count(), n);
    let mut keys = String::from("[default]\n");
    for i in 0..2 * n {
        keys.push_str(&format!("key{i} = {i}\n"));
    }
    keys.push_str("KEY7 = last\n"); // keys are case-insensitive: the later value wins
    let files = SharedConfig::parse(None, Some(&keys)).unwrap();
    let default = files.profile("default").unwrap();
    let last = 2 * n - 1;
    assert_eq!(
        default.get(&format!("key{last}")),
        Some(last.to_string().as_str())
    );
    assert_eq!(default.get("key7"), Some("last"));
}

#[test]
fn a_source_profile_chain_of_40k_profiles_is_an_error_not_a_stack_overflow() {
    // 40k profiles: 3 MB, under the 4 MiB a config file may hold (issue 25 capped it).
    let mut config = String::new();
    for i in 0..40_000 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::1:role/r{i}\nsource_profile = p{}\n",
            i + 1
        ));
    }
    let e = on_small_stack(move || {
        let env = Env::from_iter([
            ("HOME", "/h"),
            ("AWS_PROFILE", "p0"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let chain = Chain::new(&ClientConfig::builder().model("m").build().unwrap(), &env);
        drive(chain, datetime!(2024-01-15 12:00 UTC), |step| match step {
            Step::ReadFile { path, .. } if path == "/h/.aws/config" => {
                Performed::File(Some(config.clone()))
            }
            _ => Performed::File(None),
        })
        .unwrap_err()
    });
    assert_eq!(
        e.to_string(),
        "the source_profile chain from profile \"p0\" is longer than 64 profiles; shorten it"
    );
}

#[test]
fn a_large_tool_input_is_kept_as_its_exact_text() {
    // 5 MB of tool input in 1,000-byte deltas: the input comes back byte for byte (numbers as
    // written), held as text rather than a tree (peak memory is measured on the CLI).
    let input = format!("[{}1.50]", "1,".repeat(sized(2_500_000)));
    let mut body = frame("messageStart", br#"{"role":"assistant"}"#);
    body.extend(frame(
        "contentBlockStart",
        br#"{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"big"}}}"#,
    ));
    for chunk in input.as_bytes().chunks(1000) {
        let delta = Value::Object(vec![
            ("contentBlockIndex".into(), Value::Number(0u64.into())),
            (
                "delta".into(),
                Value::Object(vec![(
                    "toolUse".into(),
                    Value::Object(vec![(
                        "input".into(),
                        Value::from(std::str::from_utf8(chunk).unwrap()),
                    )]),
                )]),
            ),
        ]);
        body.extend(frame("contentBlockDelta", delta.to_json().as_bytes()));
    }
    body.extend(frame("contentBlockStop", br#"{"contentBlockIndex":0}"#));
    body.extend(frame("messageStop", br#"{"stopReason":"tool_use"}"#));
    let completion = ConverseStream::decode_all(&body, FinishReasonPolicy::Any).unwrap();
    assert_eq!(completion.tool_calls()[0].input.as_str(), input);
    assert!(completion.to_json().contains(&input));
    // Input that is not JSON is an error naming the tool call.
    let mut bad = body.clone();
    let cut = bad.len()
        - frame("contentBlockStop", br#"{"contentBlockIndex":0}"#).len()
        - frame("messageStop", br#"{"stopReason":"tool_use"}"#).len();
    bad.truncate(cut);
    bad.extend(frame(
        "contentBlockDelta",
        br#"{"contentBlockIndex":0,"delta":{"toolUse":{"input":",]"}}}"#,
    ));
    bad.extend(frame("messageStop", br#"{"stopReason":"tool_use"}"#));
    let e = ConverseStream::decode_all(&bad, FinishReasonPolicy::Any).unwrap_err();
    assert!(
        e.to_string()
            .contains("tool call big (t1) has input that is not JSON"),
        "{e}"
    );
}

#[test]
fn a_known_event_whose_payload_is_not_json_is_an_error_naming_the_event() {
    let mut body = frame("messageStart", br#"{"role":"assistant"}"#);
    body.extend(frame(
        "contentBlockDelta",
        b"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"\xff\"}}",
    ));
    body.extend(frame("messageStop", br#"{"stopReason":"end_turn"}"#));
    let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
    stream.push(&body);
    assert!(matches!(
        stream.next_event(),
        Ok(Some(Event::MessageStart { .. }))
    ));
    let e = stream.next_event().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Response);
    assert!(
        e.to_string().starts_with(
            "ConverseStream contentBlockDelta event: the payload is not JSON: not UTF-8"
        ),
        "{e}"
    );
    // A payload that is JSON but not an object, too.
    let e = ConverseStream::decode_all(&frame("metadata", b"[1]"), FinishReasonPolicy::Any)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "ConverseStream metadata event: the payload is an array, not a JSON object"
    );
    // An event type this version does not know is kept, not refused.
    let mut body = frame("brandNewEvent", b"not json");
    body.extend(frame("messageStop", br#"{"stopReason":"end_turn"}"#));
    let completion = ConverseStream::decode_all(&body, FinishReasonPolicy::Any).unwrap();
    assert_eq!(completion.other_events.len(), 1);
}

#[test]
fn a_file_that_cannot_be_read_is_an_error_naming_it_not_a_missing_file() {
    let env = Env::from_iter([("HOME", "/h"), ("AWS_EC2_METADATA_DISABLED", "true")]);
    let chain = Chain::new(&ClientConfig::builder().model("m").build().unwrap(), &env);
    let e = drive(chain, datetime!(2024-01-15 12:00 UTC), |step| match step {
        Step::ReadFile { path, .. } if path.ends_with("credentials") => {
            Performed::Unreadable("stream did not contain valid UTF-8".into())
        }
        _ => Performed::File(None),
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read /h/.aws/credentials: stream did not contain valid UTF-8"
    );
    let e = bedrock_request::credentials::profile_region(&env, None, |_| {
        Err("permission denied".into())
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read /h/.aws/config: permission denied"
    );
}

/// Issue 25, item 14: the chain says how much a file may hold, and refuses more from any
/// performer; the blocking performer reads regular files only, never past the limit.
#[test]
fn credential_files_are_bounded_and_regular() {
    use bedrock_request::credentials::{MAX_CONFIG_FILE, MAX_TOKEN_FILE};
    let env = Env::from_iter([
        ("HOME", "/h"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
    ]);
    let chain = Chain::new(&ClientConfig::builder().model("m").build().unwrap(), &env);
    let mut limits = Vec::new();
    let e = drive(chain, datetime!(2024-01-15 12:00 UTC), |step| match step {
        Step::ReadFile { path, max_bytes } => {
            limits.push((path.clone(), *max_bytes));
            match path.as_str() {
                "/t/token" => Performed::File(Some("x".repeat(MAX_TOKEN_FILE as usize + 1))),
                _ => Performed::File(None),
            }
        }
        _ => Performed::File(None),
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read /t/token: it holds 65537 bytes, more than the 65536"),
        "{e}"
    );
    assert_eq!(limits, [("/t/token".to_owned(), MAX_TOKEN_FILE)]);
    let plain = Env::from_iter([("HOME", "/h"), ("AWS_EC2_METADATA_DISABLED", "true")]);
    let chain = Chain::new(&ClientConfig::builder().model("m").build().unwrap(), &plain);
    let e = drive(chain, datetime!(2024-01-15 12:00 UTC), |step| match step {
        Step::ReadFile { max_bytes, .. } => {
            assert_eq!(*max_bytes, MAX_CONFIG_FILE);
            Performed::File(Some("#".repeat(MAX_CONFIG_FILE as usize + 1)))
        }
        _ => Performed::File(None),
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read /h/.aws/config: it holds 4194305 bytes"),
        "{e}"
    );
    let big = "[default]\n".to_owned() + &"# padding\n".repeat(500_000);
    let e = bedrock_request::credentials::profile_region(&env, None, |_| Ok(Some(big.clone())))
        .unwrap_err();
    assert!(e.to_string().contains("more than 4194304 bytes"), "{e}");
}

#[cfg(all(unix, feature = "blocking"))]
#[test]
fn the_blocking_performer_reads_regular_files_only_and_no_more_than_allowed() {
    use bedrock_request::credentials::blocking::read_file;
    // A device that never ends, and a FIFO nobody writes to (opening it would block).
    let e = read_file("/dev/zero", 1024).unwrap_err();
    assert!(e.contains("not a regular file"), "{e}");
    let dir = crate::common::scratch("files");
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let e = read_file(fifo.to_str().unwrap(), 1024).unwrap_err();
    assert!(e.contains("not a regular file"), "{e}");
    let big = dir.join("big");
    std::fs::write(&big, vec![b'a'; 2048]).unwrap();
    let e = read_file(big.to_str().unwrap(), 1024).unwrap_err();
    assert!(e.contains("more than 1024 bytes"), "{e}");
    assert_eq!(
        read_file(big.to_str().unwrap(), 2048)
            .unwrap()
            .unwrap()
            .len(),
        2048
    );
    assert_eq!(
        read_file(dir.join("none").to_str().unwrap(), 10).unwrap(),
        None
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn curl_commands_do_not_glob_the_url() {
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .endpoint_url("https://proxy.example/a[1-3]/b")
        .build()
        .unwrap();
    let messages = [bedrock_request::Message::user("hi")];
    let env = Env::new();
    let request = bedrock_request::converse::Builder::new(&config, &messages, &env)
        .operation(bedrock_request::converse::Operation::ConverseStream)
        .build()
        .unwrap()
        .into_preview();
    let curl = request.to_curl();
    assert!(
        curl.contains("curl -sS -i --globoff -N -X POST 'https://proxy.example/a[1-3]/b/model/m/converse-stream'"),
        "{curl}"
    );
}

#[test]
fn no_public_type_that_can_hold_a_secret_shows_it_in_debug() {
    use bedrock_request::credentials::{ProcessOutput, Resolved};
    use bedrock_request::{Auth, Credentials, HttpResponse, Secret};
    const KEY: &str = "SECRETKEYSECRETKEY";
    const TOKEN: &str = "SESSIONTOKENSESSIONTOKEN";
    let creds = Credentials::new("AKID", KEY).with_session_token(TOKEN);
    let baml = format!(
        "client<llm> C {{\n provider aws-bedrock\n options {{\n model m\n region us-east-1\n access_key_id AKID\n secret_access_key {KEY}\n session_token {TOKEN}\n }}\n}}"
    );
    let file = BamlFile::parse(&baml).unwrap();
    let client = file.client("C").unwrap();
    let options = client.options(&Env::new()).unwrap();
    let config = client.to_config(&Env::new()).unwrap();
    let builder = ClientConfig::builder()
        .model("m")
        .access_keys("AKID", KEY)
        .session_token(TOKEN);
    let env = Env::from_iter([("AWS_SECRET_ACCESS_KEY", KEY), ("AWS_SESSION_TOKEN", TOKEN)]);
    let messages = [bedrock_request::Message::user("hi")];
    let unsigned = bedrock_request::converse::Builder::new(&config, &messages, &Env::new())
        .build()
        .unwrap();
    let now = datetime!(2024-01-15 12:00 UTC);
    let signed = unsigned
        .clone()
        .sign(&Auth::SigV4(creds.clone()), now)
        .unwrap();
    let canonical = bedrock_request::sign::CanonicalRequest::of(&signed).unwrap();
    let explanation = bedrock_request::sign::explain(&signed, KEY).unwrap();
    let files_text = format!("[default]\naws_access_key_id = AKID\naws_secret_access_key = {KEY}\naws_session_token = {TOKEN}\n");
    let shared = SharedConfig::parse(None, Some(&files_text)).unwrap();
    let mut chain = Chain::new(
        &ClientConfig::builder().model("m").build().unwrap(),
        &Env::from_iter([("HOME", "/h"), ("AWS_EC2_METADATA_DISABLED", "true")]),
    );
    let _ = chain.poll(now);
    chain.handle(Performed::File(None)).unwrap();
    let _ = chain.poll(now);
    chain
        .handle(Performed::File(Some(files_text.clone())))
        .unwrap();
    let done = chain.poll(now).unwrap();
    let resolved: Resolved = match &done {
        Step::Done(r) => r.clone(),
        other => panic!("{other:?}"),
    };
    let echo = format!(
        "The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been\n'POST\n/\n\nhost:h\nx-amz-security-token:{TOKEN}\n\nhost;x-amz-security-token\nabc'\n"
    );
    let aws = bedrock_request::parse::AwsError::from_response(
        403,
        &[(
            "x-amzn-errortype".into(),
            "InvalidSignatureException".into(),
        )],
        format!(r#"{{"message":{}}}"#, Value::from(echo.as_str()).to_json()).as_bytes(),
    );
    let shown = [
        format!("{creds:?}"),
        format!("{:?}", Secret::new(KEY)),
        format!("{:?}", Auth::SigV4(creds.clone())),
        format!("{:?}", Auth::Bearer(Secret::new(TOKEN))),
        format!("{file:?}"),
        format!("{client:?}"),
        format!("{options:?}"),
        format!("{config:?}"),
        format!("{builder:?}"),
        format!("{env:?}"),
        format!("{unsigned:?}"),
        format!("{signed:?}"),
        format!("{canonical:?}"),
        format!("{explanation:?}"),
        format!("{shared:?}"),
        format!("{:?}", shared.profile("default").unwrap()),
        format!("{chain:?}"),
        format!("{done:?}"),
        format!("{resolved:?}"),
        format!("{:?}", Performed::File(Some(files_text.clone()))),
        format!(
            "{:?}",
            Performed::Process(ProcessOutput {
                success: true,
                stdout: files_text.clone(),
                stderr: String::new(),
            })
        ),
        format!(
            "{:?}",
            Performed::Response(HttpResponse::new(200, files_text.clone()))
        ),
        format!("{aws:?}"),
        format!("{:?}", aws.into_error()),
    ];
    for text in &shown {
        assert!(!text.contains(KEY) && !text.contains(TOKEN), "{text}");
    }
    // What is not secret still shows.
    assert!(
        shown[0].contains("AKID") && shown[7].contains("us-east-1"),
        "{}",
        shown[7]
    );
}

#[test]
fn finding_json_in_adversarial_text_is_linear() {
    use bedrock_request::structured::find_json;
    // Every `{` starts a value that never closes: each was once parsed to the end of the text.
    let unclosed = "{\"a\":".repeat(100_000);
    assert_eq!(find_json(&unclosed), None);
    // Deeply nested failing spans, then a real value: the value is still found.
    let nested = format!(
        "{}oops{} and then [1, 2]",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    assert_eq!(find_json(&nested), Some("[1, 2]"));
    // Brackets in prose quotes do not hide a value; strings inside JSON keep their brackets.
    assert_eq!(
        find_json(r#"He said "look [here" and {"a": "]}"}"#),
        Some(r#"{"a": "]}"}"#)
    );
}

#[test]
fn a_converse_response_keeps_tool_inputs_as_their_text() {
    // The input's text exactly as AWS sent it (spacing, number spelling, key order), with no
    // tree built; 2.5 million numbers here.
    let input = format!(
        "{{ \"z\": 1.50, \"a\" : [{}2] }}",
        "1,".repeat(sized(2_500_000))
    );
    let body = format!(
        r#"{{"output":{{"message":{{"role":"assistant","content":[{{"toolUse":{{"toolUseId":"t1","name":"f","input":{input}}}}}]}}}},"stopReason":"tool_use"}}"#
    );
    let completion = bedrock_request::parse::converse_body(body.as_bytes()).unwrap();
    assert_eq!(completion.tool_calls()[0].input.as_str(), input);
    assert_eq!(
        completion.tool_calls()[0].input.to_value()["z"].to_json(),
        "1.50"
    );
    // An input that is not JSON makes the body not JSON: an error, as before.
    let broken = body.replace("1.50", "1.");
    assert!(bedrock_request::parse::converse_body(broken.as_bytes()).is_err());
}

/// Runs `f` on its own thread and fails if it takes longer than a minute: a parser that took
/// exponential or quadratic time on these inputs would take hours or minutes, not finish.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    if cfg!(target_os = "wasi") {
        return f();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(f()));
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the parser did not finish within a minute")
}

/// `n` natively; a tenth under WASI, where there is no deadline to enforce and every test of
/// the file shares one memory that never shrinks (Node crashed there once the tests before
/// these had grown it).
fn sized(n: usize) -> usize {
    if cfg!(target_os = "wasi") {
        n / 10
    } else {
        n
    }
}

#[test]
fn unions_sharing_a_recursive_list_are_coerced_once_per_value() {
    // 2^60 steps without memoising each (value, union) pair.
    let v = within_a_minute(|| {
        on_small_stack(|| {
            let (schema, text) = crate::adversarial::shared_recursive_union(60);
            Schema::from_json(&schema).unwrap().parse(&text).unwrap()
        })
    });
    let mut depth = 0;
    let mut at = &v;
    while let Some(Value::Array(children)) = at.get("children") {
        assert_eq!(at.get("name"), Some(&Value::String("x".into())));
        depth += 1;
        match children.first() {
            Some(child) => at = child,
            None => break,
        }
    }
    assert_eq!(depth, 60);
}

#[test]
fn a_bare_value_running_past_many_commas_is_read_once() {
    let v = within_a_minute(|| {
        let text = crate::adversarial::late_spaced_words(sized(250_000));
        let schema = Schema::from_json(
            r#"{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}"#,
        )
        .unwrap();
        schema.parse(&text).unwrap()
    });
    let Some(Value::String(a)) = v.get("a") else {
        panic!("{v:?}")
    };
    assert!(a.starts_with("xxxx") && a.ends_with(" y, z, z") || a.ends_with(", z, z"));
    assert_eq!(a.len(), sized(250_000) * 7 + 2);
}

#[test]
fn a_union_of_scalars_and_a_list_of_itself_fits_nothing_as_one_empty_list() {
    // A scalar against "a scalar or a list of myself" was tried at every level of nesting,
    // and a text that fits nothing answered 43 nested empty arrays. baml-py 0.226.3 answers
    // `type J = int | J[]` with "hello there" as one empty list.
    let schema = Schema::from_json(r##"{"$ref": "#/$defs/J", "$defs": {"J": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"$ref": "#/$defs/J"}}]}}}"##).unwrap();
    assert_eq!(schema.parse("hello there").unwrap().to_json(), "[]");
    assert_eq!(
        schema.parse("[1, [2, 3], 4]").unwrap().to_json(),
        "[1,[2,3],4]"
    );
    assert_eq!(schema.parse("7").unwrap().to_json(), "7");
    let json_value = Schema::from_json(crate::adversarial::JSON_VALUE).unwrap();
    let v = within_a_minute(move || {
        json_value
            .parse(&crate::adversarial::numbers(sized(300_000)))
            .unwrap()
    });
    let Value::Array(items) = v else { panic!() };
    assert_eq!(items.len(), sized(300_000) + 1);
    assert!(items.iter().all(|i| i.to_json() == "1"));
}

#[test]
fn an_array_of_a_large_enum_costs_no_more_per_item_than_a_small_one() {
    let v = within_a_minute(|| {
        let (schema, text) = crate::adversarial::enum_array(1000, sized(200_000));
        let schema = Schema::from_json(&schema).unwrap();
        assert_eq!(
            schema
                .parse("[value7, \"VALUE 12\", no]")
                .unwrap()
                .to_json(),
            r#"["value7","value12"]"#
        );
        schema.parse(&text).unwrap()
    });
    assert_eq!(v.to_json(), "[]");
}

#[test]
fn an_alias_that_names_only_itself_ends_while_streaming_too() {
    // Found by the baml fuzz target: `type A = A` looped for ever reading "no answer yet".
    let schema = Schema::from_baml("}Anm\ntype A =A", "A").unwrap();
    let e = within_a_minute(move || schema.parse_partial(r#"[{"a": 1}, {"b"#).unwrap_err());
    assert!(e.to_string().contains("nests deeper than"), "{e}");
}
