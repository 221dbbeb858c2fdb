//! The first decode pass: [`Fast`], a deserializer that forwards every request to the inner
//! one with the caller's own visitor (a plain derive's cost), accepting only what the coercing
//! passes of [`Lenient`](super::Lenient) would read the same way. Anything else — a number in a
//! string field, `null` for an object, `""` inside an `Option` or a list — is an error, and
//! the decode runs again through a `Lenient` (see `entry.rs`). No value is numbered here.
//!
//! What it refuses that serde_json would take: `""` (and, for a list element, `null`) where
//! the coercing pass reads absent; a struct sent as an array.

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The name of the newtype a payload type asks for: the mode travels in it.
pub(super) const STRICT_NAME: &str = "$botgate::de::lenient::strict";
pub(super) const LOSSY_NAME: &str = "$botgate::de::lenient::lossy";
/// The name [`super::peek`] asks for.
pub(super) const PEEK_NAME: &str = "$botgate::de::lenient::peek";

/// Where a value sits: anywhere, inside an `Option` (`""` refused), or a list element (`""`
/// and `null` refused: the coercing pass drops them).
const PLAIN: u8 = 0;
const IN_OPTION: u8 = 1;
const ELEMENT: u8 = 2;

/// The first pass's deserializer around `D` (one value); `AT` is where the value sits.
pub(crate) struct Fast<D, const AT: u8 = PLAIN>(pub(super) D);

/// The error that sends a decode to the coercing pass.
#[cold]
fn refused<E: de::Error>() -> E {
    de::Error::custom("an absent value where the first pass reads none")
}

macro_rules! forward {
    ($($method:ident),+ $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(visitor)
        }
    )+};
}

impl<'de, D: Deserializer<'de>, const AT: u8> Deserializer<'de> for Fast<D, AT> {
    type Error = D::Error;

    forward! {
        deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64,
        deserialize_u128, deserialize_f32, deserialize_f64, deserialize_char, deserialize_bytes,
        deserialize_byte_buf, deserialize_identifier, deserialize_ignored_any,
    }

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match AT {
            PLAIN => self.0.deserialize_any(visitor),
            _ => self.0.deserialize_any(NoEmpty::<V, AT>(visitor)),
        }
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match AT {
            PLAIN => self.0.deserialize_str(visitor),
            _ => self.0.deserialize_str(NoEmpty::<V, AT>(visitor)),
        }
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match AT {
            PLAIN => self.0.deserialize_string(visitor),
            _ => self.0.deserialize_string(NoEmpty::<V, AT>(visitor)),
        }
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if AT == ELEMENT {
            // `null` is dropped from a list, not read as `None`.
            return self
                .0
                .deserialize_option(NoEmpty::<_, ELEMENT>(OptionOf(visitor)));
        }
        self.0.deserialize_option(OptionOf(visitor))
    }

    #[inline]
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match AT {
            ELEMENT => Err(refused()),
            _ => self.0.deserialize_unit(visitor),
        }
    }

    #[inline]
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match AT {
            ELEMENT => Err(refused()),
            _ => self.0.deserialize_unit_struct(name, visitor),
        }
    }

    #[inline]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // A payload type asking for its mode: the mode matters only to the coercing passes.
        if name == LOSSY_NAME || name == STRICT_NAME {
            return visitor.visit_some(self);
        }
        if name == PEEK_NAME {
            return self.0.deserialize_any(Peek(visitor));
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_seq(SeqOf(visitor))
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, SeqOf(visitor))
    }

    #[inline]
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, SeqOf(visitor))
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(MapOf(visitor))
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_struct(name, fields, MapOf(visitor))
    }

    #[inline]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// An `Option`: `null` is `None`, the content is read by a [`Fast`] that refuses `""`.
struct OptionOf<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionOf<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Fast::<D, IN_OPTION>(d))
    }
}

/// An object (a struct or a map, never an array): its values read by a [`Fast`].
struct MapOf<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for MapOf<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Entries(a))
    }
}

/// An object's entries: keys as sent, values through a [`Fast`].
struct Entries<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<A> {
    type Error = A::Error;
    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }
    #[inline]
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(Seed::<S, PLAIN>(seed))
    }
    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A list: its elements read by a [`Fast`] that refuses absent ones.
struct SeqOf<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for SeqOf<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Elements(a))
    }
}

/// A list's elements through a [`Fast`].
struct Elements<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Elements<A> {
    type Error = A::Error;
    #[inline]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(Seed::<S, ELEMENT>(seed))
    }
    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// Hands one value to the seed through a [`Fast`].
struct Seed<S, const AT: u8>(S);

impl<'de, S: DeserializeSeed<'de>, const AT: u8> DeserializeSeed<'de> for Seed<S, AT> {
    type Value = S::Value;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Fast::<D, AT>(d))
    }
}

/// [`super::peek`]'s value: scalars as themselves, an object as `visit_some` of a [`Fast`], a
/// list as `visit_seq` of its elements through a [`Fast`].
struct Peek<V>(V);

macro_rules! forward_visits {
    ($($visit:ident($t:ty)),+ $(,)?) => {$(
        #[inline]
        fn $visit<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.0.$visit(v)
        }
    )+};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Peek<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    forward_visits! {
        visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_f64(f64), visit_str(&str),
        visit_borrowed_str(&'de str), visit_string(String),
    }
    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }
    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0
            .visit_some(Fast::<_, PLAIN>(MapAccessDeserializer::new(a)))
    }
    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Elements(a))
    }
}

/// Forwards everything to `V` except `""` (and, for a list element, `null`): an error, which
/// the coercing pass then reads as absent.
struct NoEmpty<V, const AT: u8>(V);

impl<'de, V: Visitor<'de>, const AT: u8> Visitor<'de> for NoEmpty<V, AT> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    forward_visits! {
        visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_i128(i128), visit_u128(u128),
        visit_f64(f64), visit_char(char), visit_bytes(&[u8]), visit_byte_buf(Vec<u8>),
        visit_borrowed_bytes(&'de [u8]),
    }
    #[inline]
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        if v.is_empty() {
            return Err(refused());
        }
        self.0.visit_borrowed_str(v)
    }
    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if v.is_empty() {
            return Err(refused());
        }
        self.0.visit_str(v)
    }
    #[inline]
    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        if v.is_empty() {
            return Err(refused());
        }
        self.0.visit_string(v)
    }
    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        if AT == ELEMENT {
            return Err(refused());
        }
        self.0.visit_none()
    }
    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        if AT == ELEMENT {
            return Err(refused());
        }
        self.0.visit_unit()
    }
    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(d)
    }
    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(d)
    }
    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(a)
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(a)
    }
    #[inline]
    fn visit_enum<A: de::EnumAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(a)
    }
}
