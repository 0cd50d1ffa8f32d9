//! `bedrock-request structured` and `parse --schema` on BAML's own answers
//! (vectors/structured/cases.json), as the CLI's users run them.

use crate::cli::{ok, run_stdin};
use crate::common::repo_path;

#[test]
fn structured_prints_what_bamls_runtime_returns() {
    check_cases("json-schema", |doc, name, dir| {
        let schema = dir.join(format!("{name}.json"));
        std::fs::write(&schema, doc["schemas"][name].to_string()).unwrap();
        vec!["--schema".into(), schema.to_str().unwrap().into()]
    });
}

/// Runs `structured` (with the type flags `type_args` writes for a type name) on every case of
/// vectors/structured/cases.json: baml-py's answer each time, or an error where BAML fails.
fn check_cases(
    label: &str,
    type_args: impl Fn(&serde_json::Value, &str, &std::path::Path) -> Vec<String>,
) {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("vectors/structured/cases.json")).unwrap(),
    )
    .unwrap();
    let dir = crate::common::scratch(&format!("structured-{label}"));
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let name = case["type"].as_str().unwrap();
        let mut args = vec!["structured".to_owned()];
        args.extend(type_args(&doc, name, &dir));
        if case["partial"] == true {
            args.push("--partial".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = case["text"].as_str().unwrap();
        let out = run_stdin(&args, text.as_bytes());
        let expected = case
            .get("ours")
            .map_or(case.get("value"), |o| o.get("value"));
        match (out.status.success(), expected) {
            (true, Some(e)) => {
                let printed: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{name} {text:?}: {e}"));
                if !crate::common::same(&printed, e) {
                    failures.push(format!("{name} {text:?}: printed {printed}, BAML {e}"));
                }
            }
            (false, None) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    stderr.contains("does not fit the type"),
                    "{name} {text:?}: {stderr}"
                );
                assert!(out.stdout.is_empty());
            }
            (ok, e) => failures.push(format!(
                "{name} {text:?}: exit ok={ok}, stdout {}, stderr {}, BAML {e:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_schema_reads_a_response_s_text() {
    let dir = crate::common::scratch("parse-schema");
    let schema = dir.join("person.json");
    std::fs::write(
        &schema,
        r#"{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}"#,
    )
    .unwrap();
    let response = dir.join("response.json");
    std::fs::write(
        &response,
        r#"{"output":{"message":{"role":"assistant","content":[{"text":"Here:\n```json\n{name: 'Ada', age: '36'}\n```"}]}},"stopReason":"end_turn"}"#,
    )
    .unwrap();
    let out = ok(
        &[
            "parse",
            "--schema",
            schema.to_str().unwrap(),
            response.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"name": "Ada", "age": 36})
    );
    // A stream's text, and --partial for a text cut short.
    let stream = dir.join("answer.stream");
    std::fs::write(
        &stream,
        crate::common::stream_bytes("agent-loop-turn-1.stream.json"),
    )
    .unwrap();
    let text_schema = dir.join("text.json");
    std::fs::write(&text_schema, r#"{"type": "string"}"#).unwrap();
    let out = ok(
        &[
            "parse",
            "--stream",
            "--schema",
            text_schema.to_str().unwrap(),
            stream.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.trim(), "\"Let me check the weather in Paris first.\"");
    let partial = dir.join("partial.json");
    std::fs::write(
        &partial,
        r#"{"output":{"message":{"role":"assistant","content":[{"text":"{\"name\": \"Ada\", \"age\": 3"}]}},"stopReason":"max_tokens"}"#,
    )
    .unwrap();
    let out = ok(
        &[
            "parse",
            "--schema",
            schema.to_str().unwrap(),
            "--partial",
            partial.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"name": "Ada", "age": null})
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 25, item 8: candidates are read one at a time, each only when the ones before it did
/// not fit. A fenced answer followed by 5 MB of data in prose took 170 MB when every candidate
/// was read first; here the CLI runs with 120 MB of address space.
#[cfg(target_os = "linux")]
#[test]
fn only_the_candidates_tried_are_read() {
    let dir = crate::common::scratch("lazy");
    let schema = dir.join("schema.json");
    std::fs::write(
        &schema,
        r#"{"type": "array", "items": {"type": "integer"}}"#,
    )
    .unwrap();
    let text = dir.join("text.txt");
    let raw = format!("[{}1]", "1,".repeat(2_500_000));
    std::fs::write(
        &text,
        format!("Here it is:\n```json\n[1, 2, 3]\n```\nThe raw data: {raw}\n"),
    )
    .unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 120000 && exec \"$0\" structured --schema \"$1\" \"$2\"")
        .arg(env!("CARGO_BIN_EXE_bedrock-request"))
        .arg(&schema)
        .arg(&text)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, serde_json::json!([1, 2, 3]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 28: `structured --baml FILE --type TYPE` on every case, the types as BAML source:
/// baml-py's answer each time.
#[test]
fn structured_with_baml_types_prints_what_bamls_runtime_returns() {
    check_cases("baml", |doc, name, dir| {
        let baml = &doc["baml_types"][name];
        let file = dir.join(format!("{name}.baml"));
        std::fs::write(&file, baml["declarations"].as_str().unwrap()).unwrap();
        let returns = baml["returns"].as_str().unwrap().to_owned();
        vec![
            "--baml".into(),
            file.to_str().unwrap().into(),
            "--type".into(),
            returns,
        ]
    });
}

/// Issue 28: BAML's own parser tests (vectors/jsonish, answered by baml-py) through
/// `structured --baml FILE --type TYPE [--partial]`, as the suite's users would run them:
/// baml-py's answer on every case but the differences listed with their reasons.
#[test]
fn bamls_parser_tests_through_the_cli() {
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(repo_path(path)).unwrap()).unwrap()
    };
    let doc = read("vectors/jsonish/cases.json");
    let known = read("vectors/jsonish/differences.json");
    let dir = crate::common::scratch("jsonish");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (i, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
        let name = format!(
            "{} {}",
            case["file"].as_str().unwrap(),
            case["name"].as_str().unwrap()
        );
        if known["differ"].get(&name).is_some() {
            continue;
        }
        let file = dir.join(format!("{i}.baml"));
        std::fs::write(&file, case["baml"].as_str().unwrap()).unwrap();
        let mut args = vec![
            "structured",
            "--baml",
            file.to_str().unwrap(),
            "--type",
            case["type"].as_str().unwrap(),
        ];
        if case["mode"] == "partial" {
            args.push("--partial");
        }
        let out = run_stdin(&args, case["text"].as_str().unwrap().as_bytes());
        match (out.status.success(), case["baml_py"].get("value")) {
            (true, Some(want)) => {
                let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                if !crate::common::same(&printed, want) {
                    failures.push(format!("{name}: printed {printed}, baml-py {want}"));
                }
            }
            (false, None) => assert!(out.stdout.is_empty(), "{name}"),
            (ok, want) => failures.push(format!(
                "{name}: exit ok={ok}, stdout {}, stderr {}, baml-py {want:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
        checked += 1;
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(checked >= 400, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
