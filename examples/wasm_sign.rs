//! A WebAssembly module that signs Converse requests: bedrock-request in a wasm host.
//!
//! Build: `cargo-wasm build --profile wasm --target wasm32-unknown-unknown --example wasm_sign`
//! (see `docs/wasm.md`). The module imports nothing (`WebAssembly.instantiate(bytes, {})`),
//! exports `memory`, `alloc`, `dealloc` and `sign`, and `examples/wasm_sign.mjs` drives it
//! from Node.
//!
//! `sign(ptr, len)` reads a JSON object `{"options": {...}, "messages": [...], "env": {...},
//! "unix_time": N}` and returns `(out_ptr << 32) | out_len` pointing at the request as
//! `request --format json` prints it, or at `{"error": "..."}`. The host must `dealloc` both
//! buffers. The time is an argument: wasm32-unknown-unknown has no clock.

use bedrock_request::{converse, credentials, prompt, ClientConfig, Env, Value};
use time::OffsetDateTime;

fn sign_json(input: &str) -> Result<String, String> {
    let input = Value::from_json_str(input).map_err(|e| format!("input is not JSON: {e}"))?;
    let options = input.get("options").ok_or("input has no options")?;
    let config = ClientConfig::from_options(options, None).map_err(|e| e.to_string())?;
    let messages = input
        .get("messages")
        .ok_or("input has no messages")?
        .to_json();
    let messages = prompt::messages_from_json(&messages).map_err(|e| e.to_string())?;
    let env: Env = match input.get("env") {
        Some(Value::Object(vars)) => vars
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        _ => Env::new(),
    };
    let unix_time = match input.get("unix_time") {
        Some(Value::Number(n)) => n.as_str().parse::<i64>().map_err(|e| e.to_string())?,
        _ => return Err("input has no integer unix_time".into()),
    };
    let now = OffsetDateTime::from_unix_timestamp(unix_time).map_err(|e| e.to_string())?;
    let unsigned = converse::Builder::new(&config, &messages, &env)
        .build()
        .map_err(|e| e.to_string())?;
    let auth = credentials::resolve_static(&config, &env)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| credentials::no_credentials_error().to_string())?
        .auth;
    Ok(unsigned
        .sign(&auth, now)
        .map_err(|e| e.to_string())?
        .to_json())
}

/// Allocates `len` bytes for the host to write into.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees a buffer from `alloc` or `sign`.
///
/// # Safety
/// `ptr` and `len` must come from `alloc(len)` or from `sign`'s result, and be freed once.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// Signs the request described by the JSON at `ptr..ptr+len` (see the module docs).
///
/// # Safety
/// `ptr..ptr+len` must be memory from `alloc` holding the input.
#[no_mangle]
pub unsafe extern "C" fn sign(ptr: *const u8, len: usize) -> u64 {
    let input = std::slice::from_raw_parts(ptr, len);
    let output = match std::str::from_utf8(input) {
        Ok(text) => sign_json(text)
            .unwrap_or_else(|e| Value::Object(vec![("error".into(), Value::String(e))]).to_json()),
        Err(_) => r#"{"error":"input is not UTF-8"}"#.to_owned(),
    };
    let mut bytes = output.into_bytes().into_boxed_slice();
    let out = ((bytes.as_mut_ptr() as u64) << 32) | bytes.len() as u64;
    std::mem::forget(bytes);
    out
}
