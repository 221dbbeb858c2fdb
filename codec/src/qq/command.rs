//! QQ gateway commands (Identify, Resume, Heartbeat) and the Hello it answers.
//!
//! Every encoder returns the text of one WebSocket frame, with the exact bodies of the QQ
//! gateway (`{"op":2,"d":{"token":..,"intents":..,"shard":[i,n],"properties":{"$os":..}}}`).
//!
//! ```
//! use botgate_codec::qq;
//!
//! assert_eq!(qq::heartbeat(Some(7)), r#"{"op":1,"d":7}"#);
//! assert_eq!(qq::heartbeat(None), r#"{"op":1,"d":null}"#);
//! ```

use std::fmt;

use serde::Deserialize;

use crate::json::{self, push_str};
use crate::{Error, Frame};

/// QQ gateway opcodes.
pub mod op {
    /// An event (`t`, `s`, `id`, `d`). Receive.
    pub const DISPATCH: u8 = 0;
    /// Heartbeat: `d` = last `s` or null. Send; received, it means "beat now".
    pub const HEARTBEAT: u8 = 1;
    /// Identify (start a new session). Send.
    pub const IDENTIFY: u8 = 2;
    /// Resume a dropped session. Send.
    pub const RESUME: u8 = 6;
    /// The server asks the client to reconnect (then resume). Receive.
    pub const RECONNECT: u8 = 7;
    /// The session cannot be resumed (`d: false`): identify anew. Receive.
    pub const INVALID_SESSION: u8 = 9;
    /// First frame after connecting, with `heartbeat_interval`. Receive.
    pub const HELLO: u8 = 10;
    /// Acknowledges a heartbeat. Receive.
    pub const HEARTBEAT_ACK: u8 = 11;
    /// Acknowledges an HTTP callback (webhook mode only). Reply.
    pub const HTTP_CALLBACK_ACK: u8 = 12;
    /// Callback URL validation (webhook mode only). Receive.
    pub const CALLBACK_VALIDATION: u8 = 13;
}

/// The client description sent in Identify (`properties`: `$os`, `$browser`, `$device`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    /// `$os`, e.g. `linux`.
    pub os: String,
    /// `$browser`: the library name.
    pub browser: String,
    /// `$device`: the library name.
    pub device: String,
}

impl Default for Properties {
    /// This machine's OS and `botgate` as browser and device.
    fn default() -> Self {
        Self {
            os: std::env::consts::OS.to_owned(),
            browser: "botgate".to_owned(),
            device: "botgate".to_owned(),
        }
    }
}

/// The body of an Identify (op 2). `Debug` never shows the token.
#[derive(Clone)]
pub struct Identify<'a> {
    /// The full gateway token, `QQBot <access_token>` or the legacy `Bot <app_id>.<token>`.
    pub token: &'a str,
    /// The intents bitmask (see [`Intents`](crate::Intents)).
    pub intents: u32,
    /// `[shard_id, shard_count]`.
    pub shard: [u32; 2],
    /// The client description.
    pub properties: Properties,
}

impl fmt::Debug for Identify<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identify")
            .field("token", &"<redacted>")
            .field("intents", &self.intents)
            .field("shard", &self.shard)
            .field("properties", &self.properties)
            .finish()
    }
}

/// Encodes an Identify (op 2).
///
/// ```
/// use botgate_codec::qq::{identify, Identify, Properties};
///
/// let text = identify(&Identify {
///     token: "QQBot abc",
///     intents: 1 << 30,
///     shard: [0, 1],
///     properties: Properties { os: "linux".into(), ..Properties::default() },
/// });
/// assert_eq!(
///     text,
///     r#"{"op":2,"d":{"token":"QQBot abc","intents":1073741824,"shard":[0,1],"properties":{"$os":"linux","$browser":"botgate","$device":"botgate"}}}"#
/// );
/// ```
pub fn identify(id: &Identify<'_>) -> String {
    let mut out = String::with_capacity(160 + id.token.len());
    out.push_str("{\"op\":2,\"d\":{\"token\":");
    push_str(&mut out, id.token);
    out.push_str(&format!(
        ",\"intents\":{},\"shard\":[{},{}],\"properties\":{{\"$os\":",
        id.intents, id.shard[0], id.shard[1]
    ));
    push_str(&mut out, &id.properties.os);
    out.push_str(",\"$browser\":");
    push_str(&mut out, &id.properties.browser);
    out.push_str(",\"$device\":");
    push_str(&mut out, &id.properties.device);
    out.push_str("}}}");
    out
}

/// Encodes a Resume (op 6): `{"op":6,"d":{"token":..,"session_id":..,"seq":..}}`.
pub fn resume(token: &str, session_id: &str, seq: u64) -> String {
    let mut out = String::with_capacity(64 + token.len() + session_id.len());
    out.push_str("{\"op\":6,\"d\":{\"token\":");
    push_str(&mut out, token);
    out.push_str(",\"session_id\":");
    push_str(&mut out, session_id);
    out.push_str(&format!(",\"seq\":{seq}}}}}"));
    out
}

