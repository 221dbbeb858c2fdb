//! Where a decode starts: bytes (or a `Value`) into any type. The first pass is a [`Fast`]
//! one (a plain derive's cost); only when it fails do the coercing passes of a [`Lenient`] run
//! (see `lenient.rs`). The payload types' own `Deserialize` is lenient as well, so these are
//! the fast way in, not the only one.

use super::fast::Fast;
use super::lenient::{run, Lenient, Pass, Payload};
use super::reader::Reader;
use serde::de::{Deserialize, DeserializeOwned};
use serde_json::error::Category;
use std::sync::Arc;

/// Decodes `bytes` leniently: each payload type in its platform's mode (decision 0014); any
/// other type as its `Deserialize` reads it. Borrowed strings borrow from `bytes`.
///
/// # Errors
/// Malformed JSON (invalid UTF-8 included: never read as an absent value), trailing
/// characters, or a value that does not read as `T` (strict payloads; for lossy ones only
/// what no absent value repairs).
#[inline]
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(value) = T::deserialize(Fast::<_>(&mut de)) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    retry(bytes)
}

/// Whether an error is malformed input (a syntax error, the end of the input, I/O): the
/// coercing passes must not read the value it is in as absent.
fn malformed(e: &serde_json::Error) -> bool {
    e.classify() != Category::Data
}

/// One coercing pass over `bytes`.
#[inline]
fn coercing<'de, T: Deserialize<'de>>(bytes: &'de [u8], pass: &Pass) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(Lenient::new(&mut de, pass))?;
    de.end()?;
    Ok(value)
}

/// The passes after a failed first one.
#[cold]
fn retry<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> serde_json::Result<T> {
    run(malformed, |pass| coercing(bytes, pass))
}

/// Like [`from_slice`], from a `Value`.
///
/// # Errors
/// As [`from_slice`].
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> serde_json::Result<T> {
    if let Ok(v) = T::deserialize(Fast::<_>(value)) {
        return Ok(v);
    }
    run(malformed, |pass| T::deserialize(Lenient::new(value, pass)))
}

/// A failed decode with the path of the value it failed at (`serde_path_to_error`'s form,
/// `.` for the whole input).
#[derive(Debug)]
pub struct PathError {
    /// Where: `sender.user_id`, `message[2].data`, `.`.
    pub path: String,
    /// What.
    pub error: serde_json::Error,
}

/// Like [`from_slice`], with the path of the failing value. Well-formed input takes one pass
/// and no path tracking; the path is tracked only to report a failure, on the last pass again.
///
/// # Errors
/// As [`from_slice`], with the path.
#[inline]
pub fn from_slice_with_path<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, PathError> {
    // Written out, not through `from_slice`: a payload is large, and every layer its `Result`
    // crosses is a copy.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(value) = T::deserialize(Fast::<_>(&mut de)) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    retry_with_path(bytes)
}

/// Like [`from_slice_with_path`], for text already checked to be UTF-8: the first pass reads
/// it with our own JSON reader (decision 0026), which reads what serde_json reads to the
/// same values, or fails. A failed first pass retries over the bytes as
/// [`from_slice_with_path`] does (the coercing passes are the rare path).
///
/// # Errors
/// As [`from_slice`], with the path.
#[inline]
pub fn from_str_with_path<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, PathError> {
    // Written out, not through `first_pass`: each layer the value crosses is a copy.
    let mut reader = Reader::new(text);
    if let Ok(value) = T::deserialize(Fast::<_>(&mut reader)) {
        if reader.end().is_ok() {
            return Ok(value);
        }
    }
    retry_with_path(text.as_bytes())
}

/// A payload in a box from `source`, which is its whole text and the buffer its strings
/// share ([`crate::text::share_strings`]): the type's direct pass when it has one and the
/// input reads there (decision 0035), else [`from_str_with_path`] with `source` shared.
///
/// # Errors
/// As [`from_slice`], with the path.
#[inline]
pub fn boxed_from_shared<T: Payload + DeserializeOwned>(
    source: &Arc<str>,
) -> Result<Box<T>, PathError> {
    if let Some(boxed) = T::direct_boxed(source) {
        return Ok(boxed);
    }
    serde_passes(source)
}

