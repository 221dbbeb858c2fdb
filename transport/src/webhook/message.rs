//! What the server hands a receiver and what a receiver answers: plain values, no hyper types,
//! so the QQ and Bubble receivers are tested without a socket.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// One webhook request, read whole (the body within the server's size limit).
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    /// The request headers.
    pub headers: HeaderMap,
    /// The raw body bytes: signatures are checked over exactly these.
    pub body: Bytes,
    /// When the request was read (the clock timestamps are compared with).
    pub received_at: SystemTime,
}

impl WebhookRequest {
    /// A request with `headers` and `body`, received now.
    pub fn new(headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            headers,
            body: body.into(),
            received_at: SystemTime::now(),
        }
    }

    /// The value of header `name` as text (`None` when absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What became of a request; the server counts these ([`WebhookStats`](super::WebhookStats)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// A verified event, handed on for dispatch.
    Delivered,
    /// A QQ callback-URL validation (op 13) answered.
    Validated,
    /// Verified, but nothing to dispatch (an op other than 0, or a QQ delivery taken already
    /// within its timestamp's window).
    Ignored,
    /// Signature missing, malformed or wrong (401).
    BadSignature,
    /// Timestamp missing, malformed or outside the window (401).
    StaleTimestamp,
    /// The delivery names another bot (`X-Bot-Appid`) (401).
    WrongApp,
    /// The body is not what the platform sends (400).
    Malformed,
    /// The dispatch queue is full or closed: the platform should retry (503).
    Overloaded,
    /// The body exceeds the size limit (413).
    TooLarge,
    /// The request did not arrive whole within the request timeout (408).
    TimedOut,
    /// Not a POST (405).
    WrongMethod,
    /// Not the configured path (404).
    NotFound,
}

/// A receiver's answer.
#[derive(Debug, Clone)]
pub struct WebhookResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Body (JSON when `json` is set, else plain text).
    pub body: Bytes,
    /// Whether `body` is JSON.
    pub json: bool,
    /// What became of the request.
    pub outcome: Outcome,
}

impl WebhookResponse {
    /// A JSON answer.
    pub fn json(status: StatusCode, body: impl Into<Bytes>, outcome: Outcome) -> Self {
        Self {
            status,
            body: body.into(),
            json: true,
            outcome,
        }
    }

    /// A plain-text answer.
    pub fn text(status: StatusCode, body: &'static str, outcome: Outcome) -> Self {
        Self {
            status,
            body: Bytes::from_static(body.as_bytes()),
            json: false,
            outcome,
        }
    }

    /// The answer for an outcome the server decides itself (413, 408, 405, 404) or a
    /// receiver's rejection, with a short text body.
    pub fn reject(outcome: Outcome) -> Self {
        let (status, text) = match outcome {
            Outcome::BadSignature => (StatusCode::UNAUTHORIZED, "bad signature"),
            Outcome::StaleTimestamp => (StatusCode::UNAUTHORIZED, "timestamp outside the window"),
            Outcome::WrongApp => (StatusCode::UNAUTHORIZED, "wrong app id"),
            Outcome::Malformed => (StatusCode::BAD_REQUEST, "malformed body"),
            Outcome::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "busy, retry later"),
            Outcome::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
            Outcome::TimedOut => (StatusCode::REQUEST_TIMEOUT, "request timed out"),
            Outcome::WrongMethod => (StatusCode::METHOD_NOT_ALLOWED, "POST only"),
            Outcome::NotFound => (StatusCode::NOT_FOUND, "not found"),
            Outcome::Delivered | Outcome::Validated | Outcome::Ignored => (StatusCode::OK, ""),
        };
        Self::text(status, text, outcome)
    }

    /// 400 with the reason the body is malformed (which field) as its text.
    pub(crate) fn malformed(reason: &dyn std::fmt::Display) -> Self {
        Self {
            body: reason.to_string().into(),
            ..Self::reject(Outcome::Malformed)
        }
    }
}

/// A verified event body, on its way to the dispatcher.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The raw body as received (QQ: a gateway frame; Bubble: `{type, data}`).
    pub body: Bytes,
    /// When it was received.
    pub received_at: SystemTime,
}

/// Checks one request and answers it. Verification is CPU work only, so this is synchronous:
/// a verified event is queued (never awaited), so the answer goes out at once.
pub trait Receiver: Send + Sync + 'static {
    /// Verifies `request` and answers it; verified events are handed on before it returns.
    fn receive(&self, request: WebhookRequest) -> WebhookResponse;
}
