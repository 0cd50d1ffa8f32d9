//! Validation: one pass over the options ([`Fields::read`], one reader per option), then the
//! rules that join several of them ([`Fields::finish`]). Error texts are BAML's where BAML has
//! one.

use super::body_options::{
    effort, guardrail_config, output_format, performance_latency, project_identifier,
    response_paths, service_tier,
};
use super::client::ClientConfig;
use super::policy::{
    AllowedRoleMetadata, FinishReasonPolicy, GuardrailConfig, HttpOptions, InferenceConfig,
    MediaUrlHandler, MediaUrlMode, OutputFormat, RolePolicy,
};
use super::suggest::{closest, unsupported};
use super::values::{
    boolean, describe, map, non_negative_integer, number, optional_string, string, string_list,
    string_map, type_name,
};
use crate::auth::Credentials;
use crate::codec::{quoted, redact_userinfo};
use crate::endpoint::{validate_region, Endpoint};
use crate::error::{CollectOk, Error, Result};
use crate::value::Value;

pub(super) const HTTP_FIELDS: [&str; 4] = [
    "connect_timeout_ms",
    "request_timeout_ms",
    "time_to_first_token_timeout_ms",
    "idle_timeout_ms",
];

/// The keys of `inference_configuration`.
const INFERENCE_KEYS: [&str; 4] = ["max_tokens", "temperature", "top_p", "stop_sequences"];

/// The block, or each of its problems (every key is read: each bad one is named).
fn inference_config(v: &Value) -> std::result::Result<InferenceConfig, Vec<Error>> {
    let mut out = InferenceConfig::default();
    let mut problems = Vec::new();
    for (key, value) in map("inference_configuration", v).map_err(|e| vec![e])? {
        let read = match key.as_str() {
            "max_tokens" => max_tokens(value).map(|n| out.max_tokens = Some(n)),
            "temperature" => number("temperature", value).map(|n| out.temperature = Some(n)),
            "top_p" => number("top_p", value).map(|n| out.top_p = Some(n)),
            "stop_sequences" => {
                string_list("stop_sequences", value).map(|s| out.stop_sequences = s)
            }
            other => Err(Error::config(super::suggest::unknown_key(
                &format!("unknown inference_config key: {other}"),
                "inference_configuration",
                other,
                &INFERENCE_KEYS,
            ))),
        };
        problems.extend(read.err());
    }
    match problems.is_empty() {
        true => Ok(out),
        false => Err(problems),
    }
}

fn max_tokens(value: &Value) -> Result<u64> {
    let n = match value {
        Value::Number(n) if n.is_integer() => n.as_u64().filter(|&n| n >= 1),
        _ => None,
    };
    n.ok_or_else(|| {
        Error::config(format!(
            "max_tokens must be a positive integer. Got: {}",
            describe(value)
        ))
    })
}

fn media_url_handler(v: &Value) -> Result<MediaUrlHandler> {
    let mut out = MediaUrlHandler::default();
    for (key, value) in map("media_url_handler", v)? {
        let mode_text = match value {
            Value::String(s) => s,
            _ => return Err(Error::config("media_url_handler values must be strings")),
        };
        let mode = MediaUrlMode::parse(mode_text).ok_or_else(|| {
            Error::config(format!(
                "Invalid media URL handling mode: {mode_text}. Expected one of: send_base64, send_url, send_url_add_mime_type, send_base64_unless_google_url"
            ))
        })?;
        match key.as_str() {
            "image" => out.image = mode,
            "audio" => out.audio = mode,
            "pdf" => out.pdf = mode,
            "video" => out.video = mode,
            other => {
                return Err(Error::config(format!(
                    "Unknown media type in media_url_handler: {other}. Expected one of: image, audio, pdf, video"
                )))
            }
        }
    }
    Ok(out)
}

