//! SigV4's primitives: the time stamp, the derived key and the signature (HMAC-SHA256).
//! They import nothing else of `sign`.

use ::hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::codec::hex_lower;

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
/// keyed first with `AWS4` + the secret key. Derived anew for each signature: nothing is kept
/// between calls (docs/wasm.md has what that costs).
pub(crate) fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> [u8; 32] {
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    key
}

/// The last key derived, under the SHA-256 of what it was derived from (the secret is not
/// kept): the state of a caller-owned [`Signer`](super::Signer). Looking up hashes two SHA-256
/// blocks where deriving takes sixteen.
#[derive(Clone, Default)]
pub(crate) struct KeyCache {
    last: Option<([u8; 32], [u8; 32])>,
}

impl KeyCache {
    /// The key for these parts: the kept one when it is theirs, else derived and kept.
    pub(crate) fn key(&mut self, secret: &str, day: &str, region: &str, service: &str) -> [u8; 32] {
        let mut id = Sha256::new();
        for part in [secret, day, region, service] {
            // Each part after its length, so no two lists of parts hash the same input.
            id.update((part.len() as u64).to_le_bytes());
            id.update(part.as_bytes());
        }
        let id: [u8; 32] = id.finalize().into();
        match self.last {
            Some((last, key)) if last == id => key,
            _ => {
                let key = signing_key(secret, day, region, service);
                self.last = Some((id, key));
                key
            }
        }
    }
}

/// Whether `signature_hex` is the signature of `string_to_sign` with `key`, compared in
/// constant time (the `hmac` crate's `verify_slice`): a verifier's timing says nothing of the
/// right signature.
pub(crate) fn signature_matches(key: &[u8; 32], string_to_sign: &str, signature_hex: &str) -> bool {
    let Ok(given) = hex::decode(signature_hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The signature of `string_to_sign` with a derived key, in lowercase hex.
pub(crate) fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex_lower(&hmac(key, string_to_sign.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104), RustCrypto's `hmac`.
fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::{amz_date, hmac, signing_key};

    /// AWS's documented derivation example, then keys for other secrets, days, regions and
    /// services, as aws-sigv4 derives them.
    #[test]
    fn signing_keys_are_aws_documented_derivation() {
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
            assert_eq!(signing_key(secret, day, region, service), want.as_ref());
        }
    }

    /// A kept key is the key of what is asked: keys for other secrets, days, regions and
    /// services in turn, each asked twice, then the first again, as derived anew.
    #[test]
    fn a_kept_key_is_the_key_asked_for() {
        let mut cache = super::KeyCache::default();
        let cases = [
            ("secret", "20240115", "us-east-1", "bedrock"),
            ("another/secret", "20240115", "us-east-1", "bedrock"),
            ("another/secret", "20240116", "us-east-1", "bedrock"),
            ("another/secret", "20240116", "eu-west-3", "bedrock"),
            ("another/secret", "20240116", "eu-west-3", "sts"),
            // The boundary between region and service moves; their concatenation stays.
            ("another/secret", "20240116", "eu-west-3s", "ts"),
            ("secret", "20240115", "us-east-1", "bedrock"),
        ];
        for (secret, day, region, service) in cases {
            for _ in 0..2 {
                assert_eq!(
                    cache.key(secret, day, region, service),
                    signing_key(secret, day, region, service)
                );
            }
        }
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
