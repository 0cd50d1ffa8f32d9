//! `batch`: Bedrock's batch inference from the same configs. `prepare` writes the records file
//! (one line at a time: memory stays flat however many lines); `submit` uploads it to S3 and
//! creates the job; `status` describes it; `results` joins its output to the records.

mod job;

use std::io::{BufRead, BufReader, BufWriter, Write};

use bedrock_request::batch::Records;
use bedrock_request::converse::Tools;
use clap::{Args, Subcommand, ValueEnum};

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
    /// Upload a records file to S3 and create the batch job (Converse records) for the client's
    /// model; prints {"jobArn", "inputKey"}.
    #[command(after_help = "Example:
  bedrock-request batch submit --baml clients.baml --client Haiku --records records.jsonl \\
    --input-uri s3://my-bucket/batch/in/ --output-uri s3://my-bucket/batch/out/ \\
    --role-arn arn:aws:iam::123456789012:role/BedrockBatch --job-name eval-1")]
    Submit(SubmitArgs),
    /// Print a job's status and record counts as JSON.
    Status(JobArgs),
    /// Print one line per record of the records file, in its order: the answer, or the error;
    /// a record with no output is named on stderr and the exit status is 1.
    Results(ResultsArgs),
}

#[derive(Args)]
struct ClientArgs {
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
}

#[derive(Args)]
struct PrepareArgs {
    #[command(flatten)]
    client: ClientArgs,
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

#[derive(Args)]
struct SubmitArgs {
    #[command(flatten)]
    client: ClientArgs,
    /// The records file (`batch prepare`'s).
    #[arg(long, value_name = "RECORDS.jsonl")]
    records: String,
    /// Where to upload it: s3://BUCKET/PREFIX/ (the key is the prefix and the file's name).
    #[arg(long, value_name = "S3URI")]
    input_uri: String,
    /// Where the job writes its results: s3://BUCKET/PREFIX/.
    #[arg(long, value_name = "S3URI")]
    output_uri: String,
    /// The IAM role Bedrock assumes to read the input and write the output.
    #[arg(long, value_name = "ARN")]
    role_arn: String,
    /// The job's name (letters, digits and '-').
    #[arg(long, value_name = "NAME")]
    job_name: String,
    /// Hours before the job times out (24 to 168; Bedrock's default 168).
    #[arg(long, value_name = "H")]
    timeout_hours: Option<u32>,
    /// The region (overrides the client's and AWS_REGION).
    #[arg(long)]
    region: Option<String>,
}

#[derive(Args)]
struct JobArgs {
    /// The job's ARN, or its id.
    job: String,
    /// The region (default: the ARN's, then AWS_REGION / the profile's).
    #[arg(long)]
    region: Option<String>,
    /// The profile for credentials and region.
    #[arg(long)]
    profile: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ResultsFormat {
    /// One JSON object per record.
    Jsonl,
    /// `recordId<TAB>text` (or `recordId<TAB>error: code message`).
    Text,
}

#[derive(Args)]
struct ResultsArgs {
    #[command(flatten)]
    job: JobArgs,
    /// The records file the job was made from (its order is the output's).
    #[arg(long, value_name = "RECORDS.jsonl")]
    records: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ResultsFormat::Jsonl)]
    format: ResultsFormat,
}

impl ClientArgs {
    /// The client these flags name.
    fn config(&self, env: &bedrock_request::Env) -> Result<bedrock_request::ClientConfig, String> {
        config_from(
            self.baml.as_deref(),
            self.client.as_deref(),
            self.options.as_deref(),
            env,
        )
    }
}

pub fn run(args: BatchArgs) -> Result<(), String> {
    match args.command {
        BatchCommand::Prepare(args) => prepare(args),
        BatchCommand::Submit(args) => job::submit(args),
        BatchCommand::Status(args) => job::status(args),
        BatchCommand::Results(args) => job::results(args),
    }
}

fn prepare(args: PrepareArgs) -> Result<(), String> {
    let env = process_env();
    let config = args.client.config(&env)?;
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
