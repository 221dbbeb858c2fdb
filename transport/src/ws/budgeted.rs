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
//! call that panics when it does not fit). The head is held back until it is whole, so that
//! a 101 with more than 25 headers (a CDN's or a proxy's) goes on with only the handshake's
//! own (decision 0087); one with more than 128 fails.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::io::poll_read_buf;

/// `inner`, refusing to read more than a budget until [`lift`](Self::lift).
#[derive(Debug)]
pub(crate) struct Budgeted<S> {
    inner: S,
    /// Bytes the peer may still send; `usize::MAX`: no limit.
    budget: usize,
    /// Where the upgrade answer stands (only a limited client's is read here).
    answer: Answer,
}

/// Where the upgrade answer stands.
#[derive(Debug)]
enum Answer {
    /// Its head is being read: the bytes so far, held back until the head is whole and
    /// checked (tokio-websockets would refuse a long one before it is).
    Head(Vec<u8>),
    /// Checked: the head to hand on (shortened if long) and what followed it, handed out
    /// from `at`.
    Checked { bytes: Vec<u8>, at: usize },
    /// Handed on, or never read here: reads go to the socket.
    Passed,
}

/// What [`check_answer`] makes of the bytes read so far.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// The head is not whole yet.
    Partial,
    /// Hand the bytes on as they are (tokio-websockets takes them, or refuses them itself).
    Pass,
    /// Hand these on instead: the head shortened, then everything after it.
    Shorten(Vec<u8>),
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

/// The most headers of an upgrade answer read here.
const MAX_ANSWER_HEADERS: usize = 128;

/// The most headers tokio-websockets 0.12 parses in an upgrade answer
/// (`upgrade::server_response::Codec`).
const TOKIO_WEBSOCKETS_HEADERS: usize = 25;

/// The headers a shortened 101 keeps: the one tokio-websockets' client reads
/// (`Sec-WebSocket-Accept`, its first) and those that say what the connection became
/// (RFC 6455 §4.1), in their order and with their duplicates.
const HANDSHAKE_HEADERS: [&str; 5] = [
    "upgrade",
    "connection",
    "sec-websocket-accept",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
];

/// The room made in the head's buffer before each read of it.
const HEAD_READ: usize = 4 << 10;

/// The length of the SHA-1 a `Sec-WebSocket-Accept` is the base64 of.
const SHA1_LEN: usize = 20;

/// Checks the upgrade answer in `head` (the bytes read so far, perhaps with frames after
/// the head): an error for a refusal (with its status), an accept key tokio-websockets
/// cannot take, or more headers than [`MAX_ANSWER_HEADERS`].
fn check_answer(head: &[u8]) -> io::Result<Verdict> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_ANSWER_HEADERS];
    let mut answer = httparse::Response::new(&mut headers);
    let parsed = answer.parse(head);
    // The status line is parsed before the headers: a refusal keeps its status even when
    // its headers are too many.
    match answer.code {
        Some(101) | None => {}
        Some(status) => return Err(io::Error::other(Refused(status))),
    }
    let len = match parsed {
        Ok(httparse::Status::Partial) => return Ok(Verdict::Partial),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the upgrade answer has more than {MAX_ANSWER_HEADERS} headers"),
            ))
        }
        // Malformed: tokio-websockets refuses it too.
        Err(_) => return Ok(Verdict::Pass),
        Ok(httparse::Status::Complete(len)) => len,
    };
    if answer.code.is_none() {
        return Ok(Verdict::Pass);
    }
    check_accept(answer.headers)?;
    if answer.headers.len() <= TOKIO_WEBSOCKETS_HEADERS {
        return Ok(Verdict::Pass);
    }
    tracing::debug!(
        headers = answer.headers.len(),
        "upgrade answer shortened to the handshake's headers for tokio-websockets"
    );
    let rest = head.get(len..).unwrap_or_default();
    Ok(Verdict::Shorten(shorten(
        answer.version,
        answer.headers,
        rest,
    )))
}

/// Refuses a 101 whose first `Sec-WebSocket-Accept` (the one tokio-websockets checks) is not
/// the base64 of a SHA-1.
fn check_accept(headers: &[httparse::Header<'_>]) -> io::Result<()> {
    let accept = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept"));
    let sha1 = |value: &[u8]| STANDARD.decode(value).is_ok_and(|d| d.len() == SHA1_LEN);
    if accept.is_some_and(|h| !sha1(h.value)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the upgrade answer's Sec-WebSocket-Accept is not the base64 of a SHA-1",
        ));
    }
    Ok(())
}

