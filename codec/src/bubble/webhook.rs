//! Bubble's webhook body `{"type":T,"data":D}` as the gateway's dispatch frame
//! `{"op":0,"t":T,"d":D}`, so webhook deliveries take the same decode → dispatch path (and the
//! same `(t, d.id)` dedupe) as WebSocket dispatches (bubble.md 3.6).

use bytes::Bytes;

use crate::scan::{self, Kind, Span};
use crate::{Error, Frame};

/// Rewrites a webhook body into a dispatch frame and scans it. `type` must be a string;
/// `data` is copied byte for byte (absent: `null`); other keys are dropped.
///
/// # Errors
/// A body that is not one JSON object, or whose `type` is missing or not a string.
pub fn webhook_frame(body: &[u8]) -> Result<Frame, Error> {
    let (mut t, mut d): (Option<Span>, Option<Span>) = (None, None);
    scan::object_fields(body, |key, span| {
        match key.as_str() {
            "type" if t.is_none() => t = Some(span),
            "data" if d.is_none() => d = Some(span),
            _ => {}
        }
        Ok(())
    })?;
    let t = t.ok_or_else(|| Error::envelope("type", "missing"))?;
    if Kind::of(body, t) != Some(Kind::String) {
        return Err(Error::envelope("type", "not a string"));
    }
    let t = t.slice(body);
    let d = d.map_or(&b"null"[..], |span| span.slice(body));
    let mut frame = Vec::with_capacity(t.len() + d.len() + 20);
    frame.extend_from_slice(br#"{"op":0,"t":"#);
    frame.extend_from_slice(t);
    frame.extend_from_slice(br#","d":"#);
    frame.extend_from_slice(d);
    frame.push(b'}');
    Frame::scan(Bytes::from(frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_and_data_become_t_and_d() {
        let body = br#"{"type":"MESSAGE_CREATE","data":{"id":1001,"channelId":5,"content":"Hello!"},"extra":1}"#;
        let frame = webhook_frame(body).unwrap();
        assert_eq!(frame.op(), 0);
        assert_eq!(frame.event_type(), Some("MESSAGE_CREATE"));
        assert_eq!(
            frame.data(),
            Some(&br#"{"id":1001,"channelId":5,"content":"Hello!"}"#[..])
        );
        assert_eq!(frame.seq(), None);
    }

    #[test]
    fn key_order_whitespace_and_escapes_are_kept() {
        let body = b" { \"data\" : [1, \"\\u00e9\"] , \"type\" : \"X\\u005fY\" } ";
        let frame = webhook_frame(body).unwrap();
        assert_eq!(frame.event_type(), Some("X_Y"));
        assert_eq!(frame.data(), Some(&b"[1, \"\\u00e9\"]"[..]));
        let no_data = webhook_frame(br#"{"type":"PING"}"#).unwrap();
        assert_eq!(no_data.data(), Some(&b"null"[..]));
    }

    #[test]
    fn bodies_without_a_string_type_are_errors() {
        for body in [
            &b""[..],
            b"[]",
            b"{}",
            br#"{"type":1,"data":{}}"#,
            br#"{"type":"A","data":{}"#,
            br#"{"op":0,"t":"MESSAGE_CREATE","d":{}}"#,
        ] {
            assert!(
                webhook_frame(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
