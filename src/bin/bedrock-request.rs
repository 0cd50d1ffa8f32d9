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
    /// Credentials come from the client options, then the whole AWS chain (environment,
    /// ~/.aws/config and ~/.aws/credentials, SSO, assume-role, web identity, container, instance
    /// metadata); region and endpoint from the options, then AWS_REGION / AWS_DEFAULT_REGION /
    /// the profile's region, and AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL.
    #[command(after_help = "Examples:
  bedrock-request request --baml examples/bedrock.baml --client Example --prompt Hello --time 20150830T123600Z
  bedrock-request request --options client.json --messages chat.json --tools tools.json --stream --format curl | sh | bedrock-request parse --stream
  bedrock-request request --baml clients.baml --client Sonnet --prompt Hi --profile work --region eu-west-3 --unsigned")]
    Request(RequestArgs),
    /// Parse a Converse response: print its text (or JSON), or the AWS error it carries.
    ///
    /// The input is the body alone, or a whole HTTP response as `curl -i` prints it; then the
    /// status and x-amzn-errortype classify errors. An AWS error prints the classified error, a
    /// hint and whether to retry on stderr and exits 1.
    #[command(after_help = "Examples:
  bedrock-request parse response.json
  bedrock-request request --options client.json --prompt Hi --format curl | sh | bedrock-request parse --format json")]
    Parse(ParseArgs),
    /// BAML's `b.parse` for a model's text: find the value (fences, prose around it, several
    /// candidates) and coerce it to a JSON Schema's type; print it as JSON.
    ///
    /// Sloppy JSON is read (unquoted keys, single quotes, trailing commas, comments), values
    /// coerced ("36" to 36, a scalar to a one-item list, "green" to the enum value Green),
    /// optional fields null. --partial is `b.parse_stream`: an unfinished text gives what is
    /// complete so far. A text that does not fit is an error naming the field, exit 1.
    #[command(after_help = "Examples:
  bedrock-request structured --schema person.json answer.txt
  echo '{\"name\": \"Ada\", \"age\": 3' | bedrock-request structured --schema person.json --partial
  bedrock-request send --options client.json --prompt \"Ada's age as JSON\" | bedrock-request structured --schema person.json")]
    Structured(StructuredArgs),
    /// Build and sign a request as `request` does, send it, and print what `parse` would.
    ///
    /// With --stream, text is printed as it arrives. An AWS error prints the classified error
    /// (a signature mismatch compared with the request sent), a hint and whether to retry on
    /// stderr and exits 1.
    #[command(after_help = "Examples:
  bedrock-request send --baml examples/bedrock.baml --client Sonnet --prompt \"Three primes?\" --stream
  bedrock-request send --options client.json --messages chat.json --tools tools.json --format json")]
    Send(SendArgs),
    /// Resolve credentials through the whole chain and print where they came from (never the
    /// secret key or a token).
    #[command(after_help = "Examples:
  bedrock-request credentials
  bedrock-request credentials --profile work --format json")]
    Credentials(CredentialsArgs),
    /// Print a short-term Bedrock API key (bedrock-api-key-...), made offline from the
    /// credentials the chain resolves (use it as AWS_BEARER_TOKEN_BEDROCK).
    #[command(after_help = "Examples:
  export AWS_BEARER_TOKEN_BEDROCK=$(bedrock-request api-key --region us-east-1 --expires-in 3600)
  bedrock-request api-key --profile work")]
    ApiKey(ApiKeyArgs),
    /// Print the canonical request, string to sign and signature of a signed request (a
    /// `request --format json` object), recomputed with the resolved credentials' secret key.
    #[command(after_help = "Examples:
  bedrock-request request --baml examples/bedrock.baml --client Example --prompt Hello > req.json
  bedrock-request explain req.json --format json")]
    Explain(ExplainArgs),
    /// Run an AWS SigV4 test suite folder (one folder per case, aws-c-auth's v4 layout): prints
    /// each failing case and `N passed, M failed`.
    #[command(after_help = "Example:
  bedrock-request vectors vectors/sigv4")]
    Vectors(VectorsArgs),
}

