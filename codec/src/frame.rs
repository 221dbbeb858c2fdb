//! One frame of the QQ / Bubble gateway, scanned without parsing `d`.
//!
//! [`Frame::scan`] reads the envelope `{"op", "s", "t", "id", "d"}` in one pass over the
//! bytes (any key order, any whitespace) and keeps `d` as a raw span; [`Frame::decode_data`]
//! parses `d` into a typed payload only when someone asks. The envelope is strict (an `op`
//! that is not an integer 0..=255 is an error); unknown top-level keys are ignored. `d` is
//! checked for its extent only (strings, brackets): its content, UTF-8 included, is checked
//! by whatever reads it, so an event nobody handles costs a skip, not a parse.
//!
//! ```
//! use botgate_codec::Frame;
//!
//! let frame = Frame::scan(&br#"{"d":{"t":"not me"},"t":"MESSAGE_CREATE","s":17,"op":0}"#[..])?;
//! assert_eq!(frame.op(), 0);
//! assert_eq!(frame.seq(), Some(17));
//! assert_eq!(frame.event_type(), Some("MESSAGE_CREATE"));
//! assert_eq!(frame.data(), Some(&br#"{"t":"not me"}"#[..]));
//! # Ok::<(), botgate_codec::Error>(())
//! ```

use std::fmt;

use bytes::Bytes;

mod compact;
mod general;

use crate::scan::{self, Span};
use crate::Error;
use general::{plain_uint, Envelope};

/// A scanned gateway frame: the envelope fields, and `d` kept raw.
///
/// Cloning is cheap (a reference-counted [`Bytes`] and a few offsets). Nothing is allocated
/// while scanning unless `t` or `id` contain escapes.
#[derive(Clone)]
pub struct Frame {
    bytes: Bytes,
    op: u8,
    /// `s`, when `has_seq` (an `Option<u64>` would take 16 bytes, see [`MAX_FRAME_LEN`]).
    seq: u64,
    has_seq: bool,
    event_type: Option<Text>,
    id: Option<Text>,
    data: Option<Range32>,
    /// Whether the scan stepped over `d` (see [`Frame::scan_envelope`]).
    data_checked: bool,
}

/// The largest frame [`Frame::scan`] takes: its offsets are kept in `u32`s. A session's frame
/// is moved a dozen times between the socket and the handler, and a `Frame` (with the event
/// around it) under 128 bytes is moved with a few vector stores instead of a `memcpy` call.
pub const MAX_FRAME_LEN: usize = u32::MAX as usize;

/// A [`Span`] of a frame no longer than [`MAX_FRAME_LEN`], in 8 bytes.
#[derive(Clone, Copy)]
struct Range32 {
    start: u32,
    end: u32,
}

impl Range32 {
    /// `span` of a frame the scan has checked to be at most [`MAX_FRAME_LEN`] long, so both
    /// ends fit.
    #[inline(always)]
    fn of(span: Span) -> Range32 {
        Range32 {
            start: span.start as u32,
            end: span.end as u32,
        }
    }

    #[inline(always)]
    fn span(self) -> Span {
        Span {
            start: self.start as usize,
            end: self.end as usize,
        }
    }

    #[inline(always)]
    fn slice(self, input: &[u8]) -> &[u8] {
        self.span().slice(input)
    }
}

/// A string field of the envelope: a span of the frame, a known event type, or the decoded
/// text if it had escapes.
#[derive(Clone)]
enum Text {
    Span(Range32),
    /// One of the schema's event types: `event_type()` then needs no UTF-8 check.
    Known(&'static str),
    Owned(Box<str>),
}

impl Text {
    /// `t` at `span` of `input` (a string without escapes): the schema's `&'static str` when
    /// it is a known event type, else the span.
    #[inline(always)]
    fn event_type(input: &[u8], span: Span) -> Text {
        crate::generated::event_names::known(span.slice(input))
            .map_or(Text::span(span), Text::Known)
    }

    /// The string at `span` of a frame of at most [`MAX_FRAME_LEN`] bytes.
    #[inline(always)]
    fn span(span: Span) -> Text {
        Text::Span(Range32::of(span))
    }
}

impl Frame {
    /// Scans `bytes` as a gateway frame.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) or
    /// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) if `bytes` is not one JSON object (see
    /// [`scan`]); [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) if `op` is missing or not an
    /// integer in 0..=255, `s` is not a non-negative integer that fits in 64 bits or null, `t`
    /// or `id` is neither a string nor null, or one of `op`, `s`, `t`, `id`, `d` appears twice;
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) for a frame longer than
    /// [`MAX_FRAME_LEN`].
    pub fn scan(bytes: impl Into<Bytes>) -> Result<Frame, Error> {
        Frame::scan_with(bytes.into(), false)
    }

