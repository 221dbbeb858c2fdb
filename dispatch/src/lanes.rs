//! Per-conversation FIFO lanes with bounded concurrency.
//!
//! A lane exists while it has work: the first job for a key spawns a worker task that runs the
//! lane's jobs one after another and removes the lane when it is empty, so jobs of one key never
//! overlap and keep their order, and idle keys cost nothing. Every job holds a permit of the
//! dispatcher's pending semaphore (taken before it was queued: that is the backpressure) and
//! takes a permit of the running semaphore while it runs (that is the concurrency bound).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::platform::ConversationKey;

/// Which lane a job runs in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum LaneKey {
    /// The pass-through lane: every frame's `on_raw` handlers, in arrival order.
    Raw,
    /// One conversation.
    Conversation(ConversationKey),
}

/// One unit of work: the handlers of one frame. The future never panics (handlers run under
/// `catch_unwind` inside it).
pub(crate) struct Job {
    pub(crate) work: BoxFuture<'static, ()>,
    pub(crate) pending: OwnedSemaphorePermit,
}

pub(crate) struct Lanes {
    queues: Mutex<HashMap<LaneKey, VecDeque<Job>>>,
    running: Arc<Semaphore>,
}

impl Lanes {
    pub(crate) fn new(max_in_flight: usize) -> Self {
        Self {
            queues: Mutex::new(HashMap::new()),
            running: Arc::new(Semaphore::new(max_in_flight)),
        }
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<LaneKey, VecDeque<Job>>> {
        // No user code runs under this lock, so it cannot be poisoned by a handler; recover the
        // map anyway rather than panic.
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `job` behind the lane's earlier jobs, starting a worker if the lane was idle.
    pub(crate) fn submit(self: &Arc<Self>, key: LaneKey, job: Job) {
        let mut queues = self.queues();
        match queues.entry(key) {
            Entry::Occupied(mut lane) => lane.get_mut().push_back(job),
            Entry::Vacant(slot) => {
                let key = slot.key().clone();
                slot.insert(VecDeque::new());
                drop(queues);
                tokio::spawn(Arc::clone(self).work(key, job));
            }
        }
    }

    /// Number of lanes with work (queued or running).
    pub(crate) fn active(&self) -> usize {
        self.queues().len()
    }

    async fn work(self: Arc<Self>, key: LaneKey, first: Job) {
        let mut job = first;
        loop {
            // The running semaphore is never closed; if it were, run unbounded rather than
            // lose the job.
            let running = Arc::clone(&self.running).acquire_owned().await.ok();
            let Job { work, pending } = job;
            work.await;
            drop(running);
            drop(pending);
            let mut queues = self.queues();
            match queues.get_mut(&key).and_then(VecDeque::pop_front) {
                Some(next) => job = next,
                None => {
                    queues.remove(&key);
                    return;
                }
            }
        }
    }
}
