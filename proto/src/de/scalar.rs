//! The scalar rule, written once: how a JSON value reads as a string, an integer, a float or a
//! bool (decision 0014).
//!
//! - **Absent**: a missing field, `null`, or `""` is absent (`None`, or the field type's
//!   default). For numbers and bools a string of blanks is `""` as well (numeric strings are
//!   trimmed); for strings only `""` is (`" "` is text).
//! - **String**: a string as is; a number or a bool as its text (`12`, `true`).
//! - **Integer**: an integer that fits; a float without a fraction that fits; a string holding
//!   either (trimmed); a bool as 0 / 1.
//! - **Float**: any number; a numeric string (trimmed); a bool as 0 / 1.
//! - **Bool**: `true` / `false`; a number (0 is false, anything else true); the strings
//!   `true` / `false` / `1` / `0` in any case, trimmed.
//!
//! A present value that does not read as the field's kind (`"abc"` in a number, an object in a
//! string) is an error for the strict helpers and absent for the `lossy_` ones; the rule above
//! is the same for both.

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A kind of scalar field: how each JSON shape reads as it (`None`: it does not).
pub(super) trait Scalar: Sized {
    /// What the field expects, for error messages.
    const EXPECTING: &'static str;
    /// Whether a string is the absent value for this kind.
    fn absent(s: &str) -> bool {
        s.trim().is_empty()
    }
    fn from_str(s: &str) -> Option<Self>;
    /// Like `from_str`, for an owned string (given back when it does not fit).
    fn from_string(s: String) -> Result<Self, String> {
        Self::from_str(&s).ok_or(s)
    }
    fn from_i64(v: i64) -> Option<Self>;
    fn from_u64(v: u64) -> Option<Self>;
    fn from_i128(v: i128) -> Option<Self>;
    fn from_f64(v: f64) -> Option<Self>;
    fn from_bool(v: bool) -> Option<Self>;
    /// Whether a string that did not read as this kind is absent all the same, in both modes:
    /// for an integer kind, an integer wider than 64 bits (decision 0071), which no integer
    /// field can hold. Asked only after `from_str` failed.
    fn absent_when_unfit(_s: &str) -> bool {
        false
    }
}

/// Whether `s` (trimmed) is an integer literal that fits neither `i64` nor `u64`: an id wider
/// than 64 bits, sent as a string or quoted by `wide_integers` (decision 0062).
fn wider_than_64_bits(s: &str) -> bool {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && t.parse::<i64>().is_err()
        && t.parse::<u64>().is_err()
}

impl Scalar for String {
    const EXPECTING: &'static str = "a string, a number or a bool";
    fn absent(s: &str) -> bool {
        s.is_empty()
    }
    fn from_str(s: &str) -> Option<Self> {
        Some(s.to_owned())
    }
    fn from_string(s: String) -> Result<Self, String> {
        Ok(s)
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_i128(v: i128) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v.to_string())
    }
}

impl Scalar for crate::Text {
    const EXPECTING: &'static str = String::EXPECTING;
    fn absent(s: &str) -> bool {
        s.is_empty()
    }
    fn from_str(s: &str) -> Option<Self> {
        Some(s.into())
    }
    fn from_string(s: String) -> Result<Self, String> {
        Ok(s.into())
    }
    fn from_i64(v: i64) -> Option<Self> {
        String::from_i64(v).map(Self::from)
    }
    fn from_u64(v: u64) -> Option<Self> {
        String::from_u64(v).map(Self::from)
    }
    fn from_i128(v: i128) -> Option<Self> {
        String::from_i128(v).map(Self::from)
    }
    fn from_f64(v: f64) -> Option<Self> {
        String::from_f64(v).map(Self::from)
    }
    fn from_bool(v: bool) -> Option<Self> {
        String::from_bool(v).map(Self::from)
    }
}

/// An integer read from a float: only without a fraction, and only if it fits.
fn int_of_f64<T: TryFrom<i128>>(v: f64) -> Option<T> {
    // `as` saturates, and every in-range value of the target types is below 2^64, so a
    // saturated value is out of range and refused by `try_from`.
    (v.is_finite() && v.fract() == 0.0)
        .then(|| T::try_from(v as i128).ok())
        .flatten()
}

