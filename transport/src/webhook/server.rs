//! [`WebhookServer`]: hyper (HTTP/1.1) on tokio, plain or with rustls, in front of a
//! [`Receiver`]. Bodies are bounded (413), every request must arrive whole within the request
//! timeout (408), and shutdown is graceful: the listener closes, requests in flight are
//! answered, idle connections are closed.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::message::{Outcome, Receiver, WebhookRequest, WebhookResponse};
use super::stats::{Counters, WebhookStats};
use crate::Error;

/// How a [`WebhookServer`] serves.
#[derive(Clone)]
pub struct ServerConfig {
    /// Serve only this path (a trailing `/` is ignored); others get 404. Default: any path.
    pub path: Option<String>,
    /// Largest accepted body, in bytes (default 1 MiB); larger ones get 413 (after the rest
    /// is read and dropped, up to 16 MiB, so the client can read the answer).
    pub max_body: usize,
    /// Time for one request to arrive whole, headers and body (default 10 s); else 408.
    pub request_timeout: Duration,
    /// Serve TLS with this config (see [`tls_config_from_files`](super::tls_config_from_files));
    /// `None`: plain HTTP, for behind a reverse proxy that terminates TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// On shutdown, how long requests in flight may take before their connections are cut.
    pub shutdown_grace: Duration,
    /// The most connections served at once (default 1024). At the limit nothing more is
    /// accepted until one ends; new ones wait in the kernel's backlog. Each connection may
    /// hold a body of up to `max_body` for up to `request_timeout`, so without a limit slow
    /// clients could hold any amount of memory.
    pub max_connections: usize,
}

/// [`ServerConfig::max_connections`]'s default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            path: None,
            max_body: 1 << 20,
            request_timeout: Duration::from_secs(10),
            tls: None,
            shutdown_grace: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("path", &self.path)
            .field("max_body", &self.max_body)
            .field("request_timeout", &self.request_timeout)
            .field("tls", &self.tls.is_some())
            .field("shutdown_grace", &self.shutdown_grace)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

struct Ctx {
    config: ServerConfig,
    receiver: Arc<dyn Receiver>,
    counters: Arc<Counters>,
}

/// A running webhook server. Dropping it starts a graceful shutdown in the background;
/// [`shutdown`](Self::shutdown) also waits for it.
pub struct WebhookServer {
    local_addr: SocketAddr,
    tls: bool,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl fmt::Debug for WebhookServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookServer")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls)
            .field("stats", &self.stats())
            .finish()
    }
}

