//! The role policy, rule by rule, checked on the request body it produces.

use bedrock_request::{converse, prompt, ClientConfig, Env, ErrorKind, Message, Part, Value};

use crate::util::config;

fn body(config: &ClientConfig, messages: &[Message]) -> serde_json::Value {
    let request = converse::Builder::new(config, messages, &Env::new())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    request.preview().body.json().unwrap().into()
}

fn error(config: &ClientConfig, messages: &[Message]) -> String {
    let e = converse::Builder::new(config, messages, &Env::new())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Prompt, "{e}");
    e.to_string()
}

fn base() -> ClientConfig {
    config(r#"{"model":"m","region":"us-east-1"}"#)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn a_leading_system_message_becomes_the_system_array() {
    let b = body(
        &base(),
        &[Message::system("Be brief."), Message::user("Hi")],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"system":[{"text":"Be brief."}]}"#
        )
    );
}

#[test]
fn a_prompt_that_is_only_system_is_sent_as_one_user_message() {
    let b = body(
        &base(),
        &[
            Message::system("Write a haiku."),
            Message::system("About rain."),
        ],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"Write a haiku."},{"text":"About rain."}]}]}"#
        )
    );
}

#[test]
fn later_system_messages_are_user_messages_merged_with_their_neighbours() {
    let b = body(
        &base(),
        &[
            Message::system("S"),
            Message::user("U1"),
            Message::system("S2"),
            Message::user("U2"),
            Message::assistant("A"),
        ],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"U1"},{"text":"S2"},{"text":"U2"}]},{"role":"assistant","content":[{"text":"A"}]}],"system":[{"text":"S"}]}"#
        )
    );
}

#[test]
fn adjacent_messages_of_one_role_merge() {
    let b = body(
        &base(),
        &[
            Message::user("a"),
            Message::user("b"),
            Message::assistant("c"),
            Message::assistant("d"),
        ],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"a"},{"text":"b"}]},{"role":"assistant","content":[{"text":"c"},{"text":"d"}]}]}"#
        )
    );
}

#[test]
fn roles_outside_allowed_roles_become_the_default_role() {
    let c = config(r#"{"model":"m","region":"us-east-1","allowed_roles":["user","assistant"]}"#);
    // system is not allowed here, so it becomes user (the default) and merges.
    let b = body(
        &c,
        &[
            Message::system("S"),
            Message::new("tool", vec![Part::Text("T".into())]),
            Message::user("U"),
        ],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"S"},{"text":"T"},{"text":"U"}]}]}"#
        )
    );
}

#[test]
fn remap_roles_applies_after_the_default_role() {
    let c = config(
        r#"{"model":"m","region":"us-east-1","allowed_roles":["user","assistant","narrator"],"remap_roles":{"narrator":"assistant"}}"#,
    );
    let b = body(
        &c,
        &[
            Message::user("U"),
            Message::new("narrator", vec![Part::Text("N".into())]),
        ],
    );
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"U"}]},{"role":"assistant","content":[{"text":"N"}]}]}"#
        )
    );
    // Remapping to a role Converse does not have is an error that names both roles.
    let c = config(r#"{"model":"m","region":"us-east-1","remap_roles":{"user":"human"}}"#);
    let m = error(&c, &[Message::user("U")]);
    assert!(m.starts_with("role \"human\" (the prompt's role \"user\" after allowed_roles/default_role/remap_roles) cannot be sent"), "{m}");
}

