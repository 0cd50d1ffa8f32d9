//! The event-stream decoder and ConverseStream events, against an independent encoder
//! (aws-smithy-eventstream) and the event-stream test vectors.

use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_types::event_stream::{
    Header, HeaderValue as SmithyValue, Message as SmithyMessage,
};
use bedrock_request::parse::{AwsErrorKind, StopReason};
use bedrock_request::stream::frame::{Decoder, FrameError, HeaderValue};
use bedrock_request::stream::{ConverseStream, Event};
use bedrock_request::{converse, ClientConfig, Env, ErrorKind, FinishReasonPolicy, Message};

use crate::common::repo_path;

fn encode(message: &SmithyMessage) -> Vec<u8> {
    let mut out = Vec::new();
    write_message_to(message, &mut out).unwrap();
    out
}

fn event(event_type: &str, payload: &str) -> Vec<u8> {
    encode(
        &SmithyMessage::new(payload.as_bytes().to_vec())
            .add_header(Header::new(
                ":event-type",
                SmithyValue::String(event_type.to_owned().into()),
            ))
            .add_header(Header::new(
                ":content-type",
                SmithyValue::String("application/json".into()),
            ))
            .add_header(Header::new(
                ":message-type",
                SmithyValue::String("event".into()),
            )),
    )
}

fn exception(kind: &str, payload: &str) -> Vec<u8> {
    encode(
        &SmithyMessage::new(payload.as_bytes().to_vec())
            .add_header(Header::new(
                ":exception-type",
                SmithyValue::String(kind.to_owned().into()),
            ))
            .add_header(Header::new(
                ":content-type",
                SmithyValue::String("application/json".into()),
            ))
            .add_header(Header::new(
                ":message-type",
                SmithyValue::String("exception".into()),
            )),
    )
}

fn decode_one(bytes: &[u8]) -> bedrock_request::Result<bedrock_request::stream::frame::Message> {
    let mut d = Decoder::new();
    d.push(bytes);
    let m = d.next_message()?;
    d.finish()?;
    Ok(m.expect("a whole message"))
}

fn frame_error(bytes: &[u8], decoder: &mut Decoder) -> FrameError {
    decoder.push(bytes);
    let e = match decoder.next_message() {
        Err(e) => e,
        Ok(_) => decoder.finish().unwrap_err(),
    };
    // The crate's error carries it whole, as kind EventStream.
    let crate_error = bedrock_request::Error::from(e.clone());
    assert_eq!(crate_error.kind(), ErrorKind::EventStream);
    assert_eq!(crate_error.frame_error(), Some(&e));
    e
}

