//! Bubble gateway commands (Heartbeat, Subscribe, Unsubscribe, Resume) and its Hello.
//!
//! Bubble authenticates at the WebSocket upgrade (`Authorization: Bearer`), so there is no
//! Identify. Bodies follow `/docs/gateway` of Bubble plus botgate's documented extensions
//! (op 6 Resume with `sessionId`).
//!
//! ```
//! use botgate_codec::bubble;
//!
//! assert_eq!(
//!     bubble::subscribe(&["MESSAGE_CREATE", "DM_MESSAGE_CREATE"]),
//!     r#"{"op":30,"d":{"events":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#
//! );
//! ```

use crate::json::{self, push_str};
use crate::qq::Hello;
use crate::{Error, Frame};

/// Bubble gateway opcodes (`op`).
pub mod op {
    /// An event (`t`, `d`, and `s` when the server numbers them). Receive.
    pub const DISPATCH: u8 = 0;
    /// Heartbeat: `d` = last `s` or null. Send; received, it means "beat now".
    pub const HEARTBEAT: u8 = 1;
    /// Resume a dropped session (botgate extension). Send.
    pub const RESUME: u8 = 6;
    /// The server asks the client to reconnect (botgate extension). Receive.
    pub const RECONNECT: u8 = 7;
    /// `d: bool` resumable; false means a fresh session (botgate extension). Receive.
    pub const INVALID_SESSION: u8 = 9;
    /// First frame after connecting, with `heartbeat_interval`. Receive.
    pub const HELLO: u8 = 10;
    /// Acknowledges a heartbeat. Receive.
    pub const HEARTBEAT_ACK: u8 = 11;
    /// Subscribe to event types: `{"events":[..]}`. Send.
    pub const SUBSCRIBE: u8 = 30;
    /// Unsubscribe from event types: `{"events":[..]}`. Send.
    pub const UNSUBSCRIBE: u8 = 31;
}

/// The heartbeat interval Bubble's own client assumes when Hello does not give one.
pub const DEFAULT_HEARTBEAT_INTERVAL_MS: u64 = 30_000;

/// Encodes a Heartbeat (op 1): `{"op":1,"d":<seq|null>}` with the last received `s`.
pub fn heartbeat(seq: Option<u64>) -> String {
    json::heartbeat(op::HEARTBEAT, seq)
}

/// Encodes a Subscribe (op 30): `{"op":30,"d":{"events":[..]}}`.
pub fn subscribe<S: AsRef<str>>(events: &[S]) -> String {
    json::events_command(op::SUBSCRIBE, events)
}

/// Encodes an Unsubscribe (op 31): `{"op":31,"d":{"events":[..]}}`.
pub fn unsubscribe<S: AsRef<str>>(events: &[S]) -> String {
    json::events_command(op::UNSUBSCRIBE, events)
}

/// Encodes a Resume (op 6): `{"op":6,"d":{"sessionId":..,"seq":..}}`.
pub fn resume(session_id: &str, seq: u64) -> String {
    let mut out = String::with_capacity(40 + session_id.len());
    out.push_str("{\"op\":6,\"d\":{\"sessionId\":");
    push_str(&mut out, session_id);
    out.push_str(&format!(",\"seq\":{seq}}}}}"));
    out
}

/// Reads the Hello (op 10) of the Bubble gateway; a missing or zero interval falls back to
/// [`DEFAULT_HEARTBEAT_INTERVAL_MS`], as Bubble's own client does.
///
/// # Errors
/// [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) if the frame is not op 10,
/// [`ErrorKind::Payload`](crate::ErrorKind::Payload) if `heartbeat_interval` is present but not
/// a number.
pub fn hello(frame: &Frame) -> Result<Hello, Error> {
    let ms = crate::qq::command::hello_interval(frame, op::HELLO)?;
    Ok(Hello::new(ms.unwrap_or(DEFAULT_HEARTBEAT_INTERVAL_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn subscribe_and_unsubscribe_use_the_events_field() {
        assert_eq!(
            subscribe(&["A", "B"]),
            r#"{"op":30,"d":{"events":["A","B"]}}"#
        );
        assert_eq!(
            unsubscribe(&[String::from("MESSAGE_DELETE")]),
            r#"{"op":31,"d":{"events":["MESSAGE_DELETE"]}}"#
        );
        assert_eq!(subscribe::<&str>(&[]), r#"{"op":30,"d":{"events":[]}}"#);
    }

    #[test]
    fn resume_has_the_spec_body() {
        assert_eq!(
            resume("s-1", 41),
            r#"{"op":6,"d":{"sessionId":"s-1","seq":41}}"#
        );
    }

    #[test]
    fn heartbeat_carries_the_last_seq_or_null() {
        assert_eq!(heartbeat(Some(3)), r#"{"op":1,"d":3}"#);
        assert_eq!(heartbeat(None), r#"{"op":1,"d":null}"#);
    }

    #[test]
    fn hello_reads_the_interval_or_falls_back() {
        let f = Frame::scan(r#"{"op": 10, "d": {"heartbeat_interval": 25000}}"#).unwrap();
        assert_eq!(hello(&f).unwrap().heartbeat_interval, 25_000);
        let f = Frame::scan(r#"{"op":10}"#).unwrap();
        assert_eq!(
            hello(&f).unwrap().heartbeat_interval,
            DEFAULT_HEARTBEAT_INTERVAL_MS
        );
        let f = Frame::scan(r#"{"op":10,"d":{}}"#).unwrap();
        assert_eq!(
            hello(&f).unwrap().heartbeat_interval,
            DEFAULT_HEARTBEAT_INTERVAL_MS
        );
        let f = Frame::scan(r#"{"op":11}"#).unwrap();
        assert!(matches!(
            hello(&f).unwrap_err().kind(),
            ErrorKind::Envelope { field: "op", .. }
        ));
    }
}
