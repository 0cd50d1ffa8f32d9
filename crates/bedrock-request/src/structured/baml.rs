//! BAML types as the schema: `class`, `enum` and `type` declarations read from BAML source, and
//! a type expression (`Person`, `int[]`, `map<string, Person?>`, `"a" | 2`) to coerce to.
//!
//! Supported: the primitives (`string`, `int`, `float`, `bool`, `null`), `T[]`, `T?`,
//! `map<string, T>`, unions, literals (strings, integers, `true`/`false`), classes, enums and
//! recursive `type` aliases; `@alias("...")` on fields and enum values (the text uses it, the
//! value keeps its name), `@description(...)` (an enum value's is one of the names a text may
//! give it, as BAML matches them; a field's is kept out of parsing), `@skip` (left out),
//! `@check`/`@assert` and `@stream.*` (the `checks` and `marks` readers). `@@dynamic` and other
//! attributes are refused with an error that names them. Everything else in the file (clients,
//! functions, tests...) is skipped.

use std::collections::HashMap;

use super::checks::Constraint;
use super::names::Names;
use super::schema::{optional, union, Field, Marks, Schema, Ty};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

fn bad(message: String) -> Error {
    Error::new(ErrorKind::StructuredOutput, message)
}

/// A declaration: its kind and the text of its body (or, for `type`, its expression).
enum Decl<'a> {
    Class(&'a str),
    Enum(&'a str),
    Alias(&'a str),
}

/// The declarations of a BAML file by name.
fn declarations(source: &str) -> Result<HashMap<&str, Decl<'_>>> {
    let mut out = HashMap::new();
    let mut depth = 0usize;
    let mut at = 0usize;
    let bytes = source.as_bytes();
    while at < bytes.len() {
        let c = bytes[at];
        match c {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = source[at..].find('\n').map_or(bytes.len(), |i| at + i);
                continue;
            }
            b'"' => {
                // A string: to its closing quote.
                let mut i = at + 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                at = i + 1;
                continue;
            }
            b'#' if bytes.get(at + 1) == Some(&b'"') => {
                at = source[at + 2..]
                    .find("\"#")
                    .map_or(bytes.len(), |i| at + 2 + i + 2);
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let word_start = at == 0 || !is_ident(bytes[at - 1]);
        if depth == 0 && word_start && is_ident(c) {
            let word_end = at
                + source[at..]
                    .find(|ch: char| !ch.is_ascii_alphanumeric() && ch != '_')
                    .unwrap_or(source.len() - at);
            let word = &source[at..word_end];
            if matches!(word, "class" | "enum" | "type") {
                let after = source[word_end..].trim_start();
                let name_len = after
                    .find(|ch: char| !ch.is_ascii_alphanumeric() && ch != '_')
                    .unwrap_or(after.len());
                let name = &after[..name_len];
                let tail = after[name_len..].trim_start();
                if !name.is_empty() {
                    if word == "type" && tail.starts_with('=') {
                        let expr_end = tail.find('\n').unwrap_or(tail.len());
                        out.insert(name, Decl::Alias(tail[1..expr_end].trim()));
                        at = source.len() - tail.len() + expr_end;
                        continue;
                    }
                    if word != "type" && tail.starts_with('{') {
                        let open = source.len() - tail.len();
                        let close = matching_brace(source, open)
                            .ok_or_else(|| bad(format!("{word} {name}: its {{ is never closed")))?;
                        let body = &source[open + 1..close];
                        out.insert(
                            name,
                            if word == "class" {
                                Decl::Class(body)
                            } else {
                                Decl::Enum(body)
                            },
                        );
                        at = close + 1;
                        continue;
                    }
                }
            }
            at = word_end;
            continue;
        }
        at += 1;
    }
    Ok(out)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The `}` that closes the `{` at `open` (strings and comments skipped).
fn matching_brace(source: &str, open: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut at = open;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let mut i = at + 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                at = i;
            }
            b'#' if bytes.get(at + 1) == Some(&b'"') => {
                at = source[at + 2..]
                    .find("\"#")
                    .map_or(bytes.len(), |i| at + 2 + i + 1);
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = source[at..].find('\n').map_or(bytes.len(), |i| at + i);
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// A place in a declaration's text, read token by token: a field or an enum value may span
/// lines (a `@description(#"..."#)` over several), and the next one begins where its type
/// and attributes end.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, at: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    /// Skips white space and `//` comments; the next byte, if any.
    fn peek(&mut self) -> Option<u8> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.at += trimmed.find('\n').unwrap_or(trimmed.len());
                continue;
            }
            return trimmed.bytes().next();
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.peek();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// A name (letters, digits, `_`, and `.` inside, as `stream.done`), or a number.
    fn word(&mut self) -> Option<&'a str> {
        self.peek();
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        (len > 0).then(|| {
            self.at += len;
            &rest[..len]
        })
    }

    /// A quoted string (`"..."`, escapes kept as written) or a raw one (`#"..."#`, any
    /// number of `#`): its text.
    fn string(&mut self) -> Option<&'a str> {
        self.peek();
        let rest = self.rest();
        let (hashes, body) = match rest.find(|c| c != '#') {
            Some(n) if rest[n..].starts_with('"') => (n, &rest[n + 1..]),
            _ => return None,
        };
        let end = if hashes == 0 {
            let bytes = body.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i < bytes.len()).then_some(i)?
        } else {
            body.find(&format!("\"{}", &rest[..hashes]))?
        };
        self.at += hashes + 1 + end + 1 + hashes;
        Some(&body[..end])
    }

    /// After a `(`: the text to its matching `)` (strings and nested brackets inside), and
    /// the cursor past it.
    fn arguments(&mut self, owner: &str) -> Result<&'a str> {
        let start = self.at;
        let mut depth = 1usize;
        while depth > 0 {
            if self.string().is_some() {
                continue;
            }
            let Some(c) = self.rest().chars().next() else {
                return Err(bad(format!("{owner}: an attribute's ( is never closed")));
            };
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            self.at += c.len_utf8();
        }
        Ok(&self.text[start..self.at - 1])
    }

    /// The next entry of a class or an enum (a field's or a value's name), its block
    /// attributes (`@@...`) before it checked and added to `blocks`; `None` at the end.
    /// `owner` (`class Foo`) and `what` (`a value`) name it in errors.
    fn next_entry(
        &mut self,
        owner: &str,
        what: &str,
        blocks: &mut Vec<(&'a str, &'a str)>,
    ) -> Result<Option<&'a str>> {
        let name = owner.split_once(' ').map_or(owner, |(_, n)| n);
        loop {
            if self.peek().is_none() {
                return Ok(None);
            }
            let block = self.attributes(name, true)?;
            if block.is_empty() {
                break;
            }
            check_block_attributes(name, &block)?;
            blocks.extend(block);
        }
        if self.peek().is_none() {
            return Ok(None);
        }
        self.word().map(Some).ok_or_else(|| {
            bad(format!(
                "{owner}: {:?} is not {what}",
                self.rest().chars().take(40).collect::<String>()
            ))
        })
    }

    /// The attributes here (`@name` or `@name(...)`; `@@name` when `block`), as (name,
    /// arguments).
    fn attributes(&mut self, owner: &str, block: bool) -> Result<Vec<(&'a str, &'a str)>> {
        let mut out = Vec::new();
        loop {
            self.peek();
            let is_block = self.rest().starts_with("@@");
            if is_block != block || !self.eat(if block { "@@" } else { "@" }) {
                return Ok(out);
            }
            let name = self
                .word()
                .ok_or_else(|| bad(format!("{owner}: an @ without an attribute name")))?;
            let args = if self.rest().starts_with('(') {
                self.at += 1;
                self.arguments(owner)?
            } else {
                ""
            };
            out.push((name, args));
        }
    }
}

