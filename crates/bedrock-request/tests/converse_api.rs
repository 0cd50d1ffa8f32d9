//! The whole Converse API: agent loops replayed losslessly (reasoning, tool uses, citations,
//! server tools), against botocore's vectors (vectors/bedrock) and responses and streams in
//! AWS's documented shapes (vectors/responses).

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message as SmithyMessage};
use bedrock_request::parse::{self, CitationLocation, Completion, ContentBlock, Span};
use bedrock_request::prompt::{self, NativeBlock};
use bedrock_request::stream::ConverseStream;
use bedrock_request::{converse, ClientConfig, Env, ErrorKind, FinishReasonPolicy, Message, Value};
use serde_json::Value as Json;

use crate::common::read;
pub use crate::common::stream_bytes;

/// A botocore vector: its ordered `input` and botocore's `body_text`.
fn vector(name: &str) -> (Value, String) {
    let text = read(&format!("vectors/bedrock/{name}.json"));
    let ordered = Value::from_json_str(&text).unwrap();
    let body_text = ordered
        .pointer("/botocore/body_text")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    (ordered.get("input").unwrap().clone(), body_text)
}

fn reply(name: &str) -> Completion {
    parse::response(
        200,
        &[],
        read(&format!("vectors/responses/{name}.json")).as_bytes(),
        &FinishReasonPolicy::Any,
    )
    .unwrap()
}

/// Decodes a stream fed in chunks of `chunk` bytes.
fn decode(bytes: &[u8], chunk: usize) -> Completion {
    let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
    for piece in bytes.chunks(chunk) {
        stream.push(piece);
        while stream.next_event().unwrap().is_some() {}
    }
    stream.finish().unwrap()
}

/// Builds the request of a vector's input with `messages` in place of its own.
fn body_for(input: &Value, messages: &[Message]) -> String {
    let config = ClientConfig::from_options(input.get("options").unwrap(), None).unwrap();
    let tools = input
        .get("tools")
        .map(|t| converse::Tools::from_json(&t.to_json()).unwrap());
    let env = Env::new();
    let mut builder = converse::Builder::new(&config, messages, &env);
    if let Some(tools) = &tools {
        builder = builder.tools(tools);
    }
    builder
        .build()
        .unwrap()
        .preview()
        .body
        .as_str()
        .unwrap()
        .to_owned()
}

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn an_agent_loop_with_reasoning_replays_through_to_message() {
    let (input, botocore_body) = vector("agent-loop-reasoning-replay");
    let turn1 = reply("agent-loop-turn-1");
    // Every block kept, in order.
    assert!(matches!(
        turn1.content.as_slice(),
        [
            ContentBlock::Reasoning(_),
            ContentBlock::Reasoning(_),
            ContentBlock::Text(_),
            ContentBlock::ToolUse(_)
        ]
    ));
    assert_eq!(turn1.text, "Let me check the weather in Paris first.");
    assert_eq!(
        turn1.reasoning()[1].redacted.as_deref(),
        Some(&(1u8..=27).collect::<Vec<u8>>()[..])
    );
    // The native message is the reply's output.message, as it came.
    let document = json(&read("vectors/responses/agent-loop-turn-1.json"));
    assert_eq!(
        json(&turn1.to_message_json()),
        document["output"]["message"]
    );
    assert_eq!(
        json(&turn1.to_message_json_pretty()),
        document["output"]["message"]
    );
    // The next request, made from the typed turn, is the one botocore serialises.
    let messages = [
        Message::user("What should I wear in Paris today?"),
        turn1.to_message(),
        prompt::messages_from_json(
            r#"[{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                "content": [{"type": "json", "json": {"temp_c": 14, "sky": "rain"}}]}]}]"#,
        )
        .unwrap()
        .remove(0),
    ];
    assert_eq!(body_for(&input, &messages), botocore_body);
    // And so is the one made from the native JSON appended to a messages file.
    let file = format!(
        r#"[{{"role": "user", "content": "What should I wear in Paris today?"}}, {}, {{"role": "user", "content": [{{"type": "tool_result", "tool_use_id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "content": [{{"type": "json", "json": {{"temp_c": 14, "sky": "rain"}}}}]}}]}}]"#,
        turn1.to_message_json()
    );
    assert_eq!(
        body_for(&input, &prompt::messages_from_json(&file).unwrap()),
        botocore_body
    );
}

