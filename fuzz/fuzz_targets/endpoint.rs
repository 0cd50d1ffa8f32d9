//! Endpoint URLs. Property: what parses prints as a URL that parses to the same endpoint.
#![no_main]

use bedrock_request::Endpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(endpoint) = Endpoint::parse(text) {
        let again = Endpoint::parse(&endpoint.to_string()).expect("a printed endpoint parses");
        assert_eq!(again, endpoint);
    }
});
