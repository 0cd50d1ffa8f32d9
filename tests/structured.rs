//! Schema-aligned parsing against BAML's own runtime: vectors/structured/cases.json holds, for
//! each type and text, what baml-py's `b.parse` / `b.parse_stream` returned
//! (tools/capture_baml_structured.py). Our `Schema::parse` / `parse_partial` must return the
//! same value, and fail where BAML fails.

use bedrock_request::structured::Schema;
use serde_json::Value as Json;

use crate::util::crate_path;

fn document() -> Json {
    let text = std::fs::read_to_string(crate_path("vectors/structured/cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// JSON equality with numbers compared by value (BAML prints a float field's 3 as 3.0).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn schema(doc: &Json, name: &str) -> Schema {
    Schema::from_json(&doc["schemas"][name].to_string()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_case_gives_what_bamls_runtime_gives() {
    let doc = document();
    let mut failures = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = case["type"].as_str().unwrap();
        let text = case["text"].as_str().unwrap();
        let schema = schema(&doc, name);
        let ours = if case["partial"] == true {
            schema.parse_partial(text)
        } else {
            schema.parse(text)
        };
        match (ours, case.get("value")) {
            (Ok(v), Some(expected)) => {
                let v = serde_json::Value::from(v);
                if !same(&v, expected) {
                    failures.push(format!("{name} {text:?}: ours {v}, BAML {expected}"));
                }
            }
            (Err(e), Some(expected)) => {
                failures.push(format!("{name} {text:?}: ours error {e}, BAML {expected}"))
            }
            (Ok(v), None) => {
                failures.push(format!("{name} {text:?}: ours {}, BAML fails", v.to_json()))
            }
            (Err(e), None) => {
                assert!(
                    e.to_string()
                        .starts_with("the model's text does not fit the type"),
                    "{e}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_prefix_gives_bamls_partial_value_and_values_only_grow() {
    let doc = document();
    let mut failures = Vec::new();
    for answer in doc["prefixes"].as_array().unwrap() {
        let name = answer["type"].as_str().unwrap();
        let text = answer["text"].as_str().unwrap();
        let schema = schema(&doc, name);
        let mut previous: Option<Json> = None;
        for (i, expected) in answer["partial_values"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let prefix = &text[..i + 1];
            let ours = serde_json::Value::from(schema.parse_partial(prefix).unwrap());
            if !same(&ours, &expected["value"]) {
                failures.push(format!(
                    "{name} {prefix:?}: ours {ours}, BAML {}",
                    expected["value"]
                ));
            }
            if let Some(before) = &previous {
                assert!(
                    extends(&ours, before),
                    "{name} {prefix:?}: {ours} drops what {before} had"
                );
            }
            previous = Some(ours);
        }
        let whole = serde_json::Value::from(schema.parse(text).unwrap());
        assert!(same(&whole, &answer["final"]["value"]), "{name}: {whole}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether `now` keeps everything `before` had: nulls may fill in, strings and lists grow.
fn extends(now: &Json, before: &Json) -> bool {
    match (before, now) {
        (Json::Null, _) => true,
        (Json::String(b), Json::String(n)) => n.starts_with(b.as_str()),
        (Json::Array(b), Json::Array(n)) => {
            b.len() <= n.len() && b.iter().zip(n).all(|(b, n)| extends(n, b))
        }
        (Json::Object(b), Json::Object(n)) => b
            .iter()
            .all(|(k, v)| n.get(k).is_some_and(|w| extends(w, v))),
        (b, n) => same(b, n),
    }
}
