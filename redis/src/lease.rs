//! [`ShardLeases`]: which process runs which shard, so a shard never runs in two processes
//! (two sessions on one shard invalidate each other) and a dead process's shards are taken
//! over.
//!
//! A lease is a Redis key `botgate:lease:<app>:<shard>` = owner id, set with `NX PX ttl`. The
//! holder renews it every `ttl / 3` (a Lua script: only while the value is still its own) and
//! reports it lost when the key names someone else, or when it could not renew for
//! `2 * ttl / 3` (it may expire any moment then): the shard must be stopped at once. A dead
//! process stops renewing; its keys expire after at most `ttl` and another process acquires
//! them (and resumes the shard from the session store).

use std::fmt;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Client, Script};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::Error;

/// How soon a failed renewal is tried again (bounded by the moment the lease may be lost).
const RENEW_RETRY: Duration = Duration::from_millis(200);
/// PEXPIRE only while the lease is still ours. KEYS[1] lease; ARGV owner, ttl ms.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// DEL only while the lease is still ours. KEYS[1] lease; ARGV[1] owner.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Leases on the shards of one bot, for one owner (a process).
pub struct ShardLeases {
    conn: ConnectionManager,
    prefix: String,
    app: String,
    owner: String,
    ttl: Duration,
}

impl fmt::Debug for ShardLeases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardLeases")
            .field("prefix", &self.prefix)
            .field("app", &self.app)
            .field("owner", &self.owner)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ShardLeases {
    /// Leases of bot `app_id` held as `owner` (unique per process, e.g. host + pid) with
    /// `ttl` (how long a dead owner keeps its shards: the takeover delay).
    ///
    /// # Errors
    /// [`Error::Url`] for a bad URL, [`Error::Redis`] when Redis cannot be reached.
    pub async fn connect(
        url: &str,
        app_id: &str,
        owner: impl Into<String>,
        ttl: Duration,
    ) -> Result<Self, Error> {
        let client = Client::open(url).map_err(Error::Url)?;
        let conn = crate::conn::manager(client).await?;
        Ok(Self {
            conn,
            prefix: "botgate".to_owned(),
            app: app_id.to_owned(),
            owner: owner.into(),
            ttl: ttl.max(Duration::from_millis(30)),
        })
    }

    /// Key prefix instead of `botgate`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// This process's owner id.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The fence of shard `shard` for this owner: give it to
    /// [`RedisSessionStore::fenced`](crate::RedisSessionStore::fenced) so the shard's state is
    /// written only while this process holds its lease.
    pub fn fence(&self, shard: u32) -> crate::Fence {
        crate::Fence {
            lease_key: self.key(shard),
            owner: self.owner.clone(),
        }
    }

    fn key(&self, shard: u32) -> String {
        format!("{}:lease:{}:{shard}", self.prefix, self.app)
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX)
    }

    /// Takes shard `shard` if nobody holds it; the lease renews itself until released,
    /// dropped, or lost.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn try_acquire(&self, shard: u32) -> Result<Option<Lease>, Error> {
        let key = self.key(shard);
        let mut conn = self.conn.clone();
        // The key's TTL runs from some instant after this one.
        let sent = Instant::now();
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&self.owner)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl_ms())
            .query_async(&mut conn)
            .await
            .map_err(Error::redis("acquire lease"))?;
        if set.is_none() {
            return Ok(None);
        }
        tracing::info!(shard, owner = %self.owner, "shard lease acquired");
        let (held_tx, held) = watch::channel(true);
        let renewer = tokio::spawn(renew(
            conn.clone(),
            (key.clone(), self.owner.clone()),
            self.ttl,
            sent,
            held_tx,
        ));
        Ok(Some(Lease {
            shard,
            key,
            owner: self.owner.clone(),
            conn,
            held,
            renewer,
        }))
    }

    /// Who holds shard `shard` now.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn holder(&self, shard: u32) -> Result<Option<String>, Error> {
        let mut conn = self.conn.clone();
        redis::cmd("GET")
            .arg(self.key(shard))
            .query_async(&mut conn)
            .await
            .map_err(Error::redis("read lease"))
    }
}

