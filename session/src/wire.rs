//! The few wire shapes the sessions write and read themselves: command frames and the fields of
//! control payloads (Hello, READY, op 9), read leniently (numbers may come as strings).
//!
//! Payloads for the application are never parsed here: they travel as [`Frame`]s.
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

/// An id field (string or number) as a string.
pub(crate) fn id_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
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