fn http_options(v: &Value) -> Result<HttpOptions> {
    let entries = match v {
        Value::Object(entries) => entries,
        _ => {
            return Err(Error::config(
                "http must be a configuration block with timeout settings",
            ))
        }
    };
    let mut out = HttpOptions::default();
    for (key, value) in entries {
        let slot = match key.as_str() {
            "connect_timeout_ms" => &mut out.connect_timeout_ms,
            "request_timeout_ms" => &mut out.request_timeout_ms,
            "time_to_first_token_timeout_ms" => &mut out.time_to_first_token_timeout_ms,
            "idle_timeout_ms" => &mut out.idle_timeout_ms,
            "total_timeout_ms" => {
                return Err(Error::config(format!(
                    "Unrecognized field 'total_timeout_ms' in http configuration block. 'total_timeout_ms' is only available for composite clients (fallback/round-robin). For regular clients, use: {}",
                    HTTP_FIELDS.join(", ")
                )))
            }
            other => {
                return Err(Error::config(match closest(other, &HTTP_FIELDS) {
                    Some(s) => format!(
                        "Unrecognized field '{other}' in http configuration block. Did you mean '{s}'?"
                    ),
                    None => format!(
                        "Unrecognized field '{other}' in http configuration block. Supported timeout fields are: {}",
                        HTTP_FIELDS.join(", ")
                    ),
                }))
            }
        };
        *slot = Some(non_negative_integer(key, value)?);
    }
    Ok(out)
}

fn quoted_list(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().map(|r| quoted(r).to_string()).collect();
    format!("[{}]", shown.join(", "))
}

/// Every option as read, before the rules that join several of them.
#[derive(Default)]
struct Fields {
    model: Option<String>,
    model_id: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<Endpoint>,
    inference: InferenceConfig,
    additional: Vec<(String, Value)>,
    allowed_roles: Option<Vec<String>>,
    default_role: Option<String>,
    remap_roles: Vec<(String, String)>,
    allowed_role_metadata: Option<AllowedRoleMetadata>,
    supports_streaming: Option<bool>,
    allow_list: Option<Vec<String>>,
    deny_list: Option<Vec<String>>,
    media: MediaUrlHandler,
    http: HttpOptions,
    guardrail: Option<GuardrailConfig>,
    prompt_variables: Vec<(String, String)>,
    request_metadata: Vec<(String, String)>,
    performance_latency: Option<String>,
    response_paths: Vec<String>,
    service_tier: Option<String>,
    output_format: Option<OutputFormat>,
    effort: Option<String>,
    project_identifier: Option<String>,
    extra_body: Vec<(String, Value)>,
}

/// Validates an options map for the client `name` (error messages then start with
/// `client NAME: `): what every entry point ends in.
pub(super) fn from_options(options: &Value, name: Option<&str>) -> Result<ClientConfig> {
    let result = validate(options, name);
    match name {
        Some(n) => result.map_err(|e| e.context(format_args!("client {n}"))),
        None => result,
    }
}

fn validate(options: &Value, name: Option<&str>) -> Result<ClientConfig> {
    let entries = match options {
        Value::Object(entries) => entries.as_slice(),
        other => {
            return Err(Error::config(format!(
                "the options must be a map. Got: {}",
                type_name(other)
            )))
        }
    };
    let mut fields = Fields::default();
    let mut errors: Vec<Error> = Vec::new();
    // The camelCase aliases must not be given together with their snake_case name.
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in entries {
        let canonical = match key.as_str() {
            "accessKeyId" => "access_key_id",
            "secretAccessKey" => "secret_access_key",
            "sessionToken" => "session_token",
            k => k,
        };
        if seen.contains(&canonical) {
            return Err(Error::config(format!(
                "{canonical} is given twice (as {canonical} and its camelCase alias); keep one"
            )));
        }
        seen.push(canonical);
        // Every option is read before failing: one error names every bad option, and each
        // bad key of the inference block.
        let read = match canonical {
            "inference_configuration" => inference_config(value).map(|c| fields.inference = c),
            _ => fields.read(canonical, key, value).map_err(|e| vec![e]),
        };
        errors.extend(read.err().into_iter().flatten());
    }
    match errors.len() {
        0 => fields.finish(name),
        1 => Err(errors.remove(0)),
        n => Err(Error::config(format!(
            "{n} problems:{}",
            errors
                .iter()
                .map(|e| format!("\n  - {e}"))
                .collect::<String>()
        ))),
    }
}

