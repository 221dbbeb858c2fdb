//! The shape every session state machine shares, so one driver runs them all.

use std::time::{Duration, Instant};

use bytes::Bytes;
use url::Url;

use crate::event::{ConnectFailure, Outgoing, SessionEvent};
use crate::onebot::ActionId;
use crate::store::ResumeState;
use crate::token::Token;

/// A sans-IO session: feed it what happened (`handle_*`, with the current instant), then drain
/// what it wants (`poll_*`). It owns no socket, no clock and no task.
///
/// The driver's loop: when [`next_connect`](Self::next_connect) says so, open a WebSocket to
/// the URL with [`connect_headers`](Self::connect_headers) and report the outcome
/// (`handle_connected` / `handle_connect_failed`); pass every text frame to `handle_frame`
/// and every pong to `handle_pong`;
/// after every call send all of `poll_transmit` and hand all of `poll_event` to the
/// application; call `handle_timeout` when `poll_timeout` is reached. After sending an
/// [`Outgoing::Close`], or when the socket ends for any reason, close the socket and call
/// `handle_closed` exactly once for that connection.
pub trait SessionMachine {
    /// The WebSocket to the server is open.
    fn handle_connected(&mut self, now: Instant);
    /// The connection attempt failed.
    fn handle_connect_failed(&mut self, now: Instant, failure: ConnectFailure);
    /// A text (or binary) frame arrived.
    fn handle_frame(&mut self, now: Instant, bytes: Bytes);
    /// The connection is closed (`code`: the peer's close code, `None` without a close frame).
    fn handle_closed(&mut self, now: Instant, code: Option<u16>, reason: &str);
    /// The instant from `poll_timeout` was reached.
    fn handle_timeout(&mut self, now: Instant);
    /// The next message to send.
    fn poll_transmit(&mut self) -> Option<Outgoing>;
    /// The next event for the application.
    fn poll_event(&mut self) -> Option<SessionEvent>;
    /// When `handle_timeout` must be called next (`None`: no timer while in this state).
    fn poll_timeout(&self) -> Option<Instant>;
    /// When and where to open the next connection (`None`: not now; wait for an event or a
    /// call such as `set_token`).
    fn next_connect(&self) -> Option<(Instant, Url)>;
    /// Headers for the WebSocket upgrade; values are secrets (redacted in `Debug`).
    fn connect_headers(&self) -> Vec<(&'static str, Token)>;
    /// Closes for good (no reconnect); emits `Stopped`.
    fn close(&mut self, now: Instant);
    /// The caller of call `id` gave up (dropped its future): a call not written yet is
    /// withdrawn, so it does not run after a reconnect behind the caller's back (a caller that
    /// retries would send it twice). A call already written runs; its result is dropped.
    /// Protocols without calls ignore it.
    fn cancel_call(&mut self, id: ActionId) {
        let _ = id;
    }
    /// The driver did not read the socket for `paused` (its consumer was slow: events it
    /// could not hand on stopped the reader, decision 0006) and reads it again from `now`.
    /// What the peer sent meanwhile is still unread, so a machine that judges the peer's
    /// liveness by what it has read moves that judgement on by `paused`: time we spent not
    /// reading says nothing of the peer (OneBot's watchdog; QQ and Bubble send the next due
    /// heartbeat without judging the one whose ACK may still be unread). Called before
    /// `poll_timeout` is read again; it should emit nothing. The default does nothing.
    fn handle_read_resumed(&mut self, now: Instant, paused: Duration) {
        let _ = (now, paused);
    }
    /// When [`handle_paused_timeout`](Self::handle_paused_timeout) must be called while the
    /// driver does not read (held events stopped the reader, decision 0006): for what the
    /// machine sends on its own schedule and the peer needs to keep the session (QQ and Bubble
    /// heartbeats, decision 0065), never for a judgement of the peer, whose frames are unread.
    /// `None` (the default): nothing runs until the driver reads again.
    fn poll_paused_timeout(&self) -> Option<Instant> {
        None
    }
    /// The instant of [`poll_paused_timeout`](Self::poll_paused_timeout) was reached while
    /// the driver does not read: queue what is due (a heartbeat), judge nothing. The default
    /// does nothing.
    fn handle_paused_timeout(&mut self, now: Instant) {
        let _ = now;
    }
    /// The peer answered a ping ([`Outgoing::Ping`]) with a pong. The default ignores it (QQ
    /// and Bubble send no pings).
    fn handle_pong(&mut self, now: Instant) {
        let _ = now;
    }
    /// The session id and the last sequence number delivered, for a
    /// [`SessionStore`](crate::SessionStore) (`None`: nothing to resume, or a protocol without
    /// resume such as OneBot). The driver saves it when given a store.
    fn resume_state(&self) -> Option<ResumeState> {
        None
    }
}
