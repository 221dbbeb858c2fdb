//! How a QQ session is set up.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::backoff::BackoffConfig;
use crate::identify::{IdentifyQueue, NoIdentifyQueue};
use crate::token::Token;
use crate::wire::Properties;

/// QQ session settings. Build with [`Config::new`], then adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Gateway URL (from `GET /gateway/bot`).
    pub url: Url,
    /// The full gateway token: `QQBot <access_token>` or legacy `Bot <app_id>.<token>`.
    pub token: Token,
    /// The token comes from app id + secret and can be refreshed: the session asks for a new
    /// one (`TokenRequired`) before identifying again and after a 4004. With a fixed token a
    /// 4004 is fatal at once.
    pub refreshable_token: bool,
    /// Intents bitmask sent with Identify.
    pub intents: u32,
    /// The part of `intents` asked for only if granted (decision 0054): when the gateway
    /// refuses an Identify with 4013 / 4014, these bits are dropped and the session identifies
    /// again without them, instead of stopping. The rest of `intents` is required: a refusal
    /// with those alone is fatal, as always.
    pub optional_intents: u32,
    /// `[shard_id, shard_count]`.
    pub shard: [u32; 2],
    /// `properties` of Identify.
    pub properties: Properties,
    /// Reconnect backoff.
    pub backoff: BackoffConfig,
    /// Identify spacing, shared between shards.
    pub identify_queue: Arc<dyn IdentifyQueue>,
    /// Close and retry if Hello has not come after this long.
    pub hello_timeout: Duration,
    /// Close and retry if READY / RESUMED has not come this long after Identify / Resume.
    pub ready_timeout: Duration,
    /// Wait range before reconnecting after op 9 (default up to 1 s of jitter: QQ gives no
    /// rule, and the identify queue is what spaces identifies).
    pub invalid_session_wait: (Duration, Duration),
    /// Seed for jitter; `None` draws one from the environment.
    pub seed: Option<u64>,
}

impl Config {
    /// Settings with the defaults: shard `[0, 1]`, no identify spacing, 10 s Hello timeout,
    /// 30 s ready timeout, immediate reconnects after a healthy session, else backoff 1 s × 2^n
    /// up to 60 s.
    pub fn new(url: Url, token: impl Into<Token>, intents: u32) -> Self {
        Self {
            url,
            token: token.into(),
            refreshable_token: false,
            intents,
            optional_intents: 0,
            shard: [0, 1],
            properties: Properties::default(),
            backoff: BackoffConfig::default(),
            identify_queue: Arc::new(NoIdentifyQueue),
            hello_timeout: Duration::from_secs(10),
            ready_timeout: Duration::from_secs(30),
            invalid_session_wait: (Duration::ZERO, Duration::from_secs(1)),
            seed: None,
        }
    }
}
