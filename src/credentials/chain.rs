//! The credential chain, driven by the caller: `poll(now)` says what to do next (read a file,
//! send a request, run a command), the caller does it and hands the result back with a
//! `handle_*` method, and `poll` again, until [`Step::Done`] or [`Step::NotFound`].
//!
//! Inside, resolution is one plain function that asks an `Io` for each file, response or
//! process output it needs; what the caller has not provided yet interrupts it with the step
//! to perform, and `poll` runs it again from the start with every result so far (they are
//! remembered by step). The function is cheap and deterministic, so the replay costs nothing
//! worth measuring, and each source stays a straight line of code.

use time::OffsetDateTime;

use super::shared_config::{Section, SharedConfig};
use super::sources::{self, AssumeRole, ProcessOutput, SsoSettings};
use super::{Auth, CredentialSource, Credentials, Resolved};
use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{HttpRequest, HttpResponse};
use crate::Env;

/// What the caller must do next.
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a step does nothing until the caller performs it"]
#[non_exhaustive]
pub enum Step {
    /// Read this file and call [`Chain::handle_file`] with its text (`None` if it does not
    /// exist).
    ReadFile {
        /// The path.
        path: String,
    },
    /// Send this request and call [`Chain::handle_response`], or
    /// [`Chain::handle_unreachable`] if no connection could be made.
    Send(HttpRequest),
    /// Run this command (no shell: `argv[0]` with the rest as arguments) and call
    /// [`Chain::handle_process_output`].
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

#[derive(Clone)]
enum Outcome {
    File(Option<String>),
    Response(HttpResponse),
    Unreachable(String),
    Process(ProcessOutput),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Files, responses and process output hold secret keys: kinds and sizes only.
        match self {
            Outcome::File(t) => write!(f, "File({:?})", t.as_ref().map(|t| t.len())),
            Outcome::Response(r) => write!(f, "{r:?}"),
            Outcome::Unreachable(why) => write!(f, "Unreachable({why:?})"),
            Outcome::Process(o) => write!(f, "{o:?}"),
        }
    }
}

/// The credential resolution chain (see the [module docs](super) for the order).
///
/// ```
/// use bedrock_request::credentials::{Chain, Step, CredentialSource};
/// use bedrock_request::{ClientConfig, Env};
/// use time::macros::datetime;
///
/// let config = ClientConfig::builder().model("m").build()?;
/// let env = Env::from_iter([("HOME", "/home/ada"), ("AWS_EC2_METADATA_DISABLED", "true")]);
/// let mut chain = Chain::new(&config, &env);
/// let now = datetime!(2024-01-15 12:00 UTC);
/// let resolved = loop {
///     match chain.poll(now)? {
///         Step::ReadFile { path } if path == "/home/ada/.aws/credentials" => chain.handle_file(Some(
///             "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n".into())),
///         Step::ReadFile { .. } => chain.handle_file(None),
///         Step::Done(resolved) => break resolved,
///         other => panic!("unexpected {other:?}"),
///     }
/// };
/// assert_eq!(resolved.source, CredentialSource::Profile);
/// assert_eq!(resolved.profile.as_deref(), Some("default"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Chain {
    config: ClientConfig,
    env: Env,
    profile_override: Option<String>,
    memo: Vec<(String, Outcome)>,
    pending: Option<String>,
}

enum Need {
    Step(Box<(String, Step)>),
    Fail(Error),
}

impl From<Error> for Need {
    fn from(e: Error) -> Self {
        Need::Fail(e)
    }
}

type R<T> = std::result::Result<T, Need>;

fn fail(message: impl Into<String>) -> Need {
    Need::Fail(Error::new(ErrorKind::Credentials, message))
}

impl Chain {
    /// A chain for this client config and environment.
    pub fn new(config: &ClientConfig, env: &Env) -> Chain {
        Chain {
            config: config.clone(),
            env: env.clone(),
            profile_override: None,
            memo: Vec::new(),
            pending: None,
        }
    }

    /// Uses this profile as an explicit one (the CLI's `--profile`): it beats environment keys.
    pub fn with_profile(mut self, profile: &str) -> Chain {
        self.profile_override = Some(profile.to_owned());
        self
    }

