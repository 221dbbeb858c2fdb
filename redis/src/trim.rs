//! How the event stream is bounded without dropping an entry a consumer group still needs
//! (decision 0088).
//!
//! Now and then (every `publishes` appends or after `interval`, [`Trim`]) an append runs a
//! script that makes a trim pass first. The pass finds the floor, the oldest entry some group
//! still needs (per group: its oldest pending entry that the stream still holds, else its
//! last-delivered entry, kept as a margin of one), and removes whole nodes of the oldest
//! entries down to about `max_len`, none at or above the floor (`XTRIM MINID ~ floor LIMIT
//! len - max_len`: no entry is read; a pass costs what freeing its nodes costs, about 0.2 ms
//! of Redis for 1,000 entries of 1 KiB, as `MAXLEN ~` did spread over the appends). With no
//! group at all the floor is unbounded: the stream keeps its newest `max_len` entries, as
//! `MAXLEN ~` did.
//!
//! Nothing here drops an unread entry: when the entries groups still need fill the stream to
//! `hard_max_len` (after a pass, and an exact `XTRIM MINID floor` if the pass left it full),
//! the script appends nothing and the publish is refused ([`Error::StreamFull`]), which holds
//! the gateway back (backpressure) until the workers catch up.
//!
//! The other appends are a plain `XADD` (the script costs Redis about five times as much),
//! while this handle last saw the stream less than half full: it counts its own appends on
//! that view, so only the others' appends between two of its passes (at most `publishes` or
//! `interval` of traffic) could carry the stream from half full past the cap unchecked. Once
//! it has seen the stream half full, every append is checked.
//!
//! Sharp edges: a group nobody reads any more (an old deployment's) holds the trim for good;
//! destroy it (`XGROUP DESTROY`). A group created later starts from what the stream still
//! holds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::Script;

use crate::error::Error;

/// The most entries one regular trim pass removes (`LIMIT`, Redis's own default for `~`): a
/// stream far above `max_len` (a lowered `max_len`, workers that caught up after a long
/// outage) shrinks over several passes (about 2 ms of Redis each, 1 KiB entries) instead of
/// in one long script (19 ms for 100,000).
const TRIM_MOST: usize = 10_000;

/// The script's modes (its ARGV[1]): an append checked against `hard_max_len`; a trim pass,
/// then that append; a trim pass alone.
const APPEND: u8 = 0;
const TRIM_THEN_APPEND: u8 = 1;
const TRIM_ONLY: u8 = 2;

/// The script of every append and trim.
///
/// KEYS[1] the stream. ARGV[1] mode: 0 append, 1 trim then append, 2 trim only; ARGV[2]
/// `max_len`; ARGV[3] `hard_max_len`; ARGV[4] the most entries a pass removes; ARGV[5..] the
/// entry's fields and values. Answers `{appended 0/1, id or '', length, removed}`.
const SCRIPT: &str = r"
local key = KEYS[1]
local mode = tonumber(ARGV[1])
local max_len = tonumber(ARGV[2])
local hard = tonumber(ARGV[3])
local most = tonumber(ARGV[4])

-- Ids compare as two decimal integers (Redis writes them without leading zeros).
local function num_lt(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local function lt(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if am ~= bm then return num_lt(am, bm) end
  return num_lt(as, bs)
end

-- The oldest entry a group still needs (nil without groups): per group its oldest pending
-- entry from `first` on (a pending id below it is gone already), else its last-delivered id.
local function floor(first)
  local low = nil
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local name, need
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1]
      elseif g[i] == 'last-delivered-id' then need = g[i + 1] end
    end
    local p = redis.call('XPENDING', key, name, first, '+', 1)[1]
    if p and lt(p[1], need) then need = p[1] end
    if low == nil or lt(need, low) then low = need end
  end
  return low
end

-- One pass; how many entries went. Whole nodes of the oldest entries, down to about
-- max_len (`~`, at most `most`), none at or above the floor; `exact` (the stream is full):
-- every entry below the floor, read history and all.
local function trim(len, exact)
  if len <= max_len then return 0 end
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1][1]
  local low = floor(first)
  if low == nil then
    if exact then return redis.call('XTRIM', key, 'MAXLEN', max_len) end
    return redis.call('XTRIM', key, 'MAXLEN', '~', max_len, 'LIMIT', most)
  end
  if not lt(first, low) then return 0 end
  if exact then return redis.call('XTRIM', key, 'MINID', low) end
  return redis.call('XTRIM', key, 'MINID', '~', low, 'LIMIT', math.min(len - max_len, most))
end

local len = redis.call('XLEN', key)
local removed = 0
if mode ~= 0 or len >= hard then
  removed = trim(len, false)
  len = len - removed
end
if len >= hard then
  local more = trim(len, true)
  removed = removed + more
  len = len - more
end
if mode == 2 or len >= hard then
  return {0, '', len, removed}
end
local id = redis.call('XADD', key, '*', unpack(ARGV, 5))
return {1, id, len + 1, removed}
";