impl Fields {
    /// Reads one option (`canonical` is its snake_case name, `key` as written); `validate`
    /// reads `inference_configuration`, whose keys are problems of their own.
    fn read(&mut self, canonical: &str, key: &str, value: &Value) -> Result<()> {
        match canonical {
            "model" => self.model = Some(string(key, value)?),
            "model_id" => self.model_id = Some(string(key, value)?),
            "region" => self.region = Some(string(key, value)?),
            "access_key_id" => self.access_key_id = optional_string(key, value)?,
            "secret_access_key" => self.secret_access_key = optional_string(key, value)?,
            "session_token" => self.session_token = optional_string(key, value)?,
            "profile" => self.profile = optional_string(key, value)?,
            "endpoint_url" => self.endpoint_url = endpoint_url(key, value)?,
            "additional_model_request_fields" => self.additional = map(key, value)?.to_vec(),
            "allowed_roles" => self.allowed_roles = Some(string_list(key, value)?),
            "default_role" => self.default_role = Some(string(key, value)?),
            "remap_roles" => self.remap_roles = remap_roles(key, value)?,
            "allowed_role_metadata" => {
                self.allowed_role_metadata = Some(allowed_role_metadata(key, value)?)
            }
            "supports_streaming" => self.supports_streaming = Some(boolean(key, value)?),
            "finish_reason_allow_list" => self.allow_list = Some(string_list(key, value)?),
            "finish_reason_deny_list" => self.deny_list = Some(string_list(key, value)?),
            "media_url_handler" => self.media = media_url_handler(value)?,
            "http" => self.http = http_options(value)?,
            "guardrail_config" => self.guardrail = Some(guardrail_config(value)?),
            "prompt_variables" => self.prompt_variables = string_map(key, value)?,
            "request_metadata" => self.request_metadata = string_map(key, value)?,
            "performance_config" => self.performance_latency = performance_latency(key, value)?,
            "additional_model_response_field_paths" => {
                self.response_paths = response_paths(key, value)?
            }
            "service_tier" => self.service_tier = service_tier(key, value)?,
            "output_format" => self.output_format = Some(output_format(key, value)?),
            "effort" => self.effort = effort(key, value)?,
            "project_identifier" => self.project_identifier = project_identifier(key, value)?,
            "extra_body" => self.extra_body = map(key, value)?.to_vec(),
            _ => return Err(unsupported(key)),
        }
        Ok(())
    }

    /// The rules that join several options, and the config.
    fn finish(self, name: Option<&str>) -> Result<ClientConfig> {
        let model = model(self.model, self.model_id)?;
        if let Some(r) = &self.region {
            validate_region(r).map_err(Error::config)?;
        }
        let roles = role_policy(
            self.allowed_roles,
            self.default_role,
            self.remap_roles,
            self.allowed_role_metadata
                .unwrap_or(AllowedRoleMetadata::All),
        )?;
        let finish_reason = finish_reason_policy(self.allow_list, self.deny_list)?;
        let credentials = credentials(
            self.access_key_id,
            self.secret_access_key,
            self.session_token,
        )?;
        profile_without_keys(self.profile.as_deref(), credentials.as_ref())?;
        Ok(ClientConfig {
            name: name.map(str::to_owned),
            model,
            region: self.region,
            credentials,
            profile: self.profile,
            endpoint_url: self.endpoint_url,
            inference: self.inference,
            additional_model_request_fields: self.additional,
            roles,
            supports_streaming: self.supports_streaming.unwrap_or(true),
            finish_reason,
            media_url_handler: self.media,
            http: self.http,
            guardrail: self.guardrail,
            prompt_variables: self.prompt_variables,
            request_metadata: self.request_metadata,
            performance_latency: self.performance_latency,
            additional_model_response_field_paths: self.response_paths,
            service_tier: self.service_tier,
            output_format: self.output_format,
            effort: self.effort,
            project_identifier: self.project_identifier,
            extra_body: self.extra_body,
        })
    }
}

fn endpoint_url(key: &str, value: &Value) -> Result<Option<Endpoint>> {
    let Some(url) = optional_string(key, value)? else {
        return Ok(None);
    };
    Endpoint::parse_reason(&url).map(Some).map_err(|e| {
        Error::config(format!(
            "endpoint_url {} is not usable: {e}",
            quoted(&redact_userinfo(&url))
        ))
    })
}

fn remap_roles(key: &str, value: &Value) -> Result<Vec<(String, String)>> {
    map(key, value)?
        .iter()
        .map(|(from, to)| match to {
            Value::String(to) => Ok((from.clone(), to.clone())),
            other => Err(Error::config(format!(
                "remap_role must be a map of strings to strings. Got: {} for {from}",
                type_name(other)
            ))),
        })
        .collect_ok()
}

