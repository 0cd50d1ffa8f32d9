//! A strict JSON reader (RFC 8259) into [`Value`], keeping key order and number text.
//!
//! serde_json would round numbers through `f64` (`0.70` → `0.7`, `1e3` → `1000.0`) unless its
//! `arbitrary_precision` feature is on, and that feature changes serde_json for every crate in
//! the caller's build; so the few JSON inputs this crate reads (options maps, messages files)
//! go through this reader instead. It is checked against serde_json in the tests.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};
use crate::json_text::JsonText;
use crate::value::{is_json_number, Number, Value};

const MAX_DEPTH: usize = 128;

impl Value {
    /// Parses JSON text (RFC 8259), keeping key order and each number's text exactly
    /// (`0.70` stays `0.70`, `1E-1` stays `1E-1`, big integers keep every digit). A repeated
    /// key replaces the earlier value in place. Nesting deeper than 128 is refused.
    ///
    /// ```
    /// use bedrock_request::Value;
    /// let v = Value::from_json_str(r#"{"temperature": 0.70, "n": 12345678901234567890123}"#)?;
    /// assert_eq!(v.to_json(), r#"{"temperature":0.70,"n":12345678901234567890123}"#);
    /// assert!(Value::from_json_str("[1,]").is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Value> {
        parse(text)
    }
}

/// Parses one JSON value, with nothing but whitespace around it.
pub(crate) fn parse(text: &str) -> Result<Value> {
    read(text, true)
}

/// Checks that `text` is one JSON value (the same grammar and depth limit as [`parse`]) without
/// building it: no allocation however large the text.
/// The JSON string literal at the start of `text`, unescaped, and the bytes it took; `None`
/// when `text` does not start with a valid one.
pub(crate) fn string_prefix(text: &str) -> Option<(String, usize)> {
    if !text.starts_with('"') {
        return None;
    }
    let mut reader = Reader {
        text,
        pos: 0,
        build: true,
        raw: None,
    };
    let s = reader.string().ok()?;
    Some((s, reader.pos))
}

pub(crate) fn validate(text: &str) -> Result<()> {
    read(text, false).map(drop)
}

/// Parses one JSON value, but the values at `raw_path` (object keys, `*` for any array item)
/// come back as `Value::String` holding their exact JSON text, checked and not built: how a
/// Converse response keeps a tool call's input without a tree of it.
pub(crate) fn parse_keeping_raw(text: &str, raw_path: &[&str]) -> Result<Value> {
    let mut p = Reader {
        text,
        pos: 0,
        build: true,
        raw: Some((raw_path, Vec::new())),
    };
    p.whole()
}

fn read(text: &str, build: bool) -> Result<Value> {
    let mut p = Reader {
        text,
        pos: 0,
        build,
        raw: None,
    };
    p.whole()
}

impl Reader<'_> {
    fn whole(&mut self) -> Result<Value> {
        self.skip_ws();
        let value = self.value(0)?;
        self.skip_ws();
        if self.pos < self.text.len() {
            return Err(self.error("trailing characters after the JSON value"));
        }
        Ok(value)
    }

    /// The value of a member or item under `key`: built, or kept as raw text at the raw path.
    fn member(&mut self, key: &str, depth: usize) -> Result<Value> {
        let at_raw = match &mut self.raw {
            None => return self.value(depth),
            Some((raw_path, path)) => {
                path.push(key.to_owned());
                path.len() == raw_path.len()
                    && path.iter().zip(raw_path.iter()).all(|(a, b)| a == b)
            }
        };
        let result = if at_raw && self.build {
            let start = self.pos;
            self.build = false;
            let checked = self.value(depth);
            self.build = true;
            checked.map(|_| Value::String(self.text[start..self.pos].to_owned()))
        } else {
            self.value(depth)
        };
        if let Some((_, path)) = &mut self.raw {
            path.pop();
        }
        result
    }
}

impl JsonText {
    /// Checks that `text` is one JSON value (RFC 8259, nesting at most 128 deep) and keeps it
    /// as it is, without building the value.
    pub fn parse(text: String) -> Result<JsonText> {
        validate(&text)?;
        Ok(JsonText::from_valid(text))
    }

