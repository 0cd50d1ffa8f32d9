//! Byte and text codecs shared by every layer: base64, percent-encoding, form bodies, AWS and
//! HTTP dates, and redaction of tokens and URL user info in messages.
//!
//! The ground floor: this file imports nothing of the crate.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A text in double quotes, as errors show the value they name: `"`, `\\`, `\n`, `\r`, `\t`
/// and the other control characters escaped as `str`'s `Debug` escapes them, everything else
/// as it is. Not `{:?}` itself: that also escapes the Unicode characters it deems unprintable,
/// which takes Unicode's printable and grapheme tables, 4 KB of the WebAssembly module.
pub(crate) struct Quoted<'a>(&'a str);

/// [`Quoted`] of any text: `format!("model {} ...", quoted(&model))`.
pub(crate) fn quoted(text: &(impl AsRef<str> + ?Sized)) -> Quoted<'_> {
    Quoted(text.as_ref())
}

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"")?;
        let mut kept = 0;
        for (i, c) in self.0.char_indices() {
            let escaped = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                c if c.is_control() => "",
                _ => continue,
            };
            f.write_str(&self.0[kept..i])?;
            if escaped.is_empty() {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            } else {
                f.write_str(escaped)?;
            }
            kept = i + c.len_utf8();
        }
        f.write_str(&self.0[kept..])?;
        f.write_str("\"")
    }
}

/// Lowercase hex, as SigV4 writes hashes and signatures.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // Written in place: a push per digit was a call per digit in the size-tuned wasm build.
    let mut out = vec![0; bytes.len() * 2];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    // Only hex digits were written, so this is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Standard base64 with padding, by base64-simd: SSSE3 or AVX2 chosen at run time (wasm SIMD
/// when built with it), several times the speed of a table; aws-smithy-types already builds it.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Appends the base64 of `bytes` to `out`, encoded in place (no copy through a buffer).
pub(crate) fn base64_encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let _ = base64_simd::STANDARD.encode(bytes, base64_simd::Out::from_slice(&mut out[start..]));
}

/// Whether `ok` holds for every byte. Written as a fold without early exit within each 4 KiB
/// block, so the compiler vectorises the comparisons (a base64 image is megabytes).
pub(crate) fn all_bytes(bytes: &[u8], ok: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(4096)
        .all(|block| block.iter().fold(true, |all, &b| all & ok(b)))
}

/// Whether `text` is what [`base64_decode`] accepts, without decoding it: the alphabet, any
/// trailing `=`, and not one stray character at the end.
pub(crate) fn is_base64(text: &str) -> bool {
    let text = text.trim_end_matches('=');
    text.len() % 4 != 1
        && all_bytes(text.as_bytes(), |b| {
            (b | 0x20).wrapping_sub(b'a') < 26
                || b.wrapping_sub(b'0') < 10
                || b == b'+'
                || b == b'/'
        })
}

/// Standard base64 (with or without padding) to bytes; `None` when it is not base64.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A leftover of 6 bits means one stray character: not base64.
    (bits < 6).then_some(out)
}

/// Percent-encodes every byte except the unreserved `A-Z a-z 0-9 - _ . ~` (and `/` when
/// `keep_slash`), uppercase hex: RFC 3986 as SigV4 and botocore's `quote(safe='-_.~')` do it.
pub(crate) fn percent_encode(text: &str, keep_slash: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut kept = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            continue;
        }
        // Unreserved runs are copied whole; only the bytes to encode are written one by one.
        out.extend_from_slice(&bytes[kept..i]);
        out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        kept = i + 1;
    }
    out.extend_from_slice(&bytes[kept..]);
    // Only unreserved ASCII and `%XX` were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Percent-encodes a string as ONE path label (`:` is `%3A`, an ARN's `/` is `%2F`).
pub(crate) fn encode_path_label(label: &str) -> String {
    percent_encode(label, false)
}

/// `k=v&k=v` with both sides percent-encoded, as botocore encodes form bodies and queries.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte (a `%` without
/// two hex digits stays as it is).
pub(crate) fn form_decode(text: &str) -> String {
    unescape(text, true)
}

/// `%XX` escapes to bytes (a URL's path or a `data:` URL); `+` stays a `+`.
pub(crate) fn percent_decode(text: &str) -> String {
    unescape(text, false)
}

/// `%XX` escapes to the octets they stand for, as RFC 2397 and RFC 3986 mean them (a `data:`
/// URL's payload is bytes, not necessarily UTF-8); `+` stays a `+`.
pub(crate) fn percent_decode_bytes(text: &str) -> Vec<u8> {
    unescape_bytes(text, false)
}

fn unescape(text: &str, plus_is_space: bool) -> String {
    String::from_utf8_lossy(&unescape_bytes(text, plus_is_space)).into_owned()
}

fn unescape_bytes(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && bytes[i] == b'+' {
            b' '
        } else {
            bytes[i]
        });
        i += 1;
    }
    out
}