/// A 101 of `version` with only its [`HANDSHAKE_HEADERS`], then `rest` byte for byte (frames
/// read with the head). The reason phrase is read by no one and is written anew. The headers
/// dropped are ones tokio-websockets would have taken: it refuses a name or a value that
/// `http` rejects, and `http` takes the bytes httparse does (a test holds them to it).
fn shorten(version: Option<u8>, headers: &[httparse::Header<'_>], rest: &[u8]) -> Vec<u8> {
    let status = format!(
        "HTTP/1.{} 101 Switching Protocols\r\n",
        version.unwrap_or(1)
    );
    let mut out = status.into_bytes();
    let kept = headers.iter().filter(|h| {
        HANDSHAKE_HEADERS
            .iter()
            .any(|name| h.name.eq_ignore_ascii_case(name))
    });
    for header in kept {
        out.extend_from_slice(header.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(header.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(rest);
    out
}

impl<S> Budgeted<S> {
    /// No limit (accepted connections: the listener bounds the request itself).
    pub(crate) fn unlimited(inner: S) -> Self {
        Self {
            inner,
            budget: usize::MAX,
            answer: Answer::Passed,
        }
    }

    /// At most `budget` bytes read until [`lift`](Self::lift), the upgrade answer's head
    /// checked (see the module docs).
    pub(crate) fn limited(inner: S, budget: usize) -> Self {
        Self {
            inner,
            budget,
            answer: Answer::Head(Vec::new()),
        }
    }

    /// No more limit (the upgrade is done). Bytes read and not handed out yet (frames after
    /// the head, past what the handshake's read took) still come first.
    pub(crate) fn lift(&mut self) {
        self.budget = usize::MAX;
        if let Answer::Head(bytes) = &mut self.answer {
            let bytes = std::mem::take(bytes);
            self.answer = Answer::Checked { bytes, at: 0 };
        }
    }
}

/// Counts `read` bytes from the socket against `budget` (`usize::MAX`: no limit).
fn spend(budget: &mut usize, read: usize) -> io::Result<()> {
    if *budget == usize::MAX {
        return Ok(());
    }
    *budget = budget.checked_sub(read).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the upgrade answer is too large",
        )
    })?;
    Ok(())
}

/// Reads `inner` into `head` until the answer's head is whole and checked: what to hand on
/// then. The end of the stream hands on what came (tokio-websockets reports it).
fn poll_head<S: AsyncRead + Unpin>(
    inner: &mut S,
    budget: &mut usize,
    cx: &mut Context<'_>,
    head: &mut Vec<u8>,
) -> Poll<io::Result<Vec<u8>>> {
    loop {
        head.reserve(HEAD_READ);
        let read = ready!(poll_read_buf(Pin::new(&mut *inner), cx, head))?;
        spend(budget, read)?;
        if read == 0 {
            return Poll::Ready(Ok(std::mem::take(head)));
        }
        match check_answer(head)? {
            Verdict::Partial => {}
            Verdict::Pass => return Poll::Ready(Ok(std::mem::take(head))),
            Verdict::Shorten(bytes) => return Poll::Ready(Ok(bytes)),
        }
    }
}

/// Hands out of `bytes` from `at` what fits in `out`: whether all has been.
fn hand_out(bytes: &[u8], at: &mut usize, out: &mut ReadBuf<'_>) -> bool {
    let left = bytes.get(*at..).unwrap_or_default();
    let n = left.len().min(out.remaining());
    out.put_slice(left.get(..n).unwrap_or_default());
    *at += n;
    *at >= bytes.len()
}

impl<S: AsyncRead + Unpin> AsyncRead for Budgeted<S> {
    #[inline]
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Answer::Passed = this.answer {
            let before = out.filled().len();
            ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
            spend(&mut this.budget, out.filled().len() - before)?;
            return Poll::Ready(Ok(()));
        }
        if let Answer::Head(head) = &mut this.answer {
            let bytes = ready!(poll_head(&mut this.inner, &mut this.budget, cx, head))?;
            this.answer = Answer::Checked { bytes, at: 0 };
        }
        if let Answer::Checked { bytes, at } = &mut this.answer {
            if hand_out(bytes, at, out) {
                this.answer = Answer::Passed;
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /// A 101 with `extra` headers of a CDN's before the handshake's own.
    fn long_101(extra: usize) -> Vec<u8> {
        let mut head = "HTTP/1.1 101 Switching Protocols\r\n".to_owned();
        for i in 0..extra {
            head.push_str(&format!("X-Edge-{i}: v{i}\r\n"));
        }
        head.push_str(&format!(
            "upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\
             Sec-WebSocket-Protocol: chat\r\n\r\n"
        ));
        head.into_bytes()
    }

    /// `long_101` as it goes on to tokio-websockets.
    fn shortened() -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_long_101_keeps_the_handshake_headers_and_what_follows_byte_for_byte() {
        let mut answer = long_101(40);
        let frame = b"\x81\x02hi\x82\x01\xff";
        answer.extend_from_slice(frame);
        let mut expected = shortened();
        expected.extend_from_slice(frame);
        assert_eq!(check_answer(&answer).unwrap(), Verdict::Shorten(expected));
    }

    #[test]
    fn a_101_tokio_websockets_takes_as_it_is_passes_unchanged() {
        // 25 headers in all: 21 of the edge's, the handshake's 4.
        assert_eq!(check_answer(&long_101(21)).unwrap(), Verdict::Pass);
        assert_eq!(
            check_answer(&long_101(30)[..100]).unwrap(),
            Verdict::Partial
        );
    }

    #[test]
    fn more_headers_than_read_here_fail_before_the_head_is_whole_and_a_refusal_keeps_its_status() {
        let answer = long_101(MAX_ANSWER_HEADERS + 1);
        let err = check_answer(&answer[..answer.len() - 10]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // A refusal keeps its status all the same.
        let refusal = [b"HTTP/1.1 403 Forbidden\r\n".as_slice(), &answer[34..]].concat();
        let err = check_answer(&refusal).unwrap_err();
        assert!(matches!(
            err.get_ref().and_then(|e| e.downcast_ref()),
            Some(&Refused(403))
        ));
        // And with a malformed header after its status line.
        let err = check_answer(b"HTTP/1.1 401 No\r\nX Bad\r\n\r\n").unwrap_err();
        assert!(matches!(
            err.get_ref().and_then(|e| e.downcast_ref()),
            Some(&Refused(401))
        ));
    }

    /// A header dropped from a long 101 is one tokio-websockets would have taken: `http`
    /// takes every byte of a name or a value that httparse does (and no other).
    #[test]
    fn http_takes_the_header_bytes_httparse_does() {
        let parses = |header: &[u8]| {
            let answer = [b"HTTP/1.1 101 OK\r\n".as_slice(), header, b"\r\n\r\n"].concat();
            let mut headers = [httparse::EMPTY_HEADER; 4];
            httparse::Response::new(&mut headers).parse(&answer).is_ok()
        };
        for b in (0..=u8::MAX).filter(|&b| b != b':') {
            let name = [b'A', b];
            assert_eq!(
                parses(&[name.as_slice(), b": v"].concat()),
                http::HeaderName::from_bytes(&name).is_ok(),
                "name byte {b:#x}"
            );
            let value = [b'v', b, b'v'];
            assert_eq!(
                parses(&[b"A: ".as_slice(), &value].concat()),
                http::HeaderValue::from_bytes(&value).is_ok(),
                "value byte {b:#x}"
            );
        }
    }

    /// Bytes read past what the handshake took are handed out after `lift`, before the
    /// socket's next ones, and the budget counted what came from the socket.
    #[tokio::test]
    async fn bytes_held_at_lift_come_first() {
        let mut sent = long_101(30);
        let frames: Vec<u8> = (0..200u8).collect();
        sent.extend_from_slice(&frames);
        let mut reader = Budgeted::limited(sent.as_slice(), sent.len());
        let mut first = vec![0; 16];
        reader.read_exact(&mut first).await.unwrap();
        reader.lift();
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).await.unwrap();
        first.extend_from_slice(&rest);
        let mut expected = shortened();
        expected.extend_from_slice(&frames);
        assert_eq!(first, expected);
    }

    #[tokio::test]
    async fn the_budget_counts_bytes_read_from_the_socket() {
        let sent = long_101(30);
        let mut reader = Budgeted::limited(sent.as_slice(), sent.len() - 1);
        let err = reader.read_to_end(&mut Vec::new()).await.unwrap_err();
        assert_eq!(err.to_string(), "the upgrade answer is too large");
    }
}