    /// Scans `bytes` for its envelope, as a gateway session does: like [`scan`](Self::scan),
    /// but when `op`, `s`, `t` and `id` all come before `d` (an object or an array), `d` is
    /// taken to run to the frame's closing brace without stepping over it. A QQ dispatch
    /// frame is written in that order, and the skip of `d` was a tenth of the cost of a
    /// handled event; its reader (every decode) reads `d` anyway.
    ///
    /// For a valid frame the result is [`scan`](Self::scan)'s. For one with another key after
    /// `d`, or a `d` that is not one JSON value, [`data`](Self::data) is then not one JSON value
    /// either (a reader of it fails), and
    /// [`data_checked`](Self::data_checked) is `false`: [`scan`](Self::scan) of
    /// [`bytes`](Self::bytes) then says what `d` is, or what is wrong with the frame.
    ///
    /// # Errors
    /// As [`scan`](Self::scan), for the envelope.
    pub fn scan_envelope(bytes: impl Into<Bytes>) -> Result<Frame, Error> {
        Frame::scan_with(bytes.into(), true)
    }

    fn scan_with(bytes: Bytes, trust_last_d: bool) -> Result<Frame, Error> {
        let input: &[u8] = &bytes;
        if input.len() > MAX_FRAME_LEN {
            return Err(Error::too_large("frame", MAX_FRAME_LEN));
        }
        match compact::read(input, trust_last_d) {
            Some(c) => Ok(Frame {
                op: c.op,
                seq: c.seq.unwrap_or_default(),
                has_seq: c.seq.is_some(),
                event_type: c.event_type,
                id: c.id,
                data: c.data.map(Range32::of),
                data_checked: c.data_checked,
                bytes,
            }),
            None => Frame::scan_general(bytes),
        }
    }

    /// The scan of any frame (at most [`MAX_FRAME_LEN`] bytes): every key order, whitespace,
    /// escape and error.
    pub(crate) fn scan_general(bytes: Bytes) -> Result<Frame, Error> {
        let input: &[u8] = &bytes;
        if input.len() > MAX_FRAME_LEN {
            return Err(Error::too_large("frame", MAX_FRAME_LEN));
        }
        let mut envelope = Envelope::new(input);
        scan::fields(input, &mut envelope)?;
        let op = envelope
            .op
            .ok_or_else(|| Error::envelope("op", "missing (every frame has an `op`)"))?;
        let seq = envelope.seq.into_option();
        Ok(Frame {
            op,
            seq: seq.unwrap_or_default(),
            has_seq: seq.is_some(),
            event_type: envelope.event_type.into_option(),
            id: envelope.id.into_option(),
            data: envelope.data.map(Range32::of),
            data_checked: true,
            bytes,
        })
    }

    /// The opcode (`op`).
    pub fn op(&self) -> u8 {
        self.op
    }

    /// The sequence number (`s`); `None` when absent or null.
    pub fn seq(&self) -> Option<u64> {
        self.has_seq.then_some(self.seq)
    }

    /// The event type (`t`), escapes decoded; `None` when absent or null.
    pub fn event_type(&self) -> Option<&str> {
        self.text(self.event_type.as_ref())
    }