/// Reads types into a [`Schema`]: declarations become definitions, referred to by index.
struct Reader<'a> {
    decls: HashMap<&'a str, Decl<'a>>,
    index: HashMap<&'a str, usize>,
    defs: Vec<Option<Ty>>,
}

impl<'a> Reader<'a> {
    fn named(&mut self, name: &'a str, depth: usize) -> Result<Ty> {
        if let Some(&i) = self.index.get(name) {
            return Ok(Ty::Ref(i));
        }
        let decl = self.decls.get(name).ok_or_else(|| {
            bad(format!("type {name} is not declared in the BAML source (declare a class, an enum or a type alias)"))
        })?;
        let i = self.defs.len();
        self.index.insert(name, i);
        self.defs.push(None);
        let ty = match *decl {
            Decl::Class(body) => self.class(name, body, depth)?,
            Decl::Enum(body) => enumeration(name, body)?,
            Decl::Alias(expr) => self.whole(expr, name, depth + 1)?,
        };
        self.defs[i] = Some(ty);
        Ok(Ty::Ref(i))
    }

    /// A whole type expression (a return type, an alias): nothing may follow it.
    fn whole(&mut self, text: &'a str, owner: &str, depth: usize) -> Result<Ty> {
        let mut cursor = Cursor::new(text);
        let ty = self.expr(&mut cursor, depth)?;
        let attrs = cursor.attributes(owner, false)?;
        check_attributes(owner, &attrs, &MARKS)?;
        let ty = with_marks(owner, ty, &attrs)?;
        if cursor.peek().is_some() {
            return Err(bad(format!(
                "{:?} is not a BAML type this reader knows (it stops at {:?})",
                text.trim(),
                cursor.rest().chars().take(40).collect::<String>()
            )));
        }
        Ok(ty)
    }

