//! Tools: `toolConfig` (tool specs, tool choice, a cache point), from Rust or a tools file.

use crate::codec::quoted;
use crate::error::{Error, Result};
use crate::prompt::CacheTtl;
use crate::value::Value;

/// One tool the model may call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tool {
    /// The name (`^[a-zA-Z0-9_-]{1,64}$` on Bedrock).
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// The JSON schema of its input (`Null` for a system tool).
    pub input_schema: Value,
    /// `strict`: the model's input must follow the schema exactly (structured outputs).
    pub strict: Option<bool>,
    /// A system tool (`systemTool`, named only): Bedrock runs it itself, and its tool uses
    /// come back marked as server tool uses, never for you to run.
    pub system: bool,
}

impl Tool {
    /// A tool with a name, a description and an input schema.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
    ) -> Self {
        Tool {
            name: name.into(),
            description: Some(description.into()),
            input_schema,
            strict: None,
            system: false,
        }
    }

    /// A system tool Bedrock runs itself (`{"systemTool": {"name"}}`).
    pub fn system(name: impl Into<String>) -> Self {
        Tool {
            name: name.into(),
            description: None,
            input_schema: Value::Null,
            strict: None,
            system: true,
        }
    }
}

/// How the model must use the tools.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides (`{"auto":{}}`).
    Auto,
    /// It must call one of them (`{"any":{}}`).
    Any,
    /// It must call this one (`{"tool":{"name":...}}`).
    Tool(String),
}

/// `toolConfig`: the tools, the choice, and whether a cache point follows the tool list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tools {
    /// The tools, in order.
    pub tools: Vec<Tool>,
    /// The tool choice (None: Bedrock's default, auto).
    pub choice: Option<ToolChoice>,
    /// Put `{"cachePoint":{"type":"default"}}` after the tools (prompt caching).
    pub cache_point: bool,
    /// The cache point's `ttl` (None: Bedrock's default, 5 minutes).
    pub cache_ttl: Option<CacheTtl>,
}

impl Tools {
    /// Reads a tools file: `{"tools": [{"name", "description", "input_schema", "strict"?} |
    /// {"system_tool": "name"}], "tool_choice"?: "auto" | "any" | {"tool": "name"},
    /// "cache_point"?: true | {"ttl": "5m" | "1h"}}`.
    ///
    /// ```
    /// use bedrock_request::converse::{Tools, ToolChoice};
    /// let tools = Tools::from_json(r#"{"tools": [{"name": "get_weather", "description": "Weather",
    ///     "input_schema": {"type": "object"}, "strict": true}, {"system_tool": "nova_grounding"}],
    ///     "tool_choice": {"tool": "get_weather"}}"#)?;
    /// assert_eq!(tools.choice, Some(ToolChoice::Tool("get_weather".into())));
    /// assert!(tools.tools[1].system);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Tools> {
        let value =
            Value::from_json_str(json).map_err(|e| Error::prompt(format!("tools file: {e}")))?;
        Tools::from_value(&value)
    }

    /// The tools of [`Tools::from_json`]'s format, from an already parsed [`Value`].
    pub fn from_value(value: &Value) -> Result<Tools> {
        let bad = |m: String| Error::prompt(format!("tools file: {m}"));
        let Value::Object(fields) = value else {
            return Err(bad("must be an object with \"tools\"".into()));
        };
        let mut out = Tools::default();
        for (key, v) in fields {
            match key.as_str() {
                "tools" => {
                    let Value::Array(items) = v else {
                        return Err(bad("\"tools\" must be an array".into()));
                    };
                    for (i, item) in items.iter().enumerate() {
                        out.tools.push(tool_from_value(i, item).map_err(bad)?);
                    }
                }
                "tool_choice" => out.choice = Some(tool_choice(v).map_err(bad)?),
                "cache_point" => match v {
                    Value::Bool(b) => out.cache_point = *b,
                    Value::Null => {}
                    Value::Object(entries) => {
                        out.cache_point = true;
                        for (k, t) in entries {
                            match (k.as_str(), t) {
                                ("ttl", Value::String(t)) => {
                                    out.cache_ttl =
                                        Some(CacheTtl::parse(t).map_err(|e| bad(e.to_string()))?)
                                }
                                _ => {
                                    return Err(bad(format!(
                                        "cache_point takes {{\"ttl\": \"5m\" | \"1h\"}}, not the key {q_k}",
                                        q_k = quoted(&k)
                                    )))
                                }
                            }
                        }
                    }
                    _ => {
                        return Err(bad(
                            "cache_point must be true or {\"ttl\": \"5m\" | \"1h\"}".into(),
                        ))
                    }
                },
                other => {
                    return Err(bad(format!(
                    "unknown field {q_other}; a tools file has tools, tool_choice and cache_point",
                    q_other = quoted(&other)
                )))
                }
            }
        }
        if out.tools.is_empty() {
            return Err(bad("\"tools\" is empty".into()));
        }
        if let Some(ToolChoice::Tool(name)) = &out.choice {
            if !out.tools.iter().any(|t| t.name == *name) {
                return Err(bad(format!(
                    "tool_choice names {q_name}, which is not one of the tools",
                    q_name = quoted(&name)
                )));
            }
        }
        Ok(out)
    }

    /// The `toolConfig` JSON.
    pub(crate) fn to_value(&self) -> Value {
        let mut tools: Vec<Value> = self
            .tools
            .iter()
            .map(|t| {
                let name = ("name".to_owned(), Value::from(t.name.as_str()));
                if t.system {
                    return Value::Object(vec![(
                        "systemTool".to_owned(),
                        Value::Object(vec![name]),
                    )]);
                }
                let mut spec = vec![name];
                if let Some(d) = &t.description {
                    spec.push(("description".to_owned(), Value::from(d.as_str())));
                }
                spec.push((
                    "inputSchema".to_owned(),
                    Value::Object(vec![("json".to_owned(), t.input_schema.clone())]),
                ));
                if let Some(strict) = t.strict {
                    spec.push(("strict".to_owned(), Value::Bool(strict)));
                }
                Value::Object(vec![("toolSpec".to_owned(), Value::Object(spec))])
            })
            .collect();
        if self.cache_point {
            tools.push(cache_point(self.cache_ttl));
        }
        let mut config = vec![("tools".to_owned(), Value::Array(tools))];
        if let Some(choice) = &self.choice {
            let empty = || Value::Object(Vec::new());
            let choice = match choice {
                ToolChoice::Auto => Value::Object(vec![("auto".to_owned(), empty())]),
                ToolChoice::Any => Value::Object(vec![("any".to_owned(), empty())]),
                ToolChoice::Tool(name) => Value::Object(vec![(
                    "tool".to_owned(),
                    Value::Object(vec![("name".to_owned(), Value::from(name.as_str()))]),
                )]),
            };
            config.push(("toolChoice".to_owned(), choice));
        }
        Value::Object(config)
    }
}

