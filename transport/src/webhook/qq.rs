//! [`QqReceiver`]: QQ's HTTP callback mode. Validation (op 13) is answered with the key's
//! signature; every other request must carry a valid `X-Signature-Ed25519` over
//! `X-Signature-Timestamp` + the raw body, with a timestamp inside the window, or it gets 401
//! and goes no further. Verified dispatches (op 0) are queued and answered with op 12; a
//! signed body whose `op` is not an unsigned integer, or a dispatch whose envelope the frame
//! scan refuses (`s`, `t`, `id`, a repeated key, a `d` that is not JSON), gets 400 with the
//! reason.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc;

use super::message::{Delivery, Outcome, Receiver, WebhookRequest, WebhookResponse};
use super::qq_key::QqKey;
use super::qq_op::read_op;
use super::replay::{SeenSignatures, DEFAULT_CAPACITY};

/// Header of the hex Ed25519 signature.
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
/// Header of the signed timestamp (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
/// Header naming the bot a delivery is for.
pub const APP_ID_HEADER: &str = "x-bot-appid";
/// The body of every answer to a dispatch: op 12, HTTP Callback ACK.
pub const ACK: &str = r#"{"op":12}"#;

/// Settings of a [`QqReceiver`].
#[derive(Debug, Clone)]
pub struct QqReceiverConfig {
    /// The bot's app id: a delivery whose `X-Bot-Appid` names another bot is refused.
    pub app_id: Option<String>,
    /// How far `X-Signature-Timestamp` may be from the receiver's clock, either way.
    pub timestamp_window: Duration,
}

impl Default for QqReceiverConfig {
    fn default() -> Self {
        Self {
            app_id: None,
            timestamp_window: Duration::from_secs(300),
        }
    }
}

/// Verifies and answers QQ webhook requests; verified dispatches go to `out`.
pub struct QqReceiver {
    key: QqKey,
    config: QqReceiverConfig,
    out: mpsc::Sender<Delivery>,
    /// Deliveries taken within the window: one sent again is acknowledged, not delivered.
    seen: SeenSignatures,
}

impl fmt::Debug for QqReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QqReceiver")
            .field("key", &self.key)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Validation {
    d: ValidationData,
}

#[derive(Deserialize)]
struct ValidationData {
    plain_token: String,
    event_ts: Value,
}

impl QqReceiver {
    /// A receiver verifying with `key`, queueing verified dispatches on `out`.
    pub fn new(key: QqKey, config: QqReceiverConfig, out: mpsc::Sender<Delivery>) -> Self {
        Self {
            key,
            config,
            out,
            seen: SeenSignatures::new(DEFAULT_CAPACITY),
        }
    }

