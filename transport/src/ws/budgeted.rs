//! [`Budgeted`]: a socket whose reads count against a budget until it is lifted. The client
//! reads the server's answer to its upgrade through it: an answer that never ends (an endless
//! header) had grown the handshake's buffer without bound, past the connect timeout (21 s
//! for 5 s, 481 MB). Below the burst reader, so the check runs once per system read, not
//! per frame.
//!
//! While limited it also reads the answer's head before tokio-websockets does (decision
//! 0079): a refusal keeps its status however many headers it has (tokio-websockets parses
//! at most 25, and lost the status of a CDN's 401), and a 101 whose `Sec-WebSocket-Accept`
//! is not the base64 of a SHA-1 is refused (tokio-websockets decodes it into 20 bytes with a
//! call that panics when it does not fit).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `inner`, refusing to read more than a budget until [`lift`](Self::lift).
#[derive(Debug)]
pub(crate) struct Budgeted<S> {
    inner: S,
    /// Bytes the peer may still send; `usize::MAX`: no limit.
    budget: usize,
    /// While limited: the bytes of the upgrade answer read so far, until its head is whole
    /// and checked (`None` then, and when unlimited).
    head: Option<Vec<u8>>,
}

/// The upgrade was answered with this status instead of 101 (an I/O error's payload, so
/// that it comes through tokio-websockets' handshake to [`connect`](super::connect)).
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) u16);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the upgrade was answered with HTTP {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// The most headers of an upgrade answer read here (tokio-websockets reads 25).
const MAX_ANSWER_HEADERS: usize = 128;

/// The length of the SHA-1 a `Sec-WebSocket-Accept` is the base64 of.
const SHA1_LEN: usize = 20;

/// Checks the upgrade answer in `head`: `Ok(false)` while its head is incomplete, `Ok(true)`
/// once it is whole and may go on to tokio-websockets, an error for a refusal (with its
/// status) or an accept key tokio-websockets cannot take.
fn check_answer(head: &[u8]) -> io::Result<bool> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_ANSWER_HEADERS];
    let mut answer = httparse::Response::new(&mut headers);
    match answer.parse(head) {
        Ok(httparse::Status::Partial) => return Ok(false),
        // Malformed (or more headers than even this): tokio-websockets refuses it too.
        Err(_) => return Ok(true),
        Ok(httparse::Status::Complete(_)) => {}
    }
    match answer.code {
        Some(101) => {}
        Some(status) => return Err(io::Error::other(Refused(status))),
        None => return Ok(true),
    }
    // tokio-websockets checks the first one.
    let accept = answer
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept"));
    let sha1 = |value: &[u8]| STANDARD.decode(value).is_ok_and(|d| d.len() == SHA1_LEN);
    if accept.is_some_and(|h| !sha1(h.value)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the upgrade answer's Sec-WebSocket-Accept is not the base64 of a SHA-1",
        ));
    }
    Ok(true)
}

impl<S> Budgeted<S> {
    /// No limit (accepted connections: the listener bounds the request itself).
    pub(crate) fn unlimited(inner: S) -> Self {
        Self {
            inner,
            budget: usize::MAX,
            head: None,
        }
    }

    /// At most `budget` bytes read until [`lift`](Self::lift), the upgrade answer's head
    /// checked (see the module docs).
    pub(crate) fn limited(inner: S, budget: usize) -> Self {
        Self {
            inner,
            budget,
            head: Some(Vec::new()),
        }
    }

    /// No more limit (the upgrade is done).
    pub(crate) fn lift(&mut self) {
        self.budget = usize::MAX;
        self.head = None;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Budgeted<S> {
    #[inline]
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.budget == usize::MAX {
            return Pin::new(&mut this.inner).poll_read(cx, out);
        }
        let before = out.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
        let read = out.filled().len() - before;
        this.budget = this.budget.checked_sub(read).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "the upgrade answer is too large",
            )
        })?;
        if let Some(head) = &mut this.head {
            if let Some(new) = out.filled().get(before..) {
                head.extend_from_slice(new);
            }
            // An empty read is the end of the stream: tokio-websockets reports it.
            if read > 0 && check_answer(head)? {
                this.head = None;
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Budgeted<S> {
    #[inline]
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    #[inline]
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    #[inline]
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    #[inline]
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    #[inline]
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
