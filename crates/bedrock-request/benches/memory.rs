//! Peak heap memory of building and signing a request, as a multiple of its body, counted by
//! a global allocator that wraps the system's. `cargo bench --bench memory` prints one line per
//! case: `peak GROUP: Rx body (P bytes at peak, B bytes of body)`. The count starts once the
//! caller's inputs exist (the image bytes), so it covers the base64, the turn, the body and
//! the signing.

mod common;
use common::png_like;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bedrock_request::prompt::{Media, MediaKind};
use bedrock_request::{converse, Auth, ClientConfig, Credentials, Env, Message, Part};
use time::macros::datetime;

/// The system allocator, counting the bytes live and the most live at once.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated by `f` beyond what was live before it, and `f`'s result.
fn peak_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (PEAK.load(Ordering::Relaxed) - before, out)
}

fn main() {
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .build()
        .unwrap();
    let auth = Auth::SigV4(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ));
    let now = datetime!(2015-08-30 12:36:00 UTC);
    let env = Env::new();
    let image = png_like(5 * 1024 * 1024);
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(5 * 1024 * 1024 / 45);
    let prompt = vec![Message::user(text.as_str())];

    let (peak, signed) = peak_of(|| {
        let messages = vec![Message::new(
            "user",
            vec![
                Part::Text("What is in this picture?".into()),
                Part::Media(Media::from_bytes(MediaKind::Image, &image, None)),
            ],
        )];
        converse::Builder::new(&config, &messages, &env)
            .build()
            .unwrap()
            .sign(&auth, now)
            .unwrap()
    });
    report("5MiB-image", peak, signed.body.len());

    let (peak, signed) = peak_of(|| {
        converse::Builder::new(&config, &prompt, &env)
            .build()
            .unwrap()
            .sign(&auth, now)
            .unwrap()
    });
    report("5MiB", peak, signed.body.len());
}

fn report(group: &str, peak: usize, body: usize) {
    println!(
        "peak {group}: {:.2}x body ({peak} bytes at peak, {body} bytes of body)",
        peak as f64 / body as f64
    );
}