    /// What to do next, at time `now` (expiry checks and request signing use it).
    pub fn poll(&mut self, now: OffsetDateTime) -> Result<Step> {
        let io = Io {
            memo: &self.memo,
            env: &self.env,
            now,
        };
        match resolve(&io, &self.config, self.profile_override.as_deref()) {
            Ok(Some(resolved)) => Ok(Step::Done(resolved)),
            Ok(None) => Ok(Step::NotFound),
            Err(Need::Step(pending)) => {
                let (key, step) = *pending;
                self.pending = Some(key);
                Ok(step)
            }
            Err(Need::Fail(e)) => Err(e),
        }
    }

    fn record(&mut self, outcome: Outcome) {
        if let Some(key) = self.pending.take() {
            self.memo.push((key, outcome));
        }
    }

    /// The text of the file asked for, or `None` when it does not exist.
    pub fn handle_file(&mut self, text: Option<String>) {
        self.record(Outcome::File(text));
    }

    /// The response to the request asked for.
    pub fn handle_response(&mut self, response: HttpResponse) {
        self.record(Outcome::Response(response));
    }

    /// The request asked for could not be sent (no route, refused, timed out).
    pub fn handle_unreachable(&mut self, reason: impl Into<String>) {
        self.record(Outcome::Unreachable(reason.into()));
    }

    /// The output of the command asked for.
    pub fn handle_process_output(&mut self, output: ProcessOutput) {
        self.record(Outcome::Process(output));
    }
}

struct Io<'a> {
    memo: &'a [(String, Outcome)],
    env: &'a Env,
    now: OffsetDateTime,
}

impl Io<'_> {
    fn outcome(&self, key: &str) -> Option<&Outcome> {
        self.memo.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }

    fn read_file(&self, path: &str) -> R<Option<String>> {
        let key = format!("file:{path}");
        match self.outcome(&key) {
            Some(Outcome::File(text)) => Ok(text.clone()),
            _ => Err(Need::Step(Box::new((
                key,
                Step::ReadFile {
                    path: path.to_owned(),
                },
            )))),
        }
    }

    /// Sends `request` (built lazily: signed requests depend on `now`) under a stable `key`.
    fn send(
        &self,
        key: &str,
        request: impl FnOnce() -> Result<HttpRequest>,
    ) -> R<std::result::Result<HttpResponse, String>> {
        let key = format!("send:{key}");
        match self.outcome(&key) {
            Some(Outcome::Response(r)) => Ok(Ok(r.clone())),
            Some(Outcome::Unreachable(why)) => Ok(Err(why.clone())),
            _ => Err(Need::Step(Box::new((key, Step::Send(request()?))))),
        }
    }

    fn run(&self, command: &str) -> R<ProcessOutput> {
        let key = format!("run:{command}");
        match self.outcome(&key) {
            Some(Outcome::Process(o)) => Ok(o.clone()),
            _ => Err(Need::Step(Box::new((
                key,
                Step::Run {
                    command: command.to_owned(),
                    argv: sources::split_command(command)?,
                },
            )))),
        }
    }

    fn home(&self) -> Option<&str> {
        self.env
            .get_nonempty("HOME")
            .or_else(|| self.env.get_nonempty("USERPROFILE"))
    }

    fn aws_dir_file(&self, var: &str, name: &str) -> Option<String> {
        if let Some(p) = self.env.get_nonempty(var) {
            return Some(expand_home(p, self.home()));
        }
        self.home()
            .map(|h| format!("{}/.aws/{name}", h.trim_end_matches('/')))
    }
}

fn expand_home(path: &str, home: Option<&str>) -> String {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => format!("{}/{rest}", h.trim_end_matches('/')),
        _ => path.to_owned(),
    }
}

