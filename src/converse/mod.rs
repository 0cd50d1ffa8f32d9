//! The Converse wire format: URL, body, and the unsigned request.

mod url;

pub use url::{encode_path_label, Endpoint};
pub(crate) use url::{redact_userinfo, validate_region};

use time::OffsetDateTime;

use crate::config::ClientConfig;
use crate::credentials::Auth;
use crate::error::{Error, Result};
use crate::prompt::{apply_role_policy, Block, Conversation, Message};
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
/// - Region: the `region` option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
/// - Endpoint: the `endpoint_url` option, else `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else
///   `AWS_ENDPOINT_URL` (path prefix kept; both variables ignored when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://bedrock-runtime.{region}.amazonaws.com`
///   (`bedrock-runtime-fips` with `AWS_USE_FIPS_ENDPOINT=true`; see [`Endpoint::bedrock_runtime`]).
/// - Body keys in order, each omitted when empty: `messages`, `system`, `inferenceConfig`,
///   `additionalModelRequestFields`.
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
    build_operation(config, messages, env, Operation::Converse)
}

/// Builds the ConverseStream request: the same body and signing, path `converse-stream`.
///
/// It is built whatever `supports_streaming` says; [`build_preferred`] follows that option.
pub fn build_stream(
    config: &ClientConfig,
    messages: &[Message],
    env: &Env,
) -> Result<UnsignedRequest> {
    build_operation(config, messages, env, Operation::ConverseStream)
}

/// Builds ConverseStream when the config's `supports_streaming` is true (the default), else
/// Converse; [`UnsignedRequest::operation`] says which, so the caller parses the answer right.
pub fn build_preferred(
    config: &ClientConfig,
    messages: &[Message],
    env: &Env,
) -> Result<UnsignedRequest> {
    let operation = if config.supports_streaming {
        Operation::ConverseStream
    } else {
        Operation::Converse
    };
    build_operation(config, messages, env, operation)
}

fn build_operation(
    config: &ClientConfig,
    messages: &[Message],
    env: &Env,
    operation: Operation,
) -> Result<UnsignedRequest> {
    let region = resolve_region(config, env)?;
    let endpoint = resolve_endpoint(config, env, &region)?;
    let conversation = apply_role_policy(messages, &config.roles)?;
    let body = body_json(config, conversation)?;
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

/// The region: the option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
pub fn resolve_region(config: &ClientConfig, env: &Env) -> Result<String> {
    let (region, from) = if let Some(r) = &config.region {
        (r.as_str(), "the region option")
    } else if let Some(r) = env.get_nonempty("AWS_REGION") {
        (r, "AWS_REGION")
    } else if let Some(r) = env.get_nonempty("AWS_DEFAULT_REGION") {
        (r, "AWS_DEFAULT_REGION")
    } else {
        return Err(Error::request(
            "no region: set `region` in the client options, or the AWS_REGION (or AWS_DEFAULT_REGION) environment variable",
        ));
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

fn block_json(block: Block) -> Result<Value> {
    Ok(match block {
        Block::Text(text) => Value::Object(vec![("text".into(), Value::String(text))]),
        Block::CachePoint => Value::Object(vec![(
            "cachePoint".into(),
            Value::Object(vec![("type".into(), Value::from("default"))]),
        )]),
        Block::Media(_) => {
            return Err(Error::prompt(
                "media parts (image, audio, video, documents) are not supported by this version yet; send text only",
            ))
        }
    })
}

fn blocks_json(blocks: Vec<Block>) -> Result<Value> {
    Ok(Value::Array(
        blocks.into_iter().map(block_json).collect::<Result<_>>()?,
    ))
}

/// The body's JSON; takes the conversation so large texts move into it instead of copying.
fn body_json(config: &ClientConfig, conversation: Conversation) -> Result<String> {
    let mut body: Vec<(String, Value)> = Vec::new();
    let messages = conversation
        .turns
        .into_iter()
        .map(|(role, blocks)| {
            Ok(Value::Object(vec![
                ("role".into(), Value::from(role.as_str())),
                ("content".into(), blocks_json(blocks)?),
            ]))
        })
        .collect::<Result<_>>()?;
    body.push(("messages".into(), Value::Array(messages)));
    if !conversation.system.is_empty() {
        body.push(("system".into(), blocks_json(conversation.system)?));
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
    if !config.additional_model_request_fields.is_empty() {
        body.push((
            "additionalModelRequestFields".into(),
            Value::Object(config.additional_model_request_fields.clone()),
        ));
    }
    Ok(Value::Object(body).to_json())
}
