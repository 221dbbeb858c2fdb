//! How each platform's session events become dispatcher inputs.

use std::time::{Duration, Instant};

use botgate_codec::onebot::RawEvent;
use botgate_codec::Frame;
use botgate_dispatch::bubble::Bubble;
use botgate_dispatch::onebot::OneBot;
use botgate_dispatch::qq::Qq;
use botgate_dispatch::Platform;
use botgate_session::{bubble, onebot, qq, SessionMachine};
use bytes::Bytes;

/// Joins a dispatch platform to its session machine.
pub trait Glue: Platform {
    /// The session state machine of this platform.
    type Machine: SessionMachine + Send + 'static;
    /// A dispatch frame (QQ / Bubble op 0) as a dispatcher input.
    fn from_frame(frame: Frame) -> Option<Self::Input>;
    /// A OneBot event frame as a dispatcher input (`Ok(None)`: not this platform's shape).
    fn from_event_bytes(bytes: Bytes) -> Result<Option<Self::Input>, botgate_codec::Error>;
    /// A OneBot event frame from the session as a dispatcher input: as
    /// [`from_event_bytes`](Self::from_event_bytes), reusing the session's scan where it has one.
    fn from_event(frame: onebot::EventFrame) -> Result<Option<Self::Input>, botgate_codec::Error> {
        Self::from_event_bytes(frame.into_bytes())
    }
    /// Hands a fresh access token to the machine (QQ only).
    fn set_token(_m: &mut Self::Machine, _now: Instant, _token: String, _ttl: Option<Duration>) {}
    /// The token the machine last used (QQ only): what the platform rejected on a 4004.
    fn token(_m: &Self::Machine) -> Option<String> {
        None
    }
}

impl Glue for Qq {
    type Machine = qq::Session;
    fn from_frame(frame: Frame) -> Option<Frame> {
        Some(frame)
    }
    fn from_event_bytes(_: Bytes) -> Result<Option<Frame>, botgate_codec::Error> {
        Ok(None)
    }
    fn set_token(m: &mut qq::Session, now: Instant, token: String, ttl: Option<Duration>) {
        m.set_token(now, token, ttl);
    }
    fn token(m: &qq::Session) -> Option<String> {
        Some(m.token().expose().to_owned())
    }
}

impl Glue for Bubble {
    type Machine = bubble::Session;
    fn from_frame(frame: Frame) -> Option<Frame> {
        Some(frame)
    }
    fn from_event_bytes(_: Bytes) -> Result<Option<Frame>, botgate_codec::Error> {
        Ok(None)
    }
}

impl Glue for OneBot {
    type Machine = onebot::Session;
    fn from_frame(_: Frame) -> Option<RawEvent> {
        None
    }
    fn from_event_bytes(bytes: Bytes) -> Result<Option<RawEvent>, botgate_codec::Error> {
        RawEvent::scan(bytes).map(Some)
    }
    fn from_event(frame: onebot::EventFrame) -> Result<Option<RawEvent>, botgate_codec::Error> {
        frame.into_raw_event().map(Some)
    }
}
