//! The planner: from the outcome of the last attempt, what to do next, walking a
//! [`Strategy`] as BAML runs it and retrying each client as its policy says.

use std::time::Duration;

use super::outcome::{Failure, FailureKind, Outcome};
use super::policy::RetryQuota;
use super::strategy::{Retry, Strategy};
use crate::config::ClientConfig;

/// At most this many attempts in one call, whatever the nesting of policies multiplies to.
pub const MAX_TOTAL_ATTEMPTS: u32 = 100;

/// What to do next.
#[derive(Debug)]
pub enum Next<'a> {
    /// Build, sign and send a request for this client, after waiting.
    Send(Attempt<'a>),
    /// The call is over: `Ok` after a success, else the failure that ended it.
    Done(Result<(), Failure>),
}

/// One attempt to make.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// The client's name.
    pub name: &'a str,
    /// Its options: build the request from them.
    pub config: &'a ClientConfig,
    /// Wait this long first (the caller sleeps; the planner reads no clock).
    pub wait: Duration,
    /// This client's attempt number in its current run (1 for the first).
    pub attempt: u32,
    /// The attempts its policy allows in a run.
    pub of: u32,
    /// What led here, one line for a log (`attempt 2 of 3 in 1.4 s: ThrottlingException
    /// (429)`); `None` for the first attempt of a call.
    pub note: Option<String>,
}

/// One level of the walk: attempts (a client) or runs (a composite) made, and the active child.
#[derive(Clone, Copy, Debug)]
struct Frame {
    count: u32,
    child: usize,
}

/// Drives one call through a [`Strategy`]: [`start`](Self::start), then [`next`](Self::next)
/// with each attempt's [`Outcome`] until [`Next::Done`]. Deterministic: the caller owns the
/// clock, the sleep and the randomness (`random` in [0, 1) for the AWS mode's jitter), so a
/// test drives it on a virtual clock.
///
/// ```
/// use bedrock_request::retry::{AwsRetry, Next, Outcome, Planner, Strategy};
/// use bedrock_request::ClientConfig;
/// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
/// let mut planner = Planner::new(Strategy::client("A", config, AwsRetry::default()));
/// let Next::Send(first) = planner.start() else { panic!() };
/// assert_eq!((first.attempt, first.of), (1, 3));
/// let throttled = Outcome::of_response(429, &[("x-amzn-errortype".into(), "ThrottlingException".into())], b"{}");
/// let Next::Send(second) = planner.next(&throttled, 0.5) else { panic!() };
/// // Full jitter: random × min(1 s × 2^0, 20 s).
/// assert_eq!(second.wait.as_millis(), 500);
/// assert_eq!(second.note.as_deref(), Some("attempt 2 of 3 in 0.5 s: ThrottlingException (429)"));
/// assert!(matches!(planner.next(&Outcome::Success, 0.0), Next::Done(Ok(()))));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Debug)]
pub struct Planner {
    root: Strategy,
    turn: u64,
    quota: RetryQuota,
    frames: Vec<Frame>,
    total: u32,
    last_cost: Option<u32>,
}

impl Planner {
    /// A planner for one call of this strategy, with a full retry quota and turn 0.
    pub fn new(root: Strategy) -> Planner {
        Planner {
            root,
            turn: 0,
            quota: RetryQuota::default(),
            frames: Vec::new(),
            total: 0,
            last_cost: None,
        }
    }

    /// Round-robin's turn: the caller's count of calls made with this strategy (a
    /// round-robin client starts at `(start + turn) % n`).
    pub fn with_turn(mut self, turn: u64) -> Planner {
        self.turn = turn;
        self
    }

    /// The retry quota left by the previous call of the same client.
    pub fn with_quota(mut self, quota: RetryQuota) -> Planner {
        self.quota = quota;
        self
    }

    /// The quota, to pass to the next call's planner.
    pub fn into_quota(self) -> RetryQuota {
        self.quota
    }

    /// The quota as it stands now (after the last step).
    pub fn quota(&self) -> RetryQuota {
        self.quota
    }

