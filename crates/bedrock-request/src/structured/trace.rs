//! The type a serde `Deserialize` type asks for, traced into a [`Schema`], so that
//! `structured::parse::<T>` coerces as `Schema::parse` does (an item that does not fit a list
//! is left out, BAML's rule) and then deserializes `T` from the coerced value: one answer
//! on both paths.
//!
//! The trace runs `T::deserialize` once against a deserializer that records what each call
//! asks for (a struct and its fields, a sequence and its item, an option, a map, an enum of
//! unit variants, a scalar) and answers with a placeholder. What it cannot trace (tuples,
//! bytes, enums with data, a type that needs its input to decide) gives `None`, and the caller
//! keeps its direct path. A struct met again inside itself is a reference to its definition.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::names::Names;
use super::schema::{optional, Field, Schema, Ty};

/// Deeper than this, a trace gives up (a type nests this deep only through recursion it could
/// not name).
const MAX_DEPTH: usize = 64;

#[derive(Debug)]
struct Untraceable(String);

impl fmt::Display for Untraceable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Untraceable {}

impl de::Error for Untraceable {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Untraceable(msg.to_string())
    }
}

type R<T> = Result<T, Untraceable>;

fn untraceable<T>(what: &str) -> R<T> {
    Err(Untraceable(format!("cannot trace {what}")))
}

/// The definitions found so far, by struct name, and the structs being traced.
#[derive(Default)]
struct State {
    defs: Vec<Ty>,
    by_name: HashMap<&'static str, usize>,
    open: Vec<&'static str>,
}

/// The schema of `T`, or `None` when `T` cannot be traced.
pub(crate) fn schema_of<T: DeserializeOwned>() -> Option<Schema> {
    let state = RefCell::new(State::default());
    let slot = RefCell::new(None);
    T::deserialize(Tracer {
        state: &state,
        slot: &slot,
        depth: 0,
    })
    .ok()?;
    let root = slot.into_inner()?;
    Some(Schema {
        root,
        defs: state.into_inner().defs,
    })
}

/// Records in `slot` the type one `deserialize_*` call asks for.
struct Tracer<'t> {
    state: &'t RefCell<State>,
    slot: &'t RefCell<Option<Ty>>,
    depth: usize,
}

impl<'t> Tracer<'t> {
    fn set(&self, ty: Ty) {
        *self.slot.borrow_mut() = Some(ty);
    }

    /// Traces what `seed` asks for in a fresh slot: its value and its type.
    fn child<'de, S: DeserializeSeed<'de>>(&self, seed: S) -> R<(S::Value, Ty)> {
        if self.depth >= MAX_DEPTH {
            return untraceable("a type this deep");
        }
        let slot = RefCell::new(None);
        let value = seed.deserialize(Tracer {
            state: self.state,
            slot: &slot,
            depth: self.depth + 1,
        })?;
        Ok((value, slot.into_inner().unwrap_or(Ty::Any)))
    }
}

