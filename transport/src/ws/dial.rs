//! The socket under a WebSocket client: TCP (no Nagle), then rustls with the webpki roots for
//! `wss://`. Ours rather than tokio-websockets' connector so the crypto provider is the
//! workspace's (`ring`) and the peer address is known.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

use super::tcp::{self, ReceiveBuffer};
use tokio_rustls::TlsConnector;
use tokio_websockets::MaybeTlsStream;
use url::{Host, Url};

use crate::{Error, ErrorKind};

/// The open socket and the peer's address.
pub(crate) type Dialed = (MaybeTlsStream<TcpStream>, Option<SocketAddr>);

/// Connects to `url`'s host and port, with TLS when `tls` and the kernel receive buffer
/// `buffer` gives the peer.
pub(crate) async fn dial(url: &Url, tls: bool, buffer: ReceiveBuffer) -> Result<Dialed, Error> {
    let port = url
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    let (tcp, name) = match url.host() {
        Some(Host::Domain(domain)) => {
            let name = ServerName::try_from(domain.to_owned()).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidUrl {
                        reason: "host is not a valid DNS name".into(),
                    },
                    e,
                )
            })?;
            (tcp::connect((domain, port), buffer).await, name)
        }
        Some(Host::Ipv4(ip)) => (tcp::connect((ip, port), buffer).await, ServerName::from(ip)),
        Some(Host::Ipv6(ip)) => (tcp::connect((ip, port), buffer).await, ServerName::from(ip)),
        None => {
            return Err(Error::new(ErrorKind::InvalidUrl {
                reason: "no host".into(),
            }))
        }
    };
    let tcp = tcp.map_err(|e| Error::with_source(ErrorKind::Connect, e))?;
    // Small frames (heartbeats, replies) must not wait for an ACK.
    let _ = tcp.set_nodelay(true);
    let peer = tcp.peer_addr().ok();
    if !tls {
        return Ok((MaybeTlsStream::Plain(tcp), peer));
    }
    let connector = TlsConnector::from(client_config()?);
    let stream = connector
        .connect(name, tcp)
        .await
        .map_err(|e| Error::with_source(ErrorKind::Connect, e))?;
    Ok((MaybeTlsStream::Rustls(stream), peer))
}

/// The one rustls client config of `wss://` connections, built on first use.
fn client_config() -> Result<Arc<rustls::ClientConfig>, Error> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::with_source(ErrorKind::Connect, e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}
