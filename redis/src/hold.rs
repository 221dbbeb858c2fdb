//! [`hold_shards`]: run the shards this process can lease, and take over those of a process
//! that died (its leases expire; this loop acquires them and the shard resumes from the
//! session store).

use std::collections::HashMap;
use std::future::Future;
use std::ops::Range;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::lease::{Lease, ShardLeases};

/// Why a shard must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The lease was lost: another process may run the shard now. Stop at once.
    LeaseLost,
    /// The process is shutting down: stop cleanly (the lease is released afterwards).
    Shutdown,
}

/// Handed to each shard's future: resolves when the shard must stop.
#[derive(Debug)]
pub struct StopSignal {
    held: watch::Receiver<bool>,
    shutdown: watch::Receiver<bool>,
}

impl StopSignal {
    /// Waits until the shard must stop, and says why. Cancel safe.
    pub async fn wait(&mut self) -> StopReason {
        tokio::select! {
            _ = self.held.wait_for(|held| !held) => StopReason::LeaseLost,
            _ = self.shutdown.wait_for(|down| *down) => StopReason::Shutdown,
        }
    }
}

/// How [`hold_shards`] runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HoldConfig {
    /// The shard ids to run (e.g. `0..count`).
    pub shards: Range<u32>,
    /// Run at most this many shards in this process (the others stay for other processes).
    pub most: usize,
    /// How often free shards are looked for (the takeover delay after a lease expires).
    pub every: Duration,
}

impl HoldConfig {
    /// Every shard of `shards`, looked for every 250 ms.
    pub fn new(shards: Range<u32>) -> Self {
        Self {
            most: shards.len(),
            shards,
            every: Duration::from_millis(250),
        }
    }

    /// Sets [`most`](Self::most).
    pub fn most(mut self, most: usize) -> Self {
        self.most = most;
        self
    }

    /// Sets [`every`](Self::every).
    pub fn every(mut self, every: Duration) -> Self {
        self.every = every;
        self
    }
}

/// Leases free shards and runs `run(shard, stop)` for each, until `shutdown` resolves. The
/// future must run the shard (resuming it from the shared session store) until `stop`
/// resolves, then stop it: at once for [`StopReason::LeaseLost`], cleanly for
/// [`StopReason::Shutdown`]. When a shard's future ends (stopped, or failed on its own) its
/// lease is released and the shard may be leased again, here or elsewhere. At shutdown every
/// shard is told to stop, awaited, and released, all at once; `shutdown` is obeyed even while
/// Redis calls hang (a Redis that is gone), whose leases then expire after their TTL.
pub async fn hold_shards<F, Fut>(
    leases: &ShardLeases,
    config: HoldConfig,
    mut run: F,
    shutdown: impl Future<Output = ()>,
) where
    F: FnMut(u32, StopSignal) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (down_tx, down_rx) = watch::channel(false);
    let mut running: HashMap<u32, (Lease, JoinHandle<()>)> = HashMap::new();
    tokio::pin!(shutdown);
    loop {
        // One round: free the leases of the shards whose future ended, lease free shards.
        // With Redis gone each call takes its connect retries (seconds): the round is raced
        // against `shutdown`, which does not wait for it (a lease it leaves expires after its
        // TTL), and the leases are freed together, not one timeout after another.
        let round = async {
            let ended: Vec<u32> = running
                .iter()
                .filter(|(_, (_, task))| task.is_finished())
                .map(|(shard, _)| *shard)
                .collect();
            let ended = ended
                .into_iter()
                .filter_map(|shard| running.remove(&shard))
                .map(|(lease, _)| release(lease));
            all(ended).await;
            for shard in config.shards.clone() {
                if running.len() >= config.most || running.contains_key(&shard) {
                    continue;
                }
                match leases.try_acquire(shard).await {
                    Ok(Some(lease)) => {
                        let stop = StopSignal {
                            held: lease.held_receiver(),
                            shutdown: down_rx.clone(),
                        };
                        let task = tokio::spawn(run(shard, stop));
                        running.insert(shard, (lease, task));
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, shard, "shard lease not acquired; retrying");
                        break;
                    }
                }
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = round => {}
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(config.every) => {}
        }
    }
    down_tx.send_replace(true);
    // Every shard stops and frees its lease at the same time (with Redis gone, each release
    // takes a timeout).
    all(running
        .into_iter()
        .map(|(shard, (lease, task))| async move {
            if let Err(error) = task.await {
                tracing::warn!(%error, shard, "shard task failed");
            }
            release(lease).await;
        }))
    .await;
}

/// Runs `futures` together on the runtime; returns when all have ended (dropped: aborted).
async fn all<F>(futures: impl IntoIterator<Item = F>)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut set = JoinSet::new();
    for future in futures {
        set.spawn(future);
    }
    while set.join_next().await.is_some() {}
}

async fn release(lease: Lease) {
    let shard = lease.shard();
    if let Err(error) = lease.release().await {
        tracing::warn!(%error, shard, "shard lease not released; it expires after its TTL");
    }
}
