//! Issue 29: what a new user hit after the first hour, each through the CLI as they ran it.

use crate::cli::{ok, run, run_stdin};
use crate::common::{frame, stream_bytes};

const TIME: [&str; 2] = ["--time", "20150830T123600Z"];

/// `request` with the bundled example client.
const EXAMPLE: [&str; 5] = [
    "request",
    "--baml",
    "examples/bedrock.baml",
    "--client",
    "Example",
];

fn temp_file(name: &str, contents: &str) -> String {
    let dir = crate::common::scratch("day-two");
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_role_typo_is_sent_as_the_default_role_and_said_on_stderr() {
    let messages = temp_file(
        "typo.json",
        r#"[{"role": "user", "content": "Hi"}, {"role": "asistant", "content": "Hello"}]"#,
    );
    let mut args = [&EXAMPLE[..], &["--messages", &messages, "--format", "json"]].concat();
    args.extend(TIME);
    let out = run(&args, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(r#"message 1: role "asistant" is not in allowed_roles"#)
            && stderr.contains(r#"sent as "user" (default_role); did you mean "assistant"?"#),
        "{stderr}"
    );
    // Sent as a user turn, merged with the one before it (BAML's rule, kept).
    let request: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body: serde_json::Value =
        serde_json::from_str(request["body_text"].as_str().unwrap()).unwrap();
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(body["messages"][0]["role"], "user");
    // Roles that are allowed say nothing.
    let mut args = [&EXAMPLE[..], &["--prompt", "Hi"]].concat();
    args.extend(TIME);
    ok(&args, &[]);
}

fn reply(stop: &str) -> String {
    serde_json::json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello there"}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
        "metrics": {"latencyMs": 10}
    })
    .to_string()
}

#[test]
fn parse_tells_a_stream_from_json_whichever_flag_is_given() {
    // A Converse (JSON) answer given with --stream, bare and as `curl -i` prints it.
    let json = reply("end_turn");
    let out = run_stdin(&["parse", "--stream"], json.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello there\n");
    let whole = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
        json.len()
    );
    let out = run_stdin(&["parse", "--stream"], whole.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello there\n");
    // A ConverseStream answer (the smithy encoder's frames) given without --stream.
    let stream = stream_bytes("agent-loop-turn-1.stream.json");
    let with_flag = run_stdin(&["parse", "--stream"], &stream);
    let without = run_stdin(&["parse"], &stream);
    assert!(
        without.status.success(),
        "{}",
        String::from_utf8_lossy(&without.stderr)
    );
    assert_eq!(without.stdout, with_flag.stdout);
    let mut head =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\r\n".to_vec();
    head.extend(&stream);
    let out = run_stdin(&["parse", "--format", "json"], &head);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["stop_reason"], "tool_use", "{printed}");
}

#[test]
fn parse_says_what_an_input_that_is_no_answer_is() {
    // Nothing at all (a curl that failed before any answer), with or without --stream.
    for args in [&["parse"][..], &["parse", "--stream"]] {
        let out = run_stdin(args, b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("standard input is empty"),
            "{args:?}: {err}"
        );
    }
    // With --status, an empty body is that status's error (a proxy's bare 503).
    for args in [
        &["parse", "--status", "503"][..],
        &["parse", "--stream", "--status", "503"],
    ] {
        let out = run_stdin(args, b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("error: HTTP 503: (empty body)")
                && err.contains("failed without an error code"),
            "{args:?}: {err}"
        );
    }
    // JSON that is neither a Converse reply nor an AWS error is not called an AWS error.
    let out = run_stdin(&["parse"], b"{}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a Converse response: output.message.content is missing")
            && !err.contains("UnknownError"),
        "{err}"
    );
    let out = run_stdin(
        &["parse"],
        br#"{"message": "The security token included in the request is invalid."}"#,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("security token"));
}

#[test]
fn a_reply_that_did_not_end_its_turn_says_why_on_stderr() {
    for (stop, says) in [
        (
            "max_tokens",
            "stop reason: max_tokens (the text is cut short",
        ),
        ("tool_use", "stop reason: tool_use"),
        ("guardrail_intervened", "stop reason: guardrail_intervened"),
    ] {
        let out = run_stdin(&["parse"], reply(stop).as_bytes());
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello there\n");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{stop}"
        );
        // JSON output carries it already: nothing on stderr.
        let out = run_stdin(&["parse", "--format", "json"], reply(stop).as_bytes());
        assert!(out.stderr.is_empty());
    }
    let out = run_stdin(&["parse"], reply("end_turn").as_bytes());
    assert!(out.stderr.is_empty());
    // A stream too.
    let mut stream = frame("messageStart", br#"{"role": "assistant"}"#);
    stream.extend(frame(
        "contentBlockDelta",
        br#"{"contentBlockIndex": 0, "delta": {"text": "Hi"}}"#,
    ));
    stream.extend(frame("contentBlockStop", br#"{"contentBlockIndex": 0}"#));
    stream.extend(frame("messageStop", br#"{"stopReason": "max_tokens"}"#));
    let out = run_stdin(&["parse", "--stream"], &stream);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hi\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop reason: max_tokens"));
}

#[test]
fn no_credentials_says_what_to_do_from_the_cli_and_names_the_profiles_not_selected() {
    let home = crate::common::aws_home("home", "[profile work]\nregion = us-west-2\naws_access_key_id = AKIDWORK\naws_secret_access_key = S\n");
    let home = home.to_str().unwrap();
    let args = [
        "request",
        "--baml",
        "examples/bedrock.baml",
        "--client",
        "Sonnet",
        "--prompt",
        "hi",
    ];
    let err = crate::cli::fails(&args, &[("HOME", home)]);
    assert!(err.contains("no credentials found"), "{err}");
    assert!(
        err.contains("profiles work, but none is selected: set AWS_PROFILE=work"),
        "{err}"
    );
    assert!(err.contains("--profile NAME"), "{err}");
    // No library advice from the CLI, which ran the whole chain.
    assert!(
        !err.contains("resolve_static") && !err.contains("blocking::resolve"),
        "{err}"
    );
    // Selected, the same profile signs.
    ok(
        &[&args[..], &["--profile", "work"]].concat(),
        &[("HOME", home)],
    );
}

#[test]
fn smaller_things_a_new_user_hit() {
    // A plain path in "url": the error says to write "path".
    let messages = temp_file(
        "url-path.json",
        r#"[{"role": "user", "content": [{"type": "image", "url": "cat.png"}]}]"#,
    );
    let err = crate::cli::fails(
        &[&EXAMPLE[..], &["--messages", &messages], &TIME].concat(),
        &[],
    );
    assert!(
        err.contains(r#"an image part's "url" "cat.png" has no scheme"#)
            && err.contains(r#"write "path": "cat.png""#),
        "{err}"
    );
    // "an image part", not "a image part".
    let messages = temp_file(
        "no-source.json",
        r#"[{"role": "user", "content": [{"type": "image"}]}]"#,
    );
    let err = crate::cli::fails(
        &[&EXAMPLE[..], &["--messages", &messages], &TIME].concat(),
        &[],
    );
    assert!(err.contains("an image part needs exactly one of"), "{err}");
    // No region: the CLI's ways to give one.
    let options = temp_file(
        "no-region.json",
        r#"{"model": "anthropic.claude-3-haiku-20240307-v1:0"}"#,
    );
    let err = crate::cli::fails(
        &[
            "request",
            "--options",
            &options,
            "--prompt",
            "hi",
            "--unsigned",
        ],
        &[],
    );
    assert!(
        err.contains("no region") && err.contains("--region REGION"),
        "{err}"
    );
    // A profile with a region that is not the one in use is named, as the credentials error
    // names profiles not selected.
    let home = crate::common::aws_home(
        "no-region-home",
        "[default]\noutput = json\n[profile work]\nregion = eu-west-1\n",
    );
    let home = [("HOME", home.to_str().unwrap())];
    let args = [
        "request",
        "--options",
        &options,
        "--prompt",
        "hi",
        "--unsigned",
    ];
    let err = crate::cli::fails(&args, &home);
    assert!(
        err.contains("the shared config files have work (eu-west-1) (--profile work)"),
        "{err}"
    );
    let with_profile = [&args[..], &["--profile", "work"]].concat();
    assert!(crate::cli::ok(&with_profile, &home).contains("bedrock-runtime.eu-west-1"));
    // send signs what it sends.
    let err = crate::cli::fails(
        &[
            "send",
            "--options",
            &options,
            "--prompt",
            "hi",
            "--unsigned",
        ],
        &[],
    );
    assert!(err.contains("drop --unsigned"), "{err}");
}

/// A PNG's first bytes (signature, IHDR with this width and height), then `len` bytes more.
fn png(width: u32, height: u32, len: usize) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(width.to_be_bytes());
    png.extend(height.to_be_bytes());
    png.extend([8, 6, 0, 0, 0]);
    png.resize(png.len() + len, 0);
    png
}

#[test]
fn media_over_bedrocks_limits_are_refused_before_sending_naming_the_part() {
    let dir = crate::common::scratch("media");
    std::fs::write(dir.join("big.png"), png(100, 100, 5 * 1024 * 1024)).unwrap();
    std::fs::write(dir.join("wide.png"), png(9000, 100, 10)).unwrap();
    std::fs::write(dir.join("ok.png"), png(8000, 8000, 10)).unwrap();
    let request = |messages: &str| {
        let file = dir.join("messages.json");
        std::fs::write(&file, messages).unwrap();
        let file = file.to_str().unwrap().to_owned();
        let mut args = [&EXAMPLE[..], &["--messages"]].concat();
        args.push(&file);
        args.extend(TIME);
        run(&args, &[])
    };
    let part = |path: &str| format!(r#"{{"type": "image", "path": "{path}"}}"#);
    let one = |path: &str| {
        format!(
            r#"[{{"role": "user", "content": [{{"type": "text", "text": "look"}}, {}]}}]"#,
            part(path)
        )
    };
    let out = request(&one("big.png"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("message 0: part 1: the image from big.png is 5.00 MB (5,242,")
            && err.contains(" bytes), over Bedrock's limit of 3.75 MB (3,932,160 bytes) per image"),
        "{err}"
    );
    let out = request(&one("wide.png"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("part 1: the image from wide.png is 9000 × 100 px"),
        "{err}"
    );
    assert!(request(&one("ok.png")).status.success());
    let many = vec![part("ok.png"); 21].join(", ");
    let out = request(&format!(r#"[{{"role": "user", "content": [{many}]}}]"#));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("21 images, over Bedrock's limit of 20"),
        "{err}"
    );
}

#[test]
fn endpoint_urls_in_the_shared_config_are_honoured_as_the_sdks_rank_them() {
    let home = crate::common::aws_home("endpoints", "[default]\nendpoint_url = http://127.0.0.1:1111\n\
         [profile svc]\nendpoint_url = http://127.0.0.1:1111\nservices = local\n\
         [profile off]\nendpoint_url = http://127.0.0.1:1111\nignore_configured_endpoint_urls = true\n\
         [services local]\nbedrock_runtime =\n  endpoint_url = http://127.0.0.1:2222\n");
    let home = home.to_str().unwrap();
    let url_of = |profile: &str, env: &[(&str, &str)]| {
        let mut args = [
            &EXAMPLE[..],
            &["--prompt", "hi", "--format", "json", "--unsigned"],
        ]
        .concat();
        args.extend(TIME);
        let env: Vec<(&str, &str)> = [("HOME", home), ("AWS_PROFILE", profile)]
            .into_iter()
            .chain(env.iter().copied())
            .collect();
        let json: serde_json::Value = serde_json::from_str(&ok(&args, &env)).unwrap();
        json["url"].as_str().unwrap().to_owned()
    };
    // The profile's endpoint_url; its services section's bedrock_runtime beats it.
    assert!(url_of("default", &[]).starts_with("http://127.0.0.1:1111/model/"));
    assert!(url_of("svc", &[]).starts_with("http://127.0.0.1:2222/model/"));
    // The variables beat the file: AWS_ENDPOINT_URL the profile's, the service's variable all.
    let global = [("AWS_ENDPOINT_URL", "http://127.0.0.1:3333")];
    assert!(url_of("default", &global).starts_with("http://127.0.0.1:3333/"));
    assert!(url_of("svc", &global).starts_with("http://127.0.0.1:2222/"));
    let service = [("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:4444")];
    assert!(url_of("svc", &service).starts_with("http://127.0.0.1:4444/"));
    // Ignored: by the profile, or by the variable (which sets aside the variables too).
    assert!(url_of("off", &[]).starts_with("https://bedrock-runtime."));
    let ignore = [
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:3333"),
    ];
    assert!(url_of("svc", &ignore).starts_with("https://bedrock-runtime."));
    // A services section that is not there is an error, as botocore's InvalidConfigError.
    let config = std::path::Path::new(home).join(".aws/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[profile lost]\nservices = nowhere\n");
    std::fs::write(&config, text).unwrap();
    let mut args = [&EXAMPLE[..], &["--prompt", "hi", "--unsigned"]].concat();
    args.extend(TIME);
    let err = crate::cli::fails(&args, &[("HOME", home), ("AWS_PROFILE", "lost")]);
    assert!(
        err.contains("the profile lost is configured to use the services section \"nowhere\", but the config file has no [services nowhere] section"),
        "{err}"
    );
    let env = [
        ("HOME", home),
        ("AWS_PROFILE", "lost"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
    ];
    assert!(ok(&args, &env).contains("https://bedrock-runtime."));
    // The profile the client itself names decides, not the one the environment selects (a
    // broken section of a profile not in use is not read).
    let options = temp_file(
        "svc-options.json",
        r#"{"model": "m", "region": "us-east-1", "profile": "svc"}"#,
    );
    let args = [
        "request",
        "--options",
        &options,
        "--prompt",
        "hi",
        "--unsigned",
    ];
    let json: serde_json::Value =
        serde_json::from_str(&ok(&args, &[("HOME", home), ("AWS_PROFILE", "lost")])).unwrap();
    assert!(
        json["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:2222/model/"),
        "{json}"
    );
}
