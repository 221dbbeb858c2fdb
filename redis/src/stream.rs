//! The gateway / worker split on a Redis Stream: gateway processes hold the sockets and append
//! each event ([`EventStream::publish`]: `XADD` bounded by `MAXLEN ~`); worker processes read
//! them in a consumer group ([`Consumer::next_batch`]: `XREADGROUP`, and `XAUTOCLAIM` for
//! entries a dead worker left pending), run the handlers, and then [`Acker::done`] marks the
//! event done and acknowledges it in one script.
//!
//! Delivery is at least once: an entry a worker read but did not acknowledge goes to another
//! worker after `claim_idle`. The done marks (one key per event id, with a TTL) let a worker
//! skip an entry whose event another worker already finished: handlers see each event once,
//! except when a worker dies between a handler's end and its mark (one round trip).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use redis::aio::ConnectionManager;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, Client, RedisResult, Script, Value};

use crate::conn::SyncConn;
use crate::error::Error;

/// Marks an event done (if it has an id) and acknowledges its entry.
/// KEYS[1] stream, KEYS[2] done key (or ''); ARGV: group, entry id, done TTL ms.
const DONE: &str = r"
if KEYS[2] ~= '' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
";

/// A stream of gateway events.
#[derive(Clone)]
pub struct EventStream {
    client: Client,
    conn: ConnectionManager,
    key: String,
    max_len: usize,
    /// Written into each entry (`g`): where a worker sends what must go out over the socket.
    gateway: Option<String>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("key", &self.key)
            .field("max_len", &self.max_len)
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

/// One event read from the stream.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The stream entry id (what [`Acker::done`] acknowledges).
    pub id: String,
    /// `qq`, `bubble` or `onebot`.
    pub platform: String,
    /// The gateway shard it came from.
    pub shard: u32,
    /// The raw frame, byte for byte as the gateway read it.
    pub frame: Bytes,
    /// The gateway that published it, if it named itself ([`EventStream::gateway`]).
    pub gateway: Option<String>,
    /// Claimed from a worker that left it pending (it may have been handled there).
    pub claimed: bool,
}

impl EventStream {
    /// The stream `key` on the Redis at `url`, trimmed to about 100,000 entries.
    ///
    /// # Errors
    /// [`Error::Url`] or [`Error::Redis`] (cannot connect).
    pub async fn connect(url: &str, key: impl Into<String>) -> Result<Self, Error> {
        let client = Client::open(url).map_err(Error::Url)?;
        let conn = crate::conn::manager(client.clone()).await?;
        Ok(Self {
            client,
            conn,
            key: key.into(),
            max_len: 100_000,
            gateway: None,
        })
    }

    /// Publish as gateway `name`: each entry carries it, so a worker knows which gateway
    /// holds the socket the event came from (OneBot replies go back through it).
    pub fn gateway(mut self, name: impl Into<String>) -> Self {
        self.gateway = Some(name.into());
        self
    }

    /// Keep about this many entries (`MAXLEN ~`): entries older than that are dropped even
    /// when no worker has read them, so size it for the longest worker outage.
    pub fn max_len(mut self, entries: usize) -> Self {
        self.max_len = entries.max(1);
        self
    }

    /// Appends one event; returns its entry id.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn publish(&self, platform: &str, shard: u32, frame: &[u8]) -> Result<String, Error> {
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.max_len)
            .arg("*")
            .arg("p")
            .arg(platform)
            .arg("s")
            .arg(shard)
            .arg("f")
            .arg(frame);
        if let Some(gateway) = &self.gateway {
            cmd.arg("g").arg(gateway);
        }
        cmd.query_async(&mut conn)
            .await
            .map_err(Error::redis("publish"))
    }

    /// A consumer `name` (unique per worker process) in consumer group `group` (created, from
    /// the start of the stream, if it does not exist).
    ///
    /// # Errors
    /// [`Error::Redis`] when the group cannot be created.
    pub async fn consumer(&self, group: &str, name: &str) -> Result<Consumer, Error> {
        let mut conn = self.conn.clone();
        create_group(&mut conn, &self.key, group).await?;
        Ok(Consumer {
            conn,
            acker: Acker {
                conn: Arc::new(SyncConn::new(self.client.clone())),
                key: self.key.clone(),
                group: group.to_owned(),
                done: Script::new(DONE),
                done_ttl: Duration::from_secs(3600),
            },
            key: self.key.clone(),
            group: group.to_owned(),
            name: name.to_owned(),
            claim_idle: Duration::from_secs(30),
            block: Duration::from_millis(500),
            cursor: "0-0".to_owned(),
        })
    }
}

/// Creates consumer group `group` of stream `key` (from the start of the stream, which is
/// made if missing); one that exists already is fine.
async fn create_group(conn: &mut ConnectionManager, key: &str, group: &str) -> Result<(), Error> {
    let created: RedisResult<()> = conn.xgroup_create_mkstream(key, group, "0").await;
    match created {
        Err(e) if e.code() != Some("BUSYGROUP") => Err(Error::Redis {
            op: "create consumer group",
            source: e,
        }),
        _ => Ok(()),
    }
}

/// A worker's reader in a consumer group.
pub struct Consumer {
    conn: ConnectionManager,
    acker: Acker,
    key: String,
    group: String,
    name: String,
    claim_idle: Duration,
    block: Duration,
    /// Where the next `XAUTOCLAIM` scan starts.
    cursor: String,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("key", &self.key)
            .field("group", &self.group)
            .field("name", &self.name)
            .field("claim_idle", &self.claim_idle)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// Entries pending this long with another consumer are taken over (default 30 s: longer
    /// than the slowest handler, or a live worker's entry is handled twice).
    pub fn claim_idle(mut self, idle: Duration) -> Self {
        self.claim_idle = idle;
        self
    }

