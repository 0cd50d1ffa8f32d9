//! The WebAssembly module of the JS package (`js/`): bedrock-request's API behind one C-ABI
//! entry point, JSON in and out, with a side channel for bytes (a stream's chunks).
//!
//! Build: `npm run build` in `js/` (it runs `cargo-wasm build --profile wasm --target
//! wasm32-unknown-unknown -p bedrock-request-js`). The module imports nothing.
//!
//! `call(op, op_len, input, input_len, bytes, bytes_len)` runs operation `op` on the JSON
//! `input` (and `bytes`) and returns `(out_ptr << 32) | out_len`: `{"ok": ...}` or
//! `{"error": {"kind", "message", ...}}`. The host frees every buffer with `dealloc`. The
//! time is an argument (`unixTime`): wasm32-unknown-unknown has no clock.

#![deny(unsafe_op_in_unsafe_fn)]

mod retry;

use std::cell::RefCell;

use bedrock_request::credentials::{Chain, Performed, ProcessOutput, Step};
use bedrock_request::parse::{self, AwsError};
use bedrock_request::stream::{ConverseStream, Event};
use bedrock_request::structured::Schema;
use bedrock_request::{
    converse, credentials, prompt, Auth, Body, ClientConfig, Credentials, Env, Error, HttpRequest,
    HttpResponse, Value,
};
use time::OffsetDateTime;

/// An operation's answer as JSON text (written by [`Json`]), or its error as a value.
type Out = Result<String, Value>;

/// JSON written piece by piece: the module's answers, without building `Value` trees for them.
/// A key or item after the first of its object or array gets its comma from the last byte.
struct Json(String);

impl Json {
    /// `{`, then the fields, then [`Json::end`].
    fn object() -> Json {
        let mut j = Json(String::with_capacity(256));
        j.0.push('{');
        j
    }

    fn comma(&mut self) {
        if !matches!(self.0.as_bytes().last(), None | Some(b'{' | b'[' | b':')) {
            self.0.push(',');
        }
    }

    fn key(&mut self, key: &str) -> &mut Json {
        self.comma();
        write_json_str(key, &mut self.0);
        self.0.push(':');
        self
    }

    fn str(&mut self, key: &str, text: &str) -> &mut Json {
        self.key(key);
        write_json_str(text, &mut self.0);
        self
    }

    fn opt_str(&mut self, key: &str, text: Option<&str>) -> &mut Json {
        match text {
            Some(text) => self.str(key, text),
            None => self.raw(key, "null"),
        }
    }

    fn num(&mut self, key: &str, n: u64) -> &mut Json {
        self.key(key);
        self.0.push_str(&n.to_string());
        self
    }

    fn opt_num(&mut self, key: &str, n: Option<u64>) -> &mut Json {
        match n {
            Some(n) => self.num(key, n),
            None => self.raw(key, "null"),
        }
    }

    /// An array of `items`, each written by `item`.
    fn array<T>(
        &mut self,
        key: &str,
        items: impl IntoIterator<Item = T>,
        mut item: impl FnMut(&mut String, T),
    ) -> &mut Json {
        self.key(key).0.push('[');
        for x in items {
            self.comma();
            item(&mut self.0, x);
        }
        self.0.push(']');
        self
    }

    /// JSON text as it is (valid JSON from the crate, or a literal).
    fn raw(&mut self, key: &str, json: &str) -> &mut Json {
        self.key(key);
        self.0.push_str(json);
        self
    }

    fn value(&mut self, key: &str, value: &Value) -> &mut Json {
        self.key(key);
        value.write_json(&mut self.0);
        self
    }

    fn end(&mut self) -> String {
        self.0.push('}');
        std::mem::take(&mut self.0)
    }
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Appends `text` to `out` as a JSON string, quoted and escaped by serde_json.
fn write_json_str(text: &str, out: &mut String) {
    let mut bytes = std::mem::take(out).into_bytes();
    // Writing to a Vec cannot fail.
    let _ = serde::Serializer::serialize_str(&mut serde_json::Serializer::new(&mut bytes), text);
    // SAFETY: `bytes` held a String, and serde_json appended a str's text, quoted and escaped
    // with ASCII: it is UTF-8.
    *out = unsafe { String::from_utf8_unchecked(bytes) };
}

/// A text in JSON's double quotes, as errors show the value they name (without `{:?}`, whose
/// Unicode tables the module would carry).
fn quoted(text: &str) -> String {
    let mut out = String::new();
    write_json_str(text, &mut out);
    out
}

fn fail(kind: &str, message: impl Into<String>) -> Value {
    obj(vec![
        ("kind", Value::from(kind)),
        ("message", Value::String(message.into())),
    ])
}

fn aws_value(e: &AwsError) -> Value {
    let opt = |s: Option<&str>| s.map_or(Value::Null, Value::from);
    obj(vec![
        ("code", Value::from(e.code.as_str())),
        ("message", Value::from(e.message.as_str())),
        (
            "status",
            e.status
                .map_or(Value::Null, |s| Value::Number(u64::from(s).into())),
        ),
        ("requestId", opt(e.request_id.as_deref())),
        ("retryable", Value::Bool(e.retryable)),
        ("hint", Value::from(e.hint.as_str())),
        // The kind as its Debug form names it: `Validation(InvalidModelIdentifier)`.
        ("kind", Value::String(format!("{:?}", e.kind))),
    ])
}

fn error(e: Error) -> Value {
    let mut v = fail(&format!("{:?}", e.kind()), e.to_string());
    if let (Some(aws), Value::Object(fields)) = (e.aws(), &mut v) {
        fields.push(("aws".into(), aws_value(aws)));
    }
    v
}

fn field<'v>(input: &'v Value, key: &str) -> Result<&'v Value, Value> {
    input
        .get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| fail("Input", format!("{key} is missing")))
}

