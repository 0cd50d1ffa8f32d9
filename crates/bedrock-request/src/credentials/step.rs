//! What the credential chain finds ([`Resolved`], [`CredentialSource`]), the steps it asks for
//! and their results, and the replay's [`Io`]: every source reads files, sends requests and
//! runs commands through it, so each stays a straight line of code and the chain stays sans-IO.

use time::OffsetDateTime;

use crate::auth::Auth;
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{HttpRequest, HttpResponse};

/// Where credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// The client config's own options.
    Explicit,
    /// The environment snapshot (keys or a Bedrock API key).
    Environment,
    /// Static keys in a profile.
    Profile,
    /// A profile's `credential_process`.
    CredentialProcess,
    /// AWS IAM Identity Center (SSO).
    Sso,
    /// STS AssumeRole (`role_arn` with `source_profile` or `credential_source`).
    AssumeRole,
    /// STS AssumeRoleWithWebIdentity.
    WebIdentity,
    /// The ECS / EKS container endpoint.
    Container,
    /// EC2 instance metadata.
    Imds,
}

impl CredentialSource {
    /// The stable lowercase name, as the CLI prints it: `explicit`, `environment`, `profile`,
    /// `credential_process`, `sso`, `assume_role`, `web_identity`, `container`, `imds`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialSource::Explicit => "explicit",
            CredentialSource::Environment => "environment",
            CredentialSource::Profile => "profile",
            CredentialSource::CredentialProcess => "credential_process",
            CredentialSource::Sso => "sso",
            CredentialSource::AssumeRole => "assume_role",
            CredentialSource::WebIdentity => "web_identity",
            CredentialSource::Container => "container",
            CredentialSource::Imds => "imds",
        }
    }
}

/// Credentials found, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolved {
    /// How to authorise.
    pub auth: Auth,
    /// Where it came from.
    pub source: CredentialSource,
    /// The profile used, if any.
    pub profile: Option<String>,
    /// That profile's `region`, if it has one: pass it to
    /// [`Builder::profile_region`](crate::converse::Builder::profile_region) (it comes after the
    /// `region` option, `AWS_REGION` and `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
}

/// The largest shared config or credentials file the chain reads (4 MiB; AWS's own are a few
/// KB).
pub const MAX_CONFIG_FILE: u64 = 4 * 1024 * 1024;

/// The largest token file the chain reads (64 KiB): a web identity token, a container
/// authorization token, an SSO cache entry.
pub const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// What the caller must do next.
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a step does nothing until the caller performs it"]
#[non_exhaustive]
pub enum Step {
    /// Read this file and pass its text to [`Chain::handle`](super::Chain::handle) as
    /// [`Performed::File`] (`None` if it does not exist). Read only a regular file (not a
    /// FIFO or a device), and at most `max_bytes`: anything else is [`Performed::Unreadable`]
    /// (the chain refuses a longer text too).
    ReadFile {
        /// The path.
        path: String,
        /// The most the file may hold: [`MAX_CONFIG_FILE`] for the shared config and
        /// credentials files, [`MAX_TOKEN_FILE`] for token files.
        max_bytes: u64,
    },
    /// Send this request and pass the answer to [`Chain::handle`](super::Chain::handle) as
    /// [`Performed::Response`], or [`Performed::Unreachable`] if no connection could be made.
    Send(HttpRequest),
    /// Run this command (no shell: `argv[0]` with the rest as arguments) and pass its output to
    /// [`Chain::handle`](super::Chain::handle) as [`Performed::Process`].
    Run {
        /// The command line as configured.
        command: String,
        /// The same, split into arguments.
        argv: Vec<String>,
    },
    /// Credentials found.
    Done(Resolved),
    /// No source applies.
    NotFound,
}

/// The result of performing a [`Step`]: what [`Chain::handle`](super::Chain::handle) takes and
/// a [`drive`](super::drive) performer returns (`Debug` shows sizes, not contents).
#[derive(Clone)]
#[non_exhaustive]
pub enum Performed {
    /// A file's text, or `None` when it does not exist.
    File(Option<String>),
    /// The file exists but cannot be read (permissions, not UTF-8...): why. The chain stops
    /// with an error naming the file, rather than taking it as missing.
    Unreadable(String),
    /// An HTTP response.
    Response(HttpResponse),
    /// The request could not be sent.
    Unreachable(String),
    /// A process's output.
    Process(ProcessOutput),
}

impl Step {
    /// What the step asks for, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Step::ReadFile { .. } => "a file",
            Step::Send(_) => "an HTTP response",
            Step::Run { .. } => "a process's output",
            Step::Done(_) | Step::NotFound => "nothing",
        }
    }
}

