//! The candidates a model's text holds, in the order BAML's parser considers them: the whole
//! text as JSON, the fences, each `{...}`/`[...]` (and all of them as one list), the text read
//! as one value, the text itself.

use std::borrow::Cow;

use super::lenient::{read_at, Loose};

/// The values a model's text may hold, in the order they are tried:
/// 1. the whole text, when it is one JSON value;
/// 2. each ```` ``` ```` fence's content (```` ```json ```` ones first, then those without a
///    language);
/// 3. each `{...}` or `[...]` in the text, in order (reading resumes after each one, so the
///    scan is linear), then, when there are several, all of them as one list;
/// 4. the whole text read leniently when it is one value (a quoted string, a number...);
/// 5. the whole text as a string, when none of the above was an object or an array.
///
/// Each is read only when the ones before it did not fit: `attempt` gets them one at a time
/// and the first `Some` it returns ends the search (so only one candidate is in memory).
///
/// For an unfinished text (`partial`), a bare word or number that runs to the end is not done
/// yet and the whole text is no string yet, as BAML's streaming parser has it: 4 and 5 then
/// give nothing.
pub(crate) fn first_candidate<T>(
    text: &str,
    partial: bool,
    mut attempt: impl FnMut(&Loose<'_>) -> Option<T>,
) -> Option<T> {
    let structured = std::cell::Cell::new(false);
    let mut attempt = |v: &Loose<'_>| {
        if matches!(v, Loose::Object { .. } | Loose::Array { .. }) {
            structured.set(true);
        }
        attempt(v)
    };
    let trimmed = text.trim();
    let offset = text.len() - text.trim_start().len();
    // Where the whole text was read as JSON: the scan of step 3 would read it again.
    let mut whole = None;
    if crate::json::validate(trimmed).is_ok() {
        if let (Some(v), _) = read_at(text, offset) {
            whole = Some(offset);
            if let Some(found) = attempt(&v) {
                return Some(found);
            }
        }
    }
    for marked in [true, false] {
        let mut rest = 0;
        while let Some(found) = fence_at(text, rest) {
            let open = found + 3;
            let body = text[open..].find('\n').map_or(text.len(), |i| open + i + 1);
            let lang = text[open..body].trim();
            let end = fence_at(text, body).unwrap_or(text.len());
            let json = lang.eq_ignore_ascii_case("json") || lang.eq_ignore_ascii_case("jsonc");
            if (marked && json) || (!marked && lang.is_empty()) {
                if let (Some(v), _) = read_at(&text[..end], body) {
                    if let Some(found) = attempt(&v) {
                        return Some(found);
                    }
                }
            }
            rest = (end + 3).min(text.len());
            if end >= text.len() {
                break;
            }
        }
    }
    let mut at = 0;
    // The values found, for step 3's last candidate: all of them as one list.
    let mut all = Vec::new();
    while let Some(found) = text[at..].find(['{', '[']) {
        let start = at + found;
        let (v, stop) = read_at(text, start);
        if let Some(v) = v.filter(|_| whole != Some(start)) {
            if let Some(found) = attempt(&v) {
                return Some(found);
            }
            all.push(v);
        }
        at = stop.max(start + 1);
    }
    // Several values one after another (`{...} {...}`): a list of them all, as BAML reads
    // them for a list type.
    if all.len() > 1 {
        let complete = all.last().is_some_and(Loose::complete);
        if let Some(found) = attempt(&Loose::Array {
            items: all,
            complete,
        }) {
            return Some(found);
        }
    }
    if !trimmed.starts_with(['{', '[']) && !trimmed.is_empty() {
        let (v, stop) = read_at(text, offset);
        if let Some(v) = v {
            let bare_and_open = matches!(
                v,
                Loose::Number {
                    complete: false,
                    ..
                } | Loose::Str {
                    quoted: false,
                    complete: false,
                    ..
                }
            );
            if text[stop..].trim().is_empty() && !(partial && bare_and_open) {
                if let Some(found) = attempt(&v) {
                    return Some(found);
                }
            }
        }
    }
    // The text itself, when it holds no structured value (a bool or enum named in prose, say).
    if !partial && !structured.get() {
        return attempt(&Loose::Str {
            text: Cow::Borrowed(trimmed),
            quoted: false,
            complete: true,
        });
    }
    None
}

/// Where the next ```` ``` ```` that begins a line (after spaces) is, from `from`: fences
/// open and close at a line's start, so a ```` ``` ```` block used as a value inside an
/// object is no fence.
fn fence_at(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = text[at..].find("```") {
        let here = at + found;
        // Only the spaces just before it are looked at, so the search stays linear.
        let before = text.as_bytes()[..here]
            .iter()
            .rev()
            .find(|c| !matches!(c, b' ' | b'\t' | b'\r'));
        if matches!(before, None | Some(b'\n')) {
            return Some(here);
        }
        at = here + 3;
    }
    None
}
