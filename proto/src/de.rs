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

        #[doc = concat!("Like [`", stringify!($name), "`], but `null` or `\"\"` is `None`.")]
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
lenient_int!(u64, opt_u64, u64, "a non-negative integer or a numeric string");
lenient_int!(i32, opt_i32, i32, "a 32-bit integer or a numeric string");
lenient_int!(u32, opt_u32, u32, "a 32-bit non-negative integer or a numeric string");

/// Accepts a bool, 0 / 1, or `"true"` / `"false"` / `"0"` / `"1"`; `null` is `false`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or_default())
}

/// Like [`bool`], but `null` is `None`.
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

/// A `Vec<T>` where `null` (or a missing field, with `#[serde(default)]`) is empty.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

use serde::Deserialize;

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
}
