//! JSON numbers. Property: `Number::as_f64` (the crate's own decimal conversion) is exactly
//! core's `str::parse::<f64>`, bit for bit, for every text `Number::parse` accepts.
#![no_main]

use bedrock_request::Number;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(number) = Number::parse(text) {
        let want: f64 = text.parse().expect("a JSON number is a Rust float");
        assert_eq!(number.as_f64().to_bits(), want.to_bits(), "{text}");
    }
});
