//! `parse`: a Converse (or CountTokens) answer, as a body or a whole `curl -i` response, to
//! text or JSON; an AWS error to its report. The printing is shared with `send`.

use std::io::Read;

use bedrock_request::parse::{self, AwsError, Completion};
use bedrock_request::stream::{looks_like_event_stream, ConverseStream, Event};
use bedrock_request::structured::Schema;
use bedrock_request::{FinishReasonPolicy, HttpRequest, HttpResponse};
use clap::Args;

use super::structured::{print_structured, read_schema};
use crate::args::ParseFormat;
use crate::io::{describe, open, print_bytes, print_line, read_bytes, read_text};

#[derive(Args)]
pub struct ParseArgs {
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

/// `parse --schema`: the schema and whether the text is partial.
pub type SchemaOutput = Option<(Schema, bool)>;

pub fn run(args: ParseArgs) -> Result<(), String> {
    let schema = match &args.schema {
        Some(file) => Some((read_schema(file)?, args.partial)),
        None => None,
    };
    if args.stream {
        return parse_stream(&args, schema);
    }
    let mut body = read_bytes(&args.file)?;
    // Nothing at all, and no status to go by (`--status 503` with an empty body is an error
    // response, classified by its status).
    if body.trim_ascii().is_empty() && args.status.is_none() {
        return Err(empty_input(&args.file));
    }
    // A whole HTTP response (`curl -i`): its status and headers classify errors.
    let (mut status, mut headers) = (args.status, Vec::new());
    if body.starts_with(b"HTTP/") {
        let response = HttpResponse::parse(&body).map_err(|e| e.to_string())?;
        (status, headers, body) = (Some(response.status), response.headers, response.body);
    }
    parse_body(&args, schema, status, &headers, body)
}

/// The error for an input with nothing in it (a `curl` that failed before any answer, say).
fn empty_input(file: &str) -> String {
    let what = match file {
        "-" => "standard input".to_owned(),
        path => path.to_owned(),
    };
    format!(
        "{what} is empty: give the response's body, or the whole response as `curl -i` prints it"
    )
}

/// Whether the headers say the body is an event stream.
fn says_event_stream(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && v.contains("vnd.amazon.eventstream")
    })
}

/// A whole body (not `--stream`, or a `--stream` input that turned out to be JSON).
fn parse_body(
    args: &ParseArgs,
    schema: SchemaOutput,
    status: Option<u16>,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Result<(), String> {
    let success = status.is_none_or(|s| (200..300).contains(&s));
    // An event stream given without --stream: its content-type or its first bytes say so.
    if success && (says_event_stream(headers) || looks_like_event_stream(&body)) {
        let policy = FinishReasonPolicy::default();
        return print_stream(
            &body,
            &mut std::io::empty(),
            args.format,
            policy,
            &schema,
            None,
        );
    }
    // A 2xx status, or none and a Converse body: the completion. Otherwise an AWS error, when
    // the body is JSON without `output` (error bodies are small: a tree of them is cheap).
    if success && is_count_tokens_reply(&body) {
        let n = parse::count_tokens(200, headers, &body).map_err(|e| e.to_string())?;
        return print_count(n, args.format);
    }
    let parsed = match status {
        Some(status) if !(200..300).contains(&status) => None,
        _ => Some(parse::converse_body(&body)),
    };
    let completion = match parsed {
        Some(Ok(completion)) => completion,
        Some(Err(e)) if status.is_some() || !is_error_body(&body) => return Err(e.to_string()),
        _ => {
            let mut error = match status {
                Some(status) => AwsError::from_response(status, headers, &body),
                None => AwsError::from_body(&body),
            };
            if let Some(file) = &args.request {
                let sent = HttpRequest::from_json(&read_text(file)?)
                    .map_err(|e| format!("{file}: {e}"))?;
                error = error.diagnose(&sent);
            }
            return Err(error.report());
        }
    };
    if let Some((schema, partial)) = &schema {
        return print_structured(schema, &completion.text, *partial);
    }
    print_completion(&completion, args.format)
}

/// Whether a body that is not a Converse reply reads as an AWS error: a JSON object without
/// `output` that has what AWS's JSON errors have (`message`, `Message`, `__type` or `code`).
fn is_error_body(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|j| {
        j.get("output").is_none()
            && ["message", "Message", "__type", "code"]
                .iter()
                .any(|k| j.get(k).is_some())
    })
}

/// Whether a body is a CountTokens reply: a JSON object with `inputTokens` and no `output`.
fn is_count_tokens_reply(body: &[u8]) -> bool {
    body.len() < 4096
        && serde_json::from_slice::<serde_json::Value>(body)
            .is_ok_and(|j| j.get("inputTokens").is_some() && j.get("output").is_none())
}

/// The most a response's head may take, interim (`100 Continue`) heads included.
const MAX_HEAD: usize = 1024 * 1024;

