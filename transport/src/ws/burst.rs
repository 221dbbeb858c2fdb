//! [`BurstReader`]: reads the socket in large chunks while messages keep arriving, and holds no
//! buffer while the connection is idle (decision 0039).
//!
//! tokio-websockets reads into what is left of its 8 KiB buffer, so a flood of events costs one
//! `recv` per 8 KiB or less; on loopback each `recv` also sends the ACK and runs the sender's
//! next transmission in the reader's time (17 % of a one-core client at 0.8 M QQ events/s,
//! `perf`). Once a read fills the caller's whole buffer (more is waiting), reads go through a
//! buffer of `burst` bytes and are handed out from it; the first read that finds the socket
//! empty gives that buffer back, so an idle connection costs nothing more.
//!
//! A failed write is latched here rather than handed to tokio-websockets (decision 0079): it
//! ends its read side on a write error, and the frames the peer sent before it went (its close
//! frame, with the code that says whether to resume) were never read. The WebSocket layer sees
//! the write taken; [`WsStream`](super::WsStream) reports the latched error to the caller, and
//! later writes are dropped.
//!
//! It also tells whether the peer takes what we write (decision 0090): tokio-websockets queues
//! a pong for every ping, in a queue of its own that only the socket drains, so a peer that
//! pings and never reads would grow that queue for ever. A write the socket refused (its
//! buffers full) marks the connection blocked until tokio-websockets' queue is empty again;
//! [`WsStream`](super::WsStream) counts the pings that arrive meanwhile.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::io::poll_read_buf;

/// See the module docs. Writes go straight through until one fails.
#[derive(Debug)]
pub(crate) struct BurstReader<S> {
    inner: S,
    /// The size of a read during a burst.
    burst: usize,
    /// The bytes read and not handed out yet; no capacity while no burst is on. Read into
    /// without zero-filling (a burst starts every few hundred events under a flood).
    buf: BytesMut,
    /// A write failed: the connection cannot send any more, and writes are dropped.
    write_failed: bool,
    /// That write's error, until [`take_write_error`](Self::take_write_error) takes it.
    write_error: Option<io::Error>,
    /// The socket refused a write (the peer is not reading what we send) since the frames
    /// queued above us were last all written. A plain field: set and cleared only on writes.
    write_blocked: bool,
}

impl<S> BurstReader<S> {
    /// Reads `inner` in chunks of up to `burst` bytes while data keeps arriving.
    pub(crate) fn new(inner: S, burst: usize) -> Self {
        Self {
            inner,
            burst,
            buf: BytesMut::new(),
            write_failed: false,
            write_error: None,
            write_blocked: false,
        }
    }

    /// Whether the socket refused a write since the frames queued above were last all
    /// written (see the module docs): what is queued now waits for the peer to read.
    pub(crate) fn write_blocked(&self) -> bool {
        self.write_blocked
    }

    /// A write the socket underneath left pending. Only a full socket says the peer is not
    /// reading: a task that has spent tokio's cooperative budget is told `Pending` by every
    /// socket whatever its state (and written to when next polled), which under a burst of
    /// pings in the read buffer would look like a peer that never reads.
    fn write_pending<T>(&mut self) -> Poll<T> {
        if tokio::task::coop::has_budget_remaining() {
            self.write_blocked = true;
        }
        Poll::Pending
    }

    /// Whether a write failed (the connection cannot send any more).
    pub(crate) fn write_failed(&self) -> bool {
        self.write_failed
    }

    /// The error of the write that failed, once.
    pub(crate) fn take_write_error(&mut self) -> Option<io::Error> {
        self.write_error.take()
    }

    /// Latches a failed write's error; what the caller is told instead is `taken`.
    fn fail<T>(&mut self, error: io::Error, taken: T) -> Poll<io::Result<T>> {
        tracing::debug!(%error, "websocket write failed; reading what the peer sent before");
        self.write_failed = true;
        self.write_error = Some(error);
        Poll::Ready(Ok(taken))
    }

