//! What a loose value's text says, for coercion: the numbers in it, how BAML writes a
//! structured value as a string, the entry of an object for a field, and the words of errors
//! (what was wanted, what was found).

use super::lenient::Loose;
use super::schema::Ty;
use crate::codec::quoted;
use crate::value::Number;

/// At most this many values are listed in an error.
const LISTED: usize = 12;

pub(super) fn list_values<S: AsRef<str>>(values: &[S]) -> String {
    let mut out = values
        .iter()
        .take(LISTED)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > LISTED {
        out.push_str(&format!(", ... ({} values)", values.len()));
    }
    out
}

pub(super) fn describe(v: &Loose) -> String {
    match v {
        Loose::Null => "null".into(),
        Loose::Bool(b) => b.to_string(),
        Loose::Number { text, .. } => (*text).to_owned(),
        Loose::Str { text, .. } => {
            let short: String = text.chars().take(60).collect();
            let more = if text.chars().count() > 60 { "..." } else { "" };
            format!("{q_short}{more}", q_short = quoted(&short))
        }
        Loose::Array { items, .. } => format!("an array of {}", items.len()),
        Loose::Object { .. } => "an object".into(),
    }
}

pub(super) fn wanted(ty: &Ty) -> String {
    match ty {
        Ty::Any => "any value".into(),
        Ty::Null => "null".into(),
        Ty::String => "a string".into(),
        Ty::Int => "an integer".into(),
        Ty::Float => "a number".into(),
        Ty::Bool => "true or false".into(),
        Ty::Enum(names) => format!("one of {}", list_values(names.values())),
        Ty::List(_) => "an array".into(),
        Ty::Object(_) => "an object".into(),
        Ty::Map(_) => "an object (a map)".into(),
        Ty::Literal(v) => format!("the value {}", v.to_json()),
        Ty::Union(_) => "one of the anyOf types".into(),
        Ty::Optional(t) => wanted(t),
        Ty::Marked(m) => wanted(&m.inner),
        Ty::Ref(_) => "the referenced type".into(),
    }
}

/// A number's text as JSON writes it (`+1` → `1`, `.5` → `0.5`, `1.` → `1`, `036` → `36`):
/// what a plain number parse takes (Rust's, which BAML uses). No thousands separators.
pub(super) fn json_number(text: &str) -> Option<Number> {
    let t = text.trim();
    let (sign, t) = match t.as_bytes().first() {
        Some(b'-') => ("-", &t[1..]),
        Some(b'+') => ("", &t[1..]),
        _ => ("", t),
    };
    // Leading zeros are dropped (one is kept before a point or the end).
    let unpadded = t.trim_start_matches('0');
    let t = match unpadded.as_bytes().first() {
        Some(b'0'..=b'9') => unpadded,
        _ if t.starts_with('0') => &t[t.len() - unpadded.len() - 1..],
        _ => t,
    };
    let t = t.strip_suffix('.').unwrap_or(t);
    let t = match t.starts_with('.') {
        true => format!("{sign}0{t}"),
        false => format!("{sign}{t}"),
    };
    Number::parse(&t)
}

/// The number a string holds, as BAML reads one (`coerce_primitive.rs`): all of it (`"36"`,
/// `"036"`), a fraction (`"1/2"`), else exactly one number in it, commas only as thousands
/// separators before the point (`"$1,234.56"`, `"about 3"`, `"50%"`; not `"1, 2"` or the
/// European `"1.234,56"`, which reads as two numbers); the second value says how loosely.
pub(super) fn number_in(text: &str) -> Option<(Number, u32)> {
    let text = text.trim().trim_end_matches(',');
    if let Some(n) = json_number(text) {
        return Some((n, 1));
    }
    if let Some((a, b)) = text.split_once('/') {
        if let (Some(a), Some(b)) = (json_number(a), json_number(b)) {
            let q = a.as_f64() / b.as_f64();
            if q.is_finite() {
                return Number::from_f64(q).map(|n| (n, 2));
            }
        }
    }
    let mut found = None;
    let mut i = 0;
    while i < text.len() {
        match number_at(text.as_bytes(), i) {
            Some((end, number)) if found.is_none() => {
                found = Some(number);
                i = end;
            }
            // A second number: which one is meant cannot be told.
            Some(_) => return None,
            None => i += 1,
        }
    }
    json_number(&found?).map(|n| (n, 2))
}

/// The number that starts at `i`, if one does, as BAML's pattern finds it
/// (`[-+]?\$?(\d+(,\d+)*(\.\d+)?|\.\d+)(e[-+]?\d+)?`): where it ends, and its text without
/// `$` and commas.
fn number_at(b: &[u8], i: usize) -> Option<(usize, String)> {
    let digit = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    let digits = |mut j: usize| {
        while digit(j) {
            j += 1;
        }
        j
    };
    let mut out = String::new();
    let mut j = i;
    if matches!(b.get(j), Some(b'-' | b'+')) {
        out.push(b[j] as char);
        j += 1;
    }
    if b.get(j) == Some(&b'$') {
        j += 1;
    }
    let push = |out: &mut String, from: usize, to: usize| {
        out.extend(b[from..to].iter().map(|&c| c as char));
    };
    if digit(j) {
        let end = digits(j);
        push(&mut out, j, end);
        j = end;
        while b.get(j) == Some(&b',') && digit(j + 1) {
            let end = digits(j + 1);
            push(&mut out, j + 1, end);
            j = end;
        }
    } else if !(b.get(j) == Some(&b'.') && digit(j + 1)) {
        return None;
    }
    if b.get(j) == Some(&b'.') && digit(j + 1) {
        let end = digits(j + 1);
        push(&mut out, j, end);
        j = end;
    }
    let sign = usize::from(matches!(b.get(j + 1), Some(b'-' | b'+')));
    if b.get(j) == Some(&b'e') && digit(j + 1 + sign) {
        let end = digits(j + 1 + sign);
        push(&mut out, j, end);
        j = end;
    }
    Some((j, out))
}