impl WebhookServer {
    /// Binds `addr` and serves `receiver` until shut down.
    ///
    /// # Errors
    /// [`ErrorKind::Bind`](crate::ErrorKind::Bind) when the address cannot be bound.
    pub async fn bind(
        addr: impl ToSocketAddrs + fmt::Display,
        config: ServerConfig,
        receiver: Arc<dyn Receiver>,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| Error::bind(&addr, e))?;
        let local_addr = listener.local_addr().map_err(|e| Error::bind(&addr, e))?;
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = watch::channel(false);
        let tls = config.tls.is_some();
        let ctx = Arc::new(Ctx {
            config,
            receiver,
            counters: Arc::clone(&counters),
        });
        let task = tokio::spawn(accept_loop(listener, ctx, stopped));
        tracing::info!(%local_addr, tls, "webhook server listening");
        Ok(Self {
            local_addr,
            tls,
            stop,
            task: Some(task),
            counters,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Whether the server speaks TLS itself.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// What the server did so far.
    pub fn stats(&self) -> WebhookStats {
        self.counters.snapshot()
    }

    /// Stops accepting, answers the requests in flight (within the shutdown grace), closes
    /// idle connections, and returns when every connection is gone, with what the server did
    /// in all (the requests answered during the stop included).
    pub async fn shutdown(mut self) -> WebhookStats {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.counters.snapshot()
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(listener: TcpListener, ctx: Arc<Ctx>, mut stopped: watch::Receiver<bool>) {
    let acceptor = ctx.config.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        if conns.len() >= ctx.config.max_connections.max(1) {
            // Full: accept nothing until a connection ends.
            tokio::select! {
                () = async { let _ = stopped.wait_for(|s| *s).await; } => break,
                _ = conns.join_next() => continue,
            }
        }
        let (tcp, peer) = tokio::select! {
            () = async { let _ = stopped.wait_for(|s| *s).await; } => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook accept failed");
                    // Errors like EMFILE repeat until a descriptor frees up.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let (ctx, stopped) = (Arc::clone(&ctx), stopped.clone());
        match &acceptor {
            None => {
                conns.spawn(serve_conn(tcp, ctx, stopped));
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    let handshake = acceptor.accept(tcp);
                    match tokio::time::timeout(ctx.config.request_timeout, handshake).await {
                        Ok(Ok(tls)) => serve_conn(tls, ctx, stopped).await,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "webhook TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(%peer, "webhook TLS handshake timed out"),
                    }
                });
            }
        }
    }
    drop(listener);
    let grace = ctx.config.shutdown_grace;
    let drained =
        tokio::time::timeout(grace, async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(?grace, "webhook connections cut after the shutdown grace");
        conns.abort_all();
    }
    tracing::info!("webhook server stopped");
}

async fn serve_conn<IO>(io: IO, ctx: Arc<Ctx>, mut stopped: watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let timeout = ctx.config.request_timeout;
    let service = hyper::service::service_fn(move |req| {
        let ctx = Arc::clone(&ctx);
        async move { Ok::<_, Infallible>(handle(&ctx, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        // (the guard `wait_for` returns is dropped inside: the future stays Send)
        () = async { let _ = stopped.wait_for(|s| *s).await; } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "webhook connection ended");
    }
}

async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Response<Full<Bytes>> {
    ctx.counters.begin();
    let answer = match tokio::time::timeout(ctx.config.request_timeout, read(ctx, req)).await {
        Ok(answer) => answer,
        Err(_) => WebhookResponse::reject(Outcome::TimedOut),
    };
    ctx.counters.end(answer.outcome);
    let close = matches!(answer.outcome, Outcome::TooLarge | Outcome::TimedOut);
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    let content_type = if answer.json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if close {
        // The rest of the body may still be on the wire: do not read it as the next request.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Routes, reads the body within the limit and hands the request to the receiver.
async fn read(ctx: &Ctx, req: Request<Incoming>) -> WebhookResponse {
    if let Some(path) = &ctx.config.path {
        let want = path.trim_end_matches('/');
        if req.uri().path().trim_end_matches('/') != want {
            return WebhookResponse::reject(Outcome::NotFound);
        }
    }
    if req.method() != Method::POST {
        return WebhookResponse::reject(Outcome::WrongMethod);
    }
    let max = ctx.config.max_body;
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > DRAIN_CAP) {
        return WebhookResponse::reject(Outcome::TooLarge);
    }
    let (parts, body) = req.into_parts();
    let body = match read_body(body, max).await {
        Ok(body) => body,
        Err(outcome) => return WebhookResponse::reject(outcome),
    };
    ctx.receiver.receive(WebhookRequest {
        headers: parts.headers,
        body,
        received_at: SystemTime::now(),
    })
}

/// How much of an oversized body is read and dropped before the 413: a client still writing
/// its body when the connection closes sees a reset, not the answer. Past this (or the request
/// timeout) the connection is simply closed.
const DRAIN_CAP: u64 = 16 << 20;

/// The body, at most `max` bytes; `TooLarge` for more (after draining up to [`DRAIN_CAP`]).
async fn read_body(mut body: Incoming, max: usize) -> Result<Bytes, Outcome> {
    let mut buf = BytesMut::new();
    let mut seen: u64 = 0;
    let mut too_large = false;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            tracing::debug!(error = %e, "webhook body not read whole");
            Outcome::Malformed
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len() as u64;
        if seen > max as u64 {
            too_large = true;
            buf = BytesMut::new();
        }
        if too_large {
            if seen > DRAIN_CAP {
                break;
            }
            continue;
        }
        buf.extend_from_slice(&data);
    }
    if too_large {
        Err(Outcome::TooLarge)
    } else {
        Ok(buf.freeze())
    }
}
