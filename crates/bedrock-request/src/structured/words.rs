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

/// A number's text as JSON writes it (`+1` → `1`, `.5` → `0.5`, `1.` → `1`).
pub(super) fn json_number(text: &str) -> Option<Number> {
    let t = text.trim().trim_start_matches('+').replace(',', "");
    let t = if t.starts_with('.') {
        format!("0{t}")
    } else if let Some(n) = t.strip_prefix("-.") {
        format!("-0.{n}")
    } else {
        t
    };
    let t = t.strip_suffix('.').unwrap_or(&t);
    Number::parse(t)
}

/// The number a string holds: all of it (`"36"`, `"1,234"`), a fraction (`"1/2"`), else the
/// one number in it (`"$9.99"`, `"about 3"`, `"36 years"`; not `"1, 2, 3"`), as BAML reads
/// them; the second value says how loosely.
pub(super) fn number_in(text: &str) -> Option<(Number, u32)> {
    if let Some(n) = json_number(text) {
        return Some((n, 1));
    }
    if let Some((a, b)) = text.trim().split_once('/') {
        if let (Some(a), Some(b)) = (json_number(a), json_number(b)) {
            let q = a.as_f64() / b.as_f64();
            if q.is_finite() {
                return Number::from_f64(q).map(|n| (n, 2));
            }
        }
    }
    let b = text.as_bytes();
    let mut found: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
        let mut end = i + 1;
        while end < b.len()
            && (b[end].is_ascii_digit()
                || (matches!(b[end], b'.' | b',')
                    && b.get(end + 1).is_some_and(u8::is_ascii_digit)))
        {
            end += 1;
        }
        if found.is_some() {
            return None;
        }
        found = Some((start, end));
        i = end;
    }
    let (start, end) = found?;
    json_number(&text[start..end]).map(|n| (n, 2))
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

/// The entry for a field: the exact key, else the key matched loosely ([`key_names`]); the
/// second value says how loosely. A repeated key's last value wins, as in JSON.
pub(super) fn find_key<'l, 'a>(
    entries: &'l [(std::borrow::Cow<'a, str>, Loose<'a>)],
    name: &str,
) -> (Option<&'l Loose<'a>>, u32) {
    if let Some((_, v)) = entries.iter().rev().find(|(k, _)| k == name) {
        return (Some(v), 0);
    }
    match entries
        .iter()
        .rev()
        .find(|(k, _)| key_names(k, name).is_some())
    {
        Some((_, v)) => (Some(v), 1),
        None => (None, 0),
    }
}