fn text<'v>(input: &'v Value, key: &str) -> Result<&'v str, Value> {
    field(input, key)?
        .as_str()
        .ok_or_else(|| fail("Input", format!("{key} must be a string")))
}

fn env_of(input: &Value) -> Env {
    match input.get("env") {
        Some(Value::Object(vars)) => vars
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        _ => Env::new(),
    }
}

fn config_of(input: &Value, env: &Env) -> Result<ClientConfig, Value> {
    match (input.get("baml"), input.get("options")) {
        (Some(Value::String(baml)), _) => {
            ClientConfig::from_baml(baml, text(input, "client")?, env).map_err(error)
        }
        (_, Some(options)) if !options.is_null() => {
            ClientConfig::from_options(options, None).map_err(error)
        }
        _ => Err(fail(
            "Input",
            "give options (an object) or baml text with client",
        )),
    }
}

fn now_of(input: &Value) -> Result<OffsetDateTime, Value> {
    let ms = field(input, "unixTimeMs")?
        .as_u64()
        .ok_or_else(|| fail("Input", "unixTimeMs must be a non-negative integer"))?;
    // Seconds and milliseconds, not `from_unix_timestamp_nanos`: its 128-bit arithmetic is
    // 1 KB of the module.
    let ms = i64::try_from(ms).map_err(|_| fail("Input", "unixTimeMs is out of range"))?;
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .and_then(|t| t.replace_millisecond(ms.rem_euclid(1000) as u16))
        .map_err(|e| fail("Input", e.to_string()))
}

/// `method`, `url`, `headers` (`[[name, value], ...]`) and `bodyText` of a request, into an
/// open object.
fn request_fields(j: &mut Json, r: &HttpRequest) {
    j.str("method", &r.method)
        .str("url", &r.url)
        .array("headers", &r.headers, |out, (k, v)| {
            out.push('[');
            write_json_str(k, out);
            out.push(',');
            write_json_str(v, out);
            out.push(']');
        })
        .str("bodyText", &String::from_utf8_lossy(r.body.as_bytes()));
}

fn request_json(r: &HttpRequest) -> String {
    let mut j = Json::object();
    request_fields(&mut j, r);
    j.end()
}

/// An unsigned request and its region (`unsigned: true` when it is handed back for the host to
/// hash).
fn unsigned_json(unsigned: &converse::UnsignedRequest, for_host: bool) -> String {
    let mut j = Json::object();
    request_fields(&mut j, unsigned.preview());
    j.str("region", unsigned.region());
    if for_host {
        j.raw("unsigned", "true");
    }
    j.end()
}

/// The unsigned request of `{options | baml+client, env?, messages, tools?, operation?,
/// profileRegion?}`, and the config and environment it was built from.
fn unsigned_of(input: &mut Value) -> Result<(converse::UnsignedRequest, ClientConfig, Env), Value> {
    let env = env_of(input);
    let config = config_of(input, &env)?;
    // Taken out of the input, not copied: the messages own their texts.
    let messages = match input {
        Value::Object(fields) => fields
            .iter_mut()
            .find(|(k, _)| k == "messages")
            .map(|(_, v)| std::mem::replace(v, Value::Null)),
        _ => None,
    }
    .filter(|v| !v.is_null())
    .ok_or_else(|| fail("Input", "messages is missing"))?;
    let messages = prompt::messages_from_value(messages).map_err(error)?;
    let input = &*input;
    let tools = match input.get("tools").filter(|t| !t.is_null()) {
        Some(t) => Some(converse::Tools::from_value(t).map_err(error)?),
        None => None,
    };
    let region = input.get("profileRegion").and_then(Value::as_str);
    let mut builder = converse::Builder::new(&config, &messages, &env).profile_region(region);
    if let Some(tools) = &tools {
        builder = builder.tools(tools);
    }
    let unsigned = match input.get("operation").and_then(Value::as_str) {
        None | Some("converse") => builder.build(),
        Some("converse-stream") => builder
            .operation(converse::Operation::ConverseStream)
            .build(),
        Some("count-tokens") => builder.operation(converse::Operation::CountTokens).build(),
        Some(other) => {
            return Err(fail(
                "Input",
                format!("unknown operation {}", quoted(other)),
            ))
        }
    }
    .map_err(error)?;
    Ok((unsigned, config, env))
}

