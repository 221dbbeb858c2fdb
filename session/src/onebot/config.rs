//! How a OneBot session is set up.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::role::ClientRole;
use crate::backoff::BackoffConfig;
use crate::ratelimit::RateLimitConfig;
use crate::token::{redact_url, Token};

/// OneBot session settings. Build with [`Config::forward`] or [`Config::reverse`]. `Debug`
/// shows the URL without its query values (a forward URL may carry `?access_token=`).
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Forward WebSocket URL (the implementation is the server); `None` for a reverse
    /// connection (the implementation connects to us; the session never dials).
    pub url: Option<Url>,
    /// `access_token` (sent as `Authorization: Bearer <token>`; an empty one is not sent).
    pub access_token: Option<Token>,
    /// Reconnect backoff (forward only).
    pub backoff: BackoffConfig,
    /// How long a call waits for its response by default.
    pub action_timeout: Duration,
    /// No heartbeat event for this many intervals → the connection is dead (once it has sent
    /// one; a connection that sends none is pinged, see [`ping_interval`](Self::ping_interval)).
    pub heartbeat_misses: u32,
    /// No frame at all this long after connecting → the connection is dead (a peer that
    /// upgraded and never spoke; implementations send their lifecycle `connect` event at
    /// once). It is also how long a new connection waits for its first heartbeat: after a
    /// reconnect, the larger of this and `heartbeat_misses` intervals of the connection before
    /// (the implementation may have restarted with a longer one). A connection that has
    /// spoken but sent no heartbeat by then is watched with WebSocket pings
    /// ([`ping_interval`](Self::ping_interval), decision 0060).
    pub first_frame_timeout: Duration,
    /// How often a connection that sends no heartbeats (none within the wait above:
    /// go-cqhttp's `heartbeat.interval: -1`, NapCat with heartbeats off) is sent a WebSocket
    /// ping (default 15 s, at least 1 ms; never while one is unanswered: the next then waits
    /// for its pong). Its first heartbeat, if one ever comes, ends the pings.
    pub ping_interval: Duration,
    /// How long a ping waits for its pong (default 10 s): none by then → the connection is
    /// dead ([`Why::PongTimeout`](crate::Why::PongTimeout)). The peer's WebSocket library
    /// answers in user space, so a hung implementation whose TCP connection stays open
    /// answers none.
    pub pong_timeout: Duration,
    /// Whether the session closes a connection that goes silent (default `true`): no frame
    /// within [`first_frame_timeout`](Self::first_frame_timeout) of connecting, no heartbeat
    /// for [`heartbeat_misses`](Self::heartbeat_misses) intervals once it has sent one, or no
    /// pong in [`pong_timeout`](Self::pong_timeout) while it sends none. Off for a reverse
    /// connection with role `API` ([`for_role`](Self::for_role)), which sends nothing but the
    /// answers to actions (and is sent no pings); the transport's idle timeout (if any) still
    /// applies.
    pub watchdog: bool,
    /// Optional send budget for actions (`None`: unlimited).
    pub rate_limit: Option<RateLimitConfig>,
    /// Seed for jitter; `None` draws one from the environment.
    pub seed: Option<u64>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("url", &self.url.as_ref().map(|u| redact_url(u.as_str())))
            .field("access_token", &self.access_token)
            .field("backoff", &self.backoff)
            .field("action_timeout", &self.action_timeout)
            .field("heartbeat_misses", &self.heartbeat_misses)
            .field("first_frame_timeout", &self.first_frame_timeout)
            .field("ping_interval", &self.ping_interval)
            .field("pong_timeout", &self.pong_timeout)
            .field("watchdog", &self.watchdog)
            .field("rate_limit", &self.rate_limit)
            .field("seed", &self.seed)
            .finish()
    }
}

impl Config {
    /// A forward-WebSocket client of `url` (Waylay: `ws://host:3001/`).
    pub fn forward(url: Url, access_token: Option<Token>) -> Self {
        Self::base(Some(url), access_token)
    }

    /// The session of reverse-WebSocket connections accepted by a listener (never dials).
    pub fn reverse() -> Self {
        Self::base(None, None)
    }

    /// This config as a reverse connection with `role` needs it: a [`ClientRole::Api`]
    /// connection has no [`watchdog`](Self::watchdog) (it speaks only to answer actions, and
    /// go-cqhttp sends it no heartbeats); the others keep it as set.
    #[must_use]
    pub fn for_role(mut self, role: ClientRole) -> Self {
        if role == ClientRole::Api {
            self.watchdog = false;
        }
        self
    }

    fn base(url: Option<Url>, access_token: Option<Token>) -> Self {
        Self {
            url,
            access_token,
            backoff: BackoffConfig::default(),
            action_timeout: Duration::from_secs(30),
            heartbeat_misses: 2,
            first_frame_timeout: Duration::from_secs(60),
            ping_interval: Duration::from_secs(15),
            pong_timeout: Duration::from_secs(10),
            watchdog: true,
            rate_limit: None,
            seed: None,
        }
    }
}
