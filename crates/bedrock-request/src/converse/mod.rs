//! The Converse wire format: URL, body, and the unsigned request.
//!
//! One entry point: [`Builder`] takes the config, the messages and the environment, then
//! optionally tools, fetched media and the profile's region, and builds a Converse,
//! ConverseStream or CountTokens [`UnsignedRequest`]; [`UnsignedRequest::sign`] authorises it.

mod body;
pub mod limits;
mod media;
mod spill;
mod tools;

pub use media::{document_name, media_format, Fetched};
pub use tools::{Tool, ToolChoice, Tools};

use std::collections::BTreeSet;

use time::OffsetDateTime;

use crate::auth::Auth;
use crate::codec::{encode_path_label, quoted};
use crate::config::ClientConfig;
use crate::endpoint::{configured_endpoint, region_and_source, validate_region, Endpoint};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::prompt::{apply_role_policy, Conversation, Media, Message, Part, ToolResultContent};
use crate::request::{Body, HttpRequest};
use crate::sign;
use crate::value::Value;

/// Which Converse operation a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /model/{model}/converse`: one JSON response.
    Converse,
    /// `POST /model/{model}/converse-stream`: an `application/vnd.amazon.eventstream` body.
    ConverseStream,
    /// `POST /model/{model}/count-tokens`: how many input tokens the same conversation is
    /// (`{"inputTokens": N}`, read with [`parse::count_tokens`](crate::parse::count_tokens)).
    CountTokens,
}

impl Operation {
    /// ConverseStream unless the config says `supports_streaming false` (BAML's option): the
    /// operation a client prefers. [`UnsignedRequest::operation`] tells the caller which to
    /// parse.
    pub fn preferred(config: &ClientConfig) -> Operation {
        if config.supports_streaming() {
            Operation::ConverseStream
        } else {
            Operation::Converse
        }
    }

    fn path_suffix(self) -> &'static str {
        match self {
            Operation::Converse => "converse",
            Operation::ConverseStream => "converse-stream",
            Operation::CountTokens => "count-tokens",
        }
    }
}

/// The members of a Converse body that CountTokens's `input.converse` takes.
const COUNT_TOKENS_MEMBERS: [&str; 4] = [
    "messages",
    "system",
    "toolConfig",
    "additionalModelRequestFields",
];

/// A built Converse request, not signed yet.
///
/// [`preview`](Self::preview) shows it as it will be sent minus the signature headers;
/// [`sign`](Self::sign) adds them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a request does nothing until it is signed and sent"]
pub struct UnsignedRequest {
    request: HttpRequest,
    region: String,
    operation: Operation,
    cleartext_allowed: bool,
}

impl UnsignedRequest {
    /// The request before signing (headers `content-type` and `host`).
    pub fn preview(&self) -> &HttpRequest {
        &self.request
    }

    /// Takes the request before signing.
    pub fn into_preview(self) -> HttpRequest {
        self.request
    }

    /// Which operation the request calls (parse a `ConverseStream` answer with
    /// [`crate::stream`]).
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The region the request is for (and is signed for).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Lets [`sign`](Self::sign) put an API key or a session token on a request to a plain
    /// `http://` endpoint that is not this machine (refused by default: see
    /// [`sign::check_transport`]).
    pub fn allow_cleartext(mut self) -> Self {
        self.cleartext_allowed = true;
        self
    }

    /// Authorises the request at time `now`: SigV4 (`x-amz-date`, `x-amz-security-token`,
    /// `authorization`), or `authorization: Bearer` for a Bedrock API key. The body is moved,
    /// not copied (clone the request first to sign it again).
    ///
    /// The signature is valid for 15 minutes from `now`; sign right before sending. To sign
    /// with the body's hash computed by the host, or with a kept key, take
    /// [`into_preview`](Self::into_preview) and a [`sign::Signer`].
    ///
    /// An API key or a session token for a plain `http://` endpoint that is not this machine
    /// is an error unless [`allow_cleartext`](Self::allow_cleartext) was called.
    ///
    /// ```
    /// use bedrock_request::{converse, Auth, ClientConfig, Credentials, Env, Message};
    /// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").region("us-east-1").build()?;
    /// let messages = [Message::user("Hello")];
    /// let auth = Auth::SigV4(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
    /// let now = time::macros::datetime!(2015-08-30 12:36:00 UTC);
    /// let signed = converse::Builder::new(&config, &messages, &Env::new()).build()?.sign(&auth, now)?;
    /// assert_eq!(signed.header("x-amz-date"), Some("20150830T123600Z"));
    /// assert!(signed.header("authorization").unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request"));
    /// // A Bedrock API key instead: a bearer token, nothing else.
    /// let key = Auth::Bearer(bedrock_request::Secret::new("bedrock-api-key-abc"));
    /// let signed = converse::Builder::new(&config, &messages, &Env::new()).build()?.sign(&key, now)?;
    /// assert_eq!(signed.header("authorization"), Some("Bearer bedrock-api-key-abc"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn sign(self, auth: &Auth, now: OffsetDateTime) -> Result<HttpRequest> {
        if !self.cleartext_allowed {
            sign::check_transport(auth, &self.request.url)?;
        }
        let mut request = self.request;
        match auth {
            Auth::SigV4(credentials) => sign::Signer::new().sign_in_place(
                &mut request,
                credentials,
                &self.region,
                now,
                None,
            )?,
            Auth::Bearer(key) => sign::bearer_in_place(&mut request, key)?,
        }
        Ok(request)
    }
}

