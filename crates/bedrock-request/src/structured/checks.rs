//! BAML's `@check(name, {{ expr }})` and `@assert(name, {{ expr }})`: named conditions over
//! `this` (the value), in the subset of Jinja that BAML's docs and tests use:
//!
//! - `this`, `this.field`, `this["key"]`, `this[0]`; literals (numbers, `"text"` or `'text'`,
//!   `true`/`false`/`none`, in any case);
//! - the filters `length`, `lower`, `upper`, `abs`, `sum` (of a list's numbers) and BAML's
//!   `regex_match("pattern")` (a match anywhere in the text, as BAML's; a pattern that is not
//!   a regular expression is refused when the types are read, where BAML answers false);
//! - `==`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `not`, parentheses.
//!
//! Anything else (other filters, calls, arithmetic) is refused when the types are read, with
//! an error that names it. A check that fails marks the value (`"status": "failed"` in its
//! `checks`; baml-py does not hold it against the value in a union either); an assert that
//! fails makes the value no fit.

use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// The deepest nesting an expression may have (parentheses, `not`, filters).
const MAX_DEPTH: usize = 32;

/// One `@check` or `@assert`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Constraint {
    pub name: String,
    /// The expression as baml-py reports it: as written, trimmed, each `\` doubled.
    pub expression: String,
    /// `@assert` (the value must pass), not `@check` (the result is reported).
    pub assert: bool,
    expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    This,
    Literal(Value),
    Field(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Filter(Box<Expr>, Filter),
    Not(Box<Expr>),
    Compare(Box<Expr>, Op, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug)]
enum Filter {
    Length,
    Lower,
    Upper,
    Abs,
    Sum,
    Matches(regex_lite::Regex),
}

impl PartialEq for Filter {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Filter::Matches(a), Filter::Matches(b)) => a.as_str() == b.as_str(),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Constraint {
    /// Reads `name, {{ expression }}` (the arguments of `@check` / `@assert`); `owner` names
    /// where it is, for errors.
    pub(crate) fn read(owner: &str, args: &str, assert: bool) -> Result<Constraint> {
        let what = if assert { "@assert" } else { "@check" };
        let bad = |why: String| {
            Error::new(
                ErrorKind::StructuredOutput,
                format!("{owner}: {what}({}): {why}", args.trim()),
            )
        };
        let (name, rest) = args
            .split_once(',')
            .ok_or_else(|| bad("takes a name and {{ an expression }}".into()))?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(bad(format!(
                "{name:?} is not a check's name (letters, digits, _)"
            )));
        }
        let expression = rest
            .trim()
            .strip_prefix("{{")
            .and_then(|e| e.strip_suffix("}}"))
            .ok_or_else(|| bad("the expression goes in {{ }}".into()))?
            .trim();
        let mut parser = Parser {
            text: expression,
            at: 0,
        };
        let expr = parser.or(0).map_err(&bad)?;
        parser.space();
        if parser.at < expression.len() {
            return Err(bad(format!(
                "{:?} is not understood here (supported: this, .field, [key], literals, \
                 |length |lower |upper |abs |sum |regex_match, comparisons, and, or, not)",
                &expression[parser.at..]
            )));
        }
        Ok(Constraint {
            name: name.to_owned(),
            expression: expression.replace('\\', "\\\\"),
            assert,
            expr,
        })
    }

    /// Whether the value passes.
    pub(crate) fn holds(&self, value: &Value) -> bool {
        truthy(&eval(&self.expr, value))
    }
}

/// A recursive-descent reader of the expression, depth-limited.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

type Parsed = std::result::Result<Expr, String>;

impl<'a> Parser<'a> {
    fn space(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// A keyword (`and`, `not`...) as a whole word.
    fn keyword(&mut self, word: &str) -> bool {
        self.space();
        let rest = self.rest();
        let whole = rest.starts_with(word)
            && !rest[word.len()..]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if whole {
            self.at += word.len();
        }
        whole
    }

    fn word(&mut self) -> Option<&'a str> {
        self.space();
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (len > 0 && !rest.as_bytes()[0].is_ascii_digit()).then(|| {
            self.at += len;
            &rest[..len]
        })
    }

    fn deeper(depth: usize) -> std::result::Result<usize, String> {
        match depth < MAX_DEPTH {
            true => Ok(depth + 1),
            false => Err(format!("nests deeper than {MAX_DEPTH} levels")),
        }
    }

