//! Structured output: the JSON value in a model's text.
#![no_main]

use bedrock_request::parse::{find_json, structured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(found) = find_json(text) {
        assert!(text.contains(found));
    }
    let _ = structured::<Vec<u32>>(text);
});
