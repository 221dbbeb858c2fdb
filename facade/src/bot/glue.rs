//! How each platform's session events become dispatcher inputs, and the QQ token fetcher.

use std::time::{Duration, Instant};

use botgate_codec::onebot::RawEvent;
use botgate_codec::Frame;
use botgate_dispatch::bubble::Bubble;
use botgate_dispatch::onebot::OneBot;
use botgate_dispatch::qq::Qq;
use botgate_dispatch::Platform;
use botgate_session::{bubble, onebot, qq, SessionMachine};
use botgate_transport::http::HttpClient;
use botgate_transport::Secret;
use bytes::Bytes;

/// Joins a dispatch platform to its session machine.
pub trait Glue: Platform {
    /// The session state machine of this platform.
    type Machine: SessionMachine + Send + 'static;
    /// A dispatch frame (QQ / Bubble op 0) as a dispatcher input.
    fn from_frame(frame: Frame) -> Option<Self::Input>;
    /// A OneBot event frame as a dispatcher input (`Ok(None)`: not this platform's shape).
    fn from_event_bytes(bytes: Bytes) -> Result<Option<Self::Input>, botgate_codec::Error>;
    /// Hands a fresh access token to the machine (QQ only).
    fn set_token(_m: &mut Self::Machine, _now: Instant, _token: String, _ttl: Option<Duration>) {}
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
}

/// Fetches QQ access tokens with the app id and secret (`getAppAccessToken`).
#[derive(Debug, Clone)]
pub struct TokenFetcher {
    pub(crate) http: HttpClient,
    pub(crate) auth_base: String,
    pub(crate) app_id: String,
    pub(crate) secret: Secret,
}

impl TokenFetcher {
    /// A fresh gateway token (`QQBot <access_token>`) and how long it lives.
    pub(crate) async fn fetch(&self) -> Result<(String, Duration), botgate_transport::Error> {
        let token = self
            .http
            .qq_access_token(&self.auth_base, &self.app_id, &self.secret)
            .await?;
        Ok((format!("QQBot {}", token.token.expose()), token.expires_in))
    }
}
