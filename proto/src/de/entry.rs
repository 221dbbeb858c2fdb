//! Where a decode starts: bytes (or a `Value`) into any type, through a [`Lenient`] and its
//! passes (see `lenient.rs`). The payload types' own `Deserialize` is lenient as well, so
//! these are the fast way in, not the only one.

use super::lenient::{run, run_after, Lenient, Pass};
use serde::de::{Deserialize, DeserializeOwned};

/// Decodes `bytes` leniently: each payload type in its platform's mode (decision 0014); any
/// other type as its `Deserialize` reads it. Borrowed strings borrow from `bytes`.
///
/// # Errors
/// Malformed JSON, trailing characters, or a value that does not read as `T` (strict
/// payloads; for lossy ones only what no absent value repairs).
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> serde_json::Result<T> {
    let pass = Pass::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let error = match T::deserialize(Lenient::new(&mut de, &pass)) {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(e) => e,
        },
        Err(e) => e,
    };
    retry(bytes, pass, error)
}

/// The passes after a failed first one.
#[cold]
fn retry<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    first: Pass,
    error: serde_json::Error,
) -> serde_json::Result<T> {
    run_after(first, error, |pass| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = T::deserialize(Lenient::new(&mut de, pass))?;
        de.end()?;
        Ok(value)
    })
}

/// Like [`from_slice`], from a `Value`.
///
/// # Errors
/// As [`from_slice`].
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> serde_json::Result<T> {
    run(|pass| T::deserialize(Lenient::new(value, pass)))
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
    // The first pass written out, not through `run`: a payload is large, and every layer its
    // `Result` crosses is a copy.
    let pass = Pass::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let error = match T::deserialize(Lenient::new(&mut de, &pass)) {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(e) => e,
        },
        Err(e) => e,
    };
    retry_with_path(bytes, pass, error)
}

/// The passes after a failed first one, then the path of what still fails.
#[cold]
fn retry_with_path<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    first: Pass,
    error: serde_json::Error,
) -> Result<T, PathError> {
    let mut last = first.nulls().to_vec();
    let plain = run_after(first, error, |pass| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let r = T::deserialize(Lenient::new(&mut de, pass)).and_then(|v| de.end().map(|()| v));
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
    let mut last = Vec::new();
    let plain = run(|pass| {
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