fn done(
    creds: Credentials,
    source: CredentialSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Option<Resolved> {
    Some(Resolved {
        auth: Auth::SigV4(creds),
        source,
        profile: profile.map(str::to_owned),
        region: region.map(str::to_owned),
    })
}

fn resolve(io: &Io, config: &ClientConfig, profile_override: Option<&str>) -> R<Option<Resolved>> {
    let env = io.env;
    // 1. Explicit keys in the client config.
    if let Some(c) = &config.credentials {
        return Ok(done(c.clone(), CredentialSource::Explicit, None, None));
    }
    let explicit_profile = profile_override.or(config.profile.as_deref());
    let files = || -> R<SharedConfig> {
        let config_text = match io.aws_dir_file("AWS_CONFIG_FILE", "config") {
            Some(p) => io.read_file(&p)?,
            None => None,
        };
        let credentials_text = match io.aws_dir_file("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
            Some(p) => io.read_file(&p)?,
            None => None,
        };
        Ok(SharedConfig::parse(
            config_text.as_deref(),
            credentials_text.as_deref(),
        )?)
    };
    // 2. An explicit profile is explicit configuration: it beats the environment.
    if let Some(name) = explicit_profile {
        let files = files()?;
        if files.profile(name).is_none() {
            return Err(fail(format!(
                "profile {name:?} is not in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE); the profiles there are: {}",
                files.profile_names().collect::<Vec<_>>().join(", ")
            )));
        }
        if let Some(r) = profile_credentials(io, &files, name, &mut Vec::new())? {
            return Ok(Some(r));
        }
        // A profile with only settings (region...): as in botocore, the environment's keys are
        // still passed over, but the container and instance metadata may answer.
        let region = files.profile(name).and_then(|p| p.get("region"));
        if let Some(creds) = container(io)? {
            return Ok(done(creds, CredentialSource::Container, Some(name), region));
        }
        if let Some(creds) = imds(io)? {
            return Ok(done(creds, CredentialSource::Imds, Some(name), region));
        }
        return Err(fail(format!(
            "profile {name:?} has no credentials: add aws_access_key_id/aws_secret_access_key, sso_session, role_arn, credential_process or web_identity_token_file to it"
        )));
    }
    // 3. The environment: a Bedrock API key, then keys.
    if let Some(r) = super::resolve_env(env)? {
        return Ok(Some(r));
    }
    // 4. Web identity from the environment (EKS IRSA).
    if let (Some(token_file), Some(role_arn)) = (
        env.get_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE"),
        env.get_nonempty("AWS_ROLE_ARN"),
    ) {
        let session = env.get_nonempty("AWS_ROLE_SESSION_NAME").map(str::to_owned);
        let region = env
            .get_nonempty("AWS_REGION")
            .or(env.get_nonempty("AWS_DEFAULT_REGION"));
        let creds = web_identity(io, token_file, role_arn, session, region)?;
        return Ok(done(creds, CredentialSource::WebIdentity, None, None));
    }
    // 5. The shared config files: AWS_PROFILE, else default.
    let files = files()?;
    let name = env.get_nonempty("AWS_PROFILE").unwrap_or("default");
    if files.profile(name).is_some() {
        if let Some(r) = profile_credentials(io, &files, name, &mut Vec::new())? {
            return Ok(Some(r));
        }
    } else if env.get_nonempty("AWS_PROFILE").is_some() {
        return Err(fail(format!(
            "AWS_PROFILE={name:?}, but there is no such profile in ~/.aws/config or ~/.aws/credentials; the profiles there are: {}",
            files.profile_names().collect::<Vec<_>>().join(", ")
        )));
    }
    // 6. The container endpoint (ECS, EKS Pod Identity), then 7. EC2 instance metadata.
    if let Some(creds) = container(io)? {
        return Ok(done(creds, CredentialSource::Container, None, None));
    }
    if let Some(creds) = imds(io)? {
        return Ok(done(creds, CredentialSource::Imds, None, None));
    }
    Ok(None)
}

/// Credentials from a profile; `Ok(None)` when the profile has no credential settings.
fn profile_credentials(
    io: &Io,
    files: &SharedConfig,
    name: &str,
    visited: &mut Vec<String>,
) -> R<Option<Resolved>> {
    let Some(p) = files.profile(name) else {
        return Err(fail(format!(
            "source_profile {name:?} is not in the shared config files"
        )));
    };
    if visited.iter().any(|v| v == name) {
        visited.push(name.to_owned());
        return Err(fail(format!(
            "the profiles' source_profile settings form a cycle: {}",
            visited.join(" -> ")
        )));
    }
    visited.push(name.to_owned());
    let region = p.get("region");
    let resolved = |creds, source| done(creds, source, Some(name), region);

    if let Some(role_arn) = p.get("role_arn") {
        let session = p.get("role_session_name").map(str::to_owned);
        if let Some(token_file) = p.get("web_identity_token_file") {
            let creds = web_identity(io, token_file, role_arn, session, region)?;
            return Ok(resolved(creds, CredentialSource::WebIdentity));
        }
        let source = match (p.get("source_profile"), p.get("credential_source")) {
            (Some(_), Some(_)) => return Err(fail(format!("profile {name:?} sets both source_profile and credential_source; keep one"))),
            (Some(src), None) if src == name => static_keys(p, name)?.ok_or_else(|| fail(format!("profile {name:?} is its own source_profile but has no keys")))?,
            (Some(src), None) => match profile_credentials(io, files, src, visited)? {
                Some(Resolved { auth: Auth::SigV4(c), .. }) => c,
                _ => return Err(fail(format!("source_profile {src:?} (for profile {name:?}) has no credentials"))),
            },
            (None, Some(cs)) => credential_source(io, cs, name)?,
            (None, None) => return Err(fail(format!("profile {name:?} has role_arn but neither source_profile nor credential_source; add one"))),
        };
        let duration = match p.get("duration_seconds") {
            Some(d) => Some(d.parse::<u32>().map_err(|_| {
                fail(format!(
                    "profile {name:?}: duration_seconds {d:?} is not a number of seconds"
                ))
            })?),
            None => None,
        };
        let params = AssumeRole {
            role_arn: role_arn.to_owned(),
            session_name: session
                .unwrap_or_else(|| format!("bedrock-request-{}", io.now.unix_timestamp())),
            external_id: p.get("external_id").map(str::to_owned),
            duration_seconds: duration,
        };
        let (endpoint, signing_region) = sources::sts_endpoint(io.env, region)?;
        let now = io.now;
        let response = io.send(&format!("sts:AssumeRole:{role_arn}"), || {
            let mut request = sources::assume_role_request(&params, &endpoint);
            crate::sign::sign_for_service(&mut request, &source, &signing_region, "sts", now)?;
            Ok(request)
        })?;
        let response = response.map_err(|why| {
            fail(format!(
                "STS is unreachable for profile {name:?}'s role ({why})"
            ))
        })?;
        let creds =
            sources::parse_sts_response(&response, &format!("AssumeRole for profile {name:?}"))?;
        return Ok(resolved(creds, CredentialSource::AssumeRole));
    }
    if p.get("sso_session").is_some() || p.get("sso_start_url").is_some() {
        let settings = sso_settings(files, p, name)?;
        let home = io
            .home()
            .ok_or_else(|| fail("SSO needs HOME to find ~/.aws/sso/cache"))?;
        let path = format!(
            "{}/.aws/sso/cache/{}",
            home.trim_end_matches('/'),
            sources::sso_cache_file_name(&settings.cache_key)
        );
        let text = io.read_file(&path)?.ok_or_else(|| {
            fail(format!(
                "no SSO token in {path}; run `aws sso login --profile {name}` and try again"
            ))
        })?;
        let token = sources::parse_sso_token(&text, &settings, io.now)?;
        let response = io.send(
            &format!(
                "sso:{}:{}:{}",
                settings.cache_key, settings.account_id, settings.role_name
            ),
            || sources::sso_request(&settings, &token, io.env),
        )?;
        let response = response.map_err(|why| {
            fail(format!(
                "the SSO portal is unreachable for profile {name:?} ({why})"
            ))
        })?;
        return Ok(resolved(
            sources::parse_sso_response(&response, &settings)?,
            CredentialSource::Sso,
        ));
    }
    if let Some(creds) = static_keys(p, name)? {
        return Ok(resolved(creds, CredentialSource::Profile));
    }
    if let Some(command) = p.get("credential_process") {
        let output = io.run(command)?;
        let creds = sources::parse_process_output(&output, io.now)
            .map_err(|e| fail(format!("profile {name:?}: {e}")))?;
        return Ok(resolved(creds, CredentialSource::CredentialProcess));
    }
    Ok(None)
}

fn static_keys(p: &Section, name: &str) -> R<Option<Credentials>> {
    match (p.get("aws_access_key_id"), p.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => {
            let creds = Credentials::new(id, secret);
            Ok(Some(
                match p.get("aws_session_token").or(p.get("aws_security_token")) {
                    Some(t) => creds.with_session_token(t),
                    None => creds,
                },
            ))
        }
        (Some(_), None) => Err(fail(format!(
            "profile {name:?} has aws_access_key_id but no aws_secret_access_key"
        ))),
        (None, Some(_)) => Err(fail(format!(
            "profile {name:?} has aws_secret_access_key but no aws_access_key_id"
        ))),
        (None, None) => Ok(None),
    }
}

fn sso_settings(files: &SharedConfig, p: &Section, name: &str) -> R<SsoSettings> {
    let need = |section: &Section, key: &str, place: &str| {
        section.get(key).map(str::to_owned).ok_or_else(|| {
            fail(format!(
                "{place} has no {key}; run `aws configure sso` to set it up"
            ))
        })
    };
    let place = format!("profile {name:?}");
    let (cache_key, region, start_url) = match p.get("sso_session") {
        Some(session) => {
            let s = files.sso_session(session).ok_or_else(|| fail(format!("profile {name:?} names sso_session {session:?}, but there is no [sso-session {session}] section")))?;
            let splace = format!("[sso-session {session}]");
            (
                session.to_owned(),
                need(s, "sso_region", &splace)?,
                need(s, "sso_start_url", &splace)?,
            )
        }
        None => {
            let url = need(p, "sso_start_url", &place)?;
            (url.clone(), need(p, "sso_region", &place)?, url)
        }
    };
    crate::converse::validate_region(&region)
        .map_err(|e| fail(format!("{place}: sso_region: {e}")))?;
    Ok(SsoSettings {
        cache_key,
        region,
        account_id: need(p, "sso_account_id", &place)?,
        role_name: need(p, "sso_role_name", &place)?,
        start_url,
    })
}

fn credential_source(io: &Io, source: &str, name: &str) -> R<Credentials> {
    let found = match source {
        // AWS keys from the environment (a Bedrock API key cannot sign AssumeRole).
        "Environment" => super::from_env(io.env)?,
        "EcsContainer" => container(io)?,
        "Ec2InstanceMetadata" => imds(io)?,
        other => {
            return Err(fail(format!(
                "profile {name:?}: credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
            )))
        }
    };
    found.ok_or_else(|| {
        fail(format!(
            "profile {name:?}: credential_source {source} has no credentials"
        ))
    })
}

fn web_identity(
    io: &Io,
    token_file: &str,
    role_arn: &str,
    session: Option<String>,
    region: Option<&str>,
) -> R<Credentials> {
    let path = expand_home(token_file, io.home());
    let token = io
        .read_file(&path)?
        .ok_or_else(|| fail(format!("the web identity token file {path} does not exist (AWS_WEB_IDENTITY_TOKEN_FILE / web_identity_token_file)")))?;
    let token = token.trim().to_owned();
    let session = session.unwrap_or_else(|| format!("bedrock-request-{}", io.now.unix_timestamp()));
    let (endpoint, _) = sources::sts_endpoint(io.env, region)?;
    let response = io.send(&format!("sts:AssumeRoleWithWebIdentity:{role_arn}"), || {
        Ok(sources::web_identity_request(
            role_arn, &session, &token, &endpoint,
        ))
    })?;
    let response =
        response.map_err(|why| fail(format!("STS is unreachable for web identity ({why})")))?;
    Ok(sources::parse_sts_response(
        &response,
        "AssumeRoleWithWebIdentity",
    )?)
}

fn container(io: &Io) -> R<Option<Credentials>> {
    let Some(url) = sources::container_url(io.env)? else {
        return Ok(None);
    };
    let token = match io
        .env
        .get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    {
        Some(path) => Some(io.read_file(path)?.ok_or_else(|| {
            fail(format!(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={path} does not exist"
            ))
        })?),
        None => io
            .env
            .get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(str::to_owned),
    };
    let response = io.send("container", || {
        sources::container_request(&url, token.as_deref())
    })?;
    let response = response.map_err(|why| {
        fail(format!(
            "the container credentials endpoint {url} is unreachable ({why})"
        ))
    })?;
    Ok(Some(sources::parse_container_response(&response)?))
}

fn imds(io: &Io) -> R<Option<Credentials>> {
    if io
        .env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Ok(None);
    }
    let base = sources::imds_base(io.env)?;
    // IMDSv2 token; refused (403/404/405: IMDSv1-only or a proxy) → IMDSv1.
    let token = match io.send("imds:token", || Ok(sources::imds_token_request(&base)))? {
        Err(_) => return Ok(None), // no instance metadata here: not on EC2
        Ok(r) if r.status == 200 => Some(r.text().trim().to_owned()),
        Ok(r) if matches!(r.status, 403..=405) => None,
        Ok(r) => {
            return Err(fail(format!(
                "IMDS answered HTTP {} to the token request",
                r.status
            )))
        }
    };
    let list_path = "/latest/meta-data/iam/security-credentials/";
    let roles = match io.send("imds:role", || {
        Ok(sources::imds_get(&base, list_path, token.as_deref()))
    })? {
        Err(_) => return Ok(None),
        Ok(r) if r.status == 200 => r.text(),
        Ok(r) if r.status == 404 => return Ok(None), // no instance profile attached
        Ok(r) => {
            return Err(fail(format!(
                "IMDS answered HTTP {} when asked for the instance's role; check the instance's metadata options (or set AWS_EC2_METADATA_DISABLED=true off EC2)",
                r.status
            )))
        }
    };
    let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let path = format!("{list_path}{role}");
    let response = io
        .send("imds:credentials", || {
            Ok(sources::imds_get(&base, &path, token.as_deref()))
        })?
        .map_err(|why| fail(format!("IMDS became unreachable ({why})")))?;
    Ok(Some(sources::parse_imds_credentials(&response)?))
}

