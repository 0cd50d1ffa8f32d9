//! Coercion guided by the target type, as BAML's schema-aligned parser does it: a loose value
//! becomes a typed [`Value`], or an error naming the field path and what was found.
//!
//! Work is linear in the value whatever the schema: a union first scores its options without
//! building anything, and that score is kept for the (value, union) pair, so a value met again
//! through another option (unions of shapes that share a recursive list) is not coerced again;
//! then only the winning option is built. A union met again on the same value while it is
//! being decided (a scalar against "a scalar or a list of myself") is a miss, not a loop.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::lenient::Loose;
use super::names::{mentions, Named};
use super::schema::{Field, Marks, Ty};
use super::words::{
    describe, display, find_key, integer, json_number, key_names, list_values, number_in, wanted,
};
use crate::value::Value;

mod containers;
mod marks;

/// Deeper than this many steps (a step is a nested value, a `$ref`, an option of a union or
/// of an optional), coercion stops with an error: room for every value the lenient reader
/// reads ([`super::lenient::MAX_DEPTH`] levels) at four steps each, and an end to `$ref` cycles.
const MAX_DEPTH: usize = 4 * super::lenient::MAX_DEPTH;

/// A coercion that did not fit: where, what was wanted, what was found.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Miss {
    pub path: String,
    pub message: String,
    /// Too deep: no option, optional or list leaves it out, it ends the coercion.
    pub fatal: bool,
    /// While streaming, a value that is not there yet (BAML's `@stream.*`).
    pub pending: Option<Pending>,
}

/// Why a value is not there yet while streaming.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pending {
    /// Not available yet (`@stream.done` on an unfinished value, an object waiting for a
    /// field): null in a field, left out of a list.
    NotYet,
    /// A `@stream.not_null` value is missing: what holds it is not available yet.
    Needed,
}

impl Miss {
    fn new(path: &Path, message: String) -> Miss {
        Miss {
            path: path.render(),
            message,
            fatal: false,
            pending: None,
        }
    }

    fn pending(path: &Path, pending: Pending, message: &str) -> Miss {
        Miss {
            pending: Some(pending),
            ..Miss::new(path, message.to_owned())
        }
    }
}

/// A coerced value and how much bending it took (lower is a closer fit). `hollow`: a single
/// value that did not fit a list's item type, kept as an empty list (a union does not take it).
pub(crate) struct Fit {
    pub value: Value,
    pub score: u32,
    hollow: bool,
}

impl Fit {
    fn new(value: Value, score: u32) -> Fit {
        Fit {
            value,
            score,
            hollow: false,
        }
    }

    fn bent(self, more: u32) -> Fit {
        Fit {
            score: self.score + more,
            ..self
        }
    }
}

/// Whether a coercion builds its value or only scores how well it fits.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Score,
    Build,
}

