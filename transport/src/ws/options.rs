//! [`ConnectOptions`]: headers, credentials, timeouts and size limits of a WebSocket client.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::ReceiveBuffer;
use crate::Secret;

/// Default limit for one incoming message and one incoming frame: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 << 20;
/// Default of a client's read buffer option on a multi-thread runtime: 256 KiB, the size of a
/// socket read while messages keep arriving (decisions 0039, 0053). Held only then: an idle
/// connection holds none of it.
pub const DEFAULT_READ_BUFFER_SIZE: usize = 256 << 10;
/// Default of a client's read buffer option on a current-thread runtime: 4 MiB, enough to
/// drain the kernel's buffer in one read. The reader and the handlers share the thread there,
/// and each read's window update costs it the sender's next round (decision 0053); on a
/// multi-thread runtime smaller reads keep the handlers' thread fed sooner. Only the pages a
/// read fills are touched.
pub const CURRENT_THREAD_READ_BUFFER_SIZE: usize = 4 << 20;
/// Default of the reverse-WS listener's read buffer option: 64 KiB. A listener may hold
/// thousands of connections, each one bursting at once holds its buffer (decision 0053).
pub const DEFAULT_LISTENER_READ_BUFFER_SIZE: usize = 64 << 10;
/// Default connect timeout (TCP + TLS + upgrade).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How [`connect`](super::connect) opens a connection. Built by value:
/// `ConnectOptions::new().bearer(token).connect_timeout(..)`.
#[derive(Clone)]
pub struct ConnectOptions {
    pub(crate) headers: HeaderMap,
    pub(crate) bearer: Option<Secret>,
    pub(crate) query_token: Option<Secret>,
    pub(crate) connect_timeout: Duration,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_message_size: usize,
    pub(crate) max_frame_size: usize,
    /// `None`: by the runtime ([`effective_read_buffer_size`](ConnectOptions::effective_read_buffer_size)).
    pub(crate) read_buffer_size: Option<usize>,
    pub(crate) receive_buffer: ReceiveBuffer,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            headers: HeaderMap::new(),
            bearer: None,
            query_token: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            idle_timeout: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_frame_size: DEFAULT_MAX_MESSAGE_SIZE,
            read_buffer_size: None,
            receive_buffer: ReceiveBuffer::Auto,
        }
    }
}

impl ConnectOptions {
    /// Defaults: no extra headers, 10 s connect timeout, no idle timeout, 16 MiB limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `Authorization: Bearer <token>` with the upgrade (Bubble, OneBot).
    pub fn bearer(mut self, token: Secret) -> Self {
        self.bearer = Some(token);
        self
    }

    /// Appends `?access_token=<token>` to the URL (OneBot forward WS alternative to the
    /// header). The URL is never logged.
    pub fn access_token_query(mut self, token: Secret) -> Self {
        self.query_token = Some(token);
        self
    }

    /// Adds an extra header to the upgrade request (e.g. `X-Client`). A header added twice
    /// is sent once, its values joined by `, ` (the same header to an HTTP server).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Limit for TCP connect + TLS handshake + WebSocket upgrade together.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// If set, [`WsStream::recv`](super::WsStream::recv) fails with
    /// [`ErrorKind::IdleTimeout`](crate::ErrorKind::IdleTimeout) when nothing arrives for this
    /// long (pings count as traffic).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Largest accepted incoming message (after reassembling fragments), in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Largest accepted incoming frame payload, in bytes. The WebSocket layer enforces one
    /// limit on frames and messages alike: the smaller of this and
    /// [`max_message_size`](Self::max_message_size), so neither is ever exceeded.
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// The size of a socket read while messages keep arriving (at least 1 KiB; default
    /// [`CURRENT_THREAD_READ_BUFFER_SIZE`] on a current-thread runtime,
    /// [`DEFAULT_READ_BUFFER_SIZE`] on any other). Otherwise the socket is read into what is
    /// left of the WebSocket layer's own 8 KiB buffer; once such a read finds more waiting than
    /// fits, reads take a buffer of this size until the socket is found empty, and give it
    /// back then (decision 0039). 8 KiB or less turns that off.
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.read_buffer_size = Some(bytes.max(1024));
        self
    }

    /// The read buffer size a connection made now gets: the one set, else the default for
    /// the runtime this is called on (see [`read_buffer_size`](Self::read_buffer_size)).
    pub fn effective_read_buffer_size(&self) -> usize {
        self.read_buffer_size.unwrap_or_else(|| {
            match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
                Ok(tokio::runtime::RuntimeFlavor::CurrentThread) => CURRENT_THREAD_READ_BUFFER_SIZE,
                _ => DEFAULT_READ_BUFFER_SIZE,
            }
        })
    }

    /// How the socket's kernel receive buffer is sized (default [`ReceiveBuffer::Auto`]: fixed
    /// for a loopback server, the kernel's autotuning for any other; decision 0042).
    pub fn receive_buffer(mut self, buffer: ReceiveBuffer) -> Self {
        self.receive_buffer = buffer;
        self
    }

    /// The configured message size limit.
    pub fn max_message_size_limit(&self) -> usize {
        self.max_message_size
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may carry credentials: names only.
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("ConnectOptions")
            .field("headers", &names)
            .field("bearer", &self.bearer)
            .field("query_token", &self.query_token)
            .field("connect_timeout", &self.connect_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("max_frame_size", &self.max_frame_size)
            .field("read_buffer_size", &self.read_buffer_size)
            .field("receive_buffer", &self.receive_buffer)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_credentials_and_header_values() {
        let opts = ConnectOptions::new().bearer(Secret::new("tok-123")).header(
            HeaderName::from_static("x-client"),
            HeaderValue::from_static("value-456"),
        );
        let text = format!("{opts:?}");
        assert!(!text.contains("tok-123"), "{text}");
        assert!(!text.contains("value-456"), "{text}");
        assert!(text.contains("x-client"), "{text}");
    }
}
