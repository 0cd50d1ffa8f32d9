//! BAML source: parse, read every client's options and validate them. No panic, whatever the
//! text; nesting is limited, so no stack overflow either.
#![no_main]

use bedrock_request::{BamlFile, Env};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(file) = BamlFile::parse(text) else {
        return;
    };
    let env = Env::from_iter([("KEY", "value"), ("REGION", "us-east-1")]);
    for client in file.clients() {
        let _ = client.options(&env);
        let _ = client.to_config(&env);
    }
});