    /// The first attempt of the call.
    pub fn start(&mut self) -> Next<'_> {
        self.frames.clear();
        self.total = 0;
        self.frames.push(Frame { count: 1, child: 0 });
        self.descend();
        self.send(Duration::ZERO, None)
    }

    /// After an attempt's `outcome`: the next attempt (on this client, or on the next one of a
    /// fallback or round-robin), or the end. `random` in [0, 1) is the jitter.
    pub fn next(&mut self, outcome: &Outcome, random: f64) -> Next<'_> {
        let failure = match outcome {
            Outcome::Success => {
                self.quota.release(self.last_cost);
                return Next::Done(Ok(()));
            }
            Outcome::Failed(f) => f.clone(),
        };
        // A refused reply ends the call; any other failure may move a fallback on (a permanent
        // one is never retried: see below).
        if self.frames.is_empty()
            || failure.kind == FailureKind::Refused
            || self.total >= MAX_TOTAL_ATTEMPTS
        {
            return Next::Done(Err(failure));
        }
        // The client retries, as its policy says.
        let depth = self.frames.len() - 1;
        let attempts = self.frames[depth].count;
        let retried = match self.node(depth) {
            Strategy::Client {
                retry: Retry::Aws(aws),
                ..
            } if aws.retries(&failure) && attempts < aws.max_attempts => {
                let aws = *aws;
                self.quota.acquire(&failure).map(|cost| {
                    self.last_cost = Some(cost);
                    aws.backoff(&failure, attempts, random)
                })
            }
            Strategy::Client {
                retry: Retry::Baml(policy),
                ..
            } if policy.retries(&failure) && attempts <= policy.max_retries => {
                Some(policy.wait(attempts))
            }
            _ => None,
        };
        if let Some(wait) = retried {
            self.frames[depth].count += 1;
            let note = format!(
                "attempt {} of {} in {}: {}",
                attempts + 1,
                self.of(depth),
                seconds(wait),
                failure.summary
            );
            return self.send(wait, Some(note));
        }
        // The client failed: its composites move on, or replay, or fail in turn.
        let failed = self.node(depth).name().to_owned();
        self.frames.pop();
        while let Some(depth) = self.frames.len().checked_sub(1) {
            let frame = self.frames[depth];
            let n = self.node(depth).children().len();
            let (next_child, wait, replay) = match self.node(depth) {
                Strategy::Fallback { .. } if frame.child + 1 < n => {
                    (Some(frame.child + 1), Duration::ZERO, false)
                }
                Strategy::Fallback {
                    retry: Some(policy),
                    ..
                } if policy.retries(&failure) && frame.count <= policy.max_retries => {
                    (Some(0), policy.wait(frame.count), true)
                }
                Strategy::RoundRobin {
                    retry: Some(policy),
                    ..
                } if policy.retries(&failure) && frame.count <= policy.max_retries => {
                    (Some((frame.child + 1) % n), policy.wait(frame.count), true)
                }
                _ => (None, Duration::ZERO, false),
            };
            if replay {
                self.frames[depth].count += 1;
            }
            let Some(child) = next_child else {
                self.frames.pop();
                continue;
            };
            self.frames[depth].child = child;
            self.frames.truncate(depth + 1);
            let composite = self.node(depth).name().to_owned();
            self.frames.push(Frame { count: 1, child: 0 });
            self.descend();
            let to = self.node(self.frames.len() - 1).name().to_owned();
            let when = match wait.is_zero() {
                true => String::new(),
                false => format!(" in {}", seconds(wait)),
            };
            // A move to the next client, or the composite's retry_policy starting it over.
            let note = match replay {
                false => format!(
                    "{composite}: from {failed} to {to}{when}: {}",
                    failure.summary
                ),
                true => format!(
                    "{composite}: retry {} of its retry_policy{when}, from {to}: {}",
                    self.frames[depth].count - 1,
                    failure.summary
                ),
            };
            return self.send(wait, Some(note));
        }
        Next::Done(Err(failure))
    }

    /// The node the frame at `depth` stands for.
    fn node(&self, depth: usize) -> &Strategy {
        let mut node = &self.root;
        for frame in &self.frames[..depth] {
            node = &node.children()[frame.child];
        }
        node
    }

    /// From the top frame (just pushed for its node) down to a client: each composite picks
    /// its first child (a round-robin its turn's).
    fn descend(&mut self) {
        loop {
            let depth = self.frames.len() - 1;
            let first = match self.node(depth) {
                Strategy::Client { .. } => return,
                Strategy::Fallback { .. } => 0,
                Strategy::RoundRobin {
                    strategy, start, ..
                } => (*start as u64 + self.turn) as usize % strategy.len(),
            };
            if self.frames[depth].count == 1 && self.frames[depth].child == 0 {
                self.frames[depth].child = first;
            }
            self.frames.push(Frame { count: 1, child: 0 });
        }
    }

    /// The attempts the client at `depth` may make in a run.
    fn of(&self, depth: usize) -> u32 {
        match self.node(depth) {
            Strategy::Client {
                retry: Retry::Aws(aws),
                ..
            } => aws.max_attempts,
            Strategy::Client {
                retry: Retry::Baml(policy),
                ..
            } => policy.max_retries + 1,
            _ => 1,
        }
    }

    fn send(&mut self, wait: Duration, note: Option<String>) -> Next<'_> {
        self.total += 1;
        let depth = self.frames.len() - 1;
        let of = self.of(depth);
        let attempt = self.frames[depth].count;
        let Strategy::Client { name, config, .. } = self.node(depth) else {
            unreachable!("descend ends on a client")
        };
        Next::Send(Attempt {
            name,
            config,
            wait,
            attempt,
            of,
            note,
        })
    }
}

/// `1.4 s`, `0.05 s`, `12 s`: whole seconds from 10 s, tenths from 1 s, else up to three
/// decimals (integer arithmetic on milliseconds).
fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    let text = if ms >= 9_950 {
        ((ms + 500) / 1000).to_string()
    } else if ms >= 1000 {
        let tenths = (ms + 50) / 100;
        format!("{}.{}", tenths / 10, tenths % 10)
    } else {
        format!("0.{ms:03}")
    };
    let text = match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.'),
        false => &text,
    };
    format!("{text} s")
}

#[cfg(test)]
mod tests {
    use super::seconds;
    use std::time::Duration;

    #[test]
    fn waits_read_as_seconds() {
        for (ms, text) in [
            (0, "0 s"),
            (25, "0.025 s"),
            (50, "0.05 s"),
            (500, "0.5 s"),
            (1400, "1.4 s"),
            (1960, "2 s"),
            (9949, "9.9 s"),
            (9950, "10 s"),
            (19_980, "20 s"),
        ] {
            assert_eq!(seconds(Duration::from_millis(ms)), text);
        }
    }
}
