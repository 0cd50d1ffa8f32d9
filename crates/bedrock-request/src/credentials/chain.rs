//! The credential chain, driven by the caller: `poll(now)` says what to do next (read a file,
//! send a request, run a command), the caller does it and hands the result back with
//! [`Chain::handle`], and `poll` again, until [`Step::Done`] or [`Step::NotFound`].
//!
//! Inside, resolution is one plain function that asks an [`Io`] for each file, response or
//! process output it needs; what the caller has not provided yet interrupts it with the step
//! to perform, and `poll` runs it again from the start with every result so far (they are
//! remembered by step). The function is cheap and deterministic, so the replay costs nothing
//! worth measuring, and each source stays a straight line of code beside its request builder
//! and parser (`sources/`).

use time::OffsetDateTime;

use super::environment::{from_env, resolve_env};
use super::shared_config::{Section, SharedConfig};
use super::sources::{self, AssumeRole};
use super::step::{
    aws_file, fail, CredentialSource, Io, Need, Performed, Resolved, Step, MAX_CONFIG_FILE, R,
};
use crate::auth::{Auth, Credentials};
use crate::codec::quoted;
use crate::config::ClientConfig;
use crate::env::Env;
use crate::error::{Error, Result};

/// The most steps [`drive`] performs before it gives up (a chain needs a handful: two files,
/// and a few requests for SSO, a role or instance metadata).
pub const MAX_STEPS: usize = 64;

/// The credential resolution chain (see the [module docs](super) for the order).
///
/// ```
/// use bedrock_request::credentials::{Chain, CredentialSource, Performed, Step};
/// use bedrock_request::{ClientConfig, Env};
/// use time::macros::datetime;
///
/// let config = ClientConfig::builder().model("m").build()?;
/// let env = Env::from_iter([("HOME", "/home/ada"), ("AWS_EC2_METADATA_DISABLED", "true")]);
/// let mut chain = Chain::new(&config, &env);
/// let now = datetime!(2024-01-15 12:00 UTC);
/// let resolved = loop {
///     match chain.poll(now)? {
///         Step::ReadFile { path, .. } if path == "/home/ada/.aws/credentials" => chain.handle(Performed::File(Some(
///             "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n".into())))?,
///         Step::ReadFile { .. } => chain.handle(Performed::File(None))?,
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
    /// Keys given in the client config (they beat every source).
    explicit: Option<Credentials>,
    /// The client config's `profile` option.
    profile: Option<String>,
    env: Env,
    profile_override: Option<String>,
    memo: Vec<(String, Performed)>,
    pending: Option<(String, Step)>,
}

impl Chain {
    /// A chain for this client config and environment.
    pub fn new(config: &ClientConfig, env: &Env) -> Chain {
        Chain {
            explicit: config.credentials().cloned(),
            profile: config.profile().map(str::to_owned),
            ..Chain::from_env(env)
        }
    }

