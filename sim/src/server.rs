//! The HTTP + WebSocket server every sim runs on: one hyper accept loop per sim, plain HTTP
//! routes and WebSocket upgrades on the same port, and the task set that dies with the sim.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use crate::error::{Error, ErrorKind};

/// The WebSocket stream of an upgraded server connection.
pub(crate) type ServerWs = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;
/// An HTTP answer.
pub(crate) type HttpResponse = Response<Full<Bytes>>;
/// What a sim's router returns.
pub(crate) type BoxResponse = Pin<Box<dyn Future<Output = HttpResponse> + Send>>;

/// Tasks owned by a sim: aborted together when the sim is dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tasks(Arc<Mutex<JoinSet<()>>>);

impl Tasks {
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Reap finished tasks so the set does not grow with every connection.
        while set.try_join_next().is_some() {}
        set.spawn(task);
    }

    pub(crate) fn abort_all(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).abort_all();
    }
}

/// Binds `host:port` and serves `router` on every connection (HTTP/1.1 with upgrades).
pub(crate) async fn serve<R>(
    host: std::net::IpAddr,
    port: u16,
    tasks: &Tasks,
    router: R,
) -> Result<SocketAddr, Error>
where
    R: Fn(Request<Incoming>) -> BoxResponse + Send + Sync + 'static,
{
    let addr = SocketAddr::new(host, port);
    let bind_error = |e: std::io::Error| {
        Error::new(
            ErrorKind::Bind {
                addr: addr.to_string(),
            },
            Some(Box::new(e)),
        )
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    let router = Arc::new(router);
    let conn_tasks = tasks.clone();
    tasks.spawn(async move {
        loop {
            let (tcp, _) = match listener.accept().await {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "sim accept failed");
                    // Back off briefly: errors like EMFILE repeat until a descriptor frees up.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let router = router.clone();
            conn_tasks.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let fut = router(req);
                    async move { Ok::<_, Infallible>(fut.await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .with_upgrades();
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "sim http connection ended");
                }
            });
        }
    });
    Ok(local)
}

/// True when `req` asks for a WebSocket upgrade.
pub(crate) fn is_upgrade(req: &Request<Incoming>) -> bool {
    req.headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Answers the upgrade with 101 and spawns `run` on the WebSocket once hyper hands over the
/// socket. Returns 400 when the request lacks `Sec-WebSocket-Key`.
pub(crate) fn accept_upgrade<F, Fut>(
    mut req: Request<Incoming>,
    tasks: &Tasks,
    max_message_size: usize,
    run: F,
) -> HttpResponse
where
    F: FnOnce(ServerWs) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(key) = req.headers().get("sec-websocket-key").cloned() else {
        return text(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key");
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tasks.spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                    .max_message_size(Some(max_message_size))
                    .max_frame_size(Some(max_message_size));
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                run(ws).await;
            }
            Err(e) => tracing::debug!(error = %e, "sim upgrade failed"),
        }
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: &Value) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A plain-text answer.
pub(crate) fn text(status: StatusCode, body: &'static str) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
}

/// Reads a request body (at most 1 MiB) as JSON; `None` for an empty or invalid body.
pub(crate) async fn json_body(req: Request<Incoming>) -> Option<Value> {
    let bytes = Limited::new(req.into_body(), 1 << 20)
        .collect()
        .await
        .ok()?
        .to_bytes();
    serde_json::from_slice(&bytes).ok()
}

/// `Authorization` header value of `req`.
pub(crate) fn authorization(req: &Request<Incoming>) -> Option<String> {
    req.headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Parses a text frame for the log: JSON, or the raw text as a JSON string.
pub(crate) fn parse_frame(text: &str) -> (Value, bool) {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => (v, true),
        Err(_) => (Value::String(text.to_owned()), false),
    }
}

/// A plain HTTP request as the sims record and route it.
#[derive(Debug)]
pub(crate) struct RestRequest {
    pub(crate) method: hyper::Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Lower-case names, in arrival order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) authorization: Option<String>,
    pub(crate) body: Option<Value>,
    pub(crate) at: std::time::Instant,
}

impl RestRequest {
    /// Reads `req` whole (body at most 1 MiB, parsed as JSON).
    pub(crate) async fn read(req: Request<Incoming>) -> Self {
        let at = std::time::Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let query = req.uri().query().map(str::to_owned);
        let authorization = authorization(&req);
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = json_body(req).await;
        Self {
            method,
            path,
            query,
            headers,
            authorization,
            body,
            at,
        }
    }

    /// The record of this request answered with `status`. Secrets in the body
    /// (`clientSecret`) are replaced by `"***"`; the `Authorization` header is kept, as it only
    /// ever carries credentials the sim itself issued or was configured with.
    pub(crate) fn record(&self, status: u16) -> crate::log::Record {
        let mut body = self.body.clone();
        if let Some(Value::Object(map)) = body.as_mut() {
            if let Some(secret) = map.get_mut("clientSecret") {
                *secret = Value::String("***".into());
            }
        }
        crate::log::Record::Http {
            method: self.method.to_string(),
            path: self.path.clone(),
            status,
            body,
            query: self.query.clone(),
            headers: self.headers.clone(),
            at: self.at,
        }
    }
}

/// A JSON answer with extra headers (invalid names or values are skipped).
pub(crate) fn json_with(
    status: StatusCode,
    body: &Value,
    headers: &[(&str, String)],
) -> HttpResponse {
    let mut response = json(status, body);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// An empty answer (204) with extra headers.
pub(crate) fn empty_with(status: StatusCode, headers: &[(&str, String)]) -> HttpResponse {
    let mut response = json_with(status, &Value::Null, headers);
    *response.body_mut() = Full::new(Bytes::new());
    response.headers_mut().remove(CONTENT_TYPE);
    response
}
