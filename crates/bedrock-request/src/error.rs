//! The crate's one error type.
//!
//! Every fallible function returns [`Error`]. Its [`kind`](Error::kind) says which stage failed
//! (the client config, the prompt, the request, credentials, signing); its message names the bad
//! value and, where there is one, the fix. Messages that BAML also produces keep BAML's exact
//! wording (for example `model_id is required`), so searching them finds answers.
//!
//! Secrets never appear in an error: values of `secret_access_key`, `session_token` and bearer
//! keys are not quoted back, only the option's name.

use std::fmt;

use crate::aws_error::AwsError;
use crate::codec::quoted;
use crate::completion::FinishReasonError;
use crate::frame::FrameError;

/// Which stage of building a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The BAML source could not be read (syntax), or the named client is not in it.
    Baml,
    /// A client option is unknown, has the wrong type, or breaks a rule (BAML's validation).
    Config,
    /// The messages cannot be turned into a Converse conversation.
    Prompt,
    /// The request cannot be built: region, endpoint or model id.
    Request,
    /// No usable credentials, or credentials that break a rule.
    Credentials,
    /// The signer rejected the request.
    Signing,
    /// Text that should be JSON is not.
    Json,
    /// AWS answered with an error ([`Error::aws`] has it, classified).
    Aws,
    /// The finish reason is refused by the client's allow/deny list
    /// ([`Error::finish_reason`] has it; BAML's `BamlClientFinishReasonError`).
    FinishReason,
    /// A response body is not what the operation returns.
    Response,
    /// No JSON value of the wanted type in a model's text.
    StructuredOutput,
    /// Event-stream bytes are corrupt or truncated ([`Error::frame_error`] says how).
    EventStream,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Baml => "baml",
            ErrorKind::Config => "config",
            ErrorKind::Prompt => "prompt",
            ErrorKind::Request => "request",
            ErrorKind::Credentials => "credentials",
            ErrorKind::Signing => "signing",
            ErrorKind::Json => "json",
            ErrorKind::Aws => "aws",
            ErrorKind::FinishReason => "finish reason",
            ErrorKind::Response => "response",
            ErrorKind::StructuredOutput => "structured output",
            ErrorKind::EventStream => "event stream",
        })
    }
}

/// The error returned by every fallible function of this crate.
///
/// `Display` prints the message alone (no kind prefix), so BAML's texts come out verbatim:
///
/// ```
/// use bedrock_request::{ClientConfig, Env, ErrorKind};
///
/// let err = ClientConfig::from_json_str(r#"{"region": "us-east-1"}"#).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Config);
/// assert_eq!(err.to_string(), "model_id is required");
/// ```
#[derive(Clone, PartialEq)]
pub struct Error(Box<Inner>);

/// Behind one pointer, so `Result<(), Error>` is a pointer and every `Result` of the crate
/// carries one word for its error: smaller and fewer moves on the success path (in the JS
/// package's module this saved 15 KB of code, 7 KB gzipped).
#[derive(Clone, PartialEq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    detail: Option<Detail>,
}

#[derive(Clone, Debug, PartialEq)]
// The enum lives behind the Box of `Error`, so its largest variant costs nothing elsewhere.
#[allow(clippy::large_enum_variant)]
enum Detail {
    Aws(AwsError),
    FinishReason(FinishReasonError),
    Frame(FrameError),
}

