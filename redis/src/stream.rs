//! The gateway / worker split on a Redis Stream: gateway processes hold the sockets and append
//! each event ([`EventStream::publish`]: `XADD`, trimmed to `max_len` but never past an entry a
//! consumer group still needs, decision 0088); worker processes read
//! them in a consumer group ([`Consumer::next_batch`]: `XREADGROUP`, and `XAUTOCLAIM` for
//! entries a dead worker left pending), run the handlers, and then [`Acker::done`] marks the
//! event done and acknowledges it in one script.
//!
//! Delivery is at least once: an entry a worker read but did not acknowledge goes to another
//! worker after `claim_idle` (unless the worker still holds it: its [`Keeper`] keeps it). The
//! done marks (one key per event id, with a TTL) let a worker skip an entry whose event
//! another worker already finished: handlers see each event once, except when a worker dies
//! between a handler's end and its mark (one round trip).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use redis::aio::ConnectionManager;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, Client, RedisResult, Script, Value};
use tokio::sync::Notify;

use crate::conn::SyncConn;
use crate::error::Error;
use crate::trim::{Trim, Trimmed};

/// Marks an event done (if it has an id) and acknowledges its entry.
/// KEYS[1] stream, KEYS[2] done key (or ''); ARGV: group, entry id, done TTL ms.
const DONE: &str = r"
if KEYS[2] ~= '' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
";

