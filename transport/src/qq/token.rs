//! [`TokenSource`]: the QQ credential every OpenAPI call and the gateway Identify use, either
//! fixed or an access token from `getAppAccessToken`, cached and refreshed before it expires.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::QqAuth;
use crate::error::Detail;
use crate::http::HttpClient;
use crate::{Error, ErrorKind, Secret};

/// Where QQ issues access tokens (`POST {AUTH_BASE}/app/getAppAccessToken`).
pub const AUTH_BASE: &str = "https://bots.qq.com";

/// App id + client secret for `getAppAccessToken`, and when to refresh.
#[derive(Clone)]
pub struct AppCredentials {
    /// The bot's app id.
    pub app_id: String,
    /// The bot's client secret (AppSecret).
    pub client_secret: Secret,
    /// Base URL of the token endpoint (default [`AUTH_BASE`]; the sim's `http_base()` in tests).
    pub auth_base: String,
    /// Refresh this long before the token expires (QQ lets a token be refreshed in its last
    /// 60 s, old and new overlapping). Capped at half the token's lifetime, so a short-lived
    /// token is still reused for a while.
    pub refresh_before: Duration,
}

impl AppCredentials {
    /// Credentials against the production token endpoint, refreshed 60 s before expiry.
    pub fn new(app_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            app_id: app_id.into(),
            client_secret: client_secret.into(),
            auth_base: AUTH_BASE.to_owned(),
            refresh_before: Duration::from_secs(60),
        }
    }

    /// The same credentials against another token endpoint.
    #[must_use]
    pub fn with_auth_base(mut self, auth_base: impl Into<String>) -> Self {
        self.auth_base = auth_base.into();
        self
    }
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("client_secret", &self.client_secret)
            .field("auth_base", &self.auth_base)
            .field("refresh_before", &self.refresh_before)
            .finish()
    }
}

/// The QQ credential, shared by the OpenAPI client and the gateway session (cheap to clone:
/// clones share one cache).
///
/// [`token`](Self::token) returns the whole credential as it goes on the wire, `QQBot <token>`
/// (or `Bot <app_id>.<token>` for a fixed legacy token): the `Authorization` header value and
/// the Identify `token`. With [`AppCredentials`] the access token is fetched on first use,
/// reused, and refreshed in its last `refresh_before`; concurrent callers share one refresh
/// (single flight), and callers that queued behind a failed request share its failure. When
/// a refresh fails while the old token is still valid, the old token is returned, and serves
/// for a 5 s pause before the next try.
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

enum Inner {
    Fixed(Secret),
    App(Box<AppTokens>),
}

struct AppTokens {
    http: HttpClient,
    credentials: AppCredentials,
    cache: Mutex<Option<Cached>>,
    /// Held while a token request is in flight: the single flight. Holds the outcome of the
    /// last one, so that callers that queued behind a failed request share its failure
    /// instead of each making one more request, one after another.
    refresh: tokio::sync::Mutex<Flights>,
    /// Token requests finished so far (written under `refresh`).
    finished: AtomicU64,
}

/// How the last token request failed (if it did).
#[derive(Default)]
struct Flights {
    failed: Option<Box<ErrorKind>>,
    why: String,
}

/// After a failed refresh while the current token is still valid, callers use it without a
/// new request for this long (or half of what is left of it, if less).
const FAILED_REFRESH_PAUSE: Duration = Duration::from_secs(5);

#[derive(Clone)]
struct Cached {
    header: Secret,
    refresh_at: Instant,
    expires_at: Instant,
}

impl TokenSource {
    /// A fixed credential (an access token obtained elsewhere, or a legacy bot token).
    pub fn fixed(auth: QqAuth) -> Self {
        Self {
            inner: Arc::new(Inner::Fixed(auth.header_value())),
        }
    }

    /// Access tokens from `getAppAccessToken` with `credentials`, fetched through `http`.
    pub fn app(http: HttpClient, credentials: AppCredentials) -> Self {
        Self {
            inner: Arc::new(Inner::App(Box::new(AppTokens {
                http,
                credentials,
                cache: Mutex::new(None),
                refresh: tokio::sync::Mutex::new(Flights::default()),
                finished: AtomicU64::new(0),
            }))),
        }
    }

