//! `credential_process`: the command to run, and its output parsed.

use time::OffsetDateTime;

use super::{cred_error, credentials_from_json, parse_json};
use crate::auth::Credentials;
use crate::codec::quoted;
use crate::credentials::step::{fail, Io, ProcessOutput, R};
use crate::error::Result;

/// Splits a `credential_process` command line into arguments, as botocore does with
/// `shlex.split` (quotes and backslashes, no shell).
pub fn split_command(command: &str) -> Result<Vec<String>> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_arg = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_arg = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err(cred_error("credential_process: unclosed ' quote")),
                    }
                }
            }
            '"' => {
                in_arg = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => current.push(c),
                            Some(c) => {
                                current.push('\\');
                                current.push(c);
                            }
                            None => {
                                return Err(cred_error("credential_process: unclosed \" quote"))
                            }
                        },
                        Some(c) => current.push(c),
                        None => return Err(cred_error("credential_process: unclosed \" quote")),
                    }
                }
            }
            '\\' => {
                in_arg = true;
                if let Some(c) = chars.next() {
                    current.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut current));
                    in_arg = false;
                }
            }
            c => {
                in_arg = true;
                current.push(c);
            }
        }
    }
    if in_arg {
        args.push(current);
    }
    if args.is_empty() {
        return Err(cred_error("credential_process is empty"));
    }
    Ok(args)
}

/// Parses `credential_process` output: `{"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken"?, "Expiration"?}`; expired credentials are an error.
pub fn parse_process_output(output: &ProcessOutput, now: OffsetDateTime) -> Result<Credentials> {
    if !output.success {
        let stderr: String = output.stderr.trim().chars().take(300).collect();
        return Err(cred_error(format!(
            "credential_process failed: {stderr}; run the command yourself to see why"
        )));
    }
    let json = parse_json(output.stdout.as_bytes(), "credential_process")?;
    match json.get("Version").and_then(|v| v.as_u64()) {
        Some(1) => {}
        _ => {
            return Err(cred_error(
                "credential_process: the output must have \"Version\": 1",
            ))
        }
    }
    let creds = credentials_from_json(&json, "SessionToken", "credential_process")?;
    if creds.expires_at().is_some_and(|at| at <= now) {
        return Err(cred_error(
            "credential_process returned credentials that have already expired",
        ));
    }
    Ok(creds)
}

/// The chain's `credential_process` step for profile `name`.
pub(crate) fn credential_process(io: &Io, command: &str, name: &str) -> R<Credentials> {
    let output = io.run(command, || split_command(command))?;
    parse_process_output(&output, io.now)
        .map_err(|e| fail(format!("profile {q_name}: {e}", q_name = quoted(&name))))
}
