//! `structured`: BAML's `b.parse` for a model's text, printed as JSON (also `parse --schema`).

use bedrock_request::structured::Schema;
use clap::Args;

use crate::io::{print_line, read_text};

#[derive(Args)]
pub struct StructuredArgs {
    /// The JSON Schema of the value (object, array, string, integer, number, boolean, enum,
    /// anyOf, $ref to $defs, additionalProperties maps, const): the type to coerce to.
    #[arg(long, value_name = "SCHEMA.json", required_unless_present = "baml")]
    schema: Option<String>,
    /// BAML files whose class, enum and type declarations --type uses (instead of --schema).
    #[arg(
        long,
        value_name = "FILE.baml",
        requires = "type_expr",
        conflicts_with = "schema"
    )]
    baml: Vec<String>,
    /// The BAML type to coerce to: `Person`, `Person[]`, `map<string, int>`, `"a" | 2`.
    #[arg(
        long = "type",
        value_name = "TYPE",
        requires = "baml",
        allow_hyphen_values = true
    )]
    type_expr: Option<String>,
    /// The text is unfinished (a stream so far): print what is complete.
    #[arg(long)]
    partial: bool,
    /// The model's text. `-` or nothing: standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
}

pub fn run(args: StructuredArgs) -> Result<(), String> {
    let schema = match (&args.schema, &args.type_expr) {
        (Some(file), _) => read_schema(file)?,
        (None, Some(type_expr)) => {
            let mut source = String::new();
            for file in &args.baml {
                source.push_str(&read_text(file)?);
                source.push('\n');
            }
            Schema::from_baml(&source, type_expr).map_err(|e| e.to_string())?
        }
        (None, None) => return Err("give --schema SCHEMA.json, or --baml FILE --type TYPE".into()),
    };
    let text = read_text(&args.file)?;
    print_structured(&schema, &text, args.partial)
}

/// Reads a JSON Schema file for `structured` and `parse --schema`.
pub fn read_schema(file: &str) -> Result<Schema, String> {
    Schema::from_json(&read_text(file)?).map_err(|e| format!("{file}: {e}"))
}

/// Prints the value of `text` under `schema` (partial or not).
pub fn print_structured(schema: &Schema, text: &str, partial: bool) -> Result<(), String> {
    let value = if partial {
        schema.parse_partial(text)
    } else {
        schema.parse(text)
    }
    .map_err(|e| e.to_string())?;
    print_line(&value.to_json_pretty())
}
