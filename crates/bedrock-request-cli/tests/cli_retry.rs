//! Issue 26: `send` retries and runs BAML's client strategies against a scripted loopback
//! Bedrock: the AWS default (3 attempts, AWS_MAX_ATTEMPTS), no retry on 400, retry_policy
//! delays, a fallback that moves on after its retries (or at once after an error no retry
//! fixes) and one that must not after a finish-reason failure, round-robin's `start`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cli::run;

/// What the fake answered, in order: (model id from the path, when it arrived).
type Seen = Arc<Mutex<Vec<(String, Instant)>>>;

/// A loopback Bedrock that answers the n-th request with `script(model, n)`: a status, an
/// error code (empty for none) and a body.
fn bedrock(
    script: impl Fn(&str, usize) -> (u16, &'static str, String) + Send + 'static,
) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Seen::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((_, path, _, _)) = crate::cli::read_request(&stream) else {
                continue;
            };
            let model = path
                .trim_start_matches("/model/")
                .split('/')
                .next()
                .unwrap_or("")
                .to_owned();
            let n = {
                let mut seen = log.lock().unwrap();
                seen.push((model.clone(), Instant::now()));
                seen.len()
            };
            let (status, code, body) = script(&model, n);
            let code = if code.is_empty() {
                String::new()
            } else {
                format!("x-amzn-errortype: {code}\r\n")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{code}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, seen)
}

fn reply(stop: &str) -> String {
    format!(
        r#"{{"output":{{"message":{{"role":"assistant","content":[{{"text":"hello"}}]}}}},"stopReason":"{stop}","usage":{{"inputTokens":1,"outputTokens":1,"totalTokens":2}},"metrics":{{"latencyMs":1}}}}"#
    )
}

fn busy() -> (u16, &'static str, String) {
    (
        503,
        "ServiceUnavailableException",
        r#"{"message":"busy"}"#.into(),
    )
}

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ),
];

fn baml_file(base: &str, body: &str) -> String {
    let file = crate::common::scratch("retry").join("clients.baml");
    std::fs::write(&file, body.replace("BASE", base)).unwrap();
    file.to_str().unwrap().to_owned()
}