    /// How long one read waits for new entries (default 500 ms, at most 20 s: every answer
    /// from Redis is awaited 30 s at most).
    pub fn block(mut self, block: Duration) -> Self {
        self.block = block.min(crate::conn::MAX_BLOCK);
        self
    }

    /// How long done marks live (default 1 h: longer than any redelivery).
    pub fn done_ttl(mut self, ttl: Duration) -> Self {
        self.acker.done_ttl = ttl;
        self
    }

    /// The acknowledger of this consumer's deliveries (cheap to clone; blocking calls).
    pub fn acker(&self) -> Acker {
        self.acker.clone()
    }

    /// Up to `count` entries: first those other consumers left pending longer than
    /// `claim_idle`, else new ones (waiting up to `block`). Empty when there is nothing.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn next_batch(&mut self, count: usize) -> Result<Vec<Delivery>, Error> {
        let idle_ms = u64::try_from(self.claim_idle.as_millis()).unwrap_or(u64::MAX);
        let claimed: RedisResult<StreamAutoClaimReply> = self
            .conn
            .xautoclaim_options(
                &self.key,
                &self.group,
                &self.name,
                idle_ms,
                &self.cursor,
                StreamAutoClaimOptions::default().count(count),
            )
            .await;
        let claimed = match claimed {
            Err(e) if e.code() == Some("NOGROUP") => {
                // The stream and its group are gone: a Redis restarted without persistence
                // (or a key deleted). Made again, from the start of whatever the gateways
                // append from now on; without this the worker read nothing, for good.
                tracing::warn!(key = %self.key, group = %self.group,
                    "the stream's consumer group is gone (Redis restarted?); creating it again");
                self.recreate_group().await?;
                return Ok(Vec::new());
            }
            claimed => claimed.map_err(Error::redis("claim"))?,
        };
        self.cursor = claimed.next_stream_id.clone();
        if !claimed.deleted_ids.is_empty() {
            // Pending with a worker that died, and trimmed from the stream (`MAXLEN ~`) before
            // anyone took them over: Redis forgets them here. Lost; said so.
            tracing::warn!(key = %self.key, group = %self.group, lost = claimed.deleted_ids.len(),
                "pending stream entries were trimmed before a worker took them over");
        }
        let taken: Vec<Delivery> = claimed
            .claimed
            .into_iter()
            .filter_map(|e| delivery(e.id, &e.map, true))
            .collect();
        if !taken.is_empty() {
            return Ok(taken);
        }
        let block_ms = usize::try_from(self.block.as_millis()).unwrap_or(usize::MAX);
        let options = StreamReadOptions::default()
            .group(&self.group, &self.name)
            .count(count)
            .block(block_ms);
        let reply: Option<StreamReadReply> = self
            .conn
            .xread_options(&[&self.key], &[">"], &options)
            .await
            .map_err(Error::redis("read"))?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .filter_map(|e| delivery(e.id, &e.map, false))
            .collect())
    }

    /// Creates the consumer group again, and starts the claim scan over.
    async fn recreate_group(&mut self) -> Result<(), Error> {
        self.cursor = "0-0".to_owned();
        create_group(&mut self.conn, &self.key, &self.group).await
    }

    /// Whether a worker already finished the event with this id (its done mark exists).
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn is_done(&mut self, event_id: &str) -> Result<bool, Error> {
        self.conn
            .exists(self.acker.done_key(event_id))
            .await
            .map_err(Error::redis("read done mark"))
    }
}

/// An entry's fields as a delivery; `None` for an entry botgate did not write.
fn delivery(
    id: String,
    map: &std::collections::HashMap<String, Value>,
    claimed: bool,
) -> Option<Delivery> {
    let text = |k: &str| match map.get(k)? {
        Value::BulkString(b) => Some(b.clone()),
        Value::SimpleString(s) => Some(s.clone().into_bytes()),
        _ => None,
    };
    let platform = String::from_utf8(text("p")?).ok()?;
    let shard = std::str::from_utf8(&text("s")?).ok()?.parse().ok()?;
    Some(Delivery {
        id,
        platform,
        shard,
        frame: Bytes::from(text("f")?),
        gateway: text("g").and_then(|g| String::from_utf8(g).ok()),
        claimed,
    })
}

/// Marks events done and acknowledges their entries; one round trip each, blocking (call it
/// when the handlers have finished, e.g. from a dispatcher `Completion`).
#[derive(Clone)]
pub struct Acker {
    conn: Arc<SyncConn>,
    key: String,
    group: String,
    done: Script,
    done_ttl: Duration,
}

impl fmt::Debug for Acker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acker")
            .field("key", &self.key)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl Acker {
    fn done_key(&self, event_id: &str) -> String {
        format!("{}:done:{}:{event_id}", self.key, self.group)
    }

    /// The event `event_id` (if it has one) is done; entry `entry_id` is acknowledged.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached (the entry is then redelivered later).
    pub fn done(&self, entry_id: &str, event_id: Option<&str>) -> Result<(), Error> {
        let done_key = event_id.map(|e| self.done_key(e)).unwrap_or_default();
        let ttl_ms = u64::try_from(self.done_ttl.as_millis()).unwrap_or(u64::MAX);
        self.conn
            .run("acknowledge", |c| {
                self.done
                    .key(&self.key)
                    .key(&done_key)
                    .arg(&self.group)
                    .arg(entry_id)
                    .arg(ttl_ms)
                    .invoke::<i64>(c)
            })
            .map(|_| ())
    }
}
