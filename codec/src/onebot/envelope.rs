//! What a OneBot frame is: an event (it has `post_type`) or an action response (it has
//! `retcode` / `status`), and for an event its kind, read by [`Header::scan`] from the
//! top-level keys only; the payload is parsed only when asked ([`RawEvent::decode`]).

use super::action::ActionResponse;
use super::event::Event;
use super::header::{Header, IdField, IdSpans, ResponseFields};
use crate::Error;
use botgate_proto::onebot::EventKind;
use bytes::Bytes;

/// An event whose kind is known and whose payload is not parsed yet.
///
/// Cheap to clone (the frame is [`Bytes`]). A dispatcher looks at [`kind`](Self::kind) and
/// calls [`decode`](Self::decode) only when someone handles it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    kind: EventKind,
    /// `self_id` and `time`, each when its flag is set: an `Option<i64>` takes 16 bytes, and
    /// an event under 128 bytes is moved without a `memcpy` call (see `Frame`'s
    /// `MAX_FRAME_LEN`).
    self_id: i64,
    time: i64,
    has_self_id: bool,
    has_time: bool,
    ids: IdSpans,
    bytes: Bytes,
    /// The scan read the whole frame (`false`: [`RawEvent::scan_frame_envelope`] stopped).
    checked: bool,
}

impl RawEvent {
    /// Scan an event frame.
    ///
    /// # Errors
    /// As [`crate::scan::object_fields`]; [`ErrorKind::Envelope`](crate::ErrorKind::Envelope)
    /// if there is no `post_type` or a type field is not a string.
    pub fn scan(bytes: impl Into<Bytes>) -> Result<RawEvent, Error> {
        let bytes = bytes.into();
        let header = Header::scan(&bytes)?;
        let event = Self::from_header(&header)?;
        drop(header);
        Ok(event(bytes))
    }

    /// Scan a frame that may be an event or not, once: the event, or (the frame has no
    /// `post_type` key) where the fields of an action response are, so that reading a
    /// response takes no second scan.
    ///
    /// # Errors
    /// As [`scan`](Self::scan), minus the missing `post_type`.
    pub fn scan_frame(bytes: impl Into<Bytes>) -> Result<Scanned, Error> {
        Self::scan_frame_with(bytes.into(), false)
    }

    /// [`scan_frame`](Self::scan_frame) as a session does (decision 0038): a group message's
    /// scan stops once `post_type`, `message_type`, `sub_type`, `time` and the four ids are
    /// read, and leaves the rest of the frame (the message, the sender) to the decode.
    ///
    /// For a valid frame that does not repeat a key the result is `scan_frame`'s. Otherwise
    /// [`checked`](RawEvent::checked) is `false` and [`decode`](RawEvent::decode), should it
    /// fail, scans the whole frame first: its result is always what it would have been after
    /// `scan_frame`.
    ///
    /// # Errors
    /// As [`scan_frame`](Self::scan_frame), for what was read.
    pub fn scan_frame_envelope(bytes: impl Into<Bytes>) -> Result<Scanned, Error> {
        Self::scan_frame_with(bytes.into(), true)
    }

    fn scan_frame_with(bytes: Bytes, group_message: bool) -> Result<Scanned, Error> {
        let header = match group_message {
            true => Header::scan_group_message(&bytes)?,
            false => Header::scan(&bytes)?,
        };
        // A `post_type` that is `null` is not "no `post_type`": it stays the error of `scan`.
        if !header.has_post_type_key() {
            return Ok(Scanned::NotEvent(header.response()));
        }
        let event = Self::from_header(&header)?;
        drop(header);
        Ok(Scanned::Event(event(bytes)))
    }

    /// The event of a scanned frame, once it is handed its bytes (the header borrows them).
    fn from_header(header: &Header<'_>) -> Result<impl FnOnce(Bytes) -> RawEvent, Error> {
        let checked = !header.stopped();
        let (kind, self_id, time, ids) = (
            header.event_kind()?,
            header.self_id(),
            header.time(),
            header.ids(),
        );
        Ok(move |bytes| RawEvent {
            kind,
            self_id: self_id.unwrap_or_default(),
            time: time.unwrap_or_default(),
            has_self_id: self_id.is_some(),
            has_time: time.is_some(),
            ids,
            bytes,
            checked,
        })
    }