    /// `t` when it is one of the schema's QQ or Bubble event types, as the schema's
    /// `&'static str` (no copy, no reference count for whoever keeps it).
    pub fn known_event_type(&self) -> Option<&'static str> {
        match self.event_type {
            Some(Text::Known(t)) => Some(t),
            _ => None,
        }
    }

    /// Whether `t` is one of the schema's QQ or Bubble event types (looked up once, by the
    /// scan). An unknown type passes through as it is: newer than this build, so nothing here
    /// knows what makes two of them the same event.
    pub fn is_known_event_type(&self) -> bool {
        match &self.event_type {
            Some(Text::Known(_)) => true,
            Some(Text::Owned(t)) => crate::generated::event_names::known(t.as_bytes()).is_some(),
            _ => false,
        }
    }

    /// The top-level event id (`id`, QQ's `event_id` for passive replies); `None` when absent
    /// or null.
    pub fn id(&self) -> Option<&str> {
        self.text(self.id.as_ref())
    }

    /// The UTF-8 bytes of [`id`](Self::id), without checking them again: for hashing or
    /// storing the id, where [`id`](Self::id) would check its UTF-8 on every call.
    pub fn id_bytes(&self) -> Option<&[u8]> {
        match self.id.as_ref()? {
            Text::Span(span) => Some(span.slice(&self.bytes)),
            Text::Known(name) => Some(name.as_bytes()),
            Text::Owned(text) => Some(text.as_bytes()),
        }
    }

    /// The raw bytes of `d` exactly as they appear in the frame; `None` when there is no `d`
    /// (a `"d":null` gives `Some(b"null")`).
    ///
    /// The scan checked only the extent of `d`: a reader must still check its content (a serde
    /// decode does; [`decode_data`](Self::decode_data) is one).
    pub fn data(&self) -> Option<&[u8]> {
        self.data.map(|span| span.slice(&self.bytes))
    }

    /// Whether the scan stepped over `d`, so [`data`](Self::data) is exactly one JSON value's
    /// extent; `false` only after [`scan_envelope`](Self::scan_envelope) took `d` to run to
    /// the closing brace (see there).
    pub fn data_checked(&self) -> bool {
        self.data_checked
    }

    /// Where `d` is in [`bytes`](Self::bytes), if present.
    pub fn data_span(&self) -> Option<Span> {
        self.data.map(Range32::span)
    }

    /// Runs `read` on `d` (`null` when there is none). When the scan did not check `d`'s
    /// extent ([`scan_envelope`](Self::scan_envelope)) and `read` fails, the frame is scanned
    /// in full and `read` runs on the `d` that finds, or the scan's error is returned: the
    /// result is then always what it would have been after [`scan`](Self::scan).
    ///
    /// # Errors
    /// `read`'s error, or the full scan's.
    pub fn read_data<T>(&self, read: impl Fn(&[u8]) -> Result<T, Error>) -> Result<T, Error> {
        match read(self.data().unwrap_or(b"null")) {
            Err(_) if !self.data_checked => {
                let full = Frame::scan(self.bytes.clone())?;
                read(full.data().unwrap_or(b"null"))
            }
            result => result,
        }
    }

    /// Parses `d` into `T` (a missing `d` is read as `null`).
    ///
    /// # Errors
    /// [`ErrorKind::Payload`](crate::ErrorKind::Payload) naming the event (`t`, or `op N` when
    /// there is none) and the path of the field that did not decode.
    pub fn decode_data<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let data = self.data().unwrap_or(b"null");
        match self.event_type() {
            Some(t) => Error::decode_payload(t, data),
            None => Error::decode_payload(&format!("op {}", self.op), data),
        }
    }

    /// The whole frame as received.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The whole frame as received, taking the frame (no reference count is taken).
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The whole frame as text.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) if `d` holds bytes that are
    /// not UTF-8: [`scan`](Self::scan) checks the envelope's keys and strings, but `d` only for
    /// its extent (its content is checked by whatever reads it, such as
    /// [`decode_data`](Self::decode_data)).
    pub fn to_str(&self) -> Result<&str, Error> {
        scan::utf8(&self.bytes, 0)
    }

    fn text<'a>(&'a self, field: Option<&'a Text>) -> Option<&'a str> {
        match field? {
            Text::Span(span) => std::str::from_utf8(span.slice(&self.bytes)).ok(),
            Text::Known(name) => Some(name),
            Text::Owned(text) => Some(text),
        }
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("op", &self.op)
            .field("s", &self.seq())
            .field("t", &self.event_type())
            .field("id", &self.id())
            .field("d_len", &self.data_span().map(|span| span.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated;
    use crate::ErrorKind;

    fn envelope_field(input: &str) -> &'static str {
        match Frame::scan(input.to_owned()).unwrap_err().kind() {
            ErrorKind::Envelope { field, .. } => field,
            other => panic!("expected an envelope error for {input}, got {other:?}"),
        }
    }

    #[test]
    fn scan_reads_every_envelope_field() {
        let f = Frame::scan(r#"{"op":0,"s":42,"t":"AT_MESSAGE_CREATE","id":"AT:1","d":{"a":1}}"#)
            .unwrap();
        assert_eq!(f.op(), 0);
        assert_eq!(f.seq(), Some(42));
        assert_eq!(f.event_type(), Some("AT_MESSAGE_CREATE"));
        assert_eq!(f.id(), Some("AT:1"));
        assert_eq!(f.id_bytes(), Some(&b"AT:1"[..]));
        assert_eq!(f.data(), Some(&br#"{"a":1}"#[..]));
    }

    #[test]
    fn envelope_scan_trusts_only_a_last_d_after_the_whole_envelope() {
        let frame = r#"{"op":0,"s":4,"t":"AT_MESSAGE_CREATE","id":"AT:4","d":{"a":[1]}}"#;
        let f = Frame::scan_envelope(frame).unwrap();
        assert!(!f.data_checked());
        assert_eq!(f.data(), Some(&br#"{"a":[1]}"#[..]));
        assert_eq!((f.seq(), f.id()), (Some(4), Some("AT:4")));
        assert!(Frame::scan(frame).unwrap().data_checked());
        // Without `id` (or `s`, or `t`) before `d`, a later key could be one of them.
        for checked in [
            r#"{"op":0,"s":4,"t":"X","d":{"a":1},"id":"I"}"#,
            r#"{"op":0,"t":"X","id":"I","d":{"a":1},"s":4}"#,
            r#"{"op":0,"s":4,"id":"I","d":{"a":1},"t":"X"}"#,
            r#"{"op":0,"s":4,"t":"X","id":"I","d":"text"}"#,
            r#"{"op":0,"s":4,"t":"X","id":"I","d":{"a":1},"x":2}"#,
        ] {
            let f = Frame::scan_envelope(checked).unwrap();
            assert!(f.data_checked(), "{checked}");
            assert_eq!(f.data(), Frame::scan(checked).unwrap().data(), "{checked}");
        }
    }

    #[test]
    fn read_data_after_an_envelope_scan_is_the_full_scans() {
        let read = |d: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(d)
                .map_err(|e| Error::syntax(e.column(), "not JSON"))
        };
        // An unknown key after `d`: the unchecked `d` is not one value, the full scan's is.
        let extra = r#"{"op":0,"s":1,"t":"X","id":"I","d":{"a":1},"x":{"b":2}}"#;
        let f = Frame::scan_envelope(extra).unwrap();
        assert!(!f.data_checked());
        assert_eq!(f.data(), Some(&br#"{"a":1},"x":{"b":2}"#[..]));
        assert_eq!(f.read_data(read).unwrap(), serde_json::json!({"a": 1}));
        // A broken `d`, or a duplicate key after it: the full scan's error.
        for bad in [
            r#"{"op":0,"s":1,"t":"X","id":"I","d":{"a":[}}"#,
            r#"{"op":0,"s":1,"t":"X","id":"I","d":{},"s":2,"x":{}}"#,
        ] {
            let f = Frame::scan_envelope(bad).unwrap();
            let full = Frame::scan(bad).unwrap_err();
            assert_eq!(f.read_data(read).unwrap_err().kind(), full.kind(), "{bad}");
        }
    }

    #[test]
    fn every_schema_event_type_is_known_and_nothing_else() {
        let qq = botgate_proto::qq::EventType::ALL.iter().map(|e| e.as_str());
        let bubble = botgate_proto::bubble::EventType::ALL
            .iter()
            .map(|e| e.as_str());
        for name in qq.chain(bubble) {
            assert_eq!(generated::event_names::known(name.as_bytes()), Some(name));
            let frame = Frame::scan(format!(r#"{{"op":0,"t":"{name}"}}"#)).unwrap();
            assert!(matches!(frame.event_type, Some(Text::Known(_))), "{name}");
            assert_eq!(frame.event_type(), Some(name));
        }
        for other in [
            "",
            "READ",
            "READYY",
            "ready",
            "AT_MESSAGE_CREATE_",
            "SOME_FUTURE_EVENT",
        ] {
            assert_eq!(
                generated::event_names::known(other.as_bytes()),
                None,
                "{other}"
            );
            let frame = Frame::scan(format!(r#"{{"op":0,"t":"{other}"}}"#)).unwrap();
            assert_eq!(frame.event_type(), Some(other));
        }
    }

    #[test]
    fn absent_and_null_fields_are_none() {
        let f = Frame::scan(r#"{"op":11}"#).unwrap();
        assert_eq!(
            (f.op(), f.seq(), f.event_type(), f.id(), f.data()),
            (11, None, None, None, None)
        );
        let f = Frame::scan(r#"{"op":1,"s":null,"t":null,"id":null,"d":null}"#).unwrap();
        assert_eq!((f.seq(), f.event_type(), f.id()), (None, None, None));
        assert_eq!(f.data(), Some(&b"null"[..]));
    }

    #[test]
    fn escaped_event_type_is_decoded() {
        let f = Frame::scan(r#"{"op":0,"t":"A\u005fB","id":"x\"y"}"#).unwrap();
        assert_eq!(f.event_type(), Some("A_B"));
        assert_eq!(f.id(), Some("x\"y"));
        assert_eq!(f.id_bytes(), Some(&b"x\"y"[..]));
        assert_eq!(Frame::scan(r#"{"op":0}"#).unwrap().id_bytes(), None);
    }

    #[test]
    fn seq_covers_the_whole_u64_range() {
        let f = Frame::scan(r#"{"op":0,"s":18446744073709551615}"#).unwrap();
        assert_eq!(f.seq(), Some(u64::MAX));
        assert_eq!(envelope_field(r#"{"op":0,"s":18446744073709551616}"#), "s");
    }

    #[test]
    fn op_must_be_an_integer_from_0_to_255() {
        assert_eq!(Frame::scan(r#"{"op":255}"#).unwrap().op(), 255);
        for bad in [
            r#"{"op":256}"#,
            r#"{"op":-1}"#,
            r#"{"op":1.0}"#,
            r#"{"op":1e1}"#,
            r#"{"op":"0"}"#,
            r#"{"op":null}"#,
            r#"{"op":[0]}"#,
            r#"{"op":99999999999999999999999}"#,
            r#"{"d":1}"#,
            r#"{"op":1,"op":1}"#,
        ] {
            assert_eq!(envelope_field(bad), "op", "{bad}");
        }
    }

    #[test]
    fn seq_t_and_id_reject_wrong_types() {
        assert_eq!(envelope_field(r#"{"op":0,"s":-1}"#), "s");
        assert_eq!(envelope_field(r#"{"op":0,"s":1.5}"#), "s");
        assert_eq!(envelope_field(r#"{"op":0,"s":"1"}"#), "s");
        assert_eq!(envelope_field(r#"{"op":0,"t":1}"#), "t");
        assert_eq!(envelope_field(r#"{"op":0,"t":{}}"#), "t");
        assert_eq!(envelope_field(r#"{"op":0,"id":true}"#), "id");
        assert_eq!(envelope_field(r#"{"op":0,"d":1,"d":2}"#), "d");
        assert_eq!(envelope_field(r#"{"op":0,"t":null,"t":"X"}"#), "t");
    }

    #[test]
    fn envelope_errors_show_the_value_cut_short() {
        let long = format!(r#"{{"op":"{}"}}"#, "x".repeat(1000));
        let err = Frame::scan(long).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("got a string"), "{msg}");
        assert!(msg.len() < 120, "{msg}");
    }

    #[test]
    fn decode_data_reports_the_event_and_path() {
        #[derive(serde::Deserialize, Debug)]
        struct Hello {
            #[allow(dead_code)]
            heartbeat_interval: u64,
        }
        let f = Frame::scan(r#"{"op":0,"t":"X","d":{"heartbeat_interval":"soon"}}"#).unwrap();
        let err = f.decode_data::<Hello>().unwrap_err();
        match err.kind() {
            ErrorKind::Payload { event, path, .. } => {
                assert_eq!(event, "X");
                assert_eq!(path, "heartbeat_interval");
            }
            other => panic!("{other:?}"),
        }
        let f = Frame::scan(r#"{"op":11}"#).unwrap();
        assert_eq!(f.decode_data::<Option<u64>>().unwrap(), None);
    }

    #[test]
    fn debug_shows_the_envelope_not_the_payload() {
        let f = Frame::scan(r#"{"op":0,"t":"T","d":{"secret":"abc"}}"#).unwrap();
        let dbg = format!("{f:?}");
        assert!(dbg.contains("\"T\""), "{dbg}");
        assert!(!dbg.contains("abc"), "{dbg}");
    }

    #[test]
    fn frame_is_send_sync_and_clone_shares_bytes() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Frame>();
        let f = Frame::scan(r#"{"op":0,"d":[1]}"#).unwrap();
        let g = f.clone();
        assert_eq!(f.bytes().as_ptr(), g.bytes().as_ptr());
    }
}
