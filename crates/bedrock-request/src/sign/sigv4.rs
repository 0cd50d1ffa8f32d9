//! SigV4 in the headers, computed here: the canonical request ([`CanonicalRequest`]), the
//! string to sign, the derived key and the HMAC-SHA256 signature.
//!
//! It follows aws-sigv4's default settings (what botocore does too): every header is signed but
//! `authorization`, `user-agent`, `x-amzn-trace-id` and `transfer-encoding`; `host` is taken
//! from the URL when the request has none; the path is normalised and percent-encoded once
//! more; `x-amz-date`, `x-amz-security-token` (temporary credentials) and `authorization`
//! replace any the request already had. The tests check it against aws-sigv4's `sign()` on
//! generated requests, the AWS SigV4 suite, and botocore's signatures.
//!
//! Why not aws-sigv4's `sign()` itself: it goes through `http::HeaderMap` and `http::Uri`, which
//! costs a third of a small request's time and a tenth of the WebAssembly module's size, and it
//! cannot reuse a derived key.

use std::borrow::Cow;
use std::cell::Cell;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::canonical::{split_path_query, CanonicalRequest};
use crate::auth::Credentials;
use crate::codec::{hex_lower, quoted};
use crate::error::{Error, Result};
use crate::request::HttpRequest;

/// Headers aws-sigv4 never signs (its default `excluded_headers`): set by the signature,
/// rewritten by proxies, or hop-by-hop.
const UNSIGNED_HEADERS: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// Signs `request` in place for `service` in `region` at `now` (already checked: a time after
/// 1970, header-safe credentials), with the body's hash given or computed.
pub(crate) fn sign(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: OffsetDateTime,
    payload_hash: Option<&str>,
) -> Result<()> {
    check_request(request)?;
    let amz_date = amz_date(now);
    let token = credentials.session_token().map(|t| t.expose());
    request.headers.retain(|(name, _)| {
        !(name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("x-amz-date")
            || (token.is_some() && name.eq_ignore_ascii_case("x-amz-security-token")))
    });
    request
        .headers
        .push(("x-amz-date".into(), amz_date.clone()));
    if let Some(token) = token {
        request
            .headers
            .push(("x-amz-security-token".into(), token.to_owned()));
    }
    let payload_hash = match payload_hash {
        Some(hash) => hash.to_owned(),
        None => hex_lower(&Sha256::digest(request.body.as_bytes())),
    };
    let canonical = {
        let headers = headers_with_host(request);
        let signed: Vec<&str> = headers
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| {
                !UNSIGNED_HEADERS
                    .iter()
                    .any(|u| name.eq_ignore_ascii_case(u))
            })
            .collect();
        let (path, query) = split_path_query(request.path_and_query());
        CanonicalRequest::build(
            &request.method,
            path,
            query,
            &headers,
            &signed,
            true,
            payload_hash,
        )?
    };
    // Pushed piece by piece (`format!` was a few percent of a small request's signing).
    let scope = [&amz_date[..8], "/", region, "/", service, "/aws4_request"].concat();
    let canonical_hash = hex_lower(&Sha256::digest(canonical.text().as_bytes()));
    let string_to_sign = [
        "AWS4-HMAC-SHA256\n",
        &amz_date,
        "\n",
        &scope,
        "\n",
        &canonical_hash,
    ]
    .concat();
    let key = signing_key(
        credentials.secret_access_key().expose(),
        &amz_date[..8],
        region,
        service,
    );
    let signature = signature(&key, &string_to_sign);
    let authorization = [
        "AWS4-HMAC-SHA256 Credential=",
        credentials.access_key_id(),
        "/",
        &scope,
        ", SignedHeaders=",
        &canonical.signed_headers,
        ", Signature=",
        &signature,
    ]
    .concat();
    request
        .headers
        .push(("authorization".into(), authorization));
    Ok(())
}

