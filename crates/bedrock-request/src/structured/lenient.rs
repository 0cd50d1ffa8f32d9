//! The lenient reader: model text to loose JSON-ish values, and the candidates a text holds.
//!
//! It takes what models write: unquoted keys and values, single quotes and backticks, trailing
//! and missing commas, `//` and `/* */` comments, unescaped newlines in strings, a quote inside
//! a string that does not end it, and unfinished input (what is complete so far, each value
//! marked complete or not). One pass, no backtracking; nesting stops at [`MAX_DEPTH`].

/// Deeper nesting than this is read as an unfinished value (the reader needs no deep stack).
pub const MAX_DEPTH: usize = 128;

use std::borrow::Cow;

/// A value as the model wrote it, borrowing the text where it can (a string is copied only
/// when it has escapes).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Loose<'a> {
    Null,
    Bool(bool),
    /// A number, as written; `complete` is false when the text ended inside it.
    Number {
        text: &'a str,
        complete: bool,
    },
    /// A string; `quoted` when it was in quotes, `complete` false when it was not closed.
    Str {
        text: Cow<'a, str>,
        quoted: bool,
        complete: bool,
    },
    Array {
        items: Vec<Loose<'a>>,
        complete: bool,
    },
    Object {
        entries: Vec<(Cow<'a, str>, Loose<'a>)>,
        complete: bool,
    },
}

impl<'a> Loose<'a> {
    /// A coerced value as a loose one (finished, strings quoted), borrowing it.
    pub(crate) fn of_value(value: &'a crate::value::Value) -> Loose<'a> {
        use crate::value::Value;
        match value {
            Value::Null => Loose::Null,
            Value::Bool(b) => Loose::Bool(*b),
            Value::Number(n) => Loose::Number {
                text: n.as_str(),
                complete: true,
            },
            Value::String(s) => Loose::Str {
                text: Cow::Borrowed(s),
                quoted: true,
                complete: true,
            },
            Value::Array(items) => Loose::Array {
                items: items.iter().map(Loose::of_value).collect(),
                complete: true,
            },
            Value::Object(entries) => Loose::Object {
                entries: entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Loose::of_value(v)))
                    .collect(),
                complete: true,
            },
        }
    }

    /// Whether the value was finished (a scalar always is; a container closed means all of
    /// its values were).
    pub(crate) fn complete(&self) -> bool {
        match self {
            Loose::Array { complete, .. }
            | Loose::Object { complete, .. }
            | Loose::Str { complete, .. }
            | Loose::Number { complete, .. } => *complete,
            Loose::Null | Loose::Bool(_) => true,
        }
    }
}

/// What a value is inside: it decides where an unquoted value ends.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Array,
    Object,
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

