//! Build + sign a Converse request, beside raw aws-sigv4 `sign()` of the same bytes in the same
//! run. `cargo bench --bench sign` prints criterion's times, then the ratios
//! (ours / baseline) read back from criterion's estimates.
//!
//! - `small`: a one-line prompt (the common case; goal: at most 1.2x the raw signer).
//! - `5MiB`: a 5 MiB prompt (dominated by hashing the body; ours also builds and escapes it).
//! - `5MiB-image`: a 5 MiB image the application holds as bytes, handed over without a copy
//!   (`Media::from_vec`); ours base64-encodes it inside the timed loop (base64 + JSON + sign).
//!   A second line times the same from a borrowed slice (`Media::from_bytes`, one copy more).

mod common;
use common::png_like;

use std::hint::black_box;
use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use bedrock_request::prompt::{Media, MediaKind};
use bedrock_request::{converse, Auth, ClientConfig, Credentials, Env, Message, Part};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use time::macros::datetime;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// `messages()` makes the messages: once, or afresh before each timed iteration (untimed) when
/// `fresh` (an image handed over by value); either way the timed work ends with freeing what
/// it made.
fn bench_case(c: &mut Criterion, name: &str, fresh: bool, messages: &dyn Fn() -> Vec<Message>) {
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .build()
        .unwrap();
    let env = Env::new();
    let auth = Auth::SigV4(Credentials::new("AKIDEXAMPLE", SECRET));
    let now = datetime!(2015-08-30 12:36:00 UTC);
    let build_and_sign = |messages: &[Message]| {
        let unsigned = converse::Builder::new(black_box(&config), black_box(messages), &env)
            .build()
            .unwrap();
        black_box(unsigned.sign(&auth, now).unwrap())
    };

    // The baseline signs exactly the bytes we produce, with the same settings.
    let reference = converse::Builder::new(&config, &messages(), &env)
        .build()
        .unwrap()
        .into_preview();
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "bench").into();
    let system_now = SystemTime::from(now);

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(reference.body.len() as u64));
    group.bench_function("bedrock-request build+sign", |b| {
        if fresh {
            // The request and the messages are freed inside the timed routine, as in `iter`.
            b.iter_batched(
                messages,
                |m| drop((build_and_sign(&m), m)),
                BatchSize::PerIteration,
            )
        } else {
            let made = messages();
            b.iter(|| build_and_sign(&made))
        }
    });
    if name == "5MiB-image" {
        let image = png_like(5 * 1024 * 1024);
        group.bench_function("bedrock-request from_bytes+build+sign", |b| {
            b.iter(|| {
                build_and_sign(&image_messages(Media::from_bytes(
                    MediaKind::Image,
                    &image,
                    None,
                )))
            })
        });
    }
    group.bench_function("aws-sigv4 sign (baseline)", |b| {
        b.iter(|| {
            let params = v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name("bedrock")
                .time(system_now)
                .settings(SigningSettings::default())
                .build()
                .unwrap()
                .into();
            let signable = SignableRequest::new(
                "POST",
                black_box(reference.url.as_str()),
                reference
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
                SignableBody::Bytes(black_box(reference.body.as_bytes())),
            )
            .unwrap();
            black_box(sign(signable, &params).unwrap().into_parts())
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_case(c, "small", false, &|| vec![Message::user("Hello")]);
    let big = "The quick brown fox jumps over the lazy dog. ".repeat(5 * 1024 * 1024 / 45 + 1);
    let big = &big[..5 * 1024 * 1024];
    bench_case(c, "5MiB", false, &|| vec![Message::user(big)]);
    let image = png_like(5 * 1024 * 1024);
    bench_case(c, "5MiB-image", true, &|| {
        image_messages(Media::from_vec(MediaKind::Image, image.clone(), None))
    });
}

fn image_messages(image: Media) -> Vec<Message> {
    vec![Message::new(
        "user",
        vec![
            Part::Text("What is in this picture?".into()),
            Part::Media(image),
        ],
    )]
}

criterion_group!(sign_benches, benches);

/// Criterion's headline estimate (the slope, else the mean), in ns, for `group/function`.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let path = format!("{dir}/criterion/{group}/{function}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| json["mean"]["point_estimate"].as_f64())
}

fn main() {
    sign_benches();
    Criterion::default().configure_from_args().final_summary();
    for group in ["small", "5MiB", "5MiB-image"] {
        let ours = mean_ns(group, "bedrock-request build+sign");
        let base = mean_ns(group, "aws-sigv4 sign (baseline)");
        if let (Some(ours), Some(base)) = (ours, base) {
            println!(
                "ratio {group}: {:.3}x (bedrock-request {:.1} us / aws-sigv4 {:.1} us)",
                ours / base,
                ours / 1e3,
                base / 1e3
            );
        }
        if let (Some(copied), Some(base)) = (
            mean_ns(group, "bedrock-request from_bytes+build+sign"),
            base,
        ) {
            println!(
                "  {group} from a borrowed slice (Media::from_bytes, one copy more): {:.3}x ({:.1} us)",
                copied / base,
                copied / 1e3
            );
        }
    }
}
