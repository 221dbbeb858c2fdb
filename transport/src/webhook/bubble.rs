//! [`BubbleReceiver`]: Bubble's webhook mode. With a secret, `X-Bubble-Signature:
//! sha256=<hex>` must be HMAC-SHA256(secret, raw body) (compared in constant time by the
//! `hmac` crate), else 401; without one, deliveries are accepted and a warning is logged once.
//! Accepted bodies are queued and answered 200 at once; they are handled asynchronously. A
//! body that is not a `{type, data}` delivery gets 400 with the reason (decision 0078).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use hmac::{Hmac, Mac};
use http::StatusCode;
use sha2::Sha256;
use tokio::sync::mpsc;

use super::message::{Delivery, Outcome, Receiver, WebhookRequest, WebhookResponse};
use crate::Secret;

/// Header of the body's HMAC.
pub const SIGNATURE_HEADER: &str = "x-bubble-signature";

/// Verifies and queues Bubble webhook deliveries.
pub struct BubbleReceiver {
    secret: Option<Secret>,
    warned: AtomicBool,
    out: mpsc::Sender<Delivery>,
}

impl fmt::Debug for BubbleReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BubbleReceiver")
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

impl BubbleReceiver {
    /// A receiver checking signatures with `secret` (`None` or empty: unchecked), queueing
    /// deliveries on `out`.
    pub fn new(secret: Option<Secret>, out: mpsc::Sender<Delivery>) -> Self {
        Self {
            secret: secret.filter(|s| !s.is_empty()),
            warned: AtomicBool::new(false),
            out,
        }
    }
}

/// Whether `header` is `sha256=<hex>` of HMAC-SHA256(`secret`, `body`).
pub fn verify_signature(secret: &Secret, body: &[u8], header: &str) -> bool {
    let header = header.trim();
    let Some(hex_part) = header
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("sha256="))
        .and_then(|_| header.get(7..))
    else {
        return false;
    };
    let Ok(tag) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
        return false;
    };
    mac.update(body);
    // verify_slice compares in constant time (subtle) and refuses a tag of another length.
    mac.verify_slice(&tag).is_ok()
}

impl Receiver for BubbleReceiver {
    fn receive(&self, request: WebhookRequest) -> WebhookResponse {
        match &self.secret {
            Some(secret) => {
                let valid = request
                    .header(SIGNATURE_HEADER)
                    .is_some_and(|h| verify_signature(secret, &request.body, h));
                if !valid {
                    tracing::warn!("bubble webhook: missing or wrong X-Bubble-Signature; refused");
                    return WebhookResponse::reject(Outcome::BadSignature);
                }
            }
            None => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "bubble webhook: no webhook secret configured; deliveries are not authenticated"
                    );
                }
            }
        }
        // Read as the pump after the queue reads it: a body it refuses must not be
        // acknowledged (Bubble retries only what was not answered 200).
        if let Err(e) = botgate_codec::bubble::webhook_frame(&request.body) {
            tracing::warn!(error = %e, "bubble webhook: delivery refused");
            return WebhookResponse::malformed(&e);
        }
        let delivery = Delivery {
            body: request.body,
            received_at: request.received_at,
        };
        match self.out.try_send(delivery) {
            Ok(()) => WebhookResponse::json(StatusCode::OK, "{}", Outcome::Delivered),
            Err(e) => {
                tracing::warn!(error = %e, "bubble webhook: dispatch queue unavailable; asking for a retry");
                WebhookResponse::reject(Outcome::Overloaded)
            }
        }
    }
}
