//! `structured`: BAML's `b.parse` for a model's text, printed as JSON (also `parse --schema`).

use bedrock_request::structured::Schema;
use clap::Args;

use crate::io::{print_line, read_text};

#[derive(Args)]
pub struct StructuredArgs {
    /// The JSON Schema of the value (object, array, string, integer, number, boolean, enum,
    /// anyOf, $ref to $defs): the type to coerce to.
    #[arg(long, value_name = "SCHEMA.json")]
    schema: String,
    /// The text is unfinished (a stream so far): print what is complete.
    #[arg(long)]
    partial: bool,
    /// The model's text. `-` or nothing: standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
}

pub fn run(args: StructuredArgs) -> Result<(), String> {
    let schema = read_schema(&args.schema)?;
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