    fn or(&mut self, depth: usize) -> Parsed {
        let depth = Self::deeper(depth)?;
        let mut left = self.and(depth)?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Parsed {
        let mut left = self.not(depth)?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.not(depth)?));
        }
        Ok(left)
    }

    fn not(&mut self, depth: usize) -> Parsed {
        if self.keyword("not") {
            let depth = Self::deeper(depth)?;
            return Ok(Expr::Not(Box::new(self.not(depth)?)));
        }
        self.compare(depth)
    }

    fn compare(&mut self, depth: usize) -> Parsed {
        let left = self.postfix(depth)?;
        for (token, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(token) {
                let right = self.postfix(depth)?;
                return Ok(Expr::Compare(Box::new(left), op, Box::new(right)));
            }
        }
        Ok(left)
    }

    fn postfix(&mut self, depth: usize) -> Parsed {
        let mut e = self.primary(depth)?;
        loop {
            if self.eat(".") {
                let name = self.word().ok_or("a field name goes after .")?;
                e = Expr::Field(Box::new(e), name.to_owned());
            } else if self.eat("[") {
                let key = self.or(depth)?;
                if !self.eat("]") {
                    return Err("a [ is not closed".into());
                }
                e = Expr::Index(Box::new(e), Box::new(key));
            } else if self.eat("|") {
                let name = self.word().ok_or("a filter name goes after |")?;
                let filter = match name {
                    "length" | "count" => Filter::Length,
                    "lower" => Filter::Lower,
                    "upper" => Filter::Upper,
                    "abs" => Filter::Abs,
                    "sum" => Filter::Sum,
                    "regex_match" => Filter::Matches(self.pattern()?),
                    other => {
                        return Err(format!(
                            "the filter {other} is not supported (length, lower, upper, abs, sum, regex_match)"
                        ))
                    }
                };
                e = Expr::Filter(Box::new(e), filter);
            } else {
                return Ok(e);
            }
        }
    }

    /// `("pattern")` after `regex_match`: the pattern compiled (its size bounded).
    fn pattern(&mut self) -> std::result::Result<regex_lite::Regex, String> {
        if !self.eat("(") {
            return Err("regex_match takes a pattern: regex_match(\"...\")".into());
        }
        let Ok(Expr::Literal(Value::String(pattern))) = self.primary(0) else {
            return Err("regex_match takes a pattern in quotes".into());
        };
        if !self.eat(")") {
            return Err("regex_match( is not closed".into());
        }
        regex_lite::RegexBuilder::new(&pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("the pattern {pattern:?} is not a regular expression: {e}"))
    }

    fn primary(&mut self, depth: usize) -> Parsed {
        self.space();
        if self.eat("(") {
            let depth = Self::deeper(depth)?;
            let e = self.or(depth)?;
            if !self.eat(")") {
                return Err("a ( is not closed".into());
            }
            return Ok(e);
        }
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &rest[1..];
            let end = body.find(quote).ok_or("a string is not closed")?;
            self.at += end + 2;
            return Ok(Expr::Literal(Value::String(body[..end].to_owned())));
        }
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        if number > 0 && rest[..number].parse::<f64>().is_ok() {
            let literal = Value::from_json_str(&rest[..number]).map_err(|e| e.to_string())?;
            self.at += number;
            return Ok(Expr::Literal(literal));
        }
        match self.word() {
            Some("this") => Ok(Expr::This),
            Some("true" | "True") => Ok(Expr::Literal(Value::Bool(true))),
            Some("false" | "False") => Ok(Expr::Literal(Value::Bool(false))),
            Some("none" | "None" | "null") => Ok(Expr::Literal(Value::Null)),
            Some(other) => Err(format!(
                "{other} is not supported here (an expression reads `this` and literals)"
            )),
            None => Err(format!("{:?} is not an expression", self.rest())),
        }
    }
}

