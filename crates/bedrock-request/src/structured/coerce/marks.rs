//! BAML's attributes on a type: `@check`/`@assert` (always) and `@stream.*` (while streaming).

use super::*;

impl Coercer<'_> {
    /// `v` (or nothing: an absent field) coerced to a type with BAML's attributes:
    /// - `@stream.done`: an unfinished value is not there yet (null in a field, left out of a
    ///   list);
    /// - `@stream.not_null`: a missing value (or one null so far) keeps what holds it from
    ///   being there;
    /// - `@stream.with_state`: `{"value": ..., "state": "Pending" | "Incomplete" |
    ///   "Complete"}`;
    /// - `@check`: the value becomes `{"value": ..., "checks": {name: {name, expression,
    ///   status}}}` (baml-py's `Checked`);
    /// - `@assert`: a value that fails it does not fit (not checked while streaming: the
    ///   value is not whole yet).
    #[inline(never)]
    pub(super) fn marked(
        &self,
        v: Option<&Loose>,
        m: &Marks,
        path: &Path,
        depth: usize,
        mode: Mode,
    ) -> Result<Fit, Miss> {
        let streaming = self.partial;
        if streaming && m.done && v.is_some_and(|v| !v.complete()) {
            return Err(Miss::pending(path, Pending::NotYet, "is not complete yet"));
        }
        // Checks read the value: it is built for them.
        let mode = match m.checks.is_empty() {
            true => mode,
            false => Mode::Build,
        };
        let inner = match v {
            Some(v) => self.to(Some(v), &m.inner, path, depth + 1, mode),
            None => self.absent(&m.inner, path, depth + 1),
        };
        let fit = match inner {
            Err(miss) if streaming && m.not_null && miss.pending.is_some() => {
                return Err(Miss::pending(path, Pending::Needed, "is not there yet"));
            }
            other => other?,
        };
        // Missing, or null so far in an unfinished value; a null the model wrote is final.
        let not_yet = match v {
            None => true,
            Some(v) => !v.complete() && mode == Mode::Build && fit.value == Value::Null,
        };
        if streaming && m.not_null && not_yet {
            return Err(Miss::pending(path, Pending::Needed, "is null yet"));
        }
        let score = fit.score;
        let mut value = fit.value;
        let mut checks = Vec::new();
        for c in &m.checks {
            let holds = c.holds(&value);
            if !c.assert {
                // A failed check is reported, not held against the value: baml-py picks the
                // first of two classes that fit alike, whichever check fails.
                let status = if holds { "succeeded" } else { "failed" };
                let result = vec![
                    ("name".to_owned(), Value::String(c.name.clone())),
                    ("expression".to_owned(), Value::String(c.expression.clone())),
                    ("status".to_owned(), Value::String(status.to_owned())),
                ];
                checks.push((c.name.clone(), Value::Object(result)));
            } else if !holds && !streaming {
                return Err(Miss::new(
                    path,
                    format!(
                        "fails @assert({}, {{{{ {} }}}}) with {}",
                        c.name,
                        c.expression,
                        value.to_json()
                    ),
                ));
            }
        }
        if !checks.is_empty() {
            value = Value::Object(vec![
                ("value".to_owned(), value),
                ("checks".to_owned(), Value::Object(checks)),
            ]);
        }
        if streaming && m.with_state && mode == Mode::Build {
            let state = match v {
                None => "Pending",
                Some(v) if v.complete() => "Complete",
                Some(_) => "Incomplete",
            };
            value = Value::Object(vec![
                ("value".to_owned(), value),
                ("state".to_owned(), Value::String(state.to_owned())),
            ]);
        }
        Ok(Fit::new(value, score))
    }
}
