//! [`WebhookPoster`]: the platform's side of webhook mode. It POSTs signed deliveries to a
//! bot's callback URL as QQ (op 13 validation, Ed25519 `X-Signature-*` headers, `{op,id,d,t}`
//! bodies) or Bubble (`{type,data}` bodies, `X-Bubble-Signature: sha256=<hex>`) do, with faults
//! on demand ([`WebhookFault`], [`WebhookPoster::replay`]) and Bubble's retry schedule.
//!
//! Replies to the delivered events go to the sim's REST endpoints as usual (`QqSim`,
//! `BubbleSim`), so a bot in webhook mode is tested end to end.

mod sign;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind};

/// Bubble's documented retry delays after a failed delivery (timeout or non-2xx).
pub const BUBBLE_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(5),
    Duration::from_secs(15),
];

/// What a delivery does wrong on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookFault {
    /// Signed with another key / secret: well-formed, but wrong.
    WrongSignature,
    /// No signature header at all.
    Unsigned,
    /// Correctly signed, but with a timestamp this far in the past (QQ only; Bubble's
    /// signature carries no time).
    StaleTimestamp(Duration),
    /// Correctly signed, with the payload padded so the body has at least this many bytes.
    OversizedBody(usize),
}

/// One request the poster made, and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    /// Event type (`op13` for a validation).
    pub t: String,
    /// The QQ event id (top-level `id`), when the body has one.
    pub event_id: Option<String>,
    /// HTTP status of the answer (`None`: no answer: connection refused, reset, timed out).
    pub status: Option<u16>,
    /// The answer's body (or the error, without an answer).
    pub body: String,
    /// The fault injected, if any.
    pub fault: Option<WebhookFault>,
    /// Whether this is a byte-for-byte resend of an earlier request.
    pub resend: bool,
}

impl Posted {
    /// Whether the answer was 2xx.
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What the bot answered to the QQ callback validation (op 13).
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// The request and its answer.
    pub posted: Posted,
    /// Whether the answer echoed the token with a signature that verifies under the bot's key.
    pub valid: bool,
}

enum Platform {
    Qq {
        app_id: String,
        key: Box<SigningKey>,
    },
    Bubble {
        secret: Option<String>,
    },
}

/// A request as sent, kept for [`WebhookPoster::replay`].
#[derive(Clone)]
struct Prepared {
    t: String,
    event_id: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// Posts signed webhook deliveries to one target URL.
pub struct WebhookPoster {
    target: String,
    platform: Platform,
    client: reqwest::Client,
    next_id: AtomicU64,
    last: Mutex<Option<Prepared>>,
    posted: Mutex<Vec<Posted>>,
}

impl std::fmt::Debug for WebhookPoster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let platform = match self.platform {
            Platform::Qq { .. } => "qq",
            Platform::Bubble { .. } => "bubble",
        };
        f.debug_struct("WebhookPoster")
            .field("target", &self.target)
            .field("platform", &platform)
            .finish_non_exhaustive()
    }
}

fn webhook_error(reason: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Webhook {
            reason: reason.into(),
        },
        None,
    )
}

