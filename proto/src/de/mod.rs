//! Lenient decoding of every platform's payload types, carried by one deserializer.
//!
//! Real producers are sloppy: they send numbers as strings, strings as numbers, `null` or `""`
//! where an object or a number is expected, and ids wider than 32 bits. One rule says how every
//! field reads (decision 0014):
//!
//! - scalar fields (strings, integers, floats, bools): missing, `null` and `""` are absent;
//!   numbers and numeric strings are interchangeable; a bool is `true` / `false`, 0 / 1 or
//!   their strings (the full rule is in `scalar.rs`).
//! - nested objects, lists and enums: absent (`null`, `""`) is `None`, the default or an empty
//!   list, and absent list elements are dropped.
//! - a present value of the wrong shape is an error in [`Mode::Strict`] (OneBot) and absent in
//!   [`Mode::Lossy`] (QQ, Bubble), so one sloppy field never loses a QQ or Bubble event.
//!
//! The rule lives in [`Lenient`], a `serde::Deserializer` that wraps any other (decision 0022),
//! so payload structs are plain `#[derive(Deserialize)] #[serde(default)]` structs with plain
//! field types, marked `#[serde(remote = "Self")]` and listed in `lenient_payload!` with their
//! mode. Decode with [`from_slice`] (or [`from_slice_with_path`], [`from_value`]); a payload
//! type read by any other deserializer (`serde_json::from_str`) is lenient too, through a
//! `Value`. Caveat of `remote = "Self"`: `T::deserialize(d)` on a payload type named by path
//! resolves to the inherent, strict plain derive; write `<T as Deserialize>::deserialize(d)`
//! or use [`from_slice`]. A field with a rule of its own keeps a `deserialize_with` helper:
//! those below (`opt_string_keep_empty`, `opt_f64_finite`, ...) read by the same scalar rule.
//!
//! A decode's first pass is a plain forwarding deserializer (a plain derive's cost); the
//! coercing passes of [`Lenient`] run only when it fails. Malformed input (invalid UTF-8, the
//! end of the input) is an error in both modes, never an absent value.

pub(crate) mod direct;
#[cfg(test)]
mod direct_tests;
mod entry;
mod enums;
mod fast;
mod lenient;
mod reader;
mod reader_de;
#[cfg(test)]
mod reader_tests;
mod scalar;
mod shape;
mod surrogates;
#[cfg(test)]
mod tests;
mod wide_integers;

pub use entry::{
    boxed_from_shared, from_shared_with_path, from_slice, from_slice_with_path, from_str,
    from_str_with_path, from_value, from_value_with_path, PathError,
};
pub(crate) use enums::{int_enum, str_enum};
pub use lenient::{payload, peek, Lenient, Mode, Pass, Payload};
pub use surrogates::replace_lone_surrogates;

