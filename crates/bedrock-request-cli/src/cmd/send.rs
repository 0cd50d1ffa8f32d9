//! `send`: the request `request` builds, sent over the CLI's HTTP client, the answer printed
//! as `parse` prints it (a stream as it arrives). A redirect is an error, never followed; a
//! silent endpoint times out; a reply and a stream's text are capped.

use std::time::Duration;

use bedrock_request::parse;
use clap::Args;

use super::parse::{print_completion, print_count, print_stream, StreamLimit};
use crate::args::{BuildArgs, ParseFormat};
use crate::io::describe;
use crate::net::api_agent;

#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Output format, as `parse` prints it.
    #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
    format: ParseFormat,
    /// Give up when the endpoint sends nothing for this many seconds (botocore's
    /// read_timeout is 60).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    read_timeout: u64,
    /// The most bytes a reply may have (a stream's too).
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    max_reply_bytes: u64,
    /// The most text (answer, reasoning and tool input) a stream may accumulate.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    max_stream_text: u64,
}

pub fn run(args: SendArgs) -> Result<(), String> {
    let (request, policy) = super::request::build(&args.build)?;
    let agent = api_agent(Duration::from_secs(args.read_timeout));
    let response = agent
        .run(request.to_http_request().map_err(|e| e.to_string())?)
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => format!(
                "{} sent nothing for {} s: raise --read-timeout if the model needs longer",
                request.url, args.read_timeout
            ),
            e => format!("cannot send the request to {}: {e}", request.url),
        })?;
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_owned(), value)
        })
        .collect();
    if (300..400).contains(&status) {
        let to = headers
            .iter()
            .find(|(k, _)| k == "location")
            .map_or("nowhere", |(_, v)| v.as_str());
        return Err(format!(
            "{} answered {status}, a redirect to {to}: a signed request is never sent on to another address; set endpoint_url to where the service is",
            request.url
        ));
    }
    let too_large = || {
        format!(
            "the reply passed --max-reply-bytes {}: raise it if this is expected",
            args.max_reply_bytes
        )
    };
    let read_error = |e: ureq::Error| match e {
        ureq::Error::BodyExceedsLimit(_) => too_large(),
        ureq::Error::Timeout(_) => format!(
            "the reply stopped for {} s: raise --read-timeout if the model needs longer",
            args.read_timeout
        ),
        e => format!("cannot read the response: {e}"),
    };
    let body = response.into_body();
    if args.build.stream && (200..300).contains(&status) {
        let mut reader = body.into_with_config().limit(args.max_reply_bytes).reader();
        let limit = StreamLimit {
            text: args.max_stream_text,
            flag: "--max-stream-text",
        };
        return print_stream(&[], &mut reader, args.format, policy, &None, Some(limit)).map_err(
            |e| {
                if e.contains("larger than request limit") {
                    too_large()
                } else if e.contains("timeout") || e.contains("timed out") {
                    format!(
                        "the stream stopped for {} s: raise --read-timeout if the model needs longer",
                        args.read_timeout
                    )
                } else {
                    e
                }
            },
        );
    }
    let bytes = body
        .into_with_config()
        .limit(args.max_reply_bytes)
        .read_to_vec()
        .map_err(read_error)?;
    if args.build.count_tokens {
        let n = parse::count_tokens(status, &headers, &bytes).map_err(describe)?;
        return print_count(n, args.format);
    }
    let completion =
        parse::response_to(&request, status, &headers, &bytes, &policy).map_err(describe)?;
    print_completion(&completion, args.format)
}