fn eval(e: &Expr, this: &Value) -> Value {
    match e {
        Expr::This => this.clone(),
        Expr::Literal(v) => v.clone(),
        Expr::Field(inner, name) => match eval(inner, this) {
            Value::Object(entries) => entries
                .into_iter()
                .find(|(k, _)| k == name)
                .map_or(Value::Null, |(_, v)| v),
            _ => Value::Null,
        },
        Expr::Index(inner, key) => match (eval(inner, this), eval(key, this)) {
            (Value::Object(entries), Value::String(k)) => entries
                .into_iter()
                .find(|(name, _)| *name == k)
                .map_or(Value::Null, |(_, v)| v),
            (Value::Array(items), Value::Number(n)) => {
                let i = n.as_f64();
                if i >= 0.0 && i.fract() == 0.0 {
                    items.into_iter().nth(i as usize).unwrap_or(Value::Null)
                } else {
                    Value::Null
                }
            }
            _ => Value::Null,
        },
        Expr::Filter(inner, filter) => {
            let v = eval(inner, this);
            match (filter, v) {
                (Filter::Length, Value::String(s)) => number(s.chars().count() as f64),
                (Filter::Length, Value::Array(items)) => number(items.len() as f64),
                (Filter::Length, Value::Object(entries)) => number(entries.len() as f64),
                (Filter::Lower, Value::String(s)) => Value::String(s.to_lowercase()),
                (Filter::Upper, Value::String(s)) => Value::String(s.to_uppercase()),
                (Filter::Abs, Value::Number(n)) => number(n.as_f64().abs()),
                (Filter::Matches(re), Value::String(s)) => Value::Bool(re.is_match(&s)),
                (Filter::Sum, Value::Array(items)) => number(
                    items
                        .iter()
                        .map(|v| match v {
                            Value::Number(n) => n.as_f64(),
                            _ => 0.0,
                        })
                        .sum(),
                ),
                _ => Value::Null,
            }
        }
        Expr::Not(inner) => Value::Bool(!truthy(&eval(inner, this))),
        Expr::And(a, b) => Value::Bool(truthy(&eval(a, this)) && truthy(&eval(b, this))),
        Expr::Or(a, b) => Value::Bool(truthy(&eval(a, this)) || truthy(&eval(b, this))),
        Expr::Compare(a, op, b) => {
            let (a, b) = (eval(a, this), eval(b, this));
            let order = match (&a, &b) {
                (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
                (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
                (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
                _ => None,
            };
            use std::cmp::Ordering::{Equal, Greater, Less};
            Value::Bool(match (op, order) {
                (Op::Eq, Some(o)) => o == Equal,
                (Op::Ne, Some(o)) => o != Equal,
                (Op::Ne, None) => a != b,
                (Op::Lt, Some(o)) => o == Less,
                (Op::Le, Some(o)) => o != Greater,
                (Op::Gt, Some(o)) => o == Greater,
                (Op::Ge, Some(o)) => o != Less,
                (_, None) => false,
            })
        }
    }
}

fn number(n: f64) -> Value {
    Value::from_json_str(&format!("{n}")).unwrap_or(Value::Null)
}

/// Jinja's truth: false, none, 0, "", [] and {} are false.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(entries) => !entries.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(expr: &str, value: &str) -> bool {
        Constraint::read("t", &format!("c, {{{{ {expr} }}}}"), false)
            .unwrap()
            .holds(&Value::from_json_str(value).unwrap())
    }

    #[test]
    fn the_subset_bamls_tests_use() {
        assert!(check("this < 10", "5"));
        assert!(!check("this < 10", "11"));
        assert!(check("this >= 0", "0"));
        assert!(check("this|length > 0", "\"Greg\""));
        assert!(!check("this|length > 0", "\"\""));
        assert!(check("this|length < 4", "[1, 2, 3]"));
        assert!(check(
            "this[\"hello\"] == 10",
            "{\"hello\": 10, \"there\": 13}"
        ));
        assert!(check("this.foo > 0", "{\"foo\": 1}"));
        assert!(check("this == \"TWO\"", "\"TWO\""));
        assert!(!check("false", "1"));
        assert!(check("not (this > 3 and this < 5) or this == 4", "4"));
        assert!(check("this|lower == 'ada'", "\"ADA\""));
        assert!(check("this|sum == 6", "[1, 2, 3]"));
        let phone = r#"this|regex_match("\(?\d{3}\)?[-.\s]?\d{3}[-.\s]?\d{4}")"#;
        assert!(check(phone, "\"(123) 456-7890\""));
        assert!(!check(phone, "\"12-34\""));
    }

    #[test]
    fn the_rest_is_refused_by_name() {
        for (args, says) in [
            (
                "c, {{ this|regex_match(\"(\") }}",
                "is not a regular expression",
            ),
            ("c, {{ this|trim }}", "trim is not supported"),
            ("c, {{ foo(1) }}", "foo is not supported"),
            ("c, this < 1", "{{ }}"),
            ("{{ this }}", "takes a name"),
            ("c, {{ this < }}", "is not an expression"),
            ("c, {{ this + 1 }}", "is not understood"),
        ] {
            let e = Constraint::read("Foo.age", args, false)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says) && e.starts_with("Foo.age: @check("), "{e}");
        }
        let deep = format!("c, {{{{ {}this{} }}}}", "(".repeat(100), ")".repeat(100));
        assert!(Constraint::read("t", &deep, true)
            .unwrap_err()
            .to_string()
            .contains("deeper"));
    }
}
