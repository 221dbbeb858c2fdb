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

use crate::generated;
use crate::scan::{self, Kind, Span};
use crate::Error;

/// A scanned gateway frame: the envelope fields, and `d` kept raw.
///
/// Cloning is cheap (a reference-counted [`Bytes`] and a few offsets). Nothing is allocated
/// while scanning unless `t` or `id` contain escapes.
#[derive(Clone)]
pub struct Frame {
    bytes: Bytes,
    op: u8,
    seq: Option<u64>,
    event_type: Option<Text>,
    id: Option<Text>,
    data: Option<Span>,
}

/// A string field of the envelope: a span of the frame, a known event type, or the decoded
/// text if it had escapes.
#[derive(Clone)]
enum Text {
    Span(Span),
    /// One of the schema's event types: `event_type()` then needs no UTF-8 check.
    Known(&'static str),
    Owned(Box<str>),
}

impl Frame {
    /// Scans `bytes` as a gateway frame.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) or
    /// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) if `bytes` is not one JSON object (see
    /// [`scan`]); [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) if `op` is missing or not an
    /// integer in 0..=255, `s` is not a non-negative integer that fits in 64 bits or null, `t`
    /// or `id` is neither a string nor null, or one of `op`, `s`, `t`, `id`, `d` appears twice.
    pub fn scan(bytes: impl Into<Bytes>) -> Result<Frame, Error> {
        let bytes = bytes.into();
        let input: &[u8] = &bytes;
        match compact::read(input) {
            Some(c) => Ok(Frame {
                op: c.op,
                seq: c.seq,
                event_type: c.event_type,
                id: c.id,
                data: c.data,
                bytes,
            }),
            None => Frame::scan_general(bytes),
        }
    }

    /// The scan of any frame: every key order, whitespace, escape and error.
    pub(crate) fn scan_general(bytes: Bytes) -> Result<Frame, Error> {
        let input: &[u8] = &bytes;
        let mut envelope = Envelope::new(input);
        scan::fields(input, &mut envelope)?;
        let op = envelope
            .op
            .ok_or_else(|| Error::envelope("op", "missing (every frame has an `op`)"))?;
        Ok(Frame {
            op,
            seq: envelope.seq.into_option(),
            event_type: envelope.event_type.into_option(),
            id: envelope.id.into_option(),
            data: envelope.data,
            bytes,
        })
    }

    /// The opcode (`op`).
    pub fn op(&self) -> u8 {
        self.op
    }

    /// The sequence number (`s`); `None` when absent or null.
    pub fn seq(&self) -> Option<u64> {
        self.seq
    }

    /// The event type (`t`), escapes decoded; `None` when absent or null.
    pub fn event_type(&self) -> Option<&str> {
        self.text(self.event_type.as_ref())
    }

    /// The top-level event id (`id`, QQ's `event_id` for passive replies); `None` when absent
    /// or null.
    pub fn id(&self) -> Option<&str> {
        self.text(self.id.as_ref())
    }

    /// The raw bytes of `d` exactly as they appear in the frame; `None` when there is no `d`
    /// (a `"d":null` gives `Some(b"null")`).
    ///
    /// The scan checked only the extent of `d`: a reader must still check its content (a serde
    /// decode does; [`decode_data`](Self::decode_data) is one).
    pub fn data(&self) -> Option<&[u8]> {
        self.data.map(|span| span.slice(&self.bytes))
    }

    /// Where `d` is in [`bytes`](Self::bytes), if present.
    pub fn data_span(&self) -> Option<Span> {
        self.data
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
            .field("s", &self.seq)
            .field("t", &self.event_type())
            .field("id", &self.id())
            .field("d_len", &self.data.map(|span| span.len()))
            .finish()
    }
}

/// The envelope fields found so far in `input`.
struct Envelope<'a> {
    input: &'a [u8],
    op: Option<u8>,
    seq: Field<u64>,
    event_type: Field<Text>,
    id: Field<Text>,
    data: Option<Span>,
}