    fn class(&mut self, name: &str, body: &'a str, depth: usize) -> Result<Ty> {
        let mut fields = Vec::new();
        let mut cursor = Cursor::new(body);
        let mut blocks = Vec::new();
        while let Some(field) = cursor.next_entry(
            &format!("class {name}"),
            "a field (a name, then its type)",
            &mut blocks,
        )? {
            let owner = format!("{name}.{field}");
            let ty = self.expr(&mut cursor, depth + 1)?;
            let attrs = cursor.attributes(&owner, false)?;
            let (alias, skip) = field_attributes(&owner, &attrs)?;
            let optional = matches!(ty, Ty::Optional(_) | Ty::Null);
            fields.push(Field {
                name: field.to_owned(),
                alias,
                ty: with_marks(&owner, ty, &attrs)?,
                required: !optional && !skip,
                skipped: skip,
            });
        }
        with_marks(name, Ty::Object(fields), &blocks)
    }

    /// A type expression: unions of postfix-typed atoms.
    fn expr(&mut self, cursor: &mut Cursor<'a>, depth: usize) -> Result<Ty> {
        if depth > 64 {
            return Err(bad(format!(
                "the type at {:?} nests deeper than 64 levels",
                cursor.rest().chars().take(40).collect::<String>()
            )));
        }
        let mut options = vec![self.postfix(cursor, depth)?];
        while cursor.eat("|") {
            options.push(self.postfix(cursor, depth)?);
        }
        Ok(union(options))
    }

    /// An atom and its `[]` and `?` suffixes.
    fn postfix(&mut self, cursor: &mut Cursor<'a>, depth: usize) -> Result<Ty> {
        let mut ty = self.atom(cursor, depth)?;
        loop {
            // No space before a suffix: `Foo []` on a new line is not one.
            if cursor.rest().starts_with("[]") {
                cursor.at += 2;
                ty = Ty::List(Box::new(ty));
            } else if cursor.rest().starts_with('?') {
                cursor.at += 1;
                ty = optional(ty);
            } else {
                return Ok(ty);
            }
        }
    }