/// Renews until the lease is gone; `held` turns false when it is lost.
async fn renew(
    mut conn: ConnectionManager,
    (key, owner): (String, String),
    ttl: Duration,
    acquired: Instant,
    held: watch::Sender<bool>,
) {
    let script = Script::new(RENEW);
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    let period = ttl / 3;
    // When the last renewal (or the acquisition) was *sent*: the key's TTL runs from some
    // instant after it.
    let mut renewed = acquired;
    let mut wait = period;
    loop {
        tokio::time::sleep(wait).await;
        wait = period;
        // Past this instant the key may have expired and another owner may hold it: the
        // lease counts as lost then, whether or not the renewal has answered. A renewal
        // that gets no answer at all (a network partition: no error, no reset) waited for
        // good, and the lease kept reporting itself held while another process took it.
        let lost_at = renewed + (ttl - period);
        let sent = Instant::now();
        let mut invocation = script.key(&key);
        invocation.arg(&owner).arg(ttl_ms);
        let answer: Result<Result<i64, _>, _> = tokio::time::timeout(
            lost_at.saturating_duration_since(sent),
            invocation.invoke_async(&mut conn),
        )
        .await;
        match answer {
            Ok(Ok(1)) => renewed = sent,
            Ok(Ok(_)) => {
                tracing::warn!(%key, "shard lease lost: held by another owner or expired");
                held.send_replace(false);
                return;
            }
            Err(_) => {
                tracing::warn!(%key, "shard lease lost: the renewal got no answer in time");
                held.send_replace(false);
                return;
            }
            // Renewing failed: once it may have expired, it must be treated as lost.
            Ok(Err(error)) if Instant::now() >= lost_at => {
                tracing::warn!(%error, %key, "shard lease lost: not renewed in time");
                held.send_replace(false);
                return;
            }
            // Tried again soon (the connection reconnects), not a period later: that would
            // be past `lost_at`, and one dropped connection (a Redis restart) lost every
            // lease at once.
            Ok(Err(error)) => {
                tracing::warn!(%error, %key, "shard lease renewal failed; retrying");
                wait = RENEW_RETRY.min(lost_at.saturating_duration_since(Instant::now()));
            }
        }
    }
}

/// A held shard lease. Stop the shard as soon as [`lost`](Self::lost) returns. Dropping it
/// stops the renewal (the key then expires after the TTL); [`release`](Self::release) frees
/// the shard at once.
pub struct Lease {
    shard: u32,
    key: String,
    owner: String,
    conn: ConnectionManager,
    held: watch::Receiver<bool>,
    renewer: JoinHandle<()>,
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("shard", &self.shard)
            .field("key", &self.key)
            .field("held", &self.is_held())
            .finish_non_exhaustive()
    }
}

impl Lease {
    /// The shard.
    pub fn shard(&self) -> u32 {
        self.shard
    }

    /// Whether the lease is still held (as far as the last renewal knows).
    pub fn is_held(&self) -> bool {
        *self.held.borrow()
    }

    /// A receiver of the held flag (false once lost).
    pub(crate) fn held_receiver(&self) -> watch::Receiver<bool> {
        self.held.clone()
    }

    /// Resolves when the lease is lost (another owner has the key, or it could not be renewed
    /// in time). Cancel safe.
    pub async fn lost(&mut self) {
        let _ = self.held.wait_for(|held| !held).await;
    }

    /// Stops renewing and deletes the key if it is still ours: another process may take the
    /// shard at once.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached (the key then expires after the TTL).
    pub async fn release(mut self) -> Result<(), Error> {
        self.renewer.abort();
        let released: i64 = Script::new(RELEASE)
            .key(&self.key)
            .arg(&self.owner)
            .invoke_async(&mut self.conn)
            .await
            .map_err(Error::redis("release lease"))?;
        tracing::info!(
            shard = self.shard,
            released = released == 1,
            "shard lease released"
        );
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}
