//! Schema-aligned parsing of model text, as BAML's `b.parse` and `b.parse_stream` do it.
//!
//! Models answer with fenced, chatty, sloppy JSON. The lenient reader finds the candidate
//! values in a text (the whole text as JSON, each ```` ``` ```` fence, each `{...}` / `[...]`,
//! the text itself when it holds none) and reads what models write (unquoted keys, single quotes, trailing
//! commas, comments, unescaped newlines, unfinished input); the first candidate that fits the
//! target type wins, coerced to it (`"36"` → 36, `36.0` → 36, a scalar → a one-item list,
//! `"green"` → `Green`, keys matched case-insensitively, extra keys ignored, optional fields
//! `null`). The type is a JSON Schema ([`Schema`]) or any serde type
//! ([`structured::parse`](parse)). `docs/parse.md` has the rules in a table,
//! and where this is stricter than BAML.
//!
//! ```
//! use bedrock_request::structured::Schema;
//! let schema = Schema::from_json(r#"{"type": "object", "properties": {
//!     "name": {"type": "string"}, "age": {"type": "integer"},
//!     "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["name", "age", "tags"]}"#)?;
//! let text = "Sure! Here it is:\n```json\n{name: \"Ada\", age: \"36\", tags: \"math\",}\n```";
//! assert_eq!(schema.parse(text)?.to_json(), r#"{"name":"Ada","age":36,"tags":["math"]}"#);
//! // While streaming: what is complete so far (an unfinished number is not a value yet).
//! assert_eq!(schema.parse_partial(r#"{"name": "Ada", "age": 3"#)?.to_json(), r#"{"name":"Ada","age":null,"tags":[]}"#);
//! # Ok::<(), bedrock_request::Error>(())
//! ```

mod baml;
mod candidates;
mod checks;
mod coerce;
pub(crate) mod de;
mod lenient;
mod names;
mod schema;
mod trace;
mod typed;
mod unaccented;
mod words;

pub use lenient::MAX_DEPTH;
pub use schema::Schema;
pub use typed::{find_json, parse, parse_partial};

use serde::de::DeserializeOwned;

use candidates::first_candidate;
use coerce::Coercer;
use lenient::Loose;
use schema::Ty;

use crate::codec::quoted;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

fn quote(text: &str) -> String {
    let start: String = text.chars().take(120).collect();
    let more = if text.chars().count() > 120 {
        "..."
    } else {
        ""
    };
    format!("{q_start}{more}", q_start = quoted(&start))
}

/// "The model's text does not fit the type: field PATH MESSAGE (in TEXT)".
fn fit_error(path: &str, message: &str, text: &str) -> Error {
    let at = if path.is_empty() {
        "the value".to_owned()
    } else {
        format!("field {path}")
    };
    Error::new(
        ErrorKind::StructuredOutput,
        format!(
            "the model's text does not fit the type: {at} {message} (in {})",
            quote(text)
        ),
    )
}

impl Schema {
    /// The value in a model's text, coerced to this schema (BAML's `b.parse`).
    pub fn parse(&self, text: &str) -> Result<Value> {
        self.run(text, false)
    }

    /// What an unfinished text holds so far (BAML's `b.parse_stream`): unfinished numbers
    /// and other scalars are `null`, missing lists `[]`, missing fields `null`, unfinished
    /// strings as far as they go. Each longer prefix of an answer extends the value.
    pub fn parse_partial(&self, text: &str) -> Result<Value> {
        self.run(text, true)
    }

    fn run(&self, text: &str, partial: bool) -> Result<Value> {
        // A string is the text itself, as BAML returns it.
        if self.root == Ty::String {
            return Ok(Value::String(text.to_owned()));
        }
        // Candidates are tried in order; one that fits exactly ends the search, else the one
        // that fits best (the lowest score; the first of equals) wins, as BAML picks among
        // the values a text holds (an `int[]` from the second fence when the first holds an
        // object). Each candidate is coerced once, so the work stays linear.
        let mut best: Option<coerce::Fit> = None;
        let found = first_fit(
            text,
            partial,
            // A coercer per candidate: its decisions are about that candidate's values.
            |c| {
                let fit = Coercer::new(&self.defs, partial)
                    .coerce(Some(c), &self.root)
                    .map_err(Some)?;
                // The text read as one scalar or as itself comes last and only fills in:
                // it does not replace a value that was found ("3.5" is 4 for `int | string`).
                let structured = matches!(c, Loose::Object { .. } | Loose::Array { .. });
                if fit.score == 0 && (structured || best.is_none()) {
                    return Ok(fit);
                }
                if best
                    .as_ref()
                    .is_none_or(|b| structured && fit.score < b.score)
                {
                    best = Some(fit);
                }
                Err(None)
            },
            |m: &Option<coerce::Miss>| m.as_ref().is_none_or(|m| m.path.is_empty()),
        );
        let first_miss = match (found, best) {
            (Ok(fit), _) | (Err(_), Some(fit)) => return Ok(fit.value),
            (Err(miss), None) => miss.flatten(),
        };
        // Nothing of the answer yet: every field absent. Not when the text holds a value that
        // waits for a `@stream.not_null` part (baml-py has no answer yet then).
        let waiting = first_miss.as_ref().is_some_and(|m| m.pending.is_some());
        if partial && !waiting {
            if let Ok(fit) = Coercer::new(&self.defs, partial).coerce(None, &self.root) {
                return Ok(fit.value);
            }
        }
        Err(match first_miss {
            Some(miss) => fit_error(&miss.path, &miss.message, text),
            None => fit_error("", "is not in the text", text),
        })
    }
}

