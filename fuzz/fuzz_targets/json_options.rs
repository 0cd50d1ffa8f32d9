//! JSON options maps and the JSON reader. Property: whatever parses writes back as JSON that
//! parses to the same value (numbers and key order kept), and validating without building
//! agrees with building.
#![no_main]

use bedrock_request::{ClientConfig, JsonText, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = ClientConfig::from_json_str(text);
    let parsed = Value::from_json_str(text);
    assert_eq!(parsed.is_ok(), JsonText::parse(text.to_owned()).is_ok());
    if let Ok(value) = parsed {
        let again = Value::from_json_str(&value.to_json()).expect("our own JSON parses");
        assert_eq!(again, value);
        let pretty = Value::from_json_str(&value.to_json_pretty()).expect("pretty JSON parses");
        assert_eq!(pretty, value);
        let _ = ClientConfig::from_options(&value, Some("fuzz"));
    }
});
