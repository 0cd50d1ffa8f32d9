//! Letters without their accents, as BAML matches enum values, literals and keys (`cafe`
//! names `café`): the ligatures ß, æ, ø, œ spelt out, each character replaced by its base
//! letter when its canonical decomposition (NFD) is one letter and combining marks, and
//! combining marks dropped.
//!
//! BAML does this with the `unicode-normalization` crate (NFKD). Its tables would add 65 KB
//! gzipped to the JS package (a quarter of it), so the two tables this needs are kept here,
//! generated from that crate (`examples/unaccented_tables.rs`) and checked against it for
//! every character (`tests::the_tables_are_the_crates`). The difference from NFKD:
//! compatibility forms (full-width letters, `ﬁ`) are kept as they are.

use std::borrow::Cow;

/// The text without its accents ("Señor" → "Senor", "Straße" → "Strasse").
pub(crate) fn unaccented(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            c if is_mark(c) => {}
            c => out.push(base(c).unwrap_or(c)),
        }
    }
    Cow::Owned(out)
}

/// The one letter a character decomposes to besides combining marks, if it does.
fn base(c: char) -> Option<char> {
    let code = u16::try_from(u32::from(c)).ok()?;
    let at = BASES.binary_search_by_key(&code, |&(from, _)| from).ok()?;
    char::from_u32(u32::from(BASES[at].1))
}

/// Whether a character is a combining mark (general category Mn, Mc or Me).
fn is_mark(c: char) -> bool {
    let code = u32::from(c);
    let at = MARKS.partition_point(|&(first, _)| first <= code);
    at > 0 && code <= MARKS[at - 1].1
}

include!("unaccented_tables.rs");

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;

    /// Every character as the crate has it: a mark or not, and its base letter (a BMP
    /// character whose canonical decomposition is one other letter and marks). When the crate
    /// changes, `cargo run -p bedrock-request --example unaccented_tables >
    /// crates/bedrock-request/src/structured/unaccented_tables.rs` writes the tables again.
    #[test]
    fn the_tables_are_the_crates() {
        for code in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            assert_eq!(is_mark(c), is_combining_mark(c), "{code:#x}");
            if is_combining_mark(c) {
                continue;
            }
            let stripped: Vec<char> = std::iter::once(c)
                .nfd()
                .filter(|d| !is_combining_mark(*d))
                .collect();
            let want = match stripped.as_slice() {
                [one] if *one != c && code <= 0xFFFF && u32::from(*one) <= 0xFFFF => Some(*one),
                _ => None,
            };
            assert_eq!(base(c), want, "{code:#x}");
        }
    }

    #[test]
    fn as_baml_strips_them() {
        // BAML's own cases (match_string.rs's tests).
        for (text, want) in [
            ("étude", "etude"),
            ("français", "francais"),
            ("Español", "Espanol"),
            ("português", "portugues"),
            ("Grün", "Grun"),
            ("Über", "Uber"),
            ("Straße", "Strasse"),
            ("Æsir", "AEsir"),
            ("Ørsted", "Orsted"),
            ("cœur", "coeur"),
            // Decomposed input: the marks go.
            ("Cafe\u{301}", "Cafe"),
        ] {
            assert_eq!(unaccented(text), want);
        }
    }
}