#[test]
fn a_stream_assembles_the_same_turn_as_the_response() {
    let whole = reply("agent-loop-turn-1");
    let bytes = stream_bytes("agent-loop-turn-1.stream.json");
    for chunk in [1, 7, 64, bytes.len()] {
        let streamed = decode(&bytes, chunk);
        assert_eq!(streamed.to_message(), whole.to_message(), "chunk {chunk}");
        assert_eq!(
            json(&streamed.to_message_json()),
            json(&whole.to_message_json())
        );
        assert_eq!(streamed.text, whole.text);
        assert_eq!(streamed.usage, whole.usage);
        assert_eq!(streamed.stop_reason, whole.stop_reason);
    }
}

#[test]
fn a_grounded_answer_types_server_tools_citations_cache_details_and_tiers() {
    let c = reply("grounded-answer");
    assert_eq!(c.text, "It is raining in Paris, 14 C. Take an umbrella.");
    // The server tool is not one to run: it is kept apart.
    assert!(c.tool_calls().is_empty());
    let server = c.server_tool_calls();
    assert_eq!(server.len(), 1);
    assert!(server[0].is_server());
    assert_eq!(server[0].tool_type.as_deref(), Some("server_tool_use"));
    assert!(matches!(&c.content[1], ContentBlock::Other(v) if v.get("toolResult").is_some()));
    let citations = c.citations();
    assert_eq!(citations.len(), 5);
    assert_eq!(citations[0].title.as_deref(), Some("Paris forecast"));
    assert_eq!(citations[0].source_content, ["Rain, 14 C."]);
    assert_eq!(
        citations[0].location,
        Some(CitationLocation::Web {
            url: Some("https://weather.example.com/paris".into()),
            domain: Some("weather.example.com".into())
        })
    );
    type Row<'a> = (&'a str, Option<u64>, Option<u64>, Option<u64>);
    let spans: Vec<Row> = citations[1..]
        .iter()
        .map(|c| {
            let (kind, s): (&str, &Span) = match c.location.as_ref().unwrap() {
                CitationLocation::DocumentChar(s) => ("char", s),
                CitationLocation::DocumentPage(s) => ("page", s),
                CitationLocation::DocumentChunk(s) => ("chunk", s),
                CitationLocation::SearchResult(s) => ("search", s),
                other => panic!("{other:?}"),
            };
            (kind, s.index, s.start, s.end)
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("char", Some(0), Some(20), Some(36)),
            ("page", Some(1), Some(2), Some(3)),
            ("chunk", Some(2), Some(0), Some(1)),
            ("search", Some(0), Some(0), Some(0)),
        ]
    );
    let usage = c.usage.clone().unwrap();
    assert_eq!(
        usage
            .cache_details
            .iter()
            .map(|d| (d.ttl.as_str(), d.input_tokens))
            .collect::<Vec<_>>(),
        [("1h", 200), ("5m", 100)]
    );
    assert_eq!(c.service_tier.as_deref(), Some("flex"));
    assert_eq!(c.performance_latency.as_deref(), Some("optimized"));
    let summary = json(&c.to_json());
    assert_eq!(summary["tool_calls"], serde_json::json!([]));
    assert_eq!(summary["server_tool_calls"][0]["name"], "nova_grounding");
    assert_eq!(
        summary["usage"]["cache_details"],
        serde_json::json!([{"ttl": "1h", "input_tokens": 200}, {"ttl": "5m", "input_tokens": 100}])
    );
    assert_eq!(summary["service_tier"], "flex");
    assert_eq!(summary["citations"][1]["location"]["type"], "document_char");
    // Replayed, every block goes back as it came.
    let document = json(&read("vectors/responses/grounded-answer.json"));
    assert_eq!(json(&c.to_message_json()), document["output"]["message"]);
}

