//! [`WsStream`]: one WebSocket connection (client or accepted), with [`Message`]s in and text
//! out. tokio-websockets does the framing (decision 0030): it reads into uninitialised buffer
//! space, checks a text message's UTF-8 with simdutf8 while its frames arrive, hands payloads
//! out as `Bytes` without copying and answers pings while reading.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_websockets::{CloseCode, MaybeTlsStream, WebSocketStream};

use super::budgeted::Budgeted;
use super::burst::BurstReader;
use crate::{Error, ErrorKind};

/// The connection type of both ends: the listener's is always `Plain`.
pub(crate) type Inner = WebSocketStream<BurstReader<Budgeted<MaybeTlsStream<TcpStream>>>>;

/// The longest close reason a close frame can carry (125 bytes of payload, 2 of them the code).
const MAX_CLOSE_REASON: usize = 123;

/// The pings a peer may send while it does not read what we write (the socket refused a write
/// and tokio-websockets' queue has not emptied since) before the connection fails (decision
/// 0090). tokio-websockets queues a pong for each (about 130 bytes for a full one) where
/// RFC 6455 asks for one to the latest: past the kernel's buffers this bounds that queue near
/// 130 KiB. A gateway pings every few seconds and reads its answers, so it never comes near.
const MAX_PINGS_WHILE_BLOCKED: u32 = 1024;

/// Why a connection failed as [`ErrorKind::Protocol`] when its peer flooded pings.
#[derive(Debug, thiserror::Error)]
#[error("the peer sent {pings} pings while not reading the answers (our writes blocked)")]
struct PingFlood {
    pings: u32,
}

/// One message received from the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A text message (valid UTF-8, checked while reading), as bytes for the frame scanner.
    Text(Bytes),
    /// A binary message.
    Binary(Bytes),
    /// A pong: the peer's WebSocket layer answered a [`send_ping`](WsStream::send_ping) (or
    /// sent one unasked, which RFC 6455 allows). Pings from the peer are answered while
    /// reading and not returned.
    Pong(Bytes),
    /// The peer's close frame. `code` is `None` when the frame carried no status.
    Close {
        /// The close code (e.g. 4004).
        code: Option<u16>,
        /// The close reason (may be empty).
        reason: String,
    },
}

/// A WebSocket connection. Reading answers pings (and answers a close frame); after a
/// [`Message::Close`] or an error the next [`recv`](WsStream::recv) returns `Ok(None)`.
pub struct WsStream {
    inner: Inner,
    idle_timeout: Option<Duration>,
    max_message_size: usize,
    peer_addr: Option<SocketAddr>,
    /// A close frame went one way or the other: the end of the stream is then expected, not
    /// a lost connection.
    closing: bool,
    /// Reading failed: the connection is over, `recv` returns `Ok(None)` from then on.
    failed: bool,
    /// Pings read since the socket last refused a write with frames queued (reset when a ping
    /// finds the queue written out), see [`MAX_PINGS_WHILE_BLOCKED`].
    pings_while_blocked: u32,
}

impl WsStream {
    pub(crate) fn new(
        inner: Inner,
        idle_timeout: Option<Duration>,
        max_message_size: usize,
        peer_addr: Option<SocketAddr>,
    ) -> Self {
        Self {
            inner,
            idle_timeout,
            max_message_size,
            peer_addr,
            closing: false,
            failed: false,
            pings_while_blocked: 0,
        }
    }