impl<'a> Envelope<'a> {
    fn new(input: &'a [u8]) -> Self {
        Envelope {
            input,
            op: None,
            seq: Field::Absent,
            event_type: Field::Absent,
            id: Field::Absent,
            data: None,
        }
    }
}

impl scan::Visit for Envelope<'_> {
    #[inline(always)]
    fn value(&mut self, key: scan::RawKey<'_>, start: usize) -> Result<usize, Error> {
        self.field(self.input, key, start)
    }
}

impl Envelope<'_> {
    /// Reads the value of `key` that starts at `input[start]`; returns the offset past it.
    ///
    /// The common shapes (`t` / `id` strings, plain integer `op` / `s`, `d`) are read inline;
    /// anything else goes to [`general`](Self::general), which reports what is wrong.
    #[inline(always)]
    fn field(&mut self, input: &[u8], key: scan::RawKey<'_>, start: usize) -> Result<usize, Error> {
        let name = if key.escaped {
            Name::of_escaped(key)?
        } else {
            Name::of(key.raw)
        };
        match (name, input.get(start)) {
            // `t` and `id` are read here, so that the string is scanned once.
            (Name::T | Name::Id, Some(b'"')) => {
                let (close, escaped) = scan::strict_string(input, start + 1)?;
                let text = text_at(input, start, close, escaped)?;
                if name == Name::T {
                    let text = match text {
                        Text::Span(span) => generated::event_names::known(span.slice(input))
                            .map_or(Text::Span(span), Text::Known),
                        text => text,
                    };
                    self.event_type.set("t", Some(text))?;
                } else {
                    self.id.set("id", Some(text))?;
                }
                Ok(close + 1)
            }
            (Name::Op | Name::S, _) => match (name, plain_uint(input, start)) {
                (Name::Op, Some((n, end))) if n < 256 && self.op.is_none() => {
                    self.op = u8::try_from(n).ok();
                    Ok(end)
                }
                (Name::S, Some((n, end))) => {
                    self.seq.set("s", Some(n))?;
                    Ok(end)
                }
                // Out of range, a duplicate, not a plain integer: the general path says so.
                _ => self.general(input, name, start),
            },
            (Name::D, _) if self.data.is_none() => {
                let end = scan::skip_value(input, start)?;
                self.data = Some(Span { start, end });
                Ok(end)
            }
            (Name::Other, _) => scan::skip_value(input, start),
            _ => self.general(input, name, start),
        }
    }

    /// Every other case: validates the value and reports what is wrong with it.
    #[cold]
    #[inline(never)]
    fn general(&mut self, input: &[u8], name: Name, start: usize) -> Result<usize, Error> {
        let end = scan::skip_value(input, start)?;
        let span = Span { start, end };
        match name {
            Name::Op => {
                if self.op.is_some() {
                    return Err(duplicate("op"));
                }
                self.op = Some(parse_op(input, span)?);
            }
            Name::S => self.seq.set("s", parse_seq(input, span)?)?,
            Name::T => self.event_type.set("t", parse_null("t", input, span)?)?,
            Name::Id => self.id.set("id", parse_null("id", input, span)?)?,
            Name::D => {
                if self.data.is_some() {
                    return Err(duplicate("d"));
                }
                self.data = Some(span);
            }
            Name::Other => {}
        }
        Ok(end)
    }
}

/// The keys of the envelope, told apart by their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Op,
    S,
    T,
    Id,
    D,
    Other,
}

impl Name {
    #[inline(always)]
    fn of(key: &[u8]) -> Name {
        match key {
            [b'o', b'p'] => Name::Op,
            [b's'] => Name::S,
            [b't'] => Name::T,
            [b'i', b'd'] => Name::Id,
            [b'd'] => Name::D,
            _ => Name::Other,
        }
    }

    /// The name of a key written with escapes (rare: decoded first).
    #[cold]
    fn of_escaped(key: scan::RawKey<'_>) -> Result<Name, Error> {
        Ok(Name::of(key.text()?.as_bytes()))
    }
}

/// An optional envelope field that may appear at most once: absent, null, or a value.
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Present(Option<T>),
}

