//! Adversarial model texts and schemas for the structured parser (issue 25, items 4 to 8), each
//! a small generator: the tests (`bounded.rs`) run them under a deadline, the bench
//! (`benches/bounded.rs`, which includes this file) times them at n and 2n.

/// A union of two object shapes that share a recursive `children` list, and a text nesting
/// `depth` of them: each option walks the children again, 2^depth work without memoising.
pub fn shared_recursive_union(depth: usize) -> (String, String) {
    let shape = |tag: &str| {
        format!(
            r##"{{"type": "object", "properties": {{"children": {{"type": "array", "items": {{"$ref": "#/$defs/N"}}}}, "{tag}": {{"type": "string"}}}}, "required": ["{tag}", "children"]}}"##
        )
    };
    let schema = format!(
        r##"{{"$ref": "#/$defs/N", "$defs": {{"N": {{"anyOf": [{}, {}]}}}}}}"##,
        shape("kind"),
        shape("name")
    );
    let text = r#"{"name": "x", "children": ["#.repeat(depth) + &"]}".repeat(depth);
    (schema, text)
}

/// An object value of several words that runs on past `commas` commas, its first word long:
/// rescanning the value from its start at each comma is quadratic.
pub fn late_spaced_words(commas: usize) -> String {
    format!(
        "{{a: {} y{}}}",
        "x".repeat(commas * 4),
        ", z".repeat(commas)
    )
}

/// pydantic's `JsonValue`: a union of every scalar, an array of itself and an object.
pub const JSON_VALUE: &str = r##"{"$ref": "#/$defs/J", "$defs": {"J": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/J"}}, {"type": "object"}]}}}"##;

/// An array of `n` numbers.
pub fn numbers(n: usize) -> String {
    format!("[{}1]", "1,".repeat(n))
}

/// An array of an enum of `values` values, and `n` items that name none of them.
pub fn enum_array(values: usize, n: usize) -> (String, String) {
    let names: Vec<String> = (0..values).map(|i| format!("\"value{i}\"")).collect();
    let schema = format!(
        r#"{{"type": "array", "items": {{"enum": [{}]}}}}"#,
        names.join(", ")
    );
    (schema, format!("[{}x]", "x, ".repeat(n)))
}