#[derive(Args)]
struct StructuredArgs {
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

/// `parse --schema`: the schema and whether the text is partial.
type SchemaOutput = Option<(bedrock_request::structured::Schema, bool)>;

/// Reads a JSON Schema file for `structured` and `parse --schema`.
fn read_schema(file: &str) -> Result<bedrock_request::structured::Schema, String> {
    bedrock_request::structured::Schema::from_json(&read_text(file)?)
        .map_err(|e| format!("{file}: {e}"))
}

/// Prints the value of `text` under `schema` (partial or not).
fn print_structured(
    schema: &bedrock_request::structured::Schema,
    text: &str,
    partial: bool,
) -> Result<(), String> {
    let value = if partial {
        schema.parse_partial(text)
    } else {
        schema.parse(text)
    }
    .map_err(|e| e.to_string())?;
    writeln!(std::io::stdout().lock(), "{}", value.to_json_pretty())
        .map_err(|e| format!("cannot write the output: {e}"))
}

fn structured_command(args: StructuredArgs) -> Result<(), String> {
    let schema = read_schema(&args.schema)?;
    let text = read_text(&args.file)?;
    print_structured(&schema, &text, args.partial)
}

#[derive(Args)]
struct VectorsArgs {
    /// The folder holding one folder per case.
    dir: String,
}

#[derive(Args)]
struct ApiKeyArgs {
    /// The region the key is for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long)]
    region: Option<String>,
    /// Sign with this profile's credentials (explicit: it beats environment keys).
    #[arg(long)]
    profile: Option<String>,
    /// Lifetime in seconds, at most 43200 (12 hours).
    #[arg(long, default_value_t = 43_200)]
    expires_in: u64,
    /// Signing time: 20240115T123456Z or RFC 3339 (default: now).
    #[arg(long, value_name = "T")]
    time: Option<String>,
}

#[derive(Args)]
struct ExplainArgs {
    /// The request JSON (`-` or nothing: standard input).
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    /// The canonical request, the string to sign and the signature, under headings.
    Text,
    /// {"canonical_request", "string_to_sign", "signature"}.
    Json,
}

#[derive(Args)]
struct CredentialsArgs {
    /// Use this profile (explicit: it beats environment keys).
    #[arg(long)]
    profile: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CredentialsFormat::Text)]
    format: CredentialsFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CredentialsFormat {
    /// `source`, `profile`, `access_key_id`, `expires_at` and `region`, one `name: value` a line.
    Text,
    /// {"source", "profile", "access_key_id", "expires_at", "region"} (never a secret).
    Json,
}

#[derive(Args)]
struct ParseArgs {
    /// The response: the body alone, or a whole HTTP response as `curl -i` prints it (status
    /// line and headers first: the status and `x-amzn-errortype` then classify errors).
    /// `-` or nothing: standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
    /// The HTTP status, when known (errors keep it; without it the body decides).
    #[arg(long)]
    status: Option<u16>,
    /// The body is a ConverseStream event stream: text is printed as it is decoded.
    #[arg(long)]
    stream: bool,
    /// The request that was sent (`request --format json`): a signature mismatch is compared
    /// with it, naming the part of the request that changed on the way.
    #[arg(long, value_name = "FILE.json")]
    request: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
    format: ParseFormat,
    /// Coerce the answer's text to this JSON Schema's type and print the value (as the
    /// `structured` command does).
    #[arg(long, value_name = "SCHEMA.json", conflicts_with = "format")]
    schema: Option<String>,
    /// With --schema: the text is unfinished; print what is complete so far.
    #[arg(long, requires = "schema")]
    partial: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ParseFormat {
    /// The model's text.
    Text,
    /// {"text", "stop_reason", "usage", "tool_calls", "server_tool_calls", "reasoning",
    /// "citations", "service_tier"} (a CountTokens reply: {"input_tokens"}).
    Json,
    /// The assistant turn as a native Converse message, every block in order: append it to
    /// a messages file as it is.
    Message,
}

#[derive(Args)]
struct RequestArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Args)]
struct SendArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Output format, as `parse` prints it.
    #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
    format: ParseFormat,
}

