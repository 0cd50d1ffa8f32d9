//! A batch job's results: the `*.jsonl.out` lines (`{"recordId", "modelInput", "modelOutput"}`,
//! or `"error": {"errorCode", "errorMessage"}` in its place) joined to the input records by
//! `recordId` (output order is not input order), every input record accounted for.

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::parse;
use crate::value::Value;

/// What became of one input record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Answered: the line to print, `{"recordId", "text", "stop_reason", "usage", ...}` (the
    /// completion's JSON, the record id first).
    Answered(String),
    /// Failed: the error Bedrock recorded for it.
    Failed {
        /// `errorCode` (a number in AWS's files, kept as text).
        code: String,
        /// `errorMessage`.
        message: String,
    },
    /// No output line names it.
    Missing,
}

impl RecordOutcome {
    /// The line to print for `record_id`: the completion, or `{"recordId", "error": {"code",
    /// "message"}}` (a missing record's code is `Missing`).
    pub fn to_line(&self, record_id: &str) -> String {
        let id = Value::String(record_id.to_owned()).to_json();
        match self {
            RecordOutcome::Answered(line) => line.clone(),
            RecordOutcome::Failed { code, message } => format!(
                "{{\"recordId\":{id},\"error\":{{\"code\":{},\"message\":{}}}}}",
                Value::String(code.clone()).to_json(),
                Value::String(message.clone()).to_json()
            ),
            RecordOutcome::Missing => format!(
                "{{\"recordId\":{id},\"error\":{{\"code\":\"Missing\",\"message\":\"no output line names this record\"}}}}"
            ),
        }
    }
}

impl RecordOutcome {
    /// `recordId<TAB>text` for an answer, `recordId<TAB>error: CODE MESSAGE` otherwise (the
    /// text's line breaks as `\n`, so one record is one line).
    pub fn to_text(&self, record_id: &str) -> String {
        match self {
            RecordOutcome::Answered(line) => {
                let text = Value::from_json_str(line)
                    .ok()
                    .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                format!("{record_id}\t{}", text.replace('\n', "\\n"))
            }
            RecordOutcome::Failed { code, message } => {
                format!("{record_id}\terror: {code} {message}")
            }
            RecordOutcome::Missing => format!("{record_id}\terror: Missing"),
        }
    }
}

/// Joins output lines to the input records (see the [module docs](crate::batch)).
///
/// ```
/// use bedrock_request::batch::{RecordOutcome, Results};
/// let mut results = Results::new();
/// for id in ["a1", "a2", "a3"] { results.expect(id)?; }
/// results.output_line(r#"{"recordId":"a2","modelInput":{},"error":{"errorCode":400,"errorMessage":"bad request"}}"#)?;
/// results.output_line(r#"{"recordId":"a1","modelInput":{},"modelOutput":{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4},"metrics":{"latencyMs":1}}}"#)?;
/// let all = results.finish();
/// assert!(matches!(&all[0].1, RecordOutcome::Answered(line) if line.starts_with(r#"{"recordId":"a1","text":"hi""#)));
/// assert_eq!(all[1].1, RecordOutcome::Failed { code: "400".into(), message: "bad request".into() });
/// assert_eq!(all[2].1, RecordOutcome::Missing);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Results {
    order: Vec<String>,
    index: HashMap<String, usize>,
    outcomes: Vec<RecordOutcome>,
}

impl Results {
    /// No records expected yet.
    pub fn new() -> Results {
        Results::default()
    }

    /// An input record, in the records file's order (a repeated id is an error).
    pub fn expect(&mut self, record_id: &str) -> Result<()> {
        if self.index.contains_key(record_id) {
            return Err(Error::new(
                ErrorKind::Response,
                format!("record id {record_id} is in the records twice"),
            ));
        }
        self.index.insert(record_id.to_owned(), self.order.len());
        self.order.push(record_id.to_owned());
        self.outcomes.push(RecordOutcome::Missing);
        Ok(())
    }

    /// The `recordId` of a records file's line (`{"recordId", "modelInput"}`).
    pub fn record_id_of(line: &str) -> Result<String> {
        Value::from_json_str(line)?
            .get("recordId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::new(ErrorKind::Response, "a record line has no recordId"))
    }

    /// One line of a `*.jsonl.out` file. An id that is not among the records, or given twice,
    /// is an error (the outputs are not this records file's).
    pub fn output_line(&mut self, line: &str) -> Result<()> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        let v = Value::from_json_str(line)?;
        let id = v
            .get("recordId")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(ErrorKind::Response, "an output line has no recordId"))?;
        let at = *self.index.get(id).ok_or_else(|| {
            Error::new(
                ErrorKind::Response,
                format!("the output names record {id}, which is not in the records file"),
            )
        })?;
        if self.outcomes[at] != RecordOutcome::Missing {
            return Err(Error::new(
                ErrorKind::Response,
                format!("the output names record {id} twice"),
            ));
        }
        self.outcomes[at] = match (v.get("modelOutput"), v.get("error")) {
            (Some(output), _) => {
                let completion = parse::converse_body(output.to_json().as_bytes())
                    .map_err(|e| Error::new(e.kind(), format!("record {id}: {e}")))?;
                let json = completion.to_json();
                let rest = json.strip_prefix('{').unwrap_or(&json);
                let id = Value::String(id.to_owned()).to_json();
                RecordOutcome::Answered(format!("{{\"recordId\":{id},{rest}"))
            }
            (None, Some(error)) => RecordOutcome::Failed {
                code: match error.get("errorCode") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_json(),
                    None => String::new(),
                },
                message: error
                    .get("errorMessage")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            },
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Response,
                    format!("the output line of record {id} has neither modelOutput nor error"),
                ))
            }
        };
        Ok(())
    }

    /// Every input record, in order, with what became of it.
    pub fn finish(self) -> Vec<(String, RecordOutcome)> {
        self.order.into_iter().zip(self.outcomes).collect()
    }
}
