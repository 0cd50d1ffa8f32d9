//! BAML's client strategies as a tree: a client with its retry policy, `fallback` and
//! `round-robin` composites of clients (nested as BAML allows), from a BAML file.

use super::policy::{AwsRetry, BamlRetry, Delay};
use crate::config::{BamlFile, ClientConfig};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::value::Value;

/// How deep composites may nest (a strategy naming itself is an error before this).
const MAX_NESTING: usize = 16;

/// How a client retries.
#[derive(Clone, Debug, PartialEq)]
pub enum Retry {
    /// The AWS SDKs' standard mode (a client without a `retry_policy`).
    Aws(AwsRetry),
    /// Its BAML `retry_policy`, which replaces the AWS default (they never stack).
    Baml(BamlRetry),
    /// No retry (`--no-retry`).
    Off,
}

/// A client, or a composite of clients, as BAML's `client<llm>` blocks define them.
#[derive(Clone, Debug, PartialEq)]
pub enum Strategy {
    /// An `aws-bedrock` client.
    Client {
        /// Its name.
        name: String,
        /// Its validated options.
        config: Box<ClientConfig>,
        /// How it retries.
        retry: Retry,
    },
    /// `provider fallback`: each client in order until one succeeds.
    Fallback {
        /// Its name.
        name: String,
        /// The clients, in order.
        strategy: Vec<Strategy>,
        /// A `retry_policy` replays the whole strategy.
        retry: Option<BamlRetry>,
    },
    /// `provider round-robin`: each call goes to the next client, from `start`.
    RoundRobin {
        /// Its name.
        name: String,
        /// The clients, in turn.
        strategy: Vec<Strategy>,
        /// The first call's client (BAML picks one at random when `start` is absent; here it
        /// is 0, and the caller's turn counter rotates from it).
        start: usize,
        /// A `retry_policy` replays the strategy, on the next client each time.
        retry: Option<BamlRetry>,
    },
}

impl Strategy {
    /// One client with the AWS default retries.
    pub fn client(name: impl Into<String>, config: ClientConfig, aws: AwsRetry) -> Strategy {
        Strategy::Client {
            name: name.into(),
            config: Box::new(config),
            retry: Retry::Aws(aws),
        }
    }