    fn atom(&mut self, cursor: &mut Cursor<'a>, depth: usize) -> Result<Ty> {
        if cursor.eat("(") {
            let ty = self.expr(cursor, depth + 1)?;
            let attrs = cursor.attributes("a type in ( )", false)?;
            check_attributes("a type in ( )", &attrs, &MARKS)?;
            let ty = with_marks("a type in ( )", ty, &attrs)?;
            if !cursor.eat(")") {
                return Err(bad(format!(
                    "a ( in a type is not closed before {:?}",
                    cursor.rest().chars().take(40).collect::<String>()
                )));
            }
            return Ok(ty);
        }
        if let Some(text) = cursor.string() {
            return Ok(Ty::Enum(Box::new(Names::new(&[text]))));
        }
        let word = cursor.word().ok_or_else(|| {
            bad(format!(
                "{:?} is not a BAML type this reader knows",
                cursor.rest().chars().take(40).collect::<String>()
            ))
        })?;
        if word == "map" && cursor.eat("<") {
            self.expr(cursor, depth + 1)?;
            if !cursor.eat(",") {
                return Err(bad("map<...> takes a key and a value type".into()));
            }
            let value = self.expr(cursor, depth + 1)?;
            if !cursor.eat(">") {
                return Err(bad("map<key, value> is not closed with >".into()));
            }
            return Ok(Ty::Map(Box::new(value)));
        }
        Ok(match word {
            "string" => Ty::String,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "null" => Ty::Null,
            "true" => Ty::Literal(Value::Bool(true)),
            "false" => Ty::Literal(Value::Bool(false)),
            w if w.parse::<i64>().is_ok() => Ty::Literal(Value::from_json_str(w)?),
            w if w.bytes().all(is_ident) => self.named(w, depth)?,
            other => {
                return Err(bad(format!(
                    "{other:?} is not a BAML type this reader knows"
                )))
            }
        })
    }
}

fn enumeration(name: &str, body: &str) -> Result<Ty> {
    let mut pairs = Vec::new();
    let mut cursor = Cursor::new(body);
    let mut blocks = Vec::new();
    while let Some(value) = cursor.next_entry(&format!("enum {name}"), "a value", &mut blocks)? {
        let owner = format!("{name}.{value}");
        let attrs = cursor.attributes(&owner, false)?;
        check_attributes(&owner, &attrs, &["alias", "description", "skip"])?;
        let (alias, skip) = field_attributes(&owner, &attrs)?;
        if skip {
            continue;
        }
        // BAML's candidates: the alias (else the name), the description, and both joined.
        let rendered = alias.unwrap_or_else(|| value.to_owned());
        let mut names = vec![rendered.clone()];
        for &(attr, args) in &attrs {
            if attr == "description" {
                let description = attribute_string(&owner, "description", args)?;
                let description = description.trim();
                if !description.is_empty() {
                    names.push(description.to_owned());
                    names.push(format!("{rendered}: {description}"));
                }
            }
        }
        pairs.push((value.to_owned(), names));
    }
    if pairs.is_empty() {
        return Err(bad(format!("enum {name} has no values")));
    }
    with_marks(name, Ty::Enum(Box::new(Names::named_by(pairs))), &blocks)
}

/// The attributes that mark a type: checks and asserts on its value, and how it streams.
const MARKS: [&str; 5] = [
    "check",
    "assert",
    "stream.done",
    "stream.not_null",
    "stream.with_state",
];

/// `ty` with the marking attributes among `attrs` (the others are the caller's).
fn with_marks(owner: &str, ty: Ty, attrs: &[(&str, &str)]) -> Result<Ty> {
    let mut marks = Marks {
        inner: Ty::Any,
        checks: Vec::new(),
        done: false,
        not_null: false,
        with_state: false,
    };
    let mut any = false;
    for &(name, args) in attrs {
        match name {
            "check" | "assert" => {
                marks
                    .checks
                    .push(Constraint::read(owner, args, name == "assert")?);
            }
            "stream.done" => marks.done = true,
            "stream.not_null" => marks.not_null = true,
            "stream.with_state" => marks.with_state = true,
            _ => continue,
        }
        any = true;
    }
    if !any {
        return Ok(ty);
    }
    marks.inner = ty;
    Ok(Ty::Marked(Box::new(marks)))
}

