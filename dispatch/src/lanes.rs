//! Per-conversation FIFO lanes with bounded concurrency.
//!
//! A lane exists while it has work, so idle keys cost nothing. A job for an idle lane runs at
//! once in the caller's task when a running permit is free (the lane is marked busy first, so a
//! concurrent job of the same key queues behind it): a handler that finishes without waiting
//! costs no task, no queue and no wake-up. A job that has to wait (its first poll is pending)
//! moves to a worker task, which then runs the lane's later jobs one after another and removes
//! the lane when it is empty; so do jobs that find their lane busy or no running permit free.
//! Jobs of one key never overlap and keep their order. Every job holds a permit of the
//! dispatcher's pending semaphore (taken before it was queued: that is the backpressure) and a
//! permit of the running semaphore while it runs (that is the concurrency bound).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;

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

    /// Runs `job` now if its lane is idle and a running permit is free (until its first wait);
    /// otherwise queues it behind the lane's earlier jobs, starting a worker if the lane was idle.
    pub(crate) async fn submit(self: &Arc<Self>, key: LaneKey, job: Job) {
        let (key, running) = {
            let mut queues = self.queues();
            match queues.entry(key) {
                Entry::Occupied(mut lane) => {
                    lane.get_mut().push_back(job);
                    return;
                }
                Entry::Vacant(slot) => {
                    let key = slot.key().clone();
                    slot.insert(VecDeque::new());
                    match Arc::clone(&self.running).try_acquire_owned() {
                        Ok(running) => (key, running),
                        Err(_) => {
                            drop(queues);
                            tokio::spawn(Arc::clone(self).work(key, job));
                            return;
                        }
                    }
                }
            }
        };
        // No lock is held while the handlers run: they may dispatch themselves.
        let Job { mut work, pending } = job;
        let finished = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx).is_ready()));
        if !finished.await {
            // It waits for something: a worker finishes it (polling it again registers the
            // worker's waker), then the lane's later jobs.
            tokio::spawn(Arc::clone(self).resume(key, work, pending, running));
            return;
        }
        drop(running);
        drop(pending);
        if let Some(next) = self.next(&key) {
            tokio::spawn(Arc::clone(self).work(key, next));
        }
    }

    /// Number of lanes with work (queued or running).
    pub(crate) fn active(&self) -> usize {
        self.queues().len()
    }

    /// The lane's next job, or `None` after removing the lane (it is empty).
    fn next(&self, key: &LaneKey) -> Option<Job> {
        let mut queues = self.queues();
        let next = queues.get_mut(key).and_then(VecDeque::pop_front);
        if next.is_none() {
            queues.remove(key);
        }
        next
    }

    /// Finishes a job that started in the caller's task, then works the lane.
    async fn resume(
        self: Arc<Self>,
        key: LaneKey,
        work: BoxFuture<'static, ()>,
        pending: OwnedSemaphorePermit,
        running: OwnedSemaphorePermit,
    ) {
        work.await;
        drop(running);
        drop(pending);
        if let Some(next) = self.next(&key) {
            self.work(key, next).await;
        }
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
            match self.next(&key) {
                Some(next) => job = next,
                None => return,
            }
        }
    }
}
