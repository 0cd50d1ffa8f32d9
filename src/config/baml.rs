//! Reads `client<llm>` blocks out of BAML source.
//!
//! The file may hold anything else BAML allows (functions, classes, template strings,
//! generators...): those are skipped, with strings, raw strings and comments understood so
//! that a `{` inside a prompt does not confuse the scan. Inside a client block the syntax
//! follows BAML's grammar (`datamodel.pest`):
//!
//! - `key value`, and also `key: value` (BAML itself would read `: value` as the value);
//! - quoted strings `"..."` with BAML's escapes (`\n \r \t \0 \' \" \\ \xHH`);
//! - raw strings `#"..."#` (up to five `#`), with BAML's clean-up: leading newlines dropped,
//!   trailing whitespace trimmed, common indentation removed;
//! - unquoted values (`model claude-3-5-haiku-20241022`), read to the end of the line, a
//!   `,`, a bracket or a ` //` comment; `true`/`false`, `null` and numbers are typed;
//! - `env.NAME`, resolved against the [`Env`] snapshot when a client is turned into config;
//! - arrays `[a, b]` and nested blocks `{ key value }`, entries split by newlines or commas;
//! - `//` and `///` line comments, `{// ... //}` block comments.

use super::client::ClientConfig;
use super::validate;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::value::{Number, Value};

/// A parsed BAML file: the `client<llm>` blocks it holds, in order.
///
/// ```
/// use bedrock_request::{BamlFile, Env};
///
/// let file = BamlFile::parse(r##"
///     client<llm> Haiku {
///       provider aws-bedrock
///       options {
///         model anthropic.claude-3-haiku-20240307-v1:0
///         region us-east-1
///       }
///     }
///     function Hello() -> string {
///       client Haiku
///       prompt #"Say {{ "hi" }}"#
///     }
/// "##)?;
/// let config = file.client("Haiku")?.to_config(&Env::new())?;
/// assert_eq!(config.model(), "anthropic.claude-3-haiku-20240307-v1:0");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BamlFile {
    clients: Vec<BamlClient>,
}

/// One `client<llm> Name { ... }` block, with `env.*` references not yet resolved.
///
/// `Debug` shows option names, not values (a block may hold a secret key).
#[derive(Clone)]
pub struct BamlClient {
    name: String,
    provider: String,
    retry_policy: Option<String>,
    options: Vec<(String, Node)>,
}

/// A value as written: literals, `env.NAME` references, arrays and blocks, with positions.
#[derive(Clone, Debug)]
struct Node {
    kind: NodeKind,
    line: usize,
}

#[derive(Clone, Debug)]
enum NodeKind {
    Literal(Value),
    Env(String),
    Array(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl BamlFile {
    /// Parses BAML source and collects its `client<llm>` blocks.
    pub fn parse(source: &str) -> Result<BamlFile> {
        let mut p = Parser {
            src: source,
            pos: 0,
        };
        let mut clients: Vec<BamlClient> = Vec::new();
        while let Some(start) = p.next_client_keyword()? {
            let client = p.client_block(start)?;
            if clients.iter().any(|c| c.name == client.name) {
                return Err(p.error_at(start, format!("client {} is defined twice", client.name)));
            }
            clients.push(client);
        }
        Ok(BamlFile { clients })
    }

    /// All clients, in file order.
    pub fn clients(&self) -> &[BamlClient] {
        &self.clients
    }

    /// The client called `name`; the error lists the names that exist.
    pub fn client(&self, name: &str) -> Result<&BamlClient> {
        self.clients.iter().find(|c| c.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.clients.iter().map(|c| c.name.as_str()).collect();
            if names.is_empty() {
                Error::baml(format!(
                    "no client named {name}: the BAML source has no client<llm> blocks"
                ))
            } else {
                Error::baml(format!(
                    "no client named {name}; the BAML source defines: {}",
                    names.join(", ")
                ))
            }
        })
    }
}

impl std::fmt::Debug for BamlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BamlClient")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("retry_policy", &self.retry_policy)
            .field(
                "options",
                &self.options.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Options whose `env.NAME` may be unset: like BAML, an unset variable there means "not
/// given", so `session_token env.MY_SESSION // optional` works and the credential rules and
/// chain decide what happens next.
const OPTIONAL_ENV_OPTIONS: [&str; 8] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "profile",
    "endpoint_url",
];

impl BamlClient {
    /// The client's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `provider` as written (`aws-bedrock` for the clients this crate serves).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The `retry_policy` name, if any (retries are the caller's business; this is informational).
    pub fn retry_policy(&self) -> Option<&str> {
        self.retry_policy.as_deref()
    }

