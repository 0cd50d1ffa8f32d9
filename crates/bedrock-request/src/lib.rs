//! **bedrock-request** turns an AWS Bedrock client config and chat messages into a fully
//! SigV4-signed HTTP request for the Bedrock Converse API. It does no I/O: your own HTTP
//! stack (reqwest, ureq, hyper, a Cloudflare or Spin worker, a browser) sends the bytes. It
//! builds for `wasm32-unknown-unknown`, where the AWS SDK does not fit.
//!
//! It is what BAML's `b.request` promises for the `aws-bedrock` provider, done fully: the
//! request comes back signed (BAML's is unsigned), and `endpoint_url` is honoured.
//!
//! ```
//! use bedrock_request::{converse, credentials, ClientConfig, Env, Message};
//! use time::macros::datetime;
//!
//! let config = ClientConfig::from_baml(r#"
//!     client<llm> Haiku {
//!       provider aws-bedrock
//!       options {
//!         model "anthropic.claude-3-haiku-20240307-v1:0"
//!         region us-east-1
//!         access_key_id AKIDEXAMPLE
//!         secret_access_key "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
//!       }
//!     }"#, "Haiku", &Env::new())?;
//! let env = Env::new(); // the CLI passes the process environment; a server its own map
//! let unsigned = converse::Builder::new(&config, &[Message::user("Hello")], &env).build()?;
//! let auth = credentials::resolve_static(&config, &env)?
//!     .ok_or_else(credentials::no_static_credentials_error)?
//!     .auth;
//! let signed = unsigned.sign(&auth, datetime!(2015-08-30 12:36:00 UTC))?;
//!
//! assert_eq!(signed.header("x-amz-date"), Some("20150830T123600Z"));
//! // The same signature botocore computes for these bytes (vectors/bedrock/).
//! assert!(signed.header("authorization").unwrap().ends_with(
//!     "Signature=19f9ff5f31b96d4983cc87f7191e49e8c39475e434ea6b9d581028226bdc060c"));
//! let http_request: http::Request<Vec<u8>> = signed.try_into()?;
//! # let _ = http_request;
//! # Ok::<(), bedrock_request::Error>(())
//! ```
//!
//! # The contract: sans-IO and deterministic
//! Given the same config, messages, credentials and time, the crate returns the same bytes.
//! It never reads the clock, the environment, files or the network, and never spawns a
//! process. Everything from the world comes in as a value: the time as
//! [`time::OffsetDateTime`], environment variables as an [`Env`] snapshot. The CLI
//! (the `bedrock-request-cli` crate) and the off-by-default `blocking` feature are the only
//! places that touch the world.
//!
//! # The public API
//! One entry point per task; everything else is private (`docs/design.md` draws the layers).
//!
//! - At the root, the values every program touches: [`ClientConfig`] (with [`BamlFile`] and
//!   [`FinishReasonPolicy`]), [`Message`] and [`Part`], [`Credentials`], [`Auth`] and
//!   [`Secret`], [`Endpoint`], [`Env`], [`Value`] and [`Number`] (the one JSON type of the API,
//!   requests and responses alike, with `From` to and from `serde_json::Value`), [`JsonText`]
//!   (JSON kept as its checked text, as a tool call's input is, so a huge one costs its bytes),
//!   [`HttpRequest`], [`HttpResponse`] and [`Body`], [`Error`], [`ErrorKind`] and [`Result`].
//! - [`config`]: a [`ClientConfig`] from a BAML `client<llm>` block
//!   ([`ClientConfig::from_baml`]), a JSON options map (BAML's `ClientRegistry` shape,
//!   [`ClientConfig::from_json_str`] / [`ClientConfig::from_options`]) or
//!   [`ClientConfig::builder`], validated once with BAML's messages; read through getters, so it
//!   stays valid. The option groups it exposes live here.
//! - [`prompt`]: [`Message`]s, parts and media, and the role policy (allowed/default/remap
//!   roles, system messages, cache points).
//! - [`converse`]: [`Builder`](converse::Builder), the one way to build a Converse or
//!   ConverseStream [`UnsignedRequest`](converse::UnsignedRequest): region, endpoint, the model
//!   id as one path label, the body, tools and fetched media.
//! - [`credentials`]: [`resolve_static`](credentials::resolve_static) for what needs no I/O,
//!   and the whole resolution chain as a sans-IO [`Chain`](credentials::Chain) (environment,
//!   shared config files, SSO, assume-role, web identity, `credential_process`, container,
//!   IMDS): every file, request and process is a [`Step`](credentials::Step) the caller
//!   performs.
//! - [`sign`]: SigV4 signing of any request ([`Signer`](sign::Signer), a caller-owned value
//!   that keeps the derived key), presigned URLs and Bedrock API keys,
//!   and our canonical-request view ([`explain`](sign::explain), [`verify`](sign::verify)).
//! - [`parse`]: Converse responses to a [`Completion`](parse::Completion), AWS errors to a
//!   classified [`AwsError`](parse::AwsError) with a hint (a signature mismatch diagnosed
//!   against the request sent), the finish-reason policy.
//! - [`structured`]: BAML's `b.parse`: the value in a model's text, into a serde type
//!   ([`structured::parse`]) or a JSON Schema's ([`Schema`](structured::Schema)).
//! - [`stream`]: ConverseStream's event-stream decoder (incremental, CRC-checked), typed
//!   events, and an accumulator into the same `Completion`.
//!
//! Not public API: the credential sources' request builders and parsers, the codecs and the
//! JSON reader. The SigV4 test-suite runner lives in the CLI crate (`bedrock-request vectors`),
//! built on the public [`sign::CanonicalRequest`].
//!
//! # Crate features
//! - `blocking` (off by default, native only): [`credentials::blocking`], the one place the
//!   library reads files, runs processes, sends requests and reads the clock, so the whole
//!   credential chain resolves in one call (with ureq as its HTTP client).
//!
//! The `bedrock-request` command-line tool is its own crate, `bedrock-request-cli`; the npm
//! package's WebAssembly glue is `bedrock-request-js` (in `js/glue`).
//!
//! On `wasm32-unknown-unknown` nothing changes: there is no clock to read, and the library
//! never reads one.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The ground floor: import nothing above them (codec, env, frame and value nothing of the crate).
mod aws_error;
mod codec;
mod completion;
mod env;
mod error;
mod frame;
mod json_text;
mod value;
// One floor up: the JSON reader, who signs, where requests go, the request as data.
mod auth;
mod endpoint;
mod json;
mod request;
// The features, each importing only what is listed before it.
pub mod batch;
pub mod config;
pub mod converse;
pub mod credentials;
pub mod parse;
pub mod prompt;
pub mod retry;
pub mod sign;
pub mod stream;
pub mod structured;

pub use auth::{Auth, Credentials, Secret};
pub use config::{BamlFile, ClientConfig, FinishReasonPolicy};
pub use endpoint::{resolve_region, Endpoint};
pub use env::Env;
pub use error::{Error, ErrorKind, Result};
pub use json_text::JsonText;
pub use prompt::{Message, Part};
pub use request::{Body, HttpRequest, HttpResponse};
pub use value::{Number, Value};

/// The credential sources' parsers for the fuzz targets in `fuzz/` (built only under
/// `cargo fuzz`, which sets `--cfg fuzzing`): not public API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::credentials::sources::{
        parse_container_response, parse_imds_credentials, parse_process_output, parse_sso_response,
        parse_sso_token, parse_sts_response, split_command, SsoSettings,
    };
}

/// The README's Rust example, compiled as a doctest so it cannot rot (natively: it uses the
/// `blocking` feature).
#[cfg(all(doctest, feature = "blocking", not(target_family = "wasm")))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
