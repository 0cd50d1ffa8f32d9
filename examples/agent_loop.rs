//! An agent loop: the model asks for a tool, the program runs it and sends the result back,
//! until the model answers in text. Each turn is built, signed, "sent" and parsed; the
//! assistant's turn goes back into the conversation as it came (`Completion::to_message`), the
//! tool results as a user turn (`Part::tool_result`).
//!
//! It runs offline: `bedrock` below stands in for your HTTP stack and Bedrock, answering as
//! Bedrock does (the first call asks for the weather tool, the second answers in text). Swap it
//! for a real send (examples/send_with_ureq.rs) to talk to Bedrock.
//!
//! `cargo run -p bedrock-request --example agent_loop`

use bedrock_request::converse::{self, Tools};
use bedrock_request::{parse, Auth, ClientConfig, Credentials, Env, HttpRequest, Message, Part};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-5-haiku-20241022-v1:0")
        .region("us-east-1")
        .build()?;
    let tools = Tools::from_json(
        r#"{"tools": [{"name": "get_weather", "description": "The weather in a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                             "required": ["city"]}}]}"#,
    )?;
    // AWS's documented example keys: the signature is real, the keys are not.
    let auth = Auth::SigV4(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ));
    let env = Env::new();
    let mut messages = vec![Message::user("What should I wear in Paris today?")];
    for turn in 1..=5 {
        let signed = converse::Builder::new(&config, &messages, &env)
            .tools(&tools)
            .build()?
            .sign(&auth, time::OffsetDateTime::now_utc())?;
        let (status, body) = bedrock(&signed);
        let completion = parse::response_to(&signed, status, &[], &body, config.finish_reason())?;
        // The assistant's turn goes back as it came: reasoning, text and tool calls in order.
        messages.push(completion.to_message());
        let calls = completion.tool_calls();
        if calls.is_empty() {
            println!("turn {turn}: {}", completion.text);
            return Ok(());
        }
        let mut results = Vec::new();
        for call in calls {
            let input = call.input.to_value();
            let city = input.get("city").and_then(|c| c.as_str()).unwrap_or("?");
            println!("turn {turn}: the model calls {}({city})", call.name);
            results.push(Part::tool_result(
                &call.id,
                format!("{city}: 18°C, light rain"),
            ));
        }
        messages.push(Message::new("user", results));
    }
    Err("the model kept calling tools".into())
}

/// Stands in for sending the request and Bedrock's answer: a tool call until the request
/// carries a tool result, then text.
fn bedrock(request: &HttpRequest) -> (u16, Vec<u8>) {
    let body = String::from_utf8_lossy(request.body.as_bytes());
    let answer = if body.contains("toolResult") {
        r#"{"output": {"message": {"role": "assistant", "content": [{"text": "A light raincoat: 18°C with light rain."}]}},
            "stopReason": "end_turn", "usage": {"inputTokens": 60, "outputTokens": 12, "totalTokens": 72}}"#
    } else {
        r#"{"output": {"message": {"role": "assistant", "content": [{"text": "Let me check."},
            {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]}},
            "stopReason": "tool_use", "usage": {"inputTokens": 40, "outputTokens": 20, "totalTokens": 60}}"#
    };
    (200, answer.as_bytes().to_vec())
}
