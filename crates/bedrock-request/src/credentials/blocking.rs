//! The blocking performer (feature `blocking`, native only, off by default): the one place in
//! the library that reads files, runs processes, sends requests and reads the clock, so that a
//! program gets the whole credential chain in one call.
//!
//! ```no_run
//! use bedrock_request::credentials::{blocking::Resolver, Chain};
//! use bedrock_request::{converse::Builder, ClientConfig, Env, Message};
//!
//! let env: Env = std::env::vars().collect();
//! let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").build()?;
//! let mut resolver = Resolver::new(Chain::new(&config, &env));
//! let resolved = resolver.resolve()?; // profiles, SSO, roles, IMDS...: kept until they expire
//! let request = Builder::new(&config, &[Message::user("Hi")], &env)
//!     .profile_region(resolved.region.as_deref())
//!     .build()?
//!     .sign(&resolved.auth, time::OffsetDateTime::now_utc())?;
//! # let _ = request;
//! # Ok::<(), bedrock_request::Error>(())
//! ```
//!
//! An async program drives [`Chain`] itself, the same way: `poll(now)`, perform the step with
//! its own client (`reqwest`, `hyper`...; `tokio::fs`, `tokio::process`), `handle` the result.

use std::time::Duration;

use time::OffsetDateTime;

use super::{Chain, Performed, ProcessOutput, Resolved, Step, MAX_STEPS};
use crate::auth::Auth;
use crate::env::Env;
use crate::error::Result;
use crate::request::HttpResponse;

/// How long before credentials expire [`Resolver`] renews them (the AWS SDKs use 5 minutes).
pub const REFRESH_MARGIN: time::Duration = time::Duration::minutes(5);

/// Resolves credentials through the whole chain in one call, performing each step: files with
/// `std::fs`, requests with a blocking HTTP client (2 s to connect, 10 s in all), processes
/// without a shell. Reads the clock.
///
/// The chain says what to resolve for: [`Chain::new`] for a client config, [`Chain::from_env`]
/// for none in particular, [`Chain::with_profile`] for an explicit profile. No source answering
/// is [`Chain::not_found_error`].
pub fn resolve(mut chain: Chain) -> Result<Resolved> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let now = OffsetDateTime::now_utc();
    for _ in 0..MAX_STEPS {
        match chain.poll(now)? {
            Step::Done(resolved) => return Ok(resolved),
            Step::NotFound => return Err(chain.not_found_error()),
            step => chain.handle(perform(&agent, &step))?,
        }
    }
    Err(crate::error::Error::credentials(format!(
        "the credential chain did not finish in {MAX_STEPS} steps"
    )))
}

/// Keeps what it resolved until [`Credentials::needs_refresh`](crate::Credentials::needs_refresh)
/// says to renew ([`REFRESH_MARGIN`] before they expire), so a long-running program makes no
/// STS call per request.
///
/// ```
/// use bedrock_request::credentials::{blocking::Resolver, Chain};
/// use bedrock_request::{Auth, ClientConfig, Env};
/// // Keys in the environment (no files, no instance metadata here).
/// let env = Env::from_iter([
///     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
///     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
///     ("AWS_EC2_METADATA_DISABLED", "true"),
/// ]);
/// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
/// let mut resolver = Resolver::new(Chain::new(&config, &env));
/// // Once per request: the chain runs again only when what it found is about to expire.
/// let resolved = resolver.resolve()?;
/// assert!(matches!(&resolved.auth, Auth::SigV4(c) if c.access_key_id() == "AKIDEXAMPLE"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Debug)]
pub struct Resolver {
    chain: Chain,
    cached: Option<Resolved>,
}

impl Resolver {
    /// A resolver that runs this chain when it has nothing fresh.
    pub fn new(chain: Chain) -> Resolver {
        Resolver {
            chain,
            cached: None,
        }
    }

    /// The credentials: the ones resolved before while they are fresh, else the chain again.
    pub fn resolve(&mut self) -> Result<Resolved> {
        let now = OffsetDateTime::now_utc();
        let fresh = |r: &Resolved| match &r.auth {
            Auth::SigV4(c) => !c.needs_refresh(now, REFRESH_MARGIN),
            _ => true,
        };
        if let Some(cached) = self.cached.as_ref().filter(|r| fresh(r)) {
            return Ok(cached.clone());
        }
        let resolved = resolve(self.chain.clone())?;
        self.cached = Some(resolved.clone());
        Ok(resolved)
    }
}