/// A time from milliseconds since the Unix epoch (`None` out of `time`'s range), without the
/// 128-bit nanoseconds of `from_unix_timestamp_nanos`: their division is 1 KB of the JS module.
pub(crate) fn from_unix_ms(ms: i64) -> Option<OffsetDateTime> {
    let at = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    // rem_euclid(1000) is in 0..1000, so the cast and the millisecond are in range.
    at.replace_millisecond(ms.rem_euclid(1000) as u16).ok()
}

/// `20240115T123456Z` → time; `None` for other text and for dates before 1970 (they cannot
/// become a `SystemTime` everywhere, wasm included, so they are no signing time).
pub(crate) fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    let date = Date::from_calendar_date(
        num(0..4)? as i32,
        Month::try_from(num(4..6)? as u8).ok()?,
        num(6..8)? as u8,
    )
    .ok()?;
    let time = Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc()).filter(|t| t.unix_timestamp() >= 0)
}

/// IMF-fixdate, the HTTP `Date` header: `Mon, 15 Jan 2024 12:34:56 GMT`.
pub(crate) fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, hms, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as u8 + 1;
    let date = Date::from_calendar_date(
        year.parse().ok()?,
        Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let mut t = hms.split(':').map(|p| p.parse::<u8>().ok());
    let time = Time::from_hms(t.next()??, t.next()??, t.next()??).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// An RFC 3339 time (`2024-01-15T12:34:56Z`, `2024-01-15T12:34:56.789+01:00`), as the `time`
/// crate reads it, or the older `2019-11-14T04:05:45UTC` form of SSO caches.
pub(crate) fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    match text.strip_suffix("UTC") {
        Some(utc) => OffsetDateTime::parse(&format!("{utc}Z"), &Rfc3339).ok(),
        None => OffsetDateTime::parse(text, &Rfc3339).ok(),
    }
}

/// A duration as the `time` crate displays it (`35m`, `-1h2m3s`, `1s500ms`, `0s`): days,
/// hours, minutes, seconds, ms, µs, ns, each left out when zero. Written here, so the module
/// links no float formatting for it (`time`'s `Display` has a float branch).
pub(crate) fn duration_text(d: time::Duration) -> String {
    if d.is_zero() {
        return "0s".into();
    }
    let (s, ns) = (
        d.whole_seconds().unsigned_abs(),
        d.subsec_nanoseconds().unsigned_abs(),
    );
    let mut out = String::from(if d.is_negative() { "-" } else { "" });
    let units = [
        (s / 86_400, "d"),
        (s / 3_600 % 24, "h"),
        (s / 60 % 60, "m"),
        (s % 60, "s"),
        (u64::from(ns / 1_000_000), "ms"),
        (u64::from(ns / 1_000 % 1_000), "µs"),
        (u64::from(ns % 1_000), "ns"),
    ];
    for (n, unit) in units.into_iter().filter(|&(n, _)| n > 0) {
        out.push_str(&n.to_string());
        out.push_str(unit);
    }
    out
}

/// Hides session tokens in a canonical request (or any text quoting one): the value of an
/// `x-amz-security-token:` line or an `X-Amz-Security-Token=` query parameter becomes
/// `<redacted>`.
pub(crate) fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let found = ["x-amz-security-token:", "x-amz-security-token="]
            .iter()
            .filter_map(|m| lower.find(m).map(|i| (i, m.len())))
            .min();
        let Some((at, len)) = found else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at + len]);
        out.push_str("<redacted>");
        let after = &rest[at + len..];
        let end = after
            .find(['\n', '&', '\'', '"', ' '])
            .unwrap_or(after.len());
        rest = &after[end..];
    }
}

/// A URL as HTTP uses it, split once for every reader of it (the request line, the signer's
/// canonical request and `host`, `http::Request`, error messages): what precedes the authority
/// (`https://`), the authority (up to the first `/`, `?` or `#`), the path (empty when the URL
/// has none: the request line says `/`) and the query (`None` without a `?`). A fragment is
/// never sent, so it is in none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) authority: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
}

/// Splits `url` into its [`UrlParts`].
pub(crate) fn split_url(url: &str) -> UrlParts<'_> {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let (prefix, rest) = url.split_at(after_scheme);
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(authority_end);
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    UrlParts {
        prefix,
        authority,
        path,
        query,
    }
}