/// What a request is built from (shared by `request` and `send`).
#[derive(Args)]
struct BuildArgs {
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
    /// The user's message (one user turn). Without it and --messages, no messages are sent:
    /// a Prompt management ARN fills them from its prompt_variables.
    #[arg(long, value_name = "TEXT", conflicts_with = "messages")]
    prompt: Option<String>,
    /// A JSON array of {"role", "content", "metadata"} messages.
    #[arg(long, value_name = "FILE.json")]
    messages: Option<String>,
    /// A tools file: {"tools": [{"name", "description", "input_schema", "strict"?} |
    /// {"system_tool": NAME}], "tool_choice"?, "cache_point"?}.
    #[arg(long, value_name = "FILE.json")]
    tools: Option<String>,
    /// A leading system message.
    #[arg(long, value_name = "TEXT")]
    system: Option<String>,
    /// Use this profile for credentials and region (overrides the config's `profile`; it beats
    /// environment keys).
    #[arg(long)]
    profile: Option<String>,
    /// The region (overrides the config's `region` and AWS_REGION).
    #[arg(long)]
    region: Option<String>,
    /// The model id, inference profile id or ARN (overrides the config's `model`).
    #[arg(long, value_name = "ID")]
    model: Option<String>,
    /// Signing time: 20240115T123456Z or RFC 3339 (default: now).
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// Build the ConverseStream request (path converse-stream) instead of Converse.
    #[arg(long, conflicts_with = "count_tokens")]
    stream: bool,
    /// Build the CountTokens request for the same conversation (path count-tokens).
    #[arg(long)]
    count_tokens: bool,
    /// The request before signing (no credentials needed).
    #[arg(long)]
    unsigned: bool,
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
        Command::Structured(args) => structured_command(args),
        Command::Send(args) => send(args),
        Command::Credentials(args) => credentials_command(args),
        Command::ApiKey(args) => api_key_command(args),
        Command::Explain(args) => explain_command(args),
        Command::Vectors(args) => vectors_command(args),
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

fn parse_stream(args: &ParseArgs, schema: SchemaOutput) -> Result<(), String> {
    use std::io::Read;
    let mut input: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| format!("cannot read {}: {e}", args.file))?,
        )
    };
    // A whole HTTP response (`curl -i`): its head is read first; an error status is an AWS
    // error classified by its headers, a 2xx one is followed by the event stream.
    let mut pending = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| format!("cannot read the stream: {e}"))?;
        pending.extend_from_slice(&buf[..n]);
        if pending.len() < 5 && n > 0 {
            continue;
        }
        if !pending.starts_with(b"HTTP/") {
            return print_stream(
                &pending,
                &mut input,
                args.format,
                Default::default(),
                &schema,
            );
        }
        match bedrock_request::HttpResponse::parse_head(&pending).map_err(|e| e.to_string())? {
            None if n > 0 => continue,
            None => return Err("the HTTP response ends before its headers do".into()),
            Some((response, start)) => {
                let (status, headers) = (response.status, response.headers);
                return match (200..300).contains(&status) {
                    true => print_stream(
                        &pending[start..],
                        &mut input,
                        args.format,
                        Default::default(),
                        &schema,
                    ),
                    false => {
                        let mut body = pending[start..].to_vec();
                        input
                            .read_to_end(&mut body)
                            .map_err(|e| format!("cannot read the stream: {e}"))?;
                        let error = bedrock_request::parse::AwsError::from_response(
                            status, &headers, &body,
                        );
                        Err(aws_error_text(&error))
                    }
                };
            }
        }
    }
}

