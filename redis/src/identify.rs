//! [`RedisIdentifyQueue`]: QQ's identify limit across every process of a bot.
//!
//! QQ allows `session_start_limit.max_concurrency` identifies per 5 s, one per bucket, where a
//! shard's bucket is `shard_id % max_concurrency`. Each bucket is one Redis key holding the
//! instant its next identify may start (milliseconds of the Redis server's clock, so processes
//! on machines with skewed clocks agree); a Lua script reserves the slot and moves the key one
//! window on, atomically. Two processes asking at once get slots one window apart.

use std::fmt;
use std::time::{Duration, Instant};

use botgate_session::IdentifyQueue;
use redis::{Client, Script};

use crate::conn::SyncConn;
use crate::error::Error;

/// Reserves the next slot of a bucket, at or after `after` ms from now: returns how many ms
/// from now it starts. KEYS[1] bucket key; ARGV[1] window in ms; ARGV[2] `after` in ms.
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now + tonumber(ARGV[2] or '0'), free)
redis.call('SET', KEYS[1], at + window, 'PX', at + window - now + 1000)
return at - now
";

/// The identify bucket of one shard, shared through Redis by every process of a bot.
pub struct RedisIdentifyQueue {
    conn: SyncConn,
    key: String,
    window: Duration,
    reserve: Script,
}

impl fmt::Debug for RedisIdentifyQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisIdentifyQueue")
            .field("conn", &self.conn)
            .field("key", &self.key)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl RedisIdentifyQueue {
    /// The queue of shard `shard_id` of bot `app_id`: bucket `shard_id % max_concurrency`,
    /// one identify per 5 s in it, across all processes on the Redis at `url`.
    ///
    /// # Errors
    /// [`Error::Url`] when `url` is not a Redis URL.
    pub fn open(
        url: &str,
        app_id: &str,
        shard_id: u32,
        max_concurrency: u32,
    ) -> Result<Self, Error> {
        let client = Client::open(url).map_err(Error::Url)?;
        let bucket = shard_id % max_concurrency.max(1);
        Ok(Self {
            conn: SyncConn::new(client),
            key: format!("botgate:identify:{app_id}:{bucket}"),
            window: Duration::from_secs(5),
            reserve: Script::new(RESERVE),
        })
    }

    /// Key prefix instead of `botgate`.
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        if let Some(rest) = self.key.strip_prefix("botgate:") {
            self.key = format!("{prefix}:{rest}");
        }
        self
    }

    /// A window other than QQ's 5 s (tests).
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Reserves the next slot: how long from now until it starts.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached (after one reconnect).
    pub fn try_reserve(&self) -> Result<Duration, Error> {
        self.try_reserve_after(Duration::ZERO)
    }

    /// Reserves the next slot that starts `after` from now or later: how long from now until
    /// it starts. A shard that identifies once its reconnect backoff ends asks for a slot
    /// from then; reserved from Redis's now instead, its slot was counted a backoff early,
    /// and another process's identify could land within the same window.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached (after one reconnect).
    pub fn try_reserve_after(&self, after: Duration) -> Result<Duration, Error> {
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
        let wait: i64 = self.conn.run("reserve identify slot", |c| {
            self.reserve
                .key(&self.key)
                .arg(window_ms)
                .arg(after_ms)
                .invoke(c)
        })?;
        Ok(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
    }
}

impl IdentifyQueue for RedisIdentifyQueue {
    /// Reserves the first slot at or after `now`, which may lie in the future. Blocks for one
    /// round trip (the machine plans its identify with the answer). When Redis
    /// cannot be reached the slot is one window from now: a process alone keeps the rate;
    /// processes that all lose Redis at once may exceed it (logged).
    fn reserve(&self, now: Instant) -> Instant {
        // `now` is the earliest the slot may start: often later than the present instant
        // (the end of a reconnect backoff).
        let asked = Instant::now();
        match self.try_reserve_after(now.saturating_duration_since(asked)) {
            Ok(wait) => asked + wait,
            Err(error) => {
                tracing::warn!(%error, key = %self.key, "identify slot not reserved in Redis; waiting one window");
                now + self.window
            }
        }
    }
}
