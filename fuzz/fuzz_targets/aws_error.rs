//! AWS error responses: headers and body from the input, classified, diagnosed against a
//! signed request, and the clock offset from a Date header.
#![no_main]

use bedrock_request::parse::{clock_offset, AwsError};
use bedrock_request::{converse::Builder, Auth, ClientConfig, Credentials, Env, Message};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|text: &str| {
    let (header, body) = text.split_once('\n').unwrap_or(("", text));
    let headers = vec![("x-amzn-errortype".to_owned(), header.to_owned())];
    let error = AwsError::from_response(403, &headers, body.as_bytes());
    let _ = error.to_string();
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let signed = Builder::new(&config, &[Message::user("hi")], &Env::new())
        .build()
        .unwrap()
        .sign(
            &Auth::SigV4(Credentials::new("AKID", "SECRET").with_session_token("TOKEN")),
            datetime!(2024-01-15 12:00 UTC),
        )
        .unwrap();
    let diagnosed = error.diagnose(&signed);
    assert!(!format!("{diagnosed:?}").contains("TOKEN\n"));
    let _ = AwsError::from_body(body.as_bytes());
    let _ = clock_offset(header, datetime!(2024-01-15 12:00 UTC));
});
