//! Webhook receivers: the platform POSTs each event to the bot over HTTP(S).
//!
//! - [`WebhookServer`]: hyper (HTTP/1.1) on tokio, plain HTTP (behind a reverse proxy that
//!   terminates TLS, the common deployment) or direct TLS with rustls; bounded bodies (413),
//!   a request timeout (408), graceful shutdown, [`WebhookStats`] per outcome.
//! - [`QqReceiver`]: QQ's callback mode: op 13 validation answered with the [`QqKey`]
//!   signature; every delivery verified (Ed25519 over `X-Signature-Timestamp` + raw body,
//!   timestamp within a window), else 401; dispatches answered with op 12.
//! - [`BubbleReceiver`]: Bubble's webhook: `X-Bubble-Signature: sha256=<hex>` HMAC-SHA256 over
//!   the raw body, constant-time compare, else 401; 200 at once.
//!
//! Verified bodies go, unchanged, into a bounded channel of [`Delivery`]s; a full channel is
//! answered 503 so the platform retries later. Decoding, dedupe of retries and handlers are the
//! layers above (the facade joins them: `Bot::qq_webhook`, `Bot::bubble_webhook`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use botgate_transport::webhook::{BubbleReceiver, ServerConfig, WebhookServer};
//! use botgate_transport::Secret;
//!
//! let (tx, mut deliveries) = tokio::sync::mpsc::channel(64);
//! let receiver = Arc::new(BubbleReceiver::new(Some(Secret::new("whsec")), tx));
//! let server = WebhookServer::bind("127.0.0.1:0", ServerConfig::default(), receiver).await?;
//! println!("POST events to http://{}/", server.local_addr());
//! server.shutdown().await;
//! assert!(deliveries.recv().await.is_none(), "closed once the server is gone");
//! # Ok(()) }
//! ```

mod bubble;
mod message;
mod qq;
mod qq_key;
mod qq_op;
mod replay;
mod server;
mod stats;
mod tls;

pub use bubble::{verify_signature as verify_bubble_signature, BubbleReceiver};
pub use message::{Delivery, Outcome, Receiver, WebhookRequest, WebhookResponse};
pub use qq::{QqReceiver, QqReceiverConfig, ACK as QQ_ACK};
pub use qq_key::QqKey;
pub use server::{ServerConfig, WebhookServer, DEFAULT_MAX_CONNECTIONS};
pub use stats::WebhookStats;
pub use tls::{tls_config_from_files, tls_config_from_pem};

/// Header names the receivers read.
pub mod headers {
    pub use super::bubble::SIGNATURE_HEADER as BUBBLE_SIGNATURE;
    pub use super::qq::{
        APP_ID_HEADER as QQ_APP_ID, SIGNATURE_HEADER as QQ_SIGNATURE,
        TIMESTAMP_HEADER as QQ_TIMESTAMP,
    };
}