    /// The event's kind.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// `self_id` if it is an integer (or a numeric string). Waylay sends 0 before login.
    pub fn self_id(&self) -> Option<i64> {
        self.has_self_id.then_some(self.self_id)
    }

    /// `time` (unix seconds) if it is an integer.
    pub fn time(&self) -> Option<i64> {
        self.has_time.then_some(self.time)
    }

    /// The raw JSON value of the top-level `field` as written (quotes included for a
    /// string), found by the scan that classified the frame; its first occurrence if the
    /// key is repeated, `None` if absent.
    ///
    /// ```
    /// use botgate_codec::onebot::{IdField, RawEvent};
    /// let e = RawEvent::scan(&br#"{"post_type":"message","message_id":"42","group_id":7}"#[..])?;
    /// assert_eq!(e.id_field(IdField::MessageId), Some(&br#""42""#[..]));
    /// assert_eq!(e.id_field(IdField::GroupId), Some(&b"7"[..]));
    /// assert_eq!(e.id_field(IdField::UserId), None);
    /// # Ok::<(), botgate_codec::Error>(())
    /// ```
    pub fn id_field(&self, field: IdField) -> Option<&[u8]> {
        self.ids.get(field).map(|span| span.slice(&self.bytes))
    }

    /// Whether one of the [`IdField`]s occurs more than once at the top level (a reader that
    /// wants another occurrence than the first then scans [`bytes`](Self::bytes) itself).
    pub fn id_fields_repeated(&self) -> bool {
        self.ids.repeated()
    }

    /// The whole frame.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The whole frame, taking the event (no reference count is taken).
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Decode the payload into the typed event.
    ///
    /// # Errors
    /// [`ErrorKind::Payload`](crate::ErrorKind::Payload) naming the kind and the field.
    pub fn decode(&self) -> Result<Event, Error> {
        match Event::decode_as(&self.kind, &self.bytes) {
            // The scan stopped early: the whole frame says what it is, or what is wrong.
            Err(_) if !self.checked => RawEvent::scan(self.bytes.clone())?.decode(),
            result => result,
        }
    }

    /// Whether the scan read the whole frame; `false` after
    /// [`scan_frame_envelope`](Self::scan_frame_envelope) stopped at a group message's
    /// header (see there).
    pub fn checked(&self) -> bool {
        self.checked
    }
}

/// What [`RawEvent::scan_frame`] made of a frame.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Scanned {
    /// An event (the frame has `post_type`).
    Event(RawEvent),
    /// Not an event: where the fields of an action response are (all `None` for a frame that
    /// is not one either).
    NotEvent(ResponseFields),
}

/// One frame from a OneBot implementation: an event or the answer to an action.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Incoming {
    /// An event (the frame has `post_type`); its payload is decoded on demand.
    Event(RawEvent),
    /// An action response (no `post_type`; `retcode` and / or `status`).
    Response(ActionResponse),
}

