//! The CLI on the whole Converse API: every botocore vector built through `request`, the agent
//! loop through `parse --format message` (also `--stream`), CountTokens, and the new fields of
//! `parse --format json`.

use std::path::PathBuf;

use crate::cli::{fails, ok, run_stdin};
use crate::common::repo_path;
use crate::common::stream_bytes;

fn scratch(name: &str) -> PathBuf {
    crate::common::scratch(&format!("converse-{name}"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn read_json(relative: &str) -> serde_json::Value {
    json(&std::fs::read_to_string(repo_path(relative)).unwrap())
}

/// Runs `request` on a vector's input written to files, as a user of the CLI would; returns
/// the printed request.
fn request_from_input(
    name: &str,
    input: &bedrock_request::Value,
    dir: &std::path::Path,
) -> serde_json::Value {
    let write = |file: &str, value: &bedrock_request::Value| {
        let path = dir.join(format!("{name}.{file}.json"));
        std::fs::write(&path, value.to_json_pretty()).unwrap();
        path.to_string_lossy().into_owned()
    };
    let options = write("options", input.get("options").unwrap());
    let messages = write("messages", input.get("messages").unwrap());
    let mut args = vec![
        "request".to_owned(),
        "--options".into(),
        options,
        "--messages".into(),
        messages,
        "--time".into(),
        "20150830T123600Z".into(),
    ];
    if let Some(tools) = input.get("tools") {
        args.extend(["--tools".into(), write("tools", tools)]);
    }
    match input
        .get("operation")
        .and_then(bedrock_request::Value::as_str)
    {
        Some("converse-stream") => args.push("--stream".into()),
        Some("count-tokens") => args.push("--count-tokens".into()),
        _ => {}
    }
    let env: Vec<(String, String)> = input
        .get("env")
        .and_then(bedrock_request::Value::as_object)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json(&ok(&args, &env))
}

#[test]
fn every_botocore_vector_through_the_cli() {
    let dir = scratch("vectors");
    let mut names: Vec<PathBuf> = std::fs::read_dir(repo_path("vectors/bedrock"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 18);
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let input = bedrock_request::Value::from_json_str(&text)
            .unwrap()
            .get("input")
            .unwrap()
            .clone();
        let botocore = json(&text)["botocore"].clone();
        let printed = request_from_input(&name, &input, &dir);
        assert_eq!(printed["url"], botocore["url"], "{name}");
        assert_eq!(printed["body_text"], botocore["body_text"], "{name}");
        let authorization = printed["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "authorization")
            .unwrap()[1]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            authorization.ends_with(&format!(
                "Signature={}",
                botocore["signature"].as_str().unwrap()
            )),
            "{name}: {authorization}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

/// The agent loop as a shell user runs it: the reply's turn printed by `parse --format
/// message`, appended to the messages file with the tool result, and the next request built.
fn next_request_from(printed_turn: &str, dir: &std::path::Path, tag: &str) -> serde_json::Value {
    let vector = read_json("vectors/bedrock/agent-loop-reasoning-replay.json");
    // Files are written from the ordered reader (serde_json would sort the keys), and the
    // printed turn is appended as printed, text and all.
    let ordered = bedrock_request::Value::from_json_str(
        &std::fs::read_to_string(repo_path(
            "vectors/bedrock/agent-loop-reasoning-replay.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let input = ordered.get("input").unwrap();
    let messages = format!(
        "[{{\"role\": \"user\", \"content\": \"What should I wear in Paris today?\"}},\n{},\n{}]",
        printed_turn.trim_end(),
        input.pointer("/messages/2").unwrap().to_json_pretty()
    );
    let messages_file = dir.join(format!("{tag}-messages.json"));
    std::fs::write(&messages_file, messages).unwrap();
    let options_file = dir.join(format!("{tag}-options.json"));
    std::fs::write(&options_file, input.get("options").unwrap().to_json()).unwrap();
    let tools_file = dir.join(format!("{tag}-tools.json"));
    std::fs::write(&tools_file, input.get("tools").unwrap().to_json()).unwrap();
    let printed = ok(
        &[
            "request",
            "--options",
            options_file.to_str().unwrap(),
            "--messages",
            messages_file.to_str().unwrap(),
            "--tools",
            tools_file.to_str().unwrap(),
            "--time",
            "20150830T123600Z",
        ],
        &[],
    );
    assert_eq!(
        json(&printed)["body_text"],
        vector["botocore"]["body_text"],
        "{tag}"
    );
    json(printed_turn)
}

#[test]
fn parse_format_message_closes_the_agent_loop() {
    let dir = scratch("loop");
    let reply = repo_path("vectors/responses/agent-loop-turn-1.json");
    let turn = ok(&["parse", "--format", "message", &reply], &[]);
    let document = read_json("vectors/responses/agent-loop-turn-1.json");
    assert_eq!(
        next_request_from(&turn, &dir, "json"),
        document["output"]["message"]
    );
    // The same from the stream of the same answer, and from a whole `curl -i` response.
    let stream = dir.join("turn.stream");
    std::fs::write(&stream, stream_bytes("agent-loop-turn-1.stream.json")).unwrap();
    let turn = ok(
        &[
            "parse",
            "--stream",
            "--format",
            "message",
            stream.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        next_request_from(&turn, &dir, "stream"),
        document["output"]["message"]
    );
    let mut http =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\r\n".to_vec();
    http.extend(stream_bytes("agent-loop-turn-1.stream.json"));
    let out = run_stdin(&["parse", "--stream", "--format", "message"], &http);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        json(&String::from_utf8(out.stdout).unwrap()),
        document["output"]["message"]
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn parse_json_reports_server_tools_citations_cache_details_and_tier() {
    let reply = repo_path("vectors/responses/grounded-answer.json");
    let out = json(&ok(&["parse", "--format", "json", &reply], &[]));
    assert_eq!(
        out["text"],
        "It is raining in Paris, 14 C. Take an umbrella."
    );
    assert_eq!(out["tool_calls"], serde_json::json!([]));
    assert_eq!(
        out["server_tool_calls"],
        serde_json::json!([{"id": "srvtoolu_01", "name": "nova_grounding", "input": {"query": "Paris weather today"}}])
    );
    assert_eq!(out["service_tier"], "flex");
    assert_eq!(
        out["usage"]["cache_details"],
        serde_json::json!([{"ttl": "1h", "input_tokens": 200}, {"ttl": "5m", "input_tokens": 100}])
    );
    assert_eq!(out["citations"].as_array().unwrap().len(), 5);
    assert_eq!(
        out["citations"][0]["location"],
        serde_json::json!({"type": "web", "url": "https://weather.example.com/paris", "domain": "weather.example.com"})
    );
    // The stream of the same answer prints the same.
    let dir = scratch("grounded");
    let stream = dir.join("grounded.stream");
    std::fs::write(&stream, stream_bytes("grounded-answer.stream.json")).unwrap();
    let streamed = json(&ok(
        &[
            "parse",
            "--stream",
            "--format",
            "json",
            stream.to_str().unwrap(),
        ],
        &[],
    ));
    assert_eq!(streamed, out);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn count_tokens_request_and_reply() {
    let out = json(&ok(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--prompt",
            "Hello",
            "--time",
            "20150830T123600Z",
            "--count-tokens",
        ],
        &[],
    ));
    assert!(
        out["url"].as_str().unwrap().ends_with("/count-tokens"),
        "{out}"
    );
    assert_eq!(
        out["body"],
        serde_json::json!({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Hello"}]}]}}})
    );
    let reply = br#"{"inputTokens": 42}"#;
    let text = run_stdin(&["parse"], reply);
    assert_eq!(String::from_utf8(text.stdout).unwrap(), "42\n");
    let as_json = run_stdin(&["parse", "--format", "json"], reply);
    assert_eq!(
        json(&String::from_utf8(as_json.stdout).unwrap()),
        serde_json::json!({"input_tokens": 42})
    );
    let http = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"inputTokens\":7}";
    assert_eq!(
        String::from_utf8(run_stdin(&["parse"], http).stdout).unwrap(),
        "7\n"
    );
    let message = run_stdin(&["parse", "--format", "message"], reply);
    assert!(!message.status.success());
    assert!(String::from_utf8_lossy(&message.stderr).contains("holds a token count"));
    // --stream and --count-tokens are two operations.
    let e = fails(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--prompt",
            "x",
            "--stream",
            "--count-tokens",
        ],
        &[],
    );
    assert!(e.contains("cannot be used with"), "{e}");
}

#[test]
fn no_messages_is_for_prompt_arns_only() {
    let e = fails(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--unsigned",
        ],
        &[],
    );
    assert!(
        e.contains("only a Prompt management ARN as the model takes none"),
        "{e}"
    );
}

#[test]
fn send_counts_tokens_and_prints_the_turn_to_append() {
    let base = crate::cli::fake_bedrock();
    let dir = scratch("send");
    let options = dir.join("options.json");
    std::fs::write(
        &options,
        format!(r#"{{"model":"ok","region":"us-east-1","access_key_id":"AKID","secret_access_key":"S","endpoint_url":"{base}"}}"#),
    )
    .unwrap();
    let options = options.to_str().unwrap();
    let send = |extra: &[&str]| {
        let mut args = vec!["send", "--options", options, "--prompt", "hi"];
        args.extend(extra);
        ok(&args, &[])
    };
    assert_eq!(send(&["--count-tokens"]), "9\n");
    assert_eq!(
        json(&send(&["--count-tokens", "--format", "json"])),
        serde_json::json!({"input_tokens": 9})
    );
    assert_eq!(
        json(&send(&["--format", "message"])),
        serde_json::json!({"role": "assistant", "content": [{"text": "Bonjour !"}]})
    );
    std::fs::remove_dir_all(dir).ok();
}
