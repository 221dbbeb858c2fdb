//! [`connect`]: open a WebSocket client connection (`ws://` or `wss://` with rustls): our socket
//! ([`dial`](super::dial)), tokio-websockets' upgrade on it, which keeps any frame that came in
//! the same read as the 101 answer.

use http::header::AUTHORIZATION;
use http::{HeaderName, HeaderValue};
use tokio_websockets::upgrade::Error as UpgradeError;
use tokio_websockets::{ClientBuilder, Limits};
use url::Url;

use super::budgeted::{Budgeted, Refused};
use super::burst::BurstReader;
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
    let tls = uses_tls(&url)?;
    if let Some(token) = &options.query_token {
        url.query_pairs_mut()
            .append_pair("access_token", token.expose());
    }
    let uri: http::Uri = url.as_str().parse().map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidUrl {
                reason: "not a websocket request".into(),
            },
            e,
        )
    })?;
    let mut builder = ClientBuilder::from_uri(uri).limits(Limits::default().max_payload_len(Some(
        payload_limit(options.max_message_size, options.max_frame_size),
    )));
    for (name, value) in upgrade_headers(options)? {
        builder = builder.add_header(name.clone(), value).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidConfig {
                    reason: format!("header `{name}` is the websocket client's own"),
                },
                e,
            )
        })?;
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    tracing::debug!(%host, tls, "websocket connect");
    let attempt = async {
        let (socket, peer_addr) = super::dial::dial(&url, tls, options.receive_buffer).await?;
        let reader = BurstReader::new(
            Budgeted::limited(socket, MAX_UPGRADE_ANSWER),
            options.effective_read_buffer_size(),
        );
        let (mut inner, response) = builder.connect_on(reader).await.map_err(connect_error)?;
        inner.get_mut().get_mut().lift();
        Ok::<_, Error>((inner, response, peer_addr))
    };
    let (inner, response, peer_addr) =
        match tokio::time::timeout(options.connect_timeout, attempt).await {
            Err(_) => {
                return Err(Error::new(ErrorKind::ConnectTimeout {
                    after: options.connect_timeout,
                }))
            }
            Ok(result) => result?,
        };
    tracing::debug!(%host, status = response.status().as_u16(), "websocket connected");
    Ok(WsStream::new(
        inner,
        options.idle_timeout,
        options.max_message_size,
        peer_addr,
    ))
}

/// Whether a WebSocket URL needs TLS (`wss`) or not (`ws`); another scheme is
/// [`ErrorKind::InvalidUrl`]. The one rule for what a gateway URL may be: the facade checks it
/// at start, `connect` at each attempt.
pub fn uses_tls(url: &Url) -> Result<bool, Error> {
    match url.scheme() {
        "ws" => Ok(false),
        "wss" => Ok(true),
        other => Err(Error::new(ErrorKind::InvalidUrl {
            reason: format!("scheme `{other}` is not ws or wss"),
        })),
    }
}

/// The most the server's HTTP answer to the upgrade may hold (its headers; frames read in the
/// same reads count too, so it is generous). The listener's side has its own bound.
const MAX_UPGRADE_ANSWER: usize = 64 << 10;

/// The one limit tokio-websockets enforces, on every frame and on every reassembled message:
/// the smaller of the two options, so neither is ever exceeded.
pub(crate) fn payload_limit(max_message_size: usize, max_frame_size: usize) -> usize {
    max_message_size.min(max_frame_size)
}

/// The extra headers of the upgrade request, one value per name: tokio-websockets sends one
/// line per name, so a header added twice goes out once with its values joined by `, ` (the
/// list form of RFC 9110 §5.3). The bearer token replaces any `Authorization` given.
fn upgrade_headers(options: &ConnectOptions) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
    let mut headers = Vec::with_capacity(options.headers.keys_len() + 1);
    for name in options.headers.keys() {
        if options.bearer.is_some() && name == AUTHORIZATION {
            continue;
        }
        let mut values = options.headers.get_all(name).iter();
        let Some(first) = values.next() else { continue };
        let mut value = first.clone();
        for more in values {
            let mut joined = value.as_bytes().to_vec();
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(more.as_bytes());
            let sensitive = value.is_sensitive() || more.is_sensitive();
            value = HeaderValue::from_bytes(&joined).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidConfig {
                        reason: format!("header `{name}` cannot be joined"),
                    },
                    e,
                )
            })?;
            value.set_sensitive(sensitive);
        }
        headers.push((name.clone(), value));
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
        headers.push((AUTHORIZATION, value));
    }
    Ok(headers)
}

fn connect_error(e: tokio_websockets::Error) -> Error {
    match e {
        tokio_websockets::Error::Upgrade(UpgradeError::DidNotSwitchProtocols(status)) => {
            Error::with_source(ErrorKind::UpgradeRejected { status }, e)
        }
        tokio_websockets::Error::Io(io) => {
            // A refusal `Budgeted` read before tokio-websockets could.
            match io.get_ref().and_then(|e| e.downcast_ref::<Refused>()) {
                Some(&Refused(status)) => {
                    Error::with_source(ErrorKind::UpgradeRejected { status }, io)
                }
                None => Error::with_source(ErrorKind::Connect, io),
            }
        }
        other => Error::with_source(ErrorKind::Connect, other),
    }
}