fn closes_string(next: Option<u8>) -> bool {
    matches!(next, None | Some(b',' | b'}' | b']' | b':' | b'\n' | b'\r'))
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, at: usize) -> Self {
        Reader {
            text,
            b: text.as_bytes(),
            i: at,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips whitespace and comments.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2;
                    while self.i < self.b.len()
                        && !(self.b[self.i] == b'*' && self.b.get(self.i + 1) == Some(&b'/'))
                    {
                        self.i += 1;
                    }
                    self.i = (self.i + 2).min(self.b.len());
                }
                _ => return,
            }
        }
    }

    /// After an unquoted value's line break at `from`: `None` when the text goes on with an
    /// object's next entry (`key:`, a quoted key), its end (`}`) or nothing, which ends the
    /// value; else where the value's next line starts (the blank lines before it are the
    /// value's, and are not looked at again, so the reading stays linear).
    fn value_goes_on(&self, from: usize) -> Option<usize> {
        let rest = &self.b[from..];
        let start = rest.iter().position(|c| !c.is_ascii_whitespace())?;
        let entry = match rest[start] {
            b'}' | b'"' | b'\'' | b'`' => true,
            _ => rest[start..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ')))
                .is_some_and(|n| n > 0 && rest[start + n] == b':'),
        };
        (!entry).then_some(from + start)
    }

    /// Whether a comment (`//`, `/*`) comes next after spaces and tabs.
    fn comment_follows(&self, from: usize) -> bool {
        let at = self.b[from..]
            .iter()
            .position(|c| *c != b' ' && *c != b'\t')
            .map(|n| from + n);
        at.is_some_and(|at| self.b[at] == b'/' && matches!(self.b.get(at + 1), Some(b'/' | b'*')))
    }

    /// The next byte after spaces and tabs (not newlines), without moving.
    fn next_after_spaces(&self, from: usize) -> Option<u8> {
        self.b[from..]
            .iter()
            .copied()
            .find(|c| *c != b' ' && *c != b'\t')
    }

    fn value(&mut self, ctx: Ctx, depth: usize) -> Option<Loose<'a>> {
        self.skip();
        let c = self.peek()?;
        if depth >= MAX_DEPTH && matches!(c, b'{' | b'[') {
            self.i = self.b.len();
            return None;
        }
        let rest = &self.text[self.i..];
        if rest.starts_with("\"\"\"") {
            return Some(self.block("\"\"\"", false));
        }
        if rest.starts_with("```") {
            return Some(self.block("```", true));
        }
        Some(match c {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' | b'\'' | b'`' => self.quoted(c, ctx),
            _ => self.bare(ctx),
        })
    }

    fn object(&mut self, depth: usize) -> Loose<'a> {
        let start = self.i;
        self.i += 1;
        let mut entries: Vec<(Cow<'a, str>, Loose<'a>)> = Vec::new();
        // Words without a `:` (`{curly}`): prose in braces, unless real entries come too.
        let mut stray = false;
        loop {
            self.skip();
            match self.peek() {
                None => {
                    return Loose::Object {
                        entries,
                        complete: false,
                    }
                }
                Some(b'}') => {
                    self.i += 1;
                    if stray && entries.is_empty() {
                        return Loose::Str {
                            text: Cow::Borrowed(&self.text[start..self.i]),
                            quoted: false,
                            complete: true,
                        };
                    }
                    return Loose::Object {
                        entries,
                        complete: true,
                    };
                }
                Some(b',' | b']') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = match self.peek() {
                Some(q @ (b'"' | b'\'' | b'`')) => match self.quoted(q, Ctx::Object) {
                    Loose::Str {
                        text,
                        complete: true,
                        ..
                    } => text,
                    _ => {
                        return Loose::Object {
                            entries,
                            complete: false,
                        }
                    }
                },
                _ => {
                    let start = self.i;
                    while self
                        .peek()
                        .is_some_and(|c| !matches!(c, b':' | b',' | b'}' | b'\n'))
                    {
                        self.i += 1;
                    }
                    if self.peek().is_none() {
                        return Loose::Object {
                            entries,
                            complete: false,
                        };
                    }
                    Cow::Borrowed(self.text[start..self.i].trim())
                }
            };
            self.skip();
            if self.peek() != Some(b':') {
                // A key without a value (`{a, b}`): nothing to keep.
                stray = true;
                continue;
            }
            self.i += 1;
            match self.value(Ctx::Object, depth) {
                Some(v) => entries.push((key, v)),
                None => {
                    return Loose::Object {
                        entries,
                        complete: false,
                    }
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Loose<'a> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None => {
                    return Loose::Array {
                        items,
                        complete: false,
                    }
                }
                Some(b']') => {
                    self.i += 1;
                    return Loose::Array {
                        items,
                        complete: true,
                    };
                }
                Some(b',' | b'}') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            match self.value(Ctx::Array, depth) {
                Some(v) => items.push(v),
                None => {
                    return Loose::Array {
                        items,
                        complete: false,
                    }
                }
            }
        }
    }

    /// A string in `quote`s. A quote ends it only when what follows can follow a value (a
    /// comma, a closing bracket, a colon, a line end, the end): `"He said "hi" there"` is one
    /// string.
    fn quoted(&mut self, quote: u8, ctx: Ctx) -> Loose<'a> {
        self.i += 1;
        let begin = self.i;
        // The text with escapes resolved, once the first escape is met (until then, a slice).
        let mut out: Option<String> = None;
        let mut run = self.i;
        let text = |r: &Self, out: Option<String>, run: usize| match out {
            None => Cow::Borrowed(&r.text[begin..r.i]),
            Some(mut out) => {
                out.push_str(&r.text[run..r.i]);
                Cow::Owned(out)
            }
        };
        let mut inner_quotes = 0u32;
        while let Some(c) = self.peek() {
            if c == b'\\' && quote != b'`' {
                let buffer = out.get_or_insert_with(String::new);
                buffer.push_str(&self.text[run..self.i]);
                self.i += 1;
                self.escape(buffer);
                run = self.i;
                continue;
            }
            // A `"` before a comma closes the string only after an even number of `"`
            // inside it, as BAML has it: `"he said "hi", and "bye""` is one string.
            let closes = c == quote
                && (match ctx {
                    // At the top (a whole text or a fence's), a quote closes only at the end
                    // (white space aside), as BAML reads it: `"He said "hi" ok"` is one string.
                    Ctx::Top => self.text[self.i + 1..].trim_start().is_empty(),
                    _ => closes_string(self.next_after_spaces(self.i + 1)),
                } || self.comment_follows(self.i + 1))
                && !(quote == b'"'
                    && inner_quotes % 2 == 1
                    && self.b.get(self.i + 1) == Some(&b','));
            if c == quote {
                inner_quotes += 1;
            }
            if closes {
                let text = text(self, out, run);
                self.i += 1;
                return Loose::Str {
                    text,
                    quoted: true,
                    complete: true,
                };
            }
            self.i += 1;
        }
        Loose::Str {
            text: text(self, out, run),
            quoted: true,
            complete: false,
        }
    }

    /// A Python-style `"""` string or a ```` ``` ```` block used as a value: the text to the
    /// next `delim` (no escapes), its first line dropped when it is a fence's info line
    /// (```` ```typescript main.ts ````), dedented and trimmed, as BAML reads code.
    fn block(&mut self, delim: &str, info_line: bool) -> Loose<'a> {
        self.i += delim.len();
        if info_line {
            self.i = self.text[self.i..]
                .find('\n')
                .map_or(self.b.len(), |n| self.i + n + 1);
        }
        let (end, complete) = match self.text[self.i..].find(delim) {
            Some(n) => (self.i + n, true),
            None => (self.b.len(), false),
        };
        let body = dedent(&self.text[self.i..end]);
        self.i = (end + delim.len()).min(self.b.len());
        Loose::Str {
            text: Cow::Owned(body),
            quoted: true,
            complete,
        }
    }

    /// An escape after `\`: JSON's, and any other character as itself.
    fn escape(&mut self, out: &mut String) {
        let Some(c) = self.peek() else { return };
        self.i += 1;
        match c {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let hex = |r: &Self, at: usize| {
                    r.text
                        .get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let Some(first) = hex(self, self.i) else {
                    // The text ends inside the escape (a stream cut mid-way): nothing of it
                    // is shown yet, rather than a `u` and digits that become one character.
                    let rest = &self.text[self.i..];
                    if rest.len() < 4 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                        self.i = self.b.len();
                        return;
                    }
                    out.push('u');
                    return;
                };
                self.i += 4;
                // A high surrogate whose low half the text has not brought yet: held back too.
                let rest = &self.text[self.i..];
                let low_cut = rest.len() < 6
                    && rest.bytes().enumerate().all(|(k, b)| match k {
                        0 => b == b'\\',
                        1 => b == b'u',
                        _ => b.is_ascii_hexdigit(),
                    });
                if (0xD800..0xDC00).contains(&first) && low_cut {
                    self.i = self.b.len();
                    return;
                }
                let code = if (0xD800..0xDC00).contains(&first)
                    && self.text.get(self.i..self.i + 2) == Some("\\u")
                {
                    match hex(self, self.i + 2) {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            self.i += 6;
                            0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                        }
                        _ => first,
                    }
                } else {
                    first
                };
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            _ => {
                // Any other escaped character stands for itself (`\"`, `\\`, `\/`, `\'`).
                let start = self.i - 1;
                let len = self.text[start..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&self.text[start..start + len]);
                self.i = start + len;
            }
        }
    }

    /// An unquoted value: a number, `true`/`false`/`null`, or text up to where the container
    /// ends it (a comma, its closing bracket, a line end; at the top, the line end).
    fn bare(&mut self, ctx: Ctx) -> Loose<'a> {
        let start = self.i;
        let ends = |c: u8| match ctx {
            Ctx::Top => c == b'\n',
            Ctx::Array => matches!(c, b',' | b']' | b'\n'),
            Ctx::Object => matches!(c, b',' | b'}' | b'\n'),
        };
        // Whether the value read so far has several words, kept up to date as it grows (so
        // a value that runs on past many commas is read in one pass).
        let mut words = Words::default();
        loop {
            let from = self.i;
            while self.peek().is_some_and(|c| !ends(c)) {
                self.i += 1;
            }
            words.read(&self.text[from..self.i]);
            // As BAML reads an object: a value of several words runs on past a comma unless
            // a quoted key or a line break follows it (`{name: Ada Lovelace, x: 1}` is one
            // value, `{name: Ada, x: 1}` two); a comma before a digit is a thousands
            // separator (`-2,000.00`); a line break goes on to the next line unless that
            // line is the next entry or the object's end.
            let runs_on = ctx == Ctx::Object
                && match self.peek() {
                    Some(b',') => {
                        self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
                            || (words.several
                                && !matches!(
                                    self.next_after_spaces(self.i + 1),
                                    Some(b'"' | b'\'' | b'`' | b'\n' | b'\r') | None
                                ))
                    }
                    Some(b'\n') => match self.value_goes_on(self.i + 1) {
                        Some(next) => {
                            words.read("\n");
                            self.i = next;
                            continue;
                        }
                        None => false,
                    },
                    _ => false,
                };
            if !runs_on {
                break;
            }
            words.read(",");
            self.i += 1;
        }
        // Inside a list or an object, a value is finished by what ends it (a comma, a
        // bracket), not by the text's end: `{"a": 12\n` may go on to `123`, as BAML has it.
        let at_end = match ctx {
            Ctx::Top => self.i == self.b.len(),
            _ => self.text[self.i..].trim().is_empty(),
        };
        let word = self.text[start..self.i].trim();
        match word {
            // Only JSON's spellings: `True`, `Null`, `None` stay words, as BAML reads them
            // (a string "Null" where one is wanted; "True" is still true for a bool).
            "true" => return Loose::Bool(true),
            "false" => return Loose::Bool(false),
            "null" => return Loose::Null,
            // An entry with nothing before what ends it (`"email": }`) has no value: null,
            // as baml-py reads it (a required field is then missing).
            "" if !at_end && ctx != Ctx::Top => return Loose::Null,
            _ => {}
        }
        if crate::value::is_json_number(word) || is_loose_number(word) {
            return Loose::Number {
                text: word,
                complete: !at_end,
            };
        }
        Loose::Str {
            text: Cow::Borrowed(word),
            quoted: false,
            complete: !at_end,
        }
    }
}

