//! Lists, maps and objects: items that do not fit left out, keys matched loosely, BAML's
//! implied key for one-field classes.

use super::*;

impl Coercer<'_> {
    pub(super) fn list(
        &self,
        v: &Loose,
        item: &Ty,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        let Loose::Array { items, .. } = v else {
            // A single value where a list is wanted is a one-item list (or none, when it does
            // not fit the item type).
            return Ok(match self.to(Some(v), item, path, depth + 1, mode) {
                Ok(f) => Fit::new(Value::Array(vec![f.value]), f.score + 1),
                Err(m) if m.fatal => return Err(m),
                // Nothing of it fits: an empty list, worse than any list read from an array
                // (BAML takes `["1", "2"]` from a later fence over an object in the first).
                Err(_) => Fit {
                    value: Value::Array(Vec::new()),
                    score: 3,
                    hollow: true,
                },
            });
        };
        let mut out = Vec::new();
        if mode == Mode::Build {
            out.reserve(items.len());
        }
        let mut score = 0;
        for (i, element) in items.iter().enumerate() {
            if self.unfinished(element, item) {
                continue;
            }
            match self.to(Some(element), item, &Path::Index(path, i), depth + 1, mode) {
                Ok(f) => {
                    score += f.score;
                    if mode == Mode::Build {
                        out.push(f.value);
                    }
                }
                Err(m) if m.fatal => return Err(m),
                // An item that does not fit is left out, as BAML does.
                Err(_) => score += 1,
            }
        }
        Ok(Fit::new(Value::Array(out), score))
    }

    /// A map: every entry's value coerced to `values` (one that does not fit is left out, as
    /// a list's items are); a key given twice keeps its last value, in its first place.
    #[inline(never)]
    pub(super) fn map(
        &self,
        v: &Loose,
        values: &Ty,
        ty: &Ty,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        let Loose::Object { entries, .. } = v else {
            return Err(self.miss(path, ty, v));
        };
        let mut out: Vec<(String, Value)> = Vec::new();
        let mut score = 0;
        for (key, entry) in entries {
            if self.unfinished(entry, values) {
                continue;
            }
            match self.to(
                Some(entry),
                values,
                &Path::Field(path, key),
                depth + 1,
                mode,
            ) {
                Ok(f) => {
                    score += f.score;
                    if mode == Mode::Build {
                        match out.iter_mut().find(|(k, _)| k == key.as_ref()) {
                            Some(slot) => slot.1 = f.value,
                            None => out.push((key.to_string(), f.value)),
                        }
                    }
                }
                Err(m) if m.fatal => return Err(m),
                Err(_) => score += 1,
            }
        }
        Ok(Fit::new(Value::Object(out), score))
    }

    /// Whether a type is a list (through optionals and named definitions).
    fn is_list(&self, ty: &Ty) -> bool {
        match ty {
            Ty::List(_) => true,
            Ty::Optional(inner) => self.is_list(inner),
            Ty::Marked(m) => self.is_list(&m.inner),
            Ty::Ref(i) => self.defs.get(*i).is_some_and(|d| matches!(d, Ty::List(_))),
            _ => false,
        }
    }

    #[inline(never)]
    pub(super) fn object(
        &self,
        v: &Loose,
        fields: &[Field],
        ty: &Ty,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        if let Some(done) = self.implied_first(v, fields, ty, path, depth, mode) {
            return done;
        }
        let entries = match v {
            Loose::Object { entries, .. } => entries,
            // A list where one object is wanted: its first item that fits, bent by every item
            // set aside (a reading that drops a list's other objects is a poor one).
            Loose::Array { items, .. } => {
                let set_aside = u32::try_from(items.len()).unwrap_or(u32::MAX);
                for item in items {
                    if let Loose::Object { .. } = item {
                        match self.object(item, fields, ty, path, depth + 1, mode) {
                            Ok(f) => return Ok(f.bent(set_aside)),
                            Err(m) if m.fatal => return Err(m),
                            Err(_) => {}
                        }
                    }
                }
                return Err(self.miss(path, ty, v));
            }
            _ => return Err(self.miss(path, ty, v)),
        };
        let mut out = Vec::new();
        let mut score = 0;
        for field in fields {
            if field.skipped {
                if mode == Mode::Build {
                    out.push((field.name.clone(), Value::Null));
                }
                continue;
            }
            let key = field.alias.as_deref().unwrap_or(&field.name);
            let (entry, bent) = find_key(entries, key);
            score += bent;
            let fit = match self.to(
                entry,
                &field.ty,
                &Path::Field(path, &field.name),
                depth + 1,
                mode,
            ) {
                Ok(fit) => fit,
                Err(m) => {
                    match self.field_missed(m, v, fields, field, entry.is_none(), path, depth, mode)
                    {
                        Missed::Null => Fit::new(Value::Null, 1),
                        Missed::Object(done) => return done,
                    }
                }
            };
            score += fit.score;
            if mode == Mode::Build {
                out.push((field.name.clone(), fit.value));
            }
        }
        // Keys no field reads count against the fit, as BAML's extra keys do: of two classes
        // that both fit, the one that reads the whole object is chosen.
        score += extra_keys(entries, fields);
        Ok(Fit::new(Value::Object(out), score))
    }

    /// BAML's implied key, tried first: a class of one field takes a number, a bool or a list
    /// (for a list field) as that field's value (`1214` is `{"foo": 1214}`). Text does not:
    /// prose would become any string field. `Some` ends the object's coercion. Out of
    /// [`Self::object`], whose frame every nesting level pays for.
    #[inline(never)]
    fn implied_first(
        &self,
        v: &Loose,
        fields: &[Field],
        ty: &Ty,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Option<Result<Fit, Miss>> {
        let pair = ((v as *const Loose).cast::<()>(), fields.as_ptr());
        if self.implying.borrow().contains(&pair) {
            return Some(Err(self.miss(path, ty, v)));
        }
        let only = one_field(fields)?;
        let implied = match v {
            Loose::Number { .. } | Loose::Bool(_) => true,
            Loose::Array { .. } => self.is_list(&only.ty),
            _ => false,
        };
        if !implied {
            return None;
        }
        match self.implied(v, fields, only, path, depth, mode) {
            Err(m) if !m.fatal => None,
            done => Some(done),
        }
    }

    /// A field that did not fit: while streaming, one not there yet is null and one that must
    /// not be null keeps the object from being there yet; an object without the one field's
    /// key is perhaps that field's value (BAML's implied key); else the miss ends the object.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn field_missed(
        &self,
        miss: Miss,
        v: &Loose,
        fields: &[Field],
        field: &Field,
        absent: bool,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Missed {
        match miss.pending {
            Some(Pending::NotYet) => return Missed::Null,
            Some(Pending::Needed) => {
                return Missed::Object(Err(Miss::pending(
                    path,
                    Pending::NotYet,
                    "waits for a field",
                )))
            }
            None => {}
        }
        // While streaming, every field is optional (BAML's partial types): one that does not
        // fit is null, and the rest of the object stands; a `@stream.not_null` one keeps the
        // object from being there, as when it is missing (baml-py leaves it out of a list).
        if self.partial && !miss.fatal && !absent {
            return match self.not_null(&field.ty, 0) {
                false => Missed::Null,
                true => Missed::Object(Err(Miss::pending(
                    path,
                    Pending::NotYet,
                    "waits for a field that does not fit yet",
                ))),
            };
        }
        if !miss.fatal && absent && one_field(fields).is_some() {
            return Missed::Object(match self.implied(v, fields, field, path, depth, mode) {
                Err(e) if !e.fatal => Err(miss),
                done => done,
            });
        }
        Missed::Object(Err(miss))
    }

    /// `v` as the value of a one-field class's field `only` (BAML's implied key).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn implied(
        &self,
        v: &Loose,
        fields: &[Field],
        only: &Field,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        let pair = ((v as *const Loose).cast::<()>(), fields.as_ptr());
        let at = Path::Field(path, &only.name);
        self.implying.borrow_mut().push(pair);
        let inner = self.to(Some(v), &only.ty, &at, depth + 1, mode);
        self.implying.borrow_mut().pop();
        let fit = inner?;
        let mut out = Vec::new();
        if mode == Mode::Build {
            for field in fields {
                let value = match field.skipped {
                    true => Value::Null,
                    false => fit.value.clone(),
                };
                out.push((field.name.clone(), value));
            }
        }
        Ok(Fit::new(Value::Object(out), fit.score + 1))
    }
}

/// What became of a field that did not fit.
enum Missed {
    /// It is null (streaming: not there yet).
    Null,
    /// The object ends with this.
    Object(Result<Fit, Miss>),
}

/// The one field a class reads, when it has exactly one (skipped ones aside).
fn one_field(fields: &[Field]) -> Option<&Field> {
    let mut read = fields.iter().filter(|f| !f.skipped);
    match (read.next(), read.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// How many of an object's keys none of the fields reads (by name or alias, as `find_key`
/// matches them).
fn extra_keys(entries: &[(std::borrow::Cow<'_, str>, Loose<'_>)], fields: &[Field]) -> u32 {
    let mut extra = 0;
    for (key, _) in entries {
        let read = fields
            .iter()
            .any(|f| key_names(key, f.alias.as_deref().unwrap_or(&f.name)).is_some());
        if !read {
            extra += 1;
        }
    }
    extra
}
