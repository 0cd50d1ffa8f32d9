//! Retries and BAML's client strategies, sans-IO: a [`Planner`] walks a [`Strategy`] (a
//! client with its retry policy, or `fallback` / `round-robin` composites of clients) and,
//! from the [`Outcome`] of each attempt, answers what to do next: send to this client after
//! this wait, or stop. The caller sends, sleeps and draws the jitter; nothing here reads a
//! clock or keeps state outside the values the caller holds.
//!
//! A client without a BAML `retry_policy` follows the AWS SDKs' standard mode (botocore's
//! `retries/standard.py`): 3 attempts (`AWS_MAX_ATTEMPTS`, the profile's `max_attempts`),
//! throttling and transient errors retried with full-jitter exponential backoff (1 s base for
//! throttling, 50 ms otherwise, 20 s cap), `x-amz-retry-after` honoured, a retry quota. A
//! `retry_policy` replaces that for its client. A finish-reason or structured-parse failure
//! ends the call: no retry, no fallback. Errors the same request would get again are not
//! retried, but a fallback moves on, as BAML's does. `docs/retries.md` has the rules and an
//! example loop.

mod outcome;
mod planner;
mod policy;
mod strategy;

pub use outcome::{Failure, FailureKind, Outcome};
pub use planner::{Attempt, Next, Planner, MAX_TOTAL_ATTEMPTS};
pub use policy::{AwsRetry, BamlRetry, Delay, RetryMode, RetryQuota};
pub use strategy::{Retry, Strategy};
