//! BAML source: parse, read every client's options and validate them, and build every client's
//! retry strategy (retry_policy blocks, fallback and round-robin composites, loops) and drive
//! its planner to the end. No panic, whatever the text; nesting is limited, so no stack
//! overflow either; a planner always ends.
#![no_main]

use bedrock_request::retry::{AwsRetry, Next, Outcome, Planner, Strategy, MAX_TOTAL_ATTEMPTS};
use bedrock_request::{BamlFile, Env};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    // The same text as BAML types: any expression, read within its depth limit, parses a
    // text without panicking.
    let head = text.char_indices().nth(64).map_or(text, |(i, _)| &text[..i]);
    for expr in ["A", "A[]", "map<string, A?>", "A | B | \"x\" | 2", head] {
        if let Ok(schema) = bedrock_request::structured::Schema::from_baml(text, expr) {
            let _ = schema.parse(r#"{"a": [1, "two", {"b": null}], "c": "x"}"#);
            let _ = schema.parse_partial(r#"[{"a": 1}, {"b"#);
        }
    }
    let Ok(file) = BamlFile::parse(text) else {
        return;
    };
    let env = Env::from_iter([("KEY", "value"), ("REGION", "us-east-1")]);
    for client in file.clients() {
        let _ = client.options(&env);
        let _ = client.to_config(&env);
        if let Ok(strategy) = Strategy::from_baml(&file, client.name(), &env, AwsRetry::default()) {
            let mut planner = Planner::new(strategy);
            let busy = Outcome::transport("busy");
            let mut next = planner.start();
            let mut attempts = 1;
            while let Next::Send(_) = next {
                next = planner.next(&busy, 0.5);
                attempts += 1;
                assert!(attempts <= MAX_TOTAL_ATTEMPTS + 1, "the planner did not end");
            }
        }
    }
});
