//! The retry planner (issue 26): AWS's standard mode against what botocore decides for the same
//! answers (vectors/retry/botocore.json, made by tools/make_retry_vectors.py from botocore's own
//! retry classes), and BAML's retry_policy, fallback and round-robin on a virtual clock, delays
//! checked against BAML's documented formulas.

use std::time::Duration;

use bedrock_request::retry::{AwsRetry, FailureKind, Next, Outcome, Planner, RetryQuota, Strategy};
use bedrock_request::{BamlFile, ClientConfig, Env};

use crate::common::read;

fn answer(a: &serde_json::Value) -> Outcome {
    if a == "connection" {
        return Outcome::transport("connection refused");
    }
    if a == 200 {
        return Outcome::Success;
    }
    let status = a[0].as_u64().unwrap() as u16;
    let mut headers = Vec::new();
    if let Some(code) = a[1].as_str().filter(|c| !c.is_empty()) {
        headers.push(("x-amzn-errortype".to_owned(), code.to_owned()));
    }
    if let Some(ms) = a[2].as_u64() {
        headers.push(("x-amz-retry-after".to_owned(), ms.to_string()));
    }
    Outcome::of_response(status, &headers, br#"{"message":"m"}"#)
}

fn client(max_attempts: u32) -> Strategy {
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    Strategy::client(
        "A",
        config,
        AwsRetry {
            max_attempts,
            ..AwsRetry::default()
        },
    )
}

#[test]
fn the_standard_mode_decides_as_botocore_does() {
    let doc: serde_json::Value =
        serde_json::from_str(&read("vectors/retry/botocore.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let max = case["max_attempts"].as_u64().unwrap() as u32;
        let mut quota = RetryQuota::default();
        for (n, call) in case["calls"].as_array().unwrap().iter().enumerate() {
            let mut planner = Planner::new(client(max)).with_quota(quota);
            assert!(matches!(planner.start(), Next::Send(_)));
            let answers = call["answers"].as_array().unwrap();
            for (answer_json, decision) in answers.iter().zip(call["decisions"].as_array().unwrap())
            {
                let random = decision["random"].as_f64().unwrap_or(0.0);
                match planner.next(&answer(answer_json), random) {
                    Next::Send(attempt) => {
                        assert_eq!(
                            decision["retry"], true,
                            "{name}, call {n}: retried where botocore stops"
                        );
                        let want = Duration::from_secs_f64(decision["delay"].as_f64().unwrap());
                        let diff = attempt.wait.abs_diff(want);
                        assert!(
                            diff < Duration::from_micros(2),
                            "{name}, call {n}: waits {:?}, botocore {want:?}",
                            attempt.wait
                        );
                    }
                    Next::Done(Ok(())) => assert_eq!(decision["success"], true, "{name}"),
                    Next::Done(Err(f)) => {
                        assert_eq!(
                            decision["retry"], false,
                            "{name}, call {n}: stops on {f:?} where botocore retries"
                        )
                    }
                }
            }
            quota = planner.into_quota();
            assert_eq!(
                u64::from(quota.available()),
                call["quota_after"].as_u64().unwrap(),
                "{name}, call {n}: the quota"
            );
        }
    }
}

const FILE: &str = r#"
retry_policy Constant {
  max_retries 2
  strategy { type constant_delay, delay_ms 150 }
}
retry_policy Exponential {
  max_retries 3
  strategy {
    type exponential_backoff
    delay_ms 100
    multiplier 2
    max_delay_ms 300
  }
}
retry_policy Default {
  max_retries 1
}
client<llm> A {
  provider aws-bedrock
  retry_policy Constant
  options { model ma, region us-east-1 }
}
client<llm> B {
  provider aws-bedrock
  retry_policy Exponential
  options { model mb, region us-west-2 }
}
client<llm> C {
  provider aws-bedrock
  options { model mc, region eu-west-1 }
}
client<llm> D {
  provider aws-bedrock
  retry_policy Default
  options { model md, region us-east-1 }
}
client<llm> F {
  provider fallback
  options { strategy [A, B, C] }
}
client<llm> R {
  provider round-robin
  retry_policy Constant
  options { strategy [A, C, D], start 1 }
}
client<llm> Nested {
  provider fallback
  options { strategy [R, C] }
}
client<llm> Loop {
  provider fallback
  options { strategy [C, Loop] }
}
"#;

fn strategy(name: &str) -> Strategy {
    Strategy::from_baml(
        &BamlFile::parse(FILE).unwrap(),
        name,
        &Env::new(),
        AwsRetry::default(),
    )
    .unwrap()
}

fn throttled() -> Outcome {
    Outcome::of_response(
        429,
        &[("x-amzn-errortype".into(), "ThrottlingException".into())],
        b"{}",
    )
}

fn bad_request() -> Outcome {
    Outcome::of_response(
        400,
        &[("x-amzn-errortype".into(), "ValidationException".into())],
        b"{}",
    )
}

/// What a virtual-clock run saw: (client, attempt, wait) for each attempt, the clock at the
/// end, and how it ended.
type Run = (
    Vec<(String, u32, Duration)>,
    Duration,
    Result<(), FailureKind>,
);

/// Runs a planner on a virtual clock, answering each attempt with `answer(client, n)`.
fn drive(planner: &mut Planner, mut answer: impl FnMut(&str, usize) -> Outcome) -> Run {
    let mut clock = Duration::ZERO;
    let mut seen = Vec::new();
    let mut next = match planner.start() {
        Next::Send(a) => (a.name.to_owned(), a.attempt, a.wait),
        Next::Done(_) => unreachable!(),
    };
    loop {
        clock += next.2;
        seen.push(next.clone());
        let outcome = answer(&next.0, seen.len());
        match planner.next(&outcome, 0.5) {
            Next::Send(a) => next = (a.name.to_owned(), a.attempt, a.wait),
            Next::Done(end) => return (seen, clock, end.map_err(|f| f.kind)),
        }
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_retry_policy_replaces_the_aws_default_with_its_delays() {
    // Constant: 2 retries, 150 ms each, on any failure that retrying may fix.
    let (seen, clock, end) = drive(&mut Planner::new(strategy("A")), |_, _| throttled());
    assert_eq!(
        seen,
        [
            ("A".into(), 1, ms(0)),
            ("A".into(), 2, ms(150)),
            ("A".into(), 3, ms(150))
        ]
    );
    assert_eq!((clock, end), (ms(300), Err(FailureKind::Throttling)));
    // Exponential: delay_ms first, then × multiplier, capped at max_delay_ms.
    let timeout = || {
        Outcome::of_response(
            408,
            &[("x-amzn-errortype".into(), "ModelTimeoutException".into())],
            b"{}",
        )
    };
    let (seen, clock, _) = drive(&mut Planner::new(strategy("B")), |_, _| timeout());
    let waits: Vec<Duration> = seen.iter().map(|s| s.2).collect();
    assert_eq!(waits, [ms(0), ms(100), ms(200), ms(300)]);
    assert_eq!(clock, ms(600));
    // A default strategy is constant_delay 200 ms.
    let (seen, _, _) = drive(&mut Planner::new(strategy("D")), |_, _| throttled());
    assert_eq!(
        seen.iter().map(|s| s.2).collect::<Vec<_>>(),
        [ms(0), ms(200)]
    );
    // Never retried: a validation error, or a reply the caller refused.
    let (seen, _, end) = drive(&mut Planner::new(strategy("A")), |_, _| bad_request());
    assert_eq!((seen.len(), end), (1, Err(FailureKind::Permanent)));
    let (seen, _, end) = drive(&mut Planner::new(strategy("A")), |_, _| {
        Outcome::refused("finish reason length")
    });
    assert_eq!((seen.len(), end), (1, Err(FailureKind::Refused)));
}

#[test]
fn a_fallback_moves_on_after_each_clients_retries_but_never_after_a_refusal() {
    let (seen, _, end) = drive(&mut Planner::new(strategy("F")), |c, _| match c {
        "C" => Outcome::Success,
        _ => throttled(),
    });
    let clients: Vec<(&str, u32)> = seen.iter().map(|s| (s.0.as_str(), s.1)).collect();
    // A: 3 attempts (Constant), B: 4 (Exponential), C: the AWS default's first attempt succeeds.
    assert_eq!(
        clients,
        [
            ("A", 1),
            ("A", 2),
            ("A", 3),
            ("B", 1),
            ("B", 2),
            ("B", 3),
            ("B", 4),
            ("C", 1)
        ]
    );
    assert_eq!(end, Ok(()));
    // The move to the next client does not wait.
    assert_eq!(seen[3].2, ms(0));
    // A finish-reason failure of A: no retry, no fallback.
    let (seen, _, end) = drive(&mut Planner::new(strategy("F")), |_, _| {
        Outcome::refused("finish reason length")
    });
    assert_eq!((seen.len(), end), (1, Err(FailureKind::Refused)));
    // A permanent error: never retried, but the fallback moves on, as BAML's does (the next
    // client sends another request), client after client.
    let (seen, _, end) = drive(&mut Planner::new(strategy("F")), |_, _| bad_request());
    let clients: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        (clients, end),
        (vec!["A", "B", "C"], Err(FailureKind::Permanent))
    );
    let (seen, _, end) = drive(&mut Planner::new(strategy("F")), |c, _| match c {
        "A" => bad_request(),
        _ => Outcome::Success,
    });
    assert_eq!((seen.len(), seen[1].0.as_str(), end), (2, "B", Ok(())));
    // Every client failing: the last failure ends the call.
    let (seen, _, end) = drive(&mut Planner::new(strategy("F")), |_, _| throttled());
    assert_eq!((seen.len(), end), (3 + 4 + 3, Err(FailureKind::Throttling)));
}

#[test]
fn round_robin_starts_at_start_turns_per_call_and_replays_on_the_next_client() {
    // start 1: the first call goes to C, the next call (turn 1) to D, then A.
    for (turn, first) in [(0, "C"), (1, "D"), (2, "A"), (3, "C")] {
        let (seen, _, end) = drive(&mut Planner::new(strategy("R")).with_turn(turn), |_, _| {
            Outcome::Success
        });
        assert_eq!((seen[0].0.as_str(), end), (first, Ok(())));
    }
    // Its retry_policy (Constant, 2 retries) replays the strategy on the next client each time,
    // 150 ms apart; each client runs its own policy inside (C: the AWS default, 3 attempts).
    let (seen, _, end) = drive(&mut Planner::new(strategy("R")), |_, _| throttled());
    let clients: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(clients, ["C", "C", "C", "D", "D", "A", "A", "A"]);
    assert_eq!(seen[3].2, ms(150));
    assert_eq!(end, Err(FailureKind::Throttling));
    // The notes say a replay is the composite's retry_policy, not a move between clients.
    let mut planner = Planner::new(strategy("R"));
    let mut notes = Vec::new();
    let mut next = planner.start();
    while let Next::Send(a) = next {
        notes.extend(a.note.clone());
        next = planner.next(&throttled(), 0.5);
    }
    assert!(
        notes.contains(
            &"R: retry 1 of its retry_policy in 0.15 s, from D: ThrottlingException (429)"
                .to_owned()
        ),
        "{notes:#?}"
    );
    // Nested: a fallback whose first client is the round-robin.
    let (seen, _, end) = drive(&mut Planner::new(strategy("Nested")), |c, n| match (c, n) {
        ("C", n) if n > 8 => Outcome::Success,
        _ => throttled(),
    });
    assert_eq!(seen.last().unwrap().0, "C");
    assert_eq!(end, Ok(()));
}

#[test]
fn strategies_that_name_themselves_or_unknown_things_are_errors() {
    let file = BamlFile::parse(FILE).unwrap();
    let e = Strategy::from_baml(&file, "Loop", &Env::new(), AwsRetry::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("client Loop names itself through Loop"),
        "{e}"
    );
    let bad = BamlFile::parse("retry_policy P {\n  max_retries 1\n  strategy { type linear }\n}\nclient<llm> A {\n  provider aws-bedrock\n  retry_policy P\n  options { model m }\n}\nclient<llm> Q {\n  provider aws-bedrock\n  retry_policy Nope\n  options { model m }\n}").unwrap();
    let e = Strategy::from_baml(&bad, "A", &Env::new(), AwsRetry::default()).unwrap_err();
    assert!(
        e.to_string().contains(
            "retry_policy P: strategy type \"linear\" is not constant_delay or exponential_backoff"
        ),
        "{e}"
    );
    // Two fields on one line without a comma read as one value: the error says how to write them.
    let run_on = BamlFile::parse("retry_policy P {\n  max_retries 1\n  strategy { type constant_delay delay_ms 10 }\n}\nclient<llm> A {\n  provider aws-bedrock\n  retry_policy P\n  options { model m }\n}").unwrap();
    let e = Strategy::from_baml(&run_on, "A", &Env::new(), AwsRetry::default()).unwrap_err();
    assert!(e.to_string().contains("on its own line"), "{e}");
    let e = Strategy::from_baml(&bad, "Q", &Env::new(), AwsRetry::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("no retry_policy named Nope; the BAML source defines: P"),
        "{e}"
    );
}

#[test]
fn aws_settings_come_from_the_environment_then_the_profile() {
    let env = Env::from_iter([("AWS_MAX_ATTEMPTS", "7")]);
    assert_eq!(
        AwsRetry::resolve(&env, Some("2"), None)
            .unwrap()
            .max_attempts,
        7
    );
    assert_eq!(
        AwsRetry::resolve(&Env::new(), Some("2"), None)
            .unwrap()
            .max_attempts,
        2
    );
    assert_eq!(
        AwsRetry::resolve(&Env::new(), None, Some("legacy"))
            .unwrap()
            .max_attempts,
        5
    );
    let e =
        AwsRetry::resolve(&Env::from_iter([("AWS_RETRY_MODE", "fast")]), None, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("AWS_RETRY_MODE is \"fast\": use standard, legacy or adaptive"),
        "{e}"
    );
    // 1 attempt: no retry at all.
    let mut planner = Planner::new(client(1));
    let _ = planner.start();
    assert!(matches!(
        planner.next(&throttled(), 0.5),
        Next::Done(Err(_))
    ));
}

#[test]
fn the_strategies_in_docs_retries_md_read_as_written() {
    let doc = read("docs/retries.md");
    let block = doc
        .split("```baml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a baml block in docs/retries.md");
    let file = BamlFile::parse(block).unwrap_or_else(|e| panic!("{e}"));
    let env = Env::new();
    let Strategy::Fallback { strategy, .. } =
        Strategy::from_baml(&file, "Resilient", &env, AwsRetry::default()).unwrap()
    else {
        panic!("Resilient is a fallback")
    };
    assert_eq!(strategy.len(), 2);
    assert!(matches!(
        Strategy::from_baml(&file, "Spread", &env, AwsRetry::default()).unwrap(),
        Strategy::RoundRobin { start: 0, .. }
    ));
}