/// How BAML writes a structured value where a string is wanted: `{key: value, ...}`, `[a, b]`,
/// strings bare.
pub(super) fn display(v: &Loose, out: &mut String) {
    match v {
        Loose::Null => out.push_str("null"),
        Loose::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Loose::Number { text, .. } => out.push_str(text),
        Loose::Str { text, .. } => out.push_str(text),
        Loose::Array { items, .. } => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display(item, out);
            }
            out.push(']');
        }
        Loose::Object { entries, .. } => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                display(item, out);
            }
            out.push('}');
        }
    }
}

/// An integer from a number's text: as written when it is one, else rounded (`36.0` → 36).
pub(super) fn integer(n: &Number) -> Option<(Number, u32)> {
    if n.is_integer() {
        return Some((n.clone(), 0));
    }
    let f = n.as_f64();
    if !f.is_finite() || f.abs() > 9.007_199_254_740_992e15 {
        return None;
    }
    let rounded = f.round();
    let score = u32::from(rounded != f);
    // Within ±2^53, so the `i64` is exact (and `-0.4` gives `0`, not `-0`).
    Number::parse(&(rounded as i64).to_string()).map(|n| (n, score))
}

/// How loosely an object's key names a field: 0 exactly, 1 in another case or without
/// accents (as BAML: `prenom` is `prénom`, but `firstName` is not `first_name`), `None` not.
pub(super) fn key_names(key: &str, name: &str) -> Option<u32> {
    if key == name {
        return Some(0);
    }
    let key = key.trim();
    let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    let same = lower(key) == lower(name)
        || lower(&super::names::unaccented(key)) == lower(&super::names::unaccented(name));
    same.then_some(1)
}

/// The entry for a field: the first key that names it, exactly or loosely ([`key_names`]), as
/// baml-py takes `{"Name": "Ada", "name": "Bob"}`'s name as Ada; the second value says how
/// loosely.
pub(super) fn find_key<'l, 'a>(
    entries: &'l [(std::borrow::Cow<'a, str>, Loose<'a>)],
    name: &str,
) -> (Option<&'l Loose<'a>>, u32) {
    entries
        .iter()
        .find_map(|(k, v)| key_names(k, name).map(|bent| (Some(v), bent)))
        .unwrap_or((None, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of BAML's own `test_float_from_comma_separated` (BoundaryML/baml,
    /// `engine/baml-lib/jsonish/src/deserializer/coercer/coerce_primitive.rs`), with BAML's
    /// expected values: what a float field takes from these strings (`None`: an error).
    #[test]
    fn numbers_in_text_as_baml_reads_them() {
        let cases: [(&str, Option<f64>); 51] = [
            ("3,14", Some(314.0)),
            ("1.234,56", None),
            ("1.234.567,89", None),
            ("€1.234,56", None),
            ("-€1.234,56", None),
            ("€1.234", Some(1.234)),
            ("1.234€", Some(1.234)),
            ("€1.234,56", None),
            ("€1,234.56", Some(1234.56)),
            ("3,000", Some(3000.0)),
            ("3,100.00", Some(3100.00)),
            ("1,234.56", Some(1234.56)),
            ("1,234,567.89", Some(1234567.89)),
            ("$1,234.56", Some(1234.56)),
            ("-$1,234.56", Some(-1234.56)),
            ("$1,234", Some(1234.0)),
            ("1,234$", Some(1234.0)),
            ("$1,234.56", Some(1234.56)),
            ("+$1,234.56", Some(1234.56)),
            ("-$1,234.56", Some(-1234.56)),
            ("$9,999,999,999", Some(9999999999.0)),
            ("$1.23.456", None),
            ("$1.234.567.890", None),
            ("$1,234", Some(1234.0)),
            ("$314", Some(314.0)),
            ("$1,23,456", Some(123456.0)),
            ("50%", Some(50.0)),
            ("3.15%", Some(3.15)),
            (".009%", Some(0.009)),
            ("1.234,56%", None),
            ("$1,234.56%", Some(1234.56)),
            ("The answer is 10,000", Some(10000.0)),
            ("The total is €1.234,56 today", None),
            ("You owe $3,000 for the service", Some(3000.0)),
            ("Save up to 20% on your purchase", Some(20.0)),
            ("Revenue grew by 1,234.56 this quarter", Some(1234.56)),
            ("Profit is -€1.234,56 in the last month", None),
            ("The answer is 10,000 and $3,000", None),
            ("We earned €1.234,56 and $2,345.67 this year", None),
            ("Increase of 5% and a profit of $1,000", None),
            ("Loss of -€500 and a gain of 1,200.50", None),
            ("Targets: 2,000 units and €3.000,75 revenue", None),
            ("12,111,123.", Some(12111123.0)),
            ("12,111,123,", Some(12111123.0)),
            // And the plain parse before it (Rust's, as BAML's): leading zeros, signs, points.
            ("036", Some(36.0)),
            ("-036", Some(-36.0)),
            ("+.5", Some(0.5)),
            ("0", Some(0.0)),
            ("00.25", Some(0.25)),
            ("1/2", Some(0.5)),
            ("1e3", Some(1000.0)),
        ];
        for (text, want) in cases {
            let got = number_in(text).map(|(n, _)| n.as_f64());
            assert_eq!(got, want, "{text}");
        }
    }
}