/// Where a value is, rendered only for an error (`items[2].qty`).
#[derive(Clone, Copy)]
pub(crate) enum Path<'p> {
    Root,
    Field(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(parent, name) => {
                let mut out = parent.render();
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
                out
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// A union's decision for one value: the option that fits best and its score.
#[derive(Clone)]
struct Choice {
    option: usize,
    score: u32,
    /// The option took the value as an empty list (see [`Fit`]): so does the union.
    hollow: bool,
}

enum Decision {
    Deciding,
    Decided(Result<Choice, Miss>),
}

/// A (value, type) pair, by address: the key of a union's decision.
type Pair = (usize, usize);

fn pair(v: &Loose, ty: &Ty) -> Pair {
    (v as *const Loose as usize, ty as *const Ty as usize)
}

/// Coerces one candidate value (make one per candidate: decisions are keyed by address).
pub(crate) struct Coercer<'s> {
    defs: &'s [Ty],
    partial: bool,
    decisions: RefCell<HashMap<Pair, Decision>>,
    /// The unions being built, on the current path.
    building: RefCell<HashSet<Pair>>,
    /// The (value, class) pairs being read by BAML's implied key (a one-field class taking
    /// a value that is not its object), on the current path: meeting one again is no fit,
    /// so a recursive one-field class ends at once (`{"x": 1}` for `Node { child Node? }`
    /// is `{"child": null}`, as baml-py has it). Compared by address only.
    implying: RefCell<Vec<(*const (), *const Field)>>,
}

impl<'s> Coercer<'s> {
    pub(crate) fn new(defs: &'s [Ty], partial: bool) -> Self {
        Coercer {
            defs,
            partial,
            decisions: RefCell::default(),
            building: RefCell::default(),
            implying: RefCell::default(),
        }
    }

    fn def(&self, i: usize) -> &'s Ty {
        self.defs.get(i).unwrap_or(&Ty::Any)
    }

    fn miss(&self, path: &Path, ty: &Ty, found: &Loose) -> Miss {
        Miss::new(
            path,
            format!("wanted {}, found {}", wanted(ty), describe(found)),
        )
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

    /// Whether a type is `@stream.not_null`, through the aliases and optionals around it.
    fn not_null(&self, ty: &Ty, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match ty {
            Ty::Marked(m) => m.not_null || self.not_null(&m.inner, depth + 1),
            Ty::Optional(t) => self.not_null(t, depth + 1),
            Ty::Ref(i) => self.not_null(self.def(*i), depth + 1),
            _ => false,
        }
    }

    /// Whether an unfinished string is worth giving this type (strings stream as they come).
    fn takes_text(&self, ty: &Ty, depth: usize) -> bool {
        match ty {
            Ty::String | Ty::Any | Ty::Union(_) => true,
            Ty::Optional(t) => self.takes_text(t, depth + 1),
            Ty::Marked(m) => self.takes_text(&m.inner, depth + 1),
            Ty::Ref(i) if depth < MAX_DEPTH => self.takes_text(self.def(*i), depth + 1),
            _ => false,
        }
    }

    /// The value of a missing field (or of nothing at all, in partial mode).
    fn absent(&self, ty: &Ty, path: &Path, depth: usize) -> Result<Fit, Miss> {
        match ty {
            Ty::Optional(_) | Ty::Any | Ty::Null => Ok(Fit::new(Value::Null, 0)),
            Ty::List(_) => Ok(Fit::new(Value::Array(Vec::new()), 0)),
            Ty::Map(_) if self.partial => Ok(Fit::new(Value::Object(Vec::new()), 0)),
            Ty::Ref(i) if depth < MAX_DEPTH => self.absent(self.def(*i), path, depth + 1),
            Ty::Marked(m) if depth < MAX_DEPTH => {
                self.marked(None, m, path, depth + 1, Mode::Build)
            }
            // Not yet in the text: fine while streaming, but a union prefers an option whose
            // fields are there (BAML picks `{id, thingy2}`'s class over one lacking them).
            _ if self.partial => Ok(Fit::new(Value::Null, 1)),
            _ => Err(Miss::new(
                path,
                format!("is missing (wanted {})", wanted(ty)),
            )),
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
                        let v = match f.skipped {
                            true => Value::Null,
                            false => self
                                .absent(&f.ty, &Path::Root, depth + 1)
                                .map_or(Value::Null, |fit| fit.value),
                        };
                        (f.name.clone(), v)
                    })
                    .collect(),
            ),
            Ty::Ref(i) if depth < MAX_DEPTH => self.empty(self.def(*i), depth + 1),
            Ty::Marked(m) if depth < MAX_DEPTH => self.empty(&m.inner, depth + 1),
            Ty::List(_) => Value::Array(Vec::new()),
            Ty::Map(_) => Value::Object(Vec::new()),
            _ => Value::Null,
        }
    }

    /// The value `v` (or nothing, in partial mode) coerced to `ty`.
    pub(crate) fn coerce(&self, v: Option<&Loose>, ty: &Ty) -> Result<Fit, Miss> {
        self.to(v, ty, &Path::Root, 0, Mode::Build)
    }

    fn to(
        &self,
        v: Option<&Loose>,
        ty: &Ty,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        if depth > MAX_DEPTH {
            return Err(Miss {
                fatal: true,
                ..Miss::new(path, format!("nests deeper than {MAX_DEPTH} levels"))
            });
        }
        let Some(v) = v.filter(|v| !self.unfinished(v, ty)) else {
            if self.partial && depth == 0 {
                return self.nothing_yet(ty, path, mode);
            }
            return self.absent(ty, path, depth);
        };
        let build = mode == Mode::Build;
        // The value, built only when it is asked for.
        let fit = |value: &dyn Fn() -> Value, score: u32| {
            Ok(Fit::new(if build { value() } else { Value::Null }, score))
        };
        match ty {
            Ty::Ref(i) => self.to(Some(v), self.def(*i), path, depth + 1, mode),
            Ty::Marked(m) => self.marked(Some(v), m, path, depth, mode),
            Ty::Optional(inner) => match v {
                Loose::Null => Ok(Fit::new(Value::Null, 0)),
                _ => match self.to(Some(v), inner, path, depth + 1, mode) {
                    Err(m) if !m.fatal => Ok(Fit::new(Value::Null, 1)),
                    // A value that is no list is null, not an empty list (baml-py: `int[]?`
                    // reads "x" as null).
                    Ok(f) if f.hollow => Ok(Fit::new(Value::Null, 1)),
                    other => other,
                },
            },
            Ty::Any => fit(&|| self.any(v), 0),
            Ty::Null => match v {
                Loose::Null => Ok(Fit::new(Value::Null, 0)),
                _ => Err(self.miss(path, ty, v)),
            },
            Ty::String => match v {
                Loose::Str { text, .. } => fit(&|| Value::String(text.to_string()), 0),
                Loose::Number { text, .. } => fit(&|| Value::String((*text).to_owned()), 1),
                Loose::Bool(b) => fit(&|| Value::String(b.to_string()), 1),
                Loose::Null => Err(self.miss(path, ty, v)),
                Loose::Array { .. } | Loose::Object { .. } => fit(
                    &|| {
                        let mut text = String::new();
                        display(v, &mut text);
                        Value::String(text)
                    },
                    2,
                ),
            },
            // A list where one value is wanted: its first item, as BAML takes it.
            Ty::Int | Ty::Float | Ty::Bool | Ty::Enum(_) | Ty::Literal(_)
                if matches!(v, Loose::Array { .. }) =>
            {
                let Loose::Array { items, .. } = v else {
                    unreachable!("matched an array")
                };
                match items.first() {
                    Some(first) => self
                        .to(Some(first), ty, &Path::Index(path, 0), depth + 1, mode)
                        .map(|f| f.bent(1)),
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
                Ok(Fit::new(Value::Number(n), score + rounded))
            }
            Ty::Float => {
                let (n, score) = match v {
                    Loose::Number { text, .. } => json_number(text).map(|n| (n, 0)),
                    Loose::Str { text, .. } => number_in(text),
                    _ => None,
                }
                .ok_or_else(|| self.miss(path, ty, v))?;
                Ok(Fit::new(Value::Number(n), score))
            }
            Ty::Bool => match v {
                Loose::Bool(b) => Ok(Fit::new(Value::Bool(*b), 0)),
                Loose::Str { text, .. } => match text.trim().to_ascii_lowercase().as_str() {
                    "true" => Ok(Fit::new(Value::Bool(true), 1)),
                    "false" => Ok(Fit::new(Value::Bool(false), 1)),
                    // In a sentence: the one of true and false it names ("The answer is true.").
                    _ => match (mentions(text, "true"), mentions(text, "false")) {
                        (true, false) => Ok(Fit::new(Value::Bool(true), 2)),
                        (false, true) => Ok(Fit::new(Value::Bool(false), 2)),
                        _ => Err(self.miss(path, ty, v)),
                    },
                },
                _ => Err(self.miss(path, ty, v)),
            },
            Ty::Enum(_) => self.enumeration(v, ty, path),
            Ty::Literal(want) => self.literal(v, want, ty, path, depth),
            Ty::List(item) => self.list(v, item, path, depth, mode),
            Ty::Map(values) => self.map(v, values, ty, path, depth, mode),
            Ty::Object(fields) => self.object(v, fields, ty, path, depth, mode),
            Ty::Union(options) => self.union(v, ty, options, path, depth, mode),
        }
    }

    /// Nothing of the answer yet (partial mode): a partial object is all its fields, absent;
    /// a lone scalar, a bare map and a type that waits (`@stream.done`, `@stream.not_null`)
    /// are not there yet (an error, as BAML's). Out of [`Self::to`], whose frame every
    /// nesting level pays for.
    #[inline(never)]
    fn nothing_yet(&self, ty: &Ty, path: &Path, mode: Mode) -> Result<Fit, Miss> {
        // Through the aliases, boundedly: `type A = A` names only itself.
        let mut waits = ty;
        for _ in 0..MAX_DEPTH {
            match waits {
                Ty::Ref(i) => waits = self.def(*i),
                _ => break,
            }
        }
        if let Ty::Marked(m) = waits {
            if m.done || m.not_null {
                return self.marked(None, m, path, 0, mode);
            }
        }
        // An object with a `@stream.not_null` field has no answer before that field is there
        // (baml-py: an error, where an object without one is every field null).
        if let Ty::Object(fields) = self.resolved(ty) {
            if fields.iter().any(|f| !f.skipped && self.not_null(&f.ty, 0)) {
                return Err(Miss::pending(path, Pending::Needed, "waits for a field"));
            }
        }
        // A map not begun is `{}` inside an object, but no answer yet on its own (BAML).
        let bare_map = matches!(self.resolved(ty), Ty::Map(_));
        match self.empty(ty, 0) {
            _ if bare_map => Err(Miss::new(
                &Path::Root,
                format!("is not complete yet (wanted {})", wanted(ty)),
            )),
            Value::Null if !matches!(ty, Ty::Optional(_) | Ty::Any | Ty::Null) => Err(Miss::new(
                &Path::Root,
                format!("is not complete yet (wanted {})", wanted(ty)),
            )),
            value => Ok(Fit::new(value, 0)),
        }
    }

    /// A union: decided once per value (scoring each option, building nothing), then, when
    /// building, only the winner is built.
    fn union(
        &self,
        v: &Loose,
        ty: &Ty,
        options: &[Ty],
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        let key = pair(v, ty);
        let choice = self.decide(key, v, ty, options, path, depth)?;
        let fit = |value| Fit {
            value,
            score: choice.score,
            hollow: choice.hollow,
        };
        if mode == Mode::Score {
            return Ok(fit(Value::Null));
        }
        // Building this union again inside itself would not end: a miss, as when deciding.
        if !self.building.borrow_mut().insert(key) {
            return Err(self.itself(path, ty));
        }
        let built = self.to(
            Some(v),
            &options[choice.option],
            path,
            depth + 1,
            Mode::Build,
        );
        self.building.borrow_mut().remove(&key);
        built.map(|f| fit(f.value))
    }

    fn itself(&self, path: &Path, ty: &Ty) -> Miss {
        Miss::new(path, format!("fits {} only as itself", wanted(ty)))
    }

    fn decide(
        &self,
        key: Pair,
        v: &Loose,
        ty: &Ty,
        options: &[Ty],
        path: &Path,
        depth: usize,
    ) -> Result<Choice, Miss> {
        match self.decisions.borrow().get(&key) {
            Some(Decision::Decided(made)) => return made.clone(),
            Some(Decision::Deciding) => return Err(self.itself(path, ty)),
            None => {}
        }
        self.decisions.borrow_mut().insert(key, Decision::Deciding);
        let mut best: Option<Choice> = None;
        let mut hollow: Option<Choice> = None;
        let mut first_miss = None;
        for (option, option_ty) in options.iter().enumerate() {
            match self.to(Some(v), option_ty, path, depth + 1, Mode::Score) {
                // A single value kept as an empty list is taken only when no option fits
                // otherwise (baml-py: `Person[] | Error` reads `"oops"` as `[]`).
                Ok(f) if f.hollow => {
                    hollow.get_or_insert(Choice {
                        option,
                        score: f.score,
                        hollow: true,
                    });
                }
                Ok(f) if best.as_ref().is_none_or(|b| f.score < b.score) => {
                    best = Some(Choice {
                        option,
                        score: f.score,
                        hollow: false,
                    })
                }
                Ok(_) => {}
                Err(m) if m.fatal => {
                    first_miss = Some(m);
                    best = None;
                    break;
                }
                Err(m) => {
                    first_miss.get_or_insert(m);
                }
            }
        }
        let fatal = first_miss.as_ref().is_some_and(|m| m.fatal);
        let best = best.or(hollow.filter(|_| !fatal));
        let made = best.ok_or_else(|| first_miss.unwrap_or_else(|| self.miss(path, ty, v)));
        self.decisions
            .borrow_mut()
            .insert(key, Decision::Decided(made.clone()));
        made
    }

    /// The type a `$ref` chain ends on (itself when it is no reference).
    fn resolved<'t>(&'t self, mut ty: &'t Ty) -> &'t Ty {
        for _ in 0..MAX_DEPTH {
            match ty {
                Ty::Ref(i) => ty = self.def(*i),
                Ty::Marked(m) => ty = &m.inner,
                _ => break,
            }
        }
        ty
    }

    /// The value as it is (numbers as written, JSON-normalised).
    fn any(&self, v: &Loose) -> Value {
        match v {
            Loose::Null => Value::Null,
            Loose::Bool(b) => Value::Bool(*b),
            Loose::Number { text, .. } => match json_number(text) {
                Some(n) => Value::Number(n),
                None => Value::String((*text).to_owned()),
            },
            Loose::Str { text, .. } => Value::String(text.to_string()),
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
                    .map(|(k, i)| (k.to_string(), self.any(i)))
                    .collect(),
            ),
        }
    }

    fn enumeration(&self, v: &Loose, ty: &Ty, path: &Path) -> Result<Fit, Miss> {
        let Ty::Enum(names) = ty else {
            return Err(self.miss(path, ty, v));
        };
        let text = match v {
            Loose::Str { text, .. } => &**text,
            Loose::Number { text, .. } => text,
            Loose::Bool(true) => "true",
            Loose::Bool(false) => "false",
            // An object of one entry where a value is wanted (`{"color": "RED"}`): its value.
            Loose::Object { entries, .. } if entries.len() == 1 => {
                return self.enumeration(&entries[0].1, ty, path).map(|f| f.bent(1))
            }
            _ => return Err(self.miss(path, ty, v)),
        };
        match names.named(text) {
            Named::One(value, score) => Ok(Fit::new(Value::String(value.to_owned()), score)),
            Named::Nothing => Err(self.miss(path, ty, v)),
            Named::Several(several) => Err(Miss::new(
                path,
                format!(
                    "names several of the values ({}), so which one is meant is unclear: {}",
                    list_values(&several),
                    describe(v)
                ),
            )),
        }
    }

    /// A literal: the value read as its own type, then compared (`"2"` is 2, `true` only true).
    /// Out of [`Self::to`], whose frame every nesting level pays for.
    #[inline(never)]
    fn literal(
        &self,
        v: &Loose,
        want: &Value,
        ty: &Ty,
        path: &Path,
        depth: usize,
    ) -> Result<Fit, Miss> {
        // An object of one entry holding a scalar: the scalar (BAML reads `{"status": 1}` as
        // the literal 1).
        if let Loose::Object { entries, .. } = v {
            if let [(_, inner)] = entries.as_slice() {
                if !matches!(inner, Loose::Object { .. } | Loose::Array { .. }) {
                    return self
                        .literal(inner, want, ty, path, depth + 1)
                        .map(|f| f.bent(1));
                }
            }
        }
        let as_type = match want {
            Value::Bool(_) => Ty::Bool,
            _ => Ty::Float,
        };
        let fit = self.to(Some(v), &as_type, path, depth + 1, Mode::Build)?;
        let same = match (&fit.value, want) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (a, b) => a == b,
        };
        match same {
            true => Ok(Fit::new(want.clone(), fit.score)),
            false => Err(self.miss(path, ty, v)),
        }
    }
}
