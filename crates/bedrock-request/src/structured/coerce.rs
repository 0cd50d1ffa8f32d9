//! Coercion guided by the target type, as BAML's schema-aligned parser does it: a loose value
//! becomes a typed [`Value`], or an error naming the field path and what was found.

use super::lenient::Loose;
use super::schema::{Field, Ty};
use crate::codec::quoted;
use crate::value::{Number, Value};

/// Deeper than this, a `$ref` cycle or a nested value stops with an error.
const MAX_DEPTH: usize = 128;

/// A coercion that did not fit: where, what was wanted, what was found.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Miss {
    pub path: String,
    pub message: String,
}

/// A coerced value and how much bending it took (lower is a closer fit).
pub(crate) struct Fit {
    pub value: Value,
    pub score: u32,
}

pub(crate) struct Coercer<'s> {
    pub defs: &'s [Ty],
    pub partial: bool,
}

fn describe(v: &Loose) -> String {
    match v {
        Loose::Null => "null".into(),
        Loose::Bool(b) => b.to_string(),
        Loose::Number { text, .. } => text.clone(),
        Loose::Str { text, .. } => {
            let short: String = text.chars().take(60).collect();
            let more = if text.chars().count() > 60 { "..." } else { "" };
            format!("{q_short}{more}", q_short = quoted(&short))
        }
        Loose::Array { items, .. } => format!("an array of {}", items.len()),
        Loose::Object { .. } => "an object".into(),
    }
}

fn wanted(ty: &Ty) -> String {
    match ty {
        Ty::Any => "any value".into(),
        Ty::Null => "null".into(),
        Ty::String => "a string".into(),
        Ty::Int => "an integer".into(),
        Ty::Float => "a number".into(),
        Ty::Bool => "true or false".into(),
        Ty::Enum(values) => format!("one of {}", values.join(", ")),
        Ty::List(_) => "an array".into(),
        Ty::Object(_) => "an object".into(),
        Ty::Union(_) => "one of the anyOf types".into(),
        Ty::Optional(t) => wanted(t),
        Ty::Ref(_) => "the referenced type".into(),
    }
}

