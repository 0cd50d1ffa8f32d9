//! The BAML client-block reader.

use bedrock_request::{BamlFile, ClientConfig, Env, ErrorKind, Value};

use crate::common::repo_path;

const FULL: &str = r##"
// A file with more than clients in it.
class Resume {
  name string
  skills string[] @description(#"
    Skills, { braces } and "quotes" inside a raw string
  "#)
}

client<llm> Everything {
  provider "aws-bedrock"
  retry_policy Exponential
  options {
    model claude-3-5-haiku-20241022      // unquoted, with a comment
    region: "us-west-2"
    access_key_id env.MY_KEY
    secret_access_key env.MY_SECRET
    inference_configuration {
      max_tokens 100
      temperature 0.70
      top_p 1e-1
      stop_sequences ["\n\nHuman:", END, #"raw "stop""#]
    }
    additional_model_request_fields {
      thinking {
        type enabled
        budget_tokens 1030
      }
      flags [true, false, null]
      "quoted key": "value"
    }
    allowed_roles [system, user, assistant]
    default_role user
    remap_roles { assistant assistant }
    allowed_role_metadata "all"
    supports_streaming false
    finish_reason_deny_list ["max_tokens"]
    media_url_handler { image send_url, pdf send_base64 }
    http { connect_timeout_ms 5000 }
  }
}

{// a block comment with client<llm> Hidden { } inside //}

function Extract(text: string) -> Resume {
  client Everything
  prompt #"
    {{ _.role("user") }} Extract from {{ text }}. client<llm> NotAClient { }
  "#
}

client<llm> Second {
  provider aws-bedrock
  options {
    model_id "anthropic.claude-3-haiku-20240307-v1:0"
  }
}
"##;

fn env() -> Env {
    Env::from_iter([("MY_KEY", "AKIDEXAMPLE"), ("MY_SECRET", "s3cret")])
}

#[test]
fn reads_every_value_form() {
    let file = BamlFile::parse(FULL).unwrap();
    let names: Vec<&str> = file.clients().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["Everything", "Second"]);
    let client = file.client("Everything").unwrap();
    assert_eq!(client.provider(), "aws-bedrock");
    assert_eq!(client.retry_policy(), Some("Exponential"));
    let c = client.to_config(&env()).unwrap();
    assert_eq!(c.name(), Some("Everything"));
    assert_eq!(c.model(), "claude-3-5-haiku-20241022");
    assert_eq!(c.region(), Some("us-west-2"));
    assert_eq!(
        c.credentials().as_ref().unwrap().access_key_id(),
        "AKIDEXAMPLE"
    );
    assert_eq!(
        c.credentials()
            .as_ref()
            .unwrap()
            .secret_access_key()
            .expose(),
        "s3cret"
    );
    assert_eq!(c.inference().max_tokens, Some(100));
    // Numbers exactly as written.
    assert_eq!(c.inference().temperature.as_ref().unwrap().as_str(), "0.70");
    assert_eq!(c.inference().top_p.as_ref().unwrap().as_str(), "1e-1");
    assert_eq!(
        c.inference().stop_sequences,
        ["\n\nHuman:", "END", "raw \"stop\""]
    );
    assert_eq!(
        Value::Object(c.additional_model_request_fields().to_vec()).to_json(),
        r#"{"thinking":{"type":"enabled","budget_tokens":1030},"flags":[true,false,null],"quoted key":"value"}"#
    );
    assert!(!c.supports_streaming());
    assert_eq!(c.http().connect_timeout_ms, Some(5000));
    assert_eq!(
        c.media_url_handler().image,
        bedrock_request::config::MediaUrlMode::SendUrl
    );
    let second = file
        .client("Second")
        .unwrap()
        .to_config(&Env::new())
        .unwrap();
    assert_eq!(second.model(), "anthropic.claude-3-haiku-20240307-v1:0");
}

#[test]
fn the_bundled_example_file_parses() {
    let text = std::fs::read_to_string(repo_path("examples/bedrock.baml")).unwrap();
    let file = BamlFile::parse(&text).unwrap();
    assert!(file
        .client("Example")
        .unwrap()
        .to_config(&Env::new())
        .is_ok());
    let sonnet = file
        .client("Sonnet")
        .unwrap()
        .to_config(&Env::new())
        .unwrap();
    assert_eq!(
        sonnet.inference().temperature.as_ref().unwrap().as_str(),
        "1"
    );
}

#[test]
fn env_references_resolve_from_the_snapshot_only() {
    // The credentials in FULL come from env.MY_KEY / env.MY_SECRET: unset, they are not given.
    let c = BamlFile::parse(FULL)
        .unwrap()
        .client("Everything")
        .unwrap()
        .to_config(&Env::new())
        .unwrap();
    assert!(c.credentials().is_none());
    // Any other option must resolve.
    let src = "client<llm> C {\n provider aws-bedrock\n options {\n model env.MODEL_NAME\n }\n}";
    let err = ClientConfig::from_baml(src, "C", &Env::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Baml);
    assert_eq!(
        err.to_string(),
        "client C, line 4: env.MODEL_NAME is not set; set the environment variable MODEL_NAME or write the value in the options block"
    );
    let c = ClientConfig::from_baml(
        src,
        "C",
        &Env::from_iter([("MODEL_NAME", "amazon.nova-pro-v1:0")]),
    )
    .unwrap();
    assert_eq!(c.model(), "amazon.nova-pro-v1:0");
}

#[test]
fn validation_errors_name_the_client() {
    let src =
        "client<llm> Bad {\n provider aws-bedrock\n options {\n model m\n temprature 1\n }\n}";
    let err = ClientConfig::from_baml(src, "Bad", &Env::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(
        err.to_string(),
        "client Bad: Unsupported property: temprature"
    );
    let src = "client<llm> Creds {\n provider aws-bedrock\n options {\n model m\n access_key_id AKID\n }\n}";
    let err = ClientConfig::from_baml(src, "Creds", &Env::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "client Creds: If either access_key_id or secret_access_key are provided, both must be provided."
    );
}

#[test]
fn unknown_clients_list_the_known_ones() {
    let err = ClientConfig::from_baml(FULL, "Missing", &Env::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no client named Missing; the BAML source defines: Everything, Second"
    );
    let err = ClientConfig::from_baml("class A { x int }", "X", &Env::new()).unwrap_err();
    assert!(err.to_string().contains("has no client<llm> blocks"));
}

#[test]
fn other_providers_are_refused() {
    let src = "client<llm> GPT {\n provider openai\n options {\n model gpt-4o\n }\n}";
    let err = ClientConfig::from_baml(src, "GPT", &Env::new()).unwrap_err();
    assert_eq!(err.to_string(), "client GPT uses provider \"openai\"; this crate builds requests for provider aws-bedrock only");
}

#[test]
fn syntax_errors_say_where() {
    for (src, expected) in [
        (
            "client<llm> A {\n provider aws-bedrock\n options {\n model \"m\n }\n}",
            "line 4, column 8: this string is never closed on its line",
        ),
        (
            "client<llm> A {\n options {\n model m\n",
            "line 2, column 10: this { is never closed",
        ),
        (
            "client<llm> A {\n options {\n model #\"m\n }\n}",
            "line 3, column 8: this raw string is never closed with \"#",
        ),
        (
            "client<llm> A {\n options {\n model\n }\n}",
            "line 3, column 7: expected a value for model",
        ),
        (
            "client<llm> A {\n options {\n model m\n model n\n }\n}",
            "line 4, column 2: model is given twice",
        ),
        (
            "client<llm> A {\n options {\n roles [a b\n }\n}",
            "line 3, column 8: this [ is never closed",
        ),
        (
            "client<llm> A {\n options {\n x \"a\\qb\"\n }\n}",
            "line 3, column 6: unknown escape \\q",
        ),
        (
            "client<vlm> A {}",
            "line 1, column 8: expected client<llm>, found client<vlm>",
        ),
        (
            "client<llm> A {\n options {\n model env.\n }\n}",
            "line 3, column 8: \"env.\" is not a valid env.NAME reference",
        ),
        (
            "client<llm> A {\n provider aws-bedrock\n temperature 1\n}",
            "client A, line 3: unknown field temperature",
        ),
        (
            "client<llm> A {\n provider aws-bedrock\n}\nclient<llm> A {\n provider aws-bedrock\n}",
            "line 4, column 1: client A is defined twice",
        ),
    ] {
        let err = BamlFile::parse(src).unwrap_err();
        assert!(
            err.to_string().starts_with(expected),
            "{src:?}\n  got:      {err}\n  expected: {expected}"
        );
    }
}

#[test]
fn string_escapes_and_raw_strings_follow_baml() {
    let src = "client<llm> A {\n provider aws-bedrock\n options {\n model \"a\\tb\\\\c\\x41\\\"\"\n default_role ##\"\n     user\n   \"##\n }\n}";
    let c = ClientConfig::from_baml(src, "A", &Env::new()).unwrap();
    assert_eq!(c.model(), "a\tb\\cA\"");
    assert_eq!(c.roles().default_role, "user");
}

#[test]
fn unquoted_values_stop_at_comments_and_commas() {
    let src = "client<llm> A {\n provider aws-bedrock // the provider\n options {\n model anthropic.claude-3-haiku-20240307-v1:0 // haiku\n allowed_roles [ user , assistant ]\n region us-east-1,\n }\n}";
    let c = ClientConfig::from_baml(src, "A", &Env::new()).unwrap();
    assert_eq!(c.model(), "anthropic.claude-3-haiku-20240307-v1:0");
    assert_eq!(c.roles().allowed_roles, ["user", "assistant"]);
    assert_eq!(c.region(), Some("us-east-1"));
}

#[test]
fn garbage_never_panics() {
    // Every prefix of a real file, and some noise: errors are fine, panics are not.
    for end in 0..=FULL.len() {
        if FULL.is_char_boundary(end) {
            let _ = BamlFile::parse(&FULL[..end]);
        }
    }
    for src in [
        "client",
        "client<",
        "client<llm",
        "client<llm>",
        "client<llm> {",
        "}}}}",
        "#\"",
        "{//",
        "\"",
        "client<llm> A { options { x [ { ] } }",
    ] {
        let _ = BamlFile::parse(src);
    }
}

#[test]
fn unset_optional_credentials_mean_not_given() {
    // As on BAML's provider page: `session_token env.MY_CUSTOM_AWS_SESSION // Optional`.
    let src = "client<llm> C {\n provider aws-bedrock\n options {\n model m\n access_key_id env.MY_KEY\n secret_access_key env.MY_SECRET\n session_token env.MY_SESSION\n region env.MY_REGION\n }\n}";
    let keys = Env::from_iter([
        ("MY_KEY", "AKID"),
        ("MY_SECRET", "S"),
        ("MY_REGION", "us-east-1"),
    ]);
    let c = ClientConfig::from_baml(src, "C", &keys).unwrap();
    assert!(c.credentials().unwrap().session_token().is_none());
    // None set: no explicit credentials (the chain decides); a required option still errors.
    let c =
        ClientConfig::from_baml(src, "C", &Env::from_iter([("MY_REGION", "us-east-1")])).unwrap();
    assert!(c.credentials().is_none());
    let e = ClientConfig::from_baml(src, "C", &Env::new()).unwrap_err();
    assert!(e.to_string().contains("env.MY_REGION is not set"), "{e}");
    // Half set: the all-or-nothing rule applies.
    let e = ClientConfig::from_baml(
        src,
        "C",
        &Env::from_iter([("MY_KEY", "AKID"), ("MY_REGION", "us-east-1")]),
    )
    .unwrap_err();
    assert!(
        e.to_string().ends_with(
            "If either access_key_id or secret_access_key are provided, both must be provided."
        ),
        "{e}"
    );
}

#[test]
fn multibyte_text_in_odd_places_never_panics() {
    for tail in ["é", "🎉", "中文", "\u{301}"] {
        for prefix in [
            "x \"\\x",
            "x \"\\",
            "x #",
            "x ##\"",
            "{",
            "{/",
            "x [",
            "x: ",
            "x env.",
            "client<",
            "client<llm> ",
            "client<llm> A {\n x ",
        ] {
            let src = format!("client<llm> A {{\n options {{\n {prefix}{tail}\n }}\n}}");
            let _ = BamlFile::parse(&src);
            let _ = BamlFile::parse(&format!("{prefix}{tail}"));
        }
    }
}