/// [`boxed_from_shared`] past the direct pass.
#[inline(never)]
fn serde_passes<T: DeserializeOwned>(source: &Arc<str>) -> Result<Box<T>, PathError> {
    from_shared_with_path::<Box<T>>(source)
}

/// [`from_str_with_path`] over `source`, whose strings the result shares
/// ([`crate::text::share_strings`]). A bare integer wider than 64 bits is read as a string
/// (`wide_integers`): serde_json's passes would round it as a float.
///
/// # Errors
/// As [`from_slice`], with the path.
pub fn from_shared_with_path<T: DeserializeOwned>(source: &Arc<str>) -> Result<T, PathError> {
    {
        let _shared = crate::text::share_strings(source);
        if let Some(value) = first_pass::<T>(source) {
            return Ok(value);
        }
    }
    let text: Arc<str> = super::wide_integers::quote_wide_integers(source)
        .map_or_else(|| Arc::clone(source), Arc::from);
    let _shared = crate::text::share_strings(&text);
    retry_with_path(text.as_bytes())
}

/// Like [`from_slice`], for text already checked to be UTF-8 (its first pass as
/// [`from_str_with_path`]'s).
///
/// # Errors
/// As [`from_slice`].
#[inline]
pub fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> serde_json::Result<T> {
    if let Some(value) = first_pass(text) {
        return Ok(value);
    }
    retry(text.as_bytes())
}

/// The first pass over `text` with our own reader; `None` sends the decode to the retries.
#[inline]
pub(super) fn first_pass<'de, T: Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut reader = Reader::new(text);
    let value = T::deserialize(Fast::<_>(&mut reader)).ok()?;
    reader.end().ok()?;
    Some(value)
}

/// The first pass over `text` as it was before decision 0026 (serde_json's `StrRead`): what
/// the tests compare [`first_pass`] with.
#[cfg(test)]
pub(super) fn first_pass_serde_json<'de, T: Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Fast::<_>(&mut de)).ok()?;
    de.end().ok()?;
    Some(value)
}

/// The passes after a failed first one, then the path of what still fails.
#[cold]
fn retry_with_path<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, PathError> {
    let mut last = Vec::new();
    let plain = run(malformed, |pass| {
        let r = coercing(bytes, pass);
        if r.is_err() {
            last = pass.nulls().to_vec();
        }
        r
    });
    let error = match plain {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let pass = Pass::with_nulls(last);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(Lenient::new(&mut de, &pass)) {
        Err(e) => Err(PathError {
            path: e.path().to_string(),
            error: e.into_inner(),
        }),
        // The path pass got through (it should not): the trailing input, or the first error.
        Ok(_) => Err(PathError {
            path: ".".to_owned(),
            error: de.end().err().unwrap_or(error),
        }),
    }
}

/// Like [`from_value`], with the path of the failing value.
///
/// # Errors
/// As [`from_value`], with the path.
pub fn from_value_with_path<T: DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, PathError> {
    if let Ok(v) = T::deserialize(Fast::<_>(value)) {
        return Ok(v);
    }
    let mut last = Vec::new();
    let plain = run(malformed, |pass| {
        let r = T::deserialize(Lenient::new(value, pass));
        if r.is_err() {
            last = pass.nulls().to_vec();
        }
        r
    });
    let Err(error) = plain else {
        return plain.map_err(|error| PathError {
            path: ".".to_owned(),
            error,
        });
    };
    let pass = Pass::with_nulls(last);
    match serde_path_to_error::deserialize::<_, T>(Lenient::new(value, &pass)) {
        Err(e) => Err(PathError {
            path: e.path().to_string(),
            error: e.into_inner(),
        }),
        Ok(_) => Err(PathError {
            path: ".".to_owned(),
            error,
        }),
    }
}