/// Decodes a ConverseStream body (`first`, then the rest of `input`), printing text as it
/// arrives (`text`) or the whole completion at the end (`json`).
fn print_stream(
    first: &[u8],
    input: &mut dyn std::io::Read,
    format: ParseFormat,
    policy: bedrock_request::FinishReasonPolicy,
    schema: &SchemaOutput,
) -> Result<(), String> {
    use bedrock_request::stream::{ConverseStream, Event};
    let mut stream = ConverseStream::new(policy);
    let mut out = std::io::stdout().lock();
    let describe = |e: bedrock_request::Error| match e.aws() {
        Some(aws) => aws_error_text(aws),
        None => e.to_string(),
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut chunk = first.to_vec();
    loop {
        stream.push(&chunk);
        while let Some(event) = stream.next_event().map_err(describe)? {
            if let (ParseFormat::Text, None, Event::TextDelta { text, .. }) =
                (format, schema, &event)
            {
                out.write_all(text.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(|e| e.to_string())?;
            }
        }
        let n = input
            .read(&mut buf)
            .map_err(|e| format!("cannot read the stream: {e}"))?;
        if n == 0 {
            break;
        }
        chunk.clear();
        chunk.extend_from_slice(&buf[..n]);
    }
    let completion = stream.finish().map_err(describe)?;
    if let Some((schema, partial)) = schema {
        return print_structured(schema, &completion.text, *partial);
    }
    match format {
        ParseFormat::Text => writeln!(out),
        ParseFormat::Json => writeln!(out, "{}", completion.to_json_pretty()),
        ParseFormat::Message => writeln!(out, "{}", completion.to_message_json_pretty()),
    }
    .map_err(|e| format!("cannot write the output: {e}"))
}

/// `send`: the request `request` builds, sent over the CLI's HTTP client, the answer printed
/// as `parse` prints it (a stream as it arrives).
fn send(args: SendArgs) -> Result<(), String> {
    let (request, policy) = build_request(&args.build)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(std::time::Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent
        .run(request.to_http_request().map_err(|e| e.to_string())?)
        .map_err(|e| format!("cannot send the request to {}: {e}", request.url))?;
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let mut body = response.into_body().into_reader();
    if args.build.stream && (200..300).contains(&status) {
        return print_stream(&[], &mut body, args.format, policy, &None);
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut body, &mut bytes)
        .map_err(|e| format!("cannot read the response: {e}"))?;
    if args.build.count_tokens {
        return match bedrock_request::parse::count_tokens(status, &headers, &bytes) {
            Ok(n) => print_count(n, args.format),
            Err(e) => Err(match e.aws() {
                Some(aws) => aws_error_text(aws),
                None => e.to_string(),
            }),
        };
    }
    match bedrock_request::parse::response_to(&request, status, &headers, &bytes, &policy) {
        Ok(completion) => print_completion(&completion, args.format),
        Err(e) => Err(match e.aws() {
            Some(aws) => aws_error_text(aws),
            None => e.to_string(),
        }),
    }
}

fn print_completion(
    completion: &bedrock_request::parse::Completion,
    format: ParseFormat,
) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match format {
        ParseFormat::Text => writeln!(out, "{}", completion.text),
        ParseFormat::Json => writeln!(out, "{}", completion.to_json_pretty()),
        ParseFormat::Message => writeln!(out, "{}", completion.to_message_json_pretty()),
    }
    .map_err(|e| format!("cannot write the output: {e}"))
}

/// A CountTokens reply: the count (`text`), or `{"input_tokens": N}` (`json`).
fn print_count(input_tokens: u64, format: ParseFormat) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match format {
        ParseFormat::Text => writeln!(out, "{input_tokens}"),
        ParseFormat::Json => writeln!(out, "{{\n  \"input_tokens\": {input_tokens}\n}}"),
        ParseFormat::Message => {
            return Err(
                "a CountTokens reply holds a token count, not a message: use --format text or json"
                    .into(),
            )
        }
    }
    .map_err(|e| format!("cannot write the output: {e}"))
}

/// Whether a body is a CountTokens reply: a JSON object with `inputTokens` and no `output`.
fn is_count_tokens_reply(body: &[u8]) -> bool {
    body.len() < 4096
        && serde_json::from_slice::<serde_json::Value>(body)
            .is_ok_and(|j| j.get("inputTokens").is_some() && j.get("output").is_none())
}

/// An AWS error as the CLI prints it: the error, its hint, whether to retry, and what AWS
/// reported of the clock or the canonical request.
fn aws_error_text(error: &bedrock_request::parse::AwsError) -> String {
    let mut text = format!("{error}\nhint: {}", error.hint);
    text.push_str(if error.retryable {
        "\nretry: yes (send it again, signed anew)"
    } else {
        "\nretry: no (change the request or the setup first)"
    });
    if let Some(skew) = &error.clock_skew {
        text.push_str(&format!(
            "\nclock skew: AWS's clock is {} ahead of the signing time",
            skew.offset()
        ));
    }
    if let Some(sig) = &error.signature {
        if sig.differs.is_some() {
            text.push_str(&format!("\ndiagnosis: {}", sig.explanation));
        }
        text.push_str(&format!(
            "\nAWS's canonical request:\n{}",
            sig.expected_canonical_request
        ));
        if let Some(ours) = &sig.our_canonical_request {
            text.push_str(&format!("\nour canonical request:\n{ours}"));
        }
    }
    text
}

fn parse(args: ParseArgs) -> Result<(), String> {
    use bedrock_request::parse;
    let schema = match &args.schema {
        Some(file) => Some((read_schema(file)?, args.partial)),
        None => None,
    };
    if args.stream {
        return parse_stream(&args, schema);
    }
    let mut body = read_bytes(&args.file)?;
    // A whole HTTP response (`curl -i`): its status and headers classify errors.
    let (mut status, mut headers) = (args.status, Vec::new());
    if body.starts_with(b"HTTP/") {
        let response = bedrock_request::HttpResponse::parse(&body).map_err(|e| e.to_string())?;
        (status, headers, body) = (Some(response.status), response.headers, response.body);
    }
    // A 2xx status, or none and a Converse body: the completion. Otherwise an AWS error, when
    // the body is JSON without `output` (error bodies are small: a tree of them is cheap).
    let success = status.is_none_or(|s| (200..300).contains(&s));
    if success && is_count_tokens_reply(&body) {
        let n = parse::count_tokens(200, &headers, &body).map_err(|e| e.to_string())?;
        return print_count(n, args.format);
    }
    let parsed = match status {
        Some(status) if !(200..300).contains(&status) => None,
        _ => Some(parse::converse_body(&body)),
    };
    let looks_like_error = match (&parsed, status) {
        (None, _) => true,
        (Some(Ok(_)), _) | (Some(Err(_)), Some(_)) => false,
        (Some(Err(_)), None) => serde_json::from_slice::<serde_json::Value>(&body)
            .is_ok_and(|j| j.get("output").is_none()),
    };
    if looks_like_error {
        let mut error = match status {
            Some(status) => parse::AwsError::from_response(status, &headers, &body),
            None => parse::AwsError::from_body(&body),
        };
        if let Some(file) = &args.request {
            let sent =
                HttpRequest::from_json(&read_text(file)?).map_err(|e| format!("{file}: {e}"))?;
            error = error.diagnose(&sent);
        }
        return Err(aws_error_text(&error));
    }
    let completion = match parsed {
        Some(result) => result.map_err(|e| e.to_string())?,
        None => unreachable!("a non-2xx status is reported as an AWS error above"),
    };
    if let Some((schema, partial)) = &schema {
        return print_structured(schema, &completion.text, *partial);
    }
    print_completion(&completion, args.format)
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
    print_request(&build_request(&args.build)?.0, args.format)
}

/// The request `request` prints and `send` sends (signed, or unsigned with `--unsigned`), and
/// the client's finish-reason policy for its answer.
fn build_request(
    args: &BuildArgs,
) -> Result<(HttpRequest, bedrock_request::FinishReasonPolicy), String> {
    let env = process_env();
    let config = match (&args.baml, &args.client, &args.options) {
        (Some(file), Some(client), None) => {
            ClientConfig::from_baml(&read_text(file)?, client, &env).map_err(|e| e.to_string())?
        }
        (None, None, Some(file)) => {
            ClientConfig::from_json_str(&read_text(file)?).map_err(|e| e.to_string())?
        }
        _ => return Err("give either --baml FILE --client NAME, or --options FILE.json".into()),
    };
    let config = apply_overrides(config, args)?;
    let mut messages = match (&args.prompt, &args.messages) {
        (Some(text), None) => vec![Message::user(text.as_str())],
        (None, Some(file)) => bedrock_request::prompt::messages_from_json(&read_text(file)?)
            .map_err(|e| format!("{file}: {e}"))?,
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => {
            return Err("give either --prompt TEXT or --messages FILE.json, not both".into())
        }
    };
    if let Some(system) = &args.system {
        messages.insert(0, Message::system(system.as_str()));
    }
    let now = match &args.time {
        Some(t) => parse_time(t)?,
        None => OffsetDateTime::now_utc(),
    };
    if args.stream && !config.supports_streaming() {
        return Err(format!(
            "client {} sets supports_streaming false: send the non-streaming request (drop --stream), or remove the option",
            config.name().unwrap_or("(options)")
        ));
    }
    let tools = match &args.tools {
        Some(file) => Some(
            converse::Tools::from_json(&read_text(file)?).map_err(|e| format!("{file}: {e}"))?,
        ),
        None => None,
    };
    // Media behind http(s) URLs that the client sends as bytes: fetched here, not by the library.
    let mut fetched = fetch_media(&converse::urls_to_fetch(&config, &messages))?;
    // Local media: paths relative to the messages file, read here, not by the library.
    let base = args
        .messages
        .as_deref()
        .and_then(|m| std::path::Path::new(m).parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for path in converse::files_to_read(&messages) {
        let full = base.join(&path);
        let bytes =
            std::fs::read(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
        fetched.push(converse::Fetched::new(path, bytes, None));
    }
    let build = |profile_region: Option<&str>| {
        let mut builder = converse::Builder::new(&config, &messages, &env)
            .media(&fetched)
            .profile_region(profile_region);
        if let Some(tools) = &tools {
            builder = builder.tools(tools);
        }
        if args.stream {
            builder.build_stream()
        } else if args.count_tokens {
            builder.build_count_tokens()
        } else {
            builder.build()
        }
        .map_err(|e| match (messages.is_empty(), e.kind()) {
            (true, bedrock_request::ErrorKind::Prompt) => format!(
                "{e} (give --prompt TEXT or --messages FILE.json; only a Prompt management ARN as the model takes none)"
            ),
            _ => e.to_string(),
        })
    };
    if args.unsigned {
        let region = profile_region(&env, config.profile())?;
        let unsigned = build(region.as_deref())?;
        return Ok((unsigned.into_preview(), config.finish_reason().clone()));
    }
    // The chain runs on the real clock (expiry checks, STS signing); --time only sets the
    // Converse request's signing time.
    let resolved = resolve_credentials(&config, &env, None)?;
    let unsigned = build(resolved.region.as_deref())?;
    let signed = unsigned
        .sign(&resolved.auth, now)
        .map_err(|e| e.to_string())?;
    Ok((signed, config.finish_reason().clone()))
}

/// `--model`, `--region` and `--profile` over the config's own options, validated as they are.
fn apply_overrides(config: ClientConfig, args: &BuildArgs) -> Result<ClientConfig, String> {
    let mut config = config;
    if let Some(model) = &args.model {
        config = config
            .with_model(model)
            .map_err(|e| format!("--model: {e}"))?;
    }
    if let Some(region) = &args.region {
        config = config
            .with_region(region)
            .map_err(|e| format!("--region: {e}"))?;
    }
    if let Some(profile) = &args.profile {
        config = config
            .with_profile(profile)
            .map_err(|e| format!("--profile: {e}"))?;
    }
    Ok(config)
}

fn fetch_media(urls: &[String]) -> Result<Vec<converse::Fetched>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    urls.iter()
        .map(|url| {
            let response = agent
                .get(url)
                .call()
                .map_err(|e| format!("cannot fetch media {url}: {e}"))?;
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response
                .into_body()
                .with_config()
                .limit(100 * 1024 * 1024)
                .read_to_vec()
                .map_err(|e| format!("cannot read media {url}: {e}"))?;
            Ok(converse::Fetched::new(url.clone(), bytes, content_type))
        })
        .collect()
}

/// The `region` of the profile in use, read from the shared config files by the library's rules.
fn profile_region(env: &Env, profile: Option<&str>) -> Result<Option<String>, String> {
    credentials::blocking::profile_region(env, profile).map_err(|e| e.to_string())
}

/// Runs the whole credential chain, performing its steps (the library's blocking performer:
/// files from disk, requests over ureq, processes without a shell).
fn resolve_credentials(
    config: &ClientConfig,
    env: &Env,
    profile: Option<&str>,
) -> Result<credentials::Resolved, String> {
    credentials::blocking::resolve(config, env, profile).map_err(|e| e.to_string())
}

fn sigv4_credentials(
    env: &Env,
    profile: Option<&str>,
) -> Result<bedrock_request::Credentials, String> {
    let config = ClientConfig::builder()
        .model("-")
        .build()
        .map_err(|e| e.to_string())?;
    match resolve_credentials(&config, env, profile)?.auth {
        bedrock_request::Auth::SigV4(c) => Ok(c),
        _ => Err("the credentials found are a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), not AWS keys: unset it to use your AWS credentials".into()),
    }
}

fn api_key_command(args: ApiKeyArgs) -> Result<(), String> {
    let env = process_env();
    let now = match &args.time {
        Some(t) => parse_time(t)?,
        None => OffsetDateTime::now_utc(),
    };
    let region = match args
        .region
        .clone()
        .or_else(|| env.get_nonempty("AWS_REGION").map(str::to_owned))
        .or_else(|| env.get_nonempty("AWS_DEFAULT_REGION").map(str::to_owned))
    {
        Some(region) => region,
        None => profile_region(&env, args.profile.as_deref())?
            .ok_or("no region: pass --region, or set AWS_REGION")?,
    };
    let creds = sigv4_credentials(&env, args.profile.as_deref())?;
    let key = bedrock_request::sign::bedrock_api_key(
        &creds,
        &region,
        now,
        std::time::Duration::from_secs(args.expires_in),
    )
    .map_err(|e| e.to_string())?;
    println!("{}", key.expose());
    Ok(())
}

fn vectors_command(args: VectorsArgs) -> Result<(), String> {
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(&args.dir)
        .map_err(|e| format!("cannot read {}: {e}", args.dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(format!(
            "{} holds no test-suite cases (one folder per case, with context.json and request.txt)",
            args.dir
        ));
    }
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = bedrock_request::__internal::run_case(&name, &|file| {
            std::fs::read(case.join(file)).ok()
        });
        if report.passed() {
            passed += 1;
        } else {
            failed += 1;
            let first = report
                .failures
                .first()
                .map(|f| f.lines().next().unwrap_or(""))
                .unwrap_or("no expected files");
            println!("FAILED {name}: {first}");
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        return Err(format!("{failed} of {} cases failed", cases.len()));
    }
    Ok(())
}

fn explain_command(args: ExplainArgs) -> Result<(), String> {
    let env = process_env();
    let request = HttpRequest::from_json(&read_text(&args.file)?).map_err(|e| e.to_string())?;
    let creds = sigv4_credentials(&env, None)?;
    // The session token is not printed (it is the same as in the request file).
    let e = bedrock_request::sign::explain(&request, creds.secret_access_key().expose())
        .map_err(|e| e.to_string())?
        .redacted();
    match args.format {
        ExplainFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "canonical_request": e.canonical_request,
                "string_to_sign": e.string_to_sign,
                "signature": e.signature,
            }))
            .unwrap_or_default()
        ),
        ExplainFormat::Text => println!(
            "canonical request:\n{}\n\nstring to sign:\n{}\n\nsignature: {}\n{}",
            e.canonical_request,
            e.string_to_sign,
            e.signature,
            if e.matches {
                "matches the request's authorization header"
            } else {
                "DIFFERS from the request's authorization header: the request was changed after signing, or signed with another key"
            }
        ),
    }
    Ok(())
}

