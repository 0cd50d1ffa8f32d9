//! Which of an enum's values a text names: exactly, loosely (letters and digits in any case),
//! or as the one value a sentence mentions ("I think the answer is **Red**."). The values are
//! indexed once, so reading a text costs time linear in the text however many values there
//! are (an array of a thousand-value enum reads as fast as one of three).

use std::borrow::Cow;
use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// An enum's values, indexed for [`Names::named`].
#[derive(Clone, Debug)]
pub(crate) struct Names {
    values: Vec<String>,
    /// Each value as written → its index.
    exact: HashMap<String, usize>,
    /// Each value's letters and digits, lower case → the first value with them.
    loose: HashMap<String, usize>,
    /// Each value in lower case, and its values by their leading word (in lower case).
    lower: Vec<String>,
    by_lead: HashMap<String, Vec<usize>>,
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

/// Which of the values a text names.
pub(crate) enum Named<'v> {
    /// This one, and how loosely (0 exactly, 1 in another case or spacing, 2 in a sentence).
    One(&'v str, u32),
    Nothing,
    /// A sentence names several: which is meant is unclear.
    Several(Vec<&'v str>),
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text without its accents, as BAML matches names: the ligatures ß, æ, ø, œ spelt out,
/// then NFKD with the combining marks dropped ("Señor" → "Senor", "Straße" → "Strasse").
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
            c => out.extend(std::iter::once(c).nfkd().filter(|c| !is_combining_mark(*c))),
        }
    }
    Cow::Owned(out)
}

/// A text in lower case without its accents: how mentions are found.
fn folded(s: &str) -> String {
    unaccented(s).to_lowercase()
}

/// Letters and digits only, lower case, no accents: how keys and enum values are matched loosely.
fn normalized(s: &str) -> String {
    unaccented(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The leading word of a lower-case text (its first character when that is no word
/// character): where a mention of it can start, and the key it is indexed by.
fn lead(lower: &str) -> &str {
    let Some(first) = lower.chars().next() else {
        return "";
    };
    if !is_word(first) {
        return &lower[..first.len_utf8()];
    }
    let end = lower.find(|c: char| !is_word(c)).unwrap_or(lower.len());
    &lower[..end]
}

impl Names {
    /// Indexes these values.
    pub(crate) fn new<S: AsRef<str>>(values: &[S]) -> Names {
        let pairs: Vec<(String, String)> = values
            .iter()
            .map(|v| (v.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        Names::aliased(pairs)
    }

    /// Indexes `(value, name in the text)` pairs: a text names a value by its alias (BAML's
    /// `@alias`), and the value is what comes out.
    pub(crate) fn aliased(pairs: Vec<(String, String)>) -> Names {
        let (values, keys): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        let mut exact = HashMap::with_capacity(values.len());
        let mut loose = HashMap::with_capacity(values.len());
        let mut by_lead: HashMap<String, Vec<usize>> = HashMap::new();
        let mut lower = Vec::with_capacity(values.len());
        for (i, value) in keys.iter().enumerate() {
            exact.entry(value.clone()).or_insert(i);
            let n = normalized(value);
            if !n.is_empty() {
                loose.entry(n).or_insert(i);
            }
            let l = folded(value);
            if !l.is_empty() {
                by_lead.entry(lead(&l).to_owned()).or_default().push(i);
            }
            lower.push(l);
        }
        Names {
            values,
            exact,
            loose,
            lower,
            by_lead,
        }
    }

    /// The values, in the schema's order.
    pub(crate) fn values(&self) -> &[String] {
        &self.values
    }

    /// The value a text names: exactly, loosely, or as the one value it mentions as a whole
    /// word, in any case. The typed and serde paths share it.
    pub(crate) fn named(&self, text: &str) -> Named<'_> {
        let bare = text.trim().trim_matches(|c: char| !c.is_alphanumeric());
        if let Some(&i) = self.exact.get(bare) {
            return Named::One(&self.values[i], 0);
        }
        let loose = normalized(bare);
        if let Some(&i) = self.loose.get(&loose) {
            return Named::One(&self.values[i], 1);
        }
        let mut mentioned = self.mentioned(text);
        mentioned.sort_unstable();
        mentioned.dedup();
        match mentioned.as_slice() {
            [] => Named::Nothing,
            [one] => Named::One(&self.values[*one], 2),
            _ => Named::Several(mentioned.iter().map(|i| self.values[*i].as_str()).collect()),
        }
    }

    /// The indexes of the values the text mentions as whole words (in any case, accents or
    /// not): at each place a word can start, only the values with that leading word are compared.
    fn mentioned(&self, text: &str) -> Vec<usize> {
        let lower = folded(text);
        let mut found = Vec::new();
        let mut after_word = false;
        for (at, c) in lower.char_indices() {
            if !after_word {
                if let Some(ids) = self.by_lead.get(lead(&lower[at..])) {
                    for &i in ids {
                        let value = &self.lower[i];
                        let ends_word = lower[at..]
                            .strip_prefix(value.as_str())
                            .is_some_and(|rest| !rest.chars().next().is_some_and(is_word));
                        if ends_word {
                            found.push(i);
                        }
                    }
                }
            }
            after_word = is_word(c);
        }
        found
    }
}

/// Whether `text` has `word` (lower case) as a whole word, in any case.
pub(crate) fn mentions(text: &str, word: &str) -> bool {
    let names = Names::new(&[word]);
    !names.mentioned(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(names: &Names, text: &str) -> Option<(String, u32)> {
        match names.named(text) {
            Named::One(v, s) => Some((v.to_owned(), s)),
            _ => None,
        }
    }

    #[test]
    fn exact_loose_and_in_a_sentence() {
        let names = Names::new(&["Red", "Dark Blue", "gpt-4", "C++"]);
        assert_eq!(one(&names, "Red"), Some(("Red".into(), 0)));
        assert_eq!(one(&names, "  **red** "), Some(("Red".into(), 1)));
        assert_eq!(one(&names, "darkblue"), Some(("Dark Blue".into(), 1)));
        assert_eq!(
            one(&names, "I think it is dark blue, surely."),
            Some(("Dark Blue".into(), 2))
        );
        assert_eq!(one(&names, "use GPT-4 here"), Some(("gpt-4".into(), 2)));
        assert_eq!(one(&names, "Reddish"), None);
        assert!(
            matches!(names.named("red or dark blue"), Named::Several(v) if v == ["Red", "Dark Blue"])
        );
        assert!(mentions("The answer is TRUE.", "true"));
        let accented = Names::new(&["Café", "Straße", "Naïve"]);
        assert_eq!(one(&accented, "cafe"), Some(("Café".into(), 1)));
        assert_eq!(one(&accented, "STRASSE"), Some(("Straße".into(), 1)));
        assert_eq!(one(&accented, "a naive plan"), Some(("Naïve".into(), 2)));
        assert!(!mentions("untrue", "true"));
    }

    #[test]
    fn a_mention_after_a_failed_one_is_found() {
        // "aa" inside "aaa" is no whole word; the one after it is.
        let names = Names::new(&["aa"]);
        assert_eq!(one(&names, "aaa aa!"), Some(("aa".into(), 2)));
    }
}
