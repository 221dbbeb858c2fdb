//! The first pass's `serde::Deserializer` over [`Reader`] (decision 0026): each request read
//! as serde_json's `Deserializer` reads it, or refused (an error: the decode then retries on
//! serde_json). Refused where serde_json would accept: a struct sent as an array, an escaped
//! string as bytes, 128-bit integers, a map key read as anything but a string.

use super::reader::{fail, Error, Reader, Result, Text};
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// serde_json's raw value token: never read here.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

impl<'de> Reader<'de> {
    /// A string (the position past its quote) to `visitor`.
    #[inline]
    fn visit_text<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Scratch => visitor.visit_str(&self.scratch),
        }
    }

    /// An array (the position on `[`) to `visitor`; every element must be read.
    #[inline]
    fn visit_array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        self.bump();
        let value = visitor.visit_seq(Elements {
            de: self,
            first: true,
        });
        self.leave();
        // The value stays where it is (a payload is large): no `?` on it.
        self.expect(b']')?;
        value
    }

    /// An object (the position on `{`) to `visitor`; every entry must be read.
    #[inline]
    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        self.bump();
        let value = visitor.visit_map(Entries {
            de: self,
            first: true,
        });
        self.leave();
        self.expect(b'}')?;
        value
    }
}

/// Requests refused outright.
macro_rules! refuse {
    ($($method:ident),+ $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
            Err(fail("not read by the first pass"))
        }
    )+};
}

/// Requests read as a number.
macro_rules! numbers {
    ($($method:ident),+ $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.peek() {
                Some(b'-' | b'0'..=b'9') => self.number(visitor),
                _ => Err(fail("expected a number")),
            }
        }
    )+};
}

/// Requests read as a string.
macro_rules! strings {
    ($($method:ident),+ $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.expect(b'"')?;
            self.visit_text(visitor)
        }
    )+};
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => {
                self.bump();
                self.visit_text(visitor)
            }
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_array(visitor),
            Some(b'-' | b'0'..=b'9') => self.number(visitor),
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(fail("expected a value")),
        }
    }

    numbers! {
        deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64, deserialize_u8,
        deserialize_u16, deserialize_u32, deserialize_u64, deserialize_f32, deserialize_f64,
    }
    strings! { deserialize_char, deserialize_str, deserialize_string, deserialize_identifier }
    refuse! { deserialize_i128, deserialize_u128 }

    #[inline]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(fail("expected a bool")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => {
                self.bump();
                match self.string()? {
                    Text::Borrowed(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
                    // serde_json reads escapes in bytes its own way (lone surrogates).
                    Text::Scratch => Err(fail("escaped bytes")),
                }
            }
            Some(b'[') => self.visit_array(visitor),
            _ => Err(fail("expected bytes")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_none()
            }
            // `""` is absent to the coercing pass (decision 0022), and real producers send it
            // for every empty optional field (OneBot's `card`, `area`, `title`): read it as
            // `None` here rather than send every such payload to the retry. The one place
            // this reader departs from serde_json, which reads `Some("")`.
            Some(b'"') if self.empty_string_next() => {
                self.literal(b"\"\"")?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    #[inline]
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return visitor.visit_unit();
        }
        Err(fail("expected null"))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    #[inline]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_VALUE {
            return Err(fail("raw value"));
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'[') => self.visit_array(visitor),
            _ => Err(fail("expected an array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    #[inline]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'{') => self.visit_object(visitor),
            _ => Err(fail("expected an object")),
        }
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => visitor.visit_enum(UnitVariant(self)),
            Some(b'{') => {
                self.enter()?;
                self.bump();
                let value = visitor.visit_enum(MapVariant(&mut *self));
                self.leave();
                let value = value?;
                self.expect(b'}')?;
                Ok(value)
            }
            _ => Err(fail("expected an enum")),
        }
    }

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }
}

/// An array's elements.
struct Elements<'a, 'de> {
    de: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        match self.de.peek() {
            Some(b']') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.bump();
                if matches!(self.de.peek(), Some(b']') | None) {
                    return Err(fail("trailing comma"));
                }
            }
            Some(_) if self.first => self.first = false,
            _ => return Err(fail("expected `,` or `]`")),
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An object's entries.
struct Entries<'a, 'de> {
    de: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.de.peek() {
            Some(b'}') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.bump();
                if self.de.peek() != Some(b'"') {
                    return Err(fail("expected a key"));
                }
            }
            Some(b'"') if self.first => self.first = false,
            _ => return Err(fail("expected a key")),
        }
        self.de.bump();
        seed.deserialize(Key(&mut *self.de)).map(Some)
    }

    #[inline]
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        self.de.expect(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

/// An object's key (the position past its opening quote): read as a string only.
struct Key<'a, 'de>(&'a mut Reader<'de>);

/// Key requests read as the string.
macro_rules! key_strings {
    ($($method:ident),+ $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.0.visit_text(visitor)
        }
    )+};
}

impl<'de> Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    key_strings! {
        deserialize_any, deserialize_str, deserialize_string, deserialize_identifier,
        deserialize_char,
    }
    // serde_json reads these from inside the quotes its own way.
    refuse! {
        deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64,
        deserialize_u128, deserialize_f32, deserialize_f64, deserialize_bytes,
        deserialize_byte_buf, deserialize_option, deserialize_unit, deserialize_seq,
        deserialize_map,
    }

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.string()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(fail("not read by the first pass"))
    }
}

/// An enum sent as a string: a unit variant.
struct UnitVariant<'a, 'de>(&'a mut Reader<'de>);

impl<'de> de::EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        let variant = seed.deserialize(&mut *self.0)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _: S) -> Result<S::Value> {
        Err(fail("expected a unit variant"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(fail("expected a unit variant"))
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], _: V) -> Result<V::Value> {
        Err(fail("expected a unit variant"))
    }
}

/// An enum sent as `{"variant": content}` (the position past `{`).
struct MapVariant<'a, 'de>(&'a mut Reader<'de>);

impl<'de> de::EnumAccess<'de> for MapVariant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        let variant = seed.deserialize(&mut *self.0)?;
        self.0.expect(b':')?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for MapVariant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.0)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value> {
        self.0.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.0.deserialize_map(visitor)
    }
}