    /// A chain for no client config in particular: the environment, the shared config files and
    /// the rest, as the AWS CLI resolves them (the CLI's `credentials`, `api-key` and `explain`).
    pub fn from_env(env: &Env) -> Chain {
        Chain {
            explicit: None,
            profile: None,
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
        let profile = self.profile_override.as_deref().or(self.profile.as_deref());
        match resolve(&io, self.explicit.as_ref(), profile) {
            Ok(Some(resolved)) => Ok(Step::Done(resolved)),
            Ok(None) => Ok(Step::NotFound),
            Err(Need::Step(pending)) => {
                let (key, step) = *pending;
                self.pending = Some((key, step.clone()));
                Ok(step)
            }
            Err(Need::Fail(e)) => Err(e),
        }
    }

    /// The error for a chain that ended in [`Step::NotFound`]: every way to give credentials,
    /// and, when the shared config files hold profiles but none was selected (no `AWS_PROFILE`,
    /// no `default` with credentials), their names and how to select one.
    ///
    /// ```
    /// use bedrock_request::credentials::{Chain, Performed, Step};
    /// use bedrock_request::Env;
    /// let env = Env::from_iter([("HOME", "/home/u"), ("AWS_EC2_METADATA_DISABLED", "true")]);
    /// let mut chain = Chain::from_env(&env);
    /// let now = time::OffsetDateTime::UNIX_EPOCH;
    /// loop {
    ///     match chain.poll(now)? {
    ///         Step::ReadFile { path, .. } if path.ends_with("config") => chain
    ///             .handle(Performed::File(Some("[profile work]\naws_access_key_id = A\naws_secret_access_key = S\n".into())))?,
    ///         // No such file.
    ///         Step::ReadFile { .. } => chain.handle(Performed::File(None))?,
    ///         Step::NotFound => break,
    ///         other => panic!("{other:?}"),
    ///     }
    /// }
    /// assert!(chain.not_found_error().to_string().contains("profiles work, but none is selected: set AWS_PROFILE=work"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn not_found_error(&self) -> Error {
        let io = Io {
            memo: &self.memo,
            env: &self.env,
            now: OffsetDateTime::UNIX_EPOCH,
        };
        let selected = self.profile_override.is_some()
            || self.profile.is_some()
            || self.env.get_nonempty("AWS_PROFILE").is_some();
        let names = match shared_files(&io) {
            Ok(files) if !selected => files
                .profile_names()
                .filter(|n| *n != "default")
                .map(str::to_owned)
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        let general = super::no_credentials_error();
        match names.first() {
            None => general,
            Some(first) => Error::credentials(format!(
                "{general}; the shared config files have profiles {}, but none is selected: set AWS_PROFILE={first} (or the client option profile {first})",
                names.join(", ")
            )),
        }
    }

    /// The result of the step [`poll`](Self::poll) asked for: a file's text for
    /// [`Step::ReadFile`], a response (or [`Performed::Unreachable`]) for [`Step::Send`], a
    /// process's output for [`Step::Run`].
    ///
    /// An answer of another kind, or one when no step is pending, is an error (and changes
    /// nothing): the chain never mistakes one answer for another.
    pub fn handle(&mut self, performed: Performed) -> Result<()> {
        let Some((key, step)) = &self.pending else {
            return Err(Error::credentials(format!(
                "the credential chain got {} but asked for nothing: call poll first, and answer each step once",
                performed.kind()
            )));
        };
        let fits = matches!(
            (step, &performed),
            (
                Step::ReadFile { .. },
                Performed::File(_) | Performed::Unreadable(_)
            ) | (
                Step::Send(_),
                Performed::Response(_) | Performed::Unreachable(_)
            ) | (Step::Run { .. }, Performed::Process(_))
        );
        if !fits {
            return Err(Error::credentials(format!(
                "the credential chain asked for {} but got {}",
                step.kind(),
                performed.kind()
            )));
        }
        self.memo.push((key.clone(), performed));
        self.pending = None;
        Ok(())
    }
}

/// Resolves the whole chain with a caller-supplied "performer" for each step: a convenience for
/// blocking callers (the CLI) and tests. Gives up after [`MAX_STEPS`] steps.
pub fn drive(
    mut chain: Chain,
    now: OffsetDateTime,
    mut perform: impl FnMut(&Step) -> Performed,
) -> Result<Option<Resolved>> {
    for _ in 0..MAX_STEPS {
        let step = chain.poll(now)?;
        match &step {
            Step::Done(r) => return Ok(Some(r.clone())),
            Step::NotFound => return Ok(None),
            _ => chain.handle(perform(&step))?,
        }
    }
    Err(Error::credentials(format!(
        "the credential chain did not finish in {MAX_STEPS} steps"
    )))
}

fn found(
    creds: Credentials,
    source: CredentialSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Resolved {
    Resolved {
        auth: Auth::SigV4(creds),
        source,
        profile: profile.map(str::to_owned),
        region: region.map(str::to_owned),
    }
}

fn done(
    creds: Credentials,
    source: CredentialSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Option<Resolved> {
    Some(found(creds, source, profile, region))
}

/// The shared config files, read through `io` (`AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`).
fn shared_files(io: &Io) -> R<SharedConfig> {
    let config_text = match io.aws_dir_file("AWS_CONFIG_FILE", "config") {
        Some(p) => io.read_file(&p, MAX_CONFIG_FILE)?,
        None => None,
    };
    let credentials_text = match io.aws_dir_file("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
        Some(p) => io.read_file(&p, MAX_CONFIG_FILE)?,
        None => None,
    };
    Ok(SharedConfig::parse(
        config_text.as_deref(),
        credentials_text.as_deref(),
    )?)
}

/// The `region` of the profile a request uses (`profile`, else `AWS_PROFILE`, else `default`),
/// for a request built without resolving credentials (the CLI's `--unsigned`); the chain puts
/// the same region in [`Resolved::region`]. `read` reads a file: its text, `Ok(None)` when it
/// does not exist, `Err(why)` when it exists but cannot be read (an error naming the file):
/// the caller's I/O, as for [`Step::ReadFile`].
///
/// ```
/// use bedrock_request::{credentials, Env};
/// let env = Env::from_iter([("HOME", "/home/ada")]);
/// let region = credentials::profile_region(&env, None, |path| {
///     Ok((path == "/home/ada/.aws/config").then(|| "[default]\nregion = eu-west-3\n".to_owned()))
/// })?;
/// assert_eq!(region.as_deref(), Some("eu-west-3"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn profile_region(
    env: &Env,
    profile: Option<&str>,
    read: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
) -> Result<Option<String>> {
    profile_setting(env, profile, "region", read)
}

/// A setting of the profile in use (`profile`, else `AWS_PROFILE`, else `default`) from the
/// shared config files, read with `read` as [`profile_region`] does: `max_attempts` and
/// `retry_mode` for [`crate::retry::AwsRetry::resolve`], say.
pub fn profile_setting(
    env: &Env,
    profile: Option<&str>,
    key: &str,
    read: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
) -> Result<Option<String>> {
    let files = read_shared_files(env, read)?;
    Ok(files
        .profile(profile_in_use(env, profile))
        .and_then(|p| p.get(key))
        .map(str::to_owned))
}

/// Every profile of the shared config files that sets `key`, with its value, in file order:
/// what to suggest when the profile in use lacks it (`region`, say). Files are read with `read`
/// as [`profile_region`] does.
///
/// ```
/// use bedrock_request::{credentials, Env};
/// let env = Env::from_iter([("HOME", "/h")]);
/// let config = "[default]\n[profile work]\nregion = eu-west-1\n";
/// let read = |path: &str| Ok(path.ends_with("config").then(|| config.to_owned()));
/// let with_region = credentials::profiles_setting(&env, "region", read)?;
/// assert_eq!(with_region, [("work".to_owned(), "eu-west-1".to_owned())]);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn profiles_setting(
    env: &Env,
    key: &str,
    read: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
) -> Result<Vec<(String, String)>> {
    let files = read_shared_files(env, read)?;
    Ok(files
        .profile_names()
        .filter_map(|name| {
            let value = files.profile(name)?.get(key)?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect())
}

/// `env` with the endpoints the shared config sets for the profile in use, where the AWS SDKs
/// rank them: its `services` section's `endpoint_url` for each service (`bedrock_runtime`, and
/// `bedrock` and `s3` for batch jobs: as `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` and so on, below
/// that variable, above `AWS_ENDPOINT_URL`), its own
/// `endpoint_url` (below both variables), none of them with `ignore_configured_endpoint_urls =
/// true` in the profile or `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (which also set aside the
/// variables). A client's own `endpoint_url` still comes first. Files are read with `read`.
/// A `services` name without its section is an error, as botocore's `InvalidConfigError`.
///
/// ```
/// use bedrock_request::{credentials, Env};
/// let config = "[default]\nservices = local\n[services local]\nbedrock_runtime =\n  endpoint_url = http://localhost:4567\n";
/// let env = Env::from_iter([("HOME", "/h")]);
/// let read = |path: &str| Ok(path.ends_with("config").then(|| config.to_owned()));
/// let env = credentials::with_profile_endpoints(&env, None, read)?;
/// assert_eq!(env.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"), Some("http://localhost:4567"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn with_profile_endpoints(
    env: &Env,
    profile: Option<&str>,
    read: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
) -> Result<Env> {
    let files = read_shared_files(env, read)?;
    let mut env = env.clone();
    let Some(section) = files.profile(profile_in_use(&env, profile)) else {
        return Ok(env);
    };
    if section
        .get("ignore_configured_endpoint_urls")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        return Ok(env);
    }
    if env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        // Nothing configured is used: the services section is not looked at (as botocore).
        return Ok(env);
    }
    if let Some(name) = section.get("services") {
        // botocore refuses a missing (or empty) section as an InvalidConfigError.
        let services = files
            .services(name)
            .filter(|s| s.entries().next().is_some())
            .ok_or_else(|| {
                Error::credentials(format!(
                    "the profile {} is configured to use the services section {}, but the config file has no [services {name}] section with settings: add it, or remove services = {name}",
                    profile_in_use(&env, profile),
                    crate::codec::quoted(name)
                ))
            })?;
        for (key, url) in services.entries() {
            if let Some(service) = key.strip_suffix(".endpoint_url") {
                env = env.with_service_endpoint_url(&service.to_ascii_uppercase(), Some(url));
            }
        }
    }
    Ok(env.with_profile_endpoint_url(section.get("endpoint_url")))
}

