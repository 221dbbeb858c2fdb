//! The socket side of the driver: the connection in its three states, the connect options a
//! machine's headers become, how a transport error reads to the machine, and the bounded wait
//! for the peer after a close.

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use botgate_transport::ws::{self, ConnectOptions, HeaderName, HeaderValue, Message, WsStream};
use botgate_transport::{Error as TransportError, ErrorKind as TransportErrorKind};
use bytes::Bytes;
use url::Url;

use crate::event::ConnectFailure;
use crate::token::Token;

/// A connection attempt in flight.
pub(crate) type Connecting =
    Pin<Box<dyn Future<Output = Result<Box<WsStream>, TransportError>> + Send>>;

/// The driver's connection.
pub(crate) enum Link {
    /// None.
    Down,
    /// Being opened.
    Connecting(Connecting),
    /// Open.
    Up(Box<WsStream>),
}

/// What happened on the link while the driver waited.
pub(crate) enum LinkEvent {
    /// The machine's `next_connect` instant was reached.
    ConnectDue,
    /// The attempt finished.
    Connected(Result<Box<WsStream>, TransportError>),
    /// The socket produced a message, ended, or failed.
    Message(Result<Option<Message>, TransportError>),
}

impl Link {
    pub(crate) fn is_down(&self) -> bool {
        matches!(self, Link::Down)
    }

    /// Waits for the next thing on the link. Cancel safe: the attempt is polled by reference
    /// and `recv` is cancel safe.
    pub(crate) async fn next(&mut self, connect_at: Option<tokio::time::Instant>) -> LinkEvent {
        match self {
            Link::Down => match connect_at {
                Some(at) => {
                    tokio::time::sleep_until(at).await;
                    LinkEvent::ConnectDue
                }
                None => std::future::pending().await,
            },
            Link::Connecting(attempt) => LinkEvent::Connected(attempt.as_mut().await),
            Link::Up(stream) => LinkEvent::Message(stream.recv().await),
        }
    }

    /// The next message if one can be had without waiting (already in the read buffer or on
    /// the socket), `None` otherwise or when the link is not up. Lets the driver take a burst of
    /// frames without a `select!` per frame; the waiting read that follows registers the real
    /// waker (a `Pending` here leaves nothing behind: `recv` is cancel safe).
    pub(crate) fn ready_message(&mut self) -> Option<Result<Option<Message>, TransportError>> {
        let Link::Up(stream) = self else {
            return None;
        };
        match pin!(stream.recv()).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(message) => Some(message),
            Poll::Pending => None,
        }
    }
}

/// Starts an attempt to `url` with `options`.
pub(crate) fn dial(url: Url, options: ConnectOptions) -> Connecting {
    Box::pin(async move { ws::connect(url.as_str(), &options).await.map(Box::new) })
}

/// `base` plus the machine's upgrade headers (all marked sensitive). Fails with the header's
/// name when a name or value cannot be sent.
pub(crate) fn connect_options(
    base: &ConnectOptions,
    headers: Vec<(&'static str, Token)>,
) -> Result<ConnectOptions, &'static str> {
    let mut options = base.clone();
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| name)?;
        let mut value = HeaderValue::from_str(value.expose()).map_err(|_| name)?;
        value.set_sensitive(true);
        options = options.header(header, value);
    }
    Ok(options)
}

/// How a failed attempt reads to the machine: a refused upgrade keeps its status (401 / 403
/// are authentication failures), anything else is worth retrying.
pub(crate) fn connect_failure(error: &TransportError) -> ConnectFailure {
    match error.kind() {
        TransportErrorKind::UpgradeRejected { status } => ConnectFailure::Http { status: *status },
        TransportErrorKind::InvalidUrl { .. } | TransportErrorKind::InvalidConfig { .. } => {
            ConnectFailure::Unusable {
                reason: error.to_string(),
            }
        }
        _ => ConnectFailure::Io,
    }
}

/// How a connection ended, as far as the peer said.
#[derive(Debug, Default)]
pub(crate) struct Ending {
    /// The peer's close code, if its close frame arrived.
    pub(crate) code: Option<u16>,
    /// The peer's close reason, or what went wrong.
    pub(crate) reason: String,
}

/// Reads until the peer's close frame or the end of the stream, at most `limit`; every text or
/// binary frame on the way goes to `on_frame`.
pub(crate) async fn drain(
    stream: &mut WsStream,
    limit: Duration,
    mut on_frame: impl FnMut(Bytes),
) -> Ending {
    let read = async {
        loop {
            match stream.recv().await {
                Ok(Some(Message::Text(bytes) | Message::Binary(bytes))) => on_frame(bytes),
                Ok(Some(Message::Close { code, reason })) => return Ending { code, reason },
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Ending {
                        code: None,
                        reason: "connection closed".to_owned(),
                    }
                }
                Err(error) => {
                    return Ending {
                        code: None,
                        reason: error.to_string(),
                    }
                }
            }
        }
    };
    match tokio::time::timeout(limit, read).await {
        Ok(ending) => ending,
        Err(_) => Ending {
            code: None,
            reason: "no close from the peer in time".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_statuses_are_kept_and_the_rest_is_io() {
        let rejected = TransportError::new(TransportErrorKind::UpgradeRejected { status: 401 });
        assert_eq!(
            connect_failure(&rejected),
            ConnectFailure::Http { status: 401 }
        );
        let lost = TransportError::new(TransportErrorKind::ConnectionLost);
        assert_eq!(connect_failure(&lost), ConnectFailure::Io);
    }

    #[test]
    fn headers_become_sensitive_options_and_bad_values_are_refused() {
        let base = ConnectOptions::new();
        let ok = connect_options(
            &base,
            vec![
                ("Authorization", Token::new("Bearer s3cret")),
                ("X-Client", Token::new("botgate")),
            ],
        )
        .unwrap();
        let debug = format!("{ok:?}");
        assert!(debug.contains("authorization"), "{debug}");
        assert!(debug.contains("x-client"), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
        let bad = connect_options(&base, vec![("Authorization", Token::new("Bearer a\nb"))]);
        assert_eq!(bad.unwrap_err(), "Authorization");
    }
}
