//! The few wire shapes the sessions write and read themselves: command frames and the fields of
//! control payloads (Hello, READY, op 9), read leniently (numbers may come as strings).
//!
//! Payloads for the application are never parsed here: they travel as [`Frame`]s. Public only
//! for [`id_field`], the lenient id reader the facade shares.
//!
//! [`Frame`]: botgate_codec::Frame

use serde_json::Value;

/// Parses `d` of a frame into a JSON value (`Null` when absent or not JSON). A lone surrogate
/// escape (half an emoji in a name, from JavaScript) reads as U+FFFD, as in the payload decodes
/// (decision 0049): serde_json refuses it, and the whole READY would read as empty.
pub(crate) fn data_value(data: Option<&[u8]>) -> Value {
    let Some(d) = data else {
        return Value::Null;
    };
    serde_json::from_slice(d)
        .ok()
        .or_else(|| {
            let clean = botgate_codec::scan::replace_lone_surrogates(d)?;
            serde_json::from_slice(&clean).ok()
        })
        .unwrap_or(Value::Null)
}

/// An unsigned integer field that may arrive as a number or a numeric string.
pub(crate) fn u64_field(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The id at `key` of `v` as a string, read leniently: platforms send ids as numbers or as
/// strings, and not every string id is a number. A number comes in decimal (an integral
/// float such as `12.0` as the integer `12`, as the typed decodes read it); a string comes
/// trimmed. An empty string, any other JSON type, `null` or an absent key is no id: `None`.
///
/// The one reader of such ids: the sessions' READY / bot ids and the OneBot reply receipt's
/// `message_id` (decisions 0072 and 0078).
///
/// ```
/// use botgate_session::wire::id_field;
/// let v = serde_json::json!({"a": 7, "b": "x=1", "c": 12.0, "d": ""});
/// assert_eq!(id_field(&v, "a").as_deref(), Some("7"));
/// assert_eq!(id_field(&v, "b").as_deref(), Some("x=1"));
/// assert_eq!(id_field(&v, "c").as_deref(), Some("12"));
/// assert_eq!(id_field(&v, "d"), None);
/// ```
pub fn id_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::Number(n) => Some(match n.as_f64() {
            // `12.0`: the integer it is (i64 / u64 already print as integers).
            Some(f) if n.as_i64().is_none() && n.as_u64().is_none() && f.fract() == 0.0 => {
                format!("{f:.0}")
            }
            _ => n.to_string(),
        }),
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        _ => None,
    }
}

/// A string field.
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A list of strings (non-strings skipped).
pub(crate) fn str_list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The first of several aliases that is present.
pub(crate) fn first<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| v.get(*k).filter(|x| !x.is_null()))
}

/// `{"op":1,"d":<seq|null>}` (QQ and Bubble: the same frame).
pub(crate) fn heartbeat(seq: Option<u64>) -> String {
    botgate_codec::qq::heartbeat(seq)
}

/// QQ properties sent with Identify (`$os`, `$browser`, `$device`).
pub use botgate_codec::qq::Properties;

/// QQ op 2.
pub(crate) fn qq_identify(token: &str, intents: u32, shard: [u32; 2], p: &Properties) -> String {
    botgate_codec::qq::identify(&botgate_codec::qq::Identify {
        token,
        intents,
        shard,
        properties: p.clone(),
    })
}

/// QQ op 6.
pub(crate) fn qq_resume(token: &str, session_id: &str, seq: u64) -> String {
    botgate_codec::qq::resume(token, session_id, seq)
}

/// Bubble op 6 (ours).
pub(crate) fn bubble_resume(session_id: &str, seq: u64) -> String {
    botgate_codec::bubble::resume(session_id, seq)
}

/// Bubble op 30 (subscribe).
pub(crate) fn bubble_subscribe(events: &[String]) -> String {
    botgate_codec::bubble::subscribe(events)
}

/// Bubble op 31 (unsubscribe).
pub(crate) fn bubble_unsubscribe(events: &[String]) -> String {
    botgate_codec::bubble::unsubscribe(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_fields_accept_numbers_and_strings() {
        let v: Value =
            serde_json::from_str(r#"{"a":5,"b":"7","c":-1,"d":"x","e":12345678901234567890}"#)
                .unwrap();
        assert_eq!(u64_field(&v, "a"), Some(5));
        assert_eq!(u64_field(&v, "b"), Some(7));
        assert_eq!(u64_field(&v, "c"), None);
        assert_eq!(u64_field(&v, "d"), None);
        assert_eq!(id_field(&v, "e").as_deref(), Some("12345678901234567890"));
    }

    /// The cases only the OneBot receipt's reader handled before the two were one (decision
    /// 0078): an integral float is its integer, strings are trimmed, an empty one is no id.
    #[test]
    fn id_field_reads_integral_floats_trims_and_drops_empty_strings() {
        let v = json!({"f": 12.0, "n": -7.0, "h": 1.5, "t": " 7 ", "e": "", "b": "  ",
                       "z": null, "a": [1], "u": 18446744073709551615_u64, "i": -3});
        let id = |key| id_field(&v, key);
        assert_eq!(id("f").as_deref(), Some("12"));
        assert_eq!(id("n").as_deref(), Some("-7"));
        assert_eq!(id("h").as_deref(), Some("1.5"));
        assert_eq!(id("t").as_deref(), Some("7"));
        assert_eq!(id("e"), None);
        assert_eq!(id("b"), None);
        assert_eq!(id("z"), None);
        assert_eq!(id("a"), None);
        assert_eq!(id("missing"), None);
        assert_eq!(id("u").as_deref(), Some("18446744073709551615"));
        assert_eq!(id("i").as_deref(), Some("-3"));
        assert_eq!(id_field(&Value::Null, "f"), None);
    }

    #[test]
    fn a_lone_surrogate_does_not_empty_the_data() {
        let v = data_value(Some(br#"{"name":"cut \ud83d","sessionId":"s"}"#));
        assert_eq!(v["sessionId"], "s");
        assert_eq!(v["name"], "cut \u{fffd}");
        assert_eq!(data_value(Some(b"{")), Value::Null);
        assert_eq!(data_value(None), Value::Null);
    }

    #[test]
    fn command_frames_have_the_documented_shape() {
        let v: Value = serde_json::from_str(&qq_identify(
            "QQBot t",
            1 << 30,
            [0, 1],
            &Properties::default(),
        ))
        .unwrap();
        assert_eq!(v["op"], 2);
        assert_eq!(v["d"]["token"], "QQBot t");
        assert_eq!(v["d"]["intents"], 1 << 30);
        assert_eq!(v["d"]["shard"], json!([0, 1]));
        assert_eq!(v["d"]["properties"]["$browser"], "botgate");
        assert_eq!(heartbeat(None), r#"{"op":1,"d":null}"#);
        let r: Value = serde_json::from_str(&qq_resume("QQBot t", "sid", 42)).unwrap();
        assert_eq!(
            r,
            json!({"op": 6, "d": {"token": "QQBot t", "session_id": "sid", "seq": 42}})
        );
        let b: Value = serde_json::from_str(&bubble_subscribe(&["A".to_owned()])).unwrap();
        assert_eq!(b, json!({"op": 30, "d": {"events": ["A"]}}));
        let b: Value = serde_json::from_str(&bubble_unsubscribe(&["A".to_owned()])).unwrap();
        assert_eq!(b, json!({"op": 31, "d": {"events": ["A"]}}));
        let b: Value = serde_json::from_str(&bubble_resume("s", 4)).unwrap();
        assert_eq!(b, json!({"op": 6, "d": {"sessionId": "s", "seq": 4}}));
    }
}
