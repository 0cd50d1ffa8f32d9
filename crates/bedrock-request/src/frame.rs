//! The `application/vnd.amazon.eventstream` frame decoder: incremental, CRC-checked.
//!
//! A message is a 12-byte prelude (total length, headers length, CRC-32 of those 8 bytes),
//! headers, a payload, and a CRC-32 of everything before it; all integers big-endian. Feed bytes
//! in chunks of any size with [`Decoder::push`], take messages with [`Decoder::next_message`]: partial
//! input is never an error, both CRCs are always checked, and [`Decoder::finish`] says whether
//! the stream ended in the middle of a message.

use std::borrow::Cow;
use std::fmt;

/// The largest message accepted by default: 16 MiB (the event-stream format's own limit).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

const PRELUDE: usize = 12;
const MIN_MESSAGE: usize = PRELUDE + 4;

/// Why bytes are not a valid event-stream message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The prelude's CRC does not match its 8 bytes.
    PreludeCrc {
        /// The CRC in the stream.
        expected: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// The message CRC does not match.
    MessageCrc {
        /// The CRC in the stream.
        expected: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// The total length is below the 16-byte minimum.
    LengthTooSmall(u32),
    /// The headers length does not fit in the total length.
    HeadersTooLong {
        /// The headers length.
        headers: u32,
        /// The total length.
        total: u32,
    },
    /// The message is larger than the decoder's maximum.
    MessageTooLarge {
        /// The total length.
        total: u32,
        /// The maximum.
        max: usize,
    },
    /// A header is malformed (the text says how).
    InvalidHeader(String),
    /// The stream ended inside a message.
    Truncated {
        /// Bytes received of the unfinished message.
        have: usize,
        /// Bytes it needs (when the prelude was complete).
        need: Option<usize>,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::PreludeCrc { expected, computed } => write!(f, "event stream: prelude CRC mismatch (the stream says {expected:#010x}, the bytes give {computed:#010x}): the stream is corrupt"),
            FrameError::MessageCrc { expected, computed } => write!(f, "event stream: message CRC mismatch (the stream says {expected:#010x}, the bytes give {computed:#010x}): the stream is corrupt"),
            FrameError::LengthTooSmall(n) => write!(f, "event stream: a message length of {n} is below the 16-byte minimum"),
            FrameError::HeadersTooLong { headers, total } => write!(f, "event stream: {headers} bytes of headers do not fit in a {total}-byte message"),
            FrameError::MessageTooLarge { total, max } => write!(f, "event stream: a {total}-byte message is larger than the {max}-byte maximum"),
            FrameError::InvalidHeader(why) => write!(f, "event stream: invalid header: {why}"),
            FrameError::Truncated { have, need: Some(need) } => write!(f, "event stream: the stream ended inside a message ({have} of {need} bytes)"),
            FrameError::Truncated { have, need: None } => write!(f, "event stream: the stream ended inside a message prelude ({have} bytes)"),
        }
    }
}

impl std::error::Error for FrameError {}

/// A header value, of any of the format's types.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderValue {
    /// Types 0 and 1.
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6.
    ByteArray(Vec<u8>),
    /// Type 7 (the common ConverseStream values are not allocated).
    String(Cow<'static, str>),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

/// One decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Headers, in order (the common ConverseStream names are not allocated).
    pub headers: Vec<(Cow<'static, str>, HeaderValue)>,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl Message {
    /// The value of a string header (`:event-type`, `:message-type`...).
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| match v {
                HeaderValue::String(s) => Some(s.as_ref()),
                _ => None,
            })
    }
}

