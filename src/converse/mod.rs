//! The Converse wire format: URL, body, and the unsigned request.

mod media;
mod tools;
mod url;

pub(crate) use media::base64_encode;
pub use media::{document_name, media_format, Fetched};
pub use tools::{Tool, ToolChoice, Tools};
pub use url::{encode_path_label, Endpoint};
pub(crate) use url::{redact_userinfo, validate_region};

use time::OffsetDateTime;

use crate::config::ClientConfig;
use crate::credentials::Auth;
use crate::error::{Error, Result};
use crate::prompt::{
    apply_role_policy, Block, Conversation, Message, Part, ToolResultContent, ToolResultStatus,
};
use crate::request::{Body, HttpRequest};
use crate::sign;
use crate::value::Value;
use crate::Env;

/// Which Converse operation a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /model/{model}/converse`: one JSON response.
    Converse,
    /// `POST /model/{model}/converse-stream`: an `application/vnd.amazon.eventstream` body.
    ConverseStream,
}

impl Operation {
    fn path_suffix(self) -> &'static str {
        match self {
            Operation::Converse => "converse",
            Operation::ConverseStream => "converse-stream",
        }
    }
}

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

    /// Authorises the request at time `now`: SigV4 (`x-amz-date`, `x-amz-security-token`,
    /// `authorization`), or `authorization: Bearer` for a Bedrock API key.
    ///
    /// The signature is valid for 15 minutes from `now`; sign right before sending.
    pub fn sign(&self, auth: &Auth, now: OffsetDateTime) -> Result<HttpRequest> {
        self.clone().into_signed(auth, now)
    }

    /// Like [`sign`](Self::sign), consuming the request (no copy of the body).
    pub fn into_signed(self, auth: &Auth, now: OffsetDateTime) -> Result<HttpRequest> {
        let mut request = self.request;
        match auth {
            Auth::SigV4(credentials) => {
                sign::sign_in_place(&mut request, credentials, &self.region, now)?
            }
            Auth::Bearer(key) => {
                sign::check_header_safe("the Bedrock API key", key.expose())?;
                request
                    .headers
                    .push(("authorization".into(), format!("Bearer {}", key.expose())))
            }
        }
        Ok(request)
    }
}

/// Builds the Converse request for `messages` with `config`; `env` supplies the region and
/// endpoint when the config does not.
///
/// - Region: the `region` option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the region
///   of a model ARN.
/// - Endpoint: the `endpoint_url` option, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else
///   `AWS_ENDPOINT_URL` (path prefix kept; both variables ignored when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://bedrock-runtime.{region}.amazonaws.com`
///   (`bedrock-runtime-fips` with `AWS_USE_FIPS_ENDPOINT=true`; see [`Endpoint::bedrock_runtime`]).
/// - Body keys in Converse's order, each omitted when empty: `messages`, `system`,
///   `inferenceConfig`, `toolConfig`, `guardrailConfig`, `additionalModelRequestFields`,
///   `promptVariables`, `additionalModelResponseFieldPaths`, `requestMetadata`,
///   `performanceConfig`; then `extra_body` deep-merged.
///
/// Tools and fetched media: [`Builder`].
///
/// ```
/// use bedrock_request::{converse, ClientConfig, Env, Message};
/// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").region("us-east-1").build()?;
/// let request = converse::build(&config, &[Message::user("Hello")], &Env::new())?;
/// assert_eq!(request.preview().url,
///     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
/// assert_eq!(request.preview().body.as_str(),
///     Some(r#"{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}"#));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn build(config: &ClientConfig, messages: &[Message], env: &Env) -> Result<UnsignedRequest> {
    Builder::new(config, messages, env).build()
}

/// Builds the ConverseStream request: the same body and signing, path `converse-stream`.
///
/// It is built whatever `supports_streaming` says; [`build_preferred`] follows that option.
pub fn build_stream(
    config: &ClientConfig,
    messages: &[Message],
    env: &Env,
) -> Result<UnsignedRequest> {
    Builder::new(config, messages, env).build_stream()
}

/// Builds ConverseStream when the config's `supports_streaming` is true (the default), else
/// Converse; [`UnsignedRequest::operation`] says which, so the caller parses the answer right.
pub fn build_preferred(
    config: &ClientConfig,
    messages: &[Message],
    env: &Env,
) -> Result<UnsignedRequest> {
    Builder::new(config, messages, env).build_preferred()
}

