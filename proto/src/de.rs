//! Lenient field deserializers shared by every platform's payload types.
//!
//! Real producers are sloppy: they send numbers as strings, strings as numbers, `null` where a
//! value is expected, and ids wider than 32 bits. These helpers accept all of that so that a
//! field with an unexpected shape never loses the event. Use them with `#[serde(default,
//! deserialize_with = "...")]` so a missing field is the default as well.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Accepts a string, an integer, a float or a bool and yields its string form; `null` is `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// Like [`string`], but `null` is `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
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
    }
    d.deserialize_any(V)
}

macro_rules! lenient_int {
    ($name:ident, $opt:ident, $t:ty, $what:literal) => {
        #[doc = concat!("Accepts a number or a numeric string as `", stringify!($t), "`; `null` or `\"\"` is 0.")]
        pub fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            Ok($opt(d)?.unwrap_or_default())
        }

        #[doc = concat!("Like [`", stringify!($name), "`](fn@", stringify!($name), "), but `null` or `\"\"` is `None`.")]
        pub fn $opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Option<$t>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str($what)
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                    <$t>::try_from(v)
                        .map(Some)
                        .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                    <$t>::try_from(v)
                        .map(Some)
                        .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                    if v.fract() == 0.0 && v >= <$t>::MIN as f64 && v <= <$t>::MAX as f64 {
                        Ok(Some(v as $t))
                    } else {
                        Err(E::invalid_value(de::Unexpected::Float(v), &self))
                    }
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                    Ok(Some(<$t>::from(v)))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    let t = v.trim();
                    if t.is_empty() {
                        return Ok(None);
                    }
                    t.parse::<$t>()
                        .map(Some)
                        .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
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
            }
            d.deserialize_any(V)
        }
    };
}

lenient_int!(i64, opt_i64, i64, "an integer or a numeric string");
lenient_int!(
    u64,
    opt_u64,
    u64,
    "a non-negative integer or a numeric string"
);
lenient_int!(i32, opt_i32, i32, "a 32-bit integer or a numeric string");
lenient_int!(
    u32,
    opt_u32,
    u32,
    "a 32-bit non-negative integer or a numeric string"
);

/// Accepts a bool, 0 / 1, or `"true"` / `"false"` / `"0"` / `"1"`; `null` is `false`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or_default())
}

/// Like [`bool`](fn@bool), but `null` is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a bool, 0/1 or \"true\"/\"false\"")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
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
    }
    d.deserialize_any(V)
}

/// Accepts a float, an integer or a numeric string; `null` is `None`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number or a numeric string")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse()
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
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
    }
    d.deserialize_any(V)
}

/// Like [`opt_f64`], but only finite values: `"inf"`, `"NaN"` and numbers that overflow to
/// infinity are an error (JSON cannot carry them back out).
pub fn opt_f64_finite<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match opt_f64(d)? {
        Some(v) if !v.is_finite() => Err(de::Error::invalid_value(
            de::Unexpected::Float(v),
            &"a finite number",
        )),
        other => Ok(other),
    }
}

/// A `Vec<T>` where `null` (or a missing field, with `#[serde(default)]`) is empty.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Total ("lossy") deserializers: they never fail. A value of the wrong shape (an object where a
// number was expected, a non-numeric string in a number field, ...) becomes the default / `None`
// instead of an error, so one sloppy non-essential field cannot lose the whole event. Nested
// objects and arrays of the wrong shape are skipped without being buffered.
// ---------------------------------------------------------------------------------------------

/// Any JSON value, reduced to the scalar it carries (objects and arrays become `Other`).
enum Loose {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Other,
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::U64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::F64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Str(v))
            }
            fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Loose {
    fn into_string(self) -> Option<String> {
        match self {
            Loose::Str(s) => Some(s),
            Loose::I64(v) => Some(v.to_string()),
            Loose::U64(v) => Some(v.to_string()),
            Loose::F64(v) => Some(v.to_string()),
            Loose::Bool(v) => Some(v.to_string()),
            Loose::Null | Loose::Other => None,
        }
    }

    fn into_i128(self) -> Option<i128> {
        match self {
            Loose::I64(v) => Some(i128::from(v)),
            Loose::U64(v) => Some(i128::from(v)),
            Loose::F64(v) if v.fract() == 0.0 && v.abs() < 1.8e19 => Some(v as i128),
            Loose::F64(_) => None,
            Loose::Bool(v) => Some(i128::from(v)),
            Loose::Str(s) => {
                let t = s.trim();
                t.parse::<i128>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|v| v.fract() == 0.0 && v.abs() < 1.8e19)
                        .map(|v| v as i128)
                })
            }
            Loose::Null | Loose::Other => None,
        }
    }

    fn into_f64(self) -> Option<f64> {
        match self {
            Loose::F64(v) => Some(v),
            Loose::I64(v) => Some(v as f64),
            Loose::U64(v) => Some(v as f64),
            Loose::Str(s) => s.trim().parse().ok(),
            Loose::Bool(_) | Loose::Null | Loose::Other => None,
        }
    }

    fn into_bool(self) -> Option<bool> {
        match self {
            Loose::Bool(v) => Some(v),
            Loose::I64(v) => Some(v != 0),
            Loose::U64(v) => Some(v != 0),
            Loose::F64(v) => Some(v != 0.0),
            Loose::Str(s) => match s.trim() {
                "true" | "1" | "True" | "TRUE" => Some(true),
                "false" | "0" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            Loose::Null | Loose::Other => None,
        }
    }
}