macro_rules! int_scalar {
    ($($t:ty: $what:literal),+ $(,)?) => {$(
        impl Scalar for $t {
            const EXPECTING: &'static str = $what;
            fn from_str(s: &str) -> Option<Self> {
                let t = s.trim();
                t.parse().ok().or_else(|| int_of_f64(t.parse().ok()?))
            }
            fn from_i64(v: i64) -> Option<Self> {
                Self::try_from(v).ok()
            }
            fn from_u64(v: u64) -> Option<Self> {
                Self::try_from(v).ok()
            }
            fn from_i128(v: i128) -> Option<Self> {
                Self::try_from(v).ok()
            }
            fn from_f64(v: f64) -> Option<Self> {
                int_of_f64(v)
            }
            fn from_bool(v: bool) -> Option<Self> {
                Some(Self::from(v))
            }
            fn absent_when_unfit(s: &str) -> bool {
                wider_than_64_bits(s)
            }
        }
    )+};
}

int_scalar!(
    i64: "an integer or a numeric string",
    u64: "a non-negative integer or a numeric string",
    i32: "a 32-bit integer or a numeric string",
    u32: "a 32-bit non-negative integer or a numeric string",
);

impl Scalar for f64 {
    const EXPECTING: &'static str = "a number or a numeric string";
    fn from_str(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_i128(v: i128) -> Option<Self> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(f64::from(u8::from(v)))
    }
}

impl Scalar for bool {
    const EXPECTING: &'static str = "a bool, 0 / 1 or \"true\" / \"false\"";
    fn from_str(s: &str) -> Option<Self> {
        let t = s.trim();
        if t == "1" || t.eq_ignore_ascii_case("true") {
            Some(true)
        } else if t == "0" || t.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v != 0)
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v != 0)
    }
    fn from_i128(v: i128) -> Option<Self> {
        Some(v != 0)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v != 0.0)
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

/// Reads one field of kind `T`: `Ok(None)` when absent; a value that does not fit is an error,
/// or (`LOSSY`) absent, with nested objects and arrays skipped without buffering.
pub(super) struct Read<T, const LOSSY: bool>(pub(super) PhantomData<T>);

impl<T: Scalar, const LOSSY: bool> Read<T, LOSSY> {
    pub(super) fn field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(Read::<T, LOSSY>(PhantomData))
    }

    fn fit<E: de::Error>(&self, v: Option<T>, got: Unexpected<'_>) -> Result<Option<T>, E> {
        match v {
            Some(v) => Ok(Some(v)),
            None if LOSSY => Ok(None),
            None => Err(E::invalid_value(got, self)),
        }
    }
}

