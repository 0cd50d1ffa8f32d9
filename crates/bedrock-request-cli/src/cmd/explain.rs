//! `explain`: the canonical request, string to sign and signature of a signed request,
//! recomputed with the resolved credentials' secret key.

use bedrock_request::HttpRequest;
use clap::{Args, ValueEnum};

use crate::io::{print_line, process_env, read_text};

#[derive(Args)]
pub struct ExplainArgs {
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

pub fn run(args: ExplainArgs) -> Result<(), String> {
    let env = process_env();
    let request = HttpRequest::from_json(&read_text(&args.file)?).map_err(|e| e.to_string())?;
    let creds = super::credentials::sigv4(&env, None)?;
    // The session token is not printed (it is the same as in the request file).
    let e = bedrock_request::sign::explain(&request, creds.secret_access_key().expose())
        .map_err(|e| e.to_string())?
        .redacted();
    let text = match args.format {
        ExplainFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
            "canonical_request": e.canonical_request,
            "string_to_sign": e.string_to_sign,
            "signature": e.signature,
            "matches": e.matches,
        }))
        .unwrap_or_default(),
        ExplainFormat::Text => format!(
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
    };
    print_line(&text)?;
    // A signature that differs is a failure, for scripts as for people.
    match e.matches {
        true => Ok(()),
        false => Err("the signature differs from the request's authorization header".into()),
    }
}