fn allowed_role_metadata(key: &str, value: &Value) -> Result<AllowedRoleMetadata> {
    Ok(match value {
        Value::String(s) if s == "all" => AllowedRoleMetadata::All,
        Value::String(s) if s == "none" => AllowedRoleMetadata::None,
        Value::String(s) => {
            return Err(Error::config(format!(
                "Invalid allowed role metadata: {s}. Allowed values are 'all' or 'none' or an array of roles."
            )))
        }
        Value::Array(_) => AllowedRoleMetadata::Only(string_list(key, value)?),
        _ => {
            return Err(Error::config(
                "allowed_role_metadata must be an array of keys or \"all\" or \"none\". For example: ['key1', 'key2']",
            ))
        }
    })
}

pub(super) fn model(model: Option<String>, model_id: Option<String>) -> Result<String> {
    let model = match (model, model_id) {
        (Some(_), Some(_)) => {
            return Err(Error::config("model_id and model cannot both be provided"))
        }
        (Some(m), None) | (None, Some(m)) => m,
        (None, None) => return Err(Error::config("model_id is required")),
    };
    if model.trim().is_empty() {
        return Err(Error::config(
            "model_id is required (it is empty); give a model id such as anthropic.claude-3-haiku-20240307-v1:0, an inference profile id or an ARN",
        ));
    }
    if model == "." || model == ".." {
        return Err(Error::config(format!(
            "model {q_model} is not a model id (it would be read as a path segment); give a model id, an inference profile id or an ARN",
            q_model = quoted(&model)
        )));
    }
    Ok(model)
}

fn role_policy(
    allowed_roles: Option<Vec<String>>,
    default_role: Option<String>,
    remap_roles: Vec<(String, String)>,
    allowed_role_metadata: AllowedRoleMetadata,
) -> Result<RolePolicy> {
    let allowed_roles = allowed_roles.unwrap_or_else(|| RolePolicy::default().allowed_roles);
    if allowed_roles.is_empty() {
        return Err(Error::config("allowed_roles must not be empty"));
    }
    let default_role = match default_role {
        Some(role) => {
            if !allowed_roles.contains(&role) {
                return Err(Error::config(format!(
                    "default_role must be one of {}. Got: {role}. To support different default roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]",
                    quoted_list(&allowed_roles)
                )));
            }
            role
        }
        None if allowed_roles.iter().any(|r| r == "user") => "user".to_owned(),
        None => allowed_roles[0].clone(),
    };
    for (from, _) in &remap_roles {
        if !allowed_roles.contains(from) {
            return Err(Error::config(format!(
                "remap_roles values must be one of: {}. Got: {from}. To support different remap roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]",
                quoted_list(&allowed_roles)
            )));
        }
    }
    Ok(RolePolicy {
        allowed_roles,
        default_role,
        remap_roles,
        allowed_role_metadata,
    })
}

fn finish_reason_policy(
    allow_list: Option<Vec<String>>,
    deny_list: Option<Vec<String>>,
) -> Result<FinishReasonPolicy> {
    Ok(match (allow_list, deny_list) {
        (Some(_), Some(_)) => {
            return Err(Error::config(
                "finish_reason_allow_list and finish_reason_deny_list cannot be used together",
            ))
        }
        (Some(list), None) => FinishReasonPolicy::Allow(list),
        (None, Some(list)) => FinishReasonPolicy::Deny(list),
        (None, None) => FinishReasonPolicy::Any,
    })
}

/// A profile and explicit keys cannot both be given.
pub(super) fn profile_without_keys(
    profile: Option<&str>,
    keys: Option<&Credentials>,
) -> Result<()> {
    match (profile, keys) {
        (Some(p), Some(_)) => Err(Error::config(format!(
            "profile {q_p} cannot be mixed with explicit credentials (access_key_id, secret_access_key, session_token): remove the profile to use the keys, or remove the keys to use the profile",
            q_p = quoted(&p)
        ))),
        _ => Ok(()),
    }
}

/// The seed's credential rules, checked now rather than at the first request.
fn credentials(
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
) -> Result<Option<Credentials>> {
    match (access_key_id, secret_access_key, session_token) {
        (None, None, None) => Ok(None),
        (Some(id), Some(secret), token) => {
            let creds = Credentials::new(id, secret);
            Ok(Some(match token {
                Some(t) => creds.with_session_token(t),
                None => creds,
            }))
        }
        (_, _, None) => Err(Error::config(
            "If either access_key_id or secret_access_key are provided, both must be provided.",
        )),
        (_, _, Some(_)) => Err(Error::config(
            "If either access_key_id or secret_access_key are provided, both must be provided. If session_token is provided, all three must be provided.",
        )),
    }
}