fn credentials_command(args: CredentialsArgs) -> Result<(), String> {
    let env = process_env();
    let config = ClientConfig::builder()
        .model("-")
        .build()
        .map_err(|e| e.to_string())?;
    let resolved = resolve_credentials(&config, &env, args.profile.as_deref())?;
    let region = match env
        .get_nonempty("AWS_REGION")
        .or_else(|| env.get_nonempty("AWS_DEFAULT_REGION"))
        .map(str::to_owned)
        .or_else(|| resolved.region.clone())
    {
        Some(region) => Some(region),
        None => profile_region(&env, args.profile.as_deref())?,
    };
    let (access_key_id, expires_at) = match &resolved.auth {
        bedrock_request::Auth::SigV4(c) => (
            Some(c.access_key_id().to_owned()),
            c.expires_at().and_then(|t| t.format(&Rfc3339).ok()),
        ),
        _ => (None, None),
    };
    let json = serde_json::json!({
        "source": resolved.source.as_str(),
        "profile": resolved.profile,
        "access_key_id": access_key_id,
        "expires_at": expires_at,
        "region": region,
    });
    let text = match args.format {
        CredentialsFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default(),
        CredentialsFormat::Text => ["source", "profile", "access_key_id", "expires_at", "region"]
            .iter()
            .map(|k| format!("{k}: {}", json[k].as_str().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    println!("{text}");
    Ok(())
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