/// `build`: the unsigned request (`unsigned_of`) and its region.
fn build(input: &mut Value) -> Out {
    let (unsigned, _, _) = unsigned_of(input)?;
    Ok(unsigned_json(&unsigned, false))
}

/// `signConverse`: `build`'s input with `sign`'s authorisation and `unixTimeMs`, built and
/// signed in one call (the host's path for requests without large texts). A body of
/// `hostHashAt` bytes or more comes back unsigned (as `build` gives it, with `unsigned: true`)
/// for the host to hash natively and `sign`.
fn sign_converse(input: &mut Value) -> Out {
    let (unsigned, config, env) = unsigned_of(input)?;
    let input = &*input;
    let host_hash_at = input.get("hostHashAt").and_then(Value::as_u64);
    if host_hash_at.is_some_and(|at| unsigned.preview().body.as_bytes().len() as u64 >= at) {
        return Ok(unsigned_json(&unsigned, true));
    }
    let now = now_of(input)?;
    let auth = match given_auth(input)? {
        Some(auth) => auth,
        None => resolved_auth(&config, &env)?,
    };
    let region = unsigned.region().to_owned();
    let mut request = unsigned.into_preview();
    check_transport(input, &auth, &request.url)?;
    match auth {
        Auth::SigV4(creds) => SIGNER
            .with(|s| {
                s.borrow_mut()
                    .sign_in_place(&mut request, &creds, &region, now, None)
            })
            .map_err(error)?,
        Auth::Bearer(key) => {
            bedrock_request::sign::bearer_in_place(&mut request, &key).map_err(error)?
        }
        _ => return Err(fail("Input", "unsupported authorisation")),
    }
    Ok(request_json(&request))
}

/// Refuses an API key or a session token for a plain-HTTP endpoint off this machine, unless
/// the host passed `allowInsecureHttp: true`.
fn check_transport(input: &Value, auth: &Auth, url: &str) -> Result<(), Value> {
    if input.get("allowInsecureHttp").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    bedrock_request::sign::check_transport(auth, url).map_err(error)
}

/// The authorisation: `credentials {accessKeyId, secretAccessKey, sessionToken?}`, `apiKey`,
/// or what the options and `env` give (`credentials::resolve_static`).
fn auth_of(input: &Value) -> Result<Auth, Value> {
    match given_auth(input)? {
        Some(auth) => Ok(auth),
        None => {
            let env = env_of(input);
            resolved_auth(&config_of(input, &env)?, &env)
        }
    }
}

/// The `apiKey` or `credentials` the host gave, if any.
fn given_auth(input: &Value) -> Result<Option<Auth>, Value> {
    if let Some(key) = input.get("apiKey").and_then(Value::as_str) {
        return Ok(Some(Auth::Bearer(bedrock_request::Secret::new(key))));
    }
    if let Some(c) = input.get("credentials").filter(|c| !c.is_null()) {
        // What the chain resolved may be an API key: `credentials: resolved.credentials`.
        if let Some(key) = c.get("apiKey").and_then(Value::as_str) {
            return Ok(Some(Auth::Bearer(bedrock_request::Secret::new(key))));
        }
        let mut creds = Credentials::new(text(c, "accessKeyId")?, text(c, "secretAccessKey")?);
        if let Some(token) = c.get("sessionToken").and_then(Value::as_str) {
            creds = creds.with_session_token(token);
        }
        return Ok(Some(Auth::SigV4(creds)));
    }
    Ok(None)
}

/// What the options and `env` give (`credentials::resolve_static`), or the crate's error.
fn resolved_auth(config: &ClientConfig, env: &Env) -> Result<Auth, Value> {
    credentials::resolve_static(config, env)
        .map_err(error)?
        .map(|r| r.auth)
        .ok_or_else(|| error(credentials::no_credentials_error()))
}