/// The shortest read wait (Redis reads `BLOCK 0` as "wait for good").
const MIN_BLOCK: Duration = Duration::from_millis(1);
/// The shortest done-mark TTL (`PX 0` is refused).
const MIN_DONE_TTL: Duration = Duration::from_millis(1);
/// The longest done-mark TTL (`PX` must not overflow past Redis's clock).
const MAX_DONE_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A stream of gateway events.
#[derive(Clone)]
pub struct EventStream {
    client: Client,
    conn: ConnectionManager,
    key: String,
    /// `max_len`, `hard_max_len` and when a trim pass runs.
    trim: Trim,
    /// Written into each entry (`g`): where a worker sends what must go out over the socket.
    gateway: Option<String>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("key", &self.key)
            .field("max_len", &self.trim.max_len)
            .field("hard_max_len", &self.trim.hard_max_len())
            .field("trim_every", &(self.trim.every, self.trim.interval))
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
    /// The stream `key` on the Redis at `url`, trimmed to about 100,000 entries but never
    /// past one a consumer group still needs, and 400,000 at most (see
    /// [`max_len`](Self::max_len), [`hard_max_len`](Self::hard_max_len)).
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
            trim: Trim::new(),
            gateway: None,
        })
    }

    /// Publish as gateway `name`: each entry carries it, so a worker knows which gateway
    /// holds the socket the event came from (OneBot replies go back through it).
    pub fn gateway(mut self, name: impl Into<String>) -> Self {
        self.gateway = Some(name.into());
        self
    }

    /// The stream's usual length (default 100,000, at least 1): the oldest entries are
    /// trimmed down to about this many, but never one a consumer group has not read yet, or
    /// read and not acknowledged. While workers are down or behind, the stream grows past
    /// `max_len` (up to [`hard_max_len`](Self::hard_max_len)) and keeps only what they still
    /// need; it comes back to about `max_len` once they have caught up. With no consumer group
    /// yet (no worker has ever connected) nothing tells what is needed: the stream keeps its
    /// newest `max_len` entries, read or not, as before decision 0088.
    ///
    /// "About": a trim pass runs every [`trim_every`](Self::trim_every) publishes and removes
    /// whole nodes of entries (`~`, up to Redis's `stream-node-max-entries`, 100).
    pub fn max_len(mut self, entries: usize) -> Self {
        self.trim.max_len = entries.max(1);
        self
    }

    /// The most entries the stream holds, read or not (default four times
    /// [`max_len`](Self::max_len), 400,000; at least `max_len + 1`). When the entries
    /// consumer groups still need fill it (workers down for that many events), a publish
    /// appends nothing and fails with [`Error::StreamFull`]: the gateway holds back
    /// (`botgate::split` retries, then leaves the event unhandled for the next resume)
    /// instead of dropping what no worker has read. Size it for the memory Redis can give
    /// the stream: an entry with a 1,000-byte frame takes about 1.3 KB (Redis 7.0), so the
    /// default is about 0.5 GB. A Redis out of memory would refuse every write, leases and
    /// done marks too.
    pub fn hard_max_len(mut self, entries: usize) -> Self {
        self.trim.hard_max_len = Some(entries);
        self
    }

    /// How often a publish trims the stream first: after `publishes` publishes of this
    /// stream and its clones, or the first publish `interval` after the last pass, whichever
    /// comes first (default 1,000 and 1 s). A publish that finds the stream full trims at
    /// once, whatever the count. A pass is one script in the publish's own round trip
    /// (`XINFO GROUPS`, one `XPENDING` per group, `XTRIM MINID ~`); the publishes between two
    /// passes are a plain `XADD` while the stream was less than half full.
    pub fn trim_every(mut self, publishes: u32, interval: Duration) -> Self {
        self.trim.every = publishes.max(1);
        self.trim.interval = interval;
        self
    }

    /// Appends one event; returns its entry id.
    ///
    /// # Errors
    /// [`Error::StreamFull`] when the stream holds [`hard_max_len`](Self::hard_max_len)
    /// entries and consumer groups still need the oldest of them (nothing was appended; try
    /// again once workers catch up); [`Error::Redis`] when Redis cannot be reached.
    pub async fn publish(&self, platform: &str, shard: u32, frame: &[u8]) -> Result<String, Error> {
        let mut conn = self.conn.clone();
        let shard = shard.to_string();
        let mut fields: Vec<&[u8]> = vec![
            b"p",
            platform.as_bytes(),
            b"s",
            shard.as_bytes(),
            b"f",
            frame,
        ];
        if let Some(gateway) = &self.gateway {
            fields.extend([b"g".as_slice(), gateway.as_bytes()]);
        }
        let answer = self.trim.append(&mut conn, &self.key, &fields).await?;
        answer.id.ok_or_else(|| Error::StreamFull {
            key: self.key.clone(),
            len: answer.len.unwrap_or_default(),
            hard_max_len: u64::try_from(self.trim.hard_max_len()).unwrap_or(u64::MAX),
        })
    }

    /// Trims the stream now (what a publish does every [`trim_every`](Self::trim_every)):
    /// entries every consumer group has read and acknowledged, down to about
    /// [`max_len`](Self::max_len), at most 10,000 in one pass (a full stream: every entry
    /// all groups are done with).
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn trim(&self) -> Result<Trimmed, Error> {
        let mut conn = self.conn.clone();
        self.trim.trim(&mut conn, &self.key).await
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
    /// Entries pending this long with another consumer are taken over (default 30 s). A
    /// consumer whose [`Keeper`] runs keeps what it holds fresh every third of this; without
    /// one, make it longer than the slowest handler and queue wait, or a live worker's entry is
    /// handled twice.
    pub fn claim_idle(mut self, idle: Duration) -> Self {
        self.claim_idle = idle;
        self
    }

    /// How long one read waits for new entries (default 500 ms, at least 1 ms: `BLOCK 0`
    /// would wait for good; at most 20 s: every answer from Redis is awaited 30 s at most).
    pub fn block(mut self, block: Duration) -> Self {
        self.block = block.clamp(MIN_BLOCK, crate::conn::MAX_BLOCK);
        self
    }

    /// How long done marks live (default 1 h: longer than any redelivery). Kept between
    /// 1 ms and 100 years: Redis refuses `PX` outside its range, and every acknowledgement
    /// then failed (each event redelivered for good).
    pub fn done_ttl(mut self, ttl: Duration) -> Self {
        self.acker.done_ttl = ttl.clamp(MIN_DONE_TTL, MAX_DONE_TTL);
        self
    }

    /// The acknowledger of this consumer's deliveries (cheap to clone; blocking calls).
    pub fn acker(&self) -> Acker {
        self.acker.clone()
    }

    /// The keeper of the entries this consumer holds (see [`Keeper`]; cheap to clone). Each
    /// call makes a new one: make one per consumer.
    pub fn keeper(&self) -> Keeper {
        Keeper {
            shared: Arc::new(KeeperShared {
                client: self.acker.conn.client().clone(),
                key: self.key.clone(),
                group: self.group.clone(),
                name: self.name.clone(),
                every: (self.claim_idle / 3).max(MIN_KEEP_EVERY),
                held: Mutex::new(HashMap::new()),
                let_go: Notify::new(),
            }),
        }
    }

    /// Up to `count` entries: first those other consumers left pending longer than
    /// `claim_idle`, else new ones (waiting up to `block`). Empty when there is nothing.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn next_batch(&mut self, count: usize) -> Result<Vec<Delivery>, Error> {
        let idle_ms = u64::try_from(self.claim_idle.as_millis()).unwrap_or(u64::MAX);
        let claimed: RedisResult<Value> = redis::cmd("XAUTOCLAIM")
            .arg(&self.key)
            .arg(&self.group)
            .arg(&self.name)
            .arg(idle_ms)
            .arg(&self.cursor)
            .arg("COUNT")
            .arg(count)
            .query_async(&mut self.conn)
            .await;
        let claimed = match claimed.and_then(read_claim) {
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
        self.cursor = claimed.next;
        if claimed.trimmed > 0 {
            // Pending with a worker that died, and gone from the stream before anyone took
            // them over (deleted by hand, or trimmed by a botgate before decision 0088):
            // Redis forgets them here (7.0; 6.2 keeps them pending). Lost; said so.
            tracing::warn!(key = %self.key, group = %self.group, lost = claimed.trimmed,
                "pending stream entries were trimmed before a worker took them over");
        }
        let taken = self.deliveries(claimed.entries.into_iter(), true).await;
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
        let entries = reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .map(|e| (e.id, e.map));
        Ok(self.deliveries(entries, false).await)
    }

    /// The deliveries of `entries` this consumer now holds. An entry botgate did not write
    /// (another writer on the key, fields this version does not know) is acknowledged and
    /// logged: left pending, every worker took it over in turn each `claim_idle`, for good.
    async fn deliveries(
        &mut self,
        entries: impl Iterator<Item = (String, HashMap<String, Value>)>,
        claimed: bool,
    ) -> Vec<Delivery> {
        let mut taken = Vec::new();
        let mut foreign = Vec::new();
        for (id, map) in entries {
            match delivery(id.clone(), &map, claimed) {
                Some(d) => taken.push(d),
                None => foreign.push(id),
            }
        }
        if !foreign.is_empty() {
            tracing::warn!(key = %self.key, group = %self.group, ids = ?foreign,
                "stream entries botgate did not write; acknowledged and dropped");
            // A failed XACK leaves them pending (back after `claim_idle`); the batch is
            // returned all the same.
            let acked: RedisResult<i64> = self.conn.xack(&self.key, &self.group, &foreign).await;
            if let Err(error) = acked {
                tracing::warn!(%error, key = %self.key, "foreign stream entries not acknowledged");
            }
        }
        taken
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

/// The shortest period between two rounds of a [`Keeper`] (for a tiny `claim_idle`).
const MIN_KEEP_EVERY: Duration = Duration::from_millis(10);

/// How soon a [`Keeper`] round that failed is tried again (within its period): one lost
/// connection must not cost a whole period of the three that fit in `claim_idle`.
const KEEP_RETRY: Duration = Duration::from_millis(200);

/// Entry ids per `XCLAIM` of a [`Keeper`] round (the commands of one round are pipelined).
const KEEP_CHUNK: usize = 256;

/// Keeps the entries a consumer holds (read and not yet acknowledged or let go) its own.
///
/// A worker reads ahead: an entry may wait in its queues, or its handler run, longer than
/// `claim_idle`, and another consumer's `XAUTOCLAIM` then took it and ran it too. While a
/// [`Kept`] guard of an entry lives, [`run`](Self::run) resets the entry's idle time every
/// `claim_idle / 3` with `XCLAIM <key> <group> <this consumer> 0 <ids..> JUSTID` (`JUSTID`:
/// the delivery count does not move), so no consumer claims it, this one included. Dropping
/// the guard stops that: an entry let go pending is claimed after `claim_idle` as before, and
/// so are all of a consumer that dies (decision 0064).
///
/// `XCLAIM` takes an entry whatever consumer has it: one another consumer claimed while this
/// one's rounds failed for `claim_idle` (Redis unreachable from here only) comes back here;
/// both run it then, as they would have anyway.
#[derive(Clone)]
pub struct Keeper {
    shared: Arc<KeeperShared>,
}

struct KeeperShared {
    /// Rounds use a connection of their own: the consumer's may sit in `XREADGROUP BLOCK`,
    /// which holds up every command behind it.
    client: Client,
    key: String,
    group: String,
    name: String,
    every: Duration,
    /// Entry id → its guards (an entry held here and delivered again is held twice).
    held: Mutex<HashMap<String, usize>>,
    /// Told whenever an entry is let go.
    let_go: Notify,
}

impl fmt::Debug for Keeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keeper")
            .field("key", &self.shared.key)
            .field("group", &self.shared.group)
            .field("name", &self.shared.name)
            .field("every", &self.shared.every)
            .field("held", &self.held())
            .finish_non_exhaustive()
    }
}