/// The profile in use: `profile`, else `AWS_PROFILE`, else `default`.
fn profile_in_use<'a>(env: &'a Env, profile: Option<&'a str>) -> &'a str {
    profile
        .or_else(|| env.get_nonempty("AWS_PROFILE"))
        .unwrap_or("default")
}

/// The shared config files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws`),
/// read with `read` (each at most [`MAX_CONFIG_FILE`] bytes).
fn read_shared_files(
    env: &Env,
    mut read: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
) -> Result<SharedConfig> {
    let mut text = |var: &str, name: &str| {
        match aws_file(env, var, name) {
        Some(path) => match read(&path) {
            Ok(Some(text)) if text.len() as u64 > MAX_CONFIG_FILE => {
                Err(Error::credentials(format!(
                    "cannot read {path}: it holds more than {MAX_CONFIG_FILE} bytes, more than such a file may"
                )))
            }
            Ok(text) => Ok(text),
            Err(why) => Err(Error::credentials(format!("cannot read {path}: {why}"))),
        },
        None => Ok(None),
    }
    };
    let config = text("AWS_CONFIG_FILE", "config")?;
    let credentials = text("AWS_SHARED_CREDENTIALS_FILE", "credentials")?;
    SharedConfig::parse(config.as_deref(), credentials.as_deref())
}

