//! The `bedrock-request` command-line tool: the one place that reads the clock, the process
//! environment and files. Everything else is the library.

use std::io::Write;
use std::process::ExitCode;

use bedrock_request::{converse, credentials, ClientConfig, Env, HttpRequest, Message};
use clap::{Args, Parser, Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Signed AWS Bedrock Converse requests from a BAML client config, without the AWS SDK.
#[derive(Parser)]
#[command(name = "bedrock-request", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build and sign a Converse request and print it (nothing is sent).
    ///
    /// Credentials, region and endpoint come from the client options, then the process
    /// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
    /// AWS_BEARER_TOKEN_BEDROCK, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
    /// AWS_ENDPOINT_URL).
    Request(RequestArgs),
    /// Parse a Converse response body: print its text (or JSON), or the AWS error it carries.
    ///
    /// An AWS error body prints the classified error and a hint on stderr and exits 1.
    Parse(ParseArgs),
}

#[derive(Args)]
struct ParseArgs {
    /// The response body (`-` or nothing: standard input).
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
    /// The HTTP status, when known (errors keep it; without it the body decides).
    #[arg(long)]
    status: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
    format: ParseFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ParseFormat {
    /// The model's text.
    Text,
    /// {"text", "stop_reason", "usage", "tool_calls", "reasoning"}.
    Json,
}

#[derive(Args)]
struct RequestArgs {
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
    /// A JSON options map, as BAML's ClientRegistry.addLlmClient takes it (instead of --baml).
    #[arg(long, value_name = "FILE.json", required_unless_present = "baml")]
    options: Option<String>,
    /// The user's message (one user turn).
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "messages",
        required_unless_present = "messages"
    )]
    prompt: Option<String>,
    /// A JSON array of {"role", "content", "metadata"} messages.
    #[arg(long, value_name = "FILE.json")]
    messages: Option<String>,
    /// Signing time: 20240115T123456Z or RFC 3339 (default: now).
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// Print the request before signing (no credentials needed).
    #[arg(long)]
    unsigned: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON object: method, url, headers, body, body_text.
    Json,
    /// A runnable curl command.
    Curl,
    /// The raw HTTP/1.1 request.
    Http,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Request(args) => request(args),
        Command::Parse(args) => parse(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn process_env() -> Env {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

fn read_bytes(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn parse(args: ParseArgs) -> Result<(), String> {
    use bedrock_request::parse;
    let body = read_bytes(&args.file)?;
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let looks_like_error = match (&args.status, &json) {
        (Some(status), _) => !(200..300).contains(status),
        (None, Some(j)) => j.get("output").is_none(),
        (None, None) => false,
    };
    if looks_like_error {
        let error = match args.status {
            Some(status) => parse::AwsError::from_response(status, &[], &body),
            None => parse::AwsError::from_body(&body),
        };
        let mut text = format!("{error}\nhint: {}", error.hint);
        if let Some(skew) = &error.clock_skew {
            text.push_str(&format!(
                "\nclock skew: AWS's clock is {} ahead of the signing time",
                skew.offset()
            ));
        }
        if let Some(sig) = &error.signature {
            text.push_str(&format!(
                "\nAWS's canonical request:\n{}",
                sig.expected_canonical_request
            ));
        }
        return Err(text);
    }
    let completion = parse::converse_body(&body).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ParseFormat::Text => writeln!(out, "{}", completion.text),
        ParseFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&completion.to_json()).unwrap_or_default()
        ),
    }
    .map_err(|e| format!("cannot write the output: {e}"))
}

fn read_text(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    let basic = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(text, basic)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .map_err(|_| {
            format!("--time {text:?} is not a time: use 20240115T123456Z or RFC 3339 (2024-01-15T12:34:56Z)")
        })
}

fn request(args: RequestArgs) -> Result<(), String> {
    let env = process_env();
    let config = match (&args.baml, &args.client, &args.options) {
        (Some(file), Some(client), None) => {
            ClientConfig::from_baml(&read_text(file)?, client, &env).map_err(|e| e.to_string())?
        }
        (None, None, Some(file)) => {
            ClientConfig::from_json_str(&read_text(file)?, &env).map_err(|e| e.to_string())?
        }
        _ => return Err("give either --baml FILE --client NAME, or --options FILE.json".into()),
    };
    let messages = match (&args.prompt, &args.messages) {
        (Some(text), None) => vec![Message::user(text.as_str())],
        (None, Some(file)) => bedrock_request::prompt::messages_from_json(&read_text(file)?)
            .map_err(|e| format!("{file}: {e}"))?,
        _ => return Err("give either --prompt TEXT or --messages FILE.json".into()),
    };
    let now = match &args.time {
        Some(t) => parse_time(t)?,
        None => OffsetDateTime::now_utc(),
    };
    let unsigned = converse::build(&config, &messages, &env).map_err(|e| e.to_string())?;
    let request = if args.unsigned {
        unsigned.into_preview()
    } else {
        let auth = credentials::resolve_static(&config, &env)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| credentials::no_credentials_error(&config).to_string())?
            .auth;
        unsigned.sign(&auth, now).map_err(|e| e.to_string())?
    };
    print_request(&request, args.format)
}

fn print_request(request: &HttpRequest, format: Format) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Json => writeln!(out, "{}", request.to_json()),
        Format::Curl => writeln!(out, "{}", request.to_curl()),
        Format::Http => out.write_all(&request.to_http()),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}
