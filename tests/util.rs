//! Helpers shared by the tests.

use bedrock_request::{ClientConfig, Error};

/// The path of a file in the crate, absolute (works under WASI, where `/` is preopened).
pub fn crate_path(relative: &str) -> String {
    format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// Config from a JSON options map; panics with the error if it is rejected.
pub fn config(json: &str) -> ClientConfig {
    ClientConfig::from_json_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The error a JSON options map is rejected with; panics if it is accepted.
pub fn config_error(json: &str) -> Error {
    match ClientConfig::from_json_str(json) {
        Ok(c) => panic!("{json} was accepted: {c:?}"),
        Err(e) => e,
    }
}

/// A small deterministic generator (xorshift64) for the generated-input tests.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}
