//! [`JsonText`]: JSON kept as its checked text. The ground floor: it imports only `value`; the
//! checking constructor and the tree reader are in `json`.

use std::fmt;

use crate::codec::quoted;
use crate::value::Value;

/// JSON text, checked to be one JSON value and kept exactly as received (like serde_json's
/// `RawValue`): however large, it costs its own bytes and nothing more, and it goes back out
/// byte for byte. [`to_value`](Self::to_value) builds the tree when you want one.
///
/// ```
/// use bedrock_request::JsonText;
/// let input = JsonText::parse(r#"{"city": "Paris", "days": [1, 2.50]}"#.to_owned())?;
/// assert_eq!(input.as_str(), r#"{"city": "Paris", "days": [1, 2.50]}"#);
/// assert_eq!(input.to_value()["days"][1].to_json(), "2.50");
/// assert!(JsonText::parse("{\"a\": }".to_owned()).is_err());
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(String);

impl JsonText {
    /// Text known to be one JSON value (the crate's own output).
    pub(crate) fn from_valid(text: String) -> JsonText {
        JsonText(text)
    }

    /// The text, as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Takes the text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The exact JSON text of a value.
impl From<&Value> for JsonText {
    fn from(value: &Value) -> JsonText {
        JsonText(value.to_json())
    }
}

impl fmt::Display for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text, cut after 512 bytes (a tool's input can be megabytes).
impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(512) {
            None => write!(f, "JsonText({})", quoted(&self.0)),
            Some((cut, _)) => write!(
                f,
                "JsonText({}... ({} bytes))",
                quoted(&self.0[..cut]),
                self.0.len()
            ),
        }
    }
}
