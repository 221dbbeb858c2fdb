//! [`Listener`]: the reverse-WebSocket server a OneBot implementation (Waylay, go-cqhttp, ...)
//! connects to. Checks the access token before the upgrade (401 missing, 403 wrong), takes
//! `X-Self-ID` / `X-Client-Role` when present (Waylay sends neither), serves many bots at once.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use http::StatusCode;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_websockets::{Limits, MaybeTlsStream, ServerBuilder};

use super::auth::Auth;
use super::budgeted::Budgeted;
use super::burst::BurstReader;
use super::tcp::{self, ReceiveBuffer};
use super::upgrade::{self, Refused};
use super::{WsStream, DEFAULT_LISTENER_READ_BUFFER_SIZE, DEFAULT_MAX_MESSAGE_SIZE};
use crate::{Error, ErrorKind, Secret};

/// How the [`Listener`] accepts connections.
#[derive(Clone)]
pub struct ListenerConfig {
    /// If set, each connection must present this token (`Authorization: Bearer` / `Token`, or
    /// `?access_token=`); before the upgrade, a connection without one gets HTTP 401, one with
    /// a wrong one 403. An empty token means no check, as `None` (OneBot's `access_token`
    /// left empty means none; a forward client sends none then).
    pub access_token: Option<Secret>,
    /// If set, only this path is served (a trailing `/` is ignored); others get 404.
    pub path: Option<String>,
    /// Limit for reading the upgrade request.
    pub handshake_timeout: Duration,
    /// Largest accepted incoming message and frame, in bytes.
    pub max_message_size: usize,
    /// Idle timeout given to every accepted [`WsStream`].
    pub idle_timeout: Option<Duration>,
    /// The size of a read while messages keep arriving, held only then (default
    /// [`DEFAULT_LISTENER_READ_BUFFER_SIZE`](super::DEFAULT_LISTENER_READ_BUFFER_SIZE); see
    /// [`ConnectOptions::read_buffer_size`](super::ConnectOptions::read_buffer_size)).
    pub read_buffer_size: usize,
    /// How accepted connections' kernel receive buffer is sized (default
    /// [`ReceiveBuffer::Auto`]: fixed when the listener is bound to loopback, so that every
    /// peer is local; the kernel's autotuning otherwise; decision 0042).
    pub receive_buffer: ReceiveBuffer,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        Self {
            access_token: None,
            path: None,
            handshake_timeout: Duration::from_secs(10),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            idle_timeout: None,
            read_buffer_size: DEFAULT_LISTENER_READ_BUFFER_SIZE,
            receive_buffer: ReceiveBuffer::Auto,
        }
    }
}

impl fmt::Debug for ListenerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerConfig")
            .field("access_token", &self.access_token)
            .field("path", &self.path)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("idle_timeout", &self.idle_timeout)
            .field("read_buffer_size", &self.read_buffer_size)
            .field("receive_buffer", &self.receive_buffer)
            .finish()
    }
}

/// Who connected to the [`Listener`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// `X-Self-ID` (the bot's QQ number) if sent and numeric; learn it from the lifecycle
    /// event otherwise.
    pub self_id: Option<i64>,
    /// `X-Client-Role` (`Universal` / `Event` / `API`) if sent; absent means Universal.
    pub role: Option<String>,
    /// The peer's socket address.
    pub addr: SocketAddr,
    /// The request path of the upgrade.
    pub path: String,
}