impl<'de, T: Scalar, const LOSSY: bool> Visitor<'de> for Read<T, LOSSY> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if T::absent(v) {
            return Ok(None);
        }
        match T::from_str(v) {
            None if T::absent_when_unfit(v) => Ok(None),
            v2 => self.fit(v2, Unexpected::Str(v)),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if T::absent(&v) {
            return Ok(None);
        }
        match T::from_string(v) {
            Ok(t) => Ok(Some(t)),
            Err(v) if T::absent_when_unfit(&v) => Ok(None),
            Err(v) => self.fit(None, Unexpected::Str(&v)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.fit(T::from_i64(v), Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.fit(T::from_u64(v), Unexpected::Unsigned(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        self.fit(T::from_i128(v), Unexpected::Other("a 128-bit integer"))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        let v = i128::try_from(v).ok().and_then(T::from_i128);
        self.fit(v, Unexpected::Other("a 128-bit integer"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.fit(T::from_f64(v), Unexpected::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.fit(T::from_bool(v), Unexpected::Bool(v))
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

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        if !LOSSY {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        while a.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        if !LOSSY {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        }
        while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// One list element read by the lossy rule (`None`: absent or not of the kind).
pub(super) struct LossyItem<T>(pub(super) Option<T>);

impl<'de, T: Scalar> Deserialize<'de> for LossyItem<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Read::<T, true>::field(d).map(LossyItem)
    }
}

macro_rules! scalar_fns {
    ($($t:ty => $plain:ident, $opt:ident, $lossy:ident, $lossy_opt:ident;)+) => {$(
        #[doc = concat!("A `", stringify!($t), "` by the scalar rule; absent is the default, a value that does not fit is an error.")]
        pub fn $plain<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            Ok(Read::<$t, false>::field(d)?.unwrap_or_default())
        }

        #[doc = concat!("An `Option<", stringify!($t), ">` by the scalar rule; absent is `None`, a value that does not fit is an error.")]
        pub fn $opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            Read::<$t, false>::field(d)
        }

        #[doc = concat!("Never fails: a `", stringify!($t), "` by the scalar rule; absent, or anything that does not fit, is the default.")]
        pub fn $lossy<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            Ok(Read::<$t, true>::field(d)?.unwrap_or_default())
        }

        #[doc = concat!("Never fails: an `Option<", stringify!($t), ">` by the scalar rule; absent, or anything that does not fit, is `None`.")]
        pub fn $lossy_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            Read::<$t, true>::field(d)
        }
    )+};
}

scalar_fns! {
    String => string, opt_string, lossy_string, lossy_opt_string;
    crate::Text => text, opt_text, lossy_text, lossy_opt_text;
    i64 => i64, opt_i64, lossy_i64, lossy_opt_i64;
    u64 => u64, opt_u64, lossy_u64, lossy_opt_u64;
    i32 => i32, opt_i32, lossy_i32, lossy_opt_i32;
    u32 => u32, opt_u32, lossy_u32, lossy_opt_u32;
    bool => bool, opt_bool, lossy_bool, lossy_opt_bool;
    f64 => f64, opt_f64, lossy_f64, lossy_opt_f64;
}

/// A string whose `""` is a value, not absent: for botgate's own formats (the unified model),
/// which must read back exactly what they wrote. Not for platform payloads.
struct KeptEmpty(String);

impl Scalar for KeptEmpty {
    const EXPECTING: &'static str = String::EXPECTING;
    fn absent(_: &str) -> bool {
        false
    }
    fn from_str(s: &str) -> Option<Self> {
        Some(KeptEmpty(s.to_owned()))
    }
    fn from_string(s: String) -> Result<Self, String> {
        Ok(KeptEmpty(s))
    }
    fn from_i64(v: i64) -> Option<Self> {
        String::from_i64(v).map(KeptEmpty)
    }
    fn from_u64(v: u64) -> Option<Self> {
        String::from_u64(v).map(KeptEmpty)
    }
    fn from_i128(v: i128) -> Option<Self> {
        String::from_i128(v).map(KeptEmpty)
    }
    fn from_f64(v: f64) -> Option<Self> {
        String::from_f64(v).map(KeptEmpty)
    }
    fn from_bool(v: bool) -> Option<Self> {
        String::from_bool(v).map(KeptEmpty)
    }
}

/// Like [`opt_string`], but `""` is `Some("")`: only `null` (or a missing field) is `None`.
/// For botgate's own formats, which round-trip exactly; platform payloads use [`opt_string`].
pub fn opt_string_keep_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Read::<KeptEmpty, false>::field(d)?.map(|k| k.0))
}

/// Like [`opt_f64`], but only finite values: `"inf"`, `"NaN"` and numbers that overflow to
/// infinity are an error (JSON cannot carry them back out).
pub fn opt_f64_finite<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match opt_f64(d)? {
        Some(v) if !v.is_finite() => Err(de::Error::invalid_value(
            Unexpected::Float(v),
            &"a finite number",
        )),
        other => Ok(other),
    }
}

/// [`opt_string_keep_empty`] into a [`Text`](crate::Text).
pub fn opt_text_keep_empty<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::Text>, D::Error> {
    Ok(opt_string_keep_empty(d)?.map(crate::Text::from))
}
