//! ConverseStream: the event-stream decoder, the typed events, and an accumulator that folds
//! them into the same [`Completion`] as a non-streaming call.
//!
//! ```
//! use bedrock_request::stream::{ConverseStream, Event};
//! use bedrock_request::FinishReasonPolicy;
//!
//! # fn frame(event: &str, payload: &str) -> Vec<u8> {
//! #     use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
//! #     let m = Message::new(payload.as_bytes().to_vec())
//! #         .add_header(Header::new(":message-type", HeaderValue::String("event".into())))
//! #         .add_header(Header::new(":event-type", HeaderValue::String(event.to_owned().into())));
//! #     let mut out = Vec::new();
//! #     aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
//! #     out
//! # }
//! let body = [
//!     frame("messageStart", r#"{"role":"assistant"}"#),
//!     frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"Hel"}}"#),
//!     frame("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"lo"}}"#),
//!     frame("contentBlockStop", r#"{"contentBlockIndex":0}"#),
//!     frame("messageStop", r#"{"stopReason":"end_turn"}"#),
//! ].concat();
//! let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
//! let mut printed = String::new();
//! for chunk in body.chunks(7) {           // whatever sizes the network delivers
//!     stream.push(chunk);
//!     while let Some(event) = stream.next_event()? {
//!         if let Event::TextDelta { text, .. } = &event {
//!             printed.push_str(text);      // print as it arrives
//!         }
//!     }
//! }
//! let completion = stream.finish()?;
//! assert_eq!((printed.as_str(), completion.text.as_str()), ("Hello", "Hello"));
//! # Ok::<(), bedrock_request::Error>(())
//! ```
//!
//! Typed values while the text streams (BAML's `b.stream`): feed each text delta to
//! [`structured::PartialValues`](crate::structured::PartialValues), which gives the partial
//! value of a JSON Schema's type after each one:
//!
//! ```
//! use bedrock_request::stream::Event;
//! use bedrock_request::structured::{PartialValues, Schema};
//! let schema = Schema::from_json(r#"{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}"#)?;
//! let mut values = PartialValues::new(schema);
//! # let events = [Event::TextDelta { index: 0, text: r#"{"name": "Ada", "#.into() },
//! #               Event::TextDelta { index: 0, text: r#""age": 36}"#.into() }];
//! let mut seen = Vec::new();
//! for event in &events {                      // from ConverseStream::next_event
//!     if let Event::TextDelta { text, .. } = event {
//!         if let Some(value) = values.push(text)? {
//!             seen.push(value.to_json());      // render it as it grows
//!         }
//!     }
//! }
//! assert_eq!(seen, [r#"{"name":"Ada","age":null}"#, r#"{"name":"Ada","age":36}"#]);
//! # Ok::<(), bedrock_request::Error>(())
//! ```

/// The `application/vnd.amazon.eventstream` frame decoder: incremental, CRC-checked.
///
/// A message is a 12-byte prelude (total length, headers length, CRC-32 of those 8 bytes),
/// headers, a payload, and a CRC-32 of everything before it; all integers big-endian. Feed
/// bytes in chunks of any size with [`Decoder::push`](frame::Decoder::push), take messages with
/// [`Decoder::next_message`](frame::Decoder::next_message): partial input is never an error,
/// both CRCs are always checked, and [`Decoder::finish`](frame::Decoder::finish) says whether
/// the stream ended in the middle of a message.
pub mod frame {
    pub use crate::frame::{Decoder, FrameError, HeaderValue, Message, DEFAULT_MAX_MESSAGE_SIZE};
}

mod accumulator;
mod event;

/// Whether a body starts as an event stream does: its first 12 bytes are a message prelude
/// whose CRC-32 checks (a JSON body never passes). Tells a ConverseStream body from a Converse
/// one when the `content-type` is not at hand.
///
/// ```
/// use bedrock_request::stream::looks_like_event_stream;
/// assert!(!looks_like_event_stream(br#"{"output": {}}"#));
/// let mut prelude = Vec::from(16u32.to_be_bytes());
/// prelude.extend(0u32.to_be_bytes());
/// let crc = crc32fast::hash(&prelude);
/// prelude.extend(crc.to_be_bytes());
/// assert!(looks_like_event_stream(&prelude));
/// ```
pub fn looks_like_event_stream(first: &[u8]) -> bool {
    first.len() >= 12
        && u32::from_be_bytes([first[8], first[9], first[10], first[11]])
            == crc32fast::hash(&first[..8])
}

pub use accumulator::Accumulator;
pub use event::{event_from_message, Event};

use crate::completion::Completion;
use crate::config::FinishReasonPolicy;
use crate::error::{Error, ErrorKind, Result};

/// Decoder + events + accumulator in one: push body bytes, take events, finish.
#[derive(Clone, Debug)]
pub struct ConverseStream {
    decoder: frame::Decoder,
    accumulator: Accumulator,
}

impl ConverseStream {
    /// A stream with the client's finish-reason policy.
    pub fn new(policy: FinishReasonPolicy) -> Self {
        ConverseStream {
            decoder: frame::Decoder::new(),
            accumulator: Accumulator::new(policy),
        }
    }

    /// Adds body bytes as they arrive.
    pub fn push(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
    }

    /// The next event (already folded into the completion), `Ok(None)` when more bytes are
    /// needed; exception frames are errors.
    pub fn next_event(&mut self) -> Result<Option<Event>> {
        let Some(message) = self.decoder.next_message()? else {
            return Ok(None);
        };
        let event = event_from_message(&message)?;
        self.accumulator.add(&event)?;
        Ok(Some(event))
    }

    /// Ends the stream: drains the remaining events, checks the body ended between messages,
    /// and returns the completion.
    pub fn finish(mut self) -> Result<Completion> {
        while self.next_event()?.is_some() {}
        self.decoder.finish()?;
        if !self.accumulator.is_stopped() {
            return Err(Error::new(
                ErrorKind::Response,
                "ConverseStream: the stream ended without messageStop (cut off between events); the answer is incomplete",
            ));
        }
        self.accumulator.finish()
    }

    /// Decodes a whole ConverseStream body at once.
    pub fn decode_all(body: &[u8], policy: FinishReasonPolicy) -> Result<Completion> {
        let mut stream = ConverseStream::new(policy);
        stream.push(body);
        stream.finish()
    }
}