/// An entry kept by a [`Keeper`] until this is dropped.
#[must_use = "the entry is kept only while this lives"]
pub struct Kept {
    shared: Arc<KeeperShared>,
    id: String,
}

impl fmt::Debug for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Kept").field(&self.id).finish()
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        let mut held = self.shared.held();
        if let Some(n) = held.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.id);
            }
        }
        drop(held);
        self.shared.let_go.notify_waiters();
    }
}

impl KeeperShared {
    fn held(&self) -> MutexGuard<'_, HashMap<String, usize>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Keeper {
    /// Keeps entry `entry_id` (one this consumer read) until the guard is dropped: drop it
    /// once the entry is acknowledged, or to leave it pending for another consumer.
    pub fn keep(&self, entry_id: &str) -> Kept {
        *self.shared.held().entry(entry_id.to_owned()).or_insert(0) += 1;
        Kept {
            shared: Arc::clone(&self.shared),
            id: entry_id.to_owned(),
        }
    }

    /// How many entries are kept now.
    pub fn held(&self) -> usize {
        self.shared.held().len()
    }

    /// Waits until fewer than `limit` entries are kept.
    pub async fn below(&self, limit: usize) {
        loop {
            let let_go = self.shared.let_go.notified();
            let mut let_go = std::pin::pin!(let_go);
            // Registered before the count is read: a guard dropped in between still wakes us.
            let_go.as_mut().enable();
            if self.held() < limit {
                return;
            }
            let_go.await;
        }
    }

