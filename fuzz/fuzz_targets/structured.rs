//! Structured output: model text through the lenient reader and the coercion to a few schemas
//! (the first byte picks one), whole and as every kind of prefix, and through serde types.
//! Properties: no panic, and a value always serialises to JSON that reads back.
#![no_main]

use std::sync::OnceLock;

use bedrock_request::structured::{find_json, parse, parse_partial};
use bedrock_request::structured::Schema;
use bedrock_request::Value;
use libfuzzer_sys::fuzz_target;

const SCHEMAS: [&str; 5] = [
    r#"{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["name", "age"]}"#,
    r#"{"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}}"#,
    r#"{"enum": ["Red", "Green", "Blue"]}"#,
    r##"{"$defs": {"Node": {"type": "object", "properties": {"v": {"type": "number"}, "next": {"$ref": "#/$defs/Node"}}, "required": ["v"]}}, "$ref": "#/$defs/Node"}"##,
    r#"{"type": "object", "properties": {"ok": {"type": "boolean"}, "any": {}}, "required": ["ok"]}"#,
];

fn schemas() -> &'static [Schema] {
    static S: OnceLock<Vec<Schema>> = OnceLock::new();
    S.get_or_init(|| SCHEMAS.iter().map(|s| Schema::from_json(s).unwrap()).collect())
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Some(found) = find_json(text) {
        assert!(text.contains(found));
    }
    let schema = &schemas()[usize::from(pick) % SCHEMAS.len()];
    for result in [schema.parse(text), schema.parse_partial(text)] {
        if let Ok(v) = result {
            Value::from_json_str(&v.to_json()).expect("a parsed value is JSON");
        }
    }
    let half = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
    let _ = schema.parse_partial(&text[..half]);
    let _ = parse::<Vec<u32>>(text);
    let _ = parse_partial::<Vec<Option<String>>>(text);
});