    /// The `options` block as a JSON-like map, with `env.NAME` references resolved from `env`.
    ///
    /// A reference to a variable that is not set is an error naming the variable and its line,
    /// except for the credential options, `profile` and `endpoint_url`, where an unset variable
    /// means the option is not given (as in BAML).
    pub fn options(&self, env: &Env) -> Result<Value> {
        let mut entries = Vec::with_capacity(self.options.len());
        for (key, node) in &self.options {
            if let NodeKind::Env(name) = &node.kind {
                if env.get(name).is_none() && OPTIONAL_ENV_OPTIONS.contains(&key.as_str()) {
                    continue;
                }
            }
            entries.push((key.clone(), resolve(node, env, &self.name)?));
        }
        Ok(Value::Object(entries))
    }

    /// Validates the options into a [`ClientConfig`] (errors are prefixed with the client's name).
    pub fn to_config(&self, env: &Env) -> Result<ClientConfig> {
        if self.provider != "aws-bedrock" {
            return Err(Error::baml(format!(
                "client {} uses provider {:?}; this crate builds requests for provider aws-bedrock only",
                self.name, self.provider
            )));
        }
        let options = self.options(env)?;
        validate::from_options(&options, Some(&self.name))
    }
}

fn resolve(node: &Node, env: &Env, client: &str) -> Result<Value> {
    Ok(match &node.kind {
        NodeKind::Literal(v) => v.clone(),
        NodeKind::Env(name) => match env.get(name) {
            Some(v) => Value::String(v.to_owned()),
            None => {
                return Err(Error::baml(format!(
                    "client {client}, line {}: env.{name} is not set; set the environment variable {name} or write the value in the options block",
                    node.line
                )))
            }
        },
        NodeKind::Array(items) => Value::Array(
            items
                .iter()
                .map(|n| resolve(n, env, client))
                .collect::<Result<_>>()?,
        ),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, n)| Ok((k.clone(), resolve(n, env, client)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn line_of(&self, pos: usize) -> usize {
        self.src[..pos.min(self.src.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }

    fn error_at(&self, pos: usize, msg: impl std::fmt::Display) -> Error {
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

    /// Scans top-level source for the next `client<llm>`, skipping everything else.
    fn next_client_keyword(&mut self) -> Result<Option<usize>> {
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
                            return Ok(Some(start));
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

    fn client_block(&mut self, start: usize) -> Result<BamlClient> {
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
        Ok(BamlClient {
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
                Some(c) => return Err(self.error(format!("expected a key, found {c:?}"))),
                None => unreachable!(),
            };
            self.skip_blanks();
            if self.peek() == Some(':') {
                self.pos += 1;
                self.skip_blanks();
            }
            let node = self.value(&key)?;
            if entries.iter().any(|(k, _)| *k == key) {
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
            Some('{') => {
                self.pos += 1;
                NodeKind::Map(self.block_entries(false)?)
            }
            Some('[') => {
                self.pos += 1;
                NodeKind::Array(self.array_items(key)?)
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
                        "unexpected {c:?} in the array of {key}; separate items with commas"
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
                return Err(
                    self.error_at(start, format!("{text:?} is not a valid env.NAME reference"))
                );
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
