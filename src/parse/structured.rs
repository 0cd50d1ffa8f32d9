//! Structured output: the JSON value in a model's text, deserialized into your type.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Result};

/// Finds the JSON value in a model's text: the whole text, else a ```json (or ```) fence, else
/// the first `{` or `[` from which a complete JSON value parses (after leading prose). Returns
/// the JSON's text.
///
/// ```
/// use bedrock_request::parse::find_json;
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
    // error, and serde_json stops at 128 levels, so spans nested in failing spans add up to at
    // most 128 times the text: linear.
    for (start, end) in bracket_spans(text) {
        let span = &text[start..=end];
        if serde_json::from_str::<serde::de::IgnoredAny>(span).is_ok() {
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
    (text.starts_with('{') || text.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// Finds the JSON value in `text` ([`find_json`]) and deserializes it into `T`.
///
/// The error quotes the text around the failure, with a marker where it is.
///
/// ```
/// use std::collections::BTreeMap;
/// use bedrock_request::parse::structured;
/// let v: BTreeMap<String, u32> = structured("Here you go: {\"apples\": 3}")?;
/// assert_eq!(v["apples"], 3);
/// let err = structured::<BTreeMap<String, u32>>("{\"apples\": \"three\"}").unwrap_err();
/// assert!(err.to_string().contains("invalid type"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn structured<T: DeserializeOwned>(text: &str) -> Result<T> {
    let Some(json) = find_json(text) else {
        let start: String = text.chars().take(120).collect();
        let more = if text.chars().count() > 120 {
            "..."
        } else {
            ""
        };
        return Err(Error::new(
            ErrorKind::StructuredOutput,
            format!("no JSON object or array in the model's text: {start:?}{more}"),
        ));
    };
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::StructuredOutput,
            format!(
                "the JSON does not fit the expected type: {e}\n{}",
                around(json, e.line(), e.column())
            ),
        )
    })
}

/// The text around `line:column` (1-based), with `>>>` at the spot.
fn around(text: &str, line: usize, column: usize) -> String {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let chars: Vec<char> = l.chars().collect();
    let at = column.saturating_sub(1).min(chars.len());
    let from = at.saturating_sub(40);
    let to = (at + 40).min(chars.len());
    let before: String = chars[from..at].iter().collect();
    let after: String = chars[at..to].iter().collect();
    format!("near: {before}>>>{after}")
}