/// Tracks whether a text, trimmed, has whitespace inside, reading it piece by piece.
#[derive(Default)]
struct Words {
    /// Something other than whitespace was read.
    word: bool,
    /// Whitespace was read after a word.
    gap: bool,
    /// A word came after such a gap: the trimmed text has inner whitespace.
    several: bool,
}

impl Words {
    fn read(&mut self, piece: &str) {
        if self.several {
            return;
        }
        for c in piece.chars() {
            if c.is_whitespace() {
                self.gap |= self.word;
            } else if self.gap {
                self.several = true;
                return;
            } else {
                self.word = true;
            }
        }
    }
}

/// `+1`, `.5`, `1.`: numbers as models write them, beyond JSON's grammar.
fn is_loose_number(word: &str) -> bool {
    let w = word.strip_prefix(['+', '-']).unwrap_or(word);
    !w.is_empty()
        && w.bytes().any(|c| c.is_ascii_digit())
        && w.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && w.bytes().filter(|c| *c == b'.').count() <= 1
}

/// A block's text without the blank lines around it and the indent its lines share.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    let lines = &lines[first..=last];
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        // A blank line may be shorter than the indent; its spaces are all indent.
        out.push_str(line.get(indent..).unwrap_or("").trim_end());
    }
    out
}