/// A reverse-WS server. Handshakes run concurrently in the background;
/// [`accept`](Listener::accept) hands out finished connections. Dropping the listener stops
/// accepting (connections already handed out live on).
///
/// ```no_run
/// # async fn run() -> Result<(), botgate_transport::Error> {
/// use botgate_transport::ws::{Listener, ListenerConfig};
/// use botgate_transport::Secret;
/// let config = ListenerConfig {
///     access_token: Some(Secret::new("token")),
///     path: Some("/onebot/v11".into()),
///     ..Default::default()
/// };
/// let mut listener = Listener::bind("0.0.0.0:2536", config).await?;
/// loop {
///     let (stream, peer) = listener.accept().await?;
///     // peer.self_id is None for Waylay: learn it from the lifecycle event.
///     tokio::spawn(async move { drop((stream, peer)) });
/// }
/// # }
/// ```
pub struct Listener {
    local_addr: SocketAddr,
    accepted: mpsc::Receiver<(WsStream, PeerInfo)>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Binds `addr` (use port 0 for any free port) and starts accepting.
    pub async fn bind(
        addr: impl ToSocketAddrs + std::fmt::Debug,
        config: ListenerConfig,
    ) -> Result<Self, Error> {
        // The address as given, for the error ("127.0.0.1:8080", not "listener address").
        let shown = format!("{addr:?}");
        let shown = shown.trim_matches('"').to_owned();
        let socket = tcp::bind(addr, config.receive_buffer)
            .await
            .map_err(|e| Error::bind(&shown, e))?;
        let local_addr = socket.local_addr().map_err(|e| Error::bind(&shown, e))?;
        let (tx, accepted) = mpsc::channel(64);
        let task = tokio::spawn(accept_loop(socket, config, tx));
        tracing::debug!(%local_addr, "reverse-ws listener bound");
        Ok(Self {
            local_addr,
            accepted,
            task,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next authenticated connection.
    ///
    /// Cancel safety: cancel safe; a connection not yet returned stays queued.
    pub async fn accept(&mut self) -> Result<(WsStream, PeerInfo), Error> {
        self.accepted
            .recv()
            .await
            .ok_or_else(|| Error::new(ErrorKind::ListenerClosed))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(
    socket: TcpListener,
    config: ListenerConfig,
    tx: mpsc::Sender<(WsStream, PeerInfo)>,
) {
    loop {
        let (tcp, addr) = match socket.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                // Per-connection errors (e.g. ECONNABORTED, EMFILE) must not end the listener.
                tracing::warn!(error = %e, "reverse-ws accept failed");
                // Back off briefly: errors like EMFILE repeat until a descriptor frees up.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let config = config.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let handshake = handshake(tcp, addr, &config);
            match tokio::time::timeout(config.handshake_timeout, handshake).await {
                Ok(Some(pair)) => {
                    let _ = tx.send(pair).await;
                }
                Ok(None) => {}
                Err(_) => tracing::debug!(%addr, "reverse-ws handshake timed out"),
            }
        });
    }
}

async fn handshake(
    mut tcp: TcpStream,
    addr: SocketAddr,
    config: &ListenerConfig,
) -> Option<(WsStream, PeerInfo)> {
    let _ = tcp.set_nodelay(true);
    let request = match upgrade::read_request(&mut tcp).await {
        Ok(request) => request,
        Err(Refused::Status(status, why)) => {
            tracing::debug!(%addr, %status, why, "reverse-ws upgrade refused");
            let _ = upgrade::refuse(&mut tcp, status).await;
            return None;
        }
        Err(e @ Refused::Io(_)) => {
            tracing::debug!(%addr, error = %e, "reverse-ws handshake failed");
            return None;
        }
    };
    if let Err(status) = check(&request, addr, config) {
        let _ = upgrade::refuse(&mut tcp, status).await;
        return None;
    }
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    };
    let info = PeerInfo {
        self_id: header("x-self-id").and_then(|v| v.parse::<i64>().ok()),
        role: header("x-client-role").filter(|r| !r.is_empty()),
        addr,
        path: request.path.clone(),
    };
    if let Err(e) = upgrade::accept(&mut tcp, &request).await {
        tracing::debug!(%addr, error = %e, "reverse-ws handshake failed");
        return None;
    }
    let limit = config.max_message_size;
    let inner = ServerBuilder::new()
        .limits(Limits::default().max_payload_len(Some(limit)))
        .serve(BurstReader::new(
            Budgeted::unlimited(MaybeTlsStream::Plain(tcp)),
            config.read_buffer_size,
        ));
    tracing::debug!(%addr, self_id = ?info.self_id, role = ?info.role, "reverse-ws accepted");
    let stream = WsStream::new(inner, config.idle_timeout, limit, Some(addr));
    Some((stream, info))
}

/// The path and the access token of `request`: the status to refuse it with, if any.
fn check(
    request: &upgrade::Request,
    addr: SocketAddr,
    config: &ListenerConfig,
) -> Result<(), StatusCode> {
    if let Some(want) = &config.path {
        if request.path.trim_end_matches('/') != want.trim_end_matches('/') {
            return Err(StatusCode::NOT_FOUND);
        }
    }
    if let Some(token) = config.access_token.as_ref().filter(|t| !t.is_empty()) {
        match super::auth::check(token, &request.headers, request.query.as_deref()) {
            Auth::Ok => {}
            Auth::Missing => {
                tracing::warn!(%addr, "reverse-ws connection rejected: no access token");
                return Err(StatusCode::UNAUTHORIZED);
            }
            Auth::Wrong => {
                tracing::warn!(%addr, "reverse-ws connection rejected: wrong access token");
                return Err(StatusCode::FORBIDDEN);
            }
        }
    }
    Ok(())
}
