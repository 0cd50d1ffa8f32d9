//! `credential_process`: the command to run, and its output parsed.

use time::OffsetDateTime;

use super::{cred_error, credentials_from_json, parse_json};
use crate::credentials::Credentials;
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

/// What a process printed: whether it succeeded, its standard output and error.
///
/// `Debug` shows lengths only: a `credential_process` prints secret keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProcessOutput {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error (for error messages).
    pub stderr: String,
}

impl std::fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessOutput")
            .field("success", &self.success)
            .field("stdout", &format_args!("<{} bytes>", self.stdout.len()))
            .field("stderr", &format_args!("<{} bytes>", self.stderr.len()))
            .finish()
    }
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
