//! The target type, from a JSON Schema: `object` (`properties`, `required`), `array`
//! (`items`), `string`, `integer`, `number`, `boolean`, `null`, `enum`, `const`, `anyOf` /
//! `oneOf`, a list of types (`["string", "null"]`), and `$ref` to `#/$defs/...` (or
//! `#/definitions/...`).

use super::names::Names;
use crate::codec::quoted;
use crate::error::{CollectOk, Error, ErrorKind, Result};
use crate::value::Value;

/// A type to coerce to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    /// Any JSON (`{}` or a schema without a type).
    Any,
    Null,
    String,
    Int,
    Float,
    Bool,
    /// One of these strings.
    Enum(Box<Names>),
    List(Box<Ty>),
    Object(Vec<Field>),
    /// An object of any keys whose values are of this type (`additionalProperties`: BAML's
    /// `map<string, T>`).
    Map(Box<Ty>),
    /// This one number, boolean or null (`const`, or an `enum` value that is not a string:
    /// BAML's literal types).
    Literal(Value),
    /// The first option that fits best.
    Union(Vec<Ty>),
    /// The type, or null.
    Optional(Box<Ty>),
    /// A definition, by its index in [`Schema::defs`].
    Ref(usize),
    /// A BAML type with `@check`/`@assert` or `@stream.*` attributes.
    Marked(Box<Marks>),
}

/// What BAML's attributes add to a type: checks and asserts on its value, and how it streams
/// (`@stream.done`: only when complete; `@stream.not_null`: what holds it waits for it;
/// `@stream.with_state`: `{value, state}` while streaming).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Marks {
    pub inner: Ty,
    pub checks: Vec<super::checks::Constraint>,
    pub done: bool,
    pub not_null: bool,
    pub with_state: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    /// The key the text uses for it (BAML's `@alias`), when not its name.
    pub alias: Option<String>,
    pub ty: Ty,
    pub required: bool,
    /// BAML's `@skip`: not read from the text; `null` in the value (as baml-py's output).
    pub skipped: bool,
}

/// A JSON Schema, read once, to parse model text with: the type the text is coerced to
/// (BAML's schema-aligned parsing).
///
/// ```
/// use bedrock_request::structured::Schema;
/// use bedrock_request::Value;
/// let schema = Schema::from_json(r#"{"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}"#)?;
/// let value = schema.parse("Sure: {age: \"36\"}")?;
/// assert_eq!(value.to_json(), r#"{"age":36}"#);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub(crate) root: Ty,
    pub(crate) defs: Vec<Ty>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::StructuredOutput, message)
}

struct Reader<'s> {
    /// `(pointer, schema)` of every definition, in order of first use.
    names: Vec<(String, &'s Value)>,
    defs: Vec<Option<Ty>>,
    document: &'s Value,
}

impl Schema {
    /// Reads a JSON Schema given as text.
    pub fn from_json(text: &str) -> Result<Schema> {
        let value =
            Value::from_json_str(text).map_err(|e| bad(format!("the schema is not JSON: {e}")))?;
        Schema::from_value(&value)
    }

    /// Reads a JSON Schema value (the same one `output_format` sends to the model).
    pub fn from_value(schema: &Value) -> Result<Schema> {
        let mut reader = Reader {
            names: Vec::new(),
            defs: Vec::new(),
            document: schema,
        };
        let root = reader.read(schema, "#", 0)?;
        Ok(Schema::with_defs(root, reader.defs))
    }

    /// The schema of `root`, with the definitions a reader filled in (one it left unread,
    /// never referred to, is any value).
    pub(crate) fn with_defs(root: Ty, defs: Vec<Option<Ty>>) -> Schema {
        let defs = defs.into_iter().map(|d| d.unwrap_or(Ty::Any)).collect();
        Schema { root, defs }
    }
}