    /// The strategy of the BAML client `name`: an `aws-bedrock` client with its
    /// `retry_policy` (else `aws`), or a `fallback` / `round-robin` client and what it names,
    /// nested. `env` resolves `env.NAME` references.
    ///
    /// ```
    /// use bedrock_request::retry::{AwsRetry, Strategy};
    /// use bedrock_request::{BamlFile, Env};
    /// let file = BamlFile::parse(r#"
    ///   retry_policy Twice {
    ///     max_retries 2
    ///     strategy { type exponential_backoff, delay_ms 100 }
    ///   }
    ///   client<llm> A {
    ///     provider aws-bedrock
    ///     retry_policy Twice
    ///     options { model m1, region us-east-1 }
    ///   }
    ///   client<llm> B {
    ///     provider aws-bedrock
    ///     options { model m2, region us-west-2 }
    ///   }
    ///   client<llm> F {
    ///     provider fallback
    ///     options { strategy [A, B] }
    ///   }
    /// "#)?;
    /// let Strategy::Fallback { strategy, .. } = Strategy::from_baml(&file, "F", &Env::new(), AwsRetry::default())? else { panic!() };
    /// assert_eq!(strategy.len(), 2);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn from_baml(file: &BamlFile, name: &str, env: &Env, aws: AwsRetry) -> Result<Strategy> {
        let mut path = Vec::new();
        read(file, name, env, aws, &mut path)
    }

    /// The same strategy with every retry off (a fallback still moves on).
    pub fn without_retries(self) -> Strategy {
        let off = self.rebuild::<std::convert::Infallible>(
            &mut |name, config, _| Ok((name, config, Retry::Off)),
            &|_| None,
        );
        match off {
            Ok(s) => s,
            Err(never) => match never {},
        }
    }

    /// The same strategy with `max_attempts` for every client on the AWS default mode.
    pub fn with_max_attempts(self, max_attempts: u32) -> Strategy {
        let set = self.rebuild::<std::convert::Infallible>(
            &mut |name, config, retry| {
                let retry = match retry {
                    Retry::Aws(aws) => Retry::Aws(AwsRetry {
                        max_attempts: max_attempts.max(1),
                        ..aws
                    }),
                    other => other,
                };
                Ok((name, config, retry))
            },
            &|retry| retry,
        );
        match set {
            Ok(s) => s,
            Err(never) => match never {},
        }
    }

    /// The same strategy with `f` applied to every client's options (a caller's overrides).
    pub fn try_map_configs<E>(
        self,
        f: &mut impl FnMut(ClientConfig) -> std::result::Result<ClientConfig, E>,
    ) -> std::result::Result<Strategy, E> {
        self.rebuild(
            &mut |name, config, retry| Ok((name, Box::new(f(*config)?), retry)),
            &|retry| retry,
        )
    }

    /// The same tree with each client remade by `client` and each composite's retry policy by
    /// `composite`.
    fn rebuild<E>(
        self,
        client: &mut impl FnMut(
            String,
            Box<ClientConfig>,
            Retry,
        ) -> std::result::Result<(String, Box<ClientConfig>, Retry), E>,
        composite: &impl Fn(Option<BamlRetry>) -> Option<BamlRetry>,
    ) -> std::result::Result<Strategy, E> {
        let mut all = |s: Vec<Strategy>| {
            s.into_iter()
                .map(|c| c.rebuild(client, composite))
                .collect::<std::result::Result<Vec<_>, E>>()
        };
        Ok(match self {
            Strategy::Client {
                name,
                config,
                retry,
            } => {
                let (name, config, retry) = client(name, config, retry)?;
                Strategy::Client {
                    name,
                    config,
                    retry,
                }
            }
            Strategy::Fallback {
                name,
                strategy,
                retry,
            } => Strategy::Fallback {
                name,
                strategy: all(strategy)?,
                retry: composite(retry),
            },
            Strategy::RoundRobin {
                name,
                strategy,
                start,
                retry,
            } => Strategy::RoundRobin {
                name,
                strategy: all(strategy)?,
                start,
                retry: composite(retry),
            },
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Strategy::Client { name, .. }
            | Strategy::Fallback { name, .. }
            | Strategy::RoundRobin { name, .. } => name,
        }
    }

    /// The clients of a composite (none for a client).
    pub(crate) fn children(&self) -> &[Strategy] {
        match self {
            Strategy::Client { .. } => &[],
            Strategy::Fallback { strategy, .. } | Strategy::RoundRobin { strategy, .. } => strategy,
        }
    }
}

fn read(
    file: &BamlFile,
    name: &str,
    env: &Env,
    aws: AwsRetry,
    path: &mut Vec<String>,
) -> Result<Strategy> {
    if path.iter().any(|p| p == name) {
        return Err(Error::baml(format!(
            "client {name} names itself through {}: a strategy must end in aws-bedrock clients",
            path.join(" -> ")
        )));
    }
    if path.len() >= MAX_NESTING {
        return Err(Error::baml(format!(
            "client strategies nest deeper than {MAX_NESTING} levels at {name}"
        )));
    }
    let client = file.client(name)?;
    let retry = match client.retry_policy() {
        Some(policy) => Some(baml_retry(policy, &file.retry_policy(policy)?)?),
        None => None,
    };
    let composite = |path: &mut Vec<String>| -> Result<(Vec<Strategy>, Option<usize>)> {
        let options = client.options(env)?;
        let Value::Object(entries) = &options else {
            unreachable!("options are a map")
        };
        let mut names = None;
        let mut start = None;
        for (key, value) in entries {
            match (key.as_str(), value) {
                ("strategy", Value::Array(items)) => {
                    let list: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                    names = Some(list.ok_or_else(|| {
                        Error::baml(format!(
                            "client {name}: strategy must be a list of client names"
                        ))
                    })?);
                }
                ("start", Value::Number(n)) if client.provider() == "round-robin" => {
                    start = Some(n.as_f64() as usize);
                }
                (other, _) => {
                    return Err(Error::baml(format!(
                        "client {name}: {other} is not an option of a {} client (strategy{})",
                        client.provider(),
                        if client.provider() == "round-robin" {
                            ", start"
                        } else {
                            ""
                        }
                    )))
                }
            }
        }
        let names = names.filter(|n| !n.is_empty()).ok_or_else(|| {
            Error::baml(format!(
                "client {name}: a {} client needs strategy [A, B, ...]",
                client.provider()
            ))
        })?;
        path.push(name.to_owned());
        let children = names
            .iter()
            .map(|child| read(file, child, env, aws, path))
            .collect::<Result<Vec<_>>>();
        path.pop();
        Ok((children?, start))
    };
    match client.provider() {
        "aws-bedrock" => Ok(Strategy::Client {
            name: name.to_owned(),
            config: Box::new(client.to_config(env)?),
            retry: match retry {
                Some(p) => Retry::Baml(p),
                None => Retry::Aws(aws),
            },
        }),
        "fallback" | "baml-fallback" => {
            let (strategy, _) = composite(path)?;
            Ok(Strategy::Fallback {
                name: name.to_owned(),
                strategy,
                retry,
            })
        }
        "round-robin" | "baml-round-robin" => {
            let (strategy, start) = composite(path)?;
            let start = start.unwrap_or(0);
            if start >= strategy.len() {
                return Err(Error::baml(format!(
                    "client {name}: start {start} is past its {} clients (count from 0)",
                    strategy.len()
                )));
            }
            Ok(Strategy::RoundRobin {
                name: name.to_owned(),
                strategy,
                start,
                retry,
            })
        }
        other => Err(Error::baml(format!(
            "client {name} uses provider {other}: a strategy here holds aws-bedrock, fallback and round-robin clients"
        ))),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(n.as_f64()),
        _ => None,
    }
}

