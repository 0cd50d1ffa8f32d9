//! What became of an attempt, classified as the AWS SDKs' standard retry mode does (botocore's
//! `retries/standard.py`): throttling, transient, other, permanent, or refused by the caller.

use std::time::Duration;

use crate::aws_error::{AwsError, AwsErrorKind};

/// The error codes botocore's standard mode treats as throttling.
const THROTTLING_CODES: [&str; 14] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// The error codes botocore's standard mode retries as transient (beside 500, 502, 503, 504).
const TRANSIENT_CODES: [&str; 3] = [
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// The errors bedrock-runtime's model defines (botocore `service-2.json`): a 429 with another
/// code is throttling by its status, as botocore's `ThrottlingStatusCodeChecker` has it.
const MODELED_CODES: [&str; 12] = [
    "AccessDeniedException",
    "ConflictException",
    "InternalServerException",
    "ModelErrorException",
    "ModelNotReadyException",
    "ModelStreamErrorException",
    "ModelTimeoutException",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ServiceUnavailableException",
    "ThrottlingException",
    "ValidationException",
];

/// How an attempt failed, for deciding what comes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// A throttling code, or a 429 with no modeled code: retried (AWS mode: 1 s backoff base).
    Throttling,
    /// 500, 502, 503, 504, `RequestTimeout(Exception)`, `PriorRequestNotComplete`, an error the
    /// model marks retryable (`ModelNotReadyException`), or no answer at all (the connection
    /// failed or timed out): retried (AWS mode: 50 ms backoff base).
    Transient,
    /// Any other error of the service (`ModelTimeoutException`, `ModelErrorException`,
    /// `ModelStreamErrorException`, `ServiceQuotaExceededException`...): not retried in AWS
    /// mode (as botocore), retried by a BAML `retry_policy`; a fallback moves on.
    Other,
    /// Retrying cannot fix it (validation, access denied, a bad or missing signature, expired
    /// or unknown credentials, a model not found): the same request would get the same answer,
    /// so it is never retried; a fallback moves on, as BAML's does (its next client sends
    /// another request: another model, region or set of credentials).
    Permanent,
    /// The reply arrived but the caller refused it (a finish-reason policy or structured-parse
    /// failure): never retried, never passed to a fallback (the BAML provider page: they
    /// "PREVENT fallbacks and retries").
    Refused,
}

/// A failed attempt: its kind, the status and code when there was an answer, the server's
/// `x-amz-retry-after`, and a short description (`ThrottlingException (429)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// How it failed.
    pub kind: FailureKind,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The error code (empty when there was no answer).
    pub code: String,
    /// The wait the server asked for (`x-amz-retry-after`, milliseconds).
    pub retry_after: Option<Duration>,
    /// What to print: `ThrottlingException (429)`, `connection refused`...
    pub summary: String,
}

/// What became of an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer the caller accepted.
    Success,
    /// Anything else.
    Failed(Failure),
}

impl Outcome {
    /// An HTTP answer: 2xx is success, anything else is classified by its status, its
    /// `x-amzn-errortype` / body code and `x-amz-retry-after`.
    ///
    /// ```
    /// use bedrock_request::retry::{FailureKind, Outcome};
    /// let headers = [("x-amzn-errortype".to_owned(), "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/".to_owned())];
    /// let Outcome::Failed(f) = Outcome::of_response(429, &headers, br#"{"message":"Too many requests"}"#) else { panic!() };
    /// assert_eq!((f.kind, f.summary.as_str()), (FailureKind::Throttling, "ThrottlingException (429)"));
    /// assert_eq!(Outcome::of_response(200, &[], b"{}"), Outcome::Success);
    /// ```
    pub fn of_response(status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
        if (200..300).contains(&status) {
            return Outcome::Success;
        }
        let mut failure = Failure::of(&AwsError::from_response(status, headers, body));
        failure.retry_after = retry_after(headers);
        Outcome::Failed(failure)
    }

    /// An AWS error already parsed (a stream's exception, say).
    pub fn of_error(error: &AwsError) -> Outcome {
        Outcome::Failed(Failure::of(error))
    }

    /// No answer: the connection failed, or the reply stopped (a timeout). Retried as transient.
    pub fn transport(why: impl Into<String>) -> Outcome {
        Outcome::Failed(Failure {
            kind: FailureKind::Transient,
            status: None,
            code: String::new(),
            retry_after: None,
            summary: why.into(),
        })
    }

    /// A reply the caller refused (finish reason, structured parse): the end, everywhere.
    pub fn refused(why: impl Into<String>) -> Outcome {
        Outcome::Failed(Failure {
            kind: FailureKind::Refused,
            status: None,
            code: String::new(),
            retry_after: None,
            summary: why.into(),
        })
    }
}

impl Failure {
    /// Classifies an AWS error as botocore's standard mode does.
    pub fn of(error: &AwsError) -> Failure {
        let code = error.code.as_str();
        let status = error.status;
        let kind = if THROTTLING_CODES.contains(&code) {
            FailureKind::Throttling
        } else if TRANSIENT_CODES.contains(&code)
            || matches!(status, Some(500 | 502 | 503 | 504))
            || error.kind == AwsErrorKind::ModelNotReady
        {
            FailureKind::Transient
        } else if status == Some(429) && !MODELED_CODES.contains(&code) {
            FailureKind::Throttling
        } else if permanent(error) {
            FailureKind::Permanent
        } else {
            FailureKind::Other
        };
        let summary = match (code.is_empty(), status) {
            (false, Some(s)) => format!("{code} ({s})"),
            (false, None) => code.to_owned(),
            (true, Some(s)) => format!("HTTP {s}"),
            (true, None) => "an error without a code".to_owned(),
        };
        Failure {
            kind,
            status,
            code: code.to_owned(),
            retry_after: None,
            summary,
        }
    }
}

/// Errors that no retry and no other client of the same account can fix.
fn permanent(error: &AwsError) -> bool {
    match error.kind {
        AwsErrorKind::AccessDenied
        | AwsErrorKind::UnrecognizedClient
        | AwsErrorKind::ExpiredToken
        | AwsErrorKind::SignatureMismatch
        | AwsErrorKind::ClockSkew
        | AwsErrorKind::MissingAuthentication
        | AwsErrorKind::Validation(_)
        | AwsErrorKind::ResourceNotFound => true,
        _ => matches!(error.status, Some(400 | 401 | 403 | 404 | 405 | 413 | 415)),
    }
}

/// `x-amz-retry-after`: milliseconds to wait, as botocore reads it.
fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-retry-after"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
}