fn send(file: &str, client: &str, more: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut args = vec!["send", "--baml", file, "--client", client, "--prompt", "hi"];
    args.extend_from_slice(more);
    let env: Vec<(&str, &str)> = KEYS.iter().chain(env).copied().collect();
    let out = run(&args, &env);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const ONE: &str = r#"
client<llm> A {
  provider aws-bedrock
  options {
    model ma
    region us-east-1
    endpoint_url "BASE"
  }
}
"#;

#[test]
fn the_aws_default_retries_transient_errors_three_times_and_never_a_400() {
    let (base, seen) = bedrock(|_, n| {
        if n < 3 {
            busy()
        } else {
            (200, "", reply("end_turn"))
        }
    });
    let file = baml_file(&base, ONE);
    let (ok, out, err) = send(&file, "A", &[], &[]);
    assert!(ok, "{err}");
    assert_eq!(out, "hello\n");
    assert!(
        err.contains("attempt 2 of 3 in ") && err.contains(": ServiceUnavailableException (503)"),
        "{err}"
    );
    assert!(err.contains("attempt 3 of 3 in "), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 3);
    // AWS_MAX_ATTEMPTS: 2 attempts, then the last error.
    let (base, seen) = bedrock(|_, _| busy());
    let file = baml_file(&base, ONE);
    let (ok, _, err) = send(&file, "A", &[], &[("AWS_MAX_ATTEMPTS", "2")]);
    assert!(!ok && err.contains("ServiceUnavailableException"), "{err}");
    assert!(err.contains("gave up after 2 attempts: A 2"), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 2);
    // --max-attempts beats the environment; --no-retry sends once.
    let (_, _, _) = send(
        &file,
        "A",
        &["--max-attempts", "4"],
        &[("AWS_MAX_ATTEMPTS", "2")],
    );
    assert_eq!(seen.lock().unwrap().len(), 2 + 4);
    let (_, _, _) = send(&file, "A", &["--no-retry"], &[]);
    assert_eq!(seen.lock().unwrap().len(), 2 + 4 + 1);
    // The profile's max_attempts, read from the shared config: a bad one names the profile.
    let home = crate::common::aws_home("retry-home", "[profile slow]\nmax_attempts = 0\n");
    let home = home.to_str().unwrap();
    let (ok, _, err) = send(&file, "A", &[], &[("HOME", home), ("AWS_PROFILE", "slow")]);
    assert!(
        !ok && err.contains("max_attempts is \"0\"") && err.contains("profile slow"),
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), 2 + 4 + 1);
    // A validation error: one attempt, no retry.
    let (base, seen) = bedrock(|_, _| (400, "ValidationException", r#"{"message":"bad"}"#.into()));
    let file = baml_file(&base, ONE);
    let (ok, _, err) = send(&file, "A", &[], &[]);
    assert!(!ok && err.contains("ValidationException"), "{err}");
    assert!(
        !err.contains("attempt 2") && !err.contains("gave up"),
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

const POLICIES: &str = r#"
retry_policy Constant {
  max_retries 2
  strategy { type constant_delay, delay_ms 300 }
}
retry_policy Exponential {
  max_retries 3
  strategy {
    type exponential_backoff
    delay_ms 100
    multiplier 3
    max_delay_ms 500
  }
}
client<llm> A {
  provider aws-bedrock
  retry_policy Constant
  options { model ma, region us-east-1, endpoint_url "BASE" }
}
client<llm> B {
  provider aws-bedrock
  retry_policy Exponential
  options { model mb, region us-east-1, endpoint_url "BASE" }
}
client<llm> C {
  provider aws-bedrock
  options {
    model mc
    region us-east-1
    endpoint_url "BASE"
    finish_reason_allow_list ["end_turn"]
  }
}
client<llm> F {
  provider fallback
  options { strategy [A, B] }
}
client<llm> G {
  provider fallback
  options { strategy [C, B] }
}
client<llm> R {
  provider round-robin
  options { strategy [A, B, C], start 2 }
}
"#;

fn gaps(seen: &Seen) -> Vec<Duration> {
    let seen = seen.lock().unwrap();
    seen.windows(2).map(|w| w[1].1 - w[0].1).collect()
}

#[test]
fn retry_policies_wait_as_baml_documents() {
    let (base, seen) = bedrock(|_, _| busy());
    let file = baml_file(&base, POLICIES);
    let (ok, _, err) = send(&file, "A", &[], &[]);
    assert!(!ok);
    assert!(
        err.contains("attempt 2 of 3 in 0.3 s: ServiceUnavailableException (503)"),
        "{err}"
    );
    let g = gaps(&seen);
    assert_eq!(g.len(), 2);
    assert!(
        g.iter()
            .all(|d| *d >= Duration::from_millis(300) && *d < Duration::from_millis(2300)),
        "{g:?}"
    );
    let (base, seen) = bedrock(|_, _| busy());
    let file = baml_file(&base, POLICIES);
    let _ = send(&file, "B", &[], &[]);
    let g = gaps(&seen);
    // 100 ms, then × 3 = 300 ms, then 900 ms capped at 500 ms.
    for (gap, want) in g.iter().zip([100, 300, 500]) {
        assert!(
            *gap >= Duration::from_millis(want) && *gap < Duration::from_millis(want + 2000),
            "{g:?}"
        );
    }
    assert!(err_has(
        &send(&file, "B", &[], &[]).2,
        ["in 0.1 s", "in 0.3 s", "in 0.5 s"]
    ));
}

fn err_has<const N: usize>(err: &str, parts: [&str; N]) -> bool {
    parts.iter().all(|p| err.contains(p))
}

#[test]
fn a_fallback_moves_on_after_retries_or_a_permanent_error_but_not_after_a_finish_reason_failure() {
    let (base, seen) = bedrock(|model, _| match model {
        "mb" => (200, "", reply("end_turn")),
        _ => busy(),
    });
    let file = baml_file(&base, POLICIES);
    let (ok, out, err) = send(&file, "F", &[], &[]);
    assert!(ok, "{err}");
    assert_eq!(out, "hello\n");
    assert!(
        err.contains("F: from A to B: ServiceUnavailableException (503)"),
        "{err}"
    );
    let models: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(models, ["ma", "ma", "ma", "mb"]);
    // An error no retry fixes (A's model not granted to this account): A is not retried, and
    // the fallback moves on, as BAML's does: B asks another model.
    let (base, seen) = bedrock(|model, _| match model {
        "mb" => (200, "", reply("end_turn")),
        _ => (
            403,
            "AccessDeniedException",
            r#"{"message":"You don't have access to the model with the specified model ID."}"#
                .into(),
        ),
    });
    let file = baml_file(&base, POLICIES);
    let (ok, out, err) = send(&file, "F", &[], &[]);
    assert!(ok && out == "hello\n", "{err}");
    assert!(
        err.contains("F: from A to B: AccessDeniedException (403)"),
        "{err}"
    );
    let models: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(models, ["ma", "mb"]);
    // C answers with a finish reason its policy refuses: no retry, and G does not move on to B.
    let (base, seen) = bedrock(|_, _| (200, "", reply("max_tokens")));
    let file = baml_file(&base, POLICIES);
    let (ok, _, err) = send(&file, "G", &[], &[]);
    assert!(!ok, "{err}");
    assert!(err.contains("max_tokens"), "{err}");
    let models: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(models, ["mc"]);
}

#[test]
fn round_robin_starts_at_start() {
    let (base, seen) = bedrock(|_, _| (200, "", reply("end_turn")));
    let file = baml_file(&base, POLICIES);
    let (ok, _, err) = send(&file, "R", &[], &[]);
    assert!(ok, "{err}");
    assert_eq!(seen.lock().unwrap()[0].0, "mc");
    // Which of its clients answered is said on stderr.
    assert!(err.contains("R: answered by C"), "{err}");
}

/// The blocking performer retries a credential endpoint that answers 503, as the AWS SDKs do.
#[test]
fn a_busy_container_credentials_endpoint_is_asked_again() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}/creds", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
            }
            let n = {
                let mut c = seen.lock().unwrap();
                *c += 1;
                *c
            };
            let (status, body) = if n < 3 {
                (503, String::new())
            } else {
                (200, r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#.to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let out = run(
        &["credentials", "--format", "json"],
        &[
            ("HOME", "/nonexistent"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ASIAECS"));
    assert_eq!(*count.lock().unwrap(), 3);
}
