//! Structured output: model text through the lenient reader and the coercion to a few schemas
//! and BAML types (the first byte picks one), whole and as a prefix, and through serde types.
//! Properties: no panic, and a value always serialises to JSON that reads back.
#![no_main]

use std::sync::OnceLock;

use bedrock_request::structured::{find_json, parse, parse_partial};
use bedrock_request::structured::Schema;
use bedrock_request::Value;
use libfuzzer_sys::fuzz_target;

const SCHEMAS: [&str; 10] = [
    r#"{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["name", "age"]}"#,
    r#"{"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}}"#,
    r#"{"enum": ["Red", "Green", "Blue"]}"#,
    r##"{"$defs": {"Node": {"type": "object", "properties": {"v": {"type": "number"}, "next": {"$ref": "#/$defs/Node"}}, "required": ["v"]}}, "$ref": "#/$defs/Node"}"##,
    r#"{"type": "object", "properties": {"ok": {"type": "boolean"}, "any": {}}, "required": ["ok"]}"#,
    // Unions of shapes that share a recursive list (issue 25, item 4).
    r##"{"$ref": "#/$defs/N", "$defs": {"N": {"anyOf": [{"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/N"}}, "kind": {"type": "string"}}, "required": ["kind", "children"]}, {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/N"}}, "name": {"type": "string"}}, "required": ["name", "children"]}]}}}"##,
    // pydantic's JsonValue, and a scalar or a list of itself (item 6).
    r##"{"$ref": "#/$defs/J", "$defs": {"J": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/J"}}, {"type": "object"}]}}}"##,
    r##"{"$ref": "#/$defs/J", "$defs": {"J": {"anyOf": [{"type": "integer"}, {"type": ["array", "null"], "items": {"$ref": "#/$defs/J"}}]}}}"##,
    // An array of an enum of values that share words (item 7).
    r#"{"type": "array", "items": {"enum": ["a", "a b", "a b c", "B", "c-d", "C++", "dark blue", "Dark", "x_y"]}}"#,
    // Maps and literals (issue 28).
    r#"{"type": "object", "additionalProperties": {"anyOf": [{"enum": [2, 3, "fast", true]}, {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "integer"}}}]}}"#,
];

/// BAML types (issue 28): checks and asserts, every `@stream.*` (`not_null` through an alias
/// too), implied keys (one-field classes, a recursive one), aliases without accents, enum
/// values named by their descriptions, unions of classes and of lists.
const BAML: &str = r#"
class Tool {
  name string @stream.not_null
  args map<string, int | string> @stream.done
  @@assert(named, {{ this.name|length > 0 }})
}
class Note {
  text string @stream.with_state @check(short, {{ this|length < 80 and not (this|lower == "x") }})
  tags ("a" | "b" | 3)[] @check(few, {{ this|length <= 3 }})
  phone string? @check(digits, {{ this|regex_match("^[0-9-]+$") }})
}
class Wrap {
  inner Wrap?
}
class One {
  only Tool[]
}
enum Kind {
  CAFE @alias("café")
  SENOR @alias(señor)
  @@check(known, {{ this != "x" }})
}
enum Mood {
  UP @alias("happy") @description("the text is upbeat")
  DOWN @description("The text is sad")
  FLAT @description("The text is neither")
  NONE @description("")
}
type Id = int @stream.not_null
class Row {
  id Id
  mood Mood?
}
"#;

const BAML_TYPES: [&str; 7] = [
  "((Tool | Note) @stream.done)[]",
  "(Tool | Note | One) @stream.not_null",
  "Wrap",
  "map<string, Kind[]>",
  "Note?",
  "Row[]",
  "(Mood[] | Row)?",
];

fn schemas() -> &'static [Schema] {
    static S: OnceLock<Vec<Schema>> = OnceLock::new();
    S.get_or_init(|| {
        let mut all: Vec<Schema> = SCHEMAS.iter().map(|s| Schema::from_json(s).unwrap()).collect();
        all.extend(BAML_TYPES.iter().map(|t| Schema::from_baml(BAML, t).unwrap()));
        all
    })
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
    let schema = &schemas()[usize::from(pick) % (SCHEMAS.len() + BAML_TYPES.len())];
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