    /// The reader underneath.
    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Whether a burst buffer is held (for tests).
    #[cfg(test)]
    fn holds_buffer(&self) -> bool {
        self.buf.capacity() > 0
    }

    /// Hands out buffered bytes.
    fn take(&mut self, out: &mut ReadBuf<'_>) {
        let n = out.remaining().min(self.buf.len());
        if let Some(bytes) = self.buf.get(..n) {
            out.put_slice(bytes);
        }
        self.buf.advance(n);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BurstReader<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if !this.buf.is_empty() {
            this.take(out);
            return Poll::Ready(Ok(()));
        }
        let want = out.remaining();
        if this.buf.capacity() == 0 {
            // No burst on: read straight into the caller's buffer; a full one means more is
            // waiting, and the next reads take the large buffer.
            let before = out.filled().len();
            ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
            if out.filled().len() - before == want && want > 0 && this.burst > want {
                this.buf = BytesMut::with_capacity(this.burst);
            }
            return Poll::Ready(Ok(()));
        }
        // Empty: back to the start of the buffer (nothing to move).
        this.buf.clear();
        this.buf.reserve(this.burst);
        match poll_read_buf(Pin::new(&mut this.inner), cx, &mut this.buf) {
            Poll::Pending => {
                // The socket is empty: the burst is over.
                this.buf = BytesMut::new();
                Poll::Pending
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(0)) => {
                // End of stream: nothing put into `out` says so to the caller.
                this.buf = BytesMut::new();
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Ok(_)) => {
                this.take(out);
                Poll::Ready(Ok(()))
            }
        }
    }
}

/// What a write that took nothing of a non-empty buffer means: the peer is gone.
fn write_zero() -> io::Error {
    io::ErrorKind::WriteZero.into()
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BurstReader<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.write_failed {
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => this.write_pending(),
            Poll::Ready(Ok(0)) if !buf.is_empty() => this.fail(write_zero(), buf.len()),
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(n)),
            Poll::Ready(Err(e)) => this.fail(e, buf.len()),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let len = bufs.iter().map(|b| b.len()).sum();
        if this.write_failed {
            return Poll::Ready(Ok(len));
        }
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.write_pending(),
            Poll::Ready(Ok(0)) if len > 0 => this.fail(write_zero(), len),
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(n)),
            Poll::Ready(Err(e)) => this.fail(e, len),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // tokio-websockets flushes the socket only once it has written its whole queue: what
        // waited for the peer to read has gone (what a TLS layer still holds is bounded by it).
        self.write_blocked = false;
        self.poll_latched(cx, S::poll_flush)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_latched(cx, S::poll_shutdown)
    }
}

