//! The QQ gateway's close-code table (spec `qq-gateway.md`, "Close codes"), as data.

use std::time::Duration;

/// What the client does after the gateway closed with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseAction {
    /// Reconnect and resume the session.
    Resume,
    /// Reconnect and resume, but not sooner than the pause (payloads were sent too fast).
    ResumeAfter(Duration),
    /// Reconnect and identify anew (the session is gone).
    Identify {
        /// The code says the client sent something wrong: worth an error log.
        client_bug: bool,
    },
    /// The token was rejected: refresh it and identify once more, or give up.
    AuthFailed,
    /// Retrying cannot help.
    Fatal,
}

/// The pause after 4008 (payloads sent too fast).
pub const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(5);

/// The action and meaning for a close code (`None`: no close frame, a transport error).
pub fn close_action(code: Option<u16>) -> (CloseAction, &'static str) {
    let Some(code) = code else {
        return (CloseAction::Resume, "connection lost");
    };
    match code {
        4000 => (CloseAction::Resume, "unknown error"),
        4001 => (CloseAction::Identify { client_bug: true }, "invalid opcode"),
        4002 => (
            CloseAction::Identify { client_bug: true },
            "invalid payload",
        ),
        4003 => (
            CloseAction::Identify { client_bug: true },
            "not authenticated yet",
        ),
        4004 => (CloseAction::AuthFailed, "authentication failed"),
        4005 => (
            CloseAction::Identify { client_bug: true },
            "already authenticated",
        ),
        4006 => (
            CloseAction::Identify { client_bug: false },
            "session id invalid",
        ),
        4007 => (
            CloseAction::Identify { client_bug: false },
            "seq wrong on resume",
        ),
        4008 => (
            CloseAction::ResumeAfter(RATE_LIMIT_PAUSE),
            "payloads sent too fast",
        ),
        4009 => (CloseAction::Resume, "connection expired"),
        4010 => (CloseAction::Fatal, "invalid shard"),
        4011 => (
            CloseAction::Fatal,
            "too many guilds for one connection: shard",
        ),
        4012 => (CloseAction::Fatal, "invalid version"),
        4013 => (CloseAction::Fatal, "invalid intent"),
        4014 => (CloseAction::Fatal, "intent not authorised"),
        4900..=4913 => (CloseAction::Resume, "internal error"),
        4914 => (CloseAction::Fatal, "bot taken down (sandbox only)"),
        4915 => (CloseAction::Fatal, "bot banned"),
        1000 => (CloseAction::Resume, "normal closure"),
        1001 => (CloseAction::Resume, "going away"),
        1006 => (CloseAction::Resume, "abnormal closure"),
        _ => (CloseAction::Resume, "unlisted close code"),
    }
}