impl<T> Field<T> {
    #[inline(always)]
    fn set(&mut self, name: &'static str, value: Option<T>) -> Result<(), Error> {
        if matches!(self, Field::Present(_)) {
            return Err(duplicate(name));
        }
        *self = Field::Present(value);
        Ok(())
    }

    fn into_option(self) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Present(value) => value,
        }
    }
}

fn duplicate(field: &'static str) -> Error {
    Error::envelope(field, "appears more than once")
}

/// The raw value for messages, cut short so a huge value does not make a huge error.
fn shown(input: &[u8], span: Span) -> String {
    const MAX: usize = 32;
    let raw = String::from_utf8_lossy(span.slice(input));
    match raw.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{}…`", &raw[..cut]),
        None => format!("`{raw}`"),
    }
}

fn not_a(field: &'static str, want: &str, input: &[u8], span: Span) -> Error {
    let got = Kind::of(input, span).map_or("something else", Kind::describe);
    Error::envelope(
        field,
        format!("must be {want}, got {got} {}", shown(input, span)),
    )
}

/// The digits of a JSON number that is a non-negative integer, or `None` (negative, fraction,
/// exponent). The scan has already checked the number's grammar.
fn integer_digits(raw: &[u8]) -> Option<&[u8]> {
    if raw.iter().all(u8::is_ascii_digit) && !raw.is_empty() {
        Some(raw)
    } else {
        None
    }
}

fn parse_u64(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// The JSON number at `b[start..]` when it is a plain non-negative integer that fits in 64
/// bits (no sign, fraction, exponent or leading zero), with the offset past it; `None` for
/// anything else, which the general path then reads and reports.
#[inline(always)]
fn plain_uint(b: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut end = start;
    let mut n = 0u64;
    while let Some(&c) = b.get(end) {
        if !c.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        end += 1;
    }
    let leading_zero = b.get(start) == Some(&b'0') && end > start + 1;
    match b.get(end) {
        _ if end == start || leading_zero => None,
        Some(b'.' | b'e' | b'E') => None,
        _ => Some((n, end)),
    }
}

fn parse_op(input: &[u8], span: Span) -> Result<u8, Error> {
    if Kind::of(input, span) != Some(Kind::Number) {
        return Err(not_a("op", "an integer", input, span));
    }
    integer_digits(span.slice(input))
        .and_then(parse_u64)
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| {
            Error::envelope(
                "op",
                format!("must be an integer in 0..=255, got {}", shown(input, span)),
            )
        })
}

fn parse_seq(input: &[u8], span: Span) -> Result<Option<u64>, Error> {
    match Kind::of(input, span) {
        Some(Kind::Null) => Ok(None),
        Some(Kind::Number) => integer_digits(span.slice(input))
            .and_then(parse_u64)
            .map(Some)
            .ok_or_else(|| {
                Error::envelope(
                    "s",
                    format!(
                        "must be an integer in 0..=18446744073709551615, got {}",
                        shown(input, span)
                    ),
                )
            }),
        _ => Err(not_a("s", "an integer or null", input, span)),
    }
}

/// The string whose quotes are at `open` and `close` (already checked by the strict scan).
#[inline(always)]
fn text_at(input: &[u8], open: usize, close: usize, escaped: bool) -> Result<Text, Error> {
    let inner = Span {
        start: open + 1,
        end: close,
    };
    if !escaped {
        return Ok(Text::Span(inner));
    }
    let text = scan::str_value(
        input,
        Span {
            start: open,
            end: close + 1,
        },
    )?;
    Ok(Text::Owned(text.into_owned().into_boxed_str()))
}

/// `t` or `id` when it is not a string: only `null` is allowed.
fn parse_null(field: &'static str, input: &[u8], span: Span) -> Result<Option<Text>, Error> {
    match Kind::of(input, span) {
        Some(Kind::Null) => Ok(None),
        _ => Err(not_a(field, "a string or null", input, span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(f.data(), Some(&br#"{"a":1}"#[..]));
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
