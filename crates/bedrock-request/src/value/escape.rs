//! JSON string escaping, as serde_json escapes: the body's hot loop for large prompts.

/// Writes `s` as a JSON string literal, escaped as serde_json escapes it.
///
/// Scans bytes, not chars: every byte that needs escaping is ASCII, and UTF-8 continuation
/// bytes are never ASCII, so runs of plain text are copied whole (this is the hot loop for
/// large prompts).
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    write_json_string_content(s, out);
    out.push('"');
}

/// Where escaped JSON goes: a `String`, or the bytes of a body being assembled.
pub(crate) trait JsonOut {
    fn reserve(&mut self, additional: usize);
    fn push_str(&mut self, s: &str);
}

impl JsonOut for String {
    fn reserve(&mut self, additional: usize) {
        String::reserve(self, additional);
    }
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
}

impl JsonOut for Vec<u8> {
    fn reserve(&mut self, additional: usize) {
        Vec::reserve(self, additional);
    }
    fn push_str(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// Writes `s` escaped as inside a JSON string literal, without the quotes.
pub(crate) fn write_json_string_content(s: &str, out: &mut impl JsonOut) {
    out.reserve(s.len());
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // 64 bytes at a time while none needs escaping (a fold over a fixed-size block, which
        // the compiler turns into vector compares), then 8 (a SWAR test).
        if let Some(block) = bytes[i..].first_chunk::<64>() {
            if !block.iter().fold(false, |any, &b| {
                any | (b < 0x20) | (b == b'"') | (b == b'\\')
            }) {
                i += 64;
                continue;
            }
        }
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if !needs_escape_in(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        let at = i - 1;
        out.push_str(&s[start..at]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]];
                out.push_str("\\u00");
                out.push_str(std::str::from_utf8(&hex).unwrap_or("00"));
            }
        }
        start = i;
    }
    out.push_str(&s[start..]);
}

/// The escape flags of eight bytes: the high bit of each byte that is below 0x20, `"` or
/// `\\` is set (SWAR; a flagged byte can spill a stray flag into the bytes above it, which
/// only matters when some byte is flagged anyway).
fn escape_flags(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    // A byte below 0x20: subtracting 0x20 borrows into its high bit (bytes >= 0x80 are
    // excluded by `& !word`).
    (word.wrapping_sub(ONES * 0x20) & !word)
        | zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes in `word` is below 0x20, `"` or `\\`.
fn needs_escape_in(word: u64) -> bool {
    escape_flags(word) & HIGH_BITS != 0
}