    /// Refreshes the kept entries every `claim_idle / 3`, on a connection of its own
    /// (made once something is kept), until the future is dropped: spawn it beside the
    /// reader and abort it when the consumer stops. A failed round is logged and tried again
    /// after 200 ms.
    pub async fn run(self) {
        let mut conn: Option<ConnectionManager> = None;
        let mut failing = false;
        loop {
            let pause = if failing {
                KEEP_RETRY.min(self.shared.every)
            } else {
                self.shared.every
            };
            tokio::time::sleep(pause).await;
            let ids: Vec<String> = self.shared.held().keys().cloned().collect();
            if ids.is_empty() {
                continue;
            }
            let result = match conn.as_mut() {
                Some(conn) => self.refresh(conn, &ids).await,
                None => match crate::conn::manager(self.shared.client.clone()).await {
                    Ok(made) => self.refresh(conn.insert(made), &ids).await,
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(kept) => {
                    if failing {
                        tracing::info!(key = %self.shared.key, kept, "held stream entries kept again");
                    }
                    failing = false;
                    tracing::trace!(key = %self.shared.key, held = ids.len(), kept, "held stream entries refreshed");
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, key = %self.shared.key, held = ids.len(),
                            "refreshing held stream entries failed; other workers may claim them after claim_idle");
                    }
                    failing = true;
                }
            }
        }
    }

    /// One round: resets the idle time of entries `ids`; returns how many were still
    /// pending (the others were acknowledged meanwhile, or trimmed).
    async fn refresh(&self, conn: &mut ConnectionManager, ids: &[String]) -> Result<usize, Error> {
        let s = &*self.shared;
        let mut pipe = redis::pipe();
        for chunk in ids.chunks(KEEP_CHUNK) {
            pipe.cmd("XCLAIM")
                .arg(&s.key)
                .arg(&s.group)
                .arg(&s.name)
                .arg(0)
                .arg(chunk)
                .arg("JUSTID");
        }
        let replies: Vec<Value> = pipe
            .query_async(conn)
            .await
            .map_err(Error::redis("keep held entries"))?;
        Ok(replies
            .iter()
            .map(|r| match r {
                Value::Array(ids) => ids.len(),
                _ => 0,
            })
            .sum())
    }
}