    /// The value, as a tree (numbers and key order as written).
    pub fn to_value(&self) -> Value {
        // Checked when made, by the same reader with the same limits: this cannot fail.
        parse(self.as_str()).unwrap_or(Value::Null)
    }
}

/// Objects with more keys than this find a repeated key through an ordered index, not a scan.
const INDEXED_KEYS: usize = 16;

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// `false` to check the grammar only (`validate`): values come back as `null`.
    build: bool,
    /// For `parse_keeping_raw`: the raw path, and the keys from the root to the cursor.
    raw: Option<(&'a [&'a str], Vec<String>)>,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> Error {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::new(
            ErrorKind::Json,
            format!("{what} at line {line}, column {column}"),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested more than 128 levels deep"));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of JSON")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        match if self.build {
            Number::parse(text).map(Value::Number)
        } else {
            is_json_number(text).then_some(Value::Null)
        } {
            Some(value) => Ok(value),
            None => {
                self.pos = start;
                Err(self.error("invalid number"))
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            let item = self.member("*", depth + 1)?;
            if self.build {
                items.push(item);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected , or ] in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        let mut entries: Vec<(String, Value)> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(entries));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected : after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.member(&key, depth + 1)?;
            if self.build {
                // A repeated key replaces the earlier value in place; past a few keys the
                // earlier ones are found through an index, so any object reads in linear time.
                if entries.len() == INDEXED_KEYS {
                    index = entries
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect();
                }
                let earlier = if entries.len() < INDEXED_KEYS {
                    entries.iter().position(|(k, _)| *k == key)
                } else {
                    index.get(&key).copied()
                };
                match earlier {
                    Some(i) => entries[i].1 = value,
                    None => {
                        if entries.len() >= INDEXED_KEYS {
                            index.insert(key.clone(), entries.len());
                        }
                        entries.push((key, value));
                    }
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(entries));
                }
                _ => return Err(self.error("expected , or } in an object")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("\\u must be followed by four hex digits"));
        }
        self.pos += 4;
        Ok(u32::from_str_radix(digits, 16).unwrap_or(0))
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            // Copy the run up to the next quote, backslash or control character.
            let run = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            if self.build {
                out.push_str(&rest[..run]);
            }
            self.pos += run;
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.peek();
                    self.pos += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if !self.text[self.pos..].starts_with("\\u") {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return Err(self.error("unpaired surrogate in \\u escape")),
                            }
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape in a string"));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string (escape it)")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde(text: &str) {
        let ours = parse(text).map(|v| v.to_json());
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        match (&ours, &theirs) {
            (Ok(o), Ok(t)) => {
                // Same meaning (serde_json re-reads our output to the same value).
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(o).unwrap(),
                    *t,
                    "{text}"
                );
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{text}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json_on_valid_and_invalid_input() {
        for text in [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1.5e3",
            "[]",
            "{}",
            " [ 1 , [ ] , { } ] ",
            r#"{"a":{"b":[1,2,{"c":null}]},"d":"e"}"#,
            r#""\u00e9\ud83c\udf89\n\t\"\\\/""#,
            r#""é 中 🎉""#,
            "[1,]",
            "{,}",
            r#"{"a"}"#,
            r#"{"a":}"#,
            "[1 2]",
            "01",
            "1.",
            ".1",
            "+1",
            "--1",
            "1e",
            "tru",
            "nul",
            r#""\x""#,
            r#""\ud800""#,
            r#""\udc00x""#,
            "\"a\nb\"",
            "\"unterminated",
            "[",
            "{\"a\":1",
            "1 2",
            "",
            "   ",
            "[1]x",
            "{\"a\":1,}",
            r#""\u12""#,
            "\u{feff}1",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn keeps_numbers_and_order_exactly() {
        let v = parse(r#"{"z":0.70,"a":1E-1,"big":123456789012345678901234567890,"neg":-0.0}"#)
            .unwrap();
        assert_eq!(
            v.to_json(),
            r#"{"z":0.70,"a":1E-1,"big":123456789012345678901234567890,"neg":-0.0}"#
        );
    }

    #[test]
    fn depth_is_limited_and_errors_say_where() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .starts_with("nested more than 128 levels deep"));
        assert_eq!(
            parse("{\n  \"a\": tru\n}").unwrap_err().to_string(),
            "expected a JSON value at line 2, column 8"
        );
    }
}
