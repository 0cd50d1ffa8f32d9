//! Media parts, tools, guardrails, extra fields, model ARNs: the rest of the Converse request.

use bedrock_request::converse::{self, document_name, media_format, Builder, Fetched, Tools};
use bedrock_request::prompt::MediaKind;
use bedrock_request::{prompt, ClientConfig, Env, ErrorKind, Message};

const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn config(extra: &str) -> ClientConfig {
    ClientConfig::from_json_str(&format!(r#"{{"model":"m","region":"us-east-1"{extra}}}"#))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn messages(json: &str) -> Vec<Message> {
    prompt::messages_from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

fn body(config: &ClientConfig, messages: &[Message]) -> serde_json::Value {
    let request = converse::Builder::new(config, messages, &Env::new())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    request.preview().body.json().unwrap().into()
}

fn build_error(config: &ClientConfig, messages: &[Message]) -> String {
    converse::Builder::new(config, messages, &Env::new())
        .build()
        .unwrap_err()
        .to_string()
}

#[test]
fn every_mime_type_maps_to_its_converse_format() {
    for (kind, mime, format) in [
        (MediaKind::Image, "image/png", "png"),
        (MediaKind::Image, "image/jpeg", "jpeg"),
        (MediaKind::Image, "image/jpg", "jpeg"),
        (MediaKind::Image, "image/gif", "gif"),
        (MediaKind::Image, "image/webp", "webp"),
        (MediaKind::Pdf, "application/pdf", "pdf"),
        (MediaKind::Document, "text/csv", "csv"),
        (MediaKind::Document, "application/msword", "doc"),
        (
            MediaKind::Document,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (MediaKind::Document, "application/vnd.ms-excel", "xls"),
        (
            MediaKind::Document,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (MediaKind::Document, "text/html", "html"),
        (MediaKind::Document, "text/plain; charset=utf-8", "txt"),
        (MediaKind::Document, "text/markdown", "md"),
        (MediaKind::Video, "video/x-matroska", "mkv"),
        (MediaKind::Video, "video/quicktime", "mov"),
        (MediaKind::Video, "video/mp4", "mp4"),
        (MediaKind::Video, "video/webm", "webm"),
        (MediaKind::Video, "video/x-flv", "flv"),
        (MediaKind::Video, "video/mpeg", "mpeg"),
        (MediaKind::Video, "video/mpg", "mpg"),
        (MediaKind::Video, "video/x-ms-wmv", "wmv"),
        (MediaKind::Video, "video/3gpp", "three_gp"),
        (MediaKind::Audio, "audio/mpeg", "mp3"),
        (MediaKind::Audio, "audio/wav", "wav"),
        (MediaKind::Audio, "audio/flac", "flac"),
        (MediaKind::Audio, "audio/ogg", "ogg"),
        (MediaKind::Audio, "audio/opus", "opus"),
        (MediaKind::Audio, "audio/aac", "aac"),
        (MediaKind::Audio, "audio/mp4", "mp4"),
        (MediaKind::Audio, "audio/webm", "webm"),
        (MediaKind::Audio, "Audio/X-M4A", "m4a"),
    ] {
        assert_eq!(media_format(kind, mime).unwrap(), format, "{mime}");
    }
    let e = media_format(MediaKind::Video, "video/avi").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Prompt);
    assert!(e.to_string().starts_with("unsupported video media type \"video/avi\": Bedrock Converse takes video/x-matroska, video/quicktime, video/mp4"), "{e}");
    assert!(media_format(MediaKind::Pdf, "text/plain")
        .unwrap_err()
        .to_string()
        .contains("must have media type application/pdf"));
    assert!(media_format(MediaKind::Image, "video/mp4").is_err());
}

#[test]
fn document_names_follow_bedrocks_rules_and_stay_unique() {
    assert_eq!(
        document_name("my_file (v2) [final].docx"),
        "my-file (v2) [final]"
    );
    assert_eq!(document_name("Résumé.pdf"), "Résumé");
    let m = messages(&format!(
        r#"[{{"role":"user","content":[
            {{"type":"pdf","base64":"{PNG}","media_type":"application/pdf","name":"a.pdf"}},
            {{"type":"pdf","base64":"{PNG}","media_type":"application/pdf","name":"a.pdf"}},
            {{"type":"document","base64":"{PNG}","media_type":"text/csv"}},
            {{"type":"text","text":"Summarise"}}]}}]"#
    ));
    let b = body(&config(""), &m);
    let names: Vec<&str> = (0..3)
        .map(|i| {
            b["messages"][0]["content"][i]["document"]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["a", "a (2)", "document-3"]);
    assert_eq!(b["messages"][0]["content"][2]["document"]["format"], "csv");
}

#[test]
fn media_sources_and_their_errors() {
    let s3 = messages(
        r#"[{"role":"user","content":[{"type":"image","url":"s3://b/cat.JPG"},{"type":"audio","url":"s3://b/talk.mp3","bucket_owner":"123456789012"}]}]"#,
    );
    let b = body(&config(""), &s3);
    assert_eq!(
        b["messages"][0]["content"][0],
        serde_json::json!({"image":{"format":"jpeg","source":{"s3Location":{"uri":"s3://b/cat.JPG"}}}})
    );
    assert_eq!(
        b["messages"][0]["content"][1]["audio"]["source"]["s3Location"]["bucketOwner"],
        "123456789012"
    );
    // s3:// is sent as an S3 location whatever media_url_handler says (Bedrock reads S3 itself).
    let b = body(&config(r#","media_url_handler":{"image":"send_url"}"#), &s3);
    assert_eq!(
        b["messages"][0]["content"][0]["image"]["source"]["s3Location"]["uri"],
        "s3://b/cat.JPG"
    );
    for (json, why) in [
        (
            r#"[{"role":"user","content":[{"type":"image","base64":"!!!","media_type":"image/png"}]}]"#,
            "not valid base64",
        ),
        (
            r#"[{"role":"user","content":[{"type":"image","base64":"iVBO","media_type":"image/bmp"}]}]"#,
            "unsupported image media type \"image/bmp\"",
        ),
        (
            r#"[{"role":"user","content":[{"type":"image","url":"s3://b/noext"}]}]"#,
            "give \"media_type\"",
        ),
        (
            r#"[{"role":"user","content":[{"type":"image","url":"ftp://x/y.png"}]}]"#,
            "neither s3:// nor http(s)://",
        ),
    ] {
        let e = build_error(&config(""), &messages(json));
        assert!(e.contains(why), "{json}: {e}");
    }
}

#[test]
fn http_media_is_fetched_by_the_caller() {
    let m = messages(
        r#"[{"role":"user","content":[{"type":"image","url":"https://example.com/a.png"},{"type":"video","url":"https://example.com/v.mp4"},{"type":"text","text":"What is it?"}]}]"#,
    );
    // Bedrock's defaults: images as bytes (fetched), video as a URL, which Bedrock refuses.
    let cfg = config(r#","media_url_handler":{"video":"send_base64"}"#);
    assert_eq!(
        converse::urls_to_fetch(&cfg, &m),
        ["https://example.com/a.png", "https://example.com/v.mp4"]
    );
    let e = build_error(&cfg, &m);
    assert!(
        e.starts_with(
            "message 0: part 0: media URL https://example.com/a.png must be fetched first"
        ),
        "{e}"
    );
    let png =
        bedrock_request::structured::parse::<Vec<u8>>("[137,80,78,71,13,10,26,10,0,0]").unwrap();
    let mp4 = vec![0, 0, 0, 24, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm'];
    // The bytes decide the format, over a wrong Content-Type.
    let fetched = [
        Fetched::new(
            "https://example.com/a.png",
            png.clone(),
            Some("image/jpeg".into()),
        ),
        Fetched::new("https://example.com/v.mp4", mp4, None),
    ];
    let env = Env::new();
    let b = Builder::new(&cfg, &m, &env)
        .media(&fetched)
        .build()
        .unwrap()
        .preview()
        .body
        .json()
        .map(serde_json::Value::from)
        .unwrap();
    assert_eq!(
        b["messages"][0]["content"][0],
        serde_json::json!({"image":{"format":"png","source":{"bytes":"iVBORw0KGgoAAA=="}}})
    );
    assert_eq!(b["messages"][0]["content"][1]["video"]["format"], "mp4");
    // send_url with an http URL: Bedrock only takes S3 locations.
    let e = build_error(
        &config(""),
        &messages(
            r#"[{"role":"user","content":[{"type":"video","url":"https://example.com/v.mp4"}]}]"#,
        ),
    );
    assert!(
        e.contains("Bedrock only reads media from s3:// locations"),
        "{e}"
    );
    assert!(converse::urls_to_fetch(
        &config(""),
        &messages(
            r#"[{"role":"user","content":[{"type":"video","url":"https://example.com/v.mp4"}]}]"#
        )
    )
    .is_empty());
}

#[test]
fn tools_and_tool_turns() {
    let tools = Tools::from_json(r#"{"tools":[{"name":"lookup","input_schema":{"type":"object"}}],"tool_choice":{"tool":"lookup"}}"#).unwrap();
    let env = Env::new();
    let m = [Message::user("find x")];
    let b = Builder::new(&config(""), &m, &env)
        .tools(&tools)
        .build()
        .unwrap()
        .preview()
        .body
        .json()
        .map(serde_json::Value::from)
        .unwrap();
    assert_eq!(
        b["toolConfig"],
        serde_json::json!({"tools":[{"toolSpec":{"name":"lookup","inputSchema":{"json":{"type":"object"}}}}],"toolChoice":{"tool":{"name":"lookup"}}})
    );
    let auto =
        Tools::from_json(r#"{"tools":[{"name":"a","input_schema":{}}],"tool_choice":"auto"}"#)
            .unwrap();
    let b = Builder::new(&config(""), &m, &env)
        .tools(&auto)
        .build()
        .unwrap()
        .preview()
        .body
        .json()
        .map(serde_json::Value::from)
        .unwrap();
    assert_eq!(
        b["toolConfig"]["toolChoice"],
        serde_json::json!({"auto":{}})
    );
    for (json, why) in [
        (r#"{"tools":[]}"#, "\"tools\" is empty"),
        (
            r#"{"tools":[{"name":"bad name","input_schema":{}}]}"#,
            "must be 1 to 64 letters",
        ),
        (r#"{"tools":[{"name":"a"}]}"#, "has no \"input_schema\""),
        (
            r#"{"tools":[{"name":"a","input_schema":{}}],"tool_choice":{"tool":"b"}}"#,
            "not one of the tools",
        ),
        (
            r#"{"tools":[{"name":"a","input_schema":{}}],"tool_choice":"none"}"#,
            "tool_choice must be",
        ),
        (
            r#"{"tools":[{"name":"a","input_schema":{},"strictness":true}]}"#,
            "unknown field \"strictness\"",
        ),
    ] {
        let e = Tools::from_json(json).unwrap_err().to_string();
        assert!(
            e.starts_with("tools file: ") && e.contains(why),
            "{json}: {e}"
        );
    }
    // Tool calls belong to the assistant, results to the user.
    let e = build_error(
        &config(""),
        &messages(
            r#"[{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}]"#,
        ),
    );
    assert!(e.contains("tool_use part (n) is in a user message"), "{e}");
    let e = build_error(
        &config(""),
        &messages(
            r#"[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t","content":"r"}]}]"#,
        ),
    );
    assert!(
        e.contains("tool_result part (for t) is in an assistant message"),
        "{e}"
    );
    let e = prompt::messages_from_json(r#"[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r","status":"maybe"}]}]"#).unwrap_err();
    assert!(e
        .to_string()
        .contains("status \"maybe\" is not success or error"));
}

#[test]
fn guardrails_metadata_and_the_generic_merge() {
    let c = config(
        r#","guardrail_config":{"identifier":"g","version":"DRAFT"},"extra_body":{"newField":{"a":1},"messages":null}"#,
    );
    let b = body(&c, &[Message::user("hi")]);
    assert_eq!(
        b["guardrailConfig"],
        serde_json::json!({"guardrailIdentifier":"g","guardrailVersion":"DRAFT"})
    );
    assert_eq!(b["newField"], serde_json::json!({"a":1}));
    assert!(
        b.get("messages").is_none(),
        "a null in extra_body removes the key"
    );
    for (extra, why) in [
        (
            r#","guardrail_config":{"identifier":"g"}"#,
            "needs both identifier and version",
        ),
        (
            r#","guardrail_config":{"identifier":"g","version":"1","trace":"on"}"#,
            "trace must be enabled, disabled or enabled_full",
        ),
        (
            r#","performance_config":{"latency":"fast"}"#,
            "latency must be",
        ),
        (
            r#","additional_model_response_field_paths":["stop"]"#,
            "JSON pointers starting with '/'",
        ),
        (
            r#","prompt_variables":{"x":1}"#,
            "prompt_variables values must be strings",
        ),
        (r#","extra_body":[1]"#, "extra_body must be a map"),
    ] {
        let e = ClientConfig::from_json_str(&format!(r#"{{"model":"m"{extra}}}"#)).unwrap_err();
        assert!(e.to_string().contains(why), "{extra}: {e}");
    }
}

#[test]
fn a_model_arn_gives_the_region() {
    let arn = "arn:aws:bedrock:eu-west-3:123456789012:application-inference-profile/abc";
    let c = ClientConfig::builder().model(arn).build().unwrap();
    let r = converse::Builder::new(&c, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap();
    assert_eq!(r.region(), "eu-west-3");
    assert!(r.preview().url.starts_with(
        "https://bedrock-runtime.eu-west-3.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-3%3A"
    ));
    let e = converse::Builder::new(
        &c,
        &[Message::user("hi")],
        &Env::from_iter([("AWS_REGION", "us-east-1")]),
    )
    .build()
    .unwrap_err();
    assert_eq!(e.to_string(), "the model ARN is in region eu-west-3 but AWS_REGION is us-east-1: an ARN must be called in its own region; remove the region setting or use the ARN of that region");
    let same = ClientConfig::builder()
        .model(arn)
        .region("eu-west-3")
        .build()
        .unwrap();
    assert!(
        converse::Builder::new(&same, &[Message::user("hi")], &Env::new())
            .build()
            .is_ok()
    );
}

#[test]
fn tool_turns_bedrock_would_reject_are_refused_before_sending() {
    // Bedrock: "The toolConfig field must be defined when using toolUse and toolResult content
    // blocks."
    let turns = messages(
        r#"[{"role":"user","content":"weather?"},
            {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}]"#,
    );
    let e = build_error(&config(""), &turns);
    assert!(
        e.starts_with("the messages hold a tool_use part (t1) but no tools are configured"),
        "{e}"
    );
    let tools =
        Tools::from_json(r#"{"tools":[{"name":"lookup","input_schema":{"type":"object"}}]}"#)
            .unwrap();
    let env = Env::new();
    assert!(Builder::new(&config(""), &turns, &env)
        .tools(&tools)
        .build()
        .is_ok());
    // A result for a tool use that no earlier turn holds.
    let orphan = messages(
        r#"[{"role":"user","content":"weather?"},
            {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":"sunny"}]}]"#,
    );
    let e = Builder::new(&config(""), &orphan, &env)
        .tools(&tools)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Prompt);
    assert!(
        e.to_string().starts_with(
            "a tool_result answers tool use \"t2\", but no earlier tool_use part has that id"
        ),
        "{e}"
    );
}

#[test]
fn local_files_data_urls_and_formats_from_the_bytes() {
    use bedrock_request::converse::files_to_read;
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    // No media_type: the bytes tell it. A wrong one is refused, naming both.
    let b = body(
        &config(""),
        &messages(&format!(
            r#"[{{"role":"user","content":[{{"type":"image","base64":"{png}"}},{{"type":"pdf","url":"data:application/pdf;base64,JVBERi0xLjQK","name":"r"}},{{"type":"document","url":"data:text/csv,a%2Cb%0A1%2C2","name":"t"}}]}}]"#
        )),
    );
    let content = &b["messages"][0]["content"];
    assert_eq!(content[0]["image"]["format"], "png");
    assert_eq!(content[1]["document"]["format"], "pdf");
    assert_eq!(content[2]["document"]["format"], "csv");
    assert_eq!(content[2]["document"]["source"]["bytes"], "YSxiCjEsMg==");
    // A percent-encoded data: URL is octets (RFC 2397), not UTF-8 text: `caf%E9` (Latin-1) is
    // the bytes 63 61 66 E9, and a PNG's signature survives (it was decoded lossily, as
    // `caf\u{fffd}` and broken PNG bytes).
    let b = body(
        &config(""),
        &messages(
            r#"[{"role":"user","content":[{"type":"document","url":"data:text/plain,caf%E9","name":"l"},{"type":"image","url":"data:image/png,%89PNG%0D%0A%1A%0A%00%00%00%0DIHDR"}]}]"#,
        ),
    );
    let content = &b["messages"][0]["content"];
    assert_eq!(content[0]["document"]["source"]["bytes"], "Y2Fm6Q==");
    // 89 50 4E 47 0D 0A 1A 0A 00 00 00 0D 49 48 44 52, in base64:
    assert_eq!(
        content[1]["image"]["source"]["bytes"],
        "iVBORw0KGgoAAAANSUhEUg=="
    );
    let e = build_error(
        &config(""),
        &messages(&format!(
            r#"[{{"role":"user","content":[{{"type":"image","base64":"{png}","media_type":"image/jpg"}}]}}]"#
        )),
    );
    assert_eq!(
        e,
        "message 0: part 0: a base64 media part: the bytes are png, but media_type \"image/jpg\" says jpeg: fix media_type, or leave it out (the bytes tell the format)"
    );
    let e = build_error(
        &config(""),
        &messages(
            r#"[{"role":"user","content":[{"type":"document","base64":"aGVsbG8=","name":"n"}]}]"#,
        ),
    );
    assert!(
        e.contains("the bytes do not tell the format: give \"media_type\""),
        "{e}"
    );
    // Local files: named for the caller to read, then sent as bytes; the extension can tell.
    let local = messages(
        r#"[{"role":"user","content":[{"type":"image","path":"img/cat.png"},{"type":"document","url":"file:///data/notes%20v2.md","name":"notes"}]}]"#,
    );
    assert_eq!(files_to_read(&local), ["img/cat.png", "/data/notes v2.md"]);
    let e = build_error(&config(""), &local);
    assert!(
        e.starts_with("message 0: part 0: the file img/cat.png must be read first"),
        "{e}"
    );
    let bytes = prompt_bytes(png);
    let fetched = [
        Fetched::new("img/cat.png", bytes, None),
        Fetched::new("/data/notes v2.md", b"# Notes".to_vec(), None),
    ];
    let env = Env::new();
    let b: serde_json::Value = Builder::new(&config(""), &local, &env)
        .media(&fetched)
        .build()
        .unwrap()
        .preview()
        .body
        .json()
        .unwrap()
        .into();
    assert_eq!(b["messages"][0]["content"][0]["image"]["format"], "png");
    assert_eq!(b["messages"][0]["content"][1]["document"]["format"], "md");
    assert_eq!(
        b["messages"][0]["content"][1]["document"]["source"]["bytes"],
        "IyBOb3Rlcw=="
    );
}

fn prompt_bytes(b64: &str) -> Vec<u8> {
    // The standard alphabet, decoded here (independent of the crate's own codec).
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in b64.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6) | alphabet.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