#[test]
fn a_grounded_stream_assembles_citations_and_server_tool_results() {
    let whole = reply("grounded-answer");
    let bytes = stream_bytes("grounded-answer.stream.json");
    for chunk in [3, 50, bytes.len()] {
        let streamed = decode(&bytes, chunk);
        assert_eq!(streamed.text, whole.text);
        assert_eq!(
            json(&streamed.to_message_json()),
            json(&whole.to_message_json())
        );
        assert_eq!(streamed.citations(), whole.citations());
        assert_eq!(streamed.usage, whole.usage);
        assert_eq!(streamed.service_tier.as_deref(), Some("flex"));
        assert_eq!(streamed.server_tool_calls().len(), 1);
        assert!(streamed.tool_calls().is_empty());
    }
}

#[test]
fn a_grounded_turn_goes_back_with_its_server_tool_blocks() {
    // A server tool's use and result are in the assistant turn: no user tool result is needed,
    // and the blocks go back unchanged.
    let c = reply("grounded-answer");
    let tools =
        converse::Tools::from_json(r#"{"tools": [{"system_tool": "nova_grounding"}]}"#).unwrap();
    let config = ClientConfig::builder()
        .model("us.amazon.nova-premier-v1:0")
        .region("us-east-1")
        .build()
        .unwrap();
    let messages = [
        Message::user("Weather in Paris?"),
        c.to_message(),
        Message::user("And tomorrow?"),
    ];
    let env = Env::new();
    let request = converse::Builder::new(&config, &messages, &env)
        .tools(&tools)
        .build()
        .unwrap();
    let body = json(request.preview().body.as_str().unwrap());
    let document = json(&read("vectors/responses/grounded-answer.json"));
    assert_eq!(body["messages"][1], document["output"]["message"]);
    assert_eq!(
        body["toolConfig"],
        serde_json::json!({"tools": [{"systemTool": {"name": "nova_grounding"}}]})
    );
}

fn policy_error(messages: &str) -> String {
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let messages = prompt::messages_from_json(messages).unwrap();
    let tools = converse::Tools::from_json(
        r#"{"tools": [{"name": "f", "input_schema": {"type": "object"}}]}"#,
    )
    .unwrap();
    let env = Env::new();
    let e = converse::Builder::new(&config, &messages, &env)
        .tools(&tools)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Prompt);
    e.to_string()
}

#[test]
fn reasoning_and_tool_blocks_must_be_in_the_right_turn() {
    let e = policy_error(
        r#"[{"role": "user", "content": [{"type": "reasoning", "text": "x", "signature": "s"}]}]"#,
    );
    assert!(e.contains("a reasoning part is in a user message"), "{e}");
    let e = policy_error(
        r#"[{"role": "user", "content": [{"reasoningContent": {"reasoningText": {"text": "x"}}}]}]"#,
    );
    assert!(
        e.contains("a native reasoningContent block is in a user message"),
        "{e}"
    );
    let e = policy_error(
        r#"[{"role": "user", "content": "q"}, {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}, {"toolResult": {"toolUseId": "t", "content": [{"text": "r"}]}}]}]"#,
    );
    assert!(
        e.contains("a native toolResult block is in an assistant message"),
        "{e}"
    );
    let e = policy_error(
        r#"[{"role": "user", "content": [{"toolResult": {"toolUseId": "nope", "content": [{"text": "r"}]}}]}]"#,
    );
    assert!(e.contains("no earlier tool_use part has that id"), "{e}");
    let e = policy_error(
        r#"[{"role": "system", "content": [{"type": "reasoning", "text": "x"}]}, {"role": "user", "content": "q"}]"#,
    );
    assert!(e.contains("a system message holds a reasoning part"), "{e}");
}