/// `YYYYMMDDTHHMMSSZ`, SigV4's time stamp, in UTC.
pub(crate) fn amz_date(now: OffsetDateTime) -> String {
    let t = now.to_offset(time::UtcOffset::UTC);
    let Ok(year @ 0..=9999) = u32::try_from(t.year()) else {
        // Not a time anyone signs at (before year 0): written as `format!` writes it.
        return format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    };
    // Digit by digit: `format!` with widths was a few percent of a small request's signing.
    let mut out = String::with_capacity(16);
    let fields = [
        (year, 4),
        (u32::from(u8::from(t.month())), 2),
        (u32::from(t.day()), 2),
        (u32::from(t.hour()), 2),
        (u32::from(t.minute()), 2),
        (u32::from(t.second()), 2),
    ];
    for (i, (n, width)) in fields.into_iter().enumerate() {
        if i == 3 {
            out.push('T');
        }
        for k in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10u32.pow(k) % 10) as u8));
        }
    }
    out.push('Z');
    out
}

/// SigV4's derived key: HMAC-SHA256 of the day, region, service and `aws4_request` in turn,
/// keyed first with `AWS4` + the secret key.
///
/// The last key derived on this thread is kept, under the SHA-256 of what it was derived from
/// (the secret is not kept): deriving takes four HMACs, 16 SHA-256 blocks, about half of a
/// small request's hashing, and the same credentials sign for the same day and region all
/// day. The look-up hashes two blocks.
pub(crate) fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> [u8; 32] {
    thread_local! {
        static LAST: Cell<Option<([u8; 32], [u8; 32])>> = const { Cell::new(None) };
    }
    let mut id = Sha256::new();
    for part in [secret, day, region, service] {
        // Each part after its length, so no two lists of parts hash the same input.
        id.update((part.len() as u64).to_le_bytes());
        id.update(part.as_bytes());
    }
    let id: [u8; 32] = id.finalize().into();
    if let Some((last, key)) = LAST.with(Cell::get) {
        if last == id {
            return key;
        }
    }
    let key = derive_key(secret, day, region, service);
    LAST.with(|last| last.set(Some((id, key))));
    key
}

/// The derivation itself ([`signing_key`] without the kept key).
fn derive_key(secret: &str, day: &str, region: &str, service: &str) -> [u8; 32] {
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    key
}