    /// The next message, `Ok(None)` once the connection has closed cleanly.
    ///
    /// Errors: [`ErrorKind::MessageTooLarge`] (the limit from the options),
    /// [`ErrorKind::IdleTimeout`], [`ErrorKind::ConnectionLost`] (reset or ended without a
    /// close frame), [`ErrorKind::Protocol`] (e.g. a text message that is not UTF-8, or more
    /// than 1,024 pings while the peer reads none of our writes, decision 0090).
    ///
    /// Cancel safety: cancel safe (use it in `select!`); a message is never half-consumed:
    /// frames of a fragmented message wait inside the connection until the last one is in.
    pub async fn recv(&mut self) -> Result<Option<Message>, Error> {
        if self.failed {
            return Ok(None);
        }
        loop {
            let next = match self.idle_timeout {
                Some(after) => match tokio::time::timeout(after, self.inner.next()).await {
                    Ok(next) => next,
                    Err(_) => return Err(Error::new(ErrorKind::IdleTimeout { after })),
                },
                None => self.inner.next().await,
            };
            let message = match next {
                None if self.closing => return Ok(None),
                None => {
                    self.failed = true;
                    return Err(Error::new(ErrorKind::ConnectionLost));
                }
                Some(Ok(message)) => message,
                Some(Err(e)) => {
                    self.failed = true;
                    let error = read_error(e);
                    self.say_why(&error);
                    return Err(error);
                }
            };
            if message.is_text() {
                let text: Bytes = message.into_payload().into();
                if ends_inside_a_character(&text) {
                    return Err(self.not_utf8());
                }
                return Ok(Some(Message::Text(text)));
            }
            if message.is_binary() {
                return Ok(Some(Message::Binary(message.into_payload().into())));
            }
            if message.is_pong() {
                return Ok(Some(Message::Pong(message.into_payload().into())));
            }
            if let Some((code, reason)) = message.as_close() {
                self.closing = true;
                let code = (!message.as_payload().is_empty()).then_some(u16::from(code));
                let reason = reason.to_owned();
                tracing::debug!(?code, %reason, "websocket closed by peer");
                self.flush_now();
                return Ok(Some(Message::Close { code, reason }));
            }
            // A ping: its pong is queued and written by the next read, as far as the socket
            // takes it. A peer that pings and does not read would grow that queue for ever.
            if self.inner.get_ref().write_blocked() {
                self.pings_while_blocked += 1;
                if self.pings_while_blocked > MAX_PINGS_WHILE_BLOCKED {
                    return Err(self.ping_flood());
                }
            } else {
                self.pings_while_blocked = 0;
            }
        }
    }

    /// The peer sent more than [`MAX_PINGS_WHILE_BLOCKED`] pings without reading: the
    /// connection fails (the caller drops it, and the pongs queued with it), with a close frame
    /// that says why (1008) in case the peer reads again before the socket closes.
    fn ping_flood(&mut self) -> Error {
        self.failed = true;
        let pings = self.pings_while_blocked;
        tracing::warn!(
            pings,
            peer = ?self.peer_addr,
            "websocket peer sends pings and does not read the answers; connection failed"
        );
        let why = tokio_websockets::Message::close(
            Some(CloseCode::POLICY_VIOLATION),
            "too many pings unanswered",
        );
        let _ = self.inner.start_send_unpin(why);
        self.flush_now();
        Error::with_source(ErrorKind::Protocol, PingFlood { pings })
    }

    /// A text message that is not UTF-8 (its last character cut, which tokio-websockets does
    /// not see when the last fragment is empty): the connection fails, as on any other bad
    /// text, with the close frame that says why (1007).
    fn not_utf8(&mut self) -> Error {
        self.failed = true;
        let why = tokio_websockets::Message::close(
            Some(CloseCode::INVALID_FRAME_PAYLOAD_DATA),
            "invalid utf8",
        );
        let _ = self.inner.start_send_unpin(why);
        self.flush_now();
        Error::with_source(
            ErrorKind::Protocol,
            tokio_websockets::Error::Protocol(tokio_websockets::proto::ProtocolError::InvalidUtf8),
        )
    }

    /// After a read error: the close frame that says why (1002 / 1007 / 1009), which
    /// tokio-websockets queues for a bad frame but not for a reassembled message over the limit.
    fn say_why(&mut self, error: &Error) {
        if let ErrorKind::MessageTooLarge { .. } = error.kind() {
            let why = tokio_websockets::Message::close(
                Some(CloseCode::MESSAGE_TOO_BIG),
                "message too large",
            );
            // Refused (AlreadyClosed) when the frame itself was too large: queued already.
            let _ = self.inner.start_send_unpin(why);
        }
        self.flush_now();
    }

    /// Pushes queued frames (a close reply, a pong) out as far as the socket takes them
    /// without waiting: the caller may never read again, and an await in `recv` would lose the
    /// message in hand if the caller cancelled it. The next read finishes a partial write.
    fn flush_now(&mut self) {
        if let Some(Err(e)) = self.inner.flush().now_or_never() {
            tracing::debug!(error = %e, "queued frames not sent");
        }
    }

