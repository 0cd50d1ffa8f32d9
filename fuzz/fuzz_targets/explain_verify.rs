//! `explain` and `verify` on a request read from JSON (`request --format json`'s shape).
#![no_main]

use bedrock_request::sign::{explain, verify};
use bedrock_request::{Credentials, HttpRequest};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|text: &str| {
    let Ok(request) = HttpRequest::from_json(text) else {
        return;
    };
    let _ = explain(&request, "SECRET");
    let creds = Credentials::new("AKID", "SECRET").with_session_token("TOKEN");
    let _ = verify(
        &request,
        &creds,
        "us-east-1",
        "bedrock",
        Some(datetime!(2024-01-15 12:00 UTC)),
    );
    let _ = request.to_curl();
    let _ = request.to_http();
    let _ = request.to_http_request();
});