/// Makes each listed struct a payload type read in `$mode` (`Lossy` / `Strict`): its
/// `Deserialize` goes through [`payload`], and the derived read (the struct carries
/// `#[serde(remote = "Self")]`) is its [`Payload::plain`]. A struct listed with its fields,
/// `Message { id, content, .. }`, also gets the direct pass (decision 0035): every field it
/// reads, a renamed one as `kind = "type"` (aliases after it: `= "channelId" | "channel_id"`),
/// one with a `deserialize_with` as `author => user::opt_author` (the test of
/// `direct_tests.rs` checks each list against serde's).
macro_rules! lenient_payload {
    ($mode:ident: $($t:ident $({
        $($f:ident $(= $key:literal $(| $alias:literal)*)? $(=> $with:path $(| $direct:path)?)?),+ $(,)?
    })?),+ $(,)?) => {$(
        impl $crate::de::Payload for $t {
            const MODE: $crate::de::Mode = $crate::de::Mode::$mode;
            #[inline]
            fn plain<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$t>::deserialize(d)
            }
            $(
                const DIRECT_FIELDS: &'static [&'static str] =
                    &[$($crate::de::direct_key!($f $(= $key)?) $($(, $alias)*)?),+];
                #[inline]
                fn direct_boxed(source: &std::sync::Arc<str>) -> Option<Box<Self>> {
                    $crate::de::direct::boxed::<Self>(source)
                }
            )?
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::de::payload(d)
            }
        }
        $(
            impl $crate::de::direct::Direct for $t {
                #[inline]
                fn read(
                    input: &mut $crate::de::direct::Input<'_>,
                    out: &mut Self,
                ) -> Result<(), serde_json::Error> {
                    // One variant per field, in the list's order (its place is its bit in
                    // `seen` and its slot in `NEXT`).
                    #[allow(non_camel_case_types)]
                    #[derive(Clone, Copy)]
                    enum Field { $($f),+ }
                    const NAMES: &[&str] = &[$($crate::de::direct_key!($f $(= $key)?)),+];
                    const N: usize = NAMES.len();
                    const _: () = assert!(N <= 64, "one bit per field");
                    const KEYS: [$crate::de::direct::KeyBytes; N] =
                        $crate::de::direct::KeyBytes::all::<N>(NAMES);
                    const ALL: [Field; N] = [$(Field::$f),+];
                    static NEXT: [std::sync::atomic::AtomicU8; N + 1] =
                        [const { std::sync::atomic::AtomicU8::new(0) }; N + 1];
                    const FIELDS: $crate::de::direct::Fields<Field, N> =
                        $crate::de::direct::Fields {
                            keys: &KEYS,
                            all: &ALL,
                            index: |f| f as usize,
                            next: &NEXT,
                        };
                    let mut seen = 0u64;
                    input.fields(
                        &FIELDS,
                        |key| match key {
                            $($crate::de::direct_key!($f $(= $key)?) $($(| $alias)*)?
                                => Some(Field::$f),)+
                            _ => None,
                        },
                        |input, field| match field {
                            $(Field::$f => {
                                $crate::de::direct::first_time(&mut seen, Field::$f as usize)?;
                                $crate::de::direct_read!(input, out.$f $(=> $with $(| $direct)?)?)
                            })+
                        },
                    )
                }
            }
        )?
    )+};
}
pub(crate) use lenient_payload;

/// Field types the direct pass reads with their own `Deserialize`, as the first serde pass does
/// (types with a rule of their own: a message's segments or CQ string, string enums).
macro_rules! direct_by_serde {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::de::direct::Direct for $t {
            #[inline]
            fn read(
                input: &mut $crate::de::direct::Input<'_>,
                out: &mut Self,
            ) -> Result<(), serde_json::Error> {
                *out = $crate::de::direct::by_serde(input)?;
                Ok(())
            }
        }
    )+};
}
pub(crate) use direct_by_serde;

/// How a field of a `lenient_payload!` list is read: by its type, by its own
/// `deserialize_with` function (`=> path`) over the first pass's deserializer, or by a direct
/// reader of its own (`=> path | direct_path`, which must read as `path` reads).
macro_rules! direct_read {
    ($input:ident, $out:expr => $with:path | $direct:path) => {
        $direct($input, &mut $out)
    };
    ($input:ident, $out:expr => $with:path) => {
        $crate::de::direct::with($input, &mut $out, $with)
    };
    ($input:ident, $out:expr) => {
        $crate::de::direct::Direct::read($input, &mut $out)
    };
}
pub(crate) use direct_read;

/// The wire key of a field in a `lenient_payload!` list: its name, or the literal after `=`.
macro_rules! direct_key {
    ($f:ident = $key:literal) => {
        $key
    };
    ($f:ident) => {
        stringify!($f)
    };
}
pub(crate) use direct_key;

/// The `Serialize` of each listed struct: its derived one (`remote = "Self"` makes serde
/// write it as an inherent function).
macro_rules! serialize_derived {
    ($($t:ty),+ $(,)?) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$t>::serialize(self, s)
            }
        }
    )+};
}
pub use scalar::{
    bool, f64, i32, i64, lossy_bool, lossy_f64, lossy_i32, lossy_i64, lossy_opt_bool,
    lossy_opt_f64, lossy_opt_i32, lossy_opt_i64, lossy_opt_string, lossy_opt_text, lossy_opt_u32,
    lossy_opt_u64, lossy_string, lossy_text, lossy_u32, lossy_u64, opt_bool, opt_f64,
    opt_f64_finite, opt_i32, opt_i64, opt_string, opt_string_keep_empty, opt_text,
    opt_text_keep_empty, opt_u32, opt_u64, string, text, u32, u64,
};
pub(crate) use serialize_derived;
pub use shape::{
    lossy, lossy_vec_i64, lossy_vec_string, object, objects, opt, opt_object, or_default, vec,
};