    /// The signature of a verified delivery, now and until when it is remembered (Unix
    /// seconds): its timestamp plus the window.
    fn signature_times<'r>(&self, request: &'r WebhookRequest) -> Option<(&'r str, u64, u64)> {
        let signature = request.header(SIGNATURE_HEADER)?;
        let now = request
            .received_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let stamped = request
            .header(TIMESTAMP_HEADER)
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(now);
        let until = stamped.saturating_add(self.config.timestamp_window.as_secs());
        Some((signature, now, until))
    }

    /// Checks the signature headers. `Ok(true)`: signed and valid; `Ok(false)`: unsigned.
    fn check_signature(&self, request: &WebhookRequest) -> Result<bool, Outcome> {
        let signature = request.header(SIGNATURE_HEADER);
        let timestamp = request.header(TIMESTAMP_HEADER);
        match (signature, timestamp) {
            (None, None) => Ok(false),
            (None, Some(_)) => Err(Outcome::BadSignature),
            (Some(_), None) => Err(Outcome::StaleTimestamp),
            (Some(signature), Some(timestamp)) => {
                if !self.fresh(timestamp, request.received_at) {
                    return Err(Outcome::StaleTimestamp);
                }
                if self.key.verify(timestamp, &request.body, signature) {
                    Ok(true)
                } else {
                    Err(Outcome::BadSignature)
                }
            }
        }
    }

    /// Whether `timestamp` (Unix seconds) is within the window around `now`.
    fn fresh(&self, timestamp: &str, now: SystemTime) -> bool {
        let Ok(ts) = timestamp.trim().parse::<u64>() else {
            return false;
        };
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        now.abs_diff(ts) <= self.config.timestamp_window.as_secs()
    }

    fn validate(&self, body: &[u8]) -> WebhookResponse {
        let Ok(Validation { d }) = serde_json::from_slice::<Validation>(body) else {
            return WebhookResponse::reject(Outcome::Malformed);
        };
        let event_ts = match &d.event_ts {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return WebhookResponse::reject(Outcome::Malformed),
        };
        // Op 13 comes unsigned, so the key signs what the caller sent: only a plain token and
        // a numeric time are signed, never text that could read as `timestamp + JSON body`
        // (the bot would otherwise forge deliveries for whoever asks).
        if !plain(&d.plain_token)
            || event_ts.is_empty()
            || !event_ts.bytes().all(|b| b.is_ascii_digit())
        {
            tracing::warn!("qq webhook: validation request with an unusual token refused");
            return WebhookResponse::reject(Outcome::Malformed);
        }
        let signature = self.key.sign_validation(&event_ts, &d.plain_token);
        let answer = serde_json::json!({"plain_token": d.plain_token, "signature": signature});
        tracing::info!("qq webhook: callback URL validation answered");
        WebhookResponse::json(StatusCode::OK, answer.to_string(), Outcome::Validated)
    }

    /// Hands a verified dispatch on, unless it was taken before within its timestamp's
    /// window: a replay (or QQ sending it again) is acknowledged but not delivered twice.
    fn deliver(&self, request: WebhookRequest) -> WebhookResponse {
        let signature = self
            .signature_times(&request)
            .map(|(signature, now, until)| (signature.to_owned(), now, until));
        let delivery = Delivery {
            body: request.body,
            received_at: request.received_at,
        };
        // Taken as it is handed on, in one step under the cache's lock (decision 0078): of
        // two copies at once, one goes on; a copy arriving while the other meets a full
        // queue waits for that outcome and gets a 503 too, never a 200 for nothing queued.
        let handed = match &signature {
            Some((signature, now, until)) => {
                match self
                    .seen
                    .take_with(signature, *now, *until, || self.out.try_send(delivery))
                {
                    Some(handed) => handed,
                    None => {
                        tracing::info!(
                            "qq webhook: a delivery taken before came again; acknowledged, not delivered"
                        );
                        return WebhookResponse::json(StatusCode::OK, ACK, Outcome::Ignored);
                    }
                }
            }
            None => self.out.try_send(delivery),
        };
        match handed {
            Ok(()) => WebhookResponse::json(StatusCode::OK, ACK, Outcome::Delivered),
            Err(e) => {
                tracing::warn!(error = %e, "qq webhook: dispatch queue unavailable; asking for a retry");
                WebhookResponse::reject(Outcome::Overloaded)
            }
        }
    }
}

/// 400 for a signed body that is not a frame, with the reason (which field).
fn malformed(error: &dyn std::fmt::Display) -> WebhookResponse {
    tracing::warn!(error = %error, "qq webhook: signed delivery refused");
    WebhookResponse::malformed(error)
}

/// A validation token as QQ issues them: short, letters, digits, `-` and `_`.
fn plain(token: &str) -> bool {
    (1..=256).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Receiver for QqReceiver {
    fn receive(&self, request: WebhookRequest) -> WebhookResponse {
        if let (Some(expected), Some(got)) =
            (self.config.app_id.as_deref(), request.header(APP_ID_HEADER))
        {
            if expected != got.trim() {
                tracing::warn!(got, "qq webhook: delivery for another app id refused");
                return WebhookResponse::reject(Outcome::WrongApp);
            }
        }
        let signed = match self.check_signature(&request) {
            Ok(signed) => signed,
            Err(outcome) => {
                tracing::warn!(?outcome, "qq webhook: request refused");
                return WebhookResponse::reject(outcome);
            }
        };
        // `op` strict, as the frame scan after the queue reads it: a string op acknowledged
        // here was dropped there, after QQ had its 200 (decision 0078).
        match (read_op(&request.body), signed) {
            (Ok(13), _) => self.validate(&request.body),
            // Everything but a validation must be signed.
            (_, false) => {
                tracing::warn!("qq webhook: unsigned delivery refused");
                WebhookResponse::reject(Outcome::BadSignature)
            }
            // The whole envelope, as the pump's scan reads it after the queue: a frame it
            // refuses must not be acknowledged (QQ would not send it again).
            (Ok(0), true) => match botgate_codec::Frame::scan(request.body.clone()) {
                Ok(_) => self.deliver(request),
                Err(e) => malformed(&e),
            },
            (Err(e), true) => malformed(&e),
            (Ok(op), true) => {
                tracing::debug!(op, "qq webhook: op without a dispatch acknowledged");
                WebhookResponse::json(StatusCode::OK, ACK, Outcome::Ignored)
            }
        }
    }
}