fn profile_names(files: &SharedConfig) -> String {
    files.profile_names().collect::<Vec<_>>().join(", ")
}

fn resolve(io: &Io, explicit: Option<&Credentials>, profile: Option<&str>) -> R<Option<Resolved>> {
    let env = io.env;
    // 1. Explicit keys in the client config.
    if let Some(c) = explicit {
        return Ok(done(c.clone(), CredentialSource::Explicit, None, None));
    }
    // 2. An explicit profile is explicit configuration: it beats the environment.
    if let Some(name) = profile {
        return explicit_profile(io, name).map(Some);
    }
    // 3. The environment: a Bedrock API key, then keys.
    if let Some(r) = resolve_env(env)? {
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
        let creds = sources::web_identity(io, token_file, role_arn, session, region)?;
        return Ok(done(creds, CredentialSource::WebIdentity, None, None));
    }
    // 5. The shared config files: AWS_PROFILE, else default.
    let files = shared_files(io)?;
    let name = env.get_nonempty("AWS_PROFILE").unwrap_or("default");
    if files.profile(name).is_some() {
        if let Some(r) = profile_credentials(io, &files, name, &mut Vec::new())? {
            return Ok(Some(r));
        }
    } else if env.get_nonempty("AWS_PROFILE").is_some() {
        return Err(fail(format!(
            "AWS_PROFILE={q_name}, but there is no such profile in ~/.aws/config or ~/.aws/credentials; the profiles there are: {}",
            profile_names(&files), q_name = quoted(&name)
        )));
    }
    // 6. The container endpoint (ECS, EKS Pod Identity), then 7. EC2 instance metadata.
    if let Some(creds) = sources::container(io)? {
        return Ok(done(creds, CredentialSource::Container, None, None));
    }
    if let Some(creds) = sources::imds(io)? {
        return Ok(done(creds, CredentialSource::Imds, None, None));
    }
    Ok(None)
}

/// Step 2: the profile named by the config or the caller; it must exist and answer.
fn explicit_profile(io: &Io, name: &str) -> R<Resolved> {
    let files = shared_files(io)?;
    let Some(profile) = files.profile(name) else {
        return Err(fail(format!(
            "profile {q_name} is not in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE); the profiles there are: {}",
            profile_names(&files), q_name = quoted(&name)
        )));
    };
    if let Some(r) = profile_credentials(io, &files, name, &mut Vec::new())? {
        return Ok(r);
    }
    // A profile with only settings (region...): as in botocore, the environment's keys are
    // still passed over, but the container and instance metadata may answer.
    let region = profile.get("region");
    if let Some(creds) = sources::container(io)? {
        return Ok(found(
            creds,
            CredentialSource::Container,
            Some(name),
            region,
        ));
    }
    if let Some(creds) = sources::imds(io)? {
        return Ok(found(creds, CredentialSource::Imds, Some(name), region));
    }
    Err(fail(format!(
        "profile {q_name} has no credentials: add aws_access_key_id/aws_secret_access_key, sso_session, role_arn, credential_process or web_identity_token_file to it",
        q_name = quoted(&name)
    )))
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
            "source_profile {q_name} is not in the shared config files",
            q_name = quoted(&name)
        )));
    };
    // Each profile of a source_profile chain needs an STS call, so a chain longer than the
    // driver's step cap can never finish: refuse it before recursing that deep.
    if visited.len() >= MAX_STEPS {
        return Err(fail(format!(
            "the source_profile chain from profile {} is longer than {MAX_STEPS} profiles; shorten it",
            quoted(&visited[0])
        )));
    }
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
        if let Some(token_file) = p.get("web_identity_token_file") {
            let session = p.get("role_session_name").map(str::to_owned);
            let creds = sources::web_identity(io, token_file, role_arn, session, region)?;
            return Ok(resolved(creds, CredentialSource::WebIdentity));
        }
        let source = role_source(io, files, p, name, visited)?;
        let params = assume_role_params(io, p, name, role_arn)?;
        let creds = sources::assume_role(io, &source, &params, region, name)?;
        return Ok(resolved(creds, CredentialSource::AssumeRole));
    }
    if p.get("sso_session").is_some() || p.get("sso_start_url").is_some() {
        let creds = sources::sso(io, files, p, name)?;
        return Ok(resolved(creds, CredentialSource::Sso));
    }
    if let Some(creds) = static_keys(p, name)? {
        return Ok(resolved(creds, CredentialSource::Profile));
    }
    if let Some(command) = p.get("credential_process") {
        let creds = sources::credential_process(io, command, name)?;
        return Ok(resolved(creds, CredentialSource::CredentialProcess));
    }
    Ok(None)
}