/// A tool name Bedrock takes: `^[a-zA-Z0-9_-]{1,64}$`.
fn check_name(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tool name {q_name} must be 1 to 64 letters, digits, '_' or '-'",
            q_name = quoted(&name)
        ))
    }
}

/// One entry of `tools`: a tool spec or `{"system_tool": "name"}`.
fn tool_from_value(i: usize, item: &Value) -> std::result::Result<Tool, String> {
    let Some(fields) = item.as_object() else {
        return Err(format!("tool {i} must be an object"));
    };
    if let Some(system) = item.get("system_tool") {
        let name = system
            .as_str()
            .ok_or_else(|| format!("tool {i}'s \"system_tool\" must be the tool's name"))?;
        check_name(name)?;
        if fields.len() > 1 {
            return Err(format!(
                "tool {i} ({{\"system_tool\": {q_name}}}) takes nothing else: a system tool is named only",
                q_name = quoted(&name)
            ));
        }
        return Ok(Tool::system(name));
    }
    let name = item
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("tool {i} has no string \"name\" (or \"system_tool\")"))?;
    check_name(name)?;
    let schema = item
        .get("input_schema")
        .cloned()
        .ok_or_else(|| format!("tool {name} has no \"input_schema\""))?;
    if !matches!(schema, Value::Object(_)) {
        return Err(format!(
            "tool {name}'s input_schema must be a JSON schema object"
        ));
    }
    for (k, _) in fields {
        if !matches!(
            k.as_str(),
            "name" | "description" | "input_schema" | "strict"
        ) {
            return Err(format!(
                "tool {name} has an unknown field {}; a tool has name, description, input_schema and strict (or is {{\"system_tool\": NAME}})",
                quoted(k)
            ));
        }
    }
    let strict = match item.get("strict") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(format!("tool {name}'s strict must be true or false")),
    };
    Ok(Tool {
        name: name.to_owned(),
        description: item
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        input_schema: schema,
        strict,
        system: false,
    })
}

fn tool_choice(v: &Value) -> std::result::Result<ToolChoice, String> {
    Ok(match v {
        Value::String(s) if s == "auto" => ToolChoice::Auto,
        Value::String(s) if s == "any" => ToolChoice::Any,
        Value::Object(_) => match v.get("tool").and_then(Value::as_str) {
            Some(name) => ToolChoice::Tool(name.to_owned()),
            None => return Err("tool_choice {\"tool\": NAME} needs a tool name".into()),
        },
        _ => return Err("tool_choice must be \"auto\", \"any\" or {\"tool\": NAME}".into()),
    })
}

/// A `{"cachePoint": {"type": "default", "ttl"?}}` block (in tools, system and messages
/// alike).
pub(super) fn cache_point(ttl: Option<CacheTtl>) -> Value {
    let mut fields = vec![("type".into(), Value::from("default"))];
    if let Some(ttl) = ttl {
        fields.push(("ttl".into(), Value::from(ttl.as_str())));
    }
    Value::Object(vec![("cachePoint".into(), Value::Object(fields))])
}
