//! A signed request explained and verified: its canonical request, string to sign and
//! signature recomputed from the request as sent ([`explain`]), and checked against the
//! credentials that should have signed it ([`verify`]).

use sha2::{Digest, Sha256};

use super::canonical::{Authorization, CanonicalRequest};
use super::key::{signature, signature_matches, signing_key};
use crate::auth::Credentials;
use crate::codec::{parse_amz_date, redact_tokens};
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// The canonical request, string to sign and signature of a signed request, recomputed with
/// the secret key (the CLI's `explain`).
///
/// `Debug` shows the session token in the canonical request as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The canonical request text.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature this secret key gives.
    pub signature: String,
    /// Whether it equals the signature in the request's `authorization` header.
    pub matches: bool,
}

impl std::fmt::Debug for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explanation")
            .field("canonical_request", &redact_tokens(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("matches", &self.matches)
            .finish()
    }
}

impl Explanation {
    /// The same with the session token in the canonical request shown as `<redacted>`, for
    /// printing (the CLI's `explain` prints this).
    pub fn redacted(mut self) -> Explanation {
        self.canonical_request = redact_tokens(&self.canonical_request);
        self
    }
}

/// Recomputes a signed request's canonical request, string to sign and signature with
/// `secret_access_key` (the scope — date, region, service — comes from its `authorization`).
pub fn explain(request: &HttpRequest, secret_access_key: &str) -> Result<Explanation> {
    let auth = Authorization::of(request)?;
    let canonical_request = CanonicalRequest::of(request)?.text();
    let string_to_sign = string_to_sign(request)?;
    let mut scope = auth.scope.split('/');
    let (Some(day), Some(region), Some(service)) = (scope.next(), scope.next(), scope.next())
    else {
        return Err(Error::signing(
            "the credential scope is not DATE/REGION/SERVICE/aws4_request",
        ));
    };
    if auth.amz_date.get(..8) != Some(day) {
        return Err(Error::signing(
            "x-amz-date's day differs from the credential scope's",
        ));
    }
    if parse_amz_date(&auth.amz_date).is_none() {
        return Err(Error::signing("x-amz-date is not YYYYMMDDTHHMMSSZ"));
    }
    let key = signing_key(secret_access_key, day, region, service);
    let signature = signature(&key, &string_to_sign);
    Ok(Explanation {
        matches: signature == auth.signature,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// The first check a signed request fails in [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyStage {
    /// No `authorization` header, or not SigV4, or malformed.
    Authorization,
    /// The access key id is not the expected one.
    AccessKey,
    /// The credential scope is not the expected region and service, or its day is not
    /// `x-amz-date`'s.
    Scope,
    /// A header listed in `SignedHeaders` is missing.
    SignedHeader(String),
    /// `x-amz-date` is more than 15 minutes from the verifier's clock.
    Date,
    /// `x-amz-content-sha256` does not match the body.
    PayloadHash,
    /// The signature differs: something signed was changed, or another secret signed it.
    Signature,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The signature is valid for these credentials.
    Valid,
    /// It is not: the first failing stage, and why.
    Invalid {
        /// The stage.
        stage: VerifyStage,
        /// What differs.
        detail: String,
    },
}

/// Verifies a signed request as received (by a server or a proxy) against the credentials
/// that should have signed it, for the `region` and `service` it must be signed for; `now`
/// (when given) also checks the 15-minute window.
///
/// An invalid request says which stage failed and why, from the request alone: nothing derived
/// from the secret (no expected signature) and not the expected access key, so the answer
/// cannot help forge a signature. The signature is compared in constant time (the `hmac`
/// crate's `verify_slice`). For the key's owner, [`explain`] recomputes everything.
///
/// ```
/// use bedrock_request::{converse, sign::{verify, Verification}, Auth, ClientConfig, Credentials, Env, Message};
/// use time::macros::datetime;
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let config = ClientConfig::builder().model("anthropic.claude-3-haiku-20240307-v1:0").region("us-east-1").build()?;
/// let mut signed = converse::Builder::new(&config, &[Message::user("hi")], &Env::new()).build()?
///     .sign(&Auth::SigV4(creds.clone()), datetime!(2024-01-15 12:00 UTC))?;
/// let at = Some(datetime!(2024-01-15 12:05 UTC));
/// assert_eq!(verify(&signed, &creds, "us-east-1", "bedrock", at), Verification::Valid);
/// // Signed for another region than the one this server is:
/// assert!(matches!(verify(&signed, &creds, "eu-west-1", "bedrock", at), Verification::Invalid { .. }));
/// signed.url = signed.url.replace("%3A", ":"); // what a re-encoding client might send
/// assert!(matches!(verify(&signed, &creds, "us-east-1", "bedrock", None), Verification::Invalid { .. }));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn verify(
    request: &HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: Option<time::OffsetDateTime>,
) -> Verification {
    let invalid = |stage, detail: String| Verification::Invalid { stage, detail };
    let auth = match Authorization::of(request) {
        Ok(a) => a,
        Err(e) => return invalid(VerifyStage::Authorization, e.to_string()),
    };
    let header = request.header("authorization").unwrap_or_default();
    let key_id = header
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default();
    if key_id != credentials.access_key_id() {
        return invalid(
            VerifyStage::AccessKey,
            format!("signed by access key {key_id}, which is not this verifier's"),
        );
    }
    let mut scope = auth.scope.split('/');
    let (day, scope_region, scope_service) = (scope.next(), scope.next(), scope.next());
    if (scope_region, scope_service) != (Some(region), Some(service)) {
        return invalid(
            VerifyStage::Scope,
            format!(
                "signed for scope {}, not for region {region} and service {service}",
                auth.scope
            ),
        );
    }
    if auth.amz_date.get(..8) != day {
        return invalid(
            VerifyStage::Scope,
            format!(
                "x-amz-date {} is not the scope's day ({})",
                auth.amz_date, auth.scope
            ),
        );
    }
    for name in auth.signed_headers.split(';') {
        if request.header(name).is_none() {
            return invalid(
                VerifyStage::SignedHeader(name.to_owned()),
                format!("signed header {name} is not in the request"),
            );
        }
    }
    if let (Some(now), Some(at)) = (now, parse_amz_date(&auth.amz_date)) {
        let skew = (now - at).abs();
        if skew > time::Duration::minutes(15) {
            let skew = skew.whole_seconds();
            return invalid(
                VerifyStage::Date,
                format!(
                    "signed at {} ({skew} s from now): outside the 15-minute window",
                    auth.amz_date
                ),
            );
        }
    }
    if let Some(declared) = request.header("x-amz-content-sha256") {
        let actual = hex::encode(Sha256::digest(request.body.as_bytes()));
        if declared != actual && declared != "UNSIGNED-PAYLOAD" {
            return invalid(
                VerifyStage::PayloadHash,
                "x-amz-content-sha256 is not the body's hash: the body changed".into(),
            );
        }
    }
    let (string_to_sign, canonical) = match (string_to_sign(request), CanonicalRequest::of(request))
    {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => return invalid(VerifyStage::Authorization, e.to_string()),
    };
    let (Some(day), Some(_)) = (day, parse_amz_date(&auth.amz_date)) else {
        return invalid(
            VerifyStage::Authorization,
            "x-amz-date is not YYYYMMDDTHHMMSSZ".into(),
        );
    };
    let key = signing_key(
        credentials.secret_access_key().expose(),
        day,
        region,
        service,
    );
    if signature_matches(&key, &string_to_sign, &auth.signature) {
        Verification::Valid
    } else {
        invalid(
            VerifyStage::Signature,
            format!(
                "the signature does not match this request and key (something signed changed on the way, or another secret signed it); the canonical request it was checked against:\n{}",
                redact_tokens(&canonical.text())
            ),
        )
    }
}

/// The string to sign for a signed request: algorithm, `x-amz-date`, scope, and the hash of
/// the canonical request.
pub fn string_to_sign(request: &HttpRequest) -> Result<String> {
    let auth = Authorization::of(request)?;
    let canonical = CanonicalRequest::of(request)?;
    Ok(format!(
        "AWS4-HMAC-SHA256\n{}\n{}\n{}",
        auth.amz_date,
        auth.scope,
        hex::encode(Sha256::digest(canonical.text().as_bytes()))
    ))
}
