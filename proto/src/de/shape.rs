//! Nested objects, lists and scalar-coded enums under the absent rule of [`super::scalar`]:
//! `null` and `""` where an object, a list or an enum is expected read as absent (`None`, the
//! default, an empty list), and absent list elements are dropped. Nothing is buffered: a
//! present value is handed on to its type as it is read.

use super::scalar::{LossyItem, Scalar};
use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, F64Deserializer, I128Deserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
    U128Deserializer, U64Deserializer,
};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Hands a present value on to `T` (errors included); `null` and `""` are `None`.
struct Present<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Present<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PresentVisitor(PhantomData)).map(Present)
    }
}

struct PresentVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for PresentVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(StrDeserializer::new(v)).map(Some)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(BorrowedStrDeserializer::new(v)).map(Some)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(StringDeserializer::new(v)).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(BoolDeserializer::new(v)).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(I64Deserializer::new(v)).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(U64Deserializer::new(v)).map(Some)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        T::deserialize(I128Deserializer::new(v)).map(Some)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        T::deserialize(U128Deserializer::new(v)).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(F64Deserializer::new(v)).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(a)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(a)).map(Some)
    }
}

/// A `T` (an object, an enum, a message ...), or `None` when absent (missing, `null`, `""`).
/// A present value that does not fit `T` is an error.
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Present::<T>::deserialize(d)?.0)
}

/// A `T`, or `T::default()` when absent (missing, `null`, `""`). A present value that does not
/// fit `T` is an error.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(opt(d)?.unwrap_or_default())
}

/// The elements of an array, absent ones (`null`, `""`) dropped.
struct Items<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Items<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(256));
                while let Some(Present(item)) = a.next_element::<Present<T>>()? {
                    out.extend(item);
                }
                Ok(Items(out))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// A `Vec<T>`: absent is empty, absent elements are dropped; a value that is not an array, or
/// an element that does not fit `T`, is an error.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(opt::<D, Items<T>>(d)?.map(|i| i.0).unwrap_or_default())
}

/// Skips any value without buffering it.
fn skip_seq<'de, A: SeqAccess<'de>>(mut a: A) -> Result<(), A::Error> {
    while a.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut a: A) -> Result<(), A::Error> {
    while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements every scalar `visit_*` of a visitor as `Ok(self.none())`.
macro_rules! scalars_are_none {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
}

/// An array whose elements are each read as `T`; any other value is an empty list.
struct LooseList<T>(Vec<T>);

struct LooseListVisitor<T>(PhantomData<T>);

impl<T> LooseListVisitor<T> {
    fn none(&self) -> LooseList<T> {
        LooseList(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for LooseListVisitor<T> {
    type Value = LooseList<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(256));
        while let Some(v) = a.next_element::<T>()? {
            out.push(v);
        }
        Ok(LooseList(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        skip_map(a)?;
        Ok(self.none())
    }
    scalars_are_none!();
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LooseList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseListVisitor(PhantomData))
    }
}

/// An object read as `T`, or `None` for any other shape (skipped without buffering).
struct ObjectOrSkip<T>(Option<T>);

struct ObjectVisitor<T>(PhantomData<T>);

impl<T> ObjectVisitor<T> {
    fn none(&self) -> ObjectOrSkip<T> {
        ObjectOrSkip(None)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = ObjectOrSkip<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(a)).map(|v| ObjectOrSkip(Some(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        skip_seq(a)?;
        Ok(self.none())
    }
    scalars_are_none!();
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOrSkip<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor(PhantomData))
    }
}

/// Never fails on the shape: an object read as `T`; anything else (absent, a string, an array,
/// ...) is `T::default()`. Meant for nested payload structs whose own fields are lenient.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(ObjectOrSkip::<T>::deserialize(d)?.0.unwrap_or_default())
}

/// Like [`object`], but anything that is not an object is `None`.
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(ObjectOrSkip::<T>::deserialize(d)?.0)
}

/// Never fails on the shape: an array of objects read as `T`; elements that are not objects
/// are dropped, and a value that is not an array is an empty list.
pub fn objects<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(LooseList::<ObjectOrSkip<T>>::deserialize(d)?
        .0
        .into_iter()
        .filter_map(|o| o.0)
        .collect())
}

fn lossy_scalars<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(LooseList::<LossyItem<T>>::deserialize(d)?
        .0
        .into_iter()
        .filter_map(|i| i.0)
        .collect())
}

/// Never fails: an array of scalars as strings (ids, roles); absent elements and elements that
/// are not scalars are dropped, and a value that is not an array is an empty list.
pub fn lossy_vec_string<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    lossy_scalars(d)
}

/// Never fails: an array of integers (by the scalar rule) as `i64`; other elements are dropped
/// and a value that is not an array is an empty list.
pub fn lossy_vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    lossy_scalars(d)
}

/// Never fails: a scalar-coded value (an enum) read as `T`; absent, a value `T` refuses, and
/// any object or array (skipped without buffering) are `None`.
pub fn lossy<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<T> V<T> {
        fn none(&self) -> Option<T> {
            None
        }
    }
    /// `T` from a value deserializer; its error is dropped (the value is absent, not wrong).
    fn fit<'de, T: Deserialize<'de>, D: Deserializer<'de, Error = de::value::Error>>(
        d: D,
    ) -> Option<T> {
        T::deserialize(d).ok()
    }
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a scalar")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty())
                .then(|| fit(StrDeserializer::new(v)))
                .flatten())
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok((!v.is_empty())
                .then(|| fit(BorrowedStrDeserializer::new(v)))
                .flatten())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(fit(BoolDeserializer::new(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(fit(I64Deserializer::new(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(fit(U64Deserializer::new(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(fit(F64Deserializer::new(v)))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.none())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
            skip_seq(a)?;
            Ok(self.none())
        }
        fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
            skip_map(a)?;
            Ok(self.none())
        }
    }
    d.deserialize_any(V(PhantomData))
}