/// The http(s) media URLs the caller must fetch before building (their `media_url_handler`
/// mode sends bytes): fetch each and pass the bytes with [`Builder::media`].
pub fn urls_to_fetch(config: &ClientConfig, messages: &[Message]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    let mut add = |media: &crate::prompt::Media| {
        if let Some(url) = media::needs_fetch(media, &config.media_url_handler) {
            if !urls.contains(&url) {
                urls.push(url);
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
    urls
}

/// The full set of inputs for a request: tools and fetched media besides config and messages.
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

    /// The Converse request.
    pub fn build(self) -> Result<UnsignedRequest> {
        build_operation(self, Operation::Converse)
    }

    /// The ConverseStream request.
    pub fn build_stream(self) -> Result<UnsignedRequest> {
        build_operation(self, Operation::ConverseStream)
    }

    /// ConverseStream unless the config says `supports_streaming false`.
    pub fn build_preferred(self) -> Result<UnsignedRequest> {
        let op = if self.config.supports_streaming {
            Operation::ConverseStream
        } else {
            Operation::Converse
        };
        build_operation(self, op)
    }
}

fn build_operation(b: Builder, operation: Operation) -> Result<UnsignedRequest> {
    let (config, messages, env) = (b.config, b.messages, b.env);
    let region = resolve_region(config, env)?;
    let endpoint = resolve_endpoint(config, env, &region)?;
    let conversation = apply_role_policy(messages, &config.roles)?;
    let body = body_json(config, conversation, b.tools, b.fetched)?;
    let url = format!(
        "{endpoint}/model/{}/{}",
        encode_path_label(&config.model),
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
            body: Body::new(body.into_bytes()),
        },
        region,
        operation,
    })
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

/// The region: the option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the region in
/// a model ARN. A configured region that differs from the ARN's is an error.
pub fn resolve_region(config: &ClientConfig, env: &Env) -> Result<String> {
    let arn = arn_region(&config.model);
    let configured = if let Some(r) = &config.region {
        Some((r.as_str(), "the region option"))
    } else if let Some(r) = env.get_nonempty("AWS_REGION") {
        Some((r, "AWS_REGION"))
    } else {
        env.get_nonempty("AWS_DEFAULT_REGION")
            .map(|r| (r, "AWS_DEFAULT_REGION"))
    };
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

/// The endpoint: the option, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else `AWS_ENDPOINT_URL`,
/// else the regional default.
pub fn resolve_endpoint(config: &ClientConfig, env: &Env, region: &str) -> Result<Endpoint> {
    if let Some(e) = &config.endpoint_url {
        return Ok(e.clone());
    }
    let ignore_env = env
        .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !ignore_env {
        for var in ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"] {
            if let Some(url) = env.get_nonempty(var) {
                return Endpoint::parse_reason(url).map_err(|e| {
                    Error::request(format!(
                        "{var}={:?} is not usable: {e}",
                        redact_userinfo(url)
                    ))
                });
            }
        }
    }
    let flag = |name: &str| {
        env.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    if flag("AWS_USE_DUALSTACK_ENDPOINT") {
        return Err(Error::request(
            "AWS_USE_DUALSTACK_ENDPOINT=true: dual-stack endpoints are not built by this version; set endpoint_url (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME) to the dual-stack endpoint, or unset the variable",
        ));
    }
    Ok(Endpoint::bedrock_runtime(
        region,
        flag("AWS_USE_FIPS_ENDPOINT"),
    ))
}

pub(crate) fn cache_point() -> Value {
    Value::Object(vec![(
        "cachePoint".into(),
        Value::Object(vec![("type".into(), Value::from("default"))]),
    )])
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Builds content blocks; documents get unique valid names.
struct Blocks<'a> {
    config: &'a ClientConfig,
    fetched: &'a [Fetched],
    names: Vec<String>,
}

impl Blocks<'_> {
    fn doc_name(names: &mut Vec<String>, given: Option<&str>) -> String {
        let base = match given {
            Some(n) => document_name(n),
            None => format!("document-{}", names.len() + 1),
        };
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        names.push(name.clone());
        name
    }

    fn media(&mut self, media: &crate::prompt::Media) -> Result<Value> {
        let names = &mut self.names;
        media::media_block(
            media,
            &self.config.media_url_handler,
            self.fetched,
            &mut |given| Blocks::doc_name(names, given),
        )
    }

    fn block(&mut self, block: Block) -> Result<Value> {
        Ok(match block {
            Block::Text(text) | Block::Part(Part::Text(text)) => {
                obj(vec![("text", Value::String(text))])
            }
            Block::CachePoint => cache_point(),
            Block::Part(Part::Media(media)) => self.media(&media)?,
            Block::Part(Part::ToolUse { id, name, input }) => obj(vec![(
                "toolUse",
                obj(vec![
                    ("toolUseId", Value::String(id)),
                    ("name", Value::String(name)),
                    ("input", input),
                ]),
            )]),
            Block::Part(Part::ToolResult {
                tool_use_id,
                content,
                status,
            }) => {
                let content = content
                    .into_iter()
                    .map(|c| {
                        Ok(match c {
                            ToolResultContent::Text(t) => obj(vec![("text", Value::String(t))]),
                            ToolResultContent::Json(j) => obj(vec![("json", j)]),
                            ToolResultContent::Media(m) => self.media(&m)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let mut fields = vec![
                    ("toolUseId", Value::String(tool_use_id)),
                    ("content", Value::Array(content)),
                ];
                if let Some(status) = status {
                    let s = match status {
                        ToolResultStatus::Success => "success",
                        ToolResultStatus::Error => "error",
                    };
                    fields.push(("status", Value::from(s)));
                }
                obj(vec![("toolResult", obj(fields))])
            }
            Block::Part(Part::GuardContent { text, qualifiers }) => {
                let mut inner = vec![("text", Value::String(text))];
                if !qualifiers.is_empty() {
                    inner.push((
                        "qualifiers",
                        Value::Array(qualifiers.into_iter().map(Value::String).collect()),
                    ));
                }
                obj(vec![("guardContent", obj(vec![("text", obj(inner))]))])
            }
        })
    }

    fn blocks(&mut self, blocks: Vec<Block>) -> Result<Value> {
        Ok(Value::Array(
            blocks
                .into_iter()
                .map(|b| self.block(b))
                .collect::<Result<_>>()?,
        ))
    }
}

/// A patch value with its `null` object members removed (a `null` means "remove", never
/// "send null").
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .filter(|(_, v)| *v != Value::Null)
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Deep-merges `patch` into `target`: objects merge key by key, `null` removes, anything else
/// replaces.
fn deep_merge(target: &mut Vec<(String, Value)>, patch: &[(String, Value)]) {
    for (key, value) in patch {
        let at = target.iter().position(|(k, _)| k == key);
        match (at, value) {
            (Some(i), Value::Null) => {
                target.remove(i);
            }
            (None, Value::Null) => {}
            (Some(i), Value::Object(p)) => match &mut target[i].1 {
                Value::Object(t) => deep_merge(t, p),
                other => *other = value.clone(),
            },
            (Some(i), _) => target[i].1 = without_nulls(value),
            (None, _) => target.push((key.clone(), without_nulls(value))),
        }
    }
}

/// The body's JSON; takes the conversation so large texts move into it instead of copying.
fn body_json(
    config: &ClientConfig,
    conversation: Conversation,
    tools: Option<&Tools>,
    fetched: &[Fetched],
) -> Result<String> {
    let mut b = Blocks {
        config,
        fetched,
        names: Vec::new(),
    };
    let mut body: Vec<(String, Value)> = Vec::new();
    let messages = conversation
        .turns
        .into_iter()
        .map(|(role, blocks)| {
            Ok(obj(vec![
                ("role", Value::from(role.as_str())),
                ("content", b.blocks(blocks)?),
            ]))
        })
        .collect::<Result<_>>()?;
    body.push(("messages".into(), Value::Array(messages)));
    if !conversation.system.is_empty() {
        body.push(("system".into(), b.blocks(conversation.system)?));
    }
    let inf = &config.inference;
    if !inf.is_empty() {
        let mut fields: Vec<(String, Value)> = Vec::new();
        if let Some(n) = inf.max_tokens {
            fields.push(("maxTokens".into(), Value::Number(n.into())));
        }
        if let Some(t) = &inf.temperature {
            fields.push(("temperature".into(), Value::Number(t.clone())));
        }
        if let Some(p) = &inf.top_p {
            fields.push(("topP".into(), Value::Number(p.clone())));
        }
        if !inf.stop_sequences.is_empty() {
            let stops = inf
                .stop_sequences
                .iter()
                .map(|s| Value::from(s.as_str()))
                .collect();
            fields.push(("stopSequences".into(), Value::Array(stops)));
        }
        body.push(("inferenceConfig".into(), Value::Object(fields)));
    }
    if let Some(tools) = tools {
        body.push(("toolConfig".into(), tools.to_value()));
    }
    if let Some(g) = &config.guardrail {
        let mut fields = vec![
            ("guardrailIdentifier", Value::from(g.identifier.as_str())),
            ("guardrailVersion", Value::from(g.version.as_str())),
        ];
        if let Some(t) = &g.trace {
            fields.push(("trace", Value::from(t.as_str())));
        }
        body.push(("guardrailConfig".into(), obj(fields)));
    }
    if !config.additional_model_request_fields.is_empty() {
        body.push((
            "additionalModelRequestFields".into(),
            Value::Object(config.additional_model_request_fields.clone()),
        ));
    }
    if !config.prompt_variables.is_empty() {
        let vars = config
            .prompt_variables
            .iter()
            .map(|(k, v)| (k.clone(), obj(vec![("text", Value::from(v.as_str()))])))
            .collect();
        body.push(("promptVariables".into(), Value::Object(vars)));
    }
    if !config.additional_model_response_field_paths.is_empty() {
        let paths = config
            .additional_model_response_field_paths
            .iter()
            .map(|p| Value::from(p.as_str()))
            .collect();
        body.push((
            "additionalModelResponseFieldPaths".into(),
            Value::Array(paths),
        ));
    }
    if !config.request_metadata.is_empty() {
        let meta = config
            .request_metadata
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        body.push(("requestMetadata".into(), Value::Object(meta)));
    }
    if let Some(latency) = &config.performance_latency {
        body.push((
            "performanceConfig".into(),
            obj(vec![("latency", Value::from(latency.as_str()))]),
        ));
    }
    deep_merge(&mut body, &config.extra_body);
    Ok(Value::Object(body).to_json())
}