/// A file's text, `None` when it does not exist, and why when it exists but cannot be read
/// (permissions, not UTF-8, not a regular file, more than `max_bytes`): never taken as missing.
/// A FIFO or a device is refused before it is opened (reading one could block for ever or
/// never end), and no more than `max_bytes` is read whatever the file claims.
pub fn read_file(path: &str, max_bytes: u64) -> std::result::Result<Option<String>, String> {
    use std::io::Read;
    let not_regular = |m: &std::fs::Metadata| {
        (!m.is_file()).then(|| "it is not a regular file (a FIFO, a device or a folder)".to_owned())
    };
    let too_large = |len: u64| {
        (len > max_bytes)
            .then(|| format!("it holds more than {max_bytes} bytes, more than such a file may"))
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if let Some(why) = not_regular(&metadata).or_else(|| too_large(metadata.len())) {
        return Err(why);
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let opened = file.metadata().map_err(|e| e.to_string())?;
    if let Some(why) = not_regular(&opened) {
        return Err(why);
    }
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if let Some(why) = too_large(bytes.len() as u64) {
        return Err(why);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "it is not UTF-8 text".to_owned())
}

/// Performs one step of the chain (what [`super::drive`] asks of its performer).
pub fn perform(agent: &ureq::Agent, step: &Step) -> Performed {
    match step {
        Step::ReadFile { path, max_bytes } => match read_file(path, *max_bytes) {
            Ok(text) => Performed::File(text),
            Err(why) => Performed::Unreadable(why),
        },
        Step::Send(request) => send_with_retries(agent, request),
        Step::Run { argv, .. } => Performed::Process(run(argv)),
        _ => Performed::Unreachable("not a step to perform".into()),
    }
}

/// Sends a credential request (STS, SSO, a container or instance metadata endpoint); a
/// throttling or transient answer (429, 5xx) is sent again as the AWS SDKs' standard mode
/// does: 3 attempts, full-jitter backoff. A request that gets no answer is not retried (the
/// instance metadata service is absent everywhere but EC2: asking again only waits longer).
fn send_with_retries(agent: &ureq::Agent, request: &crate::request::HttpRequest) -> Performed {
    use crate::retry::{AwsRetry, Outcome};
    let aws = AwsRetry::default();
    let mut attempt = 1;
    loop {
        let performed = send_once(agent, request);
        let Performed::Response(response) = &performed else {
            return performed;
        };
        let outcome = Outcome::of_response(response.status, &response.headers, &response.body);
        let Outcome::Failed(failure) = outcome else {
            return performed;
        };
        if !aws.retries(&failure) || attempt >= aws.max_attempts {
            return performed;
        }
        std::thread::sleep(aws.backoff(&failure, attempt, jitter()));
        attempt += 1;
    }
}

/// A number in [0, 1) from std's random hasher keys.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

fn send_once(agent: &ureq::Agent, request: &crate::request::HttpRequest) -> Performed {
    let sent = request
        .to_http_request()
        .map_err(|e| e.to_string())
        .and_then(|r| agent.run(r).map_err(|e| e.to_string()));
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            match response.into_body().read_to_vec() {
                Ok(body) => Performed::Response(HttpResponse {
                    status,
                    headers,
                    body,
                }),
                Err(e) => Performed::Unreachable(e.to_string()),
            }
        }
        Err(e) => Performed::Unreachable(e),
    }
}

fn run(argv: &[String]) -> ProcessOutput {
    let Some((program, args)) = argv.split_first() else {
        return ProcessOutput {
            success: false,
            stdout: String::new(),
            stderr: "an empty command".into(),
        };
    };
    match std::process::Command::new(program).args(args).output() {
        // Credentials with a stray byte would sign wrongly: refused, not read lossily.
        Ok(o) => match String::from_utf8(o.stdout) {
            Ok(stdout) => ProcessOutput {
                success: o.status.success(),
                stdout,
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            },
            Err(e) => ProcessOutput {
                success: false,
                stdout: String::new(),
                stderr: format!(
                    "{program} printed a byte that is not UTF-8 (at offset {}): credential_process must print its JSON in UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            },
        },
        Err(e) => ProcessOutput {
            success: false,
            stdout: String::new(),
            stderr: format!("cannot run {program}: {e}"),
        },
    }
}

/// The `region` of the profile in use, read from the shared config files.
pub fn profile_region(env: &Env, profile: Option<&str>) -> Result<Option<String>> {
    profile_setting(env, profile, "region")
}

/// A setting of the profile in use, read from the shared config files.
pub fn profile_setting(env: &Env, profile: Option<&str>, key: &str) -> Result<Option<String>> {
    super::profile_setting(env, profile, key, |path| {
        read_file(path, super::MAX_CONFIG_FILE)
    })
}

/// [`super::profiles_setting`]: every profile that sets `key`, the files read with `std::fs`.
pub fn profiles_setting(env: &Env, key: &str) -> Result<Vec<(String, String)>> {
    super::profiles_setting(env, key, |path| read_file(path, super::MAX_CONFIG_FILE))
}

/// [`super::with_profile_endpoints`], the files read with `std::fs`.
pub fn with_profile_endpoints(env: &Env, profile: Option<&str>) -> Result<Env> {
    super::with_profile_endpoints(env, profile, |path| read_file(path, super::MAX_CONFIG_FILE))
}