impl Performed {
    /// What this answers, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Performed::File(_) => "a file",
            Performed::Unreadable(_) => "an unreadable file",
            Performed::Response(_) => "an HTTP response",
            Performed::Unreachable(_) => "an unreachable request",
            Performed::Process(_) => "a process's output",
        }
    }
}

impl std::fmt::Debug for Performed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Performed::File(t) => write!(f, "File({:?})", t.as_ref().map(|t| t.len())),
            Performed::Unreadable(why) => write!(f, "Unreadable({why:?})"),
            Performed::Response(r) => write!(f, "{r:?}"),
            Performed::Unreachable(why) => write!(f, "Unreachable({why:?})"),
            Performed::Process(o) => write!(f, "{o:?}"),
        }
    }
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

/// Why a source stopped: a step the caller must perform first, or a failure.
pub(crate) enum Need {
    Step(Box<(String, Step)>),
    Fail(Error),
}

impl From<Error> for Need {
    fn from(e: Error) -> Self {
        Need::Fail(e)
    }
}

pub(crate) type R<T> = std::result::Result<T, Need>;

pub(crate) fn fail(message: impl Into<String>) -> Need {
    Need::Fail(Error::new(ErrorKind::Credentials, message))
}

/// The replay's view of what the caller has performed so far: each source asks it for a file,
/// a response or a process's output, and gets it, or a [`Need::Step`] that stops the replay.
pub(crate) struct Io<'a> {
    pub(crate) memo: &'a [(String, Performed)],
    pub(crate) env: &'a Env,
    pub(crate) now: OffsetDateTime,
}

impl Io<'_> {
    fn performed(&self, key: &str) -> Option<&Performed> {
        self.memo.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }

    pub(crate) fn read_file(&self, path: &str, max_bytes: u64) -> R<Option<String>> {
        let key = format!("file:{path}");
        match self.performed(&key) {
            Some(Performed::File(Some(text))) if text.len() as u64 > max_bytes => Err(fail(
                format!("cannot read {path}: it holds {} bytes, more than the {max_bytes} such a file may", text.len()),
            )),
            Some(Performed::File(text)) => Ok(text.clone()),
            Some(Performed::Unreadable(why)) => Err(fail(format!("cannot read {path}: {why}"))),
            _ => Err(Need::Step(Box::new((
                key,
                Step::ReadFile {
                    path: path.to_owned(),
                    max_bytes,
                },
            )))),
        }
    }

    /// Sends `request` (built lazily: signed requests depend on `now`) under a stable `key`.
    pub(crate) fn send(
        &self,
        key: &str,
        request: impl FnOnce() -> Result<HttpRequest>,
    ) -> R<std::result::Result<HttpResponse, String>> {
        let key = format!("send:{key}");
        match self.performed(&key) {
            Some(Performed::Response(r)) => Ok(Ok(r.clone())),
            Some(Performed::Unreachable(why)) => Ok(Err(why.clone())),
            _ => Err(Need::Step(Box::new((key, Step::Send(request()?))))),
        }
    }

    /// Runs `command` (split into `argv` by the caller's rules).
    pub(crate) fn run(
        &self,
        command: &str,
        argv: impl FnOnce() -> Result<Vec<String>>,
    ) -> R<ProcessOutput> {
        let key = format!("run:{command}");
        match self.performed(&key) {
            Some(Performed::Process(o)) => Ok(o.clone()),
            _ => Err(Need::Step(Box::new((
                key,
                Step::Run {
                    command: command.to_owned(),
                    argv: argv()?,
                },
            )))),
        }
    }

    pub(crate) fn home(&self) -> Option<&str> {
        self.env
            .get_nonempty("HOME")
            .or_else(|| self.env.get_nonempty("USERPROFILE"))
    }

    pub(crate) fn aws_dir_file(&self, var: &str, name: &str) -> Option<String> {
        aws_file(self.env, var, name)
    }
}

/// A shared file's path: `var` (`AWS_CONFIG_FILE`...) if set, else `~/.aws/{name}`.
pub(crate) fn aws_file(env: &Env, var: &str, name: &str) -> Option<String> {
    let home = env
        .get_nonempty("HOME")
        .or_else(|| env.get_nonempty("USERPROFILE"));
    if let Some(p) = env.get_nonempty(var) {
        return Some(expand_home(p, home));
    }
    home.map(|h| format!("{}/.aws/{name}", h.trim_end_matches('/')))
}

pub(crate) fn expand_home(path: &str, home: Option<&str>) -> String {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => format!("{}/{rest}", h.trim_end_matches('/')),
        _ => path.to_owned(),
    }
}