#[test]
fn the_event_stream_test_vectors() {
    let file = |n: &str| std::fs::read(repo_path(&format!("vectors/eventstream/{n}"))).unwrap();
    for name in [
        "valid_empty_payload",
        "valid_no_headers",
        "valid_with_all_headers_and_payload",
    ] {
        let bytes = file(name);
        let ours = decode_one(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let theirs = read_message_from(&mut &bytes[..]).unwrap();
        assert_eq!(ours.payload, theirs.payload().as_ref(), "{name}");
        assert_eq!(ours.headers.len(), theirs.headers().len(), "{name}");
    }
    let all = decode_one(&file("valid_with_all_headers_and_payload")).unwrap();
    let kinds: Vec<&str> = all
        .headers
        .iter()
        .map(|(_, v)| match v {
            HeaderValue::Bool(_) => "bool",
            HeaderValue::Byte(_) => "byte",
            HeaderValue::Int16(_) => "int16",
            HeaderValue::Int32(_) => "int32",
            HeaderValue::Int64(_) => "int64",
            HeaderValue::ByteArray(_) => "bytes",
            HeaderValue::String(_) => "string",
            HeaderValue::Timestamp(_) => "timestamp",
            HeaderValue::Uuid(_) => "uuid",
            _ => "other",
        })
        .collect();
    for k in [
        "bool",
        "byte",
        "int16",
        "int32",
        "int64",
        "bytes",
        "string",
        "timestamp",
        "uuid",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let d = Decoder::new;
    assert_eq!(
        frame_error(&file("invalid_prelude_checksum"), &mut d()),
        FrameError::PreludeCrc {
            expected: 0xDEAD_BEEF,
            computed: 0x8BB4_95FB
        }
    );
    assert_eq!(
        frame_error(&file("invalid_message_checksum"), &mut d()),
        FrameError::MessageCrc {
            expected: 0xDEAD_BEEF,
            computed: 0x01a0_5860
        }
    );
    // The header cases were made by editing a valid message without recomputing its CRC: we
    // check the CRC before reading any header, so they are CRC errors first...
    let header_cases = [
        "invalid_header_value_type",
        "invalid_header_string_value_length",
        "invalid_header_string_length_cut_off",
        "invalid_header_name_length",
        "invalid_header_name_length_too_long",
    ];
    // A headers length larger than the message is caught from the prelude alone.
    assert_eq!(
        frame_error(&file("invalid_headers_length"), &mut d()),
        FrameError::HeadersTooLong {
            headers: 77,
            total: 89
        }
    );
    for name in header_cases {
        assert!(
            matches!(
                frame_error(&file(name), &mut d()),
                FrameError::MessageCrc { .. }
            ),
            "{name}"
        );
    }
    // ...and with the CRC made right, each is the header error it was made for.
    let fixed = |name: &str| {
        let mut b = file(name);
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize; // some files carry bytes after the message
        b.truncate(n);
        let crc = crc32fast::hash(&b[..n - 4]);
        b[n - 4..].copy_from_slice(&crc.to_be_bytes());
        b
    };
    assert!(
        matches!(frame_error(&fixed("invalid_header_value_type"), &mut d()), FrameError::InvalidHeader(w) if w.contains("unknown value type 96"))
    );
    for name in &header_cases[1..] {
        assert!(
            matches!(
                frame_error(&fixed(name), &mut d()),
                FrameError::InvalidHeader(_)
            ),
            "{name}: {:?}",
            frame_error(&fixed(name), &mut d())
        );
    }
}

#[test]
fn every_header_type_and_random_messages_match_the_reference_codec() {
    let mut rng = crate::util::Rng::new(0x2545_F491_4F6C_DD1D);
    let mut next = move |n: u64| rng.below(n);
    for case in 0..300 {
        let mut m =
            SmithyMessage::new((0..next(300)).map(|_| next(256) as u8).collect::<Vec<u8>>());
        for h in 0..next(6) {
            let value = match next(9) {
                0 => SmithyValue::Bool(next(2) == 0),
                1 => SmithyValue::Byte(next(256) as u8 as i8),
                2 => SmithyValue::Int16(next(65536) as u16 as i16),
                3 => SmithyValue::Int32(next(u64::from(u32::MAX)) as u32 as i32),
                4 => SmithyValue::Int64(next(u64::MAX) as i64),
                5 => SmithyValue::ByteArray(
                    (0..next(40))
                        .map(|_| next(256) as u8)
                        .collect::<Vec<u8>>()
                        .into(),
                ),
                6 => SmithyValue::String(format!("välue-{case}-{h}").into()),
                7 => SmithyValue::Timestamp(aws_smithy_types::DateTime::from_millis(next(
                    4_000_000_000_000,
                )
                    as i64)),
                _ => {
                    SmithyValue::Uuid(u128::from(next(u64::MAX)) << 64 | u128::from(next(u64::MAX)))
                }
            };
            m = m.add_header(Header::new(format!("h{h}"), value));
        }
        let bytes = encode(&m);
        let ours = decode_one(&bytes).unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(ours.payload, m.payload().as_ref());
        for ((name, value), theirs) in ours.headers.iter().zip(m.headers()) {
            assert_eq!(name, theirs.name().as_str());
            let same = match (value, theirs.value()) {
                (HeaderValue::Bool(a), SmithyValue::Bool(b)) => a == b,
                (HeaderValue::Byte(a), SmithyValue::Byte(b)) => a == b,
                (HeaderValue::Int16(a), SmithyValue::Int16(b)) => a == b,
                (HeaderValue::Int32(a), SmithyValue::Int32(b)) => a == b,
                (HeaderValue::Int64(a), SmithyValue::Int64(b)) => a == b,
                (HeaderValue::ByteArray(a), SmithyValue::ByteArray(b)) => a[..] == b[..],
                (HeaderValue::String(a), SmithyValue::String(b)) => a == b.as_str(),
                (HeaderValue::Timestamp(a), SmithyValue::Timestamp(b)) => {
                    *a == b.to_millis().unwrap()
                }
                (HeaderValue::Uuid(a), SmithyValue::Uuid(b)) => u128::from_be_bytes(*a) == *b,
                _ => false,
            };
            assert!(
                same,
                "case {case}: {name}: {value:?} vs {:?}",
                theirs.value()
            );
        }
    }
}

#[test]
fn corrupt_frames_each_give_a_distinct_error() {
    let good = event("messageStart", r#"{"role":"assistant"}"#);
    let flip = |at: usize| {
        let mut b = good.clone();
        b[at] ^= 0x40;
        b
    };
    // Prelude CRC: a flipped bit in the length.
    assert!(matches!(
        frame_error(&flip(3), &mut Decoder::new()),
        FrameError::PreludeCrc { .. }
    ));
    // Message CRC: a flipped bit in the payload.
    assert!(matches!(
        frame_error(&flip(good.len() - 6), &mut Decoder::new()),
        FrameError::MessageCrc { .. }
    ));
    // Lengths that lie, with a valid prelude CRC.
    let prelude = |total: u32, headers: u32| {
        let mut p = [total.to_be_bytes(), headers.to_be_bytes()].concat();
        let crc = crc32fast::hash(&p);
        p.extend_from_slice(&crc.to_be_bytes());
        p.extend_from_slice(&[0; 8]);
        p
    };
    assert_eq!(
        frame_error(&prelude(8, 0), &mut Decoder::new()),
        FrameError::LengthTooSmall(8)
    );
    assert_eq!(
        frame_error(&prelude(20, 10), &mut Decoder::new()),
        FrameError::HeadersTooLong {
            headers: 10,
            total: 20
        }
    );
    // Too large for the decoder's limit.
    assert_eq!(
        frame_error(&good, &mut Decoder::with_max_message_size(16)),
        FrameError::MessageTooLarge {
            total: good.len() as u32,
            max: 16
        }
    );
    // Truncated: partial input is fine until the end of the body.
    let mut d = Decoder::new();
    d.push(&good[..good.len() - 1]);
    assert!(d.next_message().unwrap().is_none());
    assert_eq!(
        d.finish().unwrap_err(),
        FrameError::Truncated {
            have: good.len() - 1,
            need: Some(good.len())
        }
    );
    let mut d = Decoder::new();
    d.push(&good[..5]);
    assert_eq!(
        d.finish().unwrap_err(),
        FrameError::Truncated {
            have: 5,
            need: Some(good.len())
        }
    );
    // Garbage never panics.
    for len in 0..64 {
        let junk: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let mut d = Decoder::new();
        d.push(&junk);
        let _ = d.next_message();
        let _ = d.finish();
    }
}

/// A ConverseStream body shaped like a recorded one: reasoning (text + signature), text, a tool
/// call whose input arrives in fragments, messageStop, metadata with cache tokens, and an event
/// type this version does not know. Payloads carry AWS's "p" padding field.
fn recorded_body() -> Vec<u8> {
    [
        event("messageStart", r#"{"p":"abcdefghijkl","role":"assistant"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"The user wants "}},"p":"abcd"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"the weather."}},"p":"ab"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"ErUBCkYIBBgCIkD"}},"p":"abcdefg"}"#),
        event("contentBlockStop", r#"{"contentBlockIndex":0,"p":"abcdefghijklmnop"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":1,"delta":{"text":"Let me check "},"p":"abc"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":1,"delta":{"text":"Paris — ☀️."},"p":"abcdefghi"}"#),
        event("contentBlockStop", r#"{"contentBlockIndex":1,"p":"ab"}"#),
        event("contentBlockStart", r#"{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tooluse_abc123","name":"get_weather"}},"p":"abcdef"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"city\": \"Pa"}},"p":"a"}"#),
        event("contentBlockDelta", r#"{"contentBlockIndex":2,"delta":{"toolUse":{"input":"ris\", \"days\": [1, 2]}"}},"p":"abcdefghij"}"#),
        event("contentBlockStop", r#"{"contentBlockIndex":2,"p":"abc"}"#),
        event("brandNewEvent", r#"{"x":1}"#),
        event("messageStop", r#"{"stopReason":"tool_use","p":"abcdefgh"}"#),
        event("metadata", r#"{"usage":{"inputTokens":412,"outputTokens":88,"totalTokens":500,"cacheReadInputTokens":300,"cacheWriteInputTokens":12},"metrics":{"latencyMs":1843},"p":"abcdefghijkl"}"#),
    ]
    .concat()
}

#[test]
fn a_recorded_shape_body_in_random_chunks_always_gives_the_same_completion() {
    let body = recorded_body();
    let whole = ConverseStream::decode_all(&body, FinishReasonPolicy::Any).unwrap();
    assert_eq!(whole.text, "Let me check Paris — ☀️.");
    assert_eq!(whole.reasoning().len(), 1);
    assert_eq!(
        whole.reasoning()[0].text.as_deref(),
        Some("The user wants the weather.")
    );
    assert_eq!(
        whole.reasoning()[0].signature.as_deref(),
        Some("ErUBCkYIBBgCIkD")
    );
    assert_eq!(whole.tool_calls().len(), 1);
    assert_eq!(
        (
            whole.tool_calls()[0].id.as_str(),
            whole.tool_calls()[0].name.as_str()
        ),
        ("tooluse_abc123", "get_weather")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(whole.tool_calls()[0].input.as_str()).unwrap(),
        serde_json::json!({"city": "Paris", "days": [1, 2]})
    );
    assert_eq!(whole.stop_reason, Some(StopReason::ToolUse));
    let usage = whole.usage.clone().unwrap();
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (412, 88, 500)
    );
    assert_eq!(
        (
            usage.cache_read_input_tokens,
            usage.cache_write_input_tokens
        ),
        (Some(300), Some(12))
    );
    assert_eq!(whole.latency_ms, Some(1843));
    assert_eq!(
        whole
            .other_events
            .iter()
            .map(serde_json::Value::from)
            .collect::<Vec<_>>(),
        vec![serde_json::json!({"event": "brandNewEvent", "payload": {"x": 1}})]
    );

    let mut rng = crate::util::Rng::new(0x9E37_79B9);
    for round in 0..200 {
        let mut stream = ConverseStream::new(FinishReasonPolicy::Any);
        let mut at = 0;
        let mut texts = String::new();
        while at < body.len() {
            let size = if round == 0 {
                1
            } else {
                1 + rng.below(97) as usize
            };
            let end = (at + size).min(body.len());
            stream.push(&body[at..end]);
            at = end;
            while let Some(ev) = stream.next_event().unwrap() {
                if let Event::TextDelta { text, .. } = ev {
                    texts.push_str(&text);
                }
            }
        }
        assert_eq!(texts, whole.text, "round {round}");
        assert_eq!(stream.finish().unwrap(), whole, "round {round}");
    }
}

#[test]
fn exceptions_and_errors_in_the_stream_are_typed_errors() {
    let start = event("messageStart", r#"{"role":"assistant"}"#);
    for (kind, payload, expected, retryable) in [
        (
            "modelStreamErrorException",
            r#"{"message":"The model failed","originalStatusCode":500}"#,
            AwsErrorKind::ModelStreamError,
            // Not retried by botocore's standard mode (issue 26).
            false,
        ),
        (
            "throttlingException",
            r#"{"message":"Too many tokens"}"#,
            AwsErrorKind::Throttling,
            true,
        ),
        (
            "validationException",
            r#"{"message":"Input is too long for requested model."}"#,
            AwsErrorKind::Validation(bedrock_request::parse::ValidationCase::Other),
            false,
        ),
        (
            "internalServerException",
            r#"{"message":"oops"}"#,
            AwsErrorKind::InternalServer,
            true,
        ),
        (
            "serviceUnavailableException",
            r#"{"message":"busy"}"#,
            AwsErrorKind::ServiceUnavailable,
            true,
        ),
        (
            "brandNewException",
            r#"{"message":"new"}"#,
            AwsErrorKind::Other,
            false,
        ),
    ] {
        let body = [start.clone(), exception(kind, payload)].concat();
        let e = ConverseStream::decode_all(&body, FinishReasonPolicy::Any).unwrap_err();
        let aws = e.aws().unwrap_or_else(|| panic!("{kind}: {e}"));
        assert_eq!(aws.kind, expected, "{kind}");
        assert_eq!(aws.retryable, retryable, "{kind}");
        assert_eq!(aws.status, None);
        assert!(
            aws.code.starts_with(|c: char| c.is_ascii_uppercase()),
            "{}",
            aws.code
        );
    }
    let error_frame = encode(
        &SmithyMessage::new(Vec::new())
            .add_header(Header::new(
                ":message-type",
                SmithyValue::String("error".into()),
            ))
            .add_header(Header::new(
                ":error-code",
                SmithyValue::String("InternalFailure".into()),
            ))
            .add_header(Header::new(
                ":error-message",
                SmithyValue::String("stream broke".into()),
            )),
    );
    let e = ConverseStream::decode_all(&error_frame, FinishReasonPolicy::Any).unwrap_err();
    assert_eq!(
        (
            e.aws().unwrap().kind.clone(),
            e.aws().unwrap().message.as_str()
        ),
        (AwsErrorKind::InternalServer, "stream broke")
    );
}

#[test]
fn the_finish_reason_policy_applies_at_message_stop() {
    let body = [
        event(
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":"cut"}}"#,
        ),
        event("messageStop", r#"{"stopReason":"max_tokens"}"#),
    ]
    .concat();
    let e = ConverseStream::decode_all(&body, FinishReasonPolicy::Deny(vec!["MAX_TOKENS".into()]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FinishReason);
    assert_eq!(e.finish_reason().unwrap().raw_output, "cut");
    assert!(ConverseStream::decode_all(
        &body,
        FinishReasonPolicy::Allow(vec!["max_tokens".into()])
    )
    .is_ok());
}

#[test]
fn streaming_requests_use_converse_stream_and_honour_supports_streaming() {
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .build()
        .unwrap();
    let r = converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
        .operation(bedrock_request::converse::Operation::ConverseStream)
        .build()
        .unwrap();
    assert_eq!(r.preview().url, "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
    assert_eq!(r.operation(), converse::Operation::ConverseStream);
    assert_eq!(
        converse::Builder::new(&config, &[Message::user("hi")], &Env::new())
            .operation(converse::Operation::preferred(&config))
            .build()
            .unwrap()
            .operation(),
        converse::Operation::ConverseStream
    );
    let no_stream = ClientConfig::builder()
        .model("m")
        .region("us-east-1")
        .supports_streaming(false)
        .build()
        .unwrap();
    let r = converse::Builder::new(&no_stream, &[Message::user("hi")], &Env::new())
        .operation(converse::Operation::preferred(&no_stream))
        .build()
        .unwrap();
    assert_eq!(r.operation(), converse::Operation::Converse);
    assert!(r.preview().url.ends_with("/converse"));
}
