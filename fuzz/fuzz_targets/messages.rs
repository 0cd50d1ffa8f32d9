//! A messages file, then the whole request built from it (role policy, media, tools, body) and
//! signed. Property: no CR or LF ever reaches a header, and the body is JSON.
#![no_main]

use bedrock_request::converse::Builder;
use bedrock_request::{prompt, Auth, ClientConfig, Credentials, Env, Value};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|text: &str| {
    let Ok(messages) = prompt::messages_from_json(text) else {
        return;
    };
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let env = Env::new();
    let Ok(unsigned) = Builder::new(&config, &messages, &env).build() else {
        return;
    };
    let auth = Auth::SigV4(Credentials::new("AKID", "SECRET").with_session_token("TOKEN"));
    let signed = unsigned
        .sign(&auth, datetime!(2024-01-15 12:00 UTC))
        .unwrap();
    for (name, value) in &signed.headers {
        assert!(
            !name.contains(['\r', '\n']) && !value.contains(['\r', '\n']),
            "{name}"
        );
    }
    Value::from_json_str(signed.body.as_str().unwrap()).expect("the body is JSON");
});