/// What a trim pass did ([`EventStream::trim`](crate::EventStream::trim)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trimmed {
    /// Entries removed (every consumer group had read and acknowledged them, or there was
    /// no group and they were past `max_len`).
    pub removed: u64,
    /// Entries the stream holds now.
    pub len: u64,
}

/// When a trim pass runs, and how far it trims: one per [`EventStream`](crate::EventStream),
/// its clones share the count.
#[derive(Debug, Clone)]
pub(crate) struct Trim {
    script: Script,
    pub(crate) max_len: usize,
    /// `None`: four times `max_len`.
    pub(crate) hard_max_len: Option<usize>,
    pub(crate) every: u32,
    pub(crate) interval: Duration,
    since: Arc<Mutex<Since>>,
}

/// Appends and time since the last pass, and the stream's length as last seen.
#[derive(Debug)]
struct Since {
    appends: u32,
    at: Instant,
    /// The length the last script answered, plus the plain appends since; `None` before.
    len: Option<u64>,
}

/// How one append goes.
enum Plan {
    /// A plain `XADD`: the stream was far from full.
    Plain,
    /// The script, in this mode ([`APPEND`] or [`TRIM_THEN_APPEND`]).
    Script(u8),
}

/// How an append went.
pub(crate) struct Answer {
    /// The new entry's id; `None` when the stream was full.
    pub(crate) id: Option<String>,
    /// The stream's length, when the script told it (always when it refused).
    pub(crate) len: Option<u64>,
}

impl Trim {
    pub(crate) fn new() -> Self {
        Self {
            script: Script::new(SCRIPT),
            max_len: 100_000,
            hard_max_len: None,
            every: 1_000,
            interval: Duration::from_secs(1),
            since: Arc::new(Mutex::new(Since {
                appends: 0,
                at: Instant::now(),
                len: None,
            })),
        }
    }

    /// The most entries the stream holds: above `max_len`, or every group's reads would
    /// leave it full.
    pub(crate) fn hard_max_len(&self) -> usize {
        self.hard_max_len
            .unwrap_or(self.max_len.saturating_mul(4))
            .max(self.max_len.saturating_add(1))
    }

    fn since(&self) -> std::sync::MutexGuard<'_, Since> {
        self.since.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How the next append goes: a trim pass first when one is due (the count starts over),
    /// else plain while the stream was seen less than half full.
    fn plan(&self) -> Plan {
        let mut since = self.since();
        since.appends = since.appends.saturating_add(1);
        if since.appends >= self.every || since.at.elapsed() >= self.interval {
            since.appends = 0;
            since.at = Instant::now();
            return Plan::Script(TRIM_THEN_APPEND);
        }
        let half = u64::try_from(self.hard_max_len() / 2).unwrap_or(u64::MAX);
        match since.len {
            Some(len) if len.saturating_add(1) < half => {
                since.len = Some(len + 1);
                Plan::Plain
            }
            _ => Plan::Script(APPEND),
        }
    }

    /// Appends an entry of `fields` to stream `key` (a trim pass first when one is due; an
    /// append checked against `hard_max_len` when the stream may be near it).
    pub(crate) async fn append(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        fields: &[&[u8]],
    ) -> Result<Answer, Error> {
        match self.plan() {
            Plan::Script(mode) => {
                let (id, trimmed) = self.script(conn, key, mode, fields, "publish").await?;
                Ok(Answer {
                    id,
                    len: Some(trimmed.len),
                })
            }
            Plan::Plain => {
                let mut cmd = redis::cmd("XADD");
                cmd.arg(key).arg("*");
                for field in fields {
                    cmd.arg(*field);
                }
                let id: String = cmd
                    .query_async(conn)
                    .await
                    .map_err(Error::redis("publish"))?;
                Ok(Answer {
                    id: Some(id),
                    len: None,
                })
            }
        }
    }

    /// One trim pass, now.
    pub(crate) async fn trim(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
    ) -> Result<Trimmed, Error> {
        let (_, trimmed) = self.script(conn, key, TRIM_ONLY, &[], "trim").await?;
        Ok(trimmed)
    }

    /// Runs the script; the new entry's id (if it appended) and what its pass did. The
    /// length it answers is the view the next appends count on.
    async fn script(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
        mode: u8,
        fields: &[&[u8]],
        op: &'static str,
    ) -> Result<(Option<String>, Trimmed), Error> {
        let mut call = self.script.key(key);
        call.arg(mode)
            .arg(self.max_len)
            .arg(self.hard_max_len())
            .arg(TRIM_MOST);
        for field in fields {
            call.arg(*field);
        }
        let (appended, id, len, removed): (u8, String, u64, u64) =
            call.invoke_async(conn).await.map_err(Error::redis(op))?;
        self.since().len = Some(len);
        if removed > 0 {
            tracing::trace!(%key, removed, len, "stream trimmed");
        }
        Ok(((appended == 1).then_some(id), Trimmed { removed, len }))
    }
}