/// The credentials that sign a profile's AssumeRole: `source_profile` or `credential_source`.
fn role_source(
    io: &Io,
    files: &SharedConfig,
    p: &Section,
    name: &str,
    visited: &mut Vec<String>,
) -> R<Credentials> {
    match (p.get("source_profile"), p.get("credential_source")) {
        (Some(_), Some(_)) => Err(fail(format!(
            "profile {q_name} sets both source_profile and credential_source; keep one",
            q_name = quoted(&name)
        ))),
        (Some(src), None) if src == name => static_keys(p, name)?.ok_or_else(|| {
            fail(format!(
                "profile {q_name} is its own source_profile but has no keys",
                q_name = quoted(&name)
            ))
        }),
        (Some(src), None) => match profile_credentials(io, files, src, visited)? {
            Some(Resolved {
                auth: Auth::SigV4(c),
                ..
            }) => Ok(c),
            _ => Err(fail(format!(
                "source_profile {q_src} (for profile {q_name}) has no credentials",
                q_src = quoted(&src),
                q_name = quoted(&name)
            ))),
        },
        (None, Some(cs)) => credential_source(io, cs, name),
        (None, None) => Err(fail(format!(
            "profile {q_name} has role_arn but neither source_profile nor credential_source; add one",
            q_name = quoted(&name)
        ))),
    }
}

fn assume_role_params(io: &Io, p: &Section, name: &str, role_arn: &str) -> R<AssumeRole> {
    let duration = match p.get("duration_seconds") {
        Some(d) => Some(d.parse::<u32>().map_err(|_| {
            fail(format!(
                "profile {q_name}: duration_seconds {q_d} is not a number of seconds",
                q_name = quoted(&name),
                q_d = quoted(&d)
            ))
        })?),
        None => None,
    };
    Ok(AssumeRole {
        role_arn: role_arn.to_owned(),
        session_name: p
            .get("role_session_name")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("bedrock-request-{}", io.now.unix_timestamp())),
        external_id: p.get("external_id").map(str::to_owned),
        duration_seconds: duration,
    })
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
            "profile {q_name} has aws_access_key_id but no aws_secret_access_key",
            q_name = quoted(&name)
        ))),
        (None, Some(_)) => Err(fail(format!(
            "profile {q_name} has aws_secret_access_key but no aws_access_key_id",
            q_name = quoted(&name)
        ))),
        (None, None) => Ok(None),
    }
}

fn credential_source(io: &Io, source: &str, name: &str) -> R<Credentials> {
    let found = match source {
        // AWS keys from the environment (a Bedrock API key cannot sign AssumeRole).
        "Environment" => from_env(io.env)?,
        "EcsContainer" => sources::container(io)?,
        "Ec2InstanceMetadata" => sources::imds(io)?,
        other => {
            return Err(fail(format!(
                "profile {q_name}: credential_source {q_other} is not one of Environment, Ec2InstanceMetadata, EcsContainer",
                q_name = quoted(&name),
                q_other = quoted(&other)
            )))
        }
    };
    found.ok_or_else(|| {
        fail(format!(
            "profile {q_name}: credential_source {source} has no credentials",
            q_name = quoted(&name)
        ))
    })
}
