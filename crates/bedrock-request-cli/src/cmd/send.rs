//! `send`: the request `request` builds, sent over the CLI's HTTP client with retries and
//! BAML's client strategies (the library's `retry` planner), the answer printed as `parse`
//! prints it (a stream as it arrives). A redirect is an error, never followed; a silent
//! endpoint times out; a reply and a stream's text are capped.

use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::time::Duration;

use bedrock_request::credentials::blocking::profile_setting;
use bedrock_request::retry::{AwsRetry, Next, Outcome, Planner, Strategy};
use bedrock_request::{parse, BamlFile, ClientConfig, Env, FinishReasonPolicy, HttpRequest};
use clap::Args;

use super::parse::{print_completion, print_count, print_stream, StreamLimit};
use super::request::{apply_overrides, build_for};
use crate::args::{BuildArgs, ParseFormat};
use crate::io::{describe, process_env, read_text};
use crate::net::{api_agent, headers_of};

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
    /// Attempts per client on the AWS default retry mode (overrides AWS_MAX_ATTEMPTS and the
    /// profile's max_attempts; a BAML retry_policy is kept).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_attempts: Option<u32>,
    /// No retry at all (a fallback client still moves on to the next).
    #[arg(long, conflicts_with = "max_attempts")]
    no_retry: bool,
}

/// How one attempt ended: the outcome for the planner, and what to print if it is the last.
struct Attempted {
    outcome: Outcome,
    error: Option<String>,
}

pub fn run(args: SendArgs) -> Result<(), String> {
    if args.build.unsigned {
        return Err("send signs what it sends: drop --unsigned (request --unsigned prints the request before signing)".into());
    }
    // Each client's endpoints are its profile's: build_for reads them attempt by attempt.
    let env = process_env();
    let strategy = strategy(&args, &env)?;
    // A fallback or round-robin client: which of its clients answered is said on stderr.
    let composite = match &strategy {
        Strategy::Client { .. } => None,
        other => Some(other.name().to_owned()),
    };
    let mut planner = Planner::new(strategy);
    let agent = api_agent(Duration::from_secs(args.read_timeout));
    let mut last_error = None;
    let mut notes = std::collections::HashSet::new();
    // Each client tried and its attempts, in order: the final error says what was tried.
    let mut tried: Vec<(String, u32)> = Vec::new();
    let mut next = owned(planner.start());
    loop {
        let (config, wait, note) = match next {
            Ok(attempt) => attempt,
            Err(Ok(())) => {
                if let (Some(composite), Some((answered, _))) = (&composite, tried.last()) {
                    eprintln!("{composite}: answered by {answered}");
                }
                return Ok(());
            }
            Err(Err(())) => {
                let error = last_error.unwrap_or_else(|| "the request failed".into());
                return Err(with_attempts(error, &tried));
            }
        };
        let name = config.name().unwrap_or("(options)").to_owned();
        match tried.last_mut() {
            Some((last, n)) if *last == name => *n += 1,
            _ => tried.push((name, 1)),
        }
        if let Some(note) = note {
            eprintln!("{note}");
        }
        std::thread::sleep(wait);
        let (request, policy) = build_for(&args.build, config, &env, &mut notes)?;
        let attempted = attempt(&args, &agent, &request, &policy)?;
        last_error = attempted.error;
        next = owned(planner.next(&attempted.outcome, jitter()));
    }
}

/// The last attempt's error, then what the call tried when it was more than one attempt
/// (`gave up after 6 attempts: A 3, B 3`).
fn with_attempts(error: String, tried: &[(String, u32)]) -> String {
    let total: u32 = tried.iter().map(|(_, n)| n).sum();
    if total <= 1 {
        return error;
    }
    let each: Vec<String> = tried.iter().map(|(c, n)| format!("{c} {n}")).collect();
    format!(
        "{error}\ngave up after {total} attempts: {} (client and attempts, in order)",
        each.join(", ")
    )
}

/// The planner's answer, owned (it borrows the planner): the client's options, the wait and
/// the note to print; or the end.
type Owned = Result<(ClientConfig, Duration, Option<String>), Result<(), ()>>;

fn owned(next: Next<'_>) -> Owned {
    match next {
        Next::Send(a) => Ok((a.config.clone(), a.wait, a.note)),
        Next::Done(end) => Err(end.map_err(|_| ())),
    }
}

/// The clients to try and how: the BAML client (with its retry_policy, or a fallback /
/// round-robin of clients), or the JSON options' one client, on the AWS default mode
/// (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, else the profile's max_attempts / retry_mode).
fn strategy(args: &SendArgs, env: &Env) -> Result<Strategy, String> {
    let b = &args.build;
    let setting = |key| profile_setting(env, b.profile.as_deref(), key).map_err(|e| e.to_string());
    let aws = AwsRetry::resolve(
        env,
        setting("max_attempts")?.as_deref(),
        setting("retry_mode")?.as_deref(),
    )
    .map_err(|e| {
        // A bad setting of the profile: which profile, and where.
        let profile = b
            .profile
            .as_deref()
            .or_else(|| env.get_nonempty("AWS_PROFILE"))
            .unwrap_or("default");
        match e.to_string() {
            m if m.contains("the profile's") => {
                format!("{m} (profile {profile} of the shared config file)")
            }
            m => m,
        }
    })?;
    let strategy = match (&b.baml, &b.client, &b.options) {
        (Some(file), Some(client), None) => {
            let baml = BamlFile::parse(&read_text(file)?).map_err(|e| format!("{file}: {e}"))?;
            Strategy::from_baml(&baml, client, env, aws).map_err(|e| e.to_string())?
        }
        (None, None, Some(file)) => {
            let config =
                ClientConfig::from_json_str(&read_text(file)?).map_err(|e| e.to_string())?;
            Strategy::client(file.as_str(), config, aws)
        }
        _ => return Err("give either --baml FILE --client NAME, or --options FILE.json".into()),
    };
    let strategy = strategy.try_map_configs(&mut |c| apply_overrides(c, b))?;
    Ok(match (args.no_retry, args.max_attempts) {
        (true, _) => strategy.without_retries(),
        (false, Some(n)) => strategy.with_max_attempts(n),
        (false, None) => strategy,
    })
}