/// The incremental decoder: [`push`](Self::push) bytes as they arrive, take each complete
/// message with [`next_message`](Self::next_message), and [`finish`](Self::finish) at the end.
///
/// ```
/// use bedrock_request::stream::frame::Decoder;
/// // A message from aws-c-event-stream's tests: no headers, payload {'foo':'bar'}.
/// let bytes = [0x00, 0x00, 0x00, 0x1D, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x8c, 0x5a, 0x7b,
///     0x27, 0x66, 0x6f, 0x6f, 0x27, 0x3a, 0x27, 0x62, 0x61, 0x72, 0x27, 0x7d, 0xc3, 0x65, 0x39, 0x36];
/// let mut decoder = Decoder::new();
/// for byte in bytes {
///     decoder.push(&[byte]); // one byte at a time: partial input is not an error
/// }
/// let message = decoder.next_message()?.unwrap();
/// assert_eq!(message.payload, b"{'foo':'bar'}");
/// assert!(decoder.next_message()?.is_none());
/// decoder.finish()?;
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    start: usize,
    max: usize,
    failed: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder with the default maximum message size (16 MiB).
    pub fn new() -> Self {
        Decoder::with_max_message_size(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// A decoder that refuses messages larger than `max` bytes.
    pub fn with_max_message_size(max: usize) -> Self {
        Decoder {
            buf: Vec::new(),
            start: 0,
            max,
            failed: false,
        }
    }

    /// Adds bytes received.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, `Ok(None)` when more bytes are needed. After an error the
    /// stream cannot be resynchronised: every later call returns the error again.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        let available = &self.buf[self.start..];
        if available.len() < PRELUDE {
            return Ok(None);
        }
        let result = self.decode(available.len());
        match result {
            Ok(Some((message, used))) => {
                self.start += used;
                Ok(Some(message))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    fn decode(&self, available: usize) -> Result<Option<(Message, usize)>, FrameError> {
        let bytes = &self.buf[self.start..];
        let total = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let headers_len = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        let prelude_crc = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        let computed = crc32(&bytes[..8]);
        if computed != prelude_crc {
            return Err(FrameError::PreludeCrc {
                expected: prelude_crc,
                computed,
            });
        }
        if (total as usize) < MIN_MESSAGE {
            return Err(FrameError::LengthTooSmall(total));
        }
        if total as usize > self.max {
            return Err(FrameError::MessageTooLarge {
                total,
                max: self.max,
            });
        }
        if headers_len as usize > total as usize - MIN_MESSAGE {
            return Err(FrameError::HeadersTooLong {
                headers: headers_len,
                total,
            });
        }
        let total = total as usize;
        if available < total {
            return Ok(None);
        }
        let message_crc = u32::from_be_bytes([
            bytes[total - 4],
            bytes[total - 3],
            bytes[total - 2],
            bytes[total - 1],
        ]);
        let computed = crc32(&bytes[..total - 4]);
        if computed != message_crc {
            return Err(FrameError::MessageCrc {
                expected: message_crc,
                computed,
            });
        }
        let headers_end = PRELUDE + headers_len as usize;
        let headers = parse_headers(&bytes[PRELUDE..headers_end])?;
        let payload = bytes[headers_end..total - 4].to_vec();
        Ok(Some((Message { headers, payload }, total)))
    }

    /// Checks that the stream ended between messages (call when the body is complete).
    pub fn finish(&self) -> Result<(), FrameError> {
        let have = self.buf.len() - self.start;
        if have == 0 || self.failed {
            return Ok(());
        }
        let need = (have >= 4).then(|| {
            let b = &self.buf[self.start..];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
        });
        Err(FrameError::Truncated { have, need })
    }

    /// Bytes received and not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }
}

/// Names and values every ConverseStream message repeats: borrowed, not allocated.
const COMMON: [&str; 17] = [
    ":event-type",
    ":content-type",
    ":message-type",
    ":exception-type",
    ":error-code",
    ":error-message",
    "event",
    "exception",
    "error",
    "application/json",
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
    "chunk",
];

fn text(bytes: &[u8]) -> Option<Cow<'static, str>> {
    if let Some(common) = COMMON.iter().find(|c| c.as_bytes() == bytes) {
        return Some(Cow::Borrowed(common));
    }
    std::str::from_utf8(bytes)
        .ok()
        .map(|s| Cow::Owned(s.to_owned()))
}

fn parse_headers(mut bytes: &[u8]) -> Result<Vec<(Cow<'static, str>, HeaderValue)>, FrameError> {
    let bad = |why: &str| FrameError::InvalidHeader(why.to_owned());
    let mut headers = Vec::with_capacity(3);
    fn take<'b>(bytes: &mut &'b [u8], n: usize, what: &str) -> Result<&'b [u8], FrameError> {
        if bytes.len() < n {
            return Err(FrameError::InvalidHeader(format!(
                "{what} runs past the headers"
            )));
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Ok(head)
    }
    while !bytes.is_empty() {
        let name_len = take(&mut bytes, 1, "a name length")?[0] as usize;
        if name_len == 0 {
            return Err(bad("an empty header name"));
        }
        let name = text(take(&mut bytes, name_len, "a header name")?)
            .ok_or_else(|| bad("a header name is not UTF-8"))?;
        let kind = take(&mut bytes, 1, "a value type")?[0];
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(take(&mut bytes, 1, "a byte value")?[0] as i8),
            3 => HeaderValue::Int16(i16::from_be_bytes(
                take(&mut bytes, 2, "an int16 value")?
                    .try_into()
                    .unwrap_or_default(),
            )),
            4 => HeaderValue::Int32(i32::from_be_bytes(
                take(&mut bytes, 4, "an int32 value")?
                    .try_into()
                    .unwrap_or_default(),
            )),
            5 => HeaderValue::Int64(i64::from_be_bytes(
                take(&mut bytes, 8, "an int64 value")?
                    .try_into()
                    .unwrap_or_default(),
            )),
            6 | 7 => {
                let len = u16::from_be_bytes(
                    take(&mut bytes, 2, "a value length")?
                        .try_into()
                        .unwrap_or_default(),
                ) as usize;
                let data = take(&mut bytes, len, "a value")?;
                if kind == 6 {
                    HeaderValue::ByteArray(data.to_vec())
                } else {
                    HeaderValue::String(
                        text(data).ok_or_else(|| bad("a string value is not UTF-8"))?,
                    )
                }
            }
            8 => HeaderValue::Timestamp(i64::from_be_bytes(
                take(&mut bytes, 8, "a timestamp value")?
                    .try_into()
                    .unwrap_or_default(),
            )),
            9 => HeaderValue::Uuid(
                take(&mut bytes, 16, "a uuid value")?
                    .try_into()
                    .unwrap_or_default(),
            ),
            other => {
                return Err(FrameError::InvalidHeader(format!(
                    "unknown value type {other} for header {name}"
                )))
            }
        };
        headers.push((name, value));
    }
    Ok(headers)
}

/// The CRC-32 (IEEE 802.3, as zlib) of `bytes`, crc32fast's.
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}
