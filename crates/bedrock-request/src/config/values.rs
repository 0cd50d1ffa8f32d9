//! Readers of one option value: a string, a list, a map, a number, a boolean; their errors
//! name the option and what was found (BAML's wording where BAML has one).

use crate::codec::quoted;
use crate::error::{CollectOk, Error, Result};
use crate::value::{Number, Value};

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "map",
    }
}

pub(super) fn string(key: &str, v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(Error::config(format!(
            "{key} must be a string. Got: {}",
            type_name(other)
        ))),
    }
}

/// A string option where `null` and `""` mean "not set" (as BAML treats `session_token ""`).
pub(super) fn optional_string(key: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        _ => string(key, v).map(|s| (!s.is_empty()).then_some(s)),
    }
}

pub(super) fn string_list(key: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(Error::config(format!(
                    "values in {key} must be strings. Got: {}",
                    type_name(other)
                ))),
            })
            .collect_ok(),
        other => Err(Error::config(format!(
            "{key} must be an array. Got: {}",
            type_name(other)
        ))),
    }
}

pub(super) fn map<'v>(key: &str, v: &'v Value) -> Result<&'v [(String, Value)]> {
    match v {
        Value::Object(entries) => Ok(entries),
        other => Err(Error::config(format!(
            "{key} must be a map. Got: {}",
            type_name(other)
        ))),
    }
}

pub(super) fn non_negative_integer(key: &str, v: &Value) -> Result<u64> {
    match v {
        Value::Number(n) if n.is_integer() => n.as_u64().ok_or_else(|| {
            if n.as_str().starts_with('-') {
                Error::config(format!("{key} must be non-negative, got: {n}ms"))
            } else {
                Error::config(format!("{key} is too large, got: {n}ms"))
            }
        }),
        other => Err(Error::config(format!(
            "{key} must be an integer. Got: {}",
            match other {
                Value::Number(n) => n.to_string(),
                _ => type_name(other).to_owned(),
            }
        ))),
    }
}

pub(super) fn string_map(key: &str, v: &Value) -> Result<Vec<(String, String)>> {
    map(key, v)?
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(Error::config(format!(
                "{key} values must be strings. Got: {} for {k}",
                type_name(other)
            ))),
        })
        .collect_ok()
}

pub(super) fn number(key: &str, v: &Value) -> Result<Number> {
    match v {
        Value::Number(n) => Ok(n.clone()),
        other => Err(Error::config(format!(
            "{key} must be a number. Got: {}",
            type_name(other)
        ))),
    }
}

/// A value for an error message: numbers and short strings verbatim, others by type.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() <= 40 => quoted(s).to_string(),
        other => type_name(other).to_owned(),
    }
}

pub(super) fn boolean(key: &str, value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(Error::config(format!(
            "{key} must be a bool. Got: {}",
            type_name(other)
        ))),
    }
}
