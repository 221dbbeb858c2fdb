//! A OneBot event frame as the session hands it over: its bytes, and the
//! [`RawEvent`] that the session's classifying scan already made of it, so the dispatcher does
//! not scan the frame again.

use std::ops::Deref;

use botgate_codec::onebot::RawEvent;
use bytes::Bytes;

/// One OneBot event frame (`post_type` present) from the session.
///
/// Derefs to its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFrame(Inner);

#[derive(Debug, Clone, PartialEq)]
enum Inner {
    /// Classified by the session's scan (the usual case).
    Scanned(RawEvent),
    /// A frame the session read another way (one whose type fields do not classify, say):
    /// [`EventFrame::into_raw_event`] scans it and reports why.
    Raw(Bytes),
}

impl EventFrame {
    /// A frame the session has classified.
    pub(crate) fn scanned(event: RawEvent) -> Self {
        Self(Inner::Scanned(event))
    }

    /// A frame the session has not classified.
    pub fn raw(bytes: Bytes) -> Self {
        Self(Inner::Raw(bytes))
    }

    /// The whole frame.
    pub fn bytes(&self) -> &Bytes {
        match &self.0 {
            Inner::Scanned(event) => event.bytes(),
            Inner::Raw(bytes) => bytes,
        }
    }

    /// The whole frame, owned.
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Inner::Scanned(event) => event.bytes().clone(),
            Inner::Raw(bytes) => bytes,
        }
    }

    /// The frame as a [`RawEvent`]: the session's when it made one, else scanned now.
    ///
    /// # Errors
    /// As [`RawEvent::scan`] (a frame whose `post_type` is not a string, say).
    pub fn into_raw_event(self) -> Result<RawEvent, botgate_codec::Error> {
        match self.0 {
            Inner::Scanned(event) => Ok(event),
            Inner::Raw(bytes) => RawEvent::scan(bytes),
        }
    }
}

impl Deref for EventFrame {
    type Target = Bytes;

    fn deref(&self) -> &Bytes {
        self.bytes()
    }
}
