//! The top-level fields of a OneBot frame that say what it is, found by one scan of its keys
//! (the loop of [`crate::scan::object_fields`]: any key order, nested values skipped without
//! recursion). Both the envelope ([`super::RawEvent`], [`super::Incoming`]) and
//! [`super::decode_event`] start here.
//!
//! The same scan notes where the id fields are (`self_id`, `message_id`, `group_id`,
//! `user_id`), so the dispatcher's dedupe key and lane come from the scan that classified the
//! frame instead of one more scan each.

use std::borrow::Cow;

use crate::scan::{self, Kind, RawKey, Span};
use crate::Error;
use botgate_proto::onebot::EventKind;

/// A top-level id field of an event whose raw value the scan keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdField {
    /// `self_id`: the bot's account.
    SelfId,
    /// `message_id` (message events).
    MessageId,
    /// `group_id`.
    GroupId,
    /// `user_id`.
    UserId,
}

impl IdField {
    const COUNT: usize = 4;

    fn index(self) -> usize {
        match self {
            IdField::SelfId => 0,
            IdField::MessageId => 1,
            IdField::GroupId => 2,
            IdField::UserId => 3,
        }
    }
}

/// A type field: a top-level string that says what a frame is (`post_type`, `message_type`,
/// ..., `sub_type`). This enum is the one home of their keys, their slots in [`Header`] and
/// which `post_type` each detail type belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeField {
    Post,
    Message,
    Notice,
    Request,
    MetaEvent,
    Sub,
}

impl TypeField {
    /// How many there are: the size of [`Header`]'s table, which they index.
    const COUNT: usize = TypeField::Sub as usize + 1;

    /// The type field a key names, compared as written (`None`: any other key). One `match`
    /// on the bytes, run per top-level key of every frame.
    #[inline(always)]
    fn of_key(key: &[u8]) -> Option<TypeField> {
        Some(match key {
            b"post_type" => TypeField::Post,
            b"message_type" => TypeField::Message,
            b"notice_type" => TypeField::Notice,
            b"request_type" => TypeField::Request,
            b"meta_event_type" => TypeField::MetaEvent,
            b"sub_type" => TypeField::Sub,
            _ => return None,
        })
    }

    /// Its key, as its errors name it (the inverse of [`of_key`](Self::of_key)).
    fn key(self) -> &'static str {
        match self {
            TypeField::Post => "post_type",
            TypeField::Message => "message_type",
            TypeField::Notice => "notice_type",
            TypeField::Request => "request_type",
            TypeField::MetaEvent => "meta_event_type",
            TypeField::Sub => "sub_type",
        }
    }

    /// Its bit in [`Header`]'s `types_seen`.
    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The detail type field of a `post_type` (`None`: a post type without one).
    fn detail_of(post_type: &str) -> Option<TypeField> {
        match post_type {
            "message" | "message_sent" => Some(TypeField::Message),
            "notice" => Some(TypeField::Notice),
            "request" => Some(TypeField::Request),
            "meta_event" => Some(TypeField::MetaEvent),
            _ => None,
        }
    }
}

/// Where the id fields are in the frame: the span of each one's first occurrence, and whether
/// one of them occurs again.
///
/// Spans are kept as `u32` offsets (`end == 0`: none, as no value ends at offset 0): the
/// spans travel inside every OneBot `SessionEvent`, whose size each connection's event
/// channel pays per slot. A span beyond `u32` counts as repeated, which sends the frame to
/// the general scan.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdSpans {
    spans: [(u32, u32); IdField::COUNT],
    repeated: bool,
}

impl IdSpans {
    fn record(&mut self, field: IdField, span: Span) {
        let (Ok(start), Ok(end)) = (u32::try_from(span.start), u32::try_from(span.end)) else {
            self.repeated = true;
            return;
        };
        match self.spans.get_mut(field.index()) {
            Some(slot) if slot.1 == 0 => *slot = (start, end),
            Some(_) => self.repeated = true,
            None => {}
        }
    }

    /// The span of the first occurrence of `field`.
    pub(crate) fn get(&self, field: IdField) -> Option<Span> {
        match self.spans.get(field.index()) {
            Some(&(start, end)) if end != 0 => Some(Span {
                start: start as usize,
                end: end as usize,
            }),
            _ => None,
        }
    }