/// The http(s) media URLs the caller must fetch before building (their `media_url_handler`
/// mode sends bytes): fetch each and pass the bytes with [`Builder::media`].
pub fn urls_to_fetch(config: &ClientConfig, messages: &[Message]) -> Vec<String> {
    media_inputs(messages, |media| {
        media::needs_fetch(media, config.media_url_handler())
    })
}

/// The local files the media parts name (`"path"`, `file://`), as written: read each (a
/// messages file's paths are relative to it) and pass the bytes with [`Builder::media`], as
/// [`Fetched`] keyed by the path as written.
///
/// ```
/// use bedrock_request::{converse, prompt};
/// let messages = prompt::messages_from_json(r#"[{"role": "user", "content": [{"type": "image", "path": "cat.png"}]}]"#)?;
/// assert_eq!(converse::files_to_read(&messages), ["cat.png"]);
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn files_to_read(messages: &[Message]) -> Vec<String> {
    media_inputs(messages, media::needs_read)
}

/// What `wanted` names for every media part (tool results included), once each, in order.
fn media_inputs(messages: &[Message], wanted: impl Fn(&Media) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut add = |media: &Media| {
        if let Some(name) = wanted(media) {
            if seen.insert(name.clone()) {
                out.push(name);
            }
        }
    };
    for m in messages {
        for part in &m.parts {
            match part {
                Part::Media(media) => add(media),
                Part::ToolResult { content, .. } => {
                    for c in content {
                        if let ToolResultContent::Media(media) = c {
                            add(media);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Builds a request: config, messages and environment, then optionally tools, fetched media
/// and the profile's region.
///
/// - Region: the `region` option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
///   profile's `region` ([`profile_region`](Self::profile_region)), else the region of a model
///   ARN. A configured region that differs from the ARN's is an error.
/// - Endpoint: the `endpoint_url` option, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else
///   `AWS_ENDPOINT_URL` (path prefix kept; both variables ignored when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://bedrock-runtime.{region}.amazonaws.com`
///   (`bedrock-runtime-fips` with `AWS_USE_FIPS_ENDPOINT=true`; see [`Endpoint::bedrock_runtime`]).
/// - Body keys in Converse's order, each omitted when empty: `messages`, `system`,
///   `inferenceConfig`, `toolConfig`, `guardrailConfig`, `projectIdentifier`,
///   `additionalModelRequestFields`, `promptVariables`, `additionalModelResponseFieldPaths`,
///   `requestMetadata`, `performanceConfig`, `serviceTier`, `outputConfig`; then `extra_body`
///   deep-merged. [`Operation::CountTokens`] wraps the members
///   CountTokens takes in `{"input": {"converse": ...}}`.
/// - Messages: none only when the model is a Prompt management ARN (its
///   `prompt_variables` fill the prompt).
///
/// ```
/// use bedrock_request::{converse::Builder, ClientConfig, Env, Message};
/// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").region("us-east-1").build()?;
/// let request = Builder::new(&config, &[Message::user("Hello")], &Env::new()).build()?;
/// assert_eq!(request.preview().url,
///     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
/// assert_eq!(request.preview().body.as_str(),
///     Some(r#"{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}"#));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
///
/// With tools:
///
/// ```
/// use bedrock_request::converse::{Builder, Tools};
/// use bedrock_request::{ClientConfig, Env, Message};
/// let config = ClientConfig::builder().model("m").region("us-east-1").build()?;
/// let tools = Tools::from_json(r#"{"tools":[{"name":"now","description":"The time","input_schema":{"type":"object"}}]}"#)?;
/// let messages = [Message::user("What time is it?")];
/// let env = Env::new();
/// let request = Builder::new(&config, &messages, &env).tools(&tools).build()?;
/// assert!(request.preview().body.as_str().unwrap().contains(r#""toolConfig":{"tools":[{"toolSpec":{"name":"now""#));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Builder<'a> {
    config: &'a ClientConfig,
    messages: &'a [Message],
    env: &'a Env,
    tools: Option<&'a Tools>,
    fetched: &'a [Fetched],
    profile_region: Option<&'a str>,
    operation: Operation,
}

impl<'a> Builder<'a> {
    /// A request for these messages with this config.
    pub fn new(config: &'a ClientConfig, messages: &'a [Message], env: &'a Env) -> Self {
        Builder {
            config,
            messages,
            env,
            tools: None,
            fetched: &[],
            profile_region: None,
            operation: Operation::Converse,
        }
    }

    /// Adds `toolConfig`.
    pub fn tools(mut self, tools: &'a Tools) -> Self {
        self.tools = Some(tools);
        self
    }

    /// The bytes fetched for [`urls_to_fetch`].
    pub fn media(mut self, fetched: &'a [Fetched]) -> Self {
        self.fetched = fetched;
        self
    }

    /// The profile's `region`, as the credential chain found it
    /// ([`Resolved::region`](crate::credentials::Resolved::region)): used when neither the
    /// `region` option nor `AWS_REGION` / `AWS_DEFAULT_REGION` gives one.
    pub fn profile_region(mut self, region: Option<&'a str>) -> Self {
        self.profile_region = region;
        self
    }

    /// Which request to build: Converse (the default), ConverseStream or CountTokens.
    ///
    /// CountTokens's body is `{"input": {"converse": {messages, system?, toolConfig?,
    /// additionalModelRequestFields?}}}`, the Converse body's members (after `extra_body`)
    /// that CountTokens takes; the others (inference settings, guardrails...) do not change
    /// the input's size and are left out.
    ///
    /// ```
    /// use bedrock_request::{converse::{Builder, Operation}, ClientConfig, Env, Message};
    /// let config = ClientConfig::builder().model("anthropic.claude-3-5-haiku-20241022-v1:0").region("us-east-1").build()?;
    /// let request = Builder::new(&config, &[Message::user("Hello")], &Env::new())
    ///     .operation(Operation::CountTokens)
    ///     .build()?;
    /// assert!(request.preview().url.ends_with("/count-tokens"));
    /// assert_eq!(request.preview().body.as_str(),
    ///     Some(r#"{"input":{"converse":{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}}}"#));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn operation(mut self, operation: Operation) -> Self {
        self.operation = operation;
        self
    }

    /// The request: the [`operation`](Self::operation) chosen, Converse by default.
    pub fn build(self) -> Result<UnsignedRequest> {
        let operation = self.operation;
        build_operation(self, operation)
    }
}

/// Refuses what Bedrock would: tool uses or results with no tools configured ("The toolConfig
/// field must be defined when using toolUse and toolResult content blocks"), and a result for a
/// tool use no earlier message holds.
fn check_tool_turns(messages: &[Message], tools: Option<&Tools>) -> Result<()> {
    // Owned keys: the crate's other sets are of `String`, and one key type is one copy of the
    // B-tree's code in the JS module.
    let mut uses: BTreeSet<String> = BTreeSet::new();
    for part in messages.iter().flat_map(|m| &m.parts) {
        let (kind, id) = match part {
            Part::ToolUse { id, .. } => ("tool_use", id.as_str()),
            Part::ToolResult { tool_use_id, .. } => ("tool_result", tool_use_id.as_str()),
            Part::Native(n) if matches!(n.member(), "toolUse" | "toolResult") => {
                let kind = if n.member() == "toolUse" {
                    "tool_use"
                } else {
                    "tool_result"
                };
                (kind, n.tool_use_id().unwrap_or(""))
            }
            _ => continue,
        };
        if tools.is_none() {
            return Err(Error::prompt(format!(
                "the messages hold a {kind} part ({id}) but no tools are configured, and Bedrock requires toolConfig with tool turns: pass the tools (converse::Builder::tools, the CLI's --tools FILE)"
            )));
        }
        if kind == "tool_use" {
            uses.insert(id.to_owned());
        } else if !uses.contains(id) {
            return Err(Error::prompt(format!(
                "a tool_result answers tool use {q_id}, but no earlier tool_use part has that id: add the assistant's tool_use turn before it, or fix tool_use_id",
                q_id = quoted(&id)
            )));
        }
    }
    Ok(())
}

fn build_operation(b: Builder, operation: Operation) -> Result<UnsignedRequest> {
    let config = b.config;
    let region = resolve_region(config, b.env, b.profile_region)?;
    let endpoint = resolve_endpoint(config, b.env, &region)?;
    // Large texts and images go into the body by reference, copied once (see `spill`); any
    // surprise there, and the body is built again the plain way, which also gives the errors.
    let spilled = spill::swap_out(b.messages).and_then(|(light, spilled)| {
        let body = body_text(&b, operation, &light, &spilled).ok()?;
        spill::splice_in(&body, &spilled)
    });
    let body = match spilled {
        Some(body) => body,
        None => body_text(&b, operation, b.messages, &spill::Spilled::default())?.into_bytes(),
    };
    let url = format!(
        "{endpoint}/model/{}/{}",
        encode_path_label(config.model()),
        operation.path_suffix()
    );
    Ok(UnsignedRequest {
        request: HttpRequest {
            method: "POST".into(),
            url,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("host".into(), endpoint.host().to_owned()),
            ],
            body: Body::new(body),
        },
        region,
        operation,
        cleartext_allowed: false,
    })
}

/// The body's JSON for `messages` (the caller's, or their light copy with `spilled` tokens).
fn body_text(
    b: &Builder,
    operation: Operation,
    messages: &[Message],
    spilled: &spill::Spilled<'_>,
) -> Result<String> {
    let config = b.config;
    // A prompt-management ARN takes its messages from the prompt: none is fine.
    let conversation = if messages.is_empty() && is_prompt_arn(config.model()) {
        Conversation::default()
    } else {
        apply_role_policy(messages, config.roles())?
    };
    check_tool_turns(messages, b.tools)?;
    let stream = operation == Operation::ConverseStream;
    let body = body::body_json(config, conversation, b.tools, b.fetched, stream, spilled)?;
    Ok(match (operation, body) {
        (Operation::CountTokens, Value::Object(members)) => {
            let converse = members
                .into_iter()
                .filter(|(k, _)| COUNT_TOKENS_MEMBERS.contains(&k.as_str()))
                .collect();
            Value::Object(vec![(
                "input".into(),
                Value::Object(vec![("converse".into(), Value::Object(converse))]),
            )])
        }
        (_, body) => body,
    }
    .to_json())
}

/// Whether the model is a Prompt management ARN (`arn:aws:bedrock:REGION:ACCOUNT:prompt/ID`).
fn is_prompt_arn(model: &str) -> bool {
    arn_region(model).is_some()
        && model
            .splitn(6, ':')
            .nth(5)
            .is_some_and(|resource| resource.starts_with("prompt/"))
}

/// The region in a Bedrock ARN (`arn:aws:bedrock:REGION:ACCOUNT:...`), if the model is one.
fn arn_region(model: &str) -> Option<&str> {
    let parts: Vec<&str> = model.splitn(6, ':').collect();
    let [arn, partition, service, region, _account, _resource] = parts.as_slice() else {
        return None;
    };
    let looks_like_region = region.split('-').count() >= 3
        && region.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && region.ends_with(|c: char| c.is_ascii_digit());
    (*arn == "arn" && partition.starts_with("aws") && *service == "bedrock" && looks_like_region)
        .then_some(region)
}

/// The region (see [`Builder`] for the order); the one place a request's region is chosen.
fn resolve_region(
    config: &ClientConfig,
    env: &Env,
    profile_region: Option<&str>,
) -> Result<String> {
    let arn = arn_region(config.model());
    let configured = region_and_source(config.region(), env, profile_region).map(|(r, from)| {
        let from = match from {
            "explicit" => "the region option",
            "profile" => "the profile's region",
            var => var,
        };
        (r, from)
    });
    let (region, from) = match (configured, arn) {
        (Some((r, from)), Some(a)) if r != a => {
            return Err(Error::request(format!(
                "the model ARN is in region {a} but {from} is {r}: an ARN must be called in its own region; remove the region setting or use the ARN of that region"
            )))
        }
        (Some(found), _) => found,
        (None, Some(a)) => (a, "the model ARN"),
        (None, None) => {
            return Err(Error::request(
                "no region: set `region` in the client options, or the AWS_REGION (or AWS_DEFAULT_REGION) environment variable",
            ))
        }
    };
    validate_region(region).map_err(|e| Error::request(format!("{e} (from {from})")))?;
    Ok(region.to_owned())
}

/// The endpoint (see [`Builder`] for the order).
fn resolve_endpoint(config: &ClientConfig, env: &Env, region: &str) -> Result<Endpoint> {
    if let Some(e) = config.endpoint_url() {
        return Ok(e.clone());
    }
    if let Some(e) =
        configured_endpoint(env, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", ErrorKind::Request)?
    {
        return Ok(e);
    }
    if env.flag("AWS_USE_DUALSTACK_ENDPOINT") {
        return Err(Error::request(
            "AWS_USE_DUALSTACK_ENDPOINT=true: dual-stack endpoints are not built by this version; set endpoint_url (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME) to the dual-stack endpoint, or unset the variable",
        ));
    }
    Ok(Endpoint::bedrock_runtime(
        region,
        env.flag("AWS_USE_FIPS_ENDPOINT"),
    ))
}