    /// Sends one text message and flushes it.
    ///
    /// Cancel safety: not cancel safe; a cancelled send may still go out with the next write.
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), Error> {
        let text: String = text.into();
        self.write(tokio_websockets::Message::text(text)).await
    }

    /// Sends a ping with an empty payload and flushes it; the peer's pong comes back from
    /// [`recv`](Self::recv) as [`Message::Pong`]. A peer's WebSocket layer answers in user
    /// space, so a pong says the peer's process still reads (a kernel keeps a hung process's
    /// TCP connection open, but answers no ping).
    ///
    /// Cancel safety: not cancel safe; a cancelled send may still go out with the next write.
    pub async fn send_ping(&mut self) -> Result<(), Error> {
        self.write(tokio_websockets::Message::ping(Bytes::new()))
            .await
    }

    /// Sends a close frame with `code` and `reason` (cut to the 123 bytes a close frame
    /// holds). Keep calling [`recv`](Self::recv) to see the peer's answer (`Ok(None)` when the
    /// handshake is done). A code that may not be sent (below 1000, 1004–1006, 1015, 1016–2999
    /// or above 4999) is an [`ErrorKind::InvalidRequest`] and sends nothing.
    pub async fn close(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        let close_code = CloseCode::try_from(code)
            .ok()
            .filter(|c| !c.is_reserved())
            .ok_or_else(|| {
                Error::new(ErrorKind::InvalidRequest {
                    reason: format!("close code {code} cannot be sent"),
                })
            })?;
        let message = tokio_websockets::Message::close(Some(close_code), cut(reason));
        self.closing = true;
        match self.write(message).await {
            Err(e) if e.kind() == &ErrorKind::Closed => Ok(()),
            other => other,
        }
    }

    /// Sends `message` and flushes it. A write that failed underneath (latched by the burst
    /// reader, so that what the peer sent before it can still be read) is
    /// [`ErrorKind::ConnectionLost`], now and for every later send.
    async fn write(&mut self, message: tokio_websockets::Message) -> Result<(), Error> {
        if self.inner.get_ref().write_failed() {
            return Err(Error::new(ErrorKind::ConnectionLost));
        }
        let sent = self.inner.send(message).await;
        if let Some(e) = self.inner.get_mut().take_write_error() {
            return Err(Error::with_source(ErrorKind::ConnectionLost, e));
        }
        sent.map_err(write_error)
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

/// Whether a text message tokio-websockets validated ends inside a character (decision
/// 0079). Its validator checks each fragment as it arrives and holds a character cut at a
/// fragment's end until the next one; a last fragment with no payload is not fed to it, so
/// the cut character at the end of the message went unchecked. Everything before the last
/// character was checked, so the last character is all there is to check: O(1).
fn ends_inside_a_character(text: &[u8]) -> bool {
    // A character is at most 4 bytes: its first byte is within the last 4.
    let tail = text.get(text.len().saturating_sub(4)..).unwrap_or_default();
    match tail.iter().rposition(|b| b & 0xC0 != 0x80) {
        Some(start) => std::str::from_utf8(tail.get(start..).unwrap_or_default()).is_err(),
        // Only continuation bytes: no first byte (or an empty message, which is fine).
        None => !tail.is_empty(),
    }
}

/// `reason` cut to [`MAX_CLOSE_REASON`] bytes on a character boundary.
fn cut(reason: &str) -> &str {
    let mut end = reason.len().min(MAX_CLOSE_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

fn read_error(e: tokio_websockets::Error) -> Error {
    match e {
        tokio_websockets::Error::PayloadTooLong { len, max_len } => {
            Error::new(ErrorKind::MessageTooLarge {
                size: len,
                max: max_len,
            })
        }
        tokio_websockets::Error::Io(_) => Error::with_source(ErrorKind::ConnectionLost, e),
        other => Error::with_source(ErrorKind::Protocol, other),
    }
}

fn write_error(e: tokio_websockets::Error) -> Error {
    match e {
        tokio_websockets::Error::AlreadyClosed => Error::with_source(ErrorKind::Closed, e),
        tokio_websockets::Error::Io(_) => Error::with_source(ErrorKind::ConnectionLost, e),
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

#[cfg(test)]
mod tests {
    use super::{cut, ends_inside_a_character};

    #[test]
    fn a_cut_last_character_is_found_and_whole_ones_are_not() {
        for whole in ["", "a", "ok 关", "关于", "é", "😀", "a😀", "{\"d\":\"😀\"}"] {
            assert!(!ends_inside_a_character(whole.as_bytes()), "{whole:?}");
        }
        let emoji = "a😀".as_bytes();
        for cut in 1..emoji.len() - 1 {
            assert!(ends_inside_a_character(&emoji[..cut + 1]), "{cut}");
        }
        for bad in [
            &[0xE5][..],
            &[0x80],
            &[0x80, 0x80, 0x80, 0x80],
            &[b'a', 0xFF],
        ] {
            assert!(ends_inside_a_character(bad), "{bad:?}");
        }
    }

    #[test]
    fn close_reasons_are_cut_on_a_character_boundary() {
        assert_eq!(cut("bye"), "bye");
        let long = "关".repeat(50); // 150 bytes, 3 per character
        assert_eq!(cut(&long).len(), 123);
        let shifted = format!("a{long}");
        assert_eq!(cut(&shifted).len(), 121);
    }
}
