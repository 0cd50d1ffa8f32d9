//! A tools file, then a request that carries it.
#![no_main]

use bedrock_request::converse::{Builder, Tools};
use bedrock_request::{ClientConfig, Env, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(tools) = Tools::from_json(text) else {
        return;
    };
    let config = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .build()
        .unwrap();
    let messages = [Message::user("hi")];
    let env = Env::new();
    let _ = Builder::new(&config, &messages, &env).tools(&tools).build();
});
