//! Request → send with ureq → parse, with the AWS SDKs' standard retries: the whole loop
//! against Bedrock, with your credentials. The library plans (`retry::Planner`); this program
//! sleeps, sends and draws the jitter.
//!
//! `cargo run -p bedrock-request --features blocking --example send_with_ureq -- "Why is the sky blue?"`
//! (credentials from the whole chain, as the AWS CLI finds them: the environment, ~/.aws
//! profiles with AWS_PROFILE, SSO, roles, containers, instance metadata; the region from
//! AWS_REGION or the profile).

use std::hash::{BuildHasher, Hasher};

use bedrock_request::retry::{AwsRetry, Next, Outcome, Planner, Strategy};
use bedrock_request::{converse, credentials, parse, ClientConfig, Env, Message};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Say hello in French.".into());
    let env: Env = std::env::vars().collect();
    let config = ClientConfig::builder()
        .model("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        .max_tokens(300)
        .build()?;
    let resolved = credentials::blocking::resolve(credentials::Chain::new(&config, &env))?;
    let messages = [Message::user(prompt)];
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();

    let retry = AwsRetry::resolve(&env, None, None)?;
    let mut planner = Planner::new(Strategy::client("haiku", config, retry));
    let mut next = planner.start();
    let mut last_error = None;
    loop {
        let attempt = match next {
            Next::Send(attempt) => attempt,
            Next::Done(Ok(())) => return Ok(()),
            Next::Done(Err(failure)) => {
                eprintln!("{}", last_error.unwrap_or(failure.summary));
                std::process::exit(1);
            }
        };
        if let Some(note) = &attempt.note {
            eprintln!("{note}");
        }
        std::thread::sleep(attempt.wait);
        // Each attempt is signed anew: a signature is valid for 15 minutes from its time.
        let signed = converse::Builder::new(attempt.config, &messages, &env)
            .profile_region(resolved.region.as_deref())
            .build()?
            .sign(&resolved.auth, time::OffsetDateTime::now_utc())?;
        let outcome = match agent.run(signed.to_http_request()?) {
            Err(e) => {
                last_error = Some(e.to_string());
                Outcome::transport(e.to_string())
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
                    .collect();
                let body = response.into_body().read_to_vec()?;
                let policy = attempt.config.finish_reason();
                match parse::response_to(&signed, status, &headers, &body, policy) {
                    Ok(completion) => {
                        println!("{}", completion.text);
                        Outcome::Success
                    }
                    Err(e) => {
                        last_error = Some(match e.aws() {
                            Some(aws) => format!("{aws}\nhint: {}", aws.hint),
                            None => e.to_string(),
                        });
                        if (200..300).contains(&status) {
                            // A finish reason the policy refuses: never retried.
                            Outcome::refused(e.to_string())
                        } else {
                            Outcome::of_response(status, &headers, &body)
                        }
                    }
                }
            }
        };
        next = planner.next(&outcome, jitter());
    }
}

/// A number in [0, 1) for the backoff's jitter (std's random hasher keys; use `rand` if you
/// have it).
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}
