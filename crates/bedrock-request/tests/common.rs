//! Helpers shared by the library's tests and the CLI's (which include this file by path): the
//! repo's files, the reference event-stream encoder, and JSON compared as BAML prints it.

#![allow(dead_code)] // each test binary uses its own share of these

use serde_json::Value as Json;

/// The path of a file in the repo (vectors/, examples/), absolute: it works from either crate
/// and under WASI, where `/` is preopened.
pub fn repo_path(relative: &str) -> String {
    format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repo as text; panics naming it when it cannot be read.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// JSON equality with numbers compared by value (BAML prints a float field's 3 as 3.0).
pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A recorded stream (`vectors/responses/NAME`, `[[event type, payload], ...]`), framed by the
/// smithy encoder.
pub fn stream_bytes(name: &str) -> Vec<u8> {
    let events: Json = serde_json::from_str(&read(&format!("vectors/responses/{name}"))).unwrap();
    let mut out = Vec::new();
    for e in events.as_array().unwrap() {
        out.extend(frame(e[0].as_str().unwrap(), e[1].to_string().as_bytes()));
    }
    out
}

/// An event-stream message, made by the reference encoder (aws-smithy-eventstream).
pub fn frame(event: &str, payload: &[u8]) -> Vec<u8> {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let message = Message::new(payload.to_vec())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ))
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event.to_owned().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ));
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut out).unwrap();
    out
}

/// The body AWS answers `SignatureDoesNotMatch` with, echoing the canonical request and string
/// to sign it computed.
pub fn mismatch_message(canonical: &str, sts: &str) -> String {
    let message = format!(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{sts}'\n"
    );
    serde_json::json!({ "message": message }).to_string()
}

/// A new, empty folder under the system's temp folder, its own for each call: tests run in
/// parallel threads of one process, so a name made of the process id alone would be shared
/// (and a name made of a length or a port can be too).
pub fn scratch(label: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static MADE: AtomicUsize = AtomicUsize::new(0);
    let n = MADE.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "bedrock-request-{label}-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// A [`scratch`] folder to serve as `HOME`, with `.aws/config` holding `config`.
pub fn aws_home(label: &str, config: &str) -> std::path::PathBuf {
    let home = scratch(label);
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(home.join(".aws/config"), config).unwrap();
    home
}