impl std::fmt::Debug for Performed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Performed::File(t) => write!(f, "File({:?})", t.as_ref().map(|t| t.len())),
            Performed::Response(r) => write!(f, "{r:?}"),
            Performed::Unreachable(why) => write!(f, "Unreachable({why:?})"),
            Performed::Process(o) => write!(f, "{o:?}"),
        }
    }
}

/// Resolves the whole chain with a caller-supplied "performer" for each step: a convenience for
/// blocking callers (the CLI) and tests.
pub fn drive(
    mut chain: Chain,
    now: OffsetDateTime,
    mut perform: impl FnMut(&Step) -> Performed,
) -> Result<Option<Resolved>> {
    for _ in 0..64 {
        let step = chain.poll(now)?;
        match &step {
            Step::Done(r) => return Ok(Some(r.clone())),
            Step::NotFound => return Ok(None),
            _ => {}
        }
        match perform(&step) {
            Performed::File(t) => chain.handle_file(t),
            Performed::Response(r) => chain.handle_response(r),
            Performed::Unreachable(w) => chain.handle_unreachable(w),
            Performed::Process(o) => chain.handle_process_output(o),
        }
    }
    Err(Error::new(
        ErrorKind::Credentials,
        "the credential chain did not finish in 64 steps",
    ))
}

/// The result of performing a [`Step`], for [`drive`] (`Debug` shows sizes, not contents).
#[derive(Clone)]
#[non_exhaustive]
pub enum Performed {
    /// A file's text, or `None` when it does not exist.
    File(Option<String>),
    /// An HTTP response.
    Response(HttpResponse),
    /// The request could not be sent.
    Unreachable(String),
    /// A process's output.
    Process(ProcessOutput),
}
