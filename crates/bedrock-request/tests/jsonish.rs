//! BAML's own parser tests (`vectors/jsonish/cases.json`: the texts and types of
//! BoundaryML/baml's `jsonish` test suite, each answered by baml-py 0.226.3 through
//! `tools/capture_baml_jsonish.py`). Every case goes through `Schema::from_baml` with the
//! case's declarations and type, and must give baml-py's answer, except the cases
//! `vectors/jsonish/README.md` lists as not expressible yet (and says why), which must still
//! be refused with an error that names what is missing.

use std::collections::BTreeMap;

use bedrock_request::structured::Schema;
use serde_json::Value as Json;

use crate::common::{read, same};

/// How one case went.
enum Verdict {
    Agrees,
    Differs(String),
    Refused(String),
}

fn verdict(case: &Json) -> Verdict {
    let baml = case["baml"].as_str().unwrap();
    let ty = case["type"].as_str().unwrap();
    let text = case["text"].as_str().unwrap();
    let schema = match Schema::from_baml(baml, ty) {
        Ok(schema) => schema,
        Err(e) => return Verdict::Refused(e.to_string()),
    };
    let ours = if case["mode"] == "partial" {
        schema.parse_partial(text)
    } else {
        schema.parse(text)
    };
    let want = case["baml_py"].get("value");
    match (ours, want) {
        (Ok(v), Some(want)) => {
            let v = Json::from(v);
            if same(&v, want) {
                Verdict::Agrees
            } else {
                Verdict::Differs(format!("ours {v}, baml-py {want}"))
            }
        }
        (Err(e), Some(want)) => Verdict::Differs(format!("ours: {e}; baml-py {want}")),
        (Ok(v), None) => Verdict::Differs(format!("ours {}, baml-py fails", v.to_json())),
        (Err(_), None) => Verdict::Agrees,
    }
}

#[test]
fn bamls_own_parser_tests_give_baml_pys_answers() {
    check_cases(
        "vectors/jsonish/cases.json",
        400,
        "vectors/jsonish/differences.json",
    );
}

/// Texts written for this project beyond BAML's suite (`tools/make_beyond_cases.py`), answered
/// by baml-py the same way: where we differ, each case names its reason in
/// `vectors/jsonish/beyond_differences.json`.
#[test]
fn texts_beyond_bamls_suite_give_baml_pys_answers_or_a_listed_reason() {
    check_cases(
        "vectors/jsonish/beyond.json",
        2000,
        "vectors/jsonish/beyond_differences.json",
    );
}

/// Runs every case of `cases` (at least `least` of them): each gives baml-py's answer, or is a
/// difference listed in `differences` (`{"differ": {"FILE NAME": reason}}`; in the beyond
/// file, the reason is a key of its `reasons`), or is refused by name.
fn check_cases(cases: &str, least: usize, differences: &str) {
    let doc: Json = serde_json::from_str(&read(cases)).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= least, "{}", cases.len());
    // Per file: (agree, differ, refused).
    let mut counts: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    let mut differ = Vec::new();
    let mut refused = Vec::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let name = case["name"].as_str().unwrap();
        let entry = counts.entry(file).or_default();
        match verdict(case) {
            Verdict::Agrees => entry.0 += 1,
            Verdict::Differs(why) => {
                entry.1 += 1;
                differ.push(format!("{file} {name}: {why}"));
            }
            Verdict::Refused(why) => {
                entry.2 += 1;
                refused.push(format!("{file} {name}: {why}"));
            }
        }
    }
    let table: Vec<String> = counts
        .iter()
        .map(|(f, (a, d, r))| format!("{f}: {a} agree, {d} differ, {r} not expressible"))
        .collect();
    eprintln!("{}", table.join("\n"));
    if std::env::var_os("JSONISH_REPORT").is_some() {
        eprintln!(
            "DIFFER\n{}\nREFUSED\n{}",
            differ.join("\n"),
            refused.join("\n")
        );
    }
    // The differences we know of, each with its reason: a new one fails, and so does one
    // that went away (the list stays true).
    let doc: Json = serde_json::from_str(&read(differences)).unwrap();
    let known = doc["differ"].as_object().unwrap();
    if let Some(reasons) = doc.get("reasons").and_then(Json::as_object) {
        for (case, reason) in known {
            let reason = reason.as_str().unwrap_or_default();
            assert!(reasons.contains_key(reason), "{case}: no reason {reason:?}");
        }
    }
    let unknown: Vec<&String> = differ
        .iter()
        .filter(|d| !known.keys().any(|k| d.starts_with(&format!("{k}:"))))
        .collect();
    assert!(
        unknown.is_empty(),
        "{} differ:\n{unknown:#?}",
        unknown.len()
    );
    for k in known.keys() {
        assert!(
            differ.iter().any(|d| d.starts_with(&format!("{k}:"))),
            "{k} now agrees: take it out of {differences}"
        );
    }
    // What cannot be expressed yet is refused by name, never misread.
    for r in &refused {
        assert!(r.contains("is not supported"), "{r}");
    }
}

/// BAML's implied key (a one-field class takes a value that is not its object) never wraps
/// the same object twice: a recursive one-field class and a chain of them end at once.
#[test]
fn implied_keys_do_not_recurse() {
    let schema = Schema::from_baml("class Node {\n  child Node?\n}", "Node").unwrap();
    assert_eq!(
        schema.parse(r#"{"other": 1}"#).unwrap().to_json(),
        r#"{"child":null}"#
    );
    let chain = Schema::from_baml(
        "class A {\n  b B\n}\nclass B {\n  c C\n}\nclass C {\n  x int\n}",
        "A",
    )
    .unwrap();
    assert_eq!(
        chain.parse(r#"{"x": 3}"#).unwrap().to_json(),
        r#"{"b":{"c":{"x":3}}}"#
    );
    assert_eq!(
        chain.parse("7").unwrap().to_json(),
        r#"{"b":{"c":{"x":7}}}"#
    );
}