#[test]
fn native_blocks_are_checked_against_the_union() {
    for (block, why) in [
        (
            r#"{"toolUse": {"name": "f", "input": {}}}"#,
            "toolUse needs \"toolUseId\"",
        ),
        (r#"{"picture": {}}"#, "unknown member \"picture\""),
        (r#"{"text": "a", "image": {}}"#, "exactly one member"),
        (r#"{"text": 3}"#, "text must be a string"),
        (
            r#"{"image": {"format": "png", "source": {"bytes": "AA==", "s3Location": {"uri": "s3://b/k"}}}}"#,
            "image.source is a union",
        ),
        (
            r#"{"reasoningContent": {"redactedContent": "not base64!"}}"#,
            "base64 text",
        ),
        (r#"{"reasoningContent": {}}"#, "reasoningContent is a union"),
        ("[]", "must be an object"),
    ] {
        let e = NativeBlock::new(Value::from_json_str(block).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{block}: {e}");
    }
    // In a messages file the error names the message and part.
    let e = prompt::messages_from_json(r#"[{"role": "user", "content": [{"picture": {}}]}]"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("message 0: part 0: a native Converse content block has the unknown member"),
        "{e}"
    );
}

#[test]
fn typed_parts_name_their_mistakes() {
    for (part, why) in [
        (
            r#"{"type": "reasoning", "text": "t", "redacted": "AA=="}"#,
            "either \"text\"",
        ),
        (
            r#"{"type": "reasoning", "redacted": "%%"}"#,
            "must be base64",
        ),
        (
            r#"{"type": "cache_point", "ttl": "2h"}"#,
            "write \"5m\" or \"1h\"",
        ),
        (
            r#"{"type": "cache_point", "scope": "x"}"#,
            "unknown field \"scope\"",
        ),
        (
            r#"{"type": "search_result", "source": "s", "title": "t"}"#,
            "needs \"content\"",
        ),
        (
            r#"{"type": "document", "text": "t", "base64": "AA=="}"#,
            "exactly one of",
        ),
        (
            r#"{"type": "image", "text": "t"}"#,
            "unknown field \"text\"",
        ),
        (
            r#"{"type": "guard_content", "text": "t", "qualifiers": ["nope"]}"#,
            "qualifier \"nope\"",
        ),
    ] {
        let e =
            prompt::messages_from_json(&format!(r#"[{{"role": "user", "content": [{part}]}}]"#))
                .unwrap_err()
                .to_string();
        assert!(e.contains(why), "{part}: {e}");
    }
    // A guardrail image must be PNG or JPEG bytes.
    let messages = prompt::messages_from_json(
        r#"[{"role": "user", "content": [{"type": "guard_content", "url": "s3://b/k.png"}]}]"#,
    )
    .unwrap();
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let e = converse::Builder::new(&config, &messages, &Env::new())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("guard_content image must be inline bytes"),
        "{e}"
    );
}

#[test]
fn new_options_are_validated() {
    for (options, why) in [
        (
            r#"{"model": "m", "service_tier": "gold"}"#,
            "service_tier must be priority, default, flex or reserved",
        ),
        (
            r#"{"model": "m", "output_format": {"name": "x"}}"#,
            "output_format needs a schema",
        ),
        (
            r#"{"model": "m", "output_format": {"schema": [1]}}"#,
            "must be a JSON Schema object",
        ),
        (
            r#"{"model": "m", "output_format": {"schema": {}, "strict": true}}"#,
            "unknown output_format key: strict",
        ),
        (
            r#"{"model": "m", "guardrail_config": {"identifier": "g", "version": "1", "stream_processing_mode": "later"}}"#,
            "stream_processing_mode must be sync or async",
        ),
        (r#"{"model": "m", "service_tir": "flex"}"#, "service_tier"),
    ] {
        let e = ClientConfig::from_json_str(options)
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{options}: {e}");
    }
    // streamProcessingMode exists only in ConverseStream's guardrailConfig.
    let config = ClientConfig::from_json_str(
        r#"{"model": "m", "region": "us-east-1", "guardrail_config": {"identifier": "g", "version": "1", "stream_processing_mode": "sync"}}"#,
    )
    .unwrap();
    let messages = [Message::user("hi")];
    let env = Env::new();
    let plain = converse::Builder::new(&config, &messages, &env)
        .build()
        .unwrap();
    let streamed = converse::Builder::new(&config, &messages, &env)
        .operation(bedrock_request::converse::Operation::ConverseStream)
        .build()
        .unwrap();
    let guardrail = |r: &converse::UnsignedRequest| {
        json(r.preview().body.as_str().unwrap())["guardrailConfig"].clone()
    };
    assert_eq!(
        guardrail(&plain),
        serde_json::json!({"guardrailIdentifier": "g", "guardrailVersion": "1"})
    );
    assert_eq!(guardrail(&streamed)["streamProcessingMode"], "sync");
    // Converse's own member names work as keys too.
    let aliased = ClientConfig::from_json_str(
        r#"{"model": "m", "region": "us-east-1", "guardrail_config": {"guardrail_identifier": "g", "guardrailVersion": "1", "streamProcessingMode": "sync"}}"#,
    )
    .unwrap();
    let streamed_alias = converse::Builder::new(&aliased, &messages, &env)
        .operation(bedrock_request::converse::Operation::ConverseStream)
        .build()
        .unwrap();
    assert_eq!(guardrail(&streamed_alias), guardrail(&streamed));
    let e = ClientConfig::from_json_str(
        r#"{"model": "m", "guardrail_config": {"identifier": "g", "guardrail_identifier": "h", "version": "1"}}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("identifier is given twice"), "{e}");
}

#[test]
fn only_a_prompt_arn_may_go_without_messages() {
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let e = converse::Builder::new(&config, &[], &Env::new())
        .build()
        .unwrap_err();
    assert!(e.to_string().starts_with("the prompt is empty"), "{e}");
}

#[test]
fn count_tokens_replies_and_model_errors_parse() {
    assert_eq!(
        parse::count_tokens(200, &[], br#"{"inputTokens":1234}"#).unwrap(),
        1234
    );
    let e = parse::count_tokens(200, &[], br#"{"output":{}}"#).unwrap_err();
    assert!(e.to_string().contains("inputTokens is missing"), "{e}");
    // ModelErrorException (HTTP 424) carries the model's own status and the resource.
    let headers = [(
        "x-amzn-errortype".to_owned(),
        "ModelErrorException:http://internal.amazon.com/coral/com.amazon.bedrock/".to_owned(),
    )];
    let e = parse::response(
        424,
        &headers,
        br#"{"message":"The model returned an error.","originalStatusCode":400,"resourceName":"anthropic.claude-3-haiku"}"#,
        &FinishReasonPolicy::Any,
    )
    .unwrap_err();
    let aws = e.aws().unwrap();
    assert_eq!(aws.code, "ModelErrorException");
    assert_eq!(aws.original_status_code, Some(400));
    assert_eq!(
        aws.resource_name.as_deref(),
        Some("anthropic.claude-3-haiku")
    );
    assert!(e.to_string().contains("the model returned HTTP 400"), "{e}");
    // modelStreamErrorException in a stream carries the original status and message.
    let mut out = Vec::new();
    let message = SmithyMessage::new(
        br#"{"message":"Model stream error","originalStatusCode":529,"originalMessage":"overloaded"}"#.to_vec(),
    )
    .add_header(Header::new(":message-type", HeaderValue::String("exception".into())))
    .add_header(Header::new(
        ":exception-type",
        HeaderValue::String("modelStreamErrorException".into()),
    ));
    write_message_to(&message, &mut out).unwrap();
    let e = ConverseStream::decode_all(&out, FinishReasonPolicy::Any).unwrap_err();
    let aws = e.aws().unwrap();
    assert_eq!(
        (aws.original_status_code, aws.original_message.as_deref()),
        (Some(529), Some("overloaded"))
    );
}

#[test]
fn reasoning_leads_each_merged_assistant_turn() {
    // Two assistant messages merge; within one message the model's order is kept.
    let messages = prompt::messages_from_json(
        r#"[{"role": "user", "content": "q"},
            {"role": "assistant", "content": [{"type": "reasoning", "text": "a", "signature": "s1"}, {"type": "text", "text": "one"}]},
            {"role": "assistant", "content": [{"type": "reasoning", "text": "b", "signature": "s2"}, {"type": "text", "text": "two"}, {"type": "reasoning", "text": "c", "signature": "s3"}]}]"#,
    )
    .unwrap();
    let conversation =
        prompt::apply_role_policy(&messages, &bedrock_request::config::RolePolicy::default())
            .unwrap();
    let order: Vec<String> = conversation.turns[1]
        .1
        .iter()
        .map(|b| match b {
            prompt::Block::Text(t) => t.clone(),
            prompt::Block::Part(bedrock_request::Part::Reasoning(r)) => {
                format!("r:{}", r.text.as_deref().unwrap())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(order, ["r:a", "r:b", "one", "two", "r:c"]);
}

#[test]
fn a_blank_text_block_of_a_reply_is_not_sent_back() {
    // Claude often answers "\n\n" before a tool use; Bedrock refuses blank text blocks, so the
    // replayed turn leaves it out, typed or native, while to_message_json prints it as it came.
    let body = br#"{"output":{"message":{"role":"assistant","content":[{"text":"\n\n"},
        {"toolUse":{"toolUseId":"t1","name":"f","input":{}}}]}},"stopReason":"tool_use"}"#;
    let c = parse::response(200, &[], body, &FinishReasonPolicy::Any).unwrap();
    assert_eq!(
        json(&c.to_message_json())["content"][0],
        serde_json::json!({"text": "\n\n"})
    );
    let tools = converse::Tools::from_json(
        r#"{"tools": [{"name": "f", "input_schema": {"type": "object"}}]}"#,
    )
    .unwrap();
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let native = Message::from_native("assistant", json_values(&c.to_message_json())).unwrap();
    for turn in [c.to_message(), native] {
        let messages = [Message::user("q"), turn];
        let env = Env::new();
        let request = converse::Builder::new(&config, &messages, &env)
            .tools(&tools)
            .build()
            .unwrap();
        let sent = json(request.preview().body.as_str().unwrap());
        assert_eq!(
            sent["messages"][1]["content"],
            serde_json::json!([{"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}}])
        );
    }
}

/// The content blocks of a native message, in order.
fn json_values(message: &str) -> Vec<Value> {
    Value::from_json_str(message)
        .unwrap()
        .get("content")
        .unwrap()
        .as_array()
        .unwrap()
        .to_vec()
}

#[test]
fn a_streamed_image_is_assembled_as_the_response_block() {
    // contentBlockStart.start.image {format} then contentBlockDelta.delta.image {source}: the
    // same `image` block a Converse reply carries.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let events = serde_json::json!([
        ["messageStart", {"role": "assistant"}],
        ["contentBlockStart", {"contentBlockIndex": 0, "start": {"image": {"format": "png"}}}],
        ["contentBlockDelta", {"contentBlockIndex": 0, "delta": {"image": {"source": {"bytes": png}}}}],
        ["contentBlockStop", {"contentBlockIndex": 0}],
        ["messageStop", {"stopReason": "end_turn"}]
    ]);
    let framed: Vec<u8> = events
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| crate::common::frame(e[0].as_str().unwrap(), e[1].to_string().as_bytes()))
        .collect();
    let streamed = decode(&framed, 5);
    let body = format!(
        r#"{{"output":{{"message":{{"role":"assistant","content":[{{"image":{{"format":"png","source":{{"bytes":"{png}"}}}}}}]}}}},"stopReason":"end_turn"}}"#
    );
    let whole = parse::response(200, &[], body.as_bytes(), &FinishReasonPolicy::Any).unwrap();
    assert_eq!(streamed.content, whole.content);
    assert!(
        matches!(&whole.content[0], ContentBlock::Other(v) if v.pointer("/image/format").and_then(Value::as_str) == Some("png"))
    );
}