impl Incoming {
    /// Tell an event from an action response.
    ///
    /// ```
    /// use botgate_codec::onebot::Incoming;
    /// let r = Incoming::classify(&br#"{"status":"ok","retcode":0,"data":null,"echo":"7"}"#[..])?;
    /// assert!(matches!(r, Incoming::Response(ref resp) if resp.echo_str().as_deref() == Some("7")));
    /// let e = Incoming::classify(&br#"{"post_type":"meta_event","meta_event_type":"heartbeat"}"#[..])?;
    /// assert!(matches!(e, Incoming::Event(ref ev) if ev.kind().as_str() == "meta_event.heartbeat"));
    /// # Ok::<(), botgate_codec::Error>(())
    /// ```
    ///
    /// # Errors
    /// Scan errors; [`ErrorKind::Envelope`](crate::ErrorKind::Envelope) (field `post_type`) if
    /// the frame is neither, or a type field is not a string; for a response, the errors of
    /// [`ActionResponse::decode`].
    pub fn classify(bytes: impl Into<Bytes>) -> Result<Incoming, Error> {
        let bytes = bytes.into();
        let header = Header::scan(&bytes)?;
        if header.is_event() {
            let event = RawEvent::from_header(&header)?;
            drop(header);
            return Ok(Incoming::Event(event(bytes)));
        }
        let is_response = header.is_response();
        drop(header);
        if is_response {
            return ActionResponse::decode(&bytes).map(Incoming::Response);
        }
        Err(Error::envelope(
            "post_type",
            "neither an event (no `post_type`) nor an action response (no `retcode` / `status`)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn nested_post_type_is_not_the_outer_one() {
        let r = Incoming::classify(
            &br#"{"data":{"post_type":"message"},"retcode":0,"status":"ok"}"#[..],
        )
        .unwrap();
        assert!(matches!(r, Incoming::Response(_)));
    }

    #[test]
    fn post_type_that_is_not_a_string_is_an_envelope_error() {
        let e = Incoming::classify(&br#"{"post_type":1}"#[..]).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::Envelope {
                    field: "post_type",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_kind_never_reads_as_a_known_one() {
        // No notice_type: the sub type must not stand in for it.
        let r = RawEvent::scan(&br#"{"post_type":"notice","sub_type":"group_ban"}"#[..]).unwrap();
        assert_eq!(r.kind(), &EventKind::Unknown("notice".into()));
        assert_eq!(r.decode().unwrap().kind(), *r.kind());
        // Dots inside a type field are refused.
        for bad in [
            &br#"{"post_type":"notice.group_ban"}"#[..],
            br#"{"post_type":"notice","notice_type":"notify.poke"}"#,
            br#"{"post_type":"notice","notice_type":"notify","sub_type":"a.b"}"#,
        ] {
            let e = RawEvent::scan(bad).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Envelope { .. }), "{e}");
        }
    }

    #[test]
    fn neither_event_nor_response_is_an_error() {
        let e = Incoming::classify(&br#"{"hello":1}"#[..]).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::Envelope {
                    field: "post_type",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn raw_event_reads_ids_as_numbers_or_strings() {
        let r = RawEvent::scan(
            &br#"{"self_id":"123","time":7,"post_type":"message","message_type":"group"}"#[..],
        )
        .unwrap();
        assert_eq!(r.kind(), &EventKind::MessageGroup);
        assert_eq!(r.self_id(), Some(123));
        assert_eq!(r.time(), Some(7));
    }

    /// The spans a read that keeps the last occurrence of every key finds.
    fn last_spans(bytes: &[u8]) -> ResponseFields {
        let mut r = ResponseFields::default();
        crate::scan::object_fields(bytes, |key, span| {
            match key.as_bytes() {
                b"echo" => r.echo = Some(span),
                b"retcode" => r.retcode = Some(span),
                b"status" => r.status = Some(span),
                b"data" => r.data = Some(span),
                b"msg" => r.msg = Some(span),
                b"wording" => r.wording = Some(span),
                _ => {}
            }
            Ok(())
        })
        .unwrap();
        r
    }

    #[test]
    fn scan_frame_finds_the_response_fields_a_field_by_field_read_finds() {
        for frame in [
            &br#"{"status":"ok","retcode":0,"data":{"message_id":7},"echo":"42"}"#[..],
            br#"{"status":"failed","retcode":1404,"data":null,"msg":"x","wording":"y","echo":7}"#,
            br#"{"data":{"post_type":"message","echo":1},"retcode":0,"echo":"a","echo":"b"}"#,
            br#"{"\u0065cho":"1","ret\u0063ode":0,"sub_type":null}"#,
            br#"{"hello":1}"#,
            br#"{}"#,
        ] {
            match RawEvent::scan_frame(frame).unwrap() {
                Scanned::NotEvent(r) => assert_eq!(r, last_spans(frame), "{frame:?}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn scan_frame_gives_events_and_errors_as_scan_does() {
        for frame in [
            &br#"{"self_id":1,"post_type":"message","message_type":"group","echo":1}"#[..],
            br#"{"post_type":"meta_event","meta_event_type":"heartbeat","interval":5}"#,
            // A `post_type` that is null or not a string is not "no post_type".
            br#"{"post_type":null,"retcode":0,"echo":"1"}"#,
            br#"{"retcode":0,"post_type":1}"#,
            br#"{"echo":"1","post_type":"message","post_type":null}"#,
            br#"{"echo":"1","sub_type":1}"#,
            br#"{"echo":"1""#,
        ] {
            let want = RawEvent::scan(frame).map_err(|e| e.kind().clone());
            let got = match RawEvent::scan_frame(frame) {
                Ok(Scanned::Event(event)) => Ok(event),
                Ok(other) => panic!("{frame:?}: {other:?}"),
                Err(e) => Err(e.kind().clone()),
            };
            assert_eq!(got, want, "{frame:?}");
        }
    }
}
