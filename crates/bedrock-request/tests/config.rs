//! ClientConfig validation: every message BAML has (in BAML's words) and the rules we add.

use bedrock_request::config::{AllowedRoleMetadata, MediaUrlMode};
use bedrock_request::{ClientConfig, Env, ErrorKind, FinishReasonPolicy, Value};

use crate::util::{config, config_error};

fn message(json: &str) -> String {
    let e = config_error(json);
    assert_eq!(e.kind(), ErrorKind::Config, "{json}: {e}");
    e.to_string()
}

#[test]
fn unknown_keys_are_rejected_with_bamls_message() {
    assert_eq!(
        message(r#"{"model":"m","api_key":"x"}"#),
        "Unsupported property: api_key"
    );
    // BAML's words first, then what to write instead.
    assert_eq!(
        message(r#"{"model":"m","max_tokens":5}"#),
        "Unsupported property: max_tokens. It belongs in inference_configuration, as its max_tokens key"
    );
    assert_eq!(
        message(r#"{"model":"m","regoin":"us-east-1"}"#),
        "Unsupported property: regoin. Did you mean 'region'?"
    );
}

#[test]
fn model_rules() {
    assert_eq!(message(r#"{"region":"us-east-1"}"#), "model_id is required");
    assert_eq!(
        message(r#"{"model":"a","model_id":"b"}"#),
        "model_id and model cannot both be provided"
    );
    assert!(message(r#"{"model":"  "}"#).starts_with("model_id is required"));
    assert_eq!(config(r#"{"model_id":"x"}"#).model(), "x");
    assert_eq!(
        message(r#"{"model":5}"#),
        "model must be a string. Got: number"
    );
}

#[test]
fn region_rules() {
    assert_eq!(
        message(r#"{"model":"m","region":""}"#),
        "region cannot be empty"
    );
    let bad = message(r#"{"model":"m","region":"us-east-1.evil.com/x"}"#);
    assert!(
        bad.contains("\"us-east-1.evil.com/x\" is not a region name"),
        "{bad}"
    );
    assert_eq!(
        config(r#"{"model":"m","region":"eu-west-3"}"#).region(),
        Some("eu-west-3")
    );
}

#[test]
fn inference_configuration_rules() {
    // BAML's words, then the block as written, a did-you-mean and the keys (issue 29).
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":{"max_token":5}}"#),
        "unknown inference_config key: max_token (in inference_configuration: did you mean 'max_tokens'? it takes max_tokens, temperature, top_p, stop_sequences)"
    );
    assert!(message(r#"{"model":"m","inference_configuration":{"maxTokens":5,"temprature":1}}"#)
        .contains("key: maxTokens (in inference_configuration: keys are snake_case, did you mean 'max_tokens'?"));
    // Every bad option at once, each with its help.
    let all = message(
        r#"{"model":"m","regoin":"x","maxTokens":5,"endpointUrl":"http://a","inference_configuration":{"temprature":1}}"#,
    );
    for says in [
        "4 problems:\n  - ",
        "Unsupported property: regoin. Did you mean 'region'?",
        "Unsupported property: maxTokens. It belongs in inference_configuration, as its max_tokens key",
        "Unsupported property: endpointUrl. Options are snake_case: did you mean 'endpoint_url'?",
        "unknown inference_config key: temprature (in inference_configuration: did you mean 'temperature'?",
    ] {
        assert!(all.contains(says), "{all}");
    }
    // The count is the list's length: each bad key of the block is a problem of its own, one
    // a line; the block's other names point to it.
    let all = message(
        r#"{"model":"m","regoin":"x","inference_configuration":{"temprature":1,"max_token":5,"top_p":"high"}}"#,
    );
    assert!(all.starts_with("4 problems:\n  - "), "{all}");
    assert_eq!(all.matches("\n  - ").count(), 4, "{all}");
    assert!(
        all.contains("\n  - top_p must be a number. Got: string"),
        "{all}"
    );
    for other in [
        "inference_config",
        "inferenceConfig",
        "inferenceConfiguration",
    ] {
        assert!(
            message(&format!(r#"{{"model":"m","{other}":{{"max_tokens":5}}}}"#))
                .ends_with("mean 'inference_configuration'?"),
            "{other}"
        );
    }
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":{"max_tokens":"5"}}"#),
        "max_tokens must be a positive integer. Got: \"5\""
    );
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":{"max_tokens":0}}"#),
        "max_tokens must be a positive integer. Got: 0"
    );
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":{"temperature":"hot"}}"#),
        "temperature must be a number. Got: string"
    );
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":{"stop_sequences":["a",1]}}"#),
        "values in stop_sequences must be strings. Got: number"
    );
    assert_eq!(
        message(r#"{"model":"m","inference_configuration":[]}"#),
        "inference_configuration must be a map. Got: array"
    );
    let c = config(
        r#"{"model":"m","inference_configuration":{"max_tokens":100,"temperature":0.7,"top_p":0.9,"stop_sequences":["x"]}}"#,
    );
    assert_eq!(c.inference().max_tokens, Some(100));
    assert_eq!(c.inference().temperature.as_ref().unwrap().as_str(), "0.7");
    assert_eq!(c.inference().top_p.as_ref().unwrap().as_str(), "0.9");
    assert_eq!(c.inference().stop_sequences, vec!["x".to_owned()]);
}

#[test]
fn finish_reason_rules() {
    assert_eq!(
        message(
            r#"{"model":"m","finish_reason_allow_list":["stop"],"finish_reason_deny_list":["length"]}"#
        ),
        "finish_reason_allow_list and finish_reason_deny_list cannot be used together"
    );
    assert_eq!(
        message(r#"{"model":"m","finish_reason_deny_list":[1]}"#),
        "values in finish_reason_deny_list must be strings. Got: number"
    );
    let c = config(r#"{"model":"m","finish_reason_deny_list":["max_tokens"]}"#);
    assert_eq!(
        *c.finish_reason(),
        FinishReasonPolicy::Deny(vec!["max_tokens".into()])
    );
    assert!(!c.finish_reason().allows(Some("MAX_TOKENS")));
    assert!(c.finish_reason().allows(Some("end_turn")));
    assert!(c.finish_reason().allows(None));
}

#[test]
fn role_option_rules() {
    assert_eq!(
        message(r#"{"model":"m","allowed_roles":[]}"#),
        "allowed_roles must not be empty"
    );
    assert_eq!(
        message(r#"{"model":"m","default_role":"tool"}"#),
        "default_role must be one of [\"system\", \"user\", \"assistant\"]. Got: tool. To support different default roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]"
    );
    assert_eq!(
        message(r#"{"model":"m","allowed_roles":["user","assistant"],"default_role":"system"}"#),
        "default_role must be one of [\"user\", \"assistant\"]. Got: system. To support different default roles, add allowed_roles [\"user\", \"assistant\", \"system\", ...]"
    );
    assert!(
        message(r#"{"model":"m","remap_roles":{"tool":"user"}}"#).starts_with(
            "remap_roles values must be one of: [\"system\", \"user\", \"assistant\"]. Got: tool."
        )
    );
    assert!(message(r#"{"model":"m","remap_roles":{"user":1}}"#)
        .starts_with("remap_role must be a map of strings to strings. Got: number"));
    // Default role: user when allowed, else the first allowed role.
    assert_eq!(config(r#"{"model":"m"}"#).roles().default_role, "user");
    assert_eq!(
        config(r#"{"model":"m","allowed_roles":["assistant","system"]}"#)
            .roles()
            .default_role,
        "assistant"
    );
}

#[test]
fn allowed_role_metadata_forms() {
    assert_eq!(
        config(r#"{"model":"m"}"#).roles().allowed_role_metadata,
        AllowedRoleMetadata::All
    );
    assert_eq!(
        config(r#"{"model":"m","allowed_role_metadata":"none"}"#)
            .roles()
            .allowed_role_metadata,
        AllowedRoleMetadata::None
    );
    assert_eq!(
        config(r#"{"model":"m","allowed_role_metadata":["cache_control"]}"#)
            .roles()
            .allowed_role_metadata,
        AllowedRoleMetadata::Only(vec!["cache_control".into()])
    );
    assert_eq!(
        message(r#"{"model":"m","allowed_role_metadata":"some"}"#),
        "Invalid allowed role metadata: some. Allowed values are 'all' or 'none' or an array of roles."
    );
    assert!(message(r#"{"model":"m","allowed_role_metadata":3}"#)
        .starts_with("allowed_role_metadata must be an array"));
}

#[test]
fn credential_rules_are_checked_when_the_config_is_built() {
    assert_eq!(
        message(r#"{"model":"m","access_key_id":"AKID"}"#),
        "If either access_key_id or secret_access_key are provided, both must be provided."
    );
    assert_eq!(
        message(r#"{"model":"m","secret_access_key":"S"}"#),
        "If either access_key_id or secret_access_key are provided, both must be provided."
    );
    let with_token = "If either access_key_id or secret_access_key are provided, both must be provided. If session_token is provided, all three must be provided.";
    assert_eq!(message(r#"{"model":"m","session_token":"T"}"#), with_token);
    assert_eq!(
        message(r#"{"model":"m","access_key_id":"A","session_token":"T"}"#),
        with_token
    );
    let mixed =
        message(r#"{"model":"m","profile":"dev","access_key_id":"A","secret_access_key":"S"}"#);
    assert!(
        mixed.contains("cannot be mixed with explicit credentials"),
        "{mixed}"
    );
    // An empty session token counts as unset (BAML does the same).
    let c =
        config(r#"{"model":"m","access_key_id":"A","secret_access_key":"S","session_token":""}"#);
    assert!(c.credentials().unwrap().session_token().is_none());
}

#[test]
fn camel_case_credentials_are_accepted_once() {
    let c = config(r#"{"model":"m","accessKeyId":"A","secretAccessKey":"S","sessionToken":"T"}"#);
    let creds = c.credentials().unwrap();
    assert_eq!(creds.access_key_id(), "A");
    assert_eq!(creds.session_token().unwrap().expose(), "T");
    assert!(message(
        r#"{"model":"m","accessKeyId":"A","access_key_id":"B","secret_access_key":"S"}"#
    )
    .starts_with("access_key_id is given twice"));
}

#[test]
fn debug_never_shows_secrets() {
    let builder = ClientConfig::builder()
        .model("m")
        .access_keys("AKID", "SUPERSECRET")
        .session_token("TOKENVALUE");
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("secret_access_key")
            && !shown.contains("SUPERSECRET")
            && !shown.contains("TOKENVALUE"),
        "{shown}"
    );
    let src = "client<llm> C {\n provider aws-bedrock\n options {\n model m\n access_key_id AKID\n secret_access_key \"SUPERSECRET\"\n session_token TOKENVALUE\n }\n}";
    let file = bedrock_request::BamlFile::parse(src).unwrap();
    let shown = format!("{file:?}");
    assert!(
        shown.contains("secret_access_key")
            && !shown.contains("SUPERSECRET")
            && !shown.contains("TOKENVALUE"),
        "{shown}"
    );
    let config = file.client("C").unwrap().to_config(&Env::new()).unwrap();
    let shown = format!("{config:?}");
    assert!(
        shown.contains("AKID") && !shown.contains("SUPERSECRET") && !shown.contains("TOKENVALUE"),
        "{shown}"
    );
    // Errors about bad values do not quote them either.
    let src = "client<llm> C {\n options {\n secret_access_key \"ab\\xZZSECRET\"\n }\n}";
    let e = bedrock_request::BamlFile::parse(src).unwrap_err();
    assert!(
        !e.to_string().contains("ZZ") && !e.to_string().contains("SECRET"),
        "{e}"
    );
}

#[test]
fn endpoint_url_rules() {
    let c = config(r#"{"model":"m","endpoint_url":"https://Example.com:443/p/"}"#);
    assert_eq!(
        c.endpoint_url().unwrap().to_string(),
        "https://example.com/p"
    );
    let c = config(r#"{"model":"m","endpoint_url":"http://[::1]:80"}"#);
    assert_eq!(c.endpoint_url().as_ref().unwrap().host(), "[::1]");
    let c = config(r#"{"model":"m","endpoint_url":"http://[::1]:8443/x"}"#);
    assert_eq!(c.endpoint_url().unwrap().to_string(), "http://[::1]:8443/x");
    for (url, shown, why) in [
        ("ftp://x", "ftp://x", "must start with https://"),
        ("https://", "https://", "has no host"),
        ("https://h/p?x=1", "https://h/p?x=1", "query string"),
        // The user info is a password: the message must not repeat it.
        ("https://user:hunter2@h", "https://***@h", "user info"),
        ("https://h:99999", "https://h:99999", "port \"99999\""),
        ("https://bücher.example", "https://bücher.example", "xn--"),
        ("https://h/a b", "https://h/a b", "percent-encoded"),
        (
            "https://[::1",
            "https://[::1",
            "characters a host name cannot have",
        ),
    ] {
        let m = message(&format!(r#"{{"model":"m","endpoint_url":"{url}"}}"#));
        assert!(
            m.starts_with(&format!("endpoint_url {shown:?} is not usable: ")) && m.contains(why),
            "{url}: {m}"
        );
        assert!(!m.contains("hunter2"));
    }
    assert!(config(r#"{"model":"m","endpoint_url":""}"#)
        .endpoint_url()
        .is_none());
}

#[test]
fn model_ids_that_are_path_segments_are_refused() {
    for model in [".", ".."] {
        let m = message(&format!(r#"{{"model":"{model}"}}"#));
        assert!(m.contains("is not a model id"), "{m}");
    }
}

#[test]
fn the_builder_refuses_inference_settings_given_twice() {
    let e = ClientConfig::builder()
        .model("m")
        .option("inference_configuration", Value::Object(vec![]))
        .max_tokens(5)
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("inference_configuration is set both with"),
        "{e}"
    );
}

#[test]
fn timeouts_too_large_say_so() {
    assert_eq!(
        message(r#"{"model":"m","http":{"request_timeout_ms":99999999999999999999}}"#),
        "request_timeout_ms is too large, got: 99999999999999999999ms"
    );
}

#[test]
fn media_url_handler_and_http_options() {
    let c =
        config(r#"{"model":"m","media_url_handler":{"image":"send_url","video":"send_base64"}}"#);
    assert_eq!(c.media_url_handler().image, MediaUrlMode::SendUrl);
    assert_eq!(c.media_url_handler().audio, MediaUrlMode::SendBase64);
    assert_eq!(c.media_url_handler().video, MediaUrlMode::SendBase64);
    assert_eq!(
        message(r#"{"model":"m","media_url_handler":{"gif":"send_url"}}"#),
        "Unknown media type in media_url_handler: gif. Expected one of: image, audio, pdf, video"
    );
    assert_eq!(
        message(r#"{"model":"m","media_url_handler":{"pdf":"inline"}}"#),
        "Invalid media URL handling mode: inline. Expected one of: send_base64, send_url, send_url_add_mime_type, send_base64_unless_google_url"
    );
    let c = config(r#"{"model":"m","http":{"connect_timeout_ms":1000,"idle_timeout_ms":0}}"#);
    assert_eq!(c.http().connect_timeout_ms, Some(1000));
    assert_eq!(c.http().idle_timeout_ms, Some(0));
    assert_eq!(
        message(r#"{"model":"m","http":{"conect_timeout_ms":1}}"#),
        "Unrecognized field 'conect_timeout_ms' in http configuration block. Did you mean 'connect_timeout_ms'?"
    );
    assert!(message(r#"{"model":"m","http":{"total_timeout_ms":1}}"#)
        .starts_with("Unrecognized field 'total_timeout_ms' in http configuration block. 'total_timeout_ms' is only available for composite clients"));
    assert_eq!(
        message(r#"{"model":"m","http":{"request_timeout_ms":-5}}"#),
        "request_timeout_ms must be non-negative, got: -5ms"
    );
    assert_eq!(
        message(r#"{"model":"m","http":5}"#),
        "http must be a configuration block with timeout settings"
    );
    assert_eq!(
        message(r#"{"model":"m","supports_streaming":"yes"}"#),
        "supports_streaming must be a bool. Got: string"
    );
    assert!(!config(r#"{"model":"m","supports_streaming":false}"#).supports_streaming());
}

#[test]
fn additional_model_request_fields_are_kept_verbatim_and_in_order() {
    let c = config(
        r#"{"model":"m","additional_model_request_fields":{"z":{"b":1.50,"a":[true,null]},"a":"x","n":1e400}}"#,
    );
    assert_eq!(
        Value::Object(c.additional_model_request_fields().to_vec()).to_json(),
        r#"{"z":{"b":1.50,"a":[true,null]},"a":"x","n":1e400}"#
    );
    assert_eq!(
        message(r#"{"model":"m","additional_model_request_fields":[1]}"#),
        "additional_model_request_fields must be a map. Got: array"
    );
}

#[test]
fn options_must_be_a_json_map() {
    let e = ClientConfig::from_json_str("[1]").unwrap_err();
    assert_eq!(e.to_string(), "the options must be a map. Got: array");
    let e = ClientConfig::from_json_str("{").unwrap_err();
    assert!(
        e.to_string().starts_with("the options are not valid JSON"),
        "{e}"
    );
}

#[test]
fn the_builder_runs_the_same_validation() {
    let e = ClientConfig::builder()
        .region("us-east-1")
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "model_id is required");
    let e = ClientConfig::builder()
        .name("Mine")
        .model("m")
        .default_role("bot")
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("client Mine: default_role must be one of"),
        "{e}"
    );
    let c = ClientConfig::builder()
        .model("m")
        .access_keys("A", "S")
        .session_token("T")
        .max_tokens(10)
        .temperature(0.7)
        .top_p(0.25)
        .stop_sequences(["END"])
        .allowed_roles(["user", "assistant"])
        .remap_roles([("assistant", "assistant")])
        .allowed_role_metadata(AllowedRoleMetadata::None)
        .finish_reason_allow_list(["end_turn"])
        .supports_streaming(false)
        .build()
        .unwrap();
    assert_eq!(c.inference().temperature.as_ref().unwrap().as_str(), "0.7");
    assert_eq!(c.roles().allowed_role_metadata, AllowedRoleMetadata::None);
    assert!(!c.supports_streaming());
    assert_eq!(
        c.credentials().unwrap().session_token().unwrap().expose(),
        "T"
    );
    let e = ClientConfig::builder()
        .model("m")
        .temperature(f64::NAN)
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "temperature must be a number. Got: null");
}