/// Never fails: any scalar as its string form; `null`, objects and arrays are `""`.
pub fn lossy_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Loose::deserialize(d)?.into_string().unwrap_or_default())
}

/// Never fails: any scalar as its string form; `null`, objects and arrays are `None`.
pub fn lossy_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Loose::deserialize(d)?.into_string())
}

macro_rules! lossy_int {
    ($name:ident, $opt:ident, $t:ty) => {
        #[doc = concat!("Never fails: a number or numeric string that fits `", stringify!($t), "`; anything else is 0.")]
        pub fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            Ok($opt(d)?.unwrap_or_default())
        }

        #[doc = concat!("Never fails: a number or numeric string that fits `", stringify!($t), "`; anything else is `None`.")]
        pub fn $opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            Ok(Loose::deserialize(d)?
                .into_i128()
                .and_then(|v| <$t>::try_from(v).ok()))
        }
    };
}

lossy_int!(lossy_i64, lossy_opt_i64, i64);
lossy_int!(lossy_u64, lossy_opt_u64, u64);
lossy_int!(lossy_i32, lossy_opt_i32, i32);
lossy_int!(lossy_u32, lossy_opt_u32, u32);

/// Never fails: a bool, 0 / 1 or `"true"` / `"false"`; anything else is `false`.
pub fn lossy_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Loose::deserialize(d)?.into_bool().unwrap_or_default())
}

/// Never fails: a bool, 0 / 1 or `"true"` / `"false"`; anything else is `None`.
pub fn lossy_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Loose::deserialize(d)?.into_bool())
}

/// Never fails: a number or numeric string as `f64`; anything else is `None`.
pub fn lossy_opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Loose::deserialize(d)?.into_f64())
}

/// Never fails: an array of scalars as strings (ids, roles); other elements are skipped and a
/// non-array value is an empty list.
pub fn lossy_vec_string<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(LooseList::<Loose>::deserialize(d)?
        .0
        .into_iter()
        .filter_map(Loose::into_string)
        .collect())
}

/// Never fails: an array of integers or numeric strings as `i64`; other elements are skipped and
/// a non-array value is an empty list.
pub fn lossy_vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(LooseList::<Loose>::deserialize(d)?
        .0
        .into_iter()
        .filter_map(|v| v.into_i128().and_then(|v| i64::try_from(v).ok()))
        .collect())
}

/// An array whose elements are each read as `T`; a non-array value is an empty list.
struct LooseList<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LooseList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = LooseList<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(256));
                while let Some(v) = a.next_element::<T>()? {
                    out.push(v);
                }
                Ok(LooseList(out))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(LooseList(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LooseList(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An object read as `T`, or `None` for any other shape (skipped without buffering).
struct ObjectOrSkip<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOrSkip<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ObjectOrSkip<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(a))
                    .map(|v| ObjectOrSkip(Some(v)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(ObjectOrSkip(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectOrSkip(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An object read as `T`; any other shape (`null`, a string, an array, ...) is `T::default()`.
/// Meant for nested payload structs whose own fields are lenient.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(ObjectOrSkip::<T>::deserialize(d)?.0.unwrap_or_default())
}

/// Like [`object`], but any value that is not an object is `None`.
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(ObjectOrSkip::<T>::deserialize(d)?.0)
}

/// An array of objects read as `T`; elements that are not objects are skipped, and a value that
/// is not an array is an empty list.
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

/// Reads any value as `T`, or `None` when it does not fit (the value is buffered first, so use
/// it for small values such as enums, not for large objects).
pub fn lossy<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = serde_json::Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(T::deserialize(v).ok())
}

/// Defines a public integer-coded enum whose unknown values are kept in `Other(i64)`.
///
/// It deserializes leniently (a number or a numeric string; optional string aliases map to a
/// variant) and serializes as its integer.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Other(i64),
        }

        impl $name {
            /// The enum for a wire integer (unknown values become `Other`).
            pub fn from_i64(v: i64) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }

            /// The wire integer.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(v) => *v,
                }
            }

            /// Whether the value is one this version does not know.
            pub fn is_other(&self) -> bool {
                matches!(self, Self::Other(_))
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self::from_i64(v)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.as_i64())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = $crate::de::opt_string(d)?;
                let v = v.as_deref().map(str::trim).unwrap_or("");
                $( $( if v == $alias { return Ok(Self::$variant); } )* )+
                v.parse::<i64>().map(Self::from_i64).map_err(|_| {
                    <D::Error as serde::de::Error>::invalid_value(
                        serde::de::Unexpected::Str(v),
                        &concat!("an integer code of ", stringify!($name)),
                    )
                })
            }
        }
    };
}
pub(crate) use int_enum;