/// Jitter in [0, 1) from the process's random hasher keys (no dependency for one number).
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    h.write_u128(now.unwrap_or_default().as_nanos());
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Sends one request and prints its answer when it succeeds.
fn attempt(
    args: &SendArgs,
    agent: &ureq::Agent,
    request: &HttpRequest,
    policy: &FinishReasonPolicy,
) -> Result<Attempted, String> {
    let failed = |outcome, error: String| {
        Ok(Attempted {
            outcome,
            error: Some(error),
        })
    };
    let response = match agent.run(request.to_http_request().map_err(|e| e.to_string())?) {
        Ok(r) => r,
        Err(ureq::Error::Timeout(_)) => {
            let why = format!(
                "{} sent nothing for {} s: raise --read-timeout if the model needs longer",
                request.url, args.read_timeout
            );
            let summary = format!("nothing within --read-timeout {} s", args.read_timeout);
            return failed(Outcome::transport(summary), why);
        }
        Err(e) => {
            let why = format!("cannot send the request to {}: {e}", request.url);
            return failed(Outcome::transport(e.to_string()), why);
        }
    };
    let status = response.status().as_u16();
    let headers = headers_of(&response);
    if (300..400).contains(&status) {
        let to = headers
            .iter()
            .find(|(k, _)| k == "location")
            .map_or("nowhere", |(_, v)| v.as_str());
        let why = format!(
            "{} answered {status}, a redirect to {to}: a signed request is never sent on to another address; set endpoint_url to where the service is",
            request.url
        );
        return failed(Outcome::of_response(status, &headers, b""), why);
    }
    let too_large = || {
        format!(
            "the reply passed --max-reply-bytes {}: raise it if this is expected",
            args.max_reply_bytes
        )
    };
    let body = response.into_body();
    if args.build.stream && (200..300).contains(&status) {
        let mut reader = body.into_with_config().limit(args.max_reply_bytes).reader();
        // A stream that fails before its first bytes is retried like any request; once text
        // may have been printed, it is not.
        let mut first = vec![0u8; 64 * 1024];
        let n = match reader.read(&mut first) {
            Ok(0) => {
                return failed(
                    Outcome::transport("an empty stream"),
                    "the stream ended before its first event".into(),
                )
            }
            Ok(n) => n,
            Err(e) => {
                let why = format!("cannot read the stream: {e}");
                return failed(Outcome::transport(e.to_string()), why);
            }
        };
        let limit = StreamLimit {
            text: args.max_stream_text,
            flag: "--max-stream-text",
        };
        let printed = print_stream(
            &first[..n],
            &mut reader,
            args.format,
            policy.clone(),
            &None,
            Some(limit),
        );
        return match printed {
            Ok(()) => Ok(Attempted {
                outcome: Outcome::Success,
                error: None,
            }),
            Err(e) => {
                let why = if e.contains("larger than request limit") {
                    too_large()
                } else if e.contains("timeout") || e.contains("timed out") {
                    format!(
                        "the stream stopped for {} s: raise --read-timeout if the model needs longer",
                        args.read_timeout
                    )
                } else {
                    e
                };
                failed(Outcome::refused("the stream failed mid-way"), why)
            }
        };
    }
    let bytes = match body
        .into_with_config()
        .limit(args.max_reply_bytes)
        .read_to_vec()
    {
        Ok(b) => b,
        Err(ureq::Error::BodyExceedsLimit(_)) => {
            return failed(Outcome::refused("too large"), too_large())
        }
        Err(ureq::Error::Timeout(_)) => {
            let why = format!(
                "the reply stopped for {} s: raise --read-timeout if the model needs longer",
                args.read_timeout
            );
            let summary = format!("nothing within --read-timeout {} s", args.read_timeout);
            return failed(Outcome::transport(summary), why);
        }
        Err(e) => {
            let why = format!("cannot read the response: {e}");
            return failed(Outcome::transport(e.to_string()), why);
        }
    };
    if !(200..300).contains(&status) {
        let outcome = Outcome::of_response(status, &headers, &bytes);
        let why = match parse::response_to(request, status, &headers, &bytes, policy) {
            Err(e) => describe(e),
            Ok(_) => format!("{} answered {status}", request.url),
        };
        return failed(outcome, why);
    }
    let printed = if args.build.count_tokens {
        parse::count_tokens(status, &headers, &bytes)
            .map_err(describe)
            .and_then(|n| print_count(n, args.format))
    } else {
        parse::response_to(request, status, &headers, &bytes, policy)
            .map_err(describe)
            .and_then(|c| print_completion(&c, args.format))
    };
    match printed {
        Ok(()) => Ok(Attempted {
            outcome: Outcome::Success,
            error: None,
        }),
        // A reply that arrived but does not do (a finish reason the policy refuses, a body
        // that is no Converse reply): never retried, never passed to a fallback.
        Err(e) => failed(Outcome::refused("the reply was refused"), e),
    }
}