/// A number's text as JSON writes it (`+1` → `1`, `.5` → `0.5`, `1.` → `1`).
fn json_number(text: &str) -> Option<Number> {
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
fn number_in(text: &str) -> Option<(Number, u32)> {
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
fn display(v: &Loose, out: &mut String) {
    match v {
        Loose::Null => out.push_str("null"),
        Loose::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Loose::Number { text, .. } | Loose::Str { text, .. } => out.push_str(text),
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
fn integer(n: &Number) -> Option<(Number, u32)> {
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

/// Letters and digits only, lower case: how keys and enum values are matched loosely.
fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which of `values` a text names.
pub(super) enum Named<'v> {
    /// This one, and how loosely (0 exactly, 1 in another case or spacing, 2 in a sentence).
    One(&'v str, u32),
    Nothing,
    /// A sentence names several: which is meant is unclear.
    Several(Vec<&'v str>),
}

/// The value a text names: exactly, loosely (letters and digits in any case), or as the one
/// value a sentence names ("I think the answer is **Red**."). The typed and serde paths share it.
pub(super) fn named<'v>(text: &str, values: &[&'v str]) -> Named<'v> {
    let bare = text.trim().trim_matches(|c: char| !c.is_alphanumeric());
    if let Some(exact) = values.iter().find(|e| **e == bare) {
        return Named::One(exact, 0);
    }
    let loose = normalized(bare);
    if let Some(close) = values
        .iter()
        .find(|e| !loose.is_empty() && normalized(e) == loose)
    {
        return Named::One(close, 1);
    }
    let mentioned: Vec<&str> = values
        .iter()
        .copied()
        .filter(|e| occurrences(text, e) > 0)
        .collect();
    match mentioned.as_slice() {
        [one] => Named::One(one, 2),
        [] => Named::Nothing,
        _ => Named::Several(mentioned),
    }
}

/// Counts whole-word, case-insensitive occurrences of `word` in `text`.
fn occurrences(text: &str, word: &str) -> usize {
    let lower = text.to_lowercase();
    let w = word.to_lowercase();
    if w.is_empty() {
        return 0;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find(&w) {
        let start = from + at;
        let end = start + w.len();
        if !is_word(lower[..start].chars().next_back()) && !is_word(lower[end..].chars().next()) {
            count += 1;
        }
        from = start + w.len().max(1);
    }
    count
}

impl Coercer<'_> {
    fn miss(&self, path: &str, ty: &Ty, found: &Loose) -> Miss {
        Miss {
            path: path.to_owned(),
            message: format!("wanted {}, found {}", wanted(ty), describe(found)),
        }
    }

    /// Whether a value is not a value yet: in partial mode, an unfinished number (and an
    /// unfinished string where a string is not wanted).
    fn unfinished(&self, v: &Loose, ty: &Ty) -> bool {
        self.partial
            && match v {
                Loose::Number { complete, .. } => !complete,
                Loose::Str { complete, .. } => !complete && !self.takes_text(ty, 0),
                _ => false,
            }
    }

    /// Whether an unfinished string is worth giving this type (strings stream as they come).
    fn takes_text(&self, ty: &Ty, depth: usize) -> bool {
        match ty {
            Ty::String | Ty::Any | Ty::Union(_) => true,
            Ty::Optional(t) => self.takes_text(t, depth + 1),
            Ty::Ref(i) if depth < MAX_DEPTH => {
                self.takes_text(self.defs.get(*i).unwrap_or(&Ty::Any), depth + 1)
            }
            _ => false,
        }
    }

    /// The value of a missing field (or of nothing at all, in partial mode).
    pub(crate) fn absent(&self, ty: &Ty, path: &str, depth: usize) -> Result<Fit, Miss> {
        let fit = |value| Ok(Fit { value, score: 0 });
        match ty {
            Ty::Optional(_) | Ty::Any | Ty::Null => fit(Value::Null),
            Ty::List(_) => fit(Value::Array(Vec::new())),
            Ty::Ref(i) if depth < MAX_DEPTH => {
                let def = self.defs.get(*i).unwrap_or(&Ty::Any);
                self.absent(def, path, depth + 1)
            }
            _ if self.partial => fit(Value::Null),
            _ => Err(Miss {
                path: path.to_owned(),
                message: format!("is missing (wanted {})", wanted(ty)),
            }),
        }
    }

    /// The value an object type has when nothing of it was read yet (partial mode): every
    /// field absent.
    pub(crate) fn empty(&self, ty: &Ty, depth: usize) -> Value {
        match ty {
            Ty::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|f| {
                        let v = self
                            .absent(&f.ty, &f.name, depth + 1)
                            .map_or(Value::Null, |fit| fit.value);
                        (f.name.clone(), v)
                    })
                    .collect(),
            ),
            Ty::Ref(i) if depth < MAX_DEPTH => {
                self.empty(self.defs.get(*i).unwrap_or(&Ty::Any), depth + 1)
            }
            Ty::List(_) => Value::Array(Vec::new()),
            _ => Value::Null,
        }
    }

    pub(crate) fn coerce(
        &self,
        v: Option<&Loose>,
        ty: &Ty,
        path: &str,
        depth: usize,
    ) -> Result<Fit, Miss> {
        if depth > MAX_DEPTH {
            return Err(Miss {
                path: path.to_owned(),
                message: format!("nests deeper than {MAX_DEPTH} levels"),
            });
        }
        let Some(v) = v.filter(|v| !self.unfinished(v, ty)) else {
            // Nothing of the answer yet: a partial object is all its fields, absent; a lone
            // scalar is not there yet (an error, as BAML's).
            if self.partial && depth == 0 {
                return match self.empty(ty, 0) {
                    Value::Null if !matches!(ty, Ty::Optional(_) | Ty::Any | Ty::Null) => {
                        Err(Miss {
                            path: String::new(),
                            message: format!("is not complete yet (wanted {})", wanted(ty)),
                        })
                    }
                    value => Ok(Fit { value, score: 0 }),
                };
            }
            return self.absent(ty, path, depth);
        };
        let fit = |value: Value, score: u32| Ok(Fit { value, score });
        match ty {
            Ty::Ref(i) => {
                let def = self.defs.get(*i).unwrap_or(&Ty::Any);
                self.coerce(Some(v), def, path, depth + 1)
            }
            Ty::Optional(inner) => match v {
                Loose::Null => fit(Value::Null, 0),
                _ => match self.coerce(Some(v), inner, path, depth + 1) {
                    Ok(f) => Ok(f),
                    Err(_) => fit(Value::Null, 1),
                },
            },
            Ty::Any => fit(self.any(v), 0),
            Ty::Null => match v {
                Loose::Null => fit(Value::Null, 0),
                _ => Err(self.miss(path, ty, v)),
            },
            Ty::String => match v {
                Loose::Str { text, .. } => fit(Value::String(text.clone()), 0),
                Loose::Number { text, .. } => fit(Value::String(text.clone()), 1),
                Loose::Bool(b) => fit(Value::String(b.to_string()), 1),
                Loose::Null => Err(self.miss(path, ty, v)),
                Loose::Array { .. } | Loose::Object { .. } => {
                    let mut text = String::new();
                    display(v, &mut text);
                    fit(Value::String(text), 2)
                }
            },
            // A list where one value is wanted: its first item, as BAML takes it.
            Ty::Int | Ty::Float | Ty::Bool | Ty::Enum(_) if matches!(v, Loose::Array { .. }) => {
                let Loose::Array { items, .. } = v else {
                    unreachable!("matched an array")
                };
                match items.first() {
                    Some(first) => self
                        .coerce(Some(first), ty, &format!("{path}[0]"), depth + 1)
                        .map(|f| Fit {
                            value: f.value,
                            score: f.score + 1,
                        }),
                    None => Err(self.miss(path, ty, v)),
                }
            }
            Ty::Int => {
                let (n, score) = match v {
                    Loose::Number { text, .. } => json_number(text).map(|n| (n, 0)),
                    Loose::Str { text, .. } => number_in(text),
                    _ => None,
                }
                .ok_or_else(|| self.miss(path, ty, v))?;
                let (n, rounded) = integer(&n).ok_or_else(|| self.miss(path, ty, v))?;
                fit(Value::Number(n), score + rounded)
            }
            Ty::Float => match v {
                Loose::Number { text, .. } => json_number(text)
                    .map(|n| Fit {
                        value: Value::Number(n),
                        score: 0,
                    })
                    .ok_or_else(|| self.miss(path, ty, v)),
                Loose::Str { text, .. } => number_in(text)
                    .map(|(n, score)| Fit {
                        value: Value::Number(n),
                        score,
                    })
                    .ok_or_else(|| self.miss(path, ty, v)),
                _ => Err(self.miss(path, ty, v)),
            },
            Ty::Bool => match v {
                Loose::Bool(b) => fit(Value::Bool(*b), 0),
                Loose::Str { text, .. } => match text.trim().to_ascii_lowercase().as_str() {
                    "true" => fit(Value::Bool(true), 1),
                    "false" => fit(Value::Bool(false), 1),
                    // In a sentence: the one of true and false it names ("The answer is true.").
                    _ => match (
                        occurrences(text, "true") > 0,
                        occurrences(text, "false") > 0,
                    ) {
                        (true, false) => fit(Value::Bool(true), 2),
                        (false, true) => fit(Value::Bool(false), 2),
                        _ => Err(self.miss(path, ty, v)),
                    },
                },
                _ => Err(self.miss(path, ty, v)),
            },
            Ty::Enum(values) => self.enumeration(v, values, ty, path),
            Ty::List(item) => self.list(v, item, path, depth),
            Ty::Object(fields) => self.object(v, fields, ty, path, depth),
            Ty::Union(options) => {
                let mut best: Option<Fit> = None;
                let mut first_miss = None;
                for option in options {
                    match self.coerce(Some(v), option, path, depth + 1) {
                        Ok(f) if best.as_ref().is_none_or(|b| f.score < b.score) => best = Some(f),
                        Ok(_) => {}
                        Err(m) => {
                            first_miss.get_or_insert(m);
                        }
                    }
                }
                best.ok_or_else(|| first_miss.unwrap_or_else(|| self.miss(path, ty, v)))
            }
        }
    }

    /// The value as it is (numbers as written, JSON-normalised).
    fn any(&self, v: &Loose) -> Value {
        match v {
            Loose::Null => Value::Null,
            Loose::Bool(b) => Value::Bool(*b),
            Loose::Number { text, .. } => match json_number(text) {
                Some(n) => Value::Number(n),
                None => Value::String(text.clone()),
            },
            Loose::Str { text, .. } => Value::String(text.clone()),
            Loose::Array { items, .. } => Value::Array(
                items
                    .iter()
                    .filter(|i| !self.unfinished(i, &Ty::Any))
                    .map(|i| self.any(i))
                    .collect(),
            ),
            Loose::Object { entries, .. } => Value::Object(
                entries
                    .iter()
                    .filter(|(_, i)| !self.unfinished(i, &Ty::Any))
                    .map(|(k, i)| (k.clone(), self.any(i)))
                    .collect(),
            ),
        }
    }

    fn enumeration(&self, v: &Loose, values: &[String], ty: &Ty, path: &str) -> Result<Fit, Miss> {
        let text = match v {
            Loose::Str { text, .. } | Loose::Number { text, .. } => text.as_str(),
            Loose::Bool(true) => "true",
            Loose::Bool(false) => "false",
            // An object of one entry where a value is wanted (`{"color": "RED"}`): its value.
            Loose::Object { entries, .. } if entries.len() == 1 => {
                return self
                    .enumeration(&entries[0].1, values, ty, path)
                    .map(|f| Fit {
                        value: f.value,
                        score: f.score + 1,
                    })
            }
            _ => return Err(self.miss(path, ty, v)),
        };
        let names: Vec<&str> = values.iter().map(String::as_str).collect();
        match named(text, &names) {
            Named::One(value, score) => Ok(Fit {
                value: Value::String(value.to_owned()),
                score,
            }),
            Named::Nothing => Err(self.miss(path, ty, v)),
            Named::Several(several) => Err(Miss {
                path: path.to_owned(),
                message: format!(
                    "names several of the values ({}), so which one is meant is unclear: {}",
                    several.join(", "),
                    describe(v)
                ),
            }),
        }
    }

    fn list(&self, v: &Loose, item: &Ty, path: &str, depth: usize) -> Result<Fit, Miss> {
        let Loose::Array { items, .. } = v else {
            // A single value where a list is wanted is a one-item list (or none, when it does
            // not fit the item type).
            return Ok(match self.coerce(Some(v), item, path, depth + 1) {
                Ok(f) => Fit {
                    value: Value::Array(vec![f.value]),
                    score: f.score + 1,
                },
                Err(_) => Fit {
                    value: Value::Array(Vec::new()),
                    score: 2,
                },
            });
        };
        let mut out = Vec::with_capacity(items.len());
        let mut score = 0;
        for (i, element) in items.iter().enumerate() {
            if self.unfinished(element, item) {
                continue;
            }
            match self.coerce(Some(element), item, &format!("{path}[{i}]"), depth + 1) {
                Ok(f) => {
                    score += f.score;
                    out.push(f.value);
                }
                // An item that does not fit is left out, as BAML does.
                Err(_) => score += 1,
            }
        }
        Ok(Fit {
            value: Value::Array(out),
            score,
        })
    }

    fn object(
        &self,
        v: &Loose,
        fields: &[Field],
        ty: &Ty,
        path: &str,
        depth: usize,
    ) -> Result<Fit, Miss> {
        let entries = match v {
            Loose::Object { entries, .. } => entries,
            // A list where one object is wanted: its first item that fits.
            Loose::Array { items, .. } => {
                return items
                    .iter()
                    .find_map(|item| match item {
                        Loose::Object { .. } => self.object(item, fields, ty, path, depth + 1).ok(),
                        _ => None,
                    })
                    .map(|f| Fit {
                        value: f.value,
                        score: f.score + 1,
                    })
                    .ok_or_else(|| self.miss(path, ty, v))
            }
            _ => return Err(self.miss(path, ty, v)),
        };
        let mut out = Vec::with_capacity(fields.len());
        let mut score = 0;
        for field in fields {
            let (entry, bent) = find_key(entries, &field.name);
            score += bent;
            let at = if path.is_empty() {
                field.name.clone()
            } else {
                format!("{path}.{}", field.name)
            };
            let fit = self.coerce(entry, &field.ty, &at, depth + 1)?;
            score += fit.score;
            out.push((field.name.clone(), fit.value));
        }
        Ok(Fit {
            value: Value::Object(out),
            score,
        })
    }
}

/// The entry for a field: the exact key, else the key matched case-insensitively (as BAML:
/// `firstName` is not `first_name`); the second value says how loosely. A repeated key's last
/// value wins, as in JSON.
fn find_key<'l>(entries: &'l [(String, Loose)], name: &str) -> (Option<&'l Loose>, u32) {
    if let Some((_, v)) = entries.iter().rev().find(|(k, _)| k == name) {
        return (Some(v), 0);
    }
    let wanted = name.to_lowercase();
    match entries
        .iter()
        .rev()
        .find(|(k, _)| k.trim().to_lowercase() == wanted)
    {
        Some((_, v)) => (Some(v), 1),
        None => (None, 0),
    }
}
