//! The `op` of a QQ webhook body, read as strictly as the gateway's envelope scan
//! (`botgate_codec::Frame::scan`, decision 0009): an unsigned JSON integer, nothing else. A
//! body acknowledged here goes to that scan, so a lenient read (`"op":"0"`) was answered 200
//! and then dropped, an event lost that QQ would not send again (decision 0078).

use serde::Deserialize;
use serde_json::Value;

/// Why a body's `op` could not be read; the 400 answer carries this text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpError {
    /// The body is not a JSON object.
    #[error("malformed body: not a JSON object")]
    NotJson,
    /// No `op`, or `op` is null.
    #[error("malformed body: `op` is missing")]
    Missing,
    /// `op` is a string (`"0"`), a float, negative, or not a number at all.
    #[error("malformed body: `op` must be an unsigned integer (a string such as \"0\" is refused, as on the gateway)")]
    NotInteger,
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    op: Option<Value>,
}

/// The envelope's `op`, the only field read before the body goes on.
pub(crate) fn read_op(body: &[u8]) -> Result<u64, OpError> {
    // serde reads a struct from an array too (`[0]` as `{"op":0}`): a frame is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(OpError::NotJson);
    }
    let head = serde_json::from_slice::<Head>(body).map_err(|_| OpError::NotJson)?;
    match head.op.ok_or(OpError::Missing)? {
        Value::Number(n) => n.as_u64().ok_or(OpError::NotInteger),
        _ => Err(OpError::NotInteger),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsigned_integers_are_ops() {
        assert_eq!(read_op(br#"{"op":0,"d":{}}"#), Ok(0));
        assert_eq!(read_op(br#"{"d":{},"op":13}"#), Ok(13));
        for bad in [
            r#"{"op":"0"}"#,
            r#"{"op":1.0}"#,
            r#"{"op":-1}"#,
            r#"{"op":[0]}"#,
        ] {
            assert_eq!(read_op(bad.as_bytes()), Err(OpError::NotInteger), "{bad}");
        }
        assert_eq!(read_op(br#"{"op":null}"#), Err(OpError::Missing));
        assert_eq!(read_op(br#"{"d":{}}"#), Err(OpError::Missing));
        assert_eq!(read_op(b"not json"), Err(OpError::NotJson));
        assert_eq!(read_op(b"[0]"), Err(OpError::NotJson));
        assert_eq!(read_op(b" \n{\"op\":1}"), Ok(1));
    }
}
