//! Signing: SigV4 in the headers computed here (checked against aws-sigv4's `sign()`, the AWS
//! SigV4 suite and botocore); presigned URLs call aws-sigv4.
//!
//! One direction inside: `key` (the time stamp, the derived key, HMAC-SHA256) → `canonical`
//! (the canonical request) → `sigv4` (the signer) → `headers` (the entry points and
//! [`Signer`]), `explain` ([`explain`], [`verify`]) and `diagnose`; `presign` and `transport`
//! ([`check_transport`]: no key or token in clear text) and `s3` ([`sign_s3_in_place`], by
//! aws-sigv4 with S3's settings) stand apart.
//! Nothing is kept between calls: a [`Signer`] is the caller's own value.
//!
//! Settings are aws-sigv4's defaults, which match botocore for Bedrock: the path is
//! percent-encoded once more for the canonical request (`%3A` → `%253A`) and normalised (`.`
//! and `..` segments removed; the model ids `.` and `..` are refused for that reason), no
//! `x-amz-content-sha256` header (the body hash is still part of the signature), and the
//! session token is signed as `x-amz-security-token`.

mod canonical;
mod diagnose;
mod explain;
mod headers;
mod key;
mod presign;
mod s3;
mod sigv4;
mod transport;

pub use canonical::CanonicalRequest;
pub use explain::{explain, string_to_sign, verify, Explanation, Verification, VerifyStage};
pub(crate) use headers::check_header_safe;
pub use headers::{bearer_in_place, sha256_hex, sign_for_service, Signer, SIGNING_NAME};
pub use presign::{bedrock_api_key, presign_url, MAX_API_KEY_SECONDS};
pub use s3::sign_s3_in_place;
pub use transport::check_transport;
