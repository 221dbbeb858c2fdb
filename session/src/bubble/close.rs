//! Bubble close codes: botgate's own table (spec `bubble.md` §3.4; Bubble documents none).

use std::time::Duration;

/// What the client does after the server closed with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseAction {
    /// Reconnect and resume (if the session is resumable; else a fresh session).
    Resume,
    /// Reconnect and resume, not sooner than the pause.
    ResumeAfter(Duration),
    /// Reconnect with a fresh session.
    Fresh,
    /// The token is not accepted.
    AuthFailed,
    /// Another connection for this bot took over (fatal unless configured otherwise).
    TakenOver,
    /// Retrying cannot help.
    Fatal,
    /// Not in the table: reconnect with backoff, give up after several in a row.
    Unknown,
}

/// The pause after 4008 (rate limited).
pub const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(5);

/// The action and meaning for a close code (`None`: no close frame, a transport error).
pub fn close_action(code: Option<u16>) -> (CloseAction, &'static str) {
    let Some(code) = code else {
        return (CloseAction::Resume, "connection lost");
    };
    match code {
        1000 => (CloseAction::Resume, "normal closure"),
        1001 => (CloseAction::Resume, "going away"),
        1006 => (CloseAction::Resume, "abnormal closure"),
        4000 => (CloseAction::Resume, "unknown server error"),
        4001 => (CloseAction::Resume, "unknown opcode sent by client"),
        4002 => (CloseAction::Resume, "decode error in client frame"),
        4004 => (CloseAction::AuthFailed, "authentication failed"),
        4008 => (CloseAction::ResumeAfter(RATE_LIMIT_PAUSE), "rate limited"),
        4009 => (CloseAction::Fresh, "session timed out"),
        4010 => (CloseAction::TakenOver, "another connection took over"),
        4011 => (CloseAction::Fatal, "subscription invalid"),
        4900 => (CloseAction::Resume, "client-initiated reconnect"),
        _ if (4000..5000).contains(&code) => (CloseAction::Unknown, "unknown close code"),
        _ => (CloseAction::Resume, "unlisted close code"),
    }
}