    /// The app id, when the source has one.
    pub fn app_id(&self) -> Option<&str> {
        match &*self.inner {
            Inner::App(app) => Some(&app.credentials.app_id),
            Inner::Fixed(_) => None,
        }
    }

    /// The credential as it goes on the wire (`QQBot <access_token>`), fetching or refreshing
    /// the access token when needed.
    pub async fn token(&self) -> Result<Secret, Error> {
        self.token_at(Instant::now()).await
    }

    /// [`token`](Self::token) as of `now` (tests drive expiry with it).
    pub async fn token_at(&self, now: Instant) -> Result<Secret, Error> {
        match &*self.inner {
            Inner::Fixed(header) => Ok(header.clone()),
            Inner::App(app) => app.cached_at(now).await.map(|c| c.header),
        }
    }

    /// [`token`](Self::token) together with how long it stays valid (`None` for a fixed
    /// credential, whose lifetime is unknown). The gateway session hands both to Identify.
    pub async fn token_with_ttl(&self) -> Result<(Secret, Option<Duration>), Error> {
        self.token_with_ttl_at(Instant::now()).await
    }

    /// [`token_with_ttl`](Self::token_with_ttl) as of `now` (tests drive expiry with it).
    pub async fn token_with_ttl_at(
        &self,
        now: Instant,
    ) -> Result<(Secret, Option<Duration>), Error> {
        match &*self.inner {
            Inner::Fixed(header) => Ok((header.clone(), None)),
            Inner::App(app) => {
                let cached = app.cached_at(now).await?;
                Ok((
                    cached.header,
                    Some(cached.expires_at.saturating_duration_since(now)),
                ))
            }
        }
    }

    /// Forgets `rejected` if it is the cached credential (the platform answered 401 with it),
    /// so the next call fetches a new token. No-op for a fixed credential.
    pub fn invalidate(&self, rejected: &Secret) {
        if let Inner::App(app) = &*self.inner {
            let mut cache = app.cache();
            if cache.as_ref().is_some_and(|c| c.header == *rejected) {
                tracing::debug!("qq access token rejected; dropping it");
                *cache = None;
            }
        }
    }
}

impl AppTokens {
    fn cache(&self) -> MutexGuard<'_, Option<Cached>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self, now: Instant) -> Option<Cached> {
        self.cache()
            .as_ref()
            .filter(|c| now < c.refresh_at)
            .cloned()
    }

    async fn cached_at(&self, now: Instant) -> Result<Cached, Error> {
        if let Some(cached) = self.fresh(now) {
            return Ok(cached);
        }
        // Only a request that ends after this call came in may answer for it.
        let seen = self.finished.load(Ordering::Acquire);
        let flights = self.refresh.lock().await;
        let shared = self.finished.load(Ordering::Acquire) != seen;
        // Time passed while waiting for that request (`now` is ahead of the clock only in
        // tests).
        let now = if shared { now.max(Instant::now()) } else { now };
        // It may have refreshed the token,
        if let Some(cached) = self.fresh(now) {
            return Ok(cached);
        }
        // or failed: its outcome is ours too (single flight, errors included).
        if let (true, Some(kind)) = (shared, &flights.failed) {
            return match self.still_valid(now) {
                Some(cached) if !kind.is_auth_failure() => Ok(cached),
                _ => Err(Error::with_source(
                    (**kind).clone(),
                    Detail(flights.why.clone()),
                )),
            };
        }
        self.fetch(now, flights).await
    }

    /// Requests a token (holding the single flight), caches it, and records the outcome.
    async fn fetch(
        &self,
        now: Instant,
        mut flights: tokio::sync::MutexGuard<'_, Flights>,
    ) -> Result<Cached, Error> {
        let c = &self.credentials;
        let fetched = self
            .http
            .qq_access_token(&c.auth_base, &c.app_id, &c.client_secret)
            .await;
        let result = match fetched {
            Ok(token) => {
                flights.failed = None;
                let lifetime = token.expires_in;
                let margin = c.refresh_before.min(lifetime / 2);
                // From before the request: the token may have been issued any time since.
                let cached = Cached {
                    header: QqAuth::AccessToken(token.token).header_value(),
                    refresh_at: now + (lifetime - margin),
                    expires_at: now + lifetime,
                };
                tracing::debug!(?lifetime, "qq access token fetched");
                *self.cache() = Some(cached.clone());
                Ok(cached)
            }
            Err(error) => {
                flights.failed = Some(Box::new(error.kind().clone()));
                flights.why = error_chain(&error);
                // The pause runs from the failure, not from before a request that may have
                // taken its whole timeout.
                let after = now.max(Instant::now());
                let mut cache = self.cache();
                // In one lock: a token a 401 dropped meanwhile is not put back.
                match cache.as_mut().filter(|c| after < c.expires_at) {
                    Some(cached) if !error.is_auth_failure() => {
                        tracing::warn!(%error, "qq token refresh failed; using the current token");
                        let left = cached.expires_at.saturating_duration_since(after);
                        cached.refresh_at = after + FAILED_REFRESH_PAUSE.min(left / 2);
                        Ok(cached.clone())
                    }
                    _ => Err(error),
                }
            }
        };
        self.finished.fetch_add(1, Ordering::Release);
        result
    }

    /// The cached token if it has not expired at `now`.
    fn still_valid(&self, now: Instant) -> Option<Cached> {
        self.cache()
            .as_ref()
            .filter(|c| now < c.expires_at)
            .cloned()
    }
}

