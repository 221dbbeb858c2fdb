//! How a Bubble session is set up.

use std::time::Duration;

use url::Url;

use crate::backoff::BackoffConfig;
use crate::dedupe::DEFAULT_DEDUPE_WINDOW;
use crate::ratelimit::RateLimitConfig;
use crate::token::Token;

/// Which event types to subscribe to (op 30) after every BOT_READY.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subscription {
    /// Exactly these (the user's choice).
    Exact(Vec<String>),
    /// These (the handled types) that the server lists in `availableEvents` (all of them if it
    /// lists none).
    Handled(Vec<String>),
    /// Everything in `availableEvents` (every subscribable type botgate knows if it lists
    /// none).
    All,
}

/// Bubble session settings. Build with [`Config::new`], then adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Gateway URL (`wss://bubble.alemonjs.com/api/bot/gateway`).
    pub url: Url,
    /// The bot token (sent as `Authorization: Bearer <token>` at the upgrade).
    pub token: Token,
    /// `X-Client` header (the AlemonJS client sends one); `None` sends none.
    pub client_name: Option<String>,
    /// What to subscribe to.
    pub subscription: Subscription,
    /// Reconnect backoff.
    pub backoff: BackoffConfig,
    /// Close and retry if Hello has not come after this long.
    pub hello_timeout: Duration,
    /// Close and retry if BOT_READY / RESUMED has not come this long after Hello.
    pub ready_timeout: Duration,
    /// Wait range before reconnecting after op 9 (default up to 1 s of jitter).
    pub invalid_session_wait: (Duration, Duration),
    /// Client send budget (heartbeats exempt).
    pub rate_limit: RateLimitConfig,
    /// How long the budget stays halved after an `ERROR` `RATE_LIMIT`.
    pub rate_limit_penalty: Duration,
    /// 4010 (another connection took over) is fatal (default) or retried.
    pub takeover_is_fatal: bool,
    /// Unknown 4xxx closes in a row, without reaching ready, before giving up.
    pub max_unknown_closes: u32,
    /// Dispatch dedupe window, in keys (0 turns dedupe off).
    pub dedupe_window: usize,
    /// Seed for jitter; `None` draws one from the environment.
    pub seed: Option<u64>,
}

impl Config {
    /// Settings with the defaults (budget 10/s burst 20, dedupe window 4096, 4010 fatal).
    pub fn new(url: Url, token: impl Into<Token>, subscription: Subscription) -> Self {
        Self {
            url,
            token: token.into(),
            client_name: Some("botgate".to_owned()),
            subscription,
            // the open platform asks for reconnects at least 1 s apart
            backoff: BackoffConfig::with_floor(Duration::from_secs(1)),
            hello_timeout: Duration::from_secs(10),
            ready_timeout: Duration::from_secs(30),
            invalid_session_wait: (Duration::ZERO, Duration::from_secs(1)),
            rate_limit: RateLimitConfig::bubble(),
            rate_limit_penalty: Duration::from_secs(5),
            takeover_is_fatal: true,
            max_unknown_closes: 5,
            dedupe_window: DEFAULT_DEDUPE_WINDOW,
            seed: None,
        }
    }
}
