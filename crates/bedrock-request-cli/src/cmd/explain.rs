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
    // The key the request names (`Credential=KEY/...`) against the one the signature was
    // recomputed with: an access key id is an identifier, not a secret.
    let signed_by = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let why = match signed_by == creds.access_key_id() {
        true => "the request was changed after signing, or signed with another secret key".to_owned(),
        false => format!(
            "the request names the key {signed_by}, and these credentials are {}: explain recomputes the signature with the credentials the chain resolves, so give it that key's",
            creds.access_key_id()
        ),
    };
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
                "matches the request's authorization header".to_owned()
            } else {
                format!("DIFFERS from the request's authorization header: {why}")
            }
        ),
    };
    print_line(&text)?;
    // A signature that differs is a failure, for scripts as for people.
    match e.matches {
        true => Ok(()),
        false => Err(format!(
            "the signature differs from the request's authorization header: {why}"
        )),
    }
}
