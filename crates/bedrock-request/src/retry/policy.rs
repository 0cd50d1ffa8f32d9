//! How one client retries: the AWS SDKs' standard mode (the default), or a BAML
//! `retry_policy`; and the retry quota the standard mode spends.

use std::time::Duration;

use super::outcome::{Failure, FailureKind};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};

/// The AWS SDKs' retry modes (`AWS_RETRY_MODE`, the profile's `retry_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// The standard mode: full-jitter exponential backoff, a retry quota (the default).
    Standard,
    /// The legacy mode, read as standard with its default of 5 attempts.
    Legacy,
    /// The adaptive mode, read as standard: its client-side rate limiter is not implemented
    /// (`docs/retries.md`).
    Adaptive,
}

/// The AWS SDKs' standard retry mode for a client without a BAML `retry_policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsRetry {
    /// Attempts in all, the first included (3 by default, as botocore; 1: no retry).
    pub max_attempts: u32,
    /// The mode.
    pub mode: RetryMode,
}

impl Default for AwsRetry {
    fn default() -> Self {
        AwsRetry {
            max_attempts: 3,
            mode: RetryMode::Standard,
        }
    }
}

/// The longest a standard-mode backoff waits (botocore's `_MAX_BACKOFF`).
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// How much longer than its own backoff `x-amz-retry-after` may make a wait.
const RETRY_AFTER_MAX_ADDITIONAL: Duration = Duration::from_secs(5);

impl AwsRetry {
    /// The settings as botocore resolves them: `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE` from
    /// `env`, else the profile's `max_attempts` and `retry_mode` (as the caller read them from
    /// the shared config), else 3 attempts in standard mode (5 in legacy).
    ///
    /// ```
    /// use bedrock_request::retry::{AwsRetry, RetryMode};
    /// use bedrock_request::Env;
    /// let r = AwsRetry::resolve(&Env::from_iter([("AWS_MAX_ATTEMPTS", "5")]), None, Some("adaptive"))?;
    /// assert_eq!((r.max_attempts, r.mode), (5, RetryMode::Adaptive));
    /// assert!(AwsRetry::resolve(&Env::from_iter([("AWS_MAX_ATTEMPTS", "0")]), None, None).is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn resolve(
        env: &Env,
        profile_max_attempts: Option<&str>,
        profile_retry_mode: Option<&str>,
    ) -> Result<AwsRetry> {
        let mode = match env.get_nonempty("AWS_RETRY_MODE") {
            Some(m) => mode_of(m, "AWS_RETRY_MODE")?,
            None => match profile_retry_mode {
                Some(m) => mode_of(m, "the profile's retry_mode")?,
                None => RetryMode::Standard,
            },
        };
        let attempts = match env.get_nonempty("AWS_MAX_ATTEMPTS") {
            Some(n) => Some(attempts_of(n, "AWS_MAX_ATTEMPTS")?),
            None => match profile_max_attempts {
                Some(n) => Some(attempts_of(n, "the profile's max_attempts")?),
                None => None,
            },
        };
        let default = if mode == RetryMode::Legacy { 5 } else { 3 };
        Ok(AwsRetry {
            max_attempts: attempts.unwrap_or(default),
            mode,
        })
    }

    /// Whether the standard mode retries this failure (attempts aside).
    pub fn retries(&self, failure: &Failure) -> bool {
        matches!(
            failure.kind,
            FailureKind::Throttling | FailureKind::Transient
        )
    }

    /// The wait before the next attempt after `attempts` attempts, as botocore computes it:
    /// `random × min(base × 2^(attempts − 1), 20 s)` with a base of 1 s for throttling and 50 ms
    /// otherwise, raised to `x-amz-retry-after` but at most 5 s beyond. `random` is in [0, 1).
    pub fn backoff(&self, failure: &Failure, attempts: u32, random: f64) -> Duration {
        let base = if failure.kind == FailureKind::Throttling {
            1.0
        } else {
            0.05
        };
        let exp = 2f64.powi(attempts.saturating_sub(1).min(62) as i32);
        let t = random.clamp(0.0, 1.0) * (base * exp).min(MAX_BACKOFF.as_secs_f64());
        let t = Duration::from_secs_f64(t);
        match failure.retry_after {
            Some(asked) => t.max(asked.min(t + RETRY_AFTER_MAX_ADDITIONAL)),
            None => t,
        }
    }
}