/// `sign`: `{method, url, headers, bodyText? | payloadHash, region, unixTimeMs, auth...}` →
/// the signed headers.
fn sign(input: &Value) -> Out {
    let bad = || fail("Input", "headers must be [[name, value], ...]");
    let mut headers = Vec::new();
    for h in field(input, "headers")?.as_array().ok_or_else(bad)? {
        match h.as_array() {
            Some([Value::String(k), Value::String(v)]) => headers.push((k.clone(), v.clone())),
            _ => return Err(bad()),
        }
    }
    let body = input.get("bodyText").and_then(Value::as_str).unwrap_or("");
    let mut request = HttpRequest {
        method: text(input, "method")?.to_owned(),
        url: text(input, "url")?.to_owned(),
        headers,
        body: Body::new(body.as_bytes().to_vec()),
    };
    let now = now_of(input)?;
    let region = text(input, "region")?;
    let auth = auth_of(input)?;
    check_transport(input, &auth, &request.url)?;
    match auth {
        Auth::SigV4(creds) => SIGNER
            .with(|s| {
                let mut signer = s.borrow_mut();
                let hash = input.get("payloadHash").and_then(Value::as_str);
                signer.sign_in_place(&mut request, &creds, region, now, hash)
            })
            .map_err(error)?,
        Auth::Bearer(key) => {
            bedrock_request::sign::bearer_in_place(&mut request, &key).map_err(error)?
        }
        _ => return Err(fail("Input", "unsupported authorisation")),
    }
    Ok(request_json(&request))
}

/// `{completion, message}`: the crate's JSON of the completion and of the turn to append.
fn completion_json(c: &parse::Completion) -> String {
    Json::object()
        .raw("completion", &c.to_json())
        .raw("message", &c.to_message_json())
        .end()
}

