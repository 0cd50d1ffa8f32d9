//! ConverseStream: frames made from the input (one payload per line, event types in turn),
//! decoded into events and accumulated. Exercises the event and accumulator code past the CRC
//! checks, which random bytes rarely pass.
#![no_main]

use bedrock_request::stream::ConverseStream;
use bedrock_request::FinishReasonPolicy;
use libfuzzer_sys::fuzz_target;

fn frame(kind: &str, event: &str, payload: &[u8]) -> Vec<u8> {
    let mut headers = Vec::new();
    let name = if kind == "event" {
        ":event-type"
    } else {
        ":exception-type"
    };
    for (k, v) in [(":message-type", kind), (name, event)] {
        headers.push(k.len() as u8);
        headers.extend_from_slice(k.as_bytes());
        headers.push(7);
        headers.extend_from_slice(&(v.len() as u16).to_be_bytes());
        headers.extend_from_slice(v.as_bytes());
    }
    let total = 12 + headers.len() + payload.len() + 4;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    let prelude = crc32fast::hash(&out);
    out.extend_from_slice(&prelude.to_be_bytes());
    out.extend_from_slice(&headers);
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

const EVENTS: [(&str, &str); 8] = [
    ("event", "messageStart"),
    ("event", "contentBlockStart"),
    ("event", "contentBlockDelta"),
    ("event", "contentBlockStop"),
    ("event", "messageStop"),
    ("event", "metadata"),
    ("event", "somethingNew"),
    ("exception", "throttlingException"),
];

fuzz_target!(|data: &[u8]| {
    let mut body = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        let Some((&pick, payload)) = line.split_first() else {
            continue;
        };
        let (kind, event) = EVENTS[usize::from(pick) % EVENTS.len()];
        body.extend(frame(kind, event, payload));
    }
    let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
    for chunk in body.chunks(64) {
        stream.push(chunk);
        while let Ok(Some(_)) = stream.next_event() {}
    }
    if let Ok(completion) = stream.finish() {
        let _ = completion.to_json();
        let _ = completion.to_message_json();
        let _ = completion.to_message();
    }
});
