//! [`Budgeted`]: a socket whose reads count against a budget until it is lifted. The client
//! reads the server's answer to its upgrade through it: an answer that never ends (an endless
//! header) had grown the handshake's buffer without bound, past the connect timeout (21 s
//! for 5 s, 481 MB). Below the burst reader, so the check runs once per system read, not
//! per frame.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `inner`, refusing to read more than a budget until [`lift`](Self::lift).
#[derive(Debug)]
pub(crate) struct Budgeted<S> {
    inner: S,
    /// Bytes the peer may still send; `usize::MAX`: no limit.
    budget: usize,
}

impl<S> Budgeted<S> {
    /// No limit (accepted connections: the listener bounds the request itself).
    pub(crate) fn unlimited(inner: S) -> Self {
        Self {
            inner,
            budget: usize::MAX,
        }
    }

    /// At most `budget` bytes read until [`lift`](Self::lift).
    pub(crate) fn limited(inner: S, budget: usize) -> Self {
        Self { inner, budget }
    }

    /// No more limit (the upgrade is done).
    pub(crate) fn lift(&mut self) {
        self.budget = usize::MAX;
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
