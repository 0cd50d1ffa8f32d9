//! Linear time on adversarial inputs (issue 11): each parser at size n and 2n in the same run,
//! reported as the ratio time(2n) / time(n). Linear work gives about 2.0; quadratic about 4.0.
//! `cargo bench --bench bounded` prints one line per parser (median of 5 runs at each size).

use std::hint::black_box;
use std::time::{Duration, Instant};

use bedrock_request::credentials::SharedConfig;
use bedrock_request::stream::ConverseStream;
use bedrock_request::{BamlFile, FinishReasonPolicy, Value};

/// An event-stream message, made by the reference encoder (aws-smithy-eventstream).
fn frame(event: &str, payload: &[u8]) -> Vec<u8> {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let message = Message::new(payload.to_vec())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ))
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event.to_owned().into()),
        ));
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut out).unwrap();
    out
}

#[path = "../tests/adversarial.rs"]
mod adversarial;

fn json_keys(n: usize) -> String {
    let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
    format!("{{{}}}", keys.join(","))
}

fn baml_values(n: usize) -> String {
    let mut keys = String::new();
    for i in 0..n {
        keys.push_str(&format!("      k{i} {i}\n"));
    }
    format!("client<llm> C {{\n  provider aws-bedrock\n  options {{\n    model m\n    extra_body {{\n{keys}    }}\n  }}\n}}")
}

fn stream_blocks(n: usize) -> Vec<u8> {
    let mut body = frame("messageStart", br#"{"role":"assistant"}"#);
    for i in 0..n {
        let payload = format!(r#"{{"contentBlockIndex":{i},"delta":{{"text":"x"}}}}"#);
        body.extend(frame("contentBlockDelta", payload.as_bytes()));
    }
    body.extend(frame("messageStop", br#"{"stopReason":"end_turn"}"#));
    body
}

fn profiles(n: usize) -> String {
    (0..n)
        .map(|i| format!("[profile p{i}]\nregion = r{i}\n"))
        .collect()
}

fn unclosed_objects(n: usize) -> String {
    "{\"a\":".repeat(n)
}

/// Model text at its worst for the lenient reader: unclosed objects (each `{` a candidate),
/// quotes that do not end strings, and keys matched against a wide object.
fn sloppy_text(n: usize) -> String {
    let mut t = String::with_capacity(n * 24);
    for i in 0..n {
        t.push_str(&format!("{{k{i}: 'a \"b\" c', "));
    }
    t
}

fn wide_object(n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("'key{i}': \"{i}\"")).collect();
    format!("Sure!\n```json\n{{{}, age: 3}}\n```", body.join(", "))
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

fn case<T>(name: &str, n: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let small = make(n);
    let large = make(2 * n);
    let t1 = median(|| run(black_box(&small)));
    let t2 = median(|| run(black_box(&large)));
    println!(
        "{name}: n={n} {:.1} ms, 2n {:.1} ms, ratio {:.2}",
        t1.as_secs_f64() * 1e3,
        t2.as_secs_f64() * 1e3,
        t2.as_secs_f64() / t1.as_secs_f64()
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    structured_cases();
    case("json object keys", 100_000, json_keys, |t| {
        Value::from_json_str(t).unwrap();
    });
    case("baml block values", 200_000, baml_values, |t| {
        BamlFile::parse(t).unwrap();
    });
    case("stream content blocks", 200_000, stream_blocks, |b| {
        ConverseStream::decode_all(b, FinishReasonPolicy::Any).unwrap();
    });
    case(
        "structured output in unclosed text",
        100_000,
        unclosed_objects,
        |t| {
            assert!(bedrock_request::structured::find_json(t).is_none());
        },
    );
    let person = bedrock_request::structured::Schema::from_json(
        r#"{"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}"#,
    )
    .unwrap();
    case(
        "schema-aligned parse of sloppy unclosed text",
        50_000,
        sloppy_text,
        |t| {
            let _ = person.parse(t);
            let _ = person.parse_partial(t);
        },
    );
    case(
        "schema-aligned parse of a wide fenced object",
        100_000,
        wide_object,
        |t| {
            assert!(person.parse(t).is_ok());
        },
    );
    case("shared config profiles", 100_000, profiles, |t| {
        SharedConfig::parse(Some(t), None).unwrap();
    });
}

/// Issue 25, items 4 to 7: the structured parser's adversarial inputs.
fn structured_cases() {
    use bedrock_request::structured::Schema;
    case(
        "union of shapes sharing a recursive list (depth)",
        30,
        adversarial::shared_recursive_union,
        |(schema, text)| {
            Schema::from_json(schema).unwrap().parse(text).unwrap();
        },
    );
    let one_string = Schema::from_json(
        r#"{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}"#,
    )
    .unwrap();
    case(
        "bare value running past commas",
        100_000,
        adversarial::late_spaced_words,
        |t| {
            one_string.parse(t).unwrap();
        },
    );
    let json_value = Schema::from_json(adversarial::JSON_VALUE).unwrap();
    case(
        "JsonValue array of numbers",
        200_000,
        adversarial::numbers,
        |t| {
            json_value.parse(t).unwrap();
        },
    );
    case(
        "array of a 1000-value enum naming none",
        50_000,
        |n| adversarial::enum_array(1000, n),
        |(schema, text)| {
            Schema::from_json(schema).unwrap().parse(text).unwrap();
        },
    );
}
