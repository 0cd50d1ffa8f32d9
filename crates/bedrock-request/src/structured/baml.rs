//! BAML types as the schema: `class`, `enum` and `type` declarations read from BAML source, and
//! a type expression (`Person`, `int[]`, `map<string, Person?>`, `"a" | 2`) to coerce to.
//!
//! Supported: the primitives (`string`, `int`, `float`, `bool`, `null`), `T[]`, `T?`,
//! `map<string, T>`, unions, literals (strings, integers, `true`/`false`), classes, enums and
//! recursive `type` aliases; `@alias("...")` on fields and enum values (the text uses it, the
//! value keeps its name), `@description(...)` (kept out of parsing), `@skip` (left out).
//! `@check`, `@assert`, `@stream.*` and block attributes (`@@dynamic`...) are refused with an
//! error that names them. Everything else in the file (clients, functions, tests...) is skipped.

use std::collections::HashMap;

use super::names::Names;
use super::schema::{Field, Schema, Ty};
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
            Decl::Alias(expr) => self.expr(expr, depth + 1)?,
        };
        self.defs[i] = Some(ty);
        Ok(Ty::Ref(i))
    }

    fn class(&mut self, name: &str, body: &'a str, depth: usize) -> Result<Ty> {
        let mut fields = Vec::new();
        for line in lines(body) {
            if line.starts_with("@@") {
                return Err(unsupported(name, line));
            }
            let (field, rest) = split_word(line);
            let (expr, attrs) = split_attributes(rest);
            let (alias, skip) = attributes(name, &attrs)?;
            if skip {
                continue;
            }
            let ty = self.expr(expr, depth + 1)?;
            let optional = matches!(ty, Ty::Optional(_) | Ty::Null);
            fields.push(Field {
                name: field.to_owned(),
                alias,
                ty,
                required: !optional,
            });
        }
        Ok(Ty::Object(fields))
    }

    /// A type expression: unions of postfix-typed atoms.
    fn expr(&mut self, text: &'a str, depth: usize) -> Result<Ty> {
        if depth > 64 {
            return Err(bad(format!("the type {text} nests deeper than 64 levels")));
        }
        let parts = split_top(text, '|');
        let mut options = Vec::new();
        for part in parts {
            options.push(self.postfix(part.trim(), depth)?);
        }
        Ok(union(options))
    }

    fn postfix(&mut self, text: &'a str, depth: usize) -> Result<Ty> {
        if depth > 64 {
            return Err(bad(format!(
                "the type {} nests deeper than 64 levels",
                text.chars().take(40).collect::<String>()
            )));
        }
        if let Some(inner) = text.strip_suffix("[]") {
            return Ok(Ty::List(Box::new(
                self.postfix(inner.trim_end(), depth + 1)?,
            )));
        }
        if let Some(inner) = text.strip_suffix('?') {
            let ty = self.postfix(inner.trim_end(), depth + 1)?;
            return Ok(match ty {
                Ty::Optional(_) | Ty::Null => ty,
                other => Ty::Optional(Box::new(other)),
            });
        }
        if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            return self.expr(inner, depth + 1);
        }
        if let Some(args) = text.strip_prefix("map<").and_then(|t| t.strip_suffix('>')) {
            let parts = split_top(args, ',');
            let [_, value] = parts.as_slice() else {
                return Err(bad(format!(
                    "map<...> takes a key and a value type: {text}"
                )));
            };
            return Ok(Ty::Map(Box::new(self.expr(value.trim(), depth + 1)?)));
        }
        Ok(match text {
            "string" => Ty::String,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "null" => Ty::Null,
            "true" => Ty::Literal(Value::Bool(true)),
            "false" => Ty::Literal(Value::Bool(false)),
            t if t.starts_with('"') && t.ends_with('"') && t.len() >= 2 => {
                Ty::Enum(Names::new(&[&t[1..t.len() - 1]]))
            }
            t if t.parse::<i64>().is_ok() => Ty::Literal(Value::from_json_str(t)?),
            t if !t.is_empty() && t.bytes().all(is_ident) => self.named(t, depth)?,
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
    for line in lines(body) {
        if line.starts_with("@@") {
            return Err(unsupported(name, line));
        }
        let (value, rest) = split_word(line);
        let (_, attrs) = split_attributes(rest);
        let (alias, skip) = attributes(name, &attrs)?;
        if !skip {
            pairs.push((value.to_owned(), alias.unwrap_or_else(|| value.to_owned())));
        }
    }
    if pairs.is_empty() {
        return Err(bad(format!("enum {name} has no values")));
    }
    Ok(Ty::Enum(Names::aliased(pairs)))
}

/// A field's or enum value's attributes: its `@alias`, and whether it is `@skip`ped
/// (`@description` is read and set aside; anything else is refused).
fn attributes(owner: &str, attrs: &[&str]) -> Result<(Option<String>, bool)> {
    let mut alias = None;
    let mut skip = false;
    for attr in attrs {
        match attr_name(attr) {
            "alias" => alias = Some(attr_text(attr, owner)?),
            "description" => {}
            "skip" => skip = true,
            _ => return Err(unsupported(owner, attr)),
        }
    }
    Ok((alias, skip))
}

fn unsupported(owner: &str, attr: &str) -> Error {
    let shown: String = attr.chars().take(40).collect();
    bad(format!(
        "{owner}: {shown} is not supported by this version's BAML type reader (it takes @alias, @description and @skip)"
    ))
}

/// The entries of a block: one per line, comments dropped, blank lines skipped.
fn lines(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in body.lines() {
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        let line = line.trim();
        if !line.is_empty() {
            out.push(line);
        }
    }
    out
}

fn split_word(line: &str) -> (&str, &str) {
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    (&line[..end], line[end..].trim())
}

/// A field's type and its attributes (`@alias("a") @description("...")`).
fn split_attributes(text: &str) -> (&str, Vec<&str>) {
    let first = text.find('@').unwrap_or(text.len());
    let expr = text[..first].trim();
    let mut attrs = Vec::new();
    let mut rest = &text[first..];
    while let Some(start) = rest.find('@') {
        let after = &rest[start..];
        let end = after[1..].find('@').map_or(after.len(), |i| i + 1);
        attrs.push(after[..end].trim());
        rest = &after[end..];
    }
    (expr, attrs)
}

fn attr_name(attr: &str) -> &str {
    let body = attr.trim_start_matches('@');
    let end = body
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.')
        .unwrap_or(body.len());
    &body[..end]
}

/// The string argument of `@alias("text")`.
fn attr_text(attr: &str, owner: &str) -> Result<String> {
    let start = attr
        .find('"')
        .ok_or_else(|| bad(format!("{owner}: {attr} takes a string")))?;
    let end = attr
        .rfind('"')
        .filter(|e| *e > start)
        .ok_or_else(|| bad(format!("{owner}: {attr} takes a string")))?;
    Ok(attr[start + 1..end].to_owned())
}

/// Splits at `sep` outside brackets and quotes.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '<' | '[' if !quoted => depth += 1,
            ')' | '>' | ']' if !quoted => depth -= 1,
            c if c == sep && depth == 0 && !quoted => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn union(mut tys: Vec<Ty>) -> Ty {
    let nullable = tys.contains(&Ty::Null);
    tys.retain(|t| *t != Ty::Null);
    let inner = match tys.len() {
        0 => return Ty::Null,
        1 => tys.remove(0),
        _ => Ty::Union(tys),
    };
    match (nullable, inner) {
        (true, Ty::Optional(t)) => Ty::Optional(t),
        (true, t) => Ty::Optional(Box::new(t)),
        (false, t) => t,
    }
}

impl Schema {
    /// The BAML type `type_expr` (`Person`, `Person[]`, `map<string, int>`, `"a" | 2`), with
    /// the `class`, `enum` and `type` declarations of `source` (see [`crate::structured`]).
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
        let root = reader.expr(type_expr.trim(), 0)?;
        let defs = reader
            .defs
            .into_iter()
            .map(|d| d.unwrap_or(Ty::Any))
            .collect();
        Ok(Schema { root, defs })
    }
}
