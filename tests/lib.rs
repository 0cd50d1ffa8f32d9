//! All integration tests, built into one binary (`autotests = false`).
//!
//! They run natively and, unchanged, on wasm32-wasip1 under Node (`.ci/run`); files are read
//! by absolute path from `CARGO_MANIFEST_DIR`, which WASI sees because `/` is preopened.

mod api_key;
mod baml;
mod bedrock_vectors;
mod bounded;
#[cfg(all(feature = "cli", not(target_family = "wasm")))]
mod cli;
#[cfg(all(feature = "cli", not(target_family = "wasm")))]
mod cli_converse;
#[cfg(all(feature = "cli", not(target_family = "wasm")))]
mod cli_structured;
mod config;
mod converse_api;
mod credentials;
mod hardening;
mod media_tools;
mod parse;
mod request;
mod roles;
mod sigv4_suite;
#[cfg(not(target_family = "wasm"))]
mod stacks;
mod stream;
mod structured;
mod util;
