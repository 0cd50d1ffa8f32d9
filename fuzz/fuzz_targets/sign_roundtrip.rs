//! A request built from the input (model id, prompt, endpoint path), signed, then verified
//! with its own key. Property: a signed request always verifies, and no CR/LF reaches a header.
#![no_main]

use bedrock_request::converse::Builder;
use bedrock_request::sign::{verify, Verification};
use bedrock_request::{Auth, ClientConfig, Credentials, Env, Message};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(3, '\n');
    let (model, path, prompt) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("hi"),
    );
    let Ok(config) = ClientConfig::builder()
        .model(model)
        .region("us-east-1")
        .endpoint_url(&format!("https://bedrock.example/{path}"))
        .build()
    else {
        return;
    };
    let messages = [Message::user(prompt)];
    let Ok(unsigned) = Builder::new(&config, &messages, &Env::new()).build() else {
        return;
    };
    let creds = Credentials::new("AKID", "SECRET").with_session_token("TOKEN");
    let now = datetime!(2024-01-15 12:00 UTC);
    let signed = unsigned.sign(&Auth::SigV4(creds.clone()), now).unwrap();
    for (name, value) in &signed.headers {
        assert!(!name.contains(['\r', '\n']) && !value.contains(['\r', '\n']));
    }
    assert!(
        matches!(verify(&signed, &creds, "us-east-1", "bedrock", Some(now)), Verification::Valid),
        "{:?}",
        verify(&signed, &creds, "us-east-1", "bedrock", Some(now))
    );
});