fn headers_of(input: &Value) -> Vec<(String, String)> {
    input
        .get("headers")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|h| match h.as_array() {
            Some([Value::String(k), Value::String(v)]) => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

/// `parse`: `{status, headers, bodyText, countTokens?}` → the completion and the turn to
/// append, or `{inputTokens}`.
fn parse_response(input: &Value) -> Out {
    let status = field(input, "status")?
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .ok_or_else(|| fail("Input", "status must be an HTTP status"))?;
    let headers = headers_of(input);
    let body = text(input, "bodyText")?.as_bytes();
    if input.get("countTokens").and_then(Value::as_bool) == Some(true) {
        let n = parse::count_tokens(status, &headers, body).map_err(error)?;
        return Ok(Json::object().num("inputTokens", n).end());
    }
    // The finish-reason policy of the client: its options, or its BAML block.
    let configured =
        input.get("options").is_some_and(|o| !o.is_null()) || input.get("baml").is_some();
    let policy = match configured {
        true => config_of(input, &env_of(input))?.finish_reason().clone(),
        false => Default::default(),
    };
    let c = parse::response(status, &headers, body, &policy).map_err(error)?;
    Ok(completion_json(&c))
}

/// `structured`: `{text, schema, partial?}` → the value.
/// `structured {text, schema, partial?}`: the schema is a JSON Schema, or BAML types as
/// `{baml: "class ...", type: "Person[]"}`.
fn structured(input: &Value) -> Out {
    let given = field(input, "schema")?;
    let schema = match given.get("baml") {
        Some(Value::String(source)) => {
            let ty = text(given, "type").map_err(|_| {
                fail(
                    "Input",
                    "BAML types need the type to parse into: {baml, type: \"Person[]\"}",
                )
            })?;
            Schema::from_baml(source, ty)
        }
        _ => Schema::from_value(given),
    }
    .map_err(error)?;
    let text = text(input, "text")?;
    if input.get("partial").and_then(Value::as_bool) == Some(true) {
        schema.parse_partial(text)
    } else {
        schema.parse(text)
    }
    .map(|v| v.to_json())
    .map_err(error)
}

/// A stream event's usage as JS takes it: camelCase, as every event field (and as Bedrock's
/// wire names it): `{inputTokens, outputTokens, totalTokens, cacheReadInputTokens,
/// cacheWriteInputTokens, cacheDetails: [{ttl, inputTokens}]}`.
fn usage_value(u: &bedrock_request::parse::Usage) -> Value {
    let count = |n: u64| Value::Number(n.into());
    let opt = |n: Option<u64>| n.map_or(Value::Null, count);
    let details = u
        .cache_details
        .iter()
        .map(|d| {
            obj(vec![
                ("ttl", Value::from(d.ttl.as_str())),
                ("inputTokens", count(d.input_tokens)),
            ])
        })
        .collect();
    obj(vec![
        ("inputTokens", count(u.input_tokens)),
        ("outputTokens", count(u.output_tokens)),
        ("totalTokens", count(u.total_tokens)),
        ("cacheReadInputTokens", opt(u.cache_read_input_tokens)),
        ("cacheWriteInputTokens", opt(u.cache_write_input_tokens)),
        ("cacheDetails", Value::Array(details)),
    ])
}

/// A stream event as JS takes it: `type` and camelCase fields, every field of the crate's
/// event (usage in camelCase, [`usage_value`]), as an item of `j`'s open array.
fn event_json(j: &mut Json, e: &Event) {
    j.comma();
    j.0.push('{');
    let typed = |j: &mut Json, kind: &str, index: &u64| {
        j.str("type", kind).num("index", *index);
    };
    match e {
        Event::MessageStart { role } => {
            j.str("type", "messageStart").str("role", role);
        }
        Event::ToolUseStart {
            index,
            id,
            name,
            tool_type,
        } => {
            typed(j, "toolUseStart", index);
            j.str("id", id)
                .str("name", name)
                .opt_str("toolType", tool_type.as_deref());
        }
        Event::ToolResultStart {
            index,
            tool_use_id,
            status,
            tool_type,
        } => {
            typed(j, "toolResultStart", index);
            j.str("toolUseId", tool_use_id)
                .opt_str("status", status.as_deref())
                .opt_str("toolType", tool_type.as_deref());
        }
        Event::ImageStart { index, format } => {
            typed(j, "imageStart", index);
            j.str("format", format);
        }
        Event::TextDelta { index, text } => {
            typed(j, "text", index);
            j.str("text", text);
        }
        Event::ToolInputDelta { index, input } => {
            typed(j, "toolInput", index);
            j.str("input", input);
        }
        Event::ToolResultDelta { index, content } => {
            typed(j, "toolResult", index);
            j.value("content", content);
        }
        Event::ReasoningDelta { index, text } => {
            typed(j, "reasoning", index);
            j.str("text", text);
        }
        Event::ReasoningSignature { index, signature } => {
            typed(j, "reasoningSignature", index);
            j.str("signature", signature);
        }
        Event::ReasoningRedacted { index, data } => {
            typed(j, "reasoningRedacted", index);
            // Bytes as numbers; the JS side makes them a Uint8Array.
            j.array("data", data, |out, b| out.push_str(&b.to_string()));
        }
        Event::CitationDelta { index, raw, .. } => {
            typed(j, "citation", index);
            j.value("citation", raw);
        }
        Event::ImageDelta { index, delta } => {
            typed(j, "image", index);
            j.value("delta", delta);
        }
        Event::ContentBlockStop { index } => typed(j, "contentBlockStop", index),
        Event::MessageStop {
            stop_reason,
            additional_model_response_fields,
        } => {
            j.str("type", "messageStop")
                .opt_str("stopReason", stop_reason.as_ref().map(|r| r.as_str()))
                .value(
                    "additionalModelResponseFields",
                    additional_model_response_fields
                        .as_ref()
                        .unwrap_or(&Value::Null),
                );
        }
        Event::Metadata {
            usage,
            latency_ms,
            trace,
            service_tier,
            performance_latency,
        } => {
            j.str("type", "metadata")
                .value("usage", &usage.as_ref().map_or(Value::Null, usage_value))
                .opt_num("latencyMs", *latency_ms)
                .value("trace", trace.as_ref().unwrap_or(&Value::Null))
                .opt_str("serviceTier", service_tier.as_deref())
                .opt_str("performanceLatency", performance_latency.as_deref());
        }
        Event::Unknown {
            event_type,
            payload,
        } => {
            j.str("type", "unknown")
                .str("eventType", event_type)
                .value("payload", payload);
        }
        // A kind this glue does not know yet: its debug form, not nothing.
        other => {
            j.str("type", "other").str("debug", &format!("{other:?}"));
        }
    }
    j.0.push('}');
}

thread_local! {
    /// The signer of `signConverse` and `sign`, which keeps the last SigV4 key it derived
    /// (the module's one piece of state besides the open streams and chains).
    static SIGNER: RefCell<bedrock_request::sign::Signer> = RefCell::new(bedrock_request::sign::Signer::new());
    static STREAMS: RefCell<Slots<ConverseStream>> = const { RefCell::new(Slots::new()) };
    static CHAINS: RefCell<Slots<Chain>> = const { RefCell::new(Slots::new()) };
}

/// Open values the host holds by id. A freed slot is reused; an id carries its slot's
/// generation (`generation << 32 | index`), so a stale id never reaches a newer value.
struct Slots<T> {
    slots: Vec<(u32, Option<T>)>,
    free: Vec<usize>,
}

impl<T> Slots<T> {
    const fn new() -> Self {
        Slots {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, value: T) -> u64 {
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index];
                slot.0 = slot.0.wrapping_add(1);
                slot.1 = Some(value);
                index
            }
            None => {
                self.slots.push((0, Some(value)));
                self.slots.len() - 1
            }
        };
        (u64::from(self.slots[index].0) << 32) | index as u64
    }

    fn get_mut(&mut self, id: u64, what: &str) -> Result<&mut T, Value> {
        let gone = || fail("Input", format!("the {what} is finished or freed"));
        let (generation, value) = self
            .slots
            .get_mut((id & 0xffff_ffff) as usize)
            .ok_or_else(gone)?;
        if u64::from(*generation) != id >> 32 {
            return Err(gone());
        }
        value.as_mut().ok_or_else(gone)
    }

    /// Takes the value out and frees its slot (a second call is an error).
    fn remove(&mut self, id: u64, what: &str) -> Result<T, Value> {
        self.get_mut(id, what)?;
        let index = (id & 0xffff_ffff) as usize;
        self.free.push(index);
        Ok(self.slots[index].1.take().expect("checked above"))
    }
}

