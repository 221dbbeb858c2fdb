//! [`WsStream`]: one WebSocket connection (client or accepted), with [`Message`]s in and text
//! out. Pings are answered by tungstenite while reading.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, protocol::CloseFrame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::{Error, ErrorKind};

/// One message received from the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A text message (valid UTF-8, checked by tungstenite), as bytes for the frame scanner.
    Text(Bytes),
    /// A binary message.
    Binary(Bytes),
    /// The peer's close frame. `code` is `None` when the frame carried no status.
    Close {
        /// The close code (e.g. 4004).
        code: Option<u16>,
        /// The close reason (may be empty).
        reason: String,
    },
}

/// A WebSocket connection. Reading answers pings (and answers a close frame); after a
/// [`Message::Close`] the next [`recv`](WsStream::recv) returns `Ok(None)` once the peer has
/// closed the TCP connection.
pub struct WsStream {
    inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
    idle_timeout: Option<Duration>,
    max_message_size: usize,
    peer_addr: Option<SocketAddr>,
}

impl WsStream {
    pub(crate) fn new(
        inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
        idle_timeout: Option<Duration>,
        max_message_size: usize,
        peer_addr: Option<SocketAddr>,
    ) -> Self {
        Self {
            inner,
            idle_timeout,
            max_message_size,
            peer_addr,
        }
    }

    /// The next message, `Ok(None)` once the connection has closed cleanly.
    ///
    /// Errors: [`ErrorKind::MessageTooLarge`] (the limit from the options),
    /// [`ErrorKind::IdleTimeout`], [`ErrorKind::ConnectionLost`] (reset without a close frame),
    /// [`ErrorKind::Protocol`].
    ///
    /// Cancel safety: cancel safe (use it in `select!`); a message is never half-consumed.
    pub async fn recv(&mut self) -> Result<Option<Message>, Error> {
        loop {
            let next = match self.idle_timeout {
                Some(after) => match tokio::time::timeout(after, self.inner.next()).await {
                    Ok(next) => next,
                    Err(_) => return Err(Error::new(ErrorKind::IdleTimeout { after })),
                },
                None => self.inner.next().await,
            };
            let message = match next {
                None => return Ok(None),
                Some(Ok(message)) => message,
                Some(Err(e)) => return self.read_error(e),
            };
            match message {
                tungstenite::Message::Text(text) => return Ok(Some(Message::Text(text.into()))),
                tungstenite::Message::Binary(data) => return Ok(Some(Message::Binary(data))),
                tungstenite::Message::Close(frame) => {
                    let (code, reason) = match frame {
                        Some(frame) => (Some(u16::from(frame.code)), frame.reason.to_string()),
                        None => (None, String::new()),
                    };
                    tracing::debug!(?code, %reason, "websocket closed by peer");
                    // Send the queued close reply now: the caller may never read again.
                    let _ = self.inner.flush().await;
                    return Ok(Some(Message::Close { code, reason }));
                }
                // Ping: tungstenite queued the pong and flushes it on this same read loop.
                tungstenite::Message::Ping(_)
                | tungstenite::Message::Pong(_)
                | tungstenite::Message::Frame(_) => continue,
            }
        }
    }

    fn read_error(&self, e: tungstenite::Error) -> Result<Option<Message>, Error> {
        use tungstenite::error::{CapacityError, ProtocolError};
        match e {
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => Ok(None),
            tungstenite::Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                Err(Error::new(ErrorKind::MessageTooLarge {
                    size,
                    max: max_size,
                }))
            }
            tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)
            | tungstenite::Error::Io(_) => Err(Error::with_source(ErrorKind::ConnectionLost, e)),
            other => Err(Error::with_source(ErrorKind::Protocol, other)),
        }
    }

    /// Sends one text message and flushes it.
    ///
    /// Cancel safety: not cancel safe; a cancelled send may still go out with the next write.
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), Error> {
        let text: String = text.into();
        self.inner
            .send(tungstenite::Message::Text(text.into()))
            .await
            .map_err(write_error)
    }

    /// Sends a close frame with `code` and `reason`. Keep calling [`recv`](Self::recv) to see
    /// the peer's answer (`Ok(None)` when the handshake is done).
    pub async fn close(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.into(),
        };
        match self.inner.close(Some(frame)).await {
            Ok(()) => Ok(()),
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => Ok(()),
            Err(e) => Err(write_error(e)),
        }
    }

    /// Changes the idle timeout for the following reads.
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        self.idle_timeout = timeout;
    }

    /// The peer's address, when known.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer_addr
    }
}

fn write_error(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::ConnectionClosed
        | tungstenite::Error::AlreadyClosed
        | tungstenite::Error::Protocol(tungstenite::error::ProtocolError::SendAfterClosing) => {
            Error::with_source(ErrorKind::Closed, e)
        }
        tungstenite::Error::Io(_) => Error::with_source(ErrorKind::ConnectionLost, e),
        other => Error::with_source(ErrorKind::Protocol, other),
    }
}

impl fmt::Debug for WsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsStream")
            .field("peer_addr", &self.peer_addr)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_message_size", &self.max_message_size)
            .finish_non_exhaustive()
    }
}
