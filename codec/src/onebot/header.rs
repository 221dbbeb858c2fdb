//! The top-level fields of a OneBot frame that say what it is, found by one scan of its keys
//! ([`crate::scan::object_fields`]: any key order, nested values skipped without recursion).
//! Both the envelope ([`super::RawEvent`], [`super::Incoming`]) and [`super::decode_event`]
//! start here.

use crate::scan::{self, Kind, Span};
use crate::Error;
use botgate_proto::onebot::EventKind;

/// The top-level fields of a OneBot frame that say what it is.
#[derive(Debug, Default, Clone)]
pub(crate) struct Header {
    post_type: Option<String>,
    message_type: Option<String>,
    notice_type: Option<String>,
    request_type: Option<String>,
    meta_event_type: Option<String>,
    sub_type: Option<String>,
    self_id: Option<i64>,
    time: Option<i64>,
    has_retcode: bool,
    has_status: bool,
}

impl Header {
    /// Scan the top-level keys of `bytes`.
    pub(crate) fn scan(bytes: &[u8]) -> Result<Header, Error> {
        let mut h = Header::default();
        scan::object_fields(bytes, |key, span| {
            match key.as_str() {
                "post_type" => h.post_type = type_field(bytes, span, "post_type")?,
                "message_type" => h.message_type = type_field(bytes, span, "message_type")?,
                "notice_type" => h.notice_type = type_field(bytes, span, "notice_type")?,
                "request_type" => h.request_type = type_field(bytes, span, "request_type")?,
                "meta_event_type" => {
                    h.meta_event_type = type_field(bytes, span, "meta_event_type")?;
                }
                "sub_type" => h.sub_type = type_field(bytes, span, "sub_type")?,
                "self_id" => h.self_id = int_value(bytes, span),
                "time" => h.time = int_value(bytes, span),
                "retcode" => h.has_retcode = true,
                "status" => h.has_status = true,
                _ => {}
            }
            Ok(())
        })?;
        Ok(h)
    }

    /// `self_id`, if it is an integer or a numeric string.
    pub(crate) fn self_id(&self) -> Option<i64> {
        self.self_id
    }

    /// `time`, if it is an integer or a numeric string.
    pub(crate) fn time(&self) -> Option<i64> {
        self.time
    }

    /// Whether the frame is an event (it has `post_type`).
    pub(crate) fn is_event(&self) -> bool {
        self.post_type.is_some()
    }

    /// Whether the frame looks like an action response.
    pub(crate) fn is_response(&self) -> bool {
        self.has_retcode || self.has_status
    }

    /// The event kind; an error if there is no `post_type`.
    pub(crate) fn event_kind(&self) -> Result<EventKind, Error> {
        let post_type = self
            .post_type
            .as_deref()
            .ok_or_else(|| Error::envelope("post_type", "missing (not a OneBot event)"))?;
        let detail = match post_type {
            "message" | "message_sent" => self.message_type.as_deref(),
            "notice" => self.notice_type.as_deref(),
            "request" => self.request_type.as_deref(),
            "meta_event" => self.meta_event_type.as_deref(),
            _ => None,
        };
        // Without a detail type the sub type says nothing (and `notice` + `group_ban` must not
        // read as the kind `notice.group_ban`).
        let sub_type = detail.and(self.sub_type.as_deref());
        Ok(EventKind::classify(post_type, detail, sub_type))
    }
}

/// A type field: a string without `.`, or `null` / absent. Anything else is an envelope error.
///
/// Kinds join the type fields with dots, so a dot inside one (`"notice.group_ban"` as a
/// `post_type`) would make an unknown kind read as a known one.
fn type_field(bytes: &[u8], span: Span, field: &'static str) -> Result<Option<String>, Error> {
    match Kind::of(bytes, span) {
        Some(Kind::String) => {
            let value = scan::str_value(bytes, span)?;
            if value.contains('.') {
                return Err(Error::envelope(field, format!("`{value}` contains a `.`")));
            }
            Ok(Some(value.into_owned()))
        }
        Some(Kind::Null) => Ok(None),
        other => Err(Error::envelope(
            field,
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
        Kind::Number => std::str::from_utf8(span.slice(bytes)).ok()?.parse().ok(),
        Kind::String => scan::str_value(bytes, span).ok()?.trim().parse().ok(),
        _ => None,
    }
}
