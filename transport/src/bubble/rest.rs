//! [`Rest`]: Bubble's REST API for what a gateway SDK does (spec `bubble.md` §1.4).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ::http::Method;
use botgate_proto::bubble::api::{ApiErrorBody, DmThreadInfo, SendMessage};
use botgate_proto::bubble::{BotInfo, Message};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;

use super::budget::{Budget, RateBudget};
use super::reset::wait_until_reset;
use crate::http::{classify, join, HttpClient, RawResponse, Refusals};
use crate::retry::{self, RetryPolicy, Step};
use crate::{ApiError, Error, ErrorKind, Secret};

/// Production REST base.
pub const API_BASE: &str = "https://bubble.alemonjs.com/api/bot/v1";

/// Where a [`Rest`] client sends, how fast, and how it retries.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// REST base URL ([`API_BASE`], or a sim's `rest_base()`).
    pub base: String,
    /// The per-bot request budget shared by every clone of the client.
    pub budget: RateBudget,
    /// Retries on 429, 503, unsent requests, and other 5xx of a GET or DELETE.
    pub retry: RetryPolicy,
}

impl Default for RestConfig {
    fn default() -> Self {
        Self {
            base: API_BASE.to_owned(),
            budget: RateBudget::default(),
            retry: RetryPolicy::default(),
        }
    }
}

/// The Bubble REST client. Cheap to clone: clones share the pool, the budget and the DM
/// thread cache.
///
/// Every request first takes a token from the shared budget (so the bot as a whole stays under
/// Bubble's limit however many tasks send). A 429 pauses the whole budget for its `retryAfter`
/// (body, seconds; else the `Retry-After` header; else until `X-RateLimit-Reset`, a Unix time;
/// at most the policy's `max_retry_after`) and
/// the request is retried after it; a 503 or an unsent request is retried with backoff, other
/// 5xx only for a GET or a DELETE; a 4xx never is. Bubble has no idempotency key, so a POST
/// that timed out or got a 502 is not retried (it may have been delivered; decision 0056).
#[derive(Clone)]
pub struct Rest {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    authorization: Secret,
    config: RestConfig,
    budget: Budget,
    dm_threads: Mutex<HashMap<i64, i64>>,
}

