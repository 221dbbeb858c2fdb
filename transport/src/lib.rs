//! Sockets and HTTP: the WebSocket client (plain and rustls), the OneBot reverse-WS listener
//! and the HTTP client for QQ token fetch, gateway discovery and REST sends.
//!
//! - [`ws::connect`] opens a client connection with [`ws::ConnectOptions`] (headers, bearer
//!   token, connect / idle timeouts, size limits) and returns a [`ws::WsStream`].
//! - [`ws::Listener`] is the reverse-WS server OneBot implementations connect to.
//! - [`http::HttpClient`] fetches QQ access tokens and discovers gateways.
//! - [`Secret`] keeps tokens out of `Debug` output; [`Error`] is the one error type.

#![deny(missing_docs)]

pub mod error;
pub mod http;
mod secret;
mod tls;
pub mod ws;

pub use error::{Error, ErrorKind};
pub use secret::Secret;
pub use tls::install_default_crypto_provider;