/// Tries each candidate of `text` in order: the first that fits wins. Otherwise the error kept
/// is the first one, unless a later structured candidate (an object or array) fails naming a
/// field while the kept one names none: that one says more about what went wrong.
fn first_fit<T, E>(
    text: &str,
    partial: bool,
    mut attempt: impl FnMut(&Loose<'_>) -> std::result::Result<T, E>,
    names_no_field: impl Fn(&E) -> bool,
) -> std::result::Result<T, Option<E>> {
    let mut kept: Option<E> = None;
    let found = first_candidate(text, partial, |candidate| match attempt(candidate) {
        Ok(v) => Some(v),
        Err(e) => {
            let structured = matches!(candidate, Loose::Object { .. } | Loose::Array { .. });
            if kept.is_none() || (structured && kept.as_ref().is_some_and(&names_no_field)) {
                kept = Some(e);
            }
            None
        }
    });
    found.ok_or(kept)
}

fn serde_run<T: DeserializeOwned>(text: &str, partial: bool) -> Result<T> {
    // One answer with the schema path: `T` traced into a schema, the text coerced to it (an
    // item that does not fit a list left out, as BAML does), `T` read from that value. A type
    // that cannot be traced, or a value the trace's schema refuses (a `#[serde(default)]`
    // field missing, say), is read directly below.
    if let Some(schema) = trace::schema_of::<T>() {
        if let Ok(value) = schema.run(text, partial) {
            let loose = Loose::of_value(&value);
            if let Ok(v) = T::deserialize(de::LooseDe::new(&loose, partial)) {
                return Ok(v);
            }
        }
    }
    let first = match first_fit(
        text,
        partial,
        |c| T::deserialize(de::LooseDe::new(c, partial)),
        |e| e.path.is_empty(),
    ) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    Err(match first {
        Some(e) => fit_error(&e.path_text(), &e.message, text),
        None => Error::new(
            ErrorKind::StructuredOutput,
            format!("no value in the model's text: {}", quote(text)),
        ),
    })
}

/// The value in a model's text as any serde type, coerced leniently (see the
/// [module docs](self)).
pub(crate) fn from_text<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_run(text, false)
}

/// The same for an unfinished text: use `Option` and `Vec` fields (missing ones are `None`
/// and empty).
pub(crate) fn from_partial_text<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_run(text, true)
}

/// Partial values while a stream's text arrives ([`Schema::parse_partial`] after each
/// delta). Work stays linear however many deltas come: under 8 KiB of text every delta
/// is parsed again; beyond, a new value is computed when the text has grown by an eighth
/// since the last one (and always by [`finish`](Self::finish)).
///
/// ```
/// use bedrock_request::structured::{PartialValues, Schema};
/// let schema = Schema::from_json(r#"{"type": "array", "items": {"type": "integer"}}"#)?;
/// let mut values = PartialValues::new(schema);
/// assert_eq!(values.push("[1, 2")?.unwrap().to_json(), "[1]");
/// assert_eq!(values.push(", 3]")?.unwrap().to_json(), "[1,2,3]");
/// assert_eq!(values.finish()?.to_json(), "[1,2,3]");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PartialValues {
    schema: Schema,
    text: String,
    parsed_at: usize,
}

impl PartialValues {
    /// Partial values of this schema.
    pub fn new(schema: Schema) -> Self {
        PartialValues {
            schema,
            text: String::new(),
            parsed_at: 0,
        }
    }

    /// Adds a text delta; returns the partial value when one was computed for it.
    pub fn push(&mut self, delta: &str) -> Result<Option<Value>> {
        self.text.push_str(delta);
        let due =
            self.text.len() < 8 * 1024 || self.text.len() >= self.parsed_at + self.parsed_at / 8;
        if !due {
            return Ok(None);
        }
        self.parsed_at = self.text.len();
        self.schema.parse_partial(&self.text).map(Some)
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole text, parsed as complete.
    pub fn finish(&self) -> Result<Value> {
        self.schema.parse(&self.text)
    }
}
