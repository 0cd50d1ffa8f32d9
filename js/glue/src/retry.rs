//! The retry planner for the host (`RetryPlan`, `sendWithRetries`): `retryNew`, `retryNext`,
//! `retryFree` over the library's `retry::Planner`, kept in the module's slots like streams.

use std::cell::RefCell;
use std::time::Duration;

use bedrock_request::retry::{AwsRetry, FailureKind, Next, Outcome, Planner, RetryQuota, Strategy};
use bedrock_request::{BamlFile, ClientConfig, Value};

use super::{env_of, error, fail, field, headers_of, id_of, text, Json, Out, Slots};

thread_local! {
    static PLANS: RefCell<Slots<Planner>> = const { RefCell::new(Slots::new()) };
}

/// `retryNew {baml+client | options, env?, maxAttempts?, noRetry?, turn?, quota?}` → `{id,
/// next}`; `retryNext {id, outcome, random}` → the next step; `retryFree {id}`. Each step
/// carries the retry quota left (`quota`), for the host to pass to the client's next call.
pub(super) fn retry_op(op: &str, input: &Value) -> Out {
    PLANS.with(|cell| {
        let mut plans = cell.borrow_mut();
        if op == "retryNew" {
            let mut planner = Planner::new(strategy_of(input)?);
            if let Some(turn) = input.get("turn").and_then(Value::as_u64) {
                planner = planner.with_turn(turn);
            }
            if let Some(quota) = input.get("quota").filter(|q| !q.is_null()) {
                let tokens = quota.as_u64().ok_or_else(|| {
                    fail("Input", "quota must be a whole number of tokens (0 to 500), as a step's quota gives")
                })?;
                planner = planner.with_quota(RetryQuota::with_available(tokens.min(500) as u32));
            }
            let next = step_of(&mut planner, Planner::start);
            let id = plans.insert(planner);
            return Ok(Json::object().num("id", id).raw("next", &next).end());
        }
        let id = id_of(input)?;
        if op == "retryFree" {
            plans.remove(id, "retry plan")?;
            return Ok("{}".into());
        }
        let planner = plans.get_mut(id, "retry plan")?;
        let outcome = outcome_of(field(input, "outcome")?)?;
        let random = input
            .get("random")
            .and_then(|r| match r {
                Value::Number(n) => Some(n.as_f64()),
                _ => None,
            })
            .unwrap_or(0.5);
        Ok(step_of(planner, |p| p.next(&outcome, random)))
    })
}

fn strategy_of(input: &Value) -> Result<Strategy, Value> {
    let env = env_of(input);
    let aws = AwsRetry::resolve(&env, None, None).map_err(error)?;
    let strategy = match (input.get("baml"), input.get("options")) {
        (Some(Value::String(baml)), _) => {
            let file = BamlFile::parse(baml).map_err(error)?;
            Strategy::from_baml(&file, text(input, "client")?, &env, aws).map_err(error)?
        }
        (_, Some(options)) if !options.is_null() => {
            let config = ClientConfig::from_options(options, None).map_err(error)?;
            Strategy::client("options", config, aws)
        }
        _ => {
            return Err(fail(
                "Input",
                "give options (an object) or baml text with client",
            ))
        }
    };
    let no_retry = input.get("noRetry").and_then(Value::as_bool) == Some(true);
    Ok(match input.get("maxAttempts").and_then(Value::as_u64) {
        _ if no_retry => strategy.without_retries(),
        Some(n) if n >= 1 => strategy.with_max_attempts(n.min(u64::from(u32::MAX)) as u32),
        Some(_) => return Err(fail("Input", "maxAttempts must be 1 or more")),
        None => strategy,
    })
}

/// `{type: 'success'}`, `{type: 'response', status, headers, bodyText}`, `{type: 'transport',
/// why}`, `{type: 'refused', why}`.
fn outcome_of(o: &Value) -> Result<Outcome, Value> {
    let why = || {
        o.get("why")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    match text(o, "type")? {
        "success" => Ok(Outcome::Success),
        "transport" => Ok(Outcome::transport(why())),
        "refused" => Ok(Outcome::refused(why())),
        "response" => {
            let status = field(o, "status")?
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| fail("Input", "status must be an HTTP status"))?;
            let body = o.get("bodyText").and_then(Value::as_str).unwrap_or("");
            Ok(Outcome::of_response(
                status,
                &headers_of(o),
                body.as_bytes(),
            ))
        }
        other => Err(fail(
            "Input",
            format!("unknown outcome type {other:?}: success, response, transport or refused"),
        )),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A step as JSON, with the quota left after it.
fn step_of(planner: &mut Planner, step: impl FnOnce(&mut Planner) -> Next<'_>) -> String {
    let mut j = step_fields(step(planner));
    j.num("quota", u64::from(planner.quota().available())).end()
}

/// The step's fields (an unfinished object).
fn step_fields(next: Next<'_>) -> Json {
    let mut j = Json::object();
    match next {
        Next::Send(a) => {
            j.str("type", "send")
                .str("client", a.name)
                .num("waitMs", millis(a.wait))
                .num("attempt", u64::from(a.attempt))
                .num("of", u64::from(a.of))
                .opt_str("note", a.note.as_deref());
        }
        Next::Done(Ok(())) => {
            j.str("type", "done").raw("ok", "true");
        }
        Next::Done(Err(f)) => {
            let kind = match f.kind {
                FailureKind::Throttling => "throttling",
                FailureKind::Transient => "transient",
                FailureKind::Permanent => "permanent",
                FailureKind::Refused => "refused",
                _ => "other",
            };
            j.str("type", "done")
                .raw("ok", "false")
                .str("kind", kind)
                .opt_num("status", f.status.map(u64::from))
                .str("code", &f.code)
                .str("summary", &f.summary);
        }
    }
    j
}
