//! Lenient number decoding for HTTP answers: platforms send `"7200"` as often as `7200`.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    Num(serde_json::Number),
    Str(String),
    #[allow(dead_code)]
    Other(serde::de::IgnoredAny),
}

/// A `u64` sent as a number, a numeric string, or missing / null (→ `None`).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<NumOrString>::deserialize(d)? {
        Some(NumOrString::Num(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(NumOrString::Str(s)) => s.trim().parse().ok(),
        Some(NumOrString::Other(_)) | None => None,
    })
}

/// An `i64` sent as a number, a numeric string, or missing / null (→ `None`).
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<NumOrString>::deserialize(d)? {
        Some(NumOrString::Num(n)) => n.as_i64(),
        Some(NumOrString::Str(s)) => s.trim().parse().ok(),
        Some(NumOrString::Other(_)) | None => None,
    })
}