impl Rest {
    /// A client authenticating with `token` (sent as `Authorization: Bearer <token>`).
    pub fn new(http: HttpClient, token: Secret, config: RestConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                authorization: Secret::new(format!("Bearer {}", token.expose())),
                budget: Budget::new(config.budget),
                config,
                dm_threads: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The REST base URL.
    pub fn base(&self) -> &str {
        &self.inner.config.base
    }

    /// `GET /me`: the bot.
    pub async fn me(&self) -> Result<BotInfo, Error> {
        self.call(Method::GET, "/me", None::<&()>).await
    }

    /// `POST /channels/:channelId/messages`.
    pub async fn send_channel(&self, channel_id: i64, msg: &SendMessage) -> Result<Message, Error> {
        self.call(
            Method::POST,
            &format!("/channels/{channel_id}/messages"),
            Some(msg),
        )
        .await
    }

    /// `GET /users/:userId/dm`: the DM thread with a user (created on first use).
    pub async fn dm_thread(&self, user_id: i64) -> Result<DmThreadInfo, Error> {
        let info: DmThreadInfo = self
            .call(Method::GET, &format!("/users/{user_id}/dm"), None::<&()>)
            .await?;
        if let Some(thread) = info.thread_id() {
            self.threads().insert(user_id, thread);
        }
        Ok(info)
    }

    /// `POST /dm/threads/:threadId/messages`.
    pub async fn send_dm(&self, thread_id: i64, msg: &SendMessage) -> Result<Message, Error> {
        self.call(
            Method::POST,
            &format!("/dm/threads/{thread_id}/messages"),
            Some(msg),
        )
        .await
    }

    /// Sends to a user's DM thread, looking the thread up once per user (cached).
    pub async fn send_to_user(&self, user_id: i64, msg: &SendMessage) -> Result<Message, Error> {
        let cached = self.threads().get(&user_id).copied();
        let thread = match cached {
            Some(thread) => thread,
            None => self.dm_thread(user_id).await?.thread_id().ok_or_else(|| {
                Error::with_source(
                    ErrorKind::Decode {
                        endpoint: format!("/users/{user_id}/dm"),
                    },
                    crate::error::Detail("no thread id in the answer".into()),
                )
            })?,
        };
        self.send_dm(thread, msg).await
    }

    /// `DELETE /channels/:channelId/messages/:messageId` (the bot's own messages).
    pub async fn delete_message(&self, channel_id: i64, message_id: i64) -> Result<(), Error> {
        let _: IgnoredAny = self
            .call(
                Method::DELETE,
                &format!("/channels/{channel_id}/messages/{message_id}"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// Any other call: `method path` (under the base) with an optional JSON body, decoded as
    /// `T` (`serde::de::IgnoredAny` to ignore the answer).
    pub async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let inner = &self.inner;
        let url = join(&inner.config.base, path)?;
        let endpoint = url.path().to_owned();
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| {
            Error::with_source(
                ErrorKind::HttpRequest {
                    endpoint: endpoint.clone(),
                },
                e,
            )
        })?;
        let retry_ambiguous = method == Method::GET || method == Method::DELETE;
        retry::run(&inner.config.retry, |_| {
            let (method, url, body, endpoint) = (method.clone(), &url, body.as_deref(), &endpoint);
            async move {
                inner.budget.acquire().await;
                let result = inner
                    .http
                    .execute(method.clone(), url, Some(&inner.authorization), body)
                    .await;
                let step = classify::<Bubble, T>(&method, endpoint, result, retry_ambiguous);
                if let Step::Retry {
                    error,
                    after: Some(after),
                } = &step
                {
                    if error.status() == Some(429) {
                        // A wait beyond what a call may wait fails this call (`retry::run`,
                        // once the pause is set: that waits for the budget's lock, which a
                        // caller sleeping out an earlier pause holds); the others are paused
                        // no longer than that either, or every send would hang for the
                        // server's hour.
                        let pause = (*after).min(inner.config.retry.max_retry_after);
                        tracing::debug!(?after, ?pause, "bubble rate limited; pausing the budget");
                        inner.budget.pause(pause).await;
                    }
                }
                step
            }
        })
        .await
    }

    fn threads(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.inner
            .dm_threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

/// Bubble's refusals: `{error: {code, message, retryAfter}}`.
struct Bubble;

impl Refusals for Bubble {
    /// `retryAfter` is in seconds (limits.md: `1.5`), else the `Retry-After` header, else, for
    /// a 429, the time until `X-RateLimit-Reset` (`reset.rs`).
    fn api_error(method: &Method, endpoint: &str, response: &RawResponse) -> ApiError {
        let body: ApiErrorBody = botgate_proto::de::from_slice(&response.body).unwrap_or_default();
        let mut api = ApiError::new(method.as_str(), endpoint, response.status);
        api.code_name = body.error.code;
        api.message = body.error.message.unwrap_or_else(|| {
            String::from_utf8_lossy(&response.body[..response.body.len().min(256)]).into_owned()
        });
        api.retry_after = body
            .error
            .retry_after
            .and_then(retry::seconds)
            .or_else(|| {
                response
                    .header("retry-after")
                    .and_then(retry::parse_retry_after)
            })
            .or_else(|| {
                // The window's reset says when a request passes again; on another refusal it
                // says nothing about when to retry.
                (response.status == 429)
                    .then(|| response.header("x-ratelimit-reset"))
                    .flatten()
                    .and_then(|reset| wait_until_reset(reset, SystemTime::now()))
            });
        api
    }
}

impl fmt::Debug for Rest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.inner.config.base)
            .field("budget", &self.inner.config.budget)
            .finish_non_exhaustive()
    }
}
