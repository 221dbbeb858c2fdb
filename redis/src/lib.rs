//! botgate on Redis (opt-in: applications that do not need it never compile it): what lets
//! several processes run one bot.
//!
//! - [`RedisSessionStore`]: a [`SessionStore`](botgate_session::SessionStore) in Redis (the
//!   resume point and the journal of handled events, decision 0016), so the next process to
//!   run a shard resumes it.
//! - [`RedisIdentifyQueue`]: an [`IdentifyQueue`](botgate_session::IdentifyQueue) whose
//!   buckets (`shard % max_concurrency`, one identify per 5 s) are shared by every process.
//! - [`ShardLeases`] / [`Lease`]: a shard runs in one process at a time; a lease expires
//!   when its process dies, and another takes the shard over; [`hold_shards`] runs the shards
//!   a process can lease and takes over the others' when they die.
//! - [`EventStream`] / [`Consumer`] / [`Acker`]: gateways append events to a Redis Stream,
//!   workers in a consumer group handle them (claiming what a dead worker left pending;
//!   [`Keeper`] keeps what a live one holds). The stream is trimmed to `max_len` entries the
//!   groups have read, never past one they still need; full of needed entries, a publish is
//!   refused ([`Error::StreamFull`], decision 0088).
//! - [`ActionRelay`] / [`ActionQueue`]: a worker's requests to the gateway that holds a socket
//!   (OneBot actions, replies) and the gateway's answers.
//!
//! Design and limits: decision 0018. Needs Redis 6.2 or later (`XAUTOCLAIM`).
//!
//! ```no_run
//! # fn demo() -> Result<(), botgate_redis::Error> {
//! use botgate_redis::{RedisIdentifyQueue, RedisSessionStore};
//!
//! let store = RedisSessionStore::open("redis://127.0.0.1:6379/0")?;
//! let queue = RedisIdentifyQueue::open("redis://127.0.0.1:6379/0", "102000001", 3, 2)?;
//! // give `store` to `Bot::qq(..).session_store(store)`, `queue` to shard 3's machine
//! # let _ = (store, queue);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod conn;
mod error;
mod hold;
mod identify;
mod lease;
mod relay;
mod store;
mod stream;
mod trim;

pub use error::Error;
pub use hold::{hold_shards, HoldConfig, StopReason, StopSignal};
pub use identify::RedisIdentifyQueue;
pub use lease::{Lease, ShardLeases};
pub use relay::{ActionQueue, ActionRelay, ActionRequest};
pub use store::{Fence, FencedSessionStore, RedisSessionStore};
pub use stream::{Acker, Consumer, Delivery, EventStream, Keeper, Kept};
pub use trim::Trimmed;
