//! `batch`: Bedrock's batch inference from the same configs. `batch prepare` writes the
//! records file, one line at a time (memory stays flat however many lines).

use std::io::{BufRead, BufReader, BufWriter, Write};

use bedrock_request::batch::Records;
use bedrock_request::converse::Tools;
use clap::{Args, Subcommand};

use super::request::config_from;
use crate::io::{open, process_env, read_text};

#[derive(Args)]
pub struct BatchArgs {
    #[command(subcommand)]
    command: BatchCommand,
}

#[derive(Subcommand)]
enum BatchCommand {
    /// Write a batch input file: each input line {"id"?, "prompt": TEXT} or {"id"?,
    /// "messages": [...]} becomes {"recordId", "modelInput"}, modelInput being the Converse
    /// body the client and messages give.
    ///
    /// recordId is the line's id (letters and digits, unique) or L + its line number in 7
    /// digits (L0000007). A bad line is an error naming it; past Bedrock's default quotas
    /// (50,000 records, 1 GB per file) or under its 100-record minimum, a warning names the quota.
    #[command(after_help = "Example:
  bedrock-request batch prepare --baml clients.baml --client Haiku --input prompts.jsonl --out records.jsonl")]
    Prepare(PrepareArgs),
}

#[derive(Args)]
struct PrepareArgs {
    /// A BAML file holding `client<llm>` blocks (use with --client).
    #[arg(
        long,
        value_name = "FILE",
        requires = "client",
        conflicts_with = "options"
    )]
    baml: Option<String>,
    /// The client's name in the BAML file.
    #[arg(long, value_name = "NAME", requires = "baml")]
    client: Option<String>,
    /// A JSON options map (instead of --baml).
    #[arg(long, value_name = "FILE.json", required_unless_present = "baml")]
    options: Option<String>,
    /// A tools file, as `request` takes it.
    #[arg(long, value_name = "FILE.json")]
    tools: Option<String>,
    /// The input lines (JSONL). `-`: standard input.
    #[arg(long, value_name = "INPUT.jsonl")]
    input: String,
    /// Where to write the records (JSONL).
    #[arg(long, value_name = "RECORDS.jsonl")]
    out: String,
}

pub fn run(args: BatchArgs) -> Result<(), String> {
    match args.command {
        BatchCommand::Prepare(args) => prepare(args),
    }
}

fn prepare(args: PrepareArgs) -> Result<(), String> {
    let env = process_env();
    let config = config_from(
        args.baml.as_deref(),
        args.client.as_deref(),
        args.options.as_deref(),
        &env,
    )?;
    let tools = match &args.tools {
        Some(file) => {
            Some(Tools::from_json(&read_text(file)?).map_err(|e| format!("{file}: {e}"))?)
        }
        None => None,
    };
    let mut records = Records::new(&config, tools.as_ref(), env);
    let input = BufReader::new(open(&args.input)?);
    let file =
        std::fs::File::create(&args.out).map_err(|e| format!("cannot write {}: {e}", args.out))?;
    let mut out = BufWriter::new(file);
    let write_error = |e: std::io::Error| format!("cannot write {}: {e}", args.out);
    for line in input.lines() {
        let line = line.map_err(|e| format!("{}: {e}", args.input))?;
        let record = records
            .line(&line)
            .map_err(|e| format!("{}: {e}", args.input))?;
        if let Some(record) = record {
            out.write_all(record.as_bytes()).map_err(write_error)?;
        }
    }
    out.flush().map_err(write_error)?;
    for warning in records.quota_warnings() {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "wrote {} records ({} bytes) to {}",
        records.records(),
        records.bytes(),
        args.out
    );
    Ok(())
}