/// The `id` field of an input.
fn id_of(input: &Value) -> Result<u64, Value> {
    field(input, "id")?
        .as_u64()
        .ok_or_else(|| fail("Input", "id must be a number from new"))
}

/// A resolved source as JS takes it: the credentials (or API key), where they came from, the
/// profile and its region.
fn resolved_json(j: &mut Json, r: &credentials::Resolved) {
    j.str("type", "done").key("credentials");
    match &r.auth {
        Auth::SigV4(c) => {
            j.0.push('{');
            j.str("accessKeyId", c.access_key_id())
                .str("secretAccessKey", c.secret_access_key().expose());
            // Left out when there is none (the type says an optional string, not null).
            if let Some(token) = c.session_token() {
                j.str("sessionToken", token.expose());
            }
            let ms = |t: OffsetDateTime| t.unix_timestamp() * 1000 + i64::from(t.millisecond());
            j.opt_num("expiresAt", c.expires_at().map(|t| ms(t).max(0) as u64));
            j.0.push('}');
        }
        Auth::Bearer(key) => {
            j.0.push('{');
            j.str("apiKey", key.expose());
            j.0.push('}');
        }
        _ => j.0.push_str("null"),
    }
    j.str("source", r.source.as_str())
        .opt_str("profile", r.profile.as_deref())
        .opt_str("region", r.region.as_deref());
}

fn step_json(step: &Step) -> String {
    let mut j = Json::object();
    match step {
        Step::ReadFile { path, max_bytes } => {
            j.str("type", "readFile")
                .str("path", path)
                .raw("maxBytes", &max_bytes.to_string());
        }
        Step::Send(request) => {
            j.str("type", "send").raw("request", &request_json(request));
        }
        Step::Run { command, argv } => {
            j.str("type", "run")
                .str("command", command)
                .array("argv", argv, |out, a| write_json_str(a, out));
        }
        Step::Done(resolved) => resolved_json(&mut j, resolved),
        Step::NotFound => {
            j.str("type", "notFound");
        }
        _ => {
            j.str("type", "unknown");
        }
    }
    j.end()
}

