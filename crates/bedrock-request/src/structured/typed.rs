//! Structured output into your own serde types: the JSON value in a model's text, found,
//! read leniently and coerced by the type (the same rules as [`Schema`](super::Schema)).

use serde::de::DeserializeOwned;

use crate::error::Result;

/// Finds the JSON value in a model's text: the whole text, else a ```json (or ```) fence, else
/// the first `{` or `[` from which a complete JSON value parses (after leading prose). Returns
/// the JSON's text.
///
/// ```
/// use bedrock_request::structured::find_json;
/// assert_eq!(find_json("Sure! Here it is:\n```json\n{\"a\": 1}\n```\nAnything else?"), Some("{\"a\": 1}"));
/// assert_eq!(find_json("The answer is [1, 2] (two items)."), Some("[1, 2]"));
/// assert_eq!(find_json("no json here"), None);
/// ```
pub fn find_json(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    if is_json(trimmed) {
        return Some(trimmed);
    }
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let lang = after[..body_start].trim();
        let body = &after[body_start..];
        let Some(end) = body.find("```") else { break };
        let inner = body[..end].trim();
        if (lang.is_empty() || lang.eq_ignore_ascii_case("json")) && is_json(inner) {
            return Some(inner);
        }
        rest = &body[end + 3..];
    }
    // Each `{`/`[` with its matching bracket, in order: a value starting there can only end
    // there, and an opening bracket without one starts no value (it was once parsed to the end
    // of the text, for each of them). A failing span costs the bytes read up to its first
    // error, and the JSON reader stops at 128 levels, so spans nested in failing spans add up to at
    // most 128 times the text: linear.
    for (start, end) in bracket_spans(text) {
        let span = &text[start..=end];
        if crate::json::validate(span).is_ok() {
            return Some(span);
        }
    }
    None
}

/// `(open, close)` byte positions of every `{`/`[` that has a matching bracket, in the order
/// of the opening ones. One pass: inside brackets, a JSON string (where JSON puts one: after
/// `[`, `{`, `,` or `:`) is skipped with its escapes, so its brackets count for nothing, while
/// a quote in prose is just a character; a closing bracket that does not match the innermost
/// opening one closes nothing.
fn bracket_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut spans = Vec::new();
    let mut i = 0;
    // The last byte that is not whitespace, outside strings.
    let mut previous = b' ';
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' if !open.is_empty() && matches!(previous, b'[' | b'{' | b',' | b':') => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => open.push((i, b)),
            b'}' | b']' => {
                let want = if b == b'}' { b'{' } else { b'[' };
                if let Some(&(at, _)) = open.last().filter(|&&(_, o)| o == want) {
                    spans.push((at, i));
                    open.pop();
                }
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            previous = b;
        }
        i += 1;
    }
    spans.sort_unstable();
    spans
}

fn is_json(text: &str) -> bool {
    (text.starts_with('{') || text.starts_with('[')) && crate::json::validate(text).is_ok()
}

/// The value in a model's text, as any serde type, the way BAML's `b.parse` reads it:
/// fences, prose around the value, several candidates (the first that fits wins), sloppy JSON
/// (unquoted keys, single quotes, trailing commas, comments), and coercion to what the type
/// asks for (`"36"` → 36, `36.0` → 36, a scalar → a one-item `Vec`, enum variants matched
/// case-insensitively or named in a sentence, keys matched case-insensitively, extra keys
/// ignored, a missing `Option` `None`, a missing `Vec` empty). See [`crate::structured`].
///
/// The error names the field path (`items[2].qty`) and what was found.
///
/// ```
/// use bedrock_request::structured;
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Person { name: String, age: u32, tags: Vec<String> }
/// let p: Person = structured::parse("Sure!\n```json\n{name: \"Ada\", age: \"36\", tags: \"math\",}\n```")?;
/// assert_eq!(p, Person { name: "Ada".into(), age: 36, tags: vec!["math".into()] });
/// let err = structured::parse::<Person>("{\"name\": \"Ada\", \"age\": \"old\"}").unwrap_err();
/// assert!(err.to_string().contains("field age wanted u32, found \"old\""), "{err}");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
    crate::structured::from_text(text)
}

/// The value so far in an unfinished text (BAML's `b.parse_stream`), as any serde type: give
/// the type `Option` fields (unfinished or missing scalars are `None`) and `Vec` fields
/// (missing lists are empty).
///
/// ```
/// use bedrock_request::structured;
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Person { name: Option<String>, age: Option<u32>, tags: Vec<String> }
/// let p: Person = structured::parse_partial(r#"{"name": "Ada", "age": 3"#)?;
/// assert_eq!(p, Person { name: Some("Ada".into()), age: None, tags: vec![] });
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn parse_partial<T: DeserializeOwned>(text: &str) -> Result<T> {
    crate::structured::from_partial_text(text)
}