/// A field's or enum value's attributes: its `@alias`, and whether it is `@skip`ped
/// (`@description` is set aside here: an enum value's is one of its names; a field's marks
/// are read by [`with_marks`]; anything else is refused).
fn field_attributes(owner: &str, attrs: &[(&str, &str)]) -> Result<(Option<String>, bool)> {
    let mut taken = vec!["alias", "description", "skip"];
    taken.extend(MARKS);
    check_attributes(owner, attrs, &taken)?;
    let mut alias = None;
    let mut skip = false;
    for &(name, args) in attrs {
        match name {
            "alias" => alias = Some(attribute_text(owner, args)?),
            "skip" => skip = true,
            _ => {}
        }
    }
    Ok((alias, skip))
}

/// A class's or enum's `@@` attributes: `@@alias` and `@@description` change nothing in
/// parsing, the marks are read by [`with_marks`]; the others (`@@dynamic`, whose fields come
/// from code) are refused.
fn check_block_attributes(owner: &str, attrs: &[(&str, &str)]) -> Result<()> {
    match attrs
        .iter()
        .find(|(name, _)| !["alias", "description"].contains(name) && !MARKS.contains(name))
    {
        None => Ok(()),
        Some((name, _)) => Err(bad(format!(
            "{owner}: @@{name} is not supported by this version's BAML type reader (it takes @@alias, @@description, @@check, @@assert and @@stream.*)"
        ))),
    }
}

/// Refuses an attribute this reader does not take, naming it.
fn check_attributes(owner: &str, attrs: &[(&str, &str)], taken: &[&str]) -> Result<()> {
    match attrs.iter().find(|(name, _)| !taken.contains(name)) {
        None => Ok(()),
        Some((name, _)) => Err(bad(format!(
            "{owner}: @{name} is not supported by this version's BAML type reader ({})",
            if taken.is_empty() {
                "a type here takes no attributes".to_owned()
            } else {
                format!("it takes @{}", taken.join(", @"))
            }
        ))),
    }
}

/// The text of `@alias(...)`: a quoted or raw string, or the bare words BAML also takes.
/// The text of `@alias(...)`: one string, or bare words; never empty.
fn attribute_text(owner: &str, args: &str) -> Result<String> {
    let text = attribute_string(owner, "alias", args)?;
    if text.is_empty() {
        return Err(bad(format!("{owner}: @alias needs a name")));
    }
    Ok(text)
}

/// The text of `@NAME(...)`: one string (quoted or `#"..."#`), or bare words.
fn attribute_string(owner: &str, name: &str, args: &str) -> Result<String> {
    let mut cursor = Cursor::new(args);
    match cursor.string() {
        Some(text) if cursor.peek().is_none() => Ok(text.to_owned()),
        Some(_) => Err(bad(format!("{owner}: @{name} takes one string"))),
        None => Ok(args.trim().to_owned()),
    }
}

impl Schema {
    /// The BAML type `type_expr` (`Person`, `Person[]`, `map<string, int>`, `"a" | 2`), with
    /// the `class`, `enum` and `type` declarations of `source` (docs/parse.md lists what it takes).
    ///
    /// ```
    /// use bedrock_request::structured::Schema;
    /// let schema = Schema::from_baml(r#"
    ///   class Person {
    ///     name string @alias("full_name")
    ///     age int?
    ///   }"#, "Person[]")?;
    /// assert_eq!(schema.parse(r#"[{"full_name": "Ada", "age": "36"}]"#)?.to_json(), r#"[{"name":"Ada","age":36}]"#);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_baml(source: &str, type_expr: &str) -> Result<Schema> {
        let mut reader = Reader {
            decls: declarations(source)?,
            index: HashMap::new(),
            defs: Vec::new(),
        };
        let root = reader.whole(type_expr, "the type", 0)?;
        Ok(Schema::with_defs(root, reader.defs))
    }
}