/// What the host did for a step: `{type: "file", text | null}`, `{type: "unreadable", why}`,
/// `{type: "response", status, headers, bodyText}`, `{type: "unreachable", why}`,
/// `{type: "process", success, stdout, stderr}`.
fn performed_of(input: &Value) -> Result<Performed, Value> {
    let p = field(input, "performed")?;
    let why = || {
        p.get("why")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Ok(match text(p, "type")? {
        "file" => Performed::File(p.get("text").and_then(Value::as_str).map(str::to_owned)),
        "unreadable" => Performed::Unreadable(why()),
        "unreachable" => Performed::Unreachable(why()),
        "response" => {
            let status = field(p, "status")?
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(0);
            let mut head = format!("HTTP/1.1 {status} \r\n");
            for (k, v) in headers_of(p) {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let mut raw = head.into_bytes();
            raw.extend_from_slice(
                p.get("bodyText")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .as_bytes(),
            );
            Performed::Response(HttpResponse::parse(&raw).map_err(error)?)
        }
        "process" => {
            let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            Performed::Process(ProcessOutput {
                success: p.get("success").and_then(Value::as_bool).unwrap_or(false),
                stdout: text("stdout"),
                stderr: text("stderr"),
            })
        }
        other => {
            return Err(fail(
                "Input",
                format!("unknown performed type {}", quoted(other)),
            ))
        }
    })
}

/// `chainNew {options | baml+client, env, profile?}` → `{id}`; `chainPoll {id, unixTimeMs}` →
/// the next step; `chainHandle {id, performed}` → `{}`; `chainFree {id}`.
fn chain_op(op: &str, input: &Value) -> Out {
    CHAINS.with(|cell| {
        let mut chains = cell.borrow_mut();
        if op == "chainNew" {
            let env = env_of(input);
            let config = config_of(input, &env)?;
            let mut chain = Chain::new(&config, &env);
            if let Some(profile) = input.get("profile").and_then(Value::as_str) {
                chain = chain.with_profile(profile);
            }
            return Ok(Json::object().num("id", chains.insert(chain)).end());
        }
        let id = id_of(input)?;
        if op == "chainFree" {
            chains.remove(id, "chain")?;
            return Ok("{}".into());
        }
        let chain = chains.get_mut(id, "chain")?;
        if op == "chainPoll" {
            let step = chain.poll(now_of(input)?).map_err(error)?;
            if let Step::NotFound = step {
                // What to do, and the profiles the shared files hold when none was selected.
                let message = chain.not_found_error().to_string();
                return Ok(Json::object()
                    .str("type", "notFound")
                    .str("message", &message)
                    .end());
            }
            return Ok(step_json(&step));
        }
        chain.handle(performed_of(input)?).map_err(error)?;
        Ok("{}".into())
    })
}

/// `streamNew` → `{id}`; `streamPush {id}` + bytes → `{events}`; `streamFinish {id}` → the
/// completion (the stream is freed); `streamFree {id}` frees an unfinished stream.
fn stream_op(op: &str, input: &Value, bytes: &[u8]) -> Out {
    STREAMS.with(|cell| {
        let mut streams = cell.borrow_mut();
        if op == "streamNew" {
            let id = streams.insert(ConverseStream::new(Default::default()));
            return Ok(Json::object().num("id", id).end());
        }
        let id = id_of(input)?;
        match op {
            "streamFinish" => {
                let stream = streams.remove(id, "stream")?;
                return stream.finish().map(|c| completion_json(&c)).map_err(error);
            }
            "streamFree" => {
                streams.remove(id, "stream")?;
                return Ok("{}".into());
            }
            _ => {}
        }
        let stream = streams.get_mut(id, "stream")?;
        stream.push(bytes);
        let mut j = Json::object();
        j.key("events").0.push('[');
        while let Some(event) = stream.next_event().map_err(error)? {
            event_json(&mut j, &event);
        }
        j.0.push(']');
        Ok(j.end())
    })
}

fn dispatch(op: &str, input: &str, bytes: &[u8]) -> Out {
    let mut input = Value::from_json_str(input)
        .map_err(|e| fail("Input", format!("input is not JSON: {e}")))?;
    match op {
        "build" => build(&mut input),
        "signConverse" => sign_converse(&mut input),
        "sign" => sign(&input),
        "parse" => parse_response(&input),
        "structured" => structured(&input),
        "streamNew" | "streamPush" | "streamFinish" | "streamFree" => stream_op(op, &input, bytes),
        "chainNew" | "chainPoll" | "chainHandle" | "chainFree" => chain_op(op, &input),
        "retryNew" | "retryNext" | "retryFree" => retry::retry_op(op, &input),
        other => Err(fail(
            "Input",
            format!("unknown operation {}", quoted(other)),
        )),
    }
}

/// Whether any of the eight bytes in `word` is below 0x20, `"` or `\\` (a SWAR test).
fn needs_escape_in(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    below_space
        || has_zero(word ^ (ONES * u64::from(b'"')))
        || has_zero(word ^ (ONES * u64::from(b'\\')))
}

/// Whether UTF-8 text needs JSON escapes, eight bytes at a time.
fn needs_escape_by_words(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let hit = words.any(|w| needs_escape_in(u64::from_le_bytes(w.try_into().unwrap_or([0; 8]))));
    hit || words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Whether UTF-8 text needs JSON escapes (no SIMD in this build).
#[cfg(not(target_feature = "simd128"))]
fn needs_escape(bytes: &[u8]) -> bool {
    needs_escape_by_words(bytes)
}

/// Whether UTF-8 text needs JSON escapes, 64 bytes at a time with wasm's 128-bit SIMD (the
/// package's build enables it: every runtime it supports has it).
#[cfg(target_feature = "simd128")]
fn needs_escape(bytes: &[u8]) -> bool {
    use core::arch::wasm32::{
        u8x16_eq, u8x16_lt, u8x16_splat, v128, v128_any_true, v128_load, v128_or,
    };

    /// The lanes of the 16 bytes at `at` that need an escape. Always inlined: a call per 16
    /// bytes would halve the scan's speed.
    ///
    /// # Safety
    /// `at` must point to 16 readable bytes.
    #[inline(always)]
    unsafe fn hits(at: *const u8) -> v128 {
        // SAFETY: the caller's promise: 16 readable bytes at `at`; v128_load has no alignment
        // need.
        let v = unsafe { v128_load(at.cast::<v128>()) };
        v128_or(
            v128_or(
                u8x16_eq(v, u8x16_splat(b'"')),
                u8x16_eq(v, u8x16_splat(b'\\')),
            ),
            u8x16_lt(v, u8x16_splat(0x20)),
        )
    }
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let p = block.as_ptr();
        // SAFETY: a block holds 64 bytes, so p + 0, 16, 32 and 48 each start 16 readable bytes.
        let any = unsafe {
            v128_or(
                v128_or(hits(p), hits(p.add(16))),
                v128_or(hits(p.add(32)), hits(p.add(48))),
            )
        };
        if v128_any_true(any) {
            return true;
        }
    }
    needs_escape_by_words(blocks.remainder())
}

/// A large text of the host (UTF-8 from `TextEncoder.encodeInto`) as a JSON string's content:
/// 0 when it needs no escapes (the host splices its bytes as they are), else the escaped
/// bytes, without quotes, as `(ptr << 32) | len` for the host to copy and free. The escapes
/// are the crate's writer's (the same as `JSON.stringify`'s).
///
/// # Safety
/// `(ptr, len)` must be memory from `alloc` holding UTF-8.
#[no_mangle]
pub unsafe extern "C" fn escape_json(ptr: *const u8, len: usize) -> u64 {
    let bytes = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller's promise: `len` bytes from `alloc` at `ptr`, not freed while
        // this runs.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    };
    if !needs_escape(bytes) {
        return 0;
    }
    let quoted = Value::String(String::from_utf8_lossy(bytes).into_owned()).to_json();
    hand_over(quoted.as_bytes()[1..quoted.len() - 1].into())
}

/// Gives `out` to the host as `(ptr << 32) | len`; the host frees it with `dealloc`.
fn hand_over(mut out: Box<[u8]>) -> u64 {
    let packed = ((out.as_mut_ptr() as u64) << 32) | out.len() as u64;
    std::mem::forget(out);
    packed
}

/// Allocates `len` bytes for the host to write into; null (0) when the memory cannot grow
/// that far (the host says so instead of the module trapping).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::new();
    if buf.try_reserve_exact(len.max(1)).is_err() {
        return std::ptr::null_mut();
    }
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees a buffer from `alloc` or `call`.
///
/// # Safety
/// `ptr` and `len` must come from `alloc(len)` or from `call`'s result, and be freed once.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: the caller's promise: `ptr` came from `alloc(len)`, a `Vec` of capacity
    // `len.max(1)` (`try_reserve_exact` on an empty `Vec<u8>` gives exactly that capacity), or from
    // `hand_over`, a boxed slice of `len` bytes (never empty: `call` and `escape_json` hand
    // over JSON); either is that allocation, freed once.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

/// Takes room for the values an input holds before the operation runs, once, and frees it
/// (the allocator keeps it for the operation). WebAssembly memory grows in 64 KiB steps as the
/// allocator asks, and in V8 a step can run the garbage collector: an operation that builds a
/// large tree grew thousands of times and spent most of its time there (a reply of 400k
/// blocks: 2.4 s, 0.36 s with the room taken first). 64 bytes for each `,` `:` `{` `[` of the
/// input is about what parsing and building takes (measured: replies, messages of many parts,
/// structured arrays); below 1 MiB nothing is taken.
fn reserve_for(input: &[u8]) {
    let marks = input
        .iter()
        .filter(|b| matches!(b, b',' | b':' | b'{' | b'['))
        .count();
    let room = marks.saturating_mul(64);
    if room >= 1 << 20 {
        // Taken and dropped at once; a failure (no more memory) only means no head start.
        let _ = Vec::<u8>::new().try_reserve_exact(room);
    }
}

/// Runs one operation (see the module docs).
///
/// # Safety
/// Each `(ptr, len)` pair must be memory from `alloc` holding that many bytes.
#[no_mangle]
pub unsafe extern "C" fn call(
    op: *const u8,
    op_len: usize,
    input: *const u8,
    input_len: usize,
    bytes: *const u8,
    bytes_len: usize,
) -> u64 {
    // SAFETY: the caller's promise: each pair is memory from `alloc` holding that many
    // bytes, not freed while this runs (the host never passes a null from `alloc`).
    let (op, input) = unsafe {
        (
            std::slice::from_raw_parts(op, op_len),
            std::slice::from_raw_parts(input, input_len),
        )
    };
    let op = std::str::from_utf8(op).unwrap_or("");
    reserve_for(input);
    let input = std::str::from_utf8(input);
    let bytes = if bytes_len == 0 {
        &[][..]
    } else {
        // SAFETY: as above.
        unsafe { std::slice::from_raw_parts(bytes, bytes_len) }
    };
    let out = match input.map_err(|_| fail("Input", "input is not UTF-8")) {
        Ok(text) => dispatch(op, text, bytes),
        Err(e) => Err(e),
    };
    let out = match out {
        Ok(json) => Json::object().raw("ok", &json).end(),
        Err(e) => Json::object().value("error", &e).end(),
    };
    hand_over(out.into_bytes().into_boxed_slice())
}