/// Defines a public string-coded enum whose unknown values are kept in `Unknown(String)`.
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(s) => s,
                }
            }

            /// Whether the value is one this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = $crate::de::string(d)?;
                Ok(match s.parse::<$name>() {
                    Ok(v) => v,
                    Err(never) => match never {},
                })
            }
        }
    };
}
pub(crate) use str_enum;

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug)]
    #[serde(default)]
    struct T {
        #[serde(deserialize_with = "super::string")]
        s: String,
        #[serde(deserialize_with = "super::opt_i64")]
        n: Option<i64>,
        #[serde(deserialize_with = "super::u64")]
        u: u64,
        #[serde(deserialize_with = "super::bool")]
        b: bool,
        #[serde(deserialize_with = "super::vec")]
        v: Vec<u8>,
    }

    #[test]
    fn numbers_as_strings_and_strings_as_numbers_are_accepted() {
        let t: T = serde_json::from_str(
            r#"{"s":6158788878435714165,"n":"-12","u":"18446744073709551615","b":1,"v":null}"#,
        )
        .unwrap();
        assert_eq!(t.s, "6158788878435714165");
        assert_eq!(t.n, Some(-12));
        assert_eq!(t.u, u64::MAX);
        assert!(t.b);
        assert!(t.v.is_empty());
    }

    #[test]
    fn nulls_and_missing_fields_are_defaults() {
        let t: T = serde_json::from_str(r#"{"s":null,"n":null,"u":""}"#).unwrap();
        assert_eq!(t.s, "");
        assert_eq!(t.n, None);
        assert_eq!(t.u, 0);
    }

    #[test]
    fn garbage_in_a_number_field_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<T>(r#"{"u":"abc"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"u":-1}"#).is_err());
    }

    #[derive(Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct L {
        #[serde(deserialize_with = "super::lossy_string")]
        s: String,
        #[serde(deserialize_with = "super::lossy_opt_i64")]
        i: Option<i64>,
        #[serde(deserialize_with = "super::lossy_opt_u32")]
        u: Option<u32>,
        #[serde(deserialize_with = "super::lossy_opt_bool")]
        b: Option<bool>,
        #[serde(deserialize_with = "super::lossy_vec_string")]
        vs: Vec<String>,
        #[serde(deserialize_with = "super::lossy_vec_i64")]
        vi: Vec<i64>,
        #[serde(deserialize_with = "super::objects")]
        o: Vec<Inner>,
        #[serde(deserialize_with = "super::opt_object")]
        one: Option<Inner>,
    }

    #[derive(Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Inner {
        #[serde(deserialize_with = "super::lossy_opt_i64")]
        id: Option<i64>,
    }

    #[test]
    fn lossy_helpers_read_every_scalar_shape() {
        let l: L = serde_json::from_str(
            r#"{"s":12,"i":" 4294967297 ","u":"7","b":"1","vs":[1,"a",true,null,{}],
                "vi":["5",6,"x",7.0,[1]],"o":[{"id":"1"},2,"x",{"id":3}],"one":{"id":9}}"#,
        )
        .unwrap();
        assert_eq!(l.s, "12");
        assert_eq!(l.i, Some(4_294_967_297));
        assert_eq!(l.u, Some(7));
        assert_eq!(l.b, Some(true));
        assert_eq!(l.vs, ["1", "a", "true"]);
        assert_eq!(l.vi, [5, 6, 7]);
        assert_eq!(l.o, [Inner { id: Some(1) }, Inner { id: Some(3) }]);
        assert_eq!(l.one, Some(Inner { id: Some(9) }));
    }

    #[test]
    fn lossy_helpers_never_fail_on_the_wrong_shape() {
        let l: L = serde_json::from_str(
            r#"{"s":{"a":[1,2]},"i":"abc","u":-1,"b":"maybe","vs":"x","vi":{"k":1},
                "o":{"id":1},"one":[{"id":1}]}"#,
        )
        .unwrap();
        assert_eq!(l, L::default());
        let l: L = serde_json::from_str(r#"{"u":4294967296,"i":1.5,"s":null}"#).unwrap();
        assert_eq!((l.u, l.i, l.s.as_str()), (None, None, ""));
    }

    #[test]
    fn deep_nesting_in_a_skipped_value_is_not_an_error() {
        let deep = format!("{{\"s\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        let l: L = serde_json::from_str(&deep).unwrap();
        assert_eq!(l.s, "");
    }
}
