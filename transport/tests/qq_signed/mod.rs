//! A QQ webhook request signed now, as QQ signs a delivery, and a receiver that checks it:
//! the test files' one copy.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use botgate_transport::webhook::{Delivery, QqKey, QqReceiver, QqReceiverConfig, WebhookRequest};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::mpsc;

/// The sim's client secret, from which the signing key is derived.
pub const SECRET: &str = "sim-client-secret";

/// `body` signed by `key` with the timestamp of now.
pub fn signed_by(key: &QqKey, body: &str) -> WebhookRequest {
    let now = SystemTime::now();
    let ts = now
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    // `sign_validation` signs `event_ts + plain_token`: the bytes of `timestamp + body`.
    let sig = key.sign_validation(&ts, body);
    let mut headers = HeaderMap::new();
    for (k, v) in [
        ("x-signature-ed25519", sig.as_str()),
        ("x-signature-timestamp", &ts),
    ] {
        headers.insert(
            HeaderName::from_static(k),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    WebhookRequest {
        headers,
        body: body.to_owned().into(),
        received_at: now,
    }
}

/// `body` signed with [`SECRET`]'s key.
pub fn signed(body: &str) -> WebhookRequest {
    signed_by(&QqKey::from_secret(SECRET).unwrap(), body)
}

/// A receiver of [`SECRET`]'s deliveries (any app id, a 300 s window) and its queue, which
/// holds `capacity` deliveries.
pub fn receiver(capacity: usize) -> (QqReceiver, mpsc::Receiver<Delivery>) {
    let (tx, rx) = mpsc::channel(capacity);
    let config = QqReceiverConfig {
        app_id: None,
        timestamp_window: Duration::from_secs(300),
    };
    (
        QqReceiver::new(QqKey::from_secret(SECRET).unwrap(), config, tx),
        rx,
    )
}