/// The URL with any `user:password@` replaced by `***@`, for error messages.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let parts = split_url(url);
    match parts.authority.rfind('@') {
        Some(at) => format!("{}***{}", parts.prefix, &url[parts.prefix.len() + at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {

    /// `quoted` writes what `{:?}` writes for text of printable characters and control
    /// characters (every ASCII character, the C1 controls, letters and emoji past ASCII).
    #[test]
    fn quoted_is_debug_for_printable_and_control_characters() {
        let mut samples: Vec<String> = (0u8..=127).map(|b| format!("a{}b", b as char)).collect();
        samples.extend((0x80u32..0xa0).map(|c| char::from_u32(c).unwrap().to_string()));
        samples.extend(
            [
                "",
                "us-east-1",
                "caf\u{e9} \u{4e2d}\u{6587} \u{1f600}",
                "\"\\\n\r\t\0\u{7f}",
            ]
            .map(String::from),
        );
        for s in samples {
            assert_eq!(super::quoted(&s).to_string(), format!("{s:?}"), "{s:?}");
        }
    }
    #[test]
    fn unix_ms_is_times_nanosecond_reading() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut cases = vec![
            0,
            1,
            -1,
            999,
            -999,
            1000,
            -1001,
            1_440_938_160_123,
            -62_135_596_800_000,
        ];
        for _ in 0..5000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            cases.push((seed as i64) % 300_000_000_000_000);
        }
        cases.extend([i64::MAX, i64::MIN, 253_402_300_800_000, 253_402_300_799_999]);
        for ms in cases {
            let want = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
            assert_eq!(from_unix_ms(ms), want, "{ms}");
        }
    }
    use super::*;

    #[test]
    fn path_labels_encode_every_reserved_byte() {
        assert_eq!(
            encode_path_label("anthropic.claude-3-haiku-20240307-v1:0"),
            "anthropic.claude-3-haiku-20240307-v1%3A0"
        );
        assert_eq!(
            encode_path_label("arn:aws:bedrock:us-east-1:123:application-inference-profile/ab c"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Aapplication-inference-profile%2Fab%20c"
        );
        assert_eq!(percent_encode("/a b/é", true), "/a%20b/%C3%A9");
    }

    #[test]
    fn forms_round_trip() {
        let encoded = form_encode(&[
            ("Action", "AssumeRole"),
            ("RoleArn", "arn:aws:iam::1:role/x y"),
        ]);
        assert_eq!(
            encoded,
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx%20y"
        );
        assert_eq!(form_decode("a+b%3Ac%zz"), "a b:c%zz");
        assert_eq!(percent_decode("a+b%20c%2"), "a+b c%2");
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xa0, 0xff, 0x5c]), "000fa0ff5c");
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_lower(&all), hex::encode(&all));
    }

    #[test]
    fn base64_round_trips_and_refuses_garbage() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)), Some(bytes));
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert_eq!(base64_decode("A"), None);
        assert_eq!(base64_decode("a*b="), None);
        // RFC 4648's test vectors.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn base64_is_appended_after_what_is_there() {
        // Lengths around the SIMD blocks (12, 24 and 48 bytes in), each tail padded.
        for len in [0, 1, 2, 3, 11, 12, 13, 23, 24, 25, 47, 48, 49, 1000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
            let mut out = b"{\"bytes\":\"".to_vec();
            base64_encode_into(&bytes, &mut out);
            let text = String::from_utf8(out).expect("ASCII");
            assert_eq!(
                text.strip_prefix("{\"bytes\":\""),
                Some(base64_encode(&bytes).as_str())
            );
            assert_eq!(base64_decode(&base64_encode(&bytes)), Some(bytes));
        }
    }

    #[test]
    fn is_base64_accepts_what_base64_decode_accepts() {
        let alphabet = ["A", "z", "0", "+", "/", "=", "*", " ", "é", "-"];
        let mut x: u32 = 7;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let len = (x % 9) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((x >> (i * 3)) % alphabet.len() as u32) as usize])
                .collect();
            assert_eq!(is_base64(&text), base64_decode(&text).is_some(), "{text:?}");
        }
    }

    #[test]
    fn tokens_and_user_info_are_redacted() {
        assert_eq!(
            redact_tokens("host:h\nx-amz-security-token:SECRET\n"),
            "host:h\nx-amz-security-token:<redacted>\n"
        );
        assert_eq!(
            redact_tokens("a=1&X-Amz-Security-Token=SECRET&b=2"),
            "a=1&X-Amz-Security-Token=<redacted>&b=2"
        );
        assert_eq!(
            redact_userinfo("https://u:p@host/x@y"),
            "https://***@host/x@y"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_amz_date("20150830T123600Z").map(|t| t.unix_timestamp()),
            Some(1_440_938_160)
        );
        assert_eq!(parse_amz_date("19691231T235959Z"), None);
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT").map(|t| t.unix_timestamp()),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_rfc3339("2015-08-30T12:36:00UTC").map(|t| t.unix_timestamp()),
            Some(1_440_938_160)
        );
    }

    #[test]
    fn durations_read_as_the_time_crate_displays_them() {
        use time::Duration;
        let mut cases = vec![Duration::ZERO, Duration::MAX, Duration::MIN];
        for secs in [
            0,
            1,
            59,
            60,
            61,
            2_100,
            3_599,
            3_600,
            3_723,
            86_399,
            86_400,
            90_061,
            1_000_000_000,
        ] {
            for nanos in [0, 1, 999, 1_000, 1_500_000, 999_999_999] {
                cases.push(Duration::new(secs, nanos));
                cases.push(Duration::new(-secs, -nanos));
            }
        }
        for d in cases {
            assert_eq!(duration_text(d), d.to_string(), "{d:?}");
        }
    }
}