/// The signature of `string_to_sign` with a derived key, in lowercase hex.
pub(crate) fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex_lower(&hmac(key, string_to_sign.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104): SHA-256 over the key padded and XORed with `0x5c`, then the
/// SHA-256 over the key XORed with `0x36` and the data. Keys longer than a block are hashed.
fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner = Sha256::new()
        .chain_update(block.map(|b| b ^ 0x36))
        .chain_update(data)
        .finalize();
    Sha256::new()
        .chain_update(block.map(|b| b ^ 0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Checks what an HTTP/1.1 stack would refuse to send (aws-sigv4 refuses the same through
/// `http`'s types): an absolute `http(s)` URL of visible ASCII, token header names, and header
/// values without control characters.
fn check_request(request: &HttpRequest) -> Result<()> {
    let url = &request.url;
    let cannot = |why: &str| Error::signing(format!("cannot sign URL {url}: {why}"));
    if let Some(b) = url.bytes().find(|b| !b.is_ascii_graphic()) {
        return Err(cannot(&format!(
            "it has the byte {b:#04x} (spaces, control and non-ASCII characters must be percent-encoded)"
        )));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(cannot("it is not an absolute http:// or https:// URL"));
    };
    let authority = &rest[..authority_end(rest)];
    if authority.rsplit('@').next().unwrap_or(authority).is_empty() {
        return Err(cannot("it has no host"));
    }
    if !is_token(&request.method) {
        return Err(Error::signing(format!(
            "the method {} is not an HTTP method name",
            quoted(&request.method)
        )));
    }
    for (name, value) in &request.headers {
        if !is_token(name) {
            return Err(Error::signing(format!(
                "the header name {q_name} is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
                q_name = quoted(&name)
            )));
        }
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(Error::signing(format!(
                "the value of header {name} has a control character (a stray newline?)"
            )));
        }
    }
    Ok(())
}

/// The headers whose values the signature covers: the request's, after a `host` from the URL
/// when the request has none (the HTTP stack will send it, so it is signed).
pub(crate) fn headers_with_host(request: &HttpRequest) -> Cow<'_, [(String, String)]> {
    match host_to_sign(request) {
        Some(host) => {
            Cow::Owned([vec![("host".to_owned(), host)], request.headers.clone()].concat())
        }
        None => Cow::Borrowed(&request.headers),
    }
}

/// The `host` to sign when the request has no `host` header: the URL's (after any userinfo),
/// without a default port, as the HTTP stack will send it.
fn host_to_sign(request: &HttpRequest) -> Option<String> {
    if request.header("host").is_some() {
        return None;
    }
    let url = &request.url;
    let (rest, default_port) = match url.find("://") {
        Some(i) if url[..i].eq_ignore_ascii_case("https") => (&url[i + 3..], ":443"),
        Some(i) => (&url[i + 3..], ":80"),
        None => return None,
    };
    let authority = &rest[..authority_end(rest)];
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    Some(
        host_port
            .strip_suffix(default_port)
            .unwrap_or(host_port)
            .to_owned(),
    )
}

/// Where a URL's authority ends in what follows `scheme://`: at the first `/`, `?` or `#`.
fn authority_end(rest: &str) -> usize {
    rest.bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len())
}

/// An RFC 9110 token: a header name or a method.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::{amz_date, hmac, signing_key};

    /// The kept key is the key of what is asked: AWS's documented derivation example, then
    /// keys for other secrets, days, regions and services in turn (each asked twice, and the
    /// first again), as aws-sigv4 derives them.
    #[test]
    fn the_kept_signing_key_is_the_key_asked_for() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        // docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html's example.
        let documented = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d";
        assert_eq!(
            hex::encode(signing_key(secret, "20120215", "us-east-1", "iam")),
            documented
        );
        let cases = [
            (secret, 1_329_264_000, "us-east-1", "bedrock"),
            ("another/secret", 1_329_264_000, "us-east-1", "bedrock"),
            ("another/secret", 1_329_350_400, "us-east-1", "bedrock"),
            ("another/secret", 1_329_350_400, "eu-west-3", "bedrock"),
            ("another/secret", 1_329_350_400, "eu-west-3", "sts"),
            // The boundary between region and service moves; their concatenation stays.
            ("another/secret", 1_329_350_400, "eu-west-3s", "ts"),
        ];
        for (secret, unix, region, service) in cases {
            let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
            let day = &super::amz_date(t)[..8];
            let want = aws_sigv4::sign::v4::generate_signing_key(
                secret,
                std::time::SystemTime::from(t),
                region,
                service,
            );
            for _ in 0..2 {
                assert_eq!(signing_key(secret, day, region, service), want.as_ref());
            }
        }
        assert_eq!(
            hex::encode(signing_key(secret, "20120215", "us-east-1", "iam")),
            documented
        );
    }

    /// The time stamp is the ISO 8601 basic form AWS documents, as `time` formats it.
    #[test]
    fn amz_date_is_the_basic_iso_8601_form() {
        use time::format_description::well_known::iso8601::TimePrecision;
        use time::format_description::well_known::iso8601::{Config, EncodedConfig, Iso8601};
        const BASIC: EncodedConfig = Config::DEFAULT
            .set_use_separators(false)
            .set_time_precision(TimePrecision::Second {
                decimal_digits: None,
            })
            .encode();
        for unix in [
            0,
            1,
            59,
            3_599,
            86_399,
            951_782_400,
            1_440_938_160,
            1_709_251_199,
            253_402_300_799,
        ] {
            let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
            let want = t.format(&Iso8601::<BASIC>).unwrap();
            assert_eq!(amz_date(t), want, "{unix}");
        }
        let offset = time::UtcOffset::from_hms(5, 30, 0).unwrap();
        let t = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
        assert_eq!(amz_date(t.to_offset(offset)), "20150830T123600Z");
    }

    /// RFC 4231's HMAC-SHA256 test cases 1, 2 and 6 (a key longer than a block).
    #[test]
    fn hmac_matches_rfc_4231() {
        let cases: [(&[u8], &[u8], &str); 3] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, data, want) in cases {
            assert_eq!(hex::encode(hmac(key, data)), want);
        }
    }
}