fn client(root: Option<&[u8]>) -> Result<reqwest::Client, Error> {
    // reqwest is built without a bundled provider: use ring, as the rest of the workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .user_agent("botgate-sim-webhook");
    if let Some(pem) = root {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| webhook_error(format!("root certificate: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| webhook_error(format!("HTTP client: {e}")))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl WebhookPoster {
    fn new(target: String, platform: Platform) -> Result<Self, Error> {
        if !(target.starts_with("http://") || target.starts_with("https://")) {
            return Err(Error::new(
                ErrorKind::InvalidUrl {
                    reason: format!("{target:?} is not an http(s) URL"),
                },
                None,
            ));
        }
        Ok(Self {
            target,
            platform,
            client: client(None)?,
            next_id: AtomicU64::new(1),
            last: Mutex::new(None),
            posted: Mutex::new(Vec::new()),
        })
    }

    /// Posts as QQ for the bot `app_id` whose secret is `secret`.
    ///
    /// # Errors
    /// A target that is not `http(s)://`, an empty secret.
    pub fn qq(target: impl Into<String>, app_id: &str, secret: &str) -> Result<Self, Error> {
        let key = sign::qq_signing_key(secret).ok_or_else(|| webhook_error("empty QQ secret"))?;
        Self::new(
            target.into(),
            Platform::Qq {
                app_id: app_id.to_owned(),
                key: Box::new(key),
            },
        )
    }

    /// Posts as Bubble, signing with `secret` (`None`: unsigned, as Bubble did before it
    /// released signatures).
    ///
    /// # Errors
    /// A target that is not `http(s)://`.
    pub fn bubble(target: impl Into<String>, secret: Option<&str>) -> Result<Self, Error> {
        Self::new(
            target.into(),
            Platform::Bubble {
                secret: secret.map(str::to_owned),
            },
        )
    }

    /// Trusts this PEM root certificate for an `https://` target (e.g. a test CA).
    ///
    /// # Errors
    /// A PEM that does not parse.
    pub fn with_root_certificate(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.client = client(Some(pem))?;
        Ok(self)
    }

    /// The URL posted to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Every request made so far, in order.
    pub fn posted(&self) -> Vec<Posted> {
        self.lock_posted().clone()
    }

    fn lock_posted(&self) -> MutexGuard<'_, Vec<Posted>> {
        self.posted.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// QQ: sends the callback validation (op 13) and checks the answer's signature.
    ///
    /// # Errors
    /// Called on a Bubble poster.
    pub async fn validate(&self) -> Result<Validation, Error> {
        let Platform::Qq { app_id, key } = &self.platform else {
            return Err(webhook_error("validation (op 13) is QQ's"));
        };
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let plain_token = format!("simPlainToken{n:06}x");
        let event_ts = unix_now().to_string();
        let body = json!({"d": {"plain_token": plain_token, "event_ts": event_ts}, "op": 13});
        // As documented: validation requests carry no signature headers.
        let prepared = Prepared {
            t: "op13".into(),
            event_id: None,
            headers: vec![
                ("user-agent", "QQBot-Callback".into()),
                ("x-bot-appid", app_id.clone()),
            ],
            body: body.to_string().into_bytes(),
        };
        let posted = self.send(&prepared, None, false).await;
        let answer: Value = serde_json::from_str(&posted.body).unwrap_or(Value::Null);
        let valid = posted.ok()
            && answer["plain_token"] == plain_token.as_str()
            && answer["signature"]
                .as_str()
                .is_some_and(|sig| sign::qq_check_validation(key, &event_ts, &plain_token, sig));
        Ok(Validation { posted, valid })
    }

    /// Posts event `t` with payload `d`, correctly signed.
    pub async fn post(&self, t: &str, d: Value) -> Posted {
        let prepared = self.prepare(t, d, None);
        self.send(&prepared, None, false).await
    }

    /// Posts event `t` with payload `d` with `fault`.
    pub async fn post_with(&self, t: &str, d: Value, fault: WebhookFault) -> Posted {
        let prepared = self.prepare(t, d, Some(&fault));
        self.send(&prepared, Some(fault), false).await
    }

    /// Sends the last request again, byte for byte (same body, headers, signature and
    /// timestamp): a retried or replayed delivery.
    ///
    /// # Errors
    /// Nothing was posted yet.
    pub async fn replay(&self) -> Result<Posted, Error> {
        let last = self
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| webhook_error("nothing to replay"))?;
        Ok(self.send(&last, None, true).await)
    }

    /// Posts `(t, d)` and, while the answer is not 2xx (or there is none), resends it after
    /// each of `delays` (Bubble: [`BUBBLE_RETRY_DELAYS`]). Returns every attempt.
    pub async fn deliver(&self, t: &str, d: Value, delays: &[Duration]) -> Vec<Posted> {
        let prepared = self.prepare(t, d, None);
        let mut attempts = vec![self.send(&prepared, None, false).await];
        for delay in delays {
            if attempts.last().is_some_and(Posted::ok) {
                break;
            }
            tokio::time::sleep(*delay).await;
            attempts.push(self.send(&prepared, None, true).await);
        }
        attempts
    }

    /// The body and headers of one delivery of `(t, d)` with `fault`.
    fn prepare(&self, t: &str, mut d: Value, fault: Option<&WebhookFault>) -> Prepared {
        if let Some(WebhookFault::OversizedBody(bytes)) = fault {
            if let Value::Object(map) = &mut d {
                map.insert("padding".into(), Value::String("x".repeat(*bytes)));
            }
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        match &self.platform {
            Platform::Qq { app_id, key } => {
                let id = format!("{t}:sim-wh-{n:08}");
                let body = json!({"op": 0, "id": id, "d": d, "t": t})
                    .to_string()
                    .into_bytes();
                let mut ts = unix_now();
                if let Some(WebhookFault::StaleTimestamp(by)) = fault {
                    ts = ts.saturating_sub(by.as_secs());
                }
                let ts = ts.to_string();
                let mut headers = vec![
                    ("user-agent", "QQBot-Callback".to_owned()),
                    ("x-bot-appid", app_id.clone()),
                ];
                let signature = match fault {
                    Some(WebhookFault::Unsigned) => None,
                    Some(WebhookFault::WrongSignature) => {
                        sign::qq_signing_key("not-the-bot-secret")
                            .map(|other| sign::qq_sign(&other, &ts, &body))
                    }
                    _ => Some(sign::qq_sign(key, &ts, &body)),
                };
                if let Some(signature) = signature {
                    headers.push(("x-signature-method", "Ed25519".into()));
                    headers.push(("x-signature-timestamp", ts));
                    headers.push(("x-signature-ed25519", signature));
                }
                Prepared {
                    t: t.to_owned(),
                    event_id: Some(id),
                    headers,
                    body,
                }
            }
            Platform::Bubble { secret } => {
                let body = json!({"type": t, "data": d}).to_string().into_bytes();
                let mut headers = vec![("x-bubble-event", t.to_owned())];
                let signature = match (fault, secret) {
                    (Some(WebhookFault::Unsigned), _) | (_, None) => None,
                    (Some(WebhookFault::WrongSignature), Some(s)) => {
                        sign::bubble_sign(&format!("not-{s}"), &body)
                    }
                    (_, Some(s)) => sign::bubble_sign(s, &body),
                };
                if let Some(signature) = signature {
                    headers.push(("x-bubble-signature", signature));
                }
                Prepared {
                    t: t.to_owned(),
                    event_id: None,
                    headers,
                    body,
                }
            }
        }
    }

    async fn send(&self, prepared: &Prepared, fault: Option<WebhookFault>, resend: bool) -> Posted {
        let mut request = self
            .client
            .post(&self.target)
            .header("content-type", "application/json")
            .body(prepared.body.clone());
        for (name, value) in &prepared.headers {
            request = request.header(*name, value);
        }
        let (status, body) = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                (Some(status), response.text().await.unwrap_or_default())
            }
            Err(e) => (None, e.to_string()),
        };
        tracing::debug!(t = %prepared.t, ?status, ?fault, resend, "sim webhook posted");
        if prepared.t != "op13" {
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(prepared.clone());
        }
        let posted = Posted {
            t: prepared.t.clone(),
            event_id: prepared.event_id.clone(),
            status,
            body,
            fault,
            resend,
        };
        self.lock_posted().push(posted.clone());
        posted
    }
}
