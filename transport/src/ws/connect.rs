//! [`connect`]: open a WebSocket client connection (`ws://` or `wss://` with rustls).

use http::header::AUTHORIZATION;
use http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};
use url::Url;

use super::{ConnectOptions, WsStream};
use crate::{Error, ErrorKind};

/// Opens a WebSocket connection to `url` (`ws://` or `wss://`).
///
/// The whole of TCP connect, TLS handshake and upgrade is bounded by the connect timeout. An
/// upgrade answered with another status than 101 fails with
/// [`ErrorKind::UpgradeRejected`] carrying the status, so a wrong token (401 / 403) can be told
/// apart from a network failure ([`Error::is_auth_failure`]).
///
/// ```no_run
/// # async fn run() -> Result<(), botgate_transport::Error> {
/// use botgate_transport::{ws, Secret};
/// let options = ws::ConnectOptions::new().bearer(Secret::new("token"));
/// let mut stream = ws::connect("wss://bubble.alemonjs.com/api/bot/gateway", &options).await?;
/// while let Some(message) = stream.recv().await? {
///     println!("{message:?}");
/// }
/// # Ok(()) }
/// ```
pub async fn connect(url: impl AsRef<str>, options: &ConnectOptions) -> Result<WsStream, Error> {
    let mut url = Url::parse(url.as_ref()).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidUrl {
                reason: e.to_string(),
            },
            e,
        )
    })?;
    let tls = match url.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return Err(Error::new(ErrorKind::InvalidUrl {
                reason: format!("scheme `{other}` is not ws or wss"),
            }))
        }
    };
    if let Some(token) = &options.query_token {
        url.query_pairs_mut()
            .append_pair("access_token", token.expose());
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let mut request = url.as_str().into_client_request().map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidUrl {
                reason: "not a websocket request".into(),
            },
            e,
        )
    })?;
    for (name, value) in &options.headers {
        request.headers_mut().append(name.clone(), value.clone());
    }
    if let Some(token) = &options.bearer {
        let mut value =
            HeaderValue::try_from(format!("Bearer {}", token.expose())).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidUrl {
                        reason: "token is not a valid header value".into(),
                    },
                    e,
                )
            })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    if tls {
        crate::tls::install_default_crypto_provider();
    }
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(options.max_message_size))
        .max_frame_size(Some(options.max_frame_size))
        .read_buffer_size(options.read_buffer_size);
    tracing::debug!(%host, tls, "websocket connect");
    let attempt =
        tokio_tungstenite::connect_async_tls_with_config(request, Some(config), true, None);
    let (inner, response) = match tokio::time::timeout(options.connect_timeout, attempt).await {
        Err(_) => {
            return Err(Error::new(ErrorKind::ConnectTimeout {
                after: options.connect_timeout,
            }))
        }
        Ok(Err(e)) => return Err(connect_error(e)),
        Ok(Ok(pair)) => pair,
    };
    let peer_addr = match inner.get_ref() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.peer_addr().ok(),
        tokio_tungstenite::MaybeTlsStream::Rustls(tls) => tls.get_ref().0.peer_addr().ok(),
        _ => None,
    };
    tracing::debug!(%host, status = response.status().as_u16(), "websocket connected");
    Ok(WsStream::new(
        inner,
        options.idle_timeout,
        options.max_message_size,
        peer_addr,
    ))
}

fn connect_error(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Http(response) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(256)]).into_owned())
                .unwrap_or_default();
            Error::with_source(
                ErrorKind::UpgradeRejected { status },
                crate::error::Detail(body),
            )
        }
        tungstenite::Error::Url(url) => Error::with_source(
            ErrorKind::InvalidUrl {
                reason: url.to_string(),
            },
            url,
        ),
        other => Error::with_source(ErrorKind::Connect, other),
    }
}
