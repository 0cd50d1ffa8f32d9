//! A lenient serde `Deserializer` over a loose value: the type asks (an integer, a struct with
//! these fields, an enum with these variants) and the value is coerced the way the schema path
//! coerces it, so `structured::parse::<Person>(text)` needs no schema.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::lenient::Loose;
use super::names::{Named, Names};
use crate::codec::quoted;

/// An error with the path of the field it is about (`items[2].qty`).
#[derive(Debug)]
pub(crate) struct DeError {
    pub path: Vec<String>,
    pub message: String,
}

impl DeError {
    pub(crate) fn path_text(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            if segment.starts_with('[') || out.is_empty() {
                out.push_str(segment);
            } else {
                out.push('.');
                out.push_str(segment);
            }
        }
        out
    }

    fn at(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            path: Vec::new(),
            message: msg.to_string(),
        }
    }
}

type R<T> = Result<T, DeError>;

/// A loose value being deserialized; `None` is a missing field (an `Option` is `None`, a
/// sequence empty).
pub(crate) struct LooseDe<'a> {
    pub value: Option<&'a Loose<'a>>,
    pub partial: bool,
}

fn found(v: Option<&Loose>) -> String {
    match v {
        None => "nothing".into(),
        Some(Loose::Null) => "null".into(),
        Some(Loose::Bool(b)) => b.to_string(),
        Some(Loose::Number { text, .. }) => (*text).to_owned(),
        Some(Loose::Str { text, .. }) => {
            format!("{}", quoted(&text.chars().take(60).collect::<String>()))
        }
        Some(Loose::Array { .. }) => "an array".into(),
        Some(Loose::Object { .. }) => "an object".into(),
    }
}

impl<'a> LooseDe<'a> {
    /// The value, unless it is not one yet (an unfinished number in partial mode) or null.
    fn present(&self) -> Option<&'a Loose<'a>> {
        match self.value {
            Some(Loose::Null) | None => None,
            Some(Loose::Number {
                complete: false, ..
            }) if self.partial => None,
            v => v,
        }
    }

    fn wrong(&self, wanted: &str) -> DeError {
        let missing = self.present().is_none();
        let message = if missing {
            format!("is missing (wanted {wanted})")
        } else {
            format!("wanted {wanted}, found {}", found(self.value))
        };
        DeError {
            path: Vec::new(),
            message,
        }
    }

    fn number(&self) -> Option<f64> {
        match self.present()? {
            Loose::Number { text, .. } => text
                .trim()
                .trim_start_matches('+')
                .replace(',', "")
                .parse::<f64>()
                .ok(),
            Loose::Str { text, .. } => text
                .trim()
                .trim_start_matches('+')
                .replace(',', "")
                .parse::<f64>()
                .ok(),
            _ => None,
        }
    }

