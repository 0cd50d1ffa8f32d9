//! ConverseStream decode throughput, beside aws-smithy-eventstream's decoder on the same bytes
//! in the same run. `cargo bench --bench stream` prints MB/s and the ratio.
//!
//! The body is shaped like a real answer: ~20,000 `contentBlockDelta` text events of 20–60
//! characters with AWS's `p` padding (about 3 MB), then `messageStop` and `metadata`.

use std::hint::black_box;

use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bedrock_request::stream::frame::Decoder;
use bedrock_request::stream::ConverseStream;
use bedrock_request::FinishReasonPolicy;
use criterion::{criterion_group, Criterion, Throughput};

fn event(event_type: &str, payload: &str) -> Vec<u8> {
    let m = Message::new(payload.as_bytes().to_vec())
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event_type.to_owned().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ))
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ));
    let mut out = Vec::new();
    write_message_to(&m, &mut out).unwrap();
    out
}

fn body() -> Vec<u8> {
    let mut out = event("messageStart", r#"{"p":"abcdefghij","role":"assistant"}"#);
    let words = [
        "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dogs, ", "again. ",
    ];
    for i in 0..20_000 {
        let text: String = (0..(3 + i % 7))
            .map(|j| words[(i + j) % words.len()])
            .collect();
        let pad = &"abcdefghijklmnopqrstuvwxyz"[..(i % 26)];
        out.extend(event(
            "contentBlockDelta",
            &format!(r#"{{"contentBlockIndex":0,"delta":{{"text":"{text}"}},"p":"{pad}"}}"#),
        ));
    }
    out.extend(event("contentBlockStop", r#"{"contentBlockIndex":0}"#));
    out.extend(event("messageStop", r#"{"stopReason":"end_turn"}"#));
    out.extend(event("metadata", r#"{"usage":{"inputTokens":10,"outputTokens":20000,"totalTokens":20010},"metrics":{"latencyMs":9000}}"#));
    out
}

fn benches(c: &mut Criterion) {
    let body = body();
    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("bedrock-request frames", |b| {
        b.iter(|| {
            let mut d = Decoder::new();
            let mut n = 0;
            for chunk in body.chunks(16 * 1024) {
                d.push(chunk);
                while let Some(m) = d.next_message().unwrap() {
                    n += m.payload.len();
                }
            }
            black_box(n)
        })
    });
    group.bench_function("bedrock-request events+completion", |b| {
        b.iter(|| {
            let mut s = ConverseStream::new(FinishReasonPolicy::Any);
            for chunk in body.chunks(16 * 1024) {
                s.push(chunk);
                while s.next_event().unwrap().is_some() {}
            }
            black_box(s.finish().unwrap())
        })
    });
    group.bench_function("aws-smithy-eventstream frames (baseline)", |b| {
        b.iter(|| {
            let mut buf = &body[..];
            let mut n = 0;
            while !buf.is_empty() {
                n += read_message_from(&mut buf).unwrap().payload().len();
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(stream_benches, benches);

fn estimate_ns(function: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let text = std::fs::read_to_string(format!(
        "{dir}/criterion/stream/{function}/new/estimates.json"
    ))
    .ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| json["mean"]["point_estimate"].as_f64())
}

fn main() {
    stream_benches();
    Criterion::default().configure_from_args().final_summary();
    let bytes = body().len() as f64;
    let base = estimate_ns("aws-smithy-eventstream frames (baseline)");
    for f in [
        "bedrock-request frames",
        "bedrock-request events+completion",
        "aws-smithy-eventstream frames (baseline)",
    ] {
        if let Some(ns) = estimate_ns(f) {
            let ratio = base
                .map(|b| format!(", {:.2}x the baseline's time", ns / b))
                .unwrap_or_default();
            println!(
                "{f}: {:.0} MB/s ({:.2} MB in {:.2} ms{ratio})",
                bytes / ns * 1e3,
                bytes / 1e6,
                ns / 1e6
            );
        }
    }
}