/// Reads one value at byte `at`; returns it and where reading stopped.
pub(super) fn read_at(text: &str, at: usize) -> (Option<Loose<'_>>, usize) {
    let mut r = Reader::new(text, at);
    let v = r.value(Ctx::Top, 0);
    (v, r.i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Loose<'_> {
        read_at(text, 0).0.unwrap()
    }

    #[test]
    fn sloppy_objects() {
        let v = one("{name: \"Ada\", 'age': 36, tags: [math, \"x\",],}");
        let Loose::Object { entries, complete } = v else {
            panic!()
        };
        assert!(complete);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].0, "name");
        assert!(matches!(&entries[2].1, Loose::Array { items, .. } if items.len() == 2));
    }

    #[test]
    fn a_quote_inside_a_string_does_not_end_it() {
        let v = one(r#"{"a": "He said "hi" there", "b": 1}"#);
        let Loose::Object { entries, .. } = v else {
            panic!()
        };
        assert!(
            matches!(&entries[0].1, Loose::Str { text, .. } if text == r#"He said "hi" there"#)
        );
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn unfinished_values_are_marked() {
        let v = one(r#"{"name": "Ada", "age": 3"#);
        let Loose::Object { entries, complete } = v else {
            panic!()
        };
        assert!(!complete);
        assert!(matches!(
            &entries[1].1,
            Loose::Number {
                complete: false,
                ..
            }
        ));
    }

    #[test]
    fn deep_nesting_stops() {
        let text = "[".repeat(100_000);
        let (v, _) = read_at(&text, 0);
        assert!(v.is_some());
    }
}