    /// Whether one of the id fields occurs more than once.
    pub(crate) fn repeated(&self) -> bool {
        self.repeated
    }
}

/// The top-level fields of a OneBot frame that say what it is (type fields borrowed from the
/// frame unless they hold escapes).
#[derive(Debug, Default, Clone)]
pub(crate) struct Header<'a> {
    /// The type fields' values, by [`TypeField`] (`None`: absent or `null`).
    types: [Option<Cow<'a, str>>; TypeField::COUNT],
    /// Which type fields were met, by [`TypeField::bit`]: a repeat is skipped, and a `post_type`
    /// key that holds `null` is still a `post_type` key.
    types_seen: u8,
    /// Whether a `time` key was met (its value may not be an integer).
    time_key: bool,
    /// The scan stopped before the end of the frame (see [`Header::scan_group_message`]).
    stopped: bool,
    self_id: Option<i64>,
    time: Option<i64>,
    response: ResponseFields,
    ids: IdSpans,
}

/// Where the fields of an action response are: the last occurrence of each, as a read that
/// keeps every key it meets ends up with.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseFields {
    /// `echo`.
    pub echo: Option<Span>,
    /// `retcode`.
    pub retcode: Option<Span>,
    /// `status`.
    pub status: Option<Span>,
    /// `data`.
    pub data: Option<Span>,
    /// `msg`.
    pub msg: Option<Span>,
    /// `message` (some implementations' name for `msg`; in an event, the message itself).
    pub message: Option<Span>,
    /// `wording`.
    pub wording: Option<Span>,
}