impl<'s> Reader<'s> {
    fn read(&mut self, schema: &'s Value, at: &str, depth: usize) -> Result<Ty> {
        if depth > 64 {
            return Err(bad(format!(
                "the schema nests deeper than 64 levels at {at}"
            )));
        }
        let Some(fields) = schema.as_object() else {
            return match schema {
                Value::Bool(true) => Ok(Ty::Any),
                other => Err(bad(format!(
                    "the schema at {at} must be an object, found {}",
                    other.type_name()
                ))),
            };
        };
        if let Some(reference) = schema.get("$ref") {
            let pointer = reference
                .as_str()
                .ok_or_else(|| bad(format!("$ref at {at} must be a string")))?;
            return self.reference(pointer, at, depth);
        }
        if let Some(values) = schema.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| bad(format!("enum at {at} must be an array")))?;
            // Strings are one enum; numbers, booleans and null are literals beside it.
            let strings: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let mut options = Vec::new();
            if !strings.is_empty() {
                options.push(Ty::Enum(Box::new(Names::new(&strings))));
            }
            for v in values.iter().filter(|v| v.as_str().is_none()) {
                options.push(literal(v, at)?);
            }
            if options.is_empty() {
                return Err(bad(format!("enum at {at} lists no values")));
            }
            return Ok(union(options));
        }
        if let Some(c) = schema.get("const") {
            return match c {
                Value::String(c) => Ok(Ty::Enum(Box::new(Names::new(&[c])))),
                other => literal(other, at),
            };
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(key) {
                let options = options
                    .as_array()
                    .ok_or_else(|| bad(format!("{key} at {at} must be an array")))?;
                let tys = options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| self.read(o, &format!("{at}/{key}/{i}"), depth + 1))
                    .collect_ok()?;
                return Ok(union(tys));
            }
        }
        let _ = fields;
        match schema.get("type") {
            None => {
                if schema.get("properties").is_some() {
                    self.single("object", schema, at, depth)
                } else if schema.get("items").is_some() {
                    self.single("array", schema, at, depth)
                } else {
                    Ok(Ty::Any)
                }
            }
            Some(Value::String(t)) => self.single(t, schema, at, depth),
            Some(Value::Array(types)) => {
                let tys = types
                    .iter()
                    .map(|t| match t.as_str() {
                        Some(t) => self.single(t, schema, at, depth),
                        None => Err(bad(format!("type at {at} must list type names"))),
                    })
                    .collect_ok()?;
                Ok(union(tys))
            }
            Some(_) => Err(bad(format!(
                "type at {at} must be a string or a list of strings"
            ))),
        }
    }

    fn single(&mut self, t: &str, schema: &'s Value, at: &str, depth: usize) -> Result<Ty> {
        Ok(match t {
            "string" => Ty::String,
            "integer" => Ty::Int,
            "number" => Ty::Float,
            "boolean" => Ty::Bool,
            "null" => Ty::Null,
            "array" => match schema.get("items") {
                Some(items) => Ty::List(Box::new(self.read(items, &format!("{at}/items"), depth + 1)?)),
                None => Ty::List(Box::new(Ty::Any)),
            },
            "object" => {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let mut fields = Vec::new();
                for (name, property) in schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .unwrap_or_default()
                {
                    let ty = self.read(property, &format!("{at}/properties/{name}"), depth + 1)?;
                    let required = required.contains(&name.as_str());
                    let ty = if required { ty } else { optional(ty) };
                    fields.push(Field {
                        name: name.clone(),
                        alias: None,
                        ty,
                        required,
                        skipped: false,
                    });
                }
                let values = schema
                    .get("additionalProperties")
                    .filter(|a| !matches!(a, Value::Bool(_)));
                match (fields.is_empty(), values) {
                    // Only additional properties: a map of them.
                    (true, Some(values)) => Ty::Map(Box::new(self.read(
                        values,
                        &format!("{at}/additionalProperties"),
                        depth + 1,
                    )?)),
                    (true, None) => Ty::Any,
                    // Named properties: those (any other key is left out, as BAML's classes do).
                    (false, _) => Ty::Object(fields),
                }
            }
            other => {
                return Err(bad(format!(
                    "type {q_other} at {at} is not a JSON Schema type (string, integer, number, boolean, null, array, object)",
                    q_other = quoted(&other)
                )))
            }
        })
    }

    fn reference(&mut self, pointer: &str, at: &str, depth: usize) -> Result<Ty> {
        if let Some(i) = self.names.iter().position(|(p, _)| p == pointer) {
            return Ok(Ty::Ref(i));
        }
        let path = pointer.strip_prefix('#').ok_or_else(|| {
            bad(format!(
                "$ref {} at {at}: only references inside the schema (#/$defs/...) are read",
                quoted(pointer)
            ))
        })?;
        let target = if path.is_empty() {
            self.document
        } else {
            self.document.pointer(path).ok_or_else(|| {
                bad(format!(
                    "$ref {q_pointer} at {at} points at nothing in the schema",
                    q_pointer = quoted(&pointer)
                ))
            })?
        };
        let index = self.names.len();
        self.names.push((pointer.to_owned(), target));
        self.defs.push(None);
        let ty = self.read(target, pointer, depth + 1)?;
        self.defs[index] = Some(ty);
        Ok(Ty::Ref(index))
    }
}

/// A literal: a number, a boolean or null (an object or array cannot be one).
fn literal(value: &Value, at: &str) -> Result<Ty> {
    match value {
        Value::Null => Ok(Ty::Null),
        Value::Number(_) | Value::Bool(_) => Ok(Ty::Literal(value.clone())),
        Value::String(s) => Ok(Ty::Enum(Box::new(Names::new(&[s])))),
        _ => Err(bad(format!(
            "a const or enum value at {at} must be a string, a number, a boolean or null"
        ))),
    }
}

/// `ty` or null (an optional, `null` and any value already take null).
pub(super) fn optional(ty: Ty) -> Ty {
    match ty {
        Ty::Optional(_) | Ty::Any | Ty::Null => ty,
        other => Ty::Optional(Box::new(other)),
    }
}

/// A union; `null` among the options makes the rest optional.
pub(super) fn union(mut tys: Vec<Ty>) -> Ty {
    let nullable = tys.contains(&Ty::Null);
    tys.retain(|t| *t != Ty::Null);
    let inner = match tys.len() {
        0 => return Ty::Null,
        1 => tys.remove(0),
        _ => Ty::Union(tys),
    };
    if nullable {
        optional(inner)
    } else {
        inner
    }
}
