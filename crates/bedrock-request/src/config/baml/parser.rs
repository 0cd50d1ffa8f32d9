//! The BAML reader itself: a cursor over the source that skips what is not a client, and reads
//! a client block's options into [`Node`]s (positions kept for error messages). Nesting is
//! limited to 128 levels and every position's line is a binary search, so any source reads in
//! linear time without a deep stack.

use std::collections::BTreeSet;

use crate::codec::quoted;
use crate::error::{Error, Result};
use crate::value::{Number, Value};

/// A value as written: literals, `env.NAME` references, arrays and blocks, with its line.
#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) kind: NodeKind,
    pub(super) line: usize,
}

#[derive(Clone, Debug)]
pub(super) enum NodeKind {
    Literal(Value),
    Env(String),
    Array(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// How deep maps and arrays may nest in an options block (as the JSON reader allows).
const MAX_DEPTH: usize = 128;

/// A top-level block the reader collects.
pub(super) enum Found {
    /// `client<llm> ...`, at this position.
    Client(usize),
    /// `retry_policy NAME { ... }`, at this position.
    RetryPolicy(usize),
}

/// One `retry_policy NAME { ... }` block as read.
#[derive(Clone, Debug)]
pub(super) struct RetryPolicyBlock {
    pub(super) name: String,
    pub(super) entries: Vec<(String, Node)>,
}

/// One `client<llm>` block as read.
pub(super) struct ClientBlock {
    pub(super) name: String,
    pub(super) provider: String,
    pub(super) retry_policy: Option<String>,
    pub(super) options: Vec<(String, Node)>,
}

pub(super) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    /// The byte offset of every `\n`, so a position's line is a binary search, not a rescan.
    newlines: Vec<usize>,
    /// How many maps and arrays the cursor is inside.
    depth: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Parser {
            src,
            pos: 0,
            newlines: src
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
            depth: 0,
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn line_of(&self, pos: usize) -> usize {
        self.newlines.partition_point(|&n| n < pos) + 1
    }

    pub(super) fn error_at(&self, pos: usize, msg: impl std::fmt::Display) -> Error {
        let line_start = self.src[..pos].rfind('\n').map_or(0, |i| i + 1);
        let col = self.src[line_start..pos].chars().count() + 1;
        Error::baml(format!("line {}, column {col}: {msg}", self.line_of(pos)))
    }

    fn error(&self, msg: impl std::fmt::Display) -> Error {
        self.error_at(self.pos, msg)
    }

    /// Skips spaces and tabs only.
    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Skips a comment at the cursor, if there is one. Returns whether it did.
    fn skip_comment(&mut self) -> Result<bool> {
        let rest = self.rest();
        if rest.starts_with("//") {
            self.pos += rest.find('\n').unwrap_or(rest.len());
            Ok(true)
        } else if let Some(body) = rest.strip_prefix("{//") {
            match body.find("//}") {
                Some(end) => {
                    self.pos += 3 + end + 3;
                    Ok(true)
                }
                None => Err(self.error("block comment {// is never closed with //}")),
            }
        } else {
            Ok(false)
        }
    }

    /// Skips whitespace, newlines and comments.
    fn skip_trivia(&mut self) -> Result<()> {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some('\n' | '\r') => self.pos += 1,
                _ => {
                    if !self.skip_comment()? {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Scans top-level source for the next `client<llm>` or `retry_policy NAME {`, skipping
    /// everything else.
    pub(super) fn next_block(&mut self) -> Result<Option<Found>> {
        let mut depth = 0usize;
        loop {
            self.skip_trivia()?;
            let Some(c) = self.peek() else {
                return Ok(None);
            };
            match c {
                '{' => {
                    depth += 1;
                    self.pos += 1;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                '"' => {
                    self.quoted_string()?;
                }
                '#' if self.raw_string_hashes().is_some() => {
                    self.raw_string()?;
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    let start = self.pos;
                    let word = self.identifier();
                    if depth == 0 && word == "client" {
                        let save = self.pos;
                        self.skip_blanks();
                        if self.rest().starts_with('<') {
                            self.pos = save;
                            return Ok(Some(Found::Client(start)));
                        }
                    }
                    if depth == 0 && word == "retry_policy" {
                        let save = self.pos;
                        self.skip_blanks();
                        let named = !self.identifier().is_empty();
                        self.skip_trivia()?;
                        let opens = self.rest().starts_with('{');
                        self.pos = save;
                        if named && opens {
                            return Ok(Some(Found::RetryPolicy(start)));
                        }
                    }
                }
                c => self.pos += c.len_utf8(),
            }
        }
    }

    fn identifier(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn expect(&mut self, token: &str, what: &str) -> Result<()> {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }

    /// `retry_policy NAME { ... }` at `start`: its name and entries.
    pub(super) fn retry_policy_block(&mut self, start: usize) -> Result<RetryPolicyBlock> {
        self.pos = start + "retry_policy".len();
        self.skip_blanks();
        let name = self.identifier().to_owned();
        self.skip_trivia()?;
        self.expect("{", &format!("{{ to open retry_policy {name}"))?;
        let entries = self.block_entries(true)?;
        Ok(RetryPolicyBlock { name, entries })
    }

    pub(super) fn client_block(&mut self, start: usize) -> Result<ClientBlock> {
        self.pos = start + "client".len();
        self.skip_blanks();
        self.expect("<", "<llm> after client")?;
        self.skip_blanks();
        let kind_pos = self.pos;
        let kind = self.identifier();
        if kind != "llm" {
            return Err(self.error_at(
                kind_pos,
                format!("expected client<llm>, found client<{kind}>"),
            ));
        }
        self.skip_blanks();
        self.expect(">", "> after client<llm")?;
        self.skip_blanks();
        let name_pos = self.pos;
        let name = self.identifier().to_owned();
        if name.is_empty() {
            return Err(self.error_at(name_pos, "expected a client name after client<llm>"));
        }
        self.skip_trivia()?;
        self.expect("{", &format!("{{ to open client {name}"))?;
        let fields = self.block_entries(true)?;
        let mut provider = None;
        let mut retry_policy = None;
        let mut options = None;
        for (key, node) in fields {
            match (key.as_str(), node.kind) {
                ("provider", NodeKind::Literal(Value::String(p))) => provider = Some(p),
                ("retry_policy", NodeKind::Literal(Value::String(p))) => retry_policy = Some(p),
                ("options", NodeKind::Map(entries)) => options = Some(entries),
                ("provider" | "retry_policy", _) => {
                    return Err(Error::baml(format!(
                        "client {name}, line {}: {key} must be a name",
                        node.line
                    )))
                }
                ("options", _) => {
                    return Err(Error::baml(format!(
                        "client {name}, line {}: options must be a block {{ ... }}",
                        node.line
                    )))
                }
                (other, _) => {
                    return Err(Error::baml(format!(
                        "client {name}, line {}: unknown field {other}; a client block holds provider, retry_policy and options",
                        node.line
                    )))
                }
            }
        }
        let provider = provider.ok_or_else(|| {
            Error::baml(format!(
                "client {name} has no provider; add `provider aws-bedrock`"
            ))
        })?;
        Ok(ClientBlock {
            name,
            provider,
            retry_policy,
            options: options.unwrap_or_default(),
        })
    }

    /// Entries of a `{ ... }` block; the cursor is just past the `{`. Consumes the `}`.
    fn block_entries(&mut self, top: bool) -> Result<Vec<(String, Node)>> {
        let open = self.pos - 1;
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut keys: BTreeSet<String> = BTreeSet::new();
        loop {
            self.skip_trivia()?;
            match self.peek() {
                None => return Err(self.error_at(open, "this { is never closed")),
                Some('}') => {
                    self.pos += 1;
                    return Ok(entries);
                }
                Some(',') if !top => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let key_pos = self.pos;
            let key = match self.peek() {
                Some('"') => self.quoted_string()?,
                Some(c) if c.is_ascii_alphabetic() || c == '_' => self.identifier().to_owned(),
                Some(c) => {
                    return Err(self.error(format!(
                        "expected a key, found {q_c}",
                        q_c = quoted(&c.to_string())
                    )))
                }
                None => unreachable!(),
            };
            self.skip_blanks();
            if self.peek() == Some(':') {
                self.pos += 1;
                self.skip_blanks();
            }
            let node = self.value(&key)?;
            if !keys.insert(key.clone()) {
                return Err(self.error_at(key_pos, format!("{key} is given twice")));
            }
            entries.push((key, node));
            self.end_of_entry()?;
        }
    }

    /// After a value: blanks, an optional comma, then a newline, a comment or a closing bracket.
    fn end_of_entry(&mut self) -> Result<()> {
        self.skip_blanks();
        if self.peek() == Some(',') {
            self.pos += 1;
            return Ok(());
        }
        match self.peek() {
            None | Some('\n' | '\r' | '}' | ']') => Ok(()),
            Some('/') if self.rest().starts_with("//") => Ok(()),
            Some('{') if self.rest().starts_with("{//") => Ok(()),
            Some(_) => Err(self.error(
                "unexpected text after a value; put each entry on its own line or separate entries with commas",
            )),
        }
    }

    fn value(&mut self, key: &str) -> Result<Node> {
        let line = self.line_of(self.pos);
        let kind = match self.peek() {
            Some('"') => NodeKind::Literal(Value::String(self.quoted_string()?)),
            Some('#') if self.raw_string_hashes().is_some() => {
                NodeKind::Literal(Value::String(self.raw_string()?))
            }
            Some(open @ ('{' | '[')) => {
                if self.depth >= MAX_DEPTH {
                    return Err(self.error(format!(
                        "the value of {key} nests maps and arrays deeper than {MAX_DEPTH} levels"
                    )));
                }
                self.pos += 1;
                self.depth += 1;
                let kind = if open == '{' {
                    NodeKind::Map(self.block_entries(false)?)
                } else {
                    NodeKind::Array(self.array_items(key)?)
                };
                self.depth -= 1;
                kind
            }
            None | Some('\n' | '\r' | '}' | ']' | ',') => {
                return Err(self.error(format!("expected a value for {key}")))
            }
            _ => self.unquoted(key)?,
        };
        Ok(Node { kind, line })
    }

    fn array_items(&mut self, key: &str) -> Result<Vec<Node>> {
        let open = self.pos - 1;
        let mut items = Vec::new();
        loop {
            self.skip_trivia()?;
            match self.peek() {
                None | Some('}') => return Err(self.error_at(open, "this [ is never closed")),
                Some(']') => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(',') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            items.push(self.value(key)?);
            self.skip_blanks();
            match self.peek() {
                Some(',' | ']' | '\n' | '\r') | None => {}
                Some('/') if self.rest().starts_with("//") => {}
                Some(c) => {
                    return Err(self.error(format!(
                        "unexpected {q_c} in the array of {key}; separate items with commas",
                        q_c = quoted(&c.to_string())
                    )))
                }
            }
        }
    }

    /// An unquoted value: up to a newline, `,`, bracket, `#`, `@`, `'` or ` //`, trimmed.
    fn unquoted(&mut self, key: &str) -> Result<NodeKind> {
        let rest = self.rest();
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            let stop = matches!(
                c,
                '\n' | '\r'
                    | ','
                    | '{'
                    | '}'
                    | '['
                    | ']'
                    | '('
                    | ')'
                    | '<'
                    | '>'
                    | '#'
                    | '@'
                    | '\''
            ) || ((c == ' ' || c == '\t') && rest[i..].trim_start().starts_with("//"));
            if stop {
                end = i;
                break;
            }
        }
        let text = rest[..end].trim();
        if text.is_empty() {
            return Err(self.error(format!("expected a value for {key}")));
        }
        let start = self.pos;
        self.pos += end;
        Ok(if text == "true" {
            NodeKind::Literal(Value::Bool(true))
        } else if text == "false" {
            NodeKind::Literal(Value::Bool(false))
        } else if text == "null" {
            NodeKind::Literal(Value::Null)
        } else if let Some(n) = Number::parse(text) {
            NodeKind::Literal(Value::Number(n))
        } else if let Some(name) = text.strip_prefix("env.") {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(self.error_at(
                    start,
                    format!(
                        "{q_text} is not a valid env.NAME reference",
                        q_text = quoted(&text)
                    ),
                ));
            }
            NodeKind::Env(name.to_owned())
        } else {
            NodeKind::Literal(Value::String(text.to_owned()))
        })
    }

    /// A `"..."` string with BAML's escapes; the cursor is on the opening quote.
    fn quoted_string(&mut self) -> Result<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error_at(open, "this string is never closed"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\n' | '\r' => {
                    return Err(self.error_at(
                        open,
                        "this string is never closed on its line; use #\"...\"# for text over several lines",
                    ))
                }
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.error_at(open, "this string is never closed"));
                    };
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '0' => out.push('\0'),
                        '\'' => out.push('\''),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'x' => {
                            let hex = self.rest().get(..2).unwrap_or("");
                            match u8::from_str_radix(hex, 16) {
                                Ok(b) if b < 0x80 => {
                                    out.push(b as char);
                                    self.pos += 2;
                                }
                                _ => {
                                    return Err(self.error(
                                        "\\x must be followed by two hex digits below 80",
                                    ))
                                }
                            }
                        }
                        other => {
                            return Err(self.error_at(
                                self.pos - other.len_utf8() - 1,
                                format!("unknown escape \\{other} in a string; BAML knows \\n \\r \\t \\0 \\' \\\" \\\\ \\xHH"),
                            ))
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    /// The number of `#` if a raw string opens at the cursor (`#"`, `##"`... up to five).
    fn raw_string_hashes(&self) -> Option<usize> {
        let rest = self.rest();
        let n = rest.bytes().take_while(|&b| b == b'#').count();
        ((1..=5).contains(&n) && rest[n..].starts_with('"')).then_some(n)
    }

    /// A `#"..."#` raw string, cleaned up as BAML does.
    fn raw_string(&mut self) -> Result<String> {
        let open = self.pos;
        let n = self.raw_string_hashes().unwrap_or(1);
        self.pos += n + 1;
        let close = format!("\"{}", "#".repeat(n));
        let rest = self.rest();
        let Some(end) = rest.find(&close) else {
            return Err(self.error_at(
                open,
                format!("this raw string is never closed with {close}"),
            ));
        };
        self.pos += end + close.len();
        Ok(clean_raw_string(&rest[..end]))
    }
}

/// BAML's `RawString::new`: drop leading newlines, trim the end, remove common indentation.
fn clean_raw_string(raw: &str) -> String {
    let text = raw.trim_start_matches(['\n', '\r']).trim_end();
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                &l[indent..]
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_are_dedented_like_baml() {
        assert_eq!(
            clean_raw_string("\n    a\n      b\n\n    c\n  "),
            "a\n  b\n\nc"
        );
        assert_eq!(clean_raw_string("one line"), "one line");
    }
}