/// `parse --stream`: a whole HTTP response (`curl -i`) has its head read first; an error status
/// is an AWS error classified by its headers, a 2xx one is followed by the event stream. The
/// head is parsed again only when a read brings a line end, and may take [`MAX_HEAD`] bytes.
fn parse_stream(args: &ParseArgs, schema: SchemaOutput) -> Result<(), String> {
    let mut input = open(&args.file)?;
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
        if pending.is_empty() {
            return match args.status {
                None => Err(empty_input(&args.file)),
                Some(_) => parse_body(args, schema, args.status, &[], pending),
            };
        }
        if !pending.starts_with(b"HTTP/") {
            // A JSON body given with --stream (a Converse answer, or an error): read whole.
            if pending.trim_ascii_start().starts_with(b"{") {
                input
                    .read_to_end(&mut pending)
                    .map_err(|e| format!("cannot read the answer: {e}"))?;
                return parse_body(args, schema, args.status, &[], pending);
            }
            let policy = FinishReasonPolicy::default();
            return print_stream(&pending, &mut input, args.format, policy, &schema, None);
        }
        if n > 0 && !buf[..n].contains(&b'\n') {
            continue;
        }
        let Some((response, start)) =
            HttpResponse::parse_head(&pending).map_err(|e| e.to_string())?
        else {
            if pending.len() > MAX_HEAD {
                return Err(format!(
                    "the HTTP response's head passes {MAX_HEAD} bytes without ending"
                ));
            }
            if n > 0 {
                continue;
            }
            return Err("the HTTP response ends before its headers do".into());
        };
        let json = response
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"));
        if (200..300).contains(&response.status) && json {
            // A Converse answer (not a stream) given with --stream.
            let mut body = pending[start..].to_vec();
            input
                .read_to_end(&mut body)
                .map_err(|e| format!("cannot read the answer: {e}"))?;
            return parse_body(args, schema, Some(response.status), &response.headers, body);
        }
        if (200..300).contains(&response.status) {
            let policy = FinishReasonPolicy::default();
            return print_stream(
                &pending[start..],
                &mut input,
                args.format,
                policy,
                &schema,
                None,
            );
        }
        let mut body = pending[start..].to_vec();
        input
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read the stream: {e}"))?;
        return Err(AwsError::from_response(response.status, &response.headers, &body).report());
    }
}

/// The most text a stream may accumulate, and the flag that sets it (for the error).
pub struct StreamLimit {
    pub text: u64,
    pub flag: &'static str,
}

/// Decodes a ConverseStream body (`first`, then the rest of `input`), printing text as it
/// arrives (`text`) or the whole completion at the end (`json`, `message`).
pub fn print_stream(
    first: &[u8],
    input: &mut dyn Read,
    format: ParseFormat,
    policy: FinishReasonPolicy,
    schema: &SchemaOutput,
    limit: Option<StreamLimit>,
) -> Result<(), String> {
    let mut stream = ConverseStream::new(policy);
    let mut buf = vec![0u8; 64 * 1024];
    let mut chunk = first.to_vec();
    let mut text = 0u64;
    // The text a read brought, written (and flushed) once per read: still as it arrives.
    let mut out = Vec::new();
    loop {
        stream.push(&chunk);
        while let Some(event) = stream.next_event().map_err(describe)? {
            if let Some(limit) = &limit {
                text += match &event {
                    Event::TextDelta { text, .. } | Event::ReasoningDelta { text, .. } => {
                        text.len()
                    }
                    Event::ToolInputDelta { input, .. } => input.len(),
                    _ => 0,
                } as u64;
                if text > limit.text {
                    return Err(format!(
                        "the stream's text passed {} {}: raise it if this is expected",
                        limit.flag, limit.text
                    ));
                }
            }
            if let (ParseFormat::Text, None, Event::TextDelta { text, .. }) =
                (format, schema, &event)
            {
                out.extend_from_slice(text.as_bytes());
            }
        }
        if !out.is_empty() {
            print_bytes(&out)?;
            out.clear();
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
        ParseFormat::Text => {
            print_line("")?;
            say_stop_reason(&completion);
            Ok(())
        }
        ParseFormat::Json => print_line(&completion.to_json_pretty()),
        ParseFormat::Message => print_line(&completion.to_message_json_pretty()),
    }
}

/// A whole completion, in the format asked for.
pub fn print_completion(completion: &Completion, format: ParseFormat) -> Result<(), String> {
    match format {
        ParseFormat::Text => {
            print_line(&completion.text)?;
            say_stop_reason(completion);
            Ok(())
        }
        ParseFormat::Json => print_line(&completion.to_json_pretty()),
        ParseFormat::Message => print_line(&completion.to_message_json_pretty()),
    }
}

/// With the text alone, a reply that did not end its turn says why on standard error
/// (`stop reason: max_tokens`): the text may be cut short, or a tool call may wait.
fn say_stop_reason(completion: &Completion) {
    if let Some(reason) = completion
        .stop_reason
        .as_ref()
        .filter(|r| r.as_str() != "end_turn")
    {
        let why = match reason.as_str() {
            "max_tokens" => " (the text is cut short: raise max_tokens)",
            "tool_use" => " (the model asks for a tool: --format json or message shows the call)",
            "guardrail_intervened" | "content_filtered" => " (the text was filtered)",
            "model_context_window_exceeded" => " (the conversation is too long for the model)",
            _ => "",
        };
        eprintln!("stop reason: {}{why}", reason.as_str());
    }
}

/// A CountTokens reply: the count (`text`), or `{"input_tokens": N}` (`json`).
pub fn print_count(input_tokens: u64, format: ParseFormat) -> Result<(), String> {
    match format {
        ParseFormat::Text => print_line(&input_tokens.to_string()),
        ParseFormat::Json => print_line(&format!("{{\n  \"input_tokens\": {input_tokens}\n}}")),
        ParseFormat::Message => Err(
            "a CountTokens reply holds a token count, not a message: use --format text or json"
                .into(),
        ),
    }
}