/// `retry_policy NAME { max_retries N strategy { type ..., delay_ms ... } }`.
fn baml_retry(name: &str, fields: &Value) -> Result<BamlRetry> {
    let bad = |what: String| Error::baml(format!("retry_policy {name}: {what}"));
    let whole = |v: &Value, what: &str| {
        number(v)
            .filter(|f| *f >= 0.0 && f.fract() == 0.0)
            .map(|f| f as u64)
            .ok_or_else(|| bad(format!("{what} must be a whole number of 0 or more")))
    };
    let Value::Object(entries) = fields else {
        return Err(bad("must be a block".into()));
    };
    let mut max_retries = None;
    let mut delay = Delay::Constant { delay_ms: 200 };
    for (key, value) in entries {
        match key.as_str() {
            "max_retries" => max_retries = Some(whole(value, "max_retries")?.min(100) as u32),
            "strategy" => {
                let Value::Object(s) = value else {
                    return Err(bad("strategy must be a block { type ... }".into()));
                };
                let get = |k: &str| s.iter().find(|(key, _)| key == k).map(|(_, v)| v);
                let ms = |k: &str, default: u64| get(k).map_or(Ok(default), |v| whole(v, k));
                for (k, _) in s {
                    if !["type", "delay_ms", "multiplier", "max_delay_ms"].contains(&k.as_str()) {
                        return Err(bad(format!("{k} is not a strategy field (type, delay_ms, multiplier, max_delay_ms)")));
                    }
                }
                delay = match get("type").and_then(Value::as_str) {
                    Some("constant_delay") => Delay::Constant {
                        delay_ms: ms("delay_ms", 200)?,
                    },
                    Some("exponential_backoff") => Delay::Exponential {
                        delay_ms: ms("delay_ms", 200)?,
                        multiplier: match get("multiplier") {
                            Some(v) => number(v)
                                .filter(|m| *m > 0.0 && m.is_finite())
                                .ok_or_else(|| bad("multiplier must be a number above 0".into()))?,
                            None => 1.5,
                        },
                        max_delay_ms: ms("max_delay_ms", 10_000)?,
                    },
                    Some(other) => return Err(bad(format!(
                        "strategy type {other:?} is not constant_delay or exponential_backoff{}",
                        if other.contains(char::is_whitespace) {
                            " (put each field of the strategy block on its own line or separate them with commas)"
                        } else {
                            ""
                        }
                    ))),
                    None => {
                        return Err(bad(
                            "strategy needs type constant_delay or exponential_backoff".into(),
                        ))
                    }
                };
            }
            other => {
                return Err(bad(format!(
                    "{other} is not a field of a retry_policy (max_retries, strategy)"
                )))
            }
        }
    }
    Ok(BamlRetry {
        name: name.to_owned(),
        max_retries: max_retries.ok_or_else(|| bad("max_retries is required".into()))?,
        delay,
    })
}
