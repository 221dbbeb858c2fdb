//! What a session asks the driver to send, and what it reports to the application.

use std::fmt;
use std::time::Instant;

use botgate_codec::frame::Frame;

use crate::error::Error;
use crate::onebot::{ActionId, ActionResponse, OneBotCallError};

/// A message for the transport.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outgoing {
    /// A WebSocket text frame.
    Text(String),
    /// A WebSocket ping (empty payload); its pong goes to
    /// [`SessionMachine::handle_pong`](crate::SessionMachine::handle_pong). Only OneBot sends
    /// one, on a connection without heartbeats (decision 0060).
    Ping,
    /// Close the connection with this code, then call `handle_closed`.
    Close {
        /// The close code.
        code: u16,
        /// The close reason (short, no secrets).
        reason: String,
    },
}

// Frames may carry a token (Identify, Resume): Debug shows their size, never their content.
impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outgoing::Text(t) => write!(f, "Text(<{} bytes>)", t.len()),
            Outgoing::Ping => f.write_str("Ping"),
            Outgoing::Close { code, reason } => f
                .debug_struct("Close")
                .field("code", code)
                .field("reason", reason)
                .finish(),
        }
    }
}

/// How a connection attempt failed before the WebSocket was open.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectFailure {
    /// The upgrade was answered with this HTTP status (401/403 are authentication failures).
    Http {
        /// The status code.
        status: u16,
    },
    /// DNS, TCP, TLS or timeout: worth retrying.
    Io,
    /// The connection cannot be made as configured (a URL that is not `ws://` / `wss://`, a
    /// setting the transport refuses): retrying cannot help, the session stops.
    Unusable {
        /// What the transport said.
        reason: String,
    },
}

/// Why a session is reconnecting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Why {
    /// The server (or the network) closed the connection.
    Closed {
        /// The close code, if any (`None`: no close frame, transport error).
        code: Option<u16>,
        /// The close reason.
        reason: String,
    },
    /// The connection could not be opened.
    ConnectFailed(ConnectFailure),
    /// A heartbeat was due while the previous one was unacknowledged.
    Zombie,
    /// The server asked for a reconnect (op 7).
    ServerReconnect,
    /// The server invalidated the session (op 9).
    InvalidSession {
        /// `d` of op 9: whether the session may be resumed.
        resumable: bool,
    },
    /// No Hello within the deadline.
    HelloTimeout,
    /// No READY / RESUMED within the deadline.
    ReadyTimeout,
    /// OneBot: no heartbeat event for two intervals.
    HeartbeatTimeout,
    /// OneBot: a connection that sends no heartbeats did not answer a WebSocket ping in time
    /// (decision 0060).
    PongTimeout,
}

/// Why a session needs a fresh access token before it can continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenReason {
    /// About to identify again: a valid token is needed (a cached one will do if still valid).
    Reidentify,
    /// The token's known expiry has passed.
    Expired,
    /// The server rejected the token (QQ 4004): refresh it, do not reuse the old one.
    Rejected,
}

/// A session became ready (a new session: sequence numbers restart).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Ready {
    /// The gateway session id, if the platform gave one.
    pub session_id: Option<String>,
    /// The bot's own user id (QQ `user.id`, Bubble `bot.botUser.id | bot.id`, OneBot `self_id`).
    pub bot_id: Option<String>,
    /// Bubble: event types the server offers (`availableEvents`).
    pub available_events: Vec<String>,
    /// The raw READY / BOT_READY frame, for typed decode by the caller.
    pub frame: Option<Frame>,
}

/// Something the application should know.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A new session is ready: anything not yet delivered from a previous session is lost.
    /// Boxed: it is rare and large (its READY frame), and every slot of the event channel is
    /// as large as the largest variant.
    Ready(Box<Ready>),
    /// The previous session was resumed: the missed dispatches have been (or are being)
    /// replayed, none lost.
    Resumed {
        /// Dispatches the server says it replayed, if it says.
        replayed: Option<u64>,
    },
    /// An event (op 0) for the application, each sequence number once and in order.
    Dispatch(Frame),
    /// The connection is gone (or going); the next one is planned.
    Reconnecting {
        /// Why.
        why: Why,
        /// When the next attempt may start.
        at: Instant,
        /// Whether it will try to resume (`false`: a fresh session will follow).
        resume: bool,
    },
    /// The session waits for `set_token` before it connects again.
    TokenRequired {
        /// Why a token is needed.
        reason: TokenReason,
    },
    /// The session gave up; no further connection will be planned.
    Fatal(Error),
    /// The session was closed on request (`close()`) and will not reconnect.
    Stopped,
    /// Bubble: the server-confirmed subscription set changed.
    Subscriptions {
        /// All event types confirmed now, sorted.
        confirmed: Vec<String>,
    },
    /// Bubble: names the server rejected in `invalidEvents` (removed from the desired set).
    InvalidEvents(Vec<String>),
    /// Bubble: `SUBSCRIBE_DENIED` (the events are removed from the desired set).
    SubscribeDenied {
        /// The server's reason.
        reason: String,
        /// The denied event types.
        events: Vec<String>,
    },
    /// Bubble: an `ERROR` dispatch (`RATE_LIMIT`, ...).
    ServerError {
        /// `d.code`.
        code: String,
        /// `d.message`.
        message: String,
    },
    /// OneBot: an event frame (`post_type` present), with the session's scan of it.
    Event(crate::onebot::EventFrame),
    /// OneBot: the connected bot's QQ number became known or changed.
    SelfId(i64),
    /// OneBot: an action finished.
    ActionResult {
        /// The id `call` returned.
        id: ActionId,
        /// The response, or why there is none.
        result: Result<ActionResponse, OneBotCallError>,
    },
}
