//! Which of an enum's values a text names: exactly, loosely (letters and digits in any case),
//! or as the one value a sentence mentions ("I think the answer is **Red**."). A value's names
//! (its alias or name, its description, both joined) are indexed once by their first word, so
//! reading a text costs time linear in the text, times the names that share the word a mention
//! starts with: not the number of values (an array of a thousand-value enum reads as fast as
//! one of three), but descriptions that all begin "The ..." are each tried at every "the".

use std::collections::HashMap;

pub(crate) use super::unaccented::unaccented;

/// An enum's values, indexed for [`Names::named`] by the names a text may give them.
#[derive(Clone, Debug)]
pub(crate) struct Names {
    values: Vec<String>,
    /// Each name as written → its value's index.
    exact: HashMap<String, usize>,
    /// Each name's letters and digits, lower case → the first value with them.
    loose: HashMap<String, usize>,
    /// Each name without accents, as written and in lower case, and the names by their
    /// leading word in each form: where a sentence's mentions are looked for.
    cased: Mentions,
    lower: Mentions,
    /// Each name's value (names and forms share their index).
    owner: Vec<usize>,
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
        Names::named_by(pairs.into_iter().map(|(v, name)| (v, vec![name])).collect())
    }

    /// Indexes each value with the names a text may give it (BAML's enum candidates: its
    /// alias or name, its `@description`, and `alias: description`).
    pub(crate) fn named_by(entries: Vec<(String, Vec<String>)>) -> Names {
        let mut names = Names {
            values: Vec::with_capacity(entries.len()),
            exact: HashMap::with_capacity(entries.len()),
            loose: HashMap::with_capacity(entries.len()),
            cased: Mentions::default(),
            lower: Mentions::default(),
            owner: Vec::with_capacity(entries.len()),
        };
        for (i, (value, keys)) in entries.into_iter().enumerate() {
            names.values.push(value);
            for key in keys {
                names.exact.entry(key.clone()).or_insert(i);
                let n = normalized(&key);
                if !n.is_empty() {
                    names.loose.entry(n).or_insert(i);
                }
                names.cased.add(unaccented(&key).into_owned());
                names.lower.add(folded(&key));
                names.owner.push(i);
            }
        }
        names
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
        // Mentions of a value by its several names count together.
        let mut by_value: HashMap<usize, u32> = HashMap::new();
        for (form, n) in counts {
            *by_value.entry(self.owner[form]).or_default() += n;
        }
        let mut counts: Vec<(usize, u32)> = by_value.into_iter().collect();
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