#[test]
fn blank_parts_and_empty_messages_are_dropped() {
    let b = body(
        &base(),
        &[
            Message::new(
                "user",
                vec![Part::Text("  \n".into()), Part::Text("real".into())],
            ),
            Message::assistant(" "),
            Message::user("more"),
        ],
    );
    assert_eq!(
        b,
        json(r#"{"messages":[{"role":"user","content":[{"text":"real"},{"text":"more"}]}]}"#)
    );
    let m = error(&base(), &[Message::user(""), Message::assistant("\t")]);
    assert!(m.starts_with("the prompt is empty"), "{m}");
    assert!(error(&base(), &[]).starts_with("the prompt is empty"));
}

#[test]
fn the_conversation_must_start_with_a_user_message() {
    let m = error(
        &base(),
        &[
            Message::system("S"),
            Message::assistant("A"),
            Message::user("U"),
        ],
    );
    assert_eq!(
        m,
        "the conversation starts with an assistant message, and Converse requires the first message to be from the user; add a user message before it"
    );
}

#[test]
fn cache_control_adds_a_cache_point_when_allowed() {
    let messages = [
        Message::system("S").with_cache_control(),
        Message::user("U").with_cache_control(),
        Message::assistant("A"),
    ];
    let b = body(&base(), &messages);
    assert_eq!(
        b,
        json(
            r#"{"messages":[{"role":"user","content":[{"text":"U"},{"cachePoint":{"type":"default"}}]},{"role":"assistant","content":[{"text":"A"}]}],"system":[{"text":"S"},{"cachePoint":{"type":"default"}}]}"#
        )
    );
    for allowed in [r#""none""#, r#"["other"]"#] {
        let c = config(&format!(
            r#"{{"model":"m","region":"us-east-1","allowed_role_metadata":{allowed}}}"#
        ));
        let b = body(&c, &messages);
        assert_eq!(
            b["messages"][0]["content"],
            json(r#"[{"text":"U"}]"#),
            "{allowed}"
        );
        assert_eq!(b["system"], json(r#"[{"text":"S"}]"#), "{allowed}");
    }
    // A false cache_control is no cache control.
    let b = body(
        &base(),
        &[Message::user("U").with_metadata("cache_control", Value::Bool(false))],
    );
    assert_eq!(b["messages"][0]["content"], json(r#"[{"text":"U"}]"#));
    // A null cache_control is no cache control.
    let b = body(
        &base(),
        &[Message::user("U").with_metadata("cache_control", Value::Null)],
    );
    assert_eq!(b["messages"][0]["content"], json(r#"[{"text":"U"}]"#));
}

#[test]
fn media_in_a_system_message_is_refused() {
    let messages = prompt::messages_from_json(r#"[{"role":"system","content":[{"type":"image","base64":"iVBORw0KGgo=","media_type":"image/png"}]},{"role":"user","content":"hi"}]"#).unwrap();
    let m = error(&base(), &messages);
    assert!(
        m.starts_with("a system message holds a media part; Converse's system blocks take text, guard content and cache points only"),
        "{m}"
    );
}

#[test]
fn messages_file_errors_point_at_the_message() {
    for (json, expected) in [
        ("{}", "the messages must be a JSON array"),
        (
            "[1]",
            "message 0: must be an object with role and content, found a number",
        ),
        (r#"[{"role":"user"}]"#, "message 0: content is missing"),
        (r#"[{"content":"x"}]"#, "message 0: role is missing"),
        (
            r#"[{"role":"user","content":"x","extra":1}]"#,
            "message 0: unknown field \"extra\"",
        ),
        (
            r#"[{"role":"user","content":[{"type":"video"}]}]"#,
            "message 0: part 0: a video part needs exactly one of \"base64\", \"url\" (s3://, https://, file://, data:) and \"path\"; none was given",
        ),
        (
            r#"[{"role":"user","content":[{"type":"image","url":"s3://b/k.png","path":"k.png"}]}]"#,
            "message 0: part 0: an image part needs exactly one of \"base64\", \"url\" (s3://, https://, file://, data:) and \"path\"; \"url\" and \"path\" were given",
        ),
        (
            r#"[{"role":"user","content":[{"type":"gif","url":"x"}]}]"#,
            "message 0: part 0: unknown part type \"gif\"",
        ),
        ("[", "the messages are not valid JSON"),
    ] {
        let e = prompt::messages_from_json(json).unwrap_err();
        assert!(e.to_string().starts_with(expected), "{json}: {e}");
    }
}