/// Encodes a Heartbeat (op 1): `{"op":1,"d":<seq|null>}` with the last received `s`.
pub fn heartbeat(seq: Option<u64>) -> String {
    json::heartbeat(op::HEARTBEAT, seq)
}

/// The body of a Hello (op 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    /// Milliseconds between heartbeats.
    pub heartbeat_interval: u64,
}

impl Hello {
    /// A Hello with this interval (in milliseconds).
    pub fn new(heartbeat_interval: u64) -> Self {
        Self { heartbeat_interval }
    }
}

#[derive(Deserialize)]
struct HelloBody {
    #[serde(default, deserialize_with = "botgate_proto::de::opt_u64")]
    heartbeat_interval: Option<u64>,
}

/// Reads the Hello (op 10) of the QQ gateway.
///
/// # Errors
/// [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) if the frame is not op 10,
/// [`ErrorKind::Payload`](crate::ErrorKind::Payload) if `d` has no usable
/// `heartbeat_interval` (a number, or a string of digits).
pub fn hello(frame: &Frame) -> Result<Hello, Error> {
    let body = hello_body(frame, op::HELLO)?;
    match body.heartbeat_interval {
        Some(ms) if ms > 0 => Ok(Hello::new(ms)),
        _ => Err(Error::new(crate::ErrorKind::Payload {
            event: "HELLO".to_owned(),
            path: "heartbeat_interval".to_owned(),
            reason: "missing or zero".to_owned(),
        })),
    }
}

/// Reads the body of a Hello frame (shared with the Bubble gateway).
pub(crate) fn hello_interval(frame: &Frame, hello_op: u8) -> Result<Option<u64>, Error> {
    Ok(hello_body(frame, hello_op)?
        .heartbeat_interval
        .filter(|&ms| ms > 0))
}

fn hello_body(frame: &Frame, hello_op: u8) -> Result<HelloBody, Error> {
    if frame.op() != hello_op {
        return Err(Error::envelope(
            "op",
            format!("expected Hello ({hello_op}), got {}", frame.op()),
        ));
    }
    match frame.data() {
        None | Some(b"null") => Ok(HelloBody {
            heartbeat_interval: None,
        }),
        Some(data) => Error::decode_payload("HELLO", data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::{json, Value};

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn identify_has_the_spec_body() {
        let text = identify(&Identify {
            token: "QQBot t\"o\\k",
            intents: 1_073_741_826,
            shard: [3, 9],
            properties: Properties {
                os: "linux".into(),
                browser: "botgate".into(),
                device: "botgate".into(),
            },
        });
        assert_eq!(
            parse(&text),
            json!({"op": 2, "d": {"token": "QQBot t\"o\\k", "intents": 1_073_741_826u32,
                "shard": [3, 9], "properties": {"$os": "linux", "$browser": "botgate", "$device": "botgate"}}})
        );
    }

    #[test]
    fn identify_debug_redacts_the_token() {
        let id = Identify {
            token: "QQBot very-secret",
            intents: 1,
            shard: [0, 1],
            properties: Properties::default(),
        };
        let dbg = format!("{id:?}");
        assert!(!dbg.contains("very-secret"), "{dbg}");
        assert!(dbg.contains("<redacted>"), "{dbg}");
    }

    #[test]
    fn resume_has_the_spec_body() {
        assert_eq!(
            resume("QQBot x", "082ee18c", 1337),
            r#"{"op":6,"d":{"token":"QQBot x","session_id":"082ee18c","seq":1337}}"#
        );
        assert_eq!(
            parse(&resume("a", "b", u64::MAX))["d"]["seq"],
            json!(u64::MAX)
        );
    }

    #[test]
    fn heartbeat_carries_the_last_seq_or_null() {
        assert_eq!(heartbeat(Some(0)), r#"{"op":1,"d":0}"#);
        assert_eq!(
            heartbeat(Some(u64::MAX)),
            r#"{"op":1,"d":18446744073709551615}"#
        );
        assert_eq!(heartbeat(None), r#"{"op":1,"d":null}"#);
    }

    #[test]
    fn hello_reads_the_interval() {
        let f = Frame::scan(r#"{"op": 10, "d": {"heartbeat_interval": 45000}}"#).unwrap();
        assert_eq!(hello(&f).unwrap(), Hello::new(45_000));
        let f = Frame::scan(r#"{"op":10,"d":{"heartbeat_interval":"41250"}}"#).unwrap();
        assert_eq!(hello(&f).unwrap().heartbeat_interval, 41_250);
    }

    #[test]
    fn hello_rejects_other_ops_and_missing_interval() {
        let f = Frame::scan(r#"{"op":11}"#).unwrap();
        assert!(matches!(
            hello(&f).unwrap_err().kind(),
            ErrorKind::Envelope { field: "op", .. }
        ));
        let f = Frame::scan(r#"{"op":10,"d":{}}"#).unwrap();
        assert!(matches!(
            hello(&f).unwrap_err().kind(),
            ErrorKind::Payload { .. }
        ));
        let f = Frame::scan(r#"{"op":10,"d":{"heartbeat_interval":[1]}}"#).unwrap();
        assert!(matches!(
            hello(&f).unwrap_err().kind(),
            ErrorKind::Payload { .. }
        ));
    }
}
