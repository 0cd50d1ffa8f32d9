//! Batch records: each input line (`{"id"?, "prompt"}` or `{"id"?, "messages"}`) becomes one
//! JSONL line `{"recordId", "modelInput"}`, `modelInput` being the Converse body the same
//! client and messages give. One line at a time: memory holds the ids seen, not the records.

use std::collections::HashSet;

use crate::config::ClientConfig;
use crate::converse::{Builder, Tools};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::prompt::{messages_from_json, Message};
use crate::value::Value;

/// Bedrock's default quota of records in one input file.
pub const MAX_RECORDS_PER_FILE: u64 = 50_000;
/// Bedrock's default quota for one input file's size, in bytes (1 GB).
pub const MAX_FILE_BYTES: u64 = 1_000_000_000;
/// The fewest records a job takes.
pub const MIN_RECORDS_PER_JOB: u64 = 100;

/// Writes the records of a batch input file, line by line (see [`crate::batch`]).
///
/// ```
/// use bedrock_request::batch::Records;
/// use bedrock_request::{ClientConfig, Env};
/// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").max_tokens(100).build()?;
/// let mut records = Records::new(&config, None, Env::new());
/// let line = records.line(r#"{"prompt": "Hello"}"#)?.unwrap();
/// assert_eq!(line, concat!(
///     r#"{"recordId":"L0000001","modelInput":{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"#,
///     r#""inferenceConfig":{"maxTokens":100}}}"#, "\n"));
/// assert!(records.line("")?.is_none()); // blank: skipped, but line 2 all the same
/// assert!(records.line(r#"{"id": "a-b", "prompt": "x"}"#).unwrap_err().to_string().starts_with("line 3: "));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub struct Records<'c> {
    config: &'c ClientConfig,
    tools: Option<&'c Tools>,
    env: Env,
    line: u64,
    seen: HashSet<Box<str>>,
    records: u64,
    bytes: u64,
}

impl<'c> Records<'c> {
    /// Records for this client (and its tools); `env` fills `env.*` and the region when the
    /// client has none (the records do not depend on it).
    pub fn new(config: &'c ClientConfig, tools: Option<&'c Tools>, env: Env) -> Records<'c> {
        Records {
            config,
            tools,
            env,
            line: 0,
            seen: HashSet::new(),
            records: 0,
            bytes: 0,
        }
    }

    /// The record for the next input line, with its `\n`; `None` for a blank line (skipped,
    /// but counted: record ids and errors name lines as the file numbers them). An error names
    /// the line.
    pub fn line(&mut self, text: &str) -> Result<Option<String>> {
        self.line += 1;
        let at = self.line;
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let bad = |e: Error| Error::new(e.kind(), format!("line {at}: {e}"));
        let value = Value::from_json_str(text).map_err(bad)?;
        let (id, messages) = input(&value).map_err(bad)?;
        let id = match id {
            Some(id) => {
                check_id(&id).map_err(bad)?;
                id
            }
            None => format!("L{at:07}"),
        };
        if !self.seen.insert(id.clone().into_boxed_str()) {
            return Err(bad(Error::new(
                ErrorKind::Prompt,
                format!("record id {id} is given twice: ids must be unique in a file"),
            )));
        }
        let body = self.body(&messages).map_err(bad)?;
        let mut out = String::with_capacity(body.len() + id.len() + 32);
        out.push_str("{\"recordId\":");
        out.push_str(&Value::String(id).to_json());
        out.push_str(",\"modelInput\":");
        out.push_str(&body);
        out.push_str("}\n");
        self.records += 1;
        self.bytes += out.len() as u64;
        Ok(Some(out))
    }

    /// The Converse body for these messages, as the request builder writes it.
    fn body(&self, messages: &[Message]) -> Result<String> {
        // The body does not depend on the region: any will do when the client names none (a
        // model ARN carries its own).
        let fallback = (!self.config.model().starts_with("arn:")).then_some("us-east-1");
        let mut builder = Builder::new(self.config, messages, &self.env).profile_region(fallback);
        if let Some(tools) = self.tools {
            builder = builder.tools(tools);
        }
        let request = builder.build()?.into_preview();
        String::from_utf8(request.body.as_bytes().to_vec())
            .map_err(|_| Error::new(ErrorKind::Request, "the body is not UTF-8"))
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The quotas the file passes so far (each named, with its limit): Bedrock's defaults of
    /// [`MAX_RECORDS_PER_FILE`] records and [`MAX_FILE_BYTES`] bytes per input file (a quota
    /// increase may allow more, so these are warnings, not errors).
    pub fn quota_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.records > MAX_RECORDS_PER_FILE {
            out.push(format!("{} records pass Bedrock's default quota of {MAX_RECORDS_PER_FILE} records per batch input file (Records per input file per batch inference job); split the file or request an increase", self.records));
        }
        if self.bytes > MAX_FILE_BYTES {
            out.push(format!("{} bytes pass Bedrock's default quota of 1 GB per batch input file (Batch inference input file size); split the file or request an increase", self.bytes));
        }
        if self.records < MIN_RECORDS_PER_JOB {
            out.push(format!("{} records are fewer than the {MIN_RECORDS_PER_JOB} a batch inference job takes (Minimum number of records per batch inference job)", self.records));
        }
        out
    }
}

/// `{"id"?, "prompt": TEXT}` or `{"id"?, "messages": [...]}`.
fn input(value: &Value) -> Result<(Option<String>, Vec<Message>)> {
    let bad = |m: String| Error::new(ErrorKind::Prompt, m);
    let Value::Object(entries) = value else {
        return Err(bad(
            "an input line is an object: {\"id\"?, \"prompt\"} or {\"id\"?, \"messages\"}".into(),
        ));
    };
    let mut id = None;
    let mut messages = None;
    for (key, v) in entries {
        match (key.as_str(), v) {
            ("id", Value::String(s)) => id = Some(s.clone()),
            ("id", _) => return Err(bad("id must be a string".into())),
            ("prompt", Value::String(s)) if messages.is_none() => {
                messages = Some(vec![Message::user(s.as_str())])
            }
            ("prompt", _) => {
                return Err(bad(
                    "prompt must be a string (give prompt or messages, not both)".into(),
                ))
            }
            ("messages", Value::Array(_)) if messages.is_none() => {
                messages = Some(messages_from_json(&v.to_json())?)
            }
            ("messages", _) => {
                return Err(bad(
                    "messages must be an array of messages (give prompt or messages, not both)"
                        .into(),
                ))
            }
            (other, _) => {
                return Err(bad(format!(
                    "{other} is not a field of an input line (id, prompt, messages)"
                )))
            }
        }
    }
    let messages = messages.ok_or_else(|| bad("give prompt or messages".into()))?;
    Ok((id, messages))
}

/// Record ids: letters and digits only (Bedrock's own ids are 11 of them).
fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::new(
            ErrorKind::Prompt,
            format!(
                "record id {} must be letters and digits only",
                Value::String(id.to_owned()).to_json()
            ),
        ));
    }
    Ok(())
}