/// An error's message with its sources, for the callers that share its failure.
fn error_chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            Inner::Fixed(_) => f.write_str("TokenSource::Fixed(***)"),
            Inner::App(app) => f
                .debug_struct("TokenSource::App")
                .field("credentials", &app.credentials)
                .finish_non_exhaustive(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botgate_sim::{QqConfig, QqSim};

    fn app_source(sim: &QqSim) -> TokenSource {
        let credentials = AppCredentials::new(
            sim.config().app_id.clone(),
            sim.config().client_secret.clone(),
        )
        .with_auth_base(sim.http_base());
        TokenSource::app(HttpClient::new().unwrap(), credentials)
    }

    fn token_requests(sim: &QqSim) -> usize {
        sim.requests("POST", "/app/getAppAccessToken").len()
    }

    #[tokio::test]
    async fn a_fixed_token_has_no_known_lifetime() {
        let source = TokenSource::fixed(QqAuth::AccessToken(Secret::new("abc")));
        let (header, ttl) = source.token_with_ttl().await.unwrap();
        assert_eq!(header.expose(), "QQBot abc");
        assert_eq!(ttl, None);
    }

    #[tokio::test]
    async fn the_ttl_is_what_is_left_of_the_cached_token() {
        let sim = QqSim::start(QqConfig {
            token_expires_in: 300,
            ..QqConfig::default()
        })
        .await
        .unwrap();
        let source = app_source(&sim);
        let t0 = Instant::now();
        let (first, ttl) = source.token_with_ttl_at(t0).await.unwrap();
        assert_eq!(ttl, Some(Duration::from_secs(300)));
        // Shared with `token` and reused, the lifetime counting down.
        let later = t0 + Duration::from_secs(100);
        let (again, ttl) = source.token_with_ttl_at(later).await.unwrap();
        assert_eq!(again, first);
        assert_eq!(ttl, Some(Duration::from_secs(200)));
        assert_eq!(source.token_at(later).await.unwrap(), first);
        assert_eq!(token_requests(&sim), 1);
        // In the last `refresh_before` (60 s) a new token is fetched, with a full lifetime.
        let refresh = t0 + Duration::from_secs(241);
        let (fresh, ttl) = source.token_with_ttl_at(refresh).await.unwrap();
        assert_ne!(fresh, first);
        assert_eq!(ttl, Some(Duration::from_secs(300)));
        assert_eq!(token_requests(&sim), 2);
    }

    #[tokio::test]
    async fn an_invalidated_token_is_replaced_and_another_one_is_kept() {
        let sim = QqSim::start_default().await.unwrap();
        let source = app_source(&sim);
        let now = Instant::now();
        let (first, _) = source.token_with_ttl_at(now).await.unwrap();
        source.invalidate(&Secret::new("QQBot not-the-cached-one"));
        assert_eq!(source.token_with_ttl_at(now).await.unwrap().0, first);
        assert_eq!(token_requests(&sim), 1);
        source.invalidate(&first);
        let (second, ttl) = source.token_with_ttl_at(now).await.unwrap();
        assert_ne!(second, first);
        assert_eq!(
            ttl,
            Some(Duration::from_secs(sim.config().token_expires_in))
        );
        assert_eq!(token_requests(&sim), 2);
    }
}