impl<'a> Header<'a> {
    /// Scan the top-level keys of `bytes`.
    ///
    /// # Errors
    /// As [`crate::scan::object_fields`]; an envelope error for a type field that is not a
    /// string (or holds a `.`).
    pub(crate) fn scan(bytes: &'a [u8]) -> Result<Header<'a>, Error> {
        Header::scan_until(bytes, false)
    }

    /// Like [`scan`](Self::scan), but a group message's scan stops once it has read every
    /// field the header takes from one: `post_type`, `message_type`, `sub_type`, `time` and
    /// the four ids. Producers write them first (go-cqhttp, Lagrange, NapCat), before the
    /// message, its text and the sender, which are then not stepped over. A later key could
    /// only repeat one of them (serde's derive refuses that), and whoever decodes the event
    /// reads all of it. [`stopped`](Self::stopped) says whether it stopped.
    ///
    /// # Errors
    /// As [`scan`](Self::scan), for what was read.
    pub(crate) fn scan_group_message(bytes: &'a [u8]) -> Result<Header<'a>, Error> {
        Header::scan_until(bytes, true)
    }

    /// Whether [`scan_group_message`](Self::scan_group_message) stopped before the end.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether a group message's header fields have all been read (see
    /// [`scan_group_message`](Self::scan_group_message)).
    fn group_message_complete(&self) -> bool {
        let all_ids = [
            IdField::SelfId,
            IdField::MessageId,
            IdField::GroupId,
            IdField::UserId,
        ]
        .iter()
        .all(|&f| self.ids.get(f).is_some());
        all_ids
            && self.time_key
            && self.get(TypeField::Sub).is_some()
            && self.get(TypeField::Message).is_some()
            && !self.ids.repeated()
            && self.get(TypeField::Post).and_then(TypeField::detail_of) == Some(TypeField::Message)
    }

    /// The value of a type field (`None`: absent or `null`).
    fn get(&self, field: TypeField) -> Option<&str> {
        self.types[field as usize].as_deref()
    }

    fn scan_until(bytes: &'a [u8], group_message: bool) -> Result<Header<'a>, Error> {
        let mut h = Header::default();
        scan::fields(bytes, &mut |key: RawKey<'_>, start: usize| {
            let end = h.read(bytes, key, start)?;
            if group_message && h.group_message_complete() {
                h.stopped = true;
                return Ok(scan::STOP);
            }
            Ok(end)
        })?;
        Ok(h)
    }

    /// Reads the value of `key` (at `start`) into the header if it is one of its fields, else
    /// skips it; the offset past the value.
    #[inline(always)]
    fn read(&mut self, bytes: &'a [u8], key: RawKey<'_>, start: usize) -> Result<usize, Error> {
        // Plain keys are compared as written: no text (and no UTF-8 check) per key.
        let text;
        let name: &[u8] = if key.escaped {
            text = key.text()?;
            text.as_bytes()
        } else {
            key.raw
        };
        let Some(field) = TypeField::of_key(name) else {
            let end = scan::skip_value(bytes, start)?;
            let span = Span { start, end };
            match name {
                b"self_id" => {
                    self.self_id = int_value(bytes, span);
                    self.ids.record(IdField::SelfId, span);
                }
                // The first occurrence stands, as in the payload's decode (decision 0049).
                b"time" if !self.time_key => {
                    self.time_key = true;
                    self.time = int_value(bytes, span);
                }
                b"message_id" => self.ids.record(IdField::MessageId, span),
                b"group_id" => self.ids.record(IdField::GroupId, span),
                b"user_id" => self.ids.record(IdField::UserId, span),
                b"echo" => self.response.echo = Some(span),
                b"retcode" => self.response.retcode = Some(span),
                b"status" => self.response.status = Some(span),
                b"data" => self.response.data = Some(span),
                b"msg" => self.response.msg = Some(span),
                b"message" => self.response.message = Some(span),
                b"wording" => self.response.wording = Some(span),
                _ => {}
            }
            return Ok(end);
        };
        let (value, end) = type_field(bytes, start, field)?;
        // The first occurrence stands, as in the payload's decode (decision 0049): the kind
        // the header gives is the kind the decoded event reports.
        if self.types_seen & field.bit() == 0 {
            self.types_seen |= field.bit();
            self.types[field as usize] = value;
        }
        Ok(end)
    }

    /// `self_id`, if it is an integer or a numeric string.
    pub(crate) fn self_id(&self) -> Option<i64> {
        self.self_id
    }

    /// `time`, if it is an integer or a numeric string.
    pub(crate) fn time(&self) -> Option<i64> {
        self.time
    }

    /// Where the id fields are.
    pub(crate) fn ids(&self) -> IdSpans {
        self.ids
    }

    /// Whether the frame is an event (it has `post_type`).
    pub(crate) fn is_event(&self) -> bool {
        self.get(TypeField::Post).is_some()
    }

    /// Whether the frame has a `post_type` key at all (a `null` one included).
    pub(crate) fn has_post_type_key(&self) -> bool {
        self.types_seen & TypeField::Post.bit() != 0
    }

    /// Whether the frame looks like an action response.
    pub(crate) fn is_response(&self) -> bool {
        self.response.retcode.is_some() || self.response.status.is_some()
    }

    /// Where the fields of an action response are.
    pub(crate) fn response(&self) -> ResponseFields {
        self.response
    }

    /// The event kind; an error if there is no `post_type`.
    pub(crate) fn event_kind(&self) -> Result<EventKind, Error> {
        let post_type = self.get(TypeField::Post).ok_or_else(|| {
            Error::envelope(TypeField::Post.key(), "missing (not a OneBot event)")
        })?;
        let detail = TypeField::detail_of(post_type).and_then(|f| self.get(f));
        // Without a detail type the sub type says nothing (and `notice` + `group_ban` must not
        // read as the kind `notice.group_ban`).
        let sub_type = detail.and(self.get(TypeField::Sub));
        Ok(EventKind::classify(post_type, detail, sub_type))
    }
}

/// A type field whose value starts at `start`: a string without `.`, or `null`. Anything else
/// is an envelope error (after the value is skipped, so a syntax error comes first). Returns
/// the value and the offset past it.
///
/// Kinds join the type fields with dots, so a dot inside one (`"notice.group_ban"` as a
/// `post_type`) would make an unknown kind read as a known one.
fn type_field<'a>(
    bytes: &'a [u8],
    start: usize,
    field: TypeField,
) -> Result<(Option<Cow<'a, str>>, usize), Error> {
    if bytes.get(start) == Some(&b'"') {
        // One strict read of the string gives its end and its text.
        let (close, escaped) = scan::strict_string(bytes, start + 1)?;
        let inner = bytes.get(start + 1..close).unwrap_or_default();
        let inner = std::str::from_utf8(inner)
            .map_err(|e| Error::invalid_utf8(start + 1 + e.valid_up_to()))?;
        let value = if escaped {
            Cow::Owned(scan::unescape(inner, start + 1)?)
        } else {
            Cow::Borrowed(inner)
        };
        if value.contains('.') {
            return Err(Error::envelope(
                field.key(),
                format!("`{value}` contains a `.`"),
            ));
        }
        return Ok((Some(value), close + 1));
    }
    let end = scan::skip_value(bytes, start)?;
    match Kind::of(bytes, Span { start, end }) {
        Some(Kind::Null) => Ok((None, end)),
        other => Err(Error::envelope(
            field.key(),
            format!(
                "expected a string, found {}",
                other.map_or("an invalid value", Kind::describe)
            ),
        )),
    }
}

/// An integer or a numeric string; anything else is `None` (these fields are informational).
fn int_value(bytes: &[u8], span: Span) -> Option<i64> {
    match Kind::of(bytes, span)? {
        Kind::Number => json_int(span.slice(bytes)),
        Kind::String => scan::str_value(bytes, span).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON number (already checked by the scan) as an `i64`, as `str::parse` reads it: digits
/// with an optional `-`; a fraction, an exponent or an overflow is `None`. Read from the bytes:
/// no UTF-8 conversion per id.
fn json_int(raw: &[u8]) -> Option<i64> {
    let (negative, digits) = match raw.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, raw),
    };
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0i64, |n, &c| {
        let d = i64::from(c.checked_sub(b'0').filter(|d| *d <= 9)?);
        let n = n.checked_mul(10)?;
        if negative {
            n.checked_sub(d)
        } else {
            n.checked_add(d)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_fields_are_found_by_the_classifying_scan() {
        let frame = br#"{"self_id":1,"post_type":"message","message_type":"group","message_id":"m","g\u0072oup_id":7,"sender":{"user_id":9}}"#;
        let h = Header::scan(frame).unwrap();
        let raw = |f| h.ids().get(f).map(|s: Span| s.slice(frame));
        assert_eq!(raw(IdField::SelfId), Some(&b"1"[..]));
        assert_eq!(raw(IdField::MessageId), Some(&br#""m""#[..]));
        assert_eq!(raw(IdField::GroupId), Some(&b"7"[..]));
        // Nested ids are not top-level ones.
        assert_eq!(raw(IdField::UserId), None);
        assert!(!h.ids().repeated());
        let h = Header::scan(br#"{"group_id":null,"group_id":5}"#).unwrap();
        assert!(h.ids().repeated());
        assert_eq!(
            h.ids().get(IdField::GroupId),
            Some(Span { start: 12, end: 16 })
        );
    }

    #[test]
    fn type_field_keys_name_their_fields() {
        use TypeField::*;
        let all = [Post, Message, Notice, Request, MetaEvent, Sub];
        for (i, field) in all.into_iter().enumerate() {
            assert_eq!(field as usize, i);
            assert_eq!(TypeField::of_key(field.key().as_bytes()), Some(field));
        }
        assert_eq!(all.len(), TypeField::COUNT);
    }

    #[test]
    fn json_ints_read_as_str_parse_reads_them() {
        for raw in [
            "0",
            "-0",
            "7",
            "-7",
            "123456789",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "1e3",
            "-",
            "",
            "12a",
        ] {
            assert_eq!(json_int(raw.as_bytes()), raw.parse::<i64>().ok(), "{raw}");
        }
    }

    #[test]
    fn type_fields_keep_their_errors() {
        // A syntax error in the value comes before the envelope error.
        let e = Header::scan(br#"{"post_type":tru}"#).unwrap_err();
        assert!(matches!(e.kind(), crate::ErrorKind::Syntax { .. }), "{e}");
        let e = Header::scan(br#"{"post_type":[1]}"#).unwrap_err();
        assert!(e.to_string().contains("an array"), "{e}");
        let h = Header::scan(br#"{"post_type":"m\u0065ssage","message_type":null}"#).unwrap();
        assert_eq!(h.event_kind().unwrap().as_str(), "message");
    }
}
