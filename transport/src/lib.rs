//! Sockets and HTTP: the WebSocket client (plain and rustls), the OneBot reverse-WS listener
//! and the HTTP client for QQ token fetch, gateway discovery and REST sends.
//!
//! - [`ws::connect`] opens a client connection with [`ws::ConnectOptions`] (headers, bearer
//!   token, connect / idle timeouts, size limits) and returns a [`ws::WsStream`].
//! - [`ws::Listener`] is the reverse-WS server OneBot implementations connect to.
//! - [`http::HttpClient`] fetches QQ access tokens and discovers gateways.
//! - [`qq::OpenApi`] is the QQ OpenAPI client (sends, uploads, recalls) with its
//!   [`qq::TokenSource`]; [`bubble::Rest`] is the Bubble REST client with its shared
//!   request budget. Both retry 429 and 503 always, other 5xx only when a repeat is harmless
//!   (GET, DELETE, a QQ group / C2C reply with its `msg_seq`; decision 0056), per
//!   [`RetryPolicy`], and report refusals as [`ApiError`]. A Bubble 429 that names no
//!   `retryAfter` / `Retry-After` waits until its `X-RateLimit-Reset` (decision 0076).
//! - [`webhook::WebhookServer`] receives QQ / Bubble webhook deliveries, verified by
//!   [`webhook::QqReceiver`] (Ed25519) and [`webhook::BubbleReceiver`] (HMAC-SHA256).
//! - [`Secret`] keeps tokens out of `Debug` output; [`Error`] is the one error type.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use botgate_transport::ws::{self, ConnectOptions, Message};
//!
//! // An in-process OneBot simulator (a dev-dependency) stands in for a real server here.
//! let sim = botgate_sim::OneBotSim::start_default().await?;
//! let mut stream = ws::connect(sim.url(), &ConnectOptions::new()).await?;
//! // A OneBot implementation opens with its lifecycle meta event.
//! let Some(Message::Text(first)) = stream.recv().await? else { panic!("expected text") };
//! assert!(std::str::from_utf8(&first)?.contains(r#""meta_event_type":"lifecycle""#));
//! stream.close(1000, "bye").await?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod api_error;
pub mod bubble;
pub mod error;
pub mod http;
pub mod qq;
mod retry;
mod secret;
mod tls;
pub mod webhook;
pub mod ws;

pub use error::{ApiError, Error, ErrorKind};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use tls::install_default_crypto_provider;
