//! All integration tests, built into one binary (`autotests = false`).
//!
//! They run natively and, unchanged, on wasm32-wasip1 under Node (`.ci/run`); files are read
//! by absolute path (`common::repo_path`), which WASI sees because `/` is preopened.

mod adversarial;
mod api_key;
mod baml;
mod batch_jobs;
mod bedrock_vectors;
mod bounded;
mod common;
mod config;
mod converse_api;
mod credentials;
mod hardening;
mod jsonish;
mod media_tools;
mod parse;
mod request;
mod retry;
mod roles;
mod s3;
#[cfg(not(target_family = "wasm"))]
mod stacks;
mod stream;
mod structured;
mod util;