fn mode_of(text: &str, from: &str) -> Result<RetryMode> {
    match text.trim() {
        "standard" => Ok(RetryMode::Standard),
        "legacy" => Ok(RetryMode::Legacy),
        "adaptive" => Ok(RetryMode::Adaptive),
        other => Err(Error::new(
            ErrorKind::Config,
            format!("{from} is {other:?}: use standard, legacy or adaptive"),
        )),
    }
}

fn attempts_of(text: &str, from: &str) -> Result<u32> {
    match text.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Error::new(
            ErrorKind::Config,
            format!("{from} is {text:?}: give a whole number of attempts, 1 or more (1: no retry)"),
        )),
    }
}

/// How a BAML `retry_policy` waits between retries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Delay {
    /// `constant_delay`: the same wait each time (BAML's default: 200 ms).
    Constant {
        /// `delay_ms`.
        delay_ms: u64,
    },
    /// `exponential_backoff`: `delay_ms` first, then multiplied, capped.
    Exponential {
        /// `delay_ms` (default 200).
        delay_ms: u64,
        /// `multiplier` (default 1.5).
        multiplier: f64,
        /// `max_delay_ms` (default 10000).
        max_delay_ms: u64,
    },
}

/// A BAML `retry_policy NAME { max_retries N strategy { ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct BamlRetry {
    /// The policy's name.
    pub name: String,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The wait between them.
    pub delay: Delay,
}

impl BamlRetry {
    /// The wait before retry number `retry` (1 for the first).
    ///
    /// ```
    /// use bedrock_request::retry::{BamlRetry, Delay};
    /// use std::time::Duration;
    /// let p = BamlRetry { name: "P".into(), max_retries: 4, delay: Delay::Exponential { delay_ms: 100, multiplier: 2.0, max_delay_ms: 300 } };
    /// let waits: Vec<Duration> = (1..=4).map(|n| p.wait(n)).collect();
    /// assert_eq!(waits, [100, 200, 300, 300].map(Duration::from_millis));
    /// ```
    pub fn wait(&self, retry: u32) -> Duration {
        match self.delay {
            Delay::Constant { delay_ms } => Duration::from_millis(delay_ms),
            Delay::Exponential {
                delay_ms,
                multiplier,
                max_delay_ms,
            } => {
                let grown =
                    delay_ms as f64 * multiplier.powi(retry.saturating_sub(1).min(1000) as i32);
                Duration::from_millis(grown.min(max_delay_ms as f64).max(0.0) as u64)
            }
        }
    }

    /// Whether the policy retries this failure: anything but a permanent error or a refused
    /// reply.
    pub fn retries(&self, failure: &Failure) -> bool {
        !matches!(failure.kind, FailureKind::Permanent | FailureKind::Refused)
    }
}

/// The standard mode's retry quota (botocore's `RetryQuota`): 500 tokens; a retry costs 5
/// after throttling and 14 otherwise, and is not made when the quota cannot pay; a success
/// gives back what its last retry cost, or 1 when it needed none. Keep one per client and
/// pass it from call to call (`Planner::with_quota`, `Planner::into_quota`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryQuota {
    available: u32,
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota {
            available: Self::CAPACITY,
        }
    }
}

impl RetryQuota {
    /// The tokens a fresh quota holds.
    pub const CAPACITY: u32 = 500;
    const RETRY_COST: u32 = 14;
    const THROTTLING_RETRY_COST: u32 = 5;
    const NO_RETRY_INCREMENT: u32 = 1;

    /// A quota holding `available` tokens (at most [`RetryQuota::CAPACITY`]): one kept as a
    /// number, e.g. by a host that passes it from call to call.
    ///
    /// ```
    /// use bedrock_request::retry::RetryQuota;
    /// assert_eq!(RetryQuota::with_available(120).available(), 120);
    /// assert_eq!(RetryQuota::with_available(9_000).available(), RetryQuota::CAPACITY);
    /// ```
    pub fn with_available(available: u32) -> RetryQuota {
        RetryQuota {
            available: available.min(Self::CAPACITY),
        }
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }

    /// Takes the cost of retrying after `failure`; `None` when the quota cannot pay.
    pub(crate) fn acquire(&mut self, failure: &Failure) -> Option<u32> {
        let cost = if failure.kind == FailureKind::Throttling {
            Self::THROTTLING_RETRY_COST
        } else {
            Self::RETRY_COST
        };
        (cost <= self.available).then(|| {
            self.available -= cost;
            cost
        })
    }

    /// Gives back after a success: what the last retry cost, or 1.
    pub(crate) fn release(&mut self, last_cost: Option<u32>) {
        let amount = last_cost.unwrap_or(Self::NO_RETRY_INCREMENT);
        self.available = (self.available + amount).min(Self::CAPACITY);
    }
}