/// An `XAUTOCLAIM` answer.
struct Claim {
    /// Where the next scan starts.
    next: String,
    /// The claimed entries: id and fields.
    entries: Vec<(String, HashMap<String, Value>)>,
    /// Pending entries the stream no longer holds (trimmed).
    trimmed: usize,
}

/// Reads an `XAUTOCLAIM` answer: `[next, [entry..], deleted ids]`. Redis 6.2 has no third
/// element and answers a trimmed pending entry as a nil among the entries (7.0 lists its id
/// in the third); the client's own reply type refused such a nil when it came first, and the
/// whole claim failed, every time the scan reached it.
fn read_claim(reply: Value) -> RedisResult<Claim> {
    let unexpected =
        || redis::RedisError::from((redis::ErrorKind::TypeError, "unexpected XAUTOCLAIM answer"));
    let Value::Array(items) = reply else {
        return Err(unexpected());
    };
    let mut items = items.into_iter();
    let next: String = redis::from_redis_value(&items.next().ok_or_else(unexpected)?)?;
    let Some(Value::Array(claimed)) = items.next() else {
        return Err(unexpected());
    };
    let mut entries = Vec::with_capacity(claimed.len());
    let mut trimmed = 0;
    for entry in claimed {
        match entry {
            Value::Nil => trimmed += 1,
            entry => entries.push(read_entry(entry).ok_or_else(unexpected)?),
        }
    }
    if let Some(Value::Array(deleted)) = items.next() {
        trimmed += deleted.len();
    }
    Ok(Claim {
        next,
        entries,
        trimmed,
    })
}

/// One stream entry, `[id, [field, value, ..]]` (a map of fields in RESP3).
fn read_entry(entry: Value) -> Option<(String, HashMap<String, Value>)> {
    let Value::Array(pair) = entry else {
        return None;
    };
    let mut pair = pair.into_iter();
    let id: String = redis::from_redis_value(&pair.next()?).ok()?;
    let fields: Vec<(Value, Value)> = match pair.next()? {
        Value::Array(flat) => {
            let mut flat = flat.into_iter();
            std::iter::from_fn(|| Some((flat.next()?, flat.next()?))).collect()
        }
        Value::Map(map) => map,
        _ => Vec::new(),
    };
    let map = fields
        .into_iter()
        .filter_map(|(k, v)| Some((redis::from_redis_value::<String>(&k).ok()?, v)))
        .collect();
    Some((id, map))
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
