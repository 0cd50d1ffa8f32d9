//! Converse response bodies (the first byte picks a status), parsed into a Completion and
//! printed as the CLI prints it. Properties: that JSON parses, and the replayed assistant turn
//! (`to_message_json`) is a messages-file message that reads back.
#![no_main]

use bedrock_request::{parse, FinishReasonPolicy, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = [200u16, 400, 403, 429, 500, 503][usize::from(first) % 6];
    let policy = FinishReasonPolicy::Deny(vec!["max_tokens".into()]);
    if let Ok(completion) = parse::response(status, &[], body, &policy) {
        Value::from_json_str(&completion.to_json()).expect("to_json is JSON");
        Value::from_json_str(&completion.to_json_pretty()).expect("to_json_pretty is JSON");
        for call in completion.tool_calls() {
            let _ = call.input.to_value();
        }
        let turn = completion.to_message_json();
        Value::from_json_str(&turn).expect("to_message_json is JSON");
        let _ = bedrock_request::prompt::messages_from_json(&format!("[{turn}]"));
        let _ = completion.to_message();
        let _ = parse::count_tokens(status, &[], body);
    }
    let _ = parse::converse_body(body);
});
