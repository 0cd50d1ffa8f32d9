//! Issue 27: `batch prepare`, as users run it: records named by id or line, errors naming the
//! line, quota warnings, and memory flat in the number of records.

use crate::cli::run;

fn dir() -> std::path::PathBuf {
    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("bedrock-request-batch-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn prepare(input: &str) -> (bool, String, String) {
    let d = dir();
    let (inp, out) = (d.join("in.jsonl"), d.join("records.jsonl"));
    std::fs::write(&inp, input).unwrap();
    let o = run(
        &[
            "batch",
            "prepare",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--input",
            inp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let records = std::fs::read_to_string(&out).unwrap_or_default();
    (
        o.status.success(),
        records,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn records_are_named_by_id_or_line_and_hold_the_converse_body() {
    let input = "{\"prompt\": \"Hello\"}\n\n{\"id\": \"q7\", \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}\n";
    let (ok, records, err) = prepare(input);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["recordId"], "L0000001");
    assert_eq!(lines[1]["recordId"], "q7");
    assert_eq!(
        lines[0]["modelInput"]["messages"][0]["content"][0]["text"],
        "Hello"
    );
    assert_eq!(lines[1]["modelInput"]["system"][0]["text"], "Be brief.");
    assert!(lines[0]["modelInput"].get("modelId").is_none());
    // The same body `request` builds for the same prompt.
    let request = run(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--prompt",
            "Hello",
            "--unsigned",
        ],
        &[],
    );
    let built: serde_json::Value = serde_json::from_slice(&request.stdout).unwrap();
    let body: serde_json::Value =
        serde_json::from_str(built["body_text"].as_str().unwrap()).unwrap();
    assert_eq!(lines[0]["modelInput"], body);
    assert!(
        err.contains("warning: 2 records are fewer than the 100 a batch inference job takes"),
        "{err}"
    );
}

#[test]
fn a_bad_line_is_an_error_naming_it() {
    for (input, says) in [
        ("{\"prompt\": \"a\"}\n{\"prompt\": \n", "line 2: "),
        (
            "{\"id\": \"a1\", \"prompt\": \"a\"}\n{\"id\": \"a1\", \"prompt\": \"b\"}\n",
            "line 2: record id a1 is given twice",
        ),
        (
            "\n\n{\"id\": \"a-1\", \"prompt\": \"a\"}\n",
            "line 3: record id \"a-1\" must be letters and digits only",
        ),
        (
            "{\"text\": \"a\"}\n",
            "line 1: text is not a field of an input line (id, prompt, messages)",
        ),
        ("{\"id\": \"x\"}\n", "line 1: give prompt or messages"),
        ("{\"messages\": [{\"content\": \"hi\"}]}\n", "line 1: "),
    ] {
        let (ok, _, err) = prepare(input);
        assert!(!ok && err.contains(says), "{input:?}: {err}");
    }
}

/// 200,000 records with 120 MB of address space: the records are written as they are made.
#[cfg(target_os = "linux")]
#[test]
fn two_hundred_thousand_records_in_flat_memory() {
    let d = dir();
    let (inp, out) = (d.join("in.jsonl"), d.join("records.jsonl"));
    let mut input = String::with_capacity(200_000 * 40);
    for i in 0..200_000 {
        input.push_str(&format!("{{\"prompt\": \"Question number {i}?\"}}\n"));
    }
    std::fs::write(&inp, input).unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 120000 && exec \"$0\" batch prepare --baml examples/bedrock.baml --client Example --input \"$1\" --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_bedrock-request"))
        .arg(&inp)
        .arg(&out)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("200000 records pass Bedrock's default quota of 50000 records"),
        "{err}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 200_000);
    assert!(written
        .lines()
        .last()
        .unwrap()
        .starts_with("{\"recordId\":\"L0200000\""));
}
