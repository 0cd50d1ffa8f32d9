//! Readers of the options that become Converse body members: guardrails, performance and
//! service tiers, structured outputs and effort, projects, response field paths.

use super::policy::{GuardrailConfig, OutputFormat};
use super::values::{map, optional_string, string, string_list, type_name};
use crate::codec::quoted;
use crate::error::{Error, Result};
use crate::value::Value;

pub(super) fn guardrail_config(v: &Value) -> Result<GuardrailConfig> {
    let mut identifier = None;
    let mut version = None;
    let mut trace = None;
    let mut stream_processing_mode = None;
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in map("guardrail_config", v)? {
        let text = string(&format!("guardrail_config {k}"), v)?;
        // Converse's own names are taken too, snake_case or as on the wire.
        let canonical = match k.as_str() {
            "guardrail_identifier" | "guardrailIdentifier" => "identifier",
            "guardrail_version" | "guardrailVersion" => "version",
            "streamProcessingMode" => "stream_processing_mode",
            other => other,
        };
        if seen.contains(&canonical) {
            return Err(Error::config(format!(
                "guardrail_config {canonical} is given twice (as {canonical} and an alias); keep one"
            )));
        }
        seen.push(canonical);
        match canonical {
            "identifier" => identifier = Some(text),
            "version" => version = Some(text),
            "stream_processing_mode" if matches!(text.as_str(), "sync" | "async") => {
                stream_processing_mode = Some(text)
            }
            "stream_processing_mode" => {
                return Err(Error::config(format!(
                    "guardrail_config stream_processing_mode must be sync or async, got {q_text}",
                    q_text = quoted(&text)
                )))
            }
            "trace" if matches!(text.as_str(), "enabled" | "disabled" | "enabled_full") => {
                trace = Some(text)
            }
            "trace" => {
                return Err(Error::config(format!(
                "guardrail_config trace must be enabled, disabled or enabled_full, got {q_text}",
                q_text = quoted(&text)
            )))
            }
            other => {
                return Err(Error::config(format!(
                    "unknown guardrail_config key: {other} (use identifier, version, trace, stream_processing_mode)"
                )))
            }
        }
    }
    match (identifier, version) {
        (Some(identifier), Some(version)) => Ok(GuardrailConfig {
            identifier,
            version,
            trace,
            stream_processing_mode,
        }),
        _ => Err(Error::config(
            "guardrail_config needs both identifier and version",
        )),
    }
}

pub(super) fn performance_latency(key: &str, value: &Value) -> Result<Option<String>> {
    let mut latency = None;
    for (k, v) in map(key, value)? {
        match (k.as_str(), v) {
            ("latency", Value::String(l)) if l == "standard" || l == "optimized" => {
                latency = Some(l.clone())
            }
            ("latency", _) => {
                return Err(Error::config(
                    "performance_config latency must be \"standard\" or \"optimized\"",
                ))
            }
            (other, _) => {
                return Err(Error::config(format!(
                    "unknown performance_config key: {other} (Converse has latency)"
                )))
            }
        }
    }
    Ok(latency)
}

/// `service_tier "flex"` (or `{type "flex"}`, as Converse writes it).
pub(super) fn service_tier(key: &str, value: &Value) -> Result<Option<String>> {
    let tier = match value {
        Value::Null => return Ok(None),
        Value::Object(_) => match value.get("type") {
            Some(t) => string(&format!("{key} type"), t)?,
            None => {
                return Err(Error::config(format!(
                    "{key} must be a tier name (priority, default, flex, reserved)"
                )))
            }
        },
        other => string(key, other)?,
    };
    if !matches!(tier.as_str(), "priority" | "default" | "flex" | "reserved") {
        return Err(Error::config(format!(
            "{key} must be priority, default, flex or reserved, got {q_tier}",
            q_tier = quoted(&tier)
        )));
    }
    Ok(Some(tier))
}

/// `effort "high"`: how hard the model may think (`outputConfig.effort`).
pub(super) fn effort(key: &str, value: &Value) -> Result<Option<String>> {
    let Some(effort) = optional_string(key, value)? else {
        return Ok(None);
    };
    if !matches!(effort.as_str(), "low" | "medium" | "high" | "xhigh" | "max") {
        return Err(Error::config(format!(
            "{key} must be low, medium, high, xhigh or max, got {q_effort}",
            q_effort = quoted(&effort)
        )));
    }
    Ok(Some(effort))
}

/// `project_identifier`: `default`, a project id, or a project ARN.
pub(super) fn project_identifier(key: &str, value: &Value) -> Result<Option<String>> {
    let Some(project) = optional_string(key, value)? else {
        return Ok(None);
    };
    let id_like = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let arn = project.starts_with("arn:")
        && project
            .rsplit_once(":project/")
            .is_some_and(|(_, id)| id_like(id));
    if project.len() > 2048 || !(id_like(&project) || arn) {
        return Err(Error::config(format!(
            "{key} {q_project} is neither a project id (letters, digits, '_', '-') nor a project ARN (arn:aws:bedrock:REGION:ACCOUNT:project/ID)",
            q_project = quoted(&project)
        )));
    }
    Ok(Some(project))
}

/// `output_format { name description? schema {...} }`.
pub(super) fn output_format(key: &str, value: &Value) -> Result<OutputFormat> {
    let mut name = None;
    let mut description = None;
    let mut schema = None;
    for (k, v) in map(key, value)? {
        match k.as_str() {
            "name" => name = Some(string(&format!("{key} name"), v)?),
            "description" => description = Some(string(&format!("{key} description"), v)?),
            "schema" => match v {
                Value::Object(_) => schema = Some(v.clone()),
                // A schema given as JSON text (as the wire has it) is read back into a value.
                Value::String(text) => {
                    let parsed = Value::from_json_str(text).map_err(|e| {
                        Error::config(format!("{key} schema is text that is not JSON: {e}"))
                    })?;
                    if parsed.as_object().is_none() {
                        return Err(Error::config(format!(
                            "{key} schema must be a JSON Schema object"
                        )));
                    }
                    schema = Some(parsed)
                }
                other => {
                    return Err(Error::config(format!(
                        "{key} schema must be a JSON Schema object, got {}",
                        type_name(other)
                    )))
                }
            },
            other => {
                return Err(Error::config(format!(
                    "unknown {key} key: {other} (use name, description, schema)"
                )))
            }
        }
    }
    let schema = schema
        .ok_or_else(|| Error::config(format!("{key} needs a schema (a JSON Schema object)")))?;
    Ok(OutputFormat {
        name,
        description,
        schema,
    })
}

pub(super) fn response_paths(key: &str, value: &Value) -> Result<Vec<String>> {
    let paths = string_list(key, value)?;
    if let Some(bad) = paths.iter().find(|p| !p.starts_with('/')) {
        return Err(Error::config(format!(
            "additional_model_response_field_paths entries are JSON pointers starting with '/', got {q_bad}",
            q_bad = quoted(&bad)
        )));
    }
    Ok(paths)
}