macro_rules! scalar {
    ($($method:ident => $ty:expr, $visit:ident($value:expr);)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
            self.set($ty);
            visitor.$visit($value)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Tracer<'_> {
    type Error = Untraceable;

    scalar! {
        deserialize_bool => Ty::Bool, visit_bool(false);
        deserialize_i8 => Ty::Int, visit_i64(0);
        deserialize_i16 => Ty::Int, visit_i64(0);
        deserialize_i32 => Ty::Int, visit_i64(0);
        deserialize_i64 => Ty::Int, visit_i64(0);
        deserialize_i128 => Ty::Int, visit_i64(0);
        deserialize_u8 => Ty::Int, visit_u64(0);
        deserialize_u16 => Ty::Int, visit_u64(0);
        deserialize_u32 => Ty::Int, visit_u64(0);
        deserialize_u64 => Ty::Int, visit_u64(0);
        deserialize_u128 => Ty::Int, visit_u64(0);
        deserialize_f32 => Ty::Float, visit_f64(0.0);
        deserialize_f64 => Ty::Float, visit_f64(0.0);
        deserialize_char => Ty::String, visit_char('a');
        deserialize_str => Ty::String, visit_str("");
        deserialize_string => Ty::String, visit_str("");
        deserialize_identifier => Ty::String, visit_str("");
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.set(Ty::Null);
        visitor.visit_unit()
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        // A type that decides by what it is given (serde_json::Value, an untagged enum): any
        // value, kept as it is.
        self.set(Ty::Any);
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        self.set(Ty::Any);
        visitor.visit_unit()
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> R<V::Value> {
        untraceable("bytes")
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> R<V::Value> {
        untraceable("bytes")
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let slot = RefCell::new(None);
        let value = visitor.visit_some(Tracer {
            state: self.state,
            slot: &slot,
            depth: self.depth + 1,
        })?;
        self.set(optional(slot.into_inner().unwrap_or(Ty::Any)));
        Ok(value)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> R<V::Value> {
        self.set(Ty::Null);
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> R<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let item = RefCell::new(None);
        let value = visitor.visit_seq(TraceSeq {
            tracer: &self,
            item: &item,
            done: false,
        })?;
        self.set(Ty::List(Box::new(item.into_inner().unwrap_or(Ty::Any))));
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> R<V::Value> {
        untraceable("a tuple")
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> R<V::Value> {
        untraceable("a tuple struct")
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> R<V::Value> {
        let values = RefCell::new(None);
        let value = visitor.visit_map(TraceMap {
            tracer: &self,
            values: &values,
            given: false,
        })?;
        self.set(Ty::Map(Box::new(values.into_inner().unwrap_or(Ty::Any))));
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        if self.state.borrow().open.contains(&name) {
            // Recursion: a reference to the definition being traced, and no value (a list
            // of it stays empty; anything else cannot be traced).
            let at = self.state.borrow().by_name[name];
            self.set(Ty::Ref(at));
            return untraceable("a recursive struct here");
        }
        let at = {
            let mut state = self.state.borrow_mut();
            let at = match state.by_name.get(name) {
                Some(&at) => at,
                None => {
                    let at = state.defs.len();
                    state.defs.push(Ty::Any);
                    state.by_name.insert(name, at);
                    at
                }
            };
            state.open.push(name);
            at
        };
        let traced = RefCell::new(Vec::new());
        let value = visitor.visit_map(TraceStruct {
            tracer: &self,
            fields,
            next: 0,
            traced: &traced,
        });
        self.state.borrow_mut().open.pop();
        let value = value?;
        let fields = traced
            .into_inner()
            .into_iter()
            .map(|(name, ty): (&str, Ty)| Field {
                name: name.to_owned(),
                alias: None,
                required: !matches!(ty, Ty::Optional(_) | Ty::Null | Ty::List(_) | Ty::Any),
                ty,
                skipped: false,
            })
            .collect();
        self.state.borrow_mut().defs[at] = Ty::Object(fields);
        self.set(Ty::Ref(at));
        Ok(value)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        let Some(first) = variants.first() else {
            return untraceable("an enum without variants");
        };
        self.set(Ty::Enum(Box::new(Names::new(variants))));
        visitor.visit_enum(TraceEnum { variant: first })
    }
}

/// One item, traced, then the end.
struct TraceSeq<'a, 't> {
    tracer: &'a Tracer<'t>,
    item: &'a RefCell<Option<Ty>>,
    done: bool,
}

impl<'de> de::SeqAccess<'de> for TraceSeq<'_, '_> {
    type Error = Untraceable;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> R<Option<S::Value>> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        let slot = RefCell::new(None);
        let result = seed.deserialize(Tracer {
            state: self.tracer.state,
            slot: &slot,
            depth: self.tracer.depth + 1,
        });
        *self.item.borrow_mut() = slot.into_inner();
        match result {
            Ok(value) => Ok(Some(value)),
            // A struct met inside itself: its type is known (a reference), the list empty.
            Err(_) if matches!(*self.item.borrow(), Some(Ty::Ref(_))) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One entry (a text key, a traced value), then the end.
struct TraceMap<'a, 't> {
    tracer: &'a Tracer<'t>,
    values: &'a RefCell<Option<Ty>>,
    given: bool,
}

impl<'de> de::MapAccess<'de> for TraceMap<'_, '_> {
    type Error = Untraceable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if self.given {
            return Ok(None);
        }
        self.given = true;
        seed.deserialize("k".into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> R<S::Value> {
        let (value, ty) = self.tracer.child(seed)?;
        *self.values.borrow_mut() = Some(ty);
        Ok(value)
    }
}

/// Each field by name, its value traced.
struct TraceStruct<'a, 't> {
    tracer: &'a Tracer<'t>,
    fields: &'static [&'static str],
    next: usize,
    traced: &'a RefCell<Vec<(&'static str, Ty)>>,
}

impl<'de> de::MapAccess<'de> for TraceStruct<'_, '_> {
    type Error = Untraceable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        let Some(name) = self.fields.get(self.next) else {
            return Ok(None);
        };
        seed.deserialize((*name).into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> R<S::Value> {
        let name = self.fields[self.next];
        self.next += 1;
        let (value, ty) = self.tracer.child(seed)?;
        self.traced.borrow_mut().push((name, ty));
        Ok(value)
    }
}

/// The first variant, which must be a unit one.
struct TraceEnum {
    variant: &'static str,
}

impl<'de> de::EnumAccess<'de> for TraceEnum {
    type Error = Untraceable;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> R<(S::Value, Self)> {
        let value = seed.deserialize(self.variant.into_deserializer())?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for TraceEnum {
    type Error = Untraceable;

    fn unit_variant(self) -> R<()> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _: S) -> R<S::Value> {
        untraceable("an enum variant with data")
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> R<V::Value> {
        untraceable("an enum variant with data")
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], _: V) -> R<V::Value> {
        untraceable("an enum variant with data")
    }
}
