//! The `bedrock-request` command-line tool: the one place that reads the clock, the process
//! environment and files, and sends requests. It only wires: every rule lives in the library.
//!
//! `args` holds what several subcommands share, `io` the reading and writing, and `cmd/` one
//! file per subcommand; `sigv4_suite` runs AWS's SigV4 test suite for `vectors`.

mod args;
mod cmd;
mod io;
mod media;
mod net;
mod sigv4_suite;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Request(cmd::request::RequestArgs),
    /// Parse a Converse response: print its text (or JSON), or the AWS error it carries.
    ///
    /// The input is the body alone, or a whole HTTP response as `curl -i` prints it; then the
    /// status and x-amzn-errortype classify errors. An AWS error prints the classified error, a
    /// hint and whether to retry on stderr and exits 1.
    #[command(after_help = "Examples:
  bedrock-request parse response.json
  bedrock-request request --options client.json --prompt Hi --format curl | sh | bedrock-request parse --format json")]
    Parse(cmd::parse::ParseArgs),
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
    Structured(cmd::structured::StructuredArgs),
    /// Build and sign a request as `request` does, send it, and print what `parse` would.
    ///
    /// With --stream, text is printed as it arrives. An AWS error prints the classified error
    /// (a signature mismatch compared with the request sent), a hint and whether to retry on
    /// stderr and exits 1.
    #[command(after_help = "Examples:
  bedrock-request send --baml examples/bedrock.baml --client Sonnet --prompt \"Three primes?\" --stream
  bedrock-request send --options client.json --messages chat.json --tools tools.json --format json")]
    Send(cmd::send::SendArgs),
    /// Resolve credentials through the whole chain and print where they came from (never the
    /// secret key or a token).
    #[command(after_help = "Examples:
  bedrock-request credentials
  bedrock-request credentials --profile work --format json")]
    Credentials(cmd::credentials::CredentialsArgs),
    /// Print a short-term Bedrock API key (bedrock-api-key-...), made offline from the
    /// credentials the chain resolves (use it as AWS_BEARER_TOKEN_BEDROCK).
    #[command(after_help = "Examples:
  export AWS_BEARER_TOKEN_BEDROCK=$(bedrock-request api-key --region us-east-1 --expires-in 3600)
  bedrock-request api-key --profile work")]
    ApiKey(cmd::api_key::ApiKeyArgs),
    /// Print the canonical request, string to sign and signature of a signed request (a
    /// `request --format json` object), recomputed with the resolved credentials' secret key.
    #[command(after_help = "Examples:
  bedrock-request request --baml examples/bedrock.baml --client Example --prompt Hello > req.json
  bedrock-request explain req.json --format json")]
    Explain(cmd::explain::ExplainArgs),
    /// Bedrock's batch inference from the same configs: `batch prepare` writes the records file.
    Batch(cmd::batch::BatchArgs),
    /// Run an AWS SigV4 test suite folder (one folder per case, aws-c-auth's v4 layout): prints
    /// each failing case and `N passed, M failed`.
    #[command(after_help = "Example:
  bedrock-request vectors vectors/sigv4")]
    Vectors(cmd::vectors::VectorsArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Request(args) => cmd::request::run(args),
        Command::Parse(args) => cmd::parse::run(args),
        Command::Structured(args) => cmd::structured::run(args),
        Command::Send(args) => cmd::send::run(args),
        Command::Credentials(args) => cmd::credentials::run(args),
        Command::ApiKey(args) => cmd::api_key::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Vectors(args) => cmd::vectors::run(args),
        Command::Batch(args) => cmd::batch::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
