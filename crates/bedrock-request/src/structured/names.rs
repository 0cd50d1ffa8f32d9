//! Which of an enum's values a text names: exactly, loosely (letters and digits in any case),
//! or as the one value a sentence mentions ("I think the answer is **Red**."). The values are
//! indexed once, so reading a text costs time linear in the text however many values there
//! are (an array of a thousand-value enum reads as fast as one of three).

use std::collections::HashMap;

pub(crate) use super::unaccented::unaccented;

/// An enum's values, indexed for [`Names::named`].
#[derive(Clone, Debug)]
pub(crate) struct Names {
    values: Vec<String>,
    /// Each value as written → its index.
    exact: HashMap<String, usize>,
    /// Each value's letters and digits, lower case → the first value with them.
    loose: HashMap<String, usize>,
    /// Each value without accents, as written and in lower case, and the values by their
    /// leading word in each form: where a sentence's mentions are looked for.
    cased: Mentions,
    lower: Mentions,
}

/// Values in one form (as written or in lower case), indexed by their leading word.
#[derive(Clone, Debug, Default)]
struct Mentions {
    forms: Vec<String>,
    by_lead: HashMap<String, Vec<usize>>,
}

impl Mentions {
    fn add(&mut self, form: String) {
        if !form.is_empty() {
            self.by_lead
                .entry(lead(&form).to_owned())
                .or_default()
                .push(self.forms.len());
        }
        self.forms.push(form);
    }

    /// How often the text (in this form) mentions each value as whole words, the longest
    /// value at a place winning and mentions not overlapping: (index, count) pairs.
    fn counted(&self, text: &str) -> Vec<(usize, u32)> {
        let mut counts: HashMap<usize, u32> = HashMap::new();
        let mut after_word = false;
        let mut skip_to = 0;
        for (at, c) in text.char_indices() {
            if at >= skip_to && !after_word {
                let longest = self.by_lead.get(lead(&text[at..])).and_then(|ids| {
                    ids.iter()
                        .copied()
                        .filter(|&i| {
                            text[at..]
                                .strip_prefix(self.forms[i].as_str())
                                .is_some_and(|rest| !rest.chars().next().is_some_and(is_word))
                        })
                        .max_by_key(|&i| self.forms[i].len())
                });
                if let Some(i) = longest {
                    skip_to = at + self.forms[i].len();
                    *counts.entry(i).or_default() += 1;
                }
            }
            after_word = is_word(c);
        }
        counts.into_iter().collect()
    }
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
        let mut cased = Mentions::default();
        let mut lower = Mentions::default();
        for (i, value) in keys.iter().enumerate() {
            exact.entry(value.clone()).or_insert(i);
            let n = normalized(value);
            if !n.is_empty() {
                loose.entry(n).or_insert(i);
            }
            cased.add(unaccented(value).into_owned());
            lower.add(folded(value));
        }
        Names {
            values,
            exact,
            loose,
            cased,
            lower,
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
        // Mentions as written first (so "TWO" is not "one"), then in any case; the value
        // mentioned most often wins, and a tie is unclear (as BAML's substring match).
        let mut counts = self.cased.counted(&unaccented(text));
        if counts.is_empty() {
            counts = self.lower.counted(&folded(text));
        }
        let most = counts.iter().map(|&(_, n)| n).max().unwrap_or(0);
        counts.retain(|&(_, n)| n == most);
        counts.sort_unstable();
        match counts.as_slice() {
            [] => Named::Nothing,
            [(one, _)] => Named::One(&self.values[*one], 2),
            _ => Named::Several(
                counts
                    .iter()
                    .map(|(i, _)| self.values[*i].as_str())
                    .collect(),
            ),
        }
    }
}

/// Whether `text` has `word` (lower case) as a whole word, in any case.
pub(crate) fn mentions(text: &str, word: &str) -> bool {
    let mut forms = Mentions::default();
    forms.add(folded(word));
    !forms.counted(&folded(text)).is_empty()
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