    fn integer(&self) -> Option<i128> {
        let text: &str = match self.present()? {
            Loose::Number { text, .. } => text,
            Loose::Str { text, .. } => text,
            _ => return None,
        };
        let t = text.trim().trim_start_matches('+').replace(',', "");
        t.parse::<i128>().ok().or_else(|| {
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| f.round() as i128)
        })
    }

    fn text(&self) -> Option<String> {
        Some(match self.present()? {
            Loose::Str { text, .. } => text.to_string(),
            Loose::Number { text, .. } => (*text).to_owned(),
            Loose::Bool(b) => b.to_string(),
            _ => return None,
        })
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
            match self.integer().and_then(|n| <$t>::try_from(n).ok()) {
                Some(n) => visitor.$visit(n),
                None => Err(self.wrong(stringify!($t))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for LooseDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.present() {
            None => visitor.visit_unit(),
            Some(Loose::Bool(b)) => visitor.visit_bool(*b),
            Some(Loose::Number { text, .. }) => {
                if let Ok(i) = text.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(u) = text.parse::<u64>() {
                    visitor.visit_u64(u)
                } else {
                    match self.number() {
                        Some(f) => visitor.visit_f64(f),
                        None => visitor.visit_str(text),
                    }
                }
            }
            Some(Loose::Str { text, .. }) => visitor.visit_str(text),
            Some(Loose::Array { .. }) => self.deserialize_seq(visitor),
            Some(Loose::Object { .. }) => self.deserialize_map(visitor),
            Some(Loose::Null) => visitor.visit_unit(),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.present() {
            Some(Loose::Bool(b)) => visitor.visit_bool(*b),
            Some(Loose::Str { text, .. }) if text.trim().eq_ignore_ascii_case("true") => {
                visitor.visit_bool(true)
            }
            Some(Loose::Str { text, .. }) if text.trim().eq_ignore_ascii_case("false") => {
                visitor.visit_bool(false)
            }
            _ => Err(self.wrong("true or false")),
        }
    }

    integers!(deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.number() {
            Some(f) => visitor.visit_f32(f as f32),
            None => Err(self.wrong("a number")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.number() {
            Some(f) => visitor.visit_f64(f),
            None => Err(self.wrong("a number")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.text() {
            Some(t) => visitor.visit_string(t),
            None => Err(self.wrong("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        if self.present().is_none() {
            return visitor.visit_none();
        }
        // An optional value that does not fit is none, as BAML does.
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> R<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> R<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let items: Vec<&Loose<'_>> = match self.value {
            None | Some(Loose::Null) => Vec::new(),
            Some(Loose::Array { items, .. }) => items
                .iter()
                .filter(|i| {
                    !(self.partial
                        && matches!(
                            i,
                            Loose::Number {
                                complete: false,
                                ..
                            }
                        ))
                })
                .collect(),
            // A single value where a list is wanted is a one-item list.
            Some(other) => vec![other],
        };
        visitor.visit_seq(Seq {
            items: items.into_iter(),
            index: 0,
            partial: self.partial,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> R<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> R<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        match self.present() {
            Some(Loose::Object { entries, .. }) => visitor.visit_map(Map {
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), Some(v)))
                    .collect::<Vec<_>>()
                    .into_iter(),
                value: None,
                partial: self.partial,
            }),
            _ => Err(self.wrong("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        let entries = match self.value {
            Some(Loose::Object { entries, .. }) => entries.as_slice(),
            None if self.partial => &[],
            _ => return Err(self.wrong("an object")),
        };
        // Every field, matched to the model's keys (case-insensitively, as BAML); a field the text lacks is given
        // as missing (None for an Option, empty for a Vec, an error naming it otherwise).
        let mut matched: Vec<(String, Option<&Loose<'_>>)> = Vec::with_capacity(fields.len());
        for name in fields {
            let entry = entries
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .or_else(|| {
                    let wanted = name.to_lowercase();
                    entries
                        .iter()
                        .rev()
                        .find(|(k, _)| k.trim().to_lowercase() == wanted)
                })
                .map(|(_, v)| v);
            matched.push(((*name).to_owned(), entry));
        }
        visitor.visit_map(Map {
            entries: matched.into_iter(),
            value: None,
            partial: self.partial,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        if let Some(Loose::Object { entries, .. }) = self.present() {
            if let [(tag, value)] = entries.as_slice() {
                let variant =
                    pick_variant(tag, variants).ok_or_else(|| self.wrong(&variants.join(", ")))?;
                return visitor.visit_enum(Enum {
                    variant,
                    value: Some(value),
                    partial: self.partial,
                });
            }
        }
        let text = self
            .text()
            .ok_or_else(|| self.wrong(&format!("one of {}", variants.join(", "))))?;
        let variant = pick_variant(&text, variants)
            .ok_or_else(|| self.wrong(&format!("one of {}", variants.join(", "))))?;
        visitor.visit_enum(Enum {
            variant,
            value: None,
            partial: self.partial,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        visitor.visit_unit()
    }
}

/// The variant a text names (exactly, loosely, or the one a sentence mentions), as the schema
/// path reads enum values.
fn pick_variant(text: &str, variants: &'static [&'static str]) -> Option<&'static str> {
    let names = Names::new(variants);
    match names.named(text) {
        Named::One(v, _) => variants.iter().copied().find(|variant| *variant == v),
        Named::Nothing | Named::Several(_) => None,
    }
}

struct Seq<'a, I: Iterator<Item = &'a Loose<'a>>> {
    items: I,
    index: usize,
    partial: bool,
}

impl<'de, 'a, I: Iterator<Item = &'a Loose<'a>>> de::SeqAccess<'de> for Seq<'a, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(LooseDe {
            value: Some(item),
            partial: self.partial,
        })
        .map(Some)
        .map_err(|e| e.at(format!("[{index}]")))
    }
}

struct Map<'a, I: Iterator<Item = (String, Option<&'a Loose<'a>>)>> {
    entries: I,
    value: Option<(String, Option<&'a Loose<'a>>)>,
    partial: bool,
}

impl<'de, 'a, I: Iterator<Item = (String, Option<&'a Loose<'a>>)>> de::MapAccess<'de>
    for Map<'a, I>
{
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let k = seed.deserialize(key.clone().into_deserializer())?;
        self.value = Some((key, value));
        Ok(Some(k))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        let (key, value) = self.value.take().unwrap_or_default();
        seed.deserialize(LooseDe {
            value,
            partial: self.partial,
        })
        .map_err(|e| e.at(key))
    }
}

struct Enum<'a> {
    variant: &'static str,
    value: Option<&'a Loose<'a>>,
    partial: bool,
}

impl<'de, 'a> de::EnumAccess<'de> for Enum<'a> {
    type Error = DeError;
    type Variant = Variant<'a>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> R<(T::Value, Variant<'a>)> {
        let v = seed.deserialize(self.variant.into_deserializer())?;
        Ok((
            v,
            Variant {
                value: self.value,
                partial: self.partial,
            },
        ))
    }
}

struct Variant<'a> {
    value: Option<&'a Loose<'a>>,
    partial: bool,
}

impl<'de> de::VariantAccess<'de> for Variant<'_> {
    type Error = DeError;

    fn unit_variant(self) -> R<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> R<T::Value> {
        seed.deserialize(LooseDe {
            value: self.value,
            partial: self.partial,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> R<V::Value> {
        de::Deserializer::deserialize_seq(
            LooseDe {
                value: self.value,
                partial: self.partial,
            },
            visitor,
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        de::Deserializer::deserialize_struct(
            LooseDe {
                value: self.value,
                partial: self.partial,
            },
            "",
            fields,
            visitor,
        )
    }
}

impl<'a> LooseDe<'a> {
    pub(crate) fn new(value: &'a Loose<'a>, partial: bool) -> Self {
        LooseDe {
            value: Some(value),
            partial,
        }
    }
}
