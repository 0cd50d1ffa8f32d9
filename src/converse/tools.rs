//! Tools: `toolConfig` (tool specs, tool choice, a cache point), from Rust or a tools file.

use crate::error::{Error, Result};
use crate::value::Value;

/// One tool the model may call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tool {
    /// The name (`^[a-zA-Z0-9_-]{1,64}$` on Bedrock).
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// The JSON schema of its input.
    pub input_schema: Value,
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
}

impl Tools {
    /// Reads a tools file: `{"tools": [{"name", "description", "input_schema"}], "tool_choice"?:
    /// "auto" | "any" | {"tool": "name"}, "cache_point"?: true}`.
    ///
    /// ```
    /// use bedrock_request::converse::{Tools, ToolChoice};
    /// let tools = Tools::from_json(r#"{"tools": [{"name": "get_weather", "description": "Weather",
    ///     "input_schema": {"type": "object"}}], "tool_choice": {"tool": "get_weather"}}"#)?;
    /// assert_eq!(tools.choice, Some(ToolChoice::Tool("get_weather".into())));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Tools> {
        let bad = |m: String| Error::prompt(format!("tools file: {m}"));
        let value = Value::from_json_str(json).map_err(|e| bad(e.to_string()))?;
        let Value::Object(fields) = &value else {
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
                        let name = item
                            .get("name")
                            .and_then(Value::as_str)
                            .ok_or_else(|| bad(format!("tool {i} has no string \"name\"")))?;
                        if name.is_empty()
                            || name.len() > 64
                            || !name
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        {
                            return Err(bad(format!(
                                "tool name {name:?} must be 1 to 64 letters, digits, '_' or '-'"
                            )));
                        }
                        let schema = item
                            .get("input_schema")
                            .cloned()
                            .ok_or_else(|| bad(format!("tool {name} has no \"input_schema\"")))?;
                        if !matches!(schema, Value::Object(_)) {
                            return Err(bad(format!(
                                "tool {name}'s input_schema must be a JSON schema object"
                            )));
                        }
                        for (k, _) in match item {
                            Value::Object(f) => f.as_slice(),
                            _ => &[],
                        } {
                            if !matches!(k.as_str(), "name" | "description" | "input_schema") {
                                return Err(bad(format!("tool {name} has an unknown field {k:?}; a tool has name, description and input_schema")));
                            }
                        }
                        out.tools.push(Tool {
                            name: name.to_owned(),
                            description: item
                                .get("description")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            input_schema: schema,
                        });
                    }
                }
                "tool_choice" => {
                    out.choice = Some(match v {
                        Value::String(s) if s == "auto" => ToolChoice::Auto,
                        Value::String(s) if s == "any" => ToolChoice::Any,
                        Value::Object(_) => match v.get("tool").and_then(Value::as_str) {
                            Some(name) => ToolChoice::Tool(name.to_owned()),
                            None => {
                                return Err(bad(
                                    "tool_choice {\"tool\": NAME} needs a tool name".into()
                                ))
                            }
                        },
                        _ => {
                            return Err(bad(
                                "tool_choice must be \"auto\", \"any\" or {\"tool\": NAME}".into(),
                            ))
                        }
                    })
                }
                "cache_point" => out.cache_point = matches!(v, Value::Bool(true)),
                other => {
                    return Err(bad(format!(
                    "unknown field {other:?}; a tools file has tools, tool_choice and cache_point"
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
                    "tool_choice names {name:?}, which is not one of the tools"
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
                let mut spec = vec![("name".to_owned(), Value::from(t.name.as_str()))];
                if let Some(d) = &t.description {
                    spec.push(("description".to_owned(), Value::from(d.as_str())));
                }
                spec.push((
                    "inputSchema".to_owned(),
                    Value::Object(vec![("json".to_owned(), t.input_schema.clone())]),
                ));
                Value::Object(vec![("toolSpec".to_owned(), Value::Object(spec))])
            })
            .collect();
        if self.cache_point {
            tools.push(cache_point());
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

/// A `{"cachePoint": {"type": "default"}}` block (in tools, system and messages alike).
pub(super) fn cache_point() -> Value {
    Value::Object(vec![(
        "cachePoint".into(),
        Value::Object(vec![("type".into(), Value::from("default"))]),
    )])
}
