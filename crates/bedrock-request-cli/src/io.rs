//! The CLI's I/O: the process environment, the clock, files and standard streams. Errors are
//! messages naming the file.

use std::io::{Read, Write};

use bedrock_request::{credentials, Env, Error};
use time::OffsetDateTime;

use crate::args::parse_time;

/// The process environment as the library's snapshot (variables that are not UTF-8 are left
/// out, as the AWS SDKs cannot use them either).
pub fn process_env() -> Env {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// The process environment with the endpoints the shared config sets for the profile (its
/// `endpoint_url`, its `services` section's `bedrock_runtime`), ranked as the AWS SDKs rank
/// them (see `credentials::with_profile_endpoints`).
pub fn process_env_for(profile: Option<&str>) -> Result<Env, String> {
    with_endpoints(&process_env(), profile)
}

/// `env` with the endpoints the shared config sets for `profile` (else `AWS_PROFILE`, else
/// `default`): call it with the profile the client uses, once its options are read.
pub fn with_endpoints(env: &Env, profile: Option<&str>) -> Result<Env, String> {
    credentials::blocking::with_profile_endpoints(env, profile).map_err(|e| e.to_string())
}

/// `--time` when given, else the clock.
pub fn now_or(time: Option<&str>) -> Result<OffsetDateTime, String> {
    match time {
        Some(t) => parse_time(t),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// A file's bytes; `-` is standard input.
pub fn read_bytes(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// A file's text; `-` is standard input.
pub fn read_text(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// A file or standard input (`-`) as a reader, for input read as it arrives.
pub fn open(path: &str) -> Result<Box<dyn Read>, String> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(Box::new(file))
}

/// Writes `text` and a newline to standard output.
pub fn print_line(text: &str) -> Result<(), String> {
    print_bytes(format!("{text}\n").as_bytes())
}

/// Writes `bytes` to standard output and flushes (text printed as a stream arrives).
pub fn print_bytes(bytes: &[u8]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

/// An error as the CLI prints it: an AWS error's whole report (hint, retry, diagnosis), else
/// the error's message.
pub fn describe(error: Error) -> String {
    match error.aws() {
        Some(aws) => aws.report(),
        None => error.to_string(),
    }
}

/// The `region` of the profile in use, read from the shared config files (the library's rules,
/// its blocking reader).
pub fn profile_region(env: &Env, profile: Option<&str>) -> Result<Option<String>, String> {
    credentials::blocking::profile_region(env, profile).map_err(|e| e.to_string())
}

/// What "no region" adds from this CLI: `--region`, and the profiles of the shared config files
/// that set a region when the profile in use (`profile`, else `AWS_PROFILE`, else `default`)
/// does not.
pub fn no_region_help(env: &Env, profile: Option<&str>) -> String {
    let in_use = profile
        .or_else(|| env.get_nonempty("AWS_PROFILE"))
        .unwrap_or("default");
    let others: Vec<(String, String)> = credentials::blocking::profiles_setting(env, "region")
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _)| name != in_use)
        .collect();
    match others.first() {
        None => ", or pass --region REGION, or a profile with a region (--profile NAME)".to_owned(),
        Some((first, _)) => format!(
            ", or pass --region REGION, or a profile with a region: the shared config files have {} (--profile {first})",
            others
                .iter()
                .map(|(name, region)| format!("{name} ({region})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The credential chain, resolved with the blocking performer; when nothing answers, the
/// error also says how this CLI selects a profile.
pub fn resolve_credentials(
    chain: bedrock_request::credentials::Chain,
) -> Result<bedrock_request::credentials::Resolved, String> {
    bedrock_request::credentials::blocking::resolve(chain).map_err(|e| {
        let message = e.to_string();
        match message.starts_with("no credentials found") {
            true => format!("{message}; this CLI selects a profile with --profile NAME"),
            false => message,
        }
    })
}
