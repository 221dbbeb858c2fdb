//! [`run_shards`]: one driver per shard, events merged into one channel tagged by shard.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::config::DriverConfig;
use super::handle::{DriverError, DriverHandle};
use super::link::Link;
use super::task::Mode;
use crate::event::SessionEvent;
use crate::identify::IdentifyQueue;
use crate::machine::SessionMachine;

/// An event of one shard.
#[derive(Debug)]
#[non_exhaustive]
pub struct ShardEvent {
    /// The shard id.
    pub shard: u32,
    /// The event.
    pub event: SessionEvent,
}

/// The drivers of a set of shards.
#[non_exhaustive]
pub struct Shards<M> {
    /// `(shard id, handle)`, in shard order.
    pub handles: Vec<(u32, DriverHandle<M>)>,
}

impl<M> fmt::Debug for Shards<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.handles.iter().map(|(id, h)| (id, h)))
            .finish()
    }
}

impl<M: Send + 'static> Shards<M> {
    /// The handle of shard `id`.
    pub fn get(&self, id: u32) -> Option<&DriverHandle<M>> {
        self.handles.iter().find(|(s, _)| *s == id).map(|(_, h)| h)
    }

    /// Shuts every shard down (in order) and returns the machines.
    pub async fn shutdown(self) -> Result<Vec<(u32, M)>, DriverError> {
        let mut machines = Vec::with_capacity(self.handles.len());
        for (id, handle) in self.handles {
            machines.push((id, handle.shutdown().await?));
        }
        Ok(machines)
    }
}

/// Spawns one driver per shard id in `shards`. `make_machine(id, queue)` builds each shard's
/// machine; give the queue to it (QQ: `config.identify_queue = queue; config.shard = [id,
/// total]`): the machine reserves an identify slot from it before every Identify, so shards
/// identify at most `max_concurrency` per window (QQ: `session_start_limit.max_concurrency`
/// per 5 s, [`LocalIdentifyQueue::new`](crate::LocalIdentifyQueue::new)), across processes
/// too when the queue is shared (Redis). Events of all shards share one channel of
/// `config.event_capacity`; a slow consumer slows every shard.
pub fn run_shards<M, F>(
    shards: Range<u32>,
    mut make_machine: F,
    queue: Arc<dyn IdentifyQueue>,
    config: &DriverConfig,
) -> (Shards<M>, super::EventReceiver<ShardEvent>)
where
    M: SessionMachine + Send + 'static,
    F: FnMut(u32, Arc<dyn IdentifyQueue>) -> M,
{
    let (tx, rx) = super::channel::channel(config.event_capacity);
    let handles = shards
        .map(|shard| {
            let machine = make_machine(shard, queue.clone());
            let wrap = move |event| ShardEvent { shard, event };
            let handle = super::spawn(machine, Mode::Dial, Link::Down, tx.clone(), wrap, config);
            (shard, handle)
        })
        .collect();
    (Shards { handles }, rx)
}