impl<S: AsyncWrite + Unpin> BurstReader<S> {
    /// `poll` (a flush or a shutdown) on the writer underneath, its error latched as a failed
    /// write's; nothing once a write failed.
    fn poll_latched(
        &mut self,
        cx: &mut Context<'_>,
        poll: fn(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<()>>,
    ) -> Poll<io::Result<()>> {
        if self.write_failed {
            return Poll::Ready(Ok(()));
        }
        match ready!(poll(Pin::new(&mut self.inner), cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(e) => self.fail(e, ()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (client.unwrap(), server.unwrap().0)
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// Polls one read of up to `max` bytes: `None` when the socket has nothing.
    fn try_read<S: AsyncRead + Unpin>(reader: &mut BurstReader<S>, max: usize) -> Option<Vec<u8>> {
        let mut space = vec![0; max];
        let mut out = ReadBuf::new(&mut space);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(reader).poll_read(&mut cx, &mut out) {
            Poll::Ready(result) => {
                result.unwrap();
                Some(out.filled().to_vec())
            }
            Poll::Pending => None,
        }
    }

    #[tokio::test]
    async fn a_burst_is_read_in_large_chunks_intact_and_the_buffer_given_back_when_idle() {
        let (mut writer, socket) = pair().await;
        let sent = pattern(48 << 10);
        writer.write_all(&sent).await.unwrap();
        let mut reader = BurstReader::new(socket, 16 << 10);
        let mut got = Vec::new();
        let mut held = false;
        while got.len() < sent.len() {
            // 4 KiB reads, as a caller with a small buffer makes.
            let mut space = [0; 4096];
            let n = reader.read(&mut space).await.unwrap();
            assert!(n > 0, "end of stream after {} bytes", got.len());
            got.extend_from_slice(&space[..n]);
            held |= reader.holds_buffer();
        }
        assert_eq!(got, sent);
        assert!(held, "48 KiB waiting and read 4 KiB at a time: a burst");
        // Everything written is read: the socket is empty, the burst over.
        assert_eq!(try_read(&mut reader, 4096), None);
        assert!(!reader.holds_buffer());

        // A small write is read straight through, without taking the buffer.
        writer.write_all(b"ping").await.unwrap();
        let mut space = [0; 4096];
        let n = reader.read(&mut space).await.unwrap();
        assert_eq!(&space[..n], b"ping");
        assert!(!reader.holds_buffer());

        // The end of the stream after a burst: everything, then 0.
        let rest = pattern(40 << 10);
        writer.write_all(&rest).await.unwrap();
        drop(writer);
        let mut tail = Vec::new();
        reader.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, rest);
        assert!(!reader.holds_buffer());
    }

    /// Polls one write of `buf` with a waker that does nothing: `None` when left pending.
    fn try_write<S: AsyncWrite + Unpin>(stream: &mut BurstReader<S>, buf: &[u8]) -> Option<usize> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(stream).poll_write(&mut cx, buf) {
            Poll::Ready(result) => Some(result.unwrap()),
            Poll::Pending => None,
        }
    }

    #[tokio::test]
    async fn a_full_socket_marks_writes_blocked_until_the_queue_above_is_flushed() {
        let (socket, mut peer) = pair().await;
        let mut stream = BurstReader::new(socket, 64 << 10);
        let chunk = vec![7u8; 64 << 10];
        // The peer does not read: the kernel's buffers fill. Unconstrained, so that the task's
        // budget does not end the writes first (that is not a full socket, see below).
        let written = tokio::task::coop::unconstrained(async {
            let mut written = 0;
            while let Some(n) = try_write(&mut stream, &chunk) {
                assert!(!stream.write_blocked());
                written += n;
            }
            written
        })
        .await;
        assert!(stream.write_blocked());

        // The peer reads it all: writes go again, but what waited above may not all be out
        // yet; only the flush that follows a whole queue says so.
        let mut got = vec![0u8; written];
        peer.read_exact(&mut got).await.unwrap();
        stream.write_all(b"more").await.unwrap();
        assert!(stream.write_blocked());
        stream.flush().await.unwrap();
        assert!(!stream.write_blocked());
    }

    #[tokio::test]
    async fn a_write_left_pending_by_the_task_budget_is_not_a_full_socket() {
        let (socket, _peer) = pair().await;
        let mut stream = BurstReader::new(socket, 64 << 10);
        // A thousand one-byte writes, room for all of them: tokio's budget (128 operations a
        // poll) leaves one pending first.
        let pending = std::future::poll_fn(|cx| {
            let pending =
                (0..1000).any(|_| Pin::new(&mut stream).poll_write(cx, b"x").is_pending());
            Poll::Ready(pending)
        })
        .await;
        assert!(pending, "the budget never ran out");
        assert!(!stream.write_blocked());
    }

    #[tokio::test]
    async fn writes_go_straight_through() {
        let (socket, mut peer) = pair().await;
        let mut stream = BurstReader::new(socket, 64 << 10);
        stream.write_all(b"hello").await.unwrap();
        stream.flush().await.unwrap();
        let mut got = [0; 5];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hello");
        stream.shutdown().await.unwrap();
        assert_eq!(peer.read(&mut got).await.unwrap(), 0);
    }
}