impl Error {
    // Out of line, one copy per message type (a `&str` message's copy is made here, not at
    // each of the hundreds of error sites).
    #[inline(never)]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::with(kind, message.into(), None)
    }

    // Cold and out of line: errors are rare, and inlined, the Box would be built at every
    // error site.
    #[cold]
    #[inline(never)]
    fn with(kind: ErrorKind, message: String, detail: Option<Detail>) -> Self {
        Error(Box::new(Inner {
            kind,
            message,
            detail,
        }))
    }

    /// The message is [`AwsError::report`] less the canonical requests.
    fn with_aws(error: AwsError) -> Self {
        let message = error.report_lines(false);
        Error::with(ErrorKind::Aws, message, Some(Detail::Aws(error)))
    }

    fn with_finish_reason(error: FinishReasonError) -> Self {
        Error::with(
            ErrorKind::FinishReason,
            format!("Finish reason not allowed: {}", error.finish_reason),
            Some(Detail::FinishReason(error)),
        )
    }

    fn frame(error: FrameError) -> Self {
        Error::with(
            ErrorKind::EventStream,
            error.to_string(),
            Some(Detail::Frame(error)),
        )
    }

    /// What is wrong with event-stream bytes, for [`ErrorKind::EventStream`].
    pub fn frame_error(&self) -> Option<&FrameError> {
        match &self.0.detail {
            Some(Detail::Frame(e)) => Some(e),
            _ => None,
        }
    }

    /// The classified AWS error, for [`ErrorKind::Aws`].
    pub fn aws(&self) -> Option<&AwsError> {
        match &self.0.detail {
            Some(Detail::Aws(e)) => Some(e),
            _ => None,
        }
    }

    /// The refused finish reason and the raw output, for [`ErrorKind::FinishReason`].
    pub fn finish_reason(&self) -> Option<&FinishReasonError> {
        match &self.0.detail {
            Some(Detail::FinishReason(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether sending again can help (AWS errors that say so; never for other kinds).
    pub fn is_retryable(&self) -> bool {
        self.aws().is_some_and(|e| e.retryable)
    }

    #[inline(never)]
    pub(crate) fn baml(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Baml, message)
    }

    #[inline(never)]
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    #[inline(never)]
    pub(crate) fn prompt(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Prompt, message)
    }

    #[inline(never)]
    pub(crate) fn request(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Request, message)
    }

    #[inline(never)]
    pub(crate) fn credentials(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Credentials, message)
    }

    #[inline(never)]
    pub(crate) fn signing(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Signing, message)
    }

    /// Which stage failed.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message alone, as `Display` prints it.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Prefixes the message with context, joined by `": "` (for example the client's name).
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.0.message = format!("{context}: {}", self.0.message);
        self
    }

    /// True when a client option is wrong.
    ///
    /// ```
    /// use bedrock_request::{ClientConfig, Env};
    /// let err = ClientConfig::from_json_str(r#"{"model": "m", "temprature": 1}"#).unwrap_err();
    /// assert!(err.is_config());
    /// assert_eq!(err.to_string(), "Unsupported property: temprature");
    /// ```
    pub fn is_config(&self) -> bool {
        self.0.kind == ErrorKind::Config
    }

    /// True when credentials are missing or break a rule.
    pub fn is_credentials(&self) -> bool {
        self.0.kind == ErrorKind::Credentials
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.0.kind, quoted(&self.0.message))
    }
}

impl std::error::Error for Error {}

impl From<AwsError> for Error {
    fn from(error: AwsError) -> Self {
        Error::with_aws(error)
    }
}

impl From<FinishReasonError> for Error {
    fn from(error: FinishReasonError) -> Self {
        Error::with_finish_reason(error)
    }
}

impl From<FrameError> for Error {
    fn from(error: FrameError) -> Self {
        Error::frame(error)
    }
}

impl AwsError {
    /// Wraps this in the crate's [`Error`] (kind [`ErrorKind::Aws`]; the same as `.into()`).
    pub fn into_error(self) -> Error {
        Error::with_aws(self)
    }
}

/// Shorthand for `Result<T, bedrock_request::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `collect::<Result<Vec<_>, _>>()` as a plain loop: the items' `Ok` values in order, or the
/// first error. The iterator adapter `collect` goes through was a larger copy per call site in
/// the JS package's size-tuned module.
pub(crate) trait CollectOk<T, E>:
    Iterator<Item = std::result::Result<T, E>> + Sized
{
    fn collect_ok(self) -> std::result::Result<Vec<T>, E> {
        let mut out = Vec::with_capacity(self.size_hint().0);
        for item in self {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<T, E, I: Iterator<Item = std::result::Result<T, E>>> CollectOk<T, E> for I {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `collect_ok` is std's `collect` into a `Result`: every value in order, or the first
    /// error (and nothing after it is taken).
    #[test]
    fn collect_ok_is_collect_into_a_result() {
        for items in [
            vec![],
            vec![Ok(1), Ok(2), Ok(3)],
            vec![Ok(1), Err("a"), Err("b"), Ok(4)],
        ] {
            let want: std::result::Result<Vec<i32>, &str> = items.iter().cloned().collect();
            assert_eq!(items.iter().cloned().collect_ok(), want);
        }
        let mut taken = 0;
        let out = [Ok(1), Err("stop"), Ok(3)]
            .into_iter()
            .inspect(|_| taken += 1)
            .collect_ok();
        assert_eq!((out, taken), (Err("stop"), 2));
    }

    #[test]
    fn an_error_is_one_pointer_and_so_is_a_unit_result() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn context_and_details_survive_the_box() {
        let e = Error::from(FrameError::LengthTooSmall(3)).context("stream");
        assert_eq!(e.kind(), ErrorKind::EventStream);
        assert!(e.frame_error().is_some() && e.aws().is_none());
        assert!(e.message().starts_with("stream: "), "{}", e.message());
    }
}
