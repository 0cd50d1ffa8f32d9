//! `send`: the request `request` builds, sent over the CLI's HTTP client, the answer printed
//! as `parse` prints it (a stream as it arrives).

use std::io::Read;

use bedrock_request::parse;
use clap::Args;

use super::parse::{print_completion, print_count, print_stream};
use crate::args::{BuildArgs, ParseFormat};
use crate::io::describe;

#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Output format, as `parse` prints it.
    #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
    format: ParseFormat,
}

pub fn run(args: SendArgs) -> Result<(), String> {
    let (request, policy) = super::request::build(&args.build)?;
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
    body.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the response: {e}"))?;
    if args.build.count_tokens {
        let n = parse::count_tokens(status, &headers, &bytes).map_err(describe)?;
        return print_count(n, args.format);
    }
    let completion =
        parse::response_to(&request, status, &headers, &bytes, &policy).map_err(describe)?;
    print_completion(&completion, args.format)
}
