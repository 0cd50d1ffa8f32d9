//! Large strings kept out of the body's value tree, so a 5 MiB prompt or image is copied once,
//! into the body, instead of three times (into the role policy's turn, into the block, into
//! the body).
//!
//! Before the role policy, each text part and each inline media part (base64 or bytes) of
//! 16 KiB or more is replaced by a token (`\u{1}bedrock-request:N\u{1}`) in a light copy of the messages; the
//! body is built from that copy, its media checked against the real data (`Spilled::resolve`);
//! then the real strings are written, escaped, where their tokens are in the body's JSON.
//! When the tokens found are not exactly the ones put in (an `extra_body` that drops messages,
//! or a string that happens to hold a token), the caller builds again without spilling.

use crate::codec::{base64_encode_into, is_base64};
use crate::prompt::{Media, MediaSource, Message, Part};
use crate::value::write_json_string_content;

/// Strings this long are spilled.
const SPILL_AT: usize = 16 * 1024;

/// How a token starts, and how it reads inside the body's JSON (`\u{1}` is escaped there).
const TOKEN: &str = "\u{1}bedrock-request:";
const TOKEN_IN_JSON: &str = "\\u0001bedrock-request:";
const TOKEN_END_IN_JSON: &str = "\\u0001";

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// A text, escaped as it is written.
    Text(&'a str),
    /// Base64 that `swap_out` checked: written as it is (it needs no escapes).
    Base64(&'a str),
    /// Bytes, base64-encoded as they are written.
    Bytes(&'a [u8]),
}

impl Piece<'_> {
    fn len(&self) -> usize {
        match self {
            Piece::Text(s) | Piece::Base64(s) => s.len(),
            Piece::Bytes(b) => b.len().div_ceil(3) * 4,
        }
    }
}

/// The spilled pieces, by token number.
#[derive(Default)]
pub(crate) struct Spilled<'a> {
    pieces: Vec<Piece<'a>>,
}

impl<'a> Spilled<'a> {
    /// What `s` stands for, when it is a token.
    pub(crate) fn resolve(&self, s: &str) -> Option<Piece<'a>> {
        s.strip_prefix(TOKEN)
            .and_then(|rest| rest.strip_suffix('\u{1}'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| self.pieces.get(n).copied())
    }

    fn token(&mut self, piece: Piece<'a>) -> String {
        self.pieces.push(piece);
        format!("{TOKEN}{}\u{1}", self.pieces.len() - 1)
    }
}

/// A light copy of `messages` with their large strings replaced by tokens, or `None` when
/// none is large. Blank texts stay (the role policy drops them), and so does base64 that is not
/// valid as it stands (the block strips whitespace, or names the error).
pub(crate) fn swap_out(messages: &[Message]) -> Option<(Vec<Message>, Spilled<'_>)> {
    let mut spilled = Spilled::default();
    let light = messages
        .iter()
        .map(|m| Message {
            role: m.role.clone(),
            metadata: m.metadata.clone(),
            parts: m
                .parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) if t.len() >= SPILL_AT && !t.trim().is_empty() => {
                        Part::Text(spilled.token(Piece::Text(t)))
                    }
                    // Only base64 that is valid as it stands (no whitespace to strip).
                    Part::Media(
                        media @ Media {
                            source: MediaSource::Base64 { data, media_type },
                            ..
                        },
                    ) if data.len() >= SPILL_AT && is_base64(data) => {
                        let token = spilled.token(Piece::Base64(data));
                        Part::Media(light_media(media, token, media_type))
                    }
                    Part::Media(
                        media @ Media {
                            source: MediaSource::Bytes { bytes, media_type },
                            ..
                        },
                    ) if bytes.len() >= SPILL_AT => {
                        let token = spilled.token(Piece::Bytes(bytes));
                        Part::Media(light_media(media, token, media_type))
                    }
                    other => other.clone(),
                })
                .collect(),
        })
        .collect();
    (!spilled.pieces.is_empty()).then_some((light, spilled))
}

/// `media` with a token in place of its bytes (as a base64 source: the block writes it as its
/// `bytes`), the rest copied.
fn light_media(media: &Media, token: String, media_type: &Option<String>) -> Media {
    Media {
        kind: media.kind,
        source: MediaSource::Base64 {
            data: token,
            media_type: media_type.clone(),
        },
        name: media.name.clone(),
        context: media.context.clone(),
        citations: media.citations,
    }
}

/// `body` (JSON with tokens in its strings) with each token replaced by its string, escaped;
/// `None` unless every token put in is found exactly once.
pub(crate) fn splice_in(body: &str, spilled: &Spilled<'_>) -> Option<Vec<u8>> {
    let size: usize = spilled.pieces.iter().map(Piece::len).sum();
    let mut out = Vec::with_capacity(body.len() + size);
    let mut found = vec![false; spilled.pieces.len()];
    let mut rest = body;
    while let Some(at) = rest.find(TOKEN_IN_JSON) {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + TOKEN_IN_JSON.len()..];
        let end = after.find(TOKEN_END_IN_JSON)?;
        let n: usize = after[..end].parse().ok()?;
        if std::mem::replace(found.get_mut(n)?, true) {
            return None;
        }
        match spilled.pieces[n] {
            Piece::Text(text) => write_json_string_content(text, &mut out),
            Piece::Base64(base64) => out.extend_from_slice(base64.as_bytes()),
            Piece::Bytes(bytes) => base64_encode_into(bytes, &mut out),
        }
        rest = &after[end + TOKEN_END_IN_JSON.len()..];
    }
    out.extend_from_slice(rest.as_bytes());
    found.iter().all(|&f| f).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn big(c: char) -> String {
        format!("\"{}\"\n", c.to_string().repeat(SPILL_AT))
    }

    #[test]
    fn large_texts_are_swapped_and_spliced_back_escaped() {
        let messages = [
            Message::user(big('a')),
            Message::user("small"),
            Message::user(" ".repeat(SPILL_AT)),
        ];
        let (light, spilled) = swap_out(&messages).expect("one text is large");
        assert_eq!(spilled.pieces.len(), 1);
        let Part::Text(token) = &light[0].parts[0] else {
            panic!("a text part")
        };
        assert_eq!(spilled.resolve(token), Some(Piece::Text(&big('a'))));
        // Blank and small texts stay as they are.
        assert_eq!(light[1].parts, messages[1].parts);
        assert_eq!(light[2].parts, messages[2].parts);
        let body = Value::object(vec![("t", Value::String(format!("x{token}y")))]).to_json();
        let spliced = splice_in(&body, &spilled).expect("the token is there once");
        let want = Value::object(vec![("t", Value::String(format!("x{}y", big('a'))))]).to_json();
        assert_eq!(String::from_utf8(spliced).as_deref(), Ok(want.as_str()));
    }

    #[test]
    fn a_missing_repeated_or_unknown_token_refuses_the_splice() {
        let messages = [Message::user(big('b'))];
        let (light, spilled) = swap_out(&messages).expect("large");
        let Part::Text(token) = &light[0].parts[0] else {
            panic!("a text part")
        };
        let json = |s: String| Value::object(vec![("t", Value::String(s))]).to_json();
        assert_eq!(splice_in(&json("none".into()), &spilled), None);
        assert_eq!(splice_in(&json(format!("{token}{token}")), &spilled), None);
        let unknown = format!("{TOKEN}7\u{1}");
        assert_eq!(
            splice_in(&json(format!("{token}{unknown}")), &spilled),
            None
        );
        assert!(swap_out(&[Message::user("small")]).is_none());
    }
}
