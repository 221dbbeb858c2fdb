//! Per-conversation FIFO lanes with bounded concurrency, and the handled-sequence watermark.
//!
//! A lane exists while it has work, so idle conversations cost nothing; a lane is a 64-bit
//! keyed hash of its conversation (`hashing.rs`). A job for an idle lane runs at once in the
//! caller's task when a running permit is free ([`Lanes::claim`]; the lane is marked busy
//! first, so a concurrent job of the same lane queues behind it): a handler that finishes
//! without waiting costs no task, no queue, no box and no wake-up. A job that has to wait moves
//! to a worker task ([`Lanes::detach`]), which then runs the lane's later jobs one after another
//! and removes the lane when it is empty; so do jobs that find their lane busy or no running
//! slot free ([`Lanes::submit`]). Jobs of one lane never overlap and keep their order. Every
//! job holds a permit of the dispatcher's pending semaphore (taken before it was queued: that is
//! the backpressure) and a running slot while it runs (the concurrency bound).
//!
//! The sequence watermark and the running slots share the lanes' lock: a job's `seq` begins
//! and its slot is taken when its lane is claimed, and both end when the lane is released, two
//! lock turns per event in all. (The slots were a tokio semaphore: its release takes a lock of
//! its own, four more atomic operations per event.) A worker that finds no slot free waits in
//! line; a slot given back goes to the first in line.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;

use futures_util::future::BoxFuture;
use tokio::sync::{oneshot, Semaphore};

use crate::hashing::FastState;
use crate::seq::SeqTracker;

/// A lane: the keyed hash of a conversation (or of the pass-through lane).
pub(crate) type LaneId = u64;

/// One permit of a semaphore, given back when dropped (a permit taken and `forget`-ed).
pub(crate) struct Permit(Arc<Semaphore>);

impl Permit {
    /// Takes over a permit already taken from `semaphore` and forgotten.
    pub(crate) fn adopt(semaphore: &Arc<Semaphore>) -> Self {
        Self(Arc::clone(semaphore))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.add_permits(1);
    }
}

/// One unit of work: the handlers of one frame. The future never panics (handlers run under
/// `catch_unwind` inside it).
pub(crate) struct Job {
    pub(crate) work: BoxFuture<'static, ()>,
    pub(crate) pending: Permit,
    /// Its frame's sequence number, in flight (begun) until the job ends.
    pub(crate) seq: Option<u64>,
}

struct State {
    /// Lanes with a worker (or a job run from `submit`), and jobs queued behind a running one.
    queues: HashMap<LaneId, VecDeque<Job>, FastState>,
    /// Lanes whose job runs in a dispatching task now (one per concurrent `dispatch` call):
    /// marked here rather than in the map, which a handler that does not wait never touches.
    inline: Vec<LaneId>,
    seqs: SeqTracker,
    /// Jobs holding a running slot (at most `Lanes::max_running`).
    running: usize,
    /// Workers waiting for a running slot, first come first served: a slot given back is
    /// handed to the first whose receiver is still there.
    waiting: VecDeque<oneshot::Sender<()>>,
}

impl State {
    /// Takes a running slot if one is free and nobody waits for one.
    fn take_slot(&mut self, max: usize) -> bool {
        let free = self.running < max && self.waiting.is_empty();
        self.running += usize::from(free);
        free
    }

    /// Gives a running slot back: to the first worker in line, or to the free ones.
    fn give_slot(&mut self) {
        while let Some(waiter) = self.waiting.pop_front() {
            if waiter.send(()).is_ok() {
                return;
            }
        }
        self.running = self.running.saturating_sub(1);
    }
}

pub(crate) struct Lanes {
    state: Mutex<State>,
    max_running: usize,
}

impl Lanes {
    pub(crate) fn new(max_in_flight: usize) -> Self {
        Self {
            state: Mutex::new(State {
                queues: HashMap::with_hasher(FastState::default()),
                inline: Vec::new(),
                seqs: SeqTracker::default(),
                running: 0,
                waiting: VecDeque::new(),
            }),
            max_running: max_in_flight.max(1),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock, so it cannot be poisoned by a handler; recover the
        // state anyway rather than panic.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A frame with `seq` was read and needs no job.
    pub(crate) fn observe(&self, seq: Option<u64>) {
        if let Some(s) = seq {
            self.state().seqs.observe(s);
        }
    }

    /// The handled watermark ([`SeqTracker::handled`]).
    pub(crate) fn handled(&self) -> Option<u64> {
        self.state().seqs.handled()
    }

    /// Forgets the sequence numbers seen.
    pub(crate) fn reset_seq(&self) {
        self.state().seqs.reset();
    }

    /// A job for `seq` was not queued after all (the dispatcher closed while it waited).
    pub(crate) fn abandon(&self, seq: Option<u64>) {
        if let Some(s) = seq {
            self.state().seqs.end(s);
        }
    }

    /// Begins `seq` and, when `may_run` and the lane is idle and a running slot is free,
    /// marks the lane busy and takes the slot (`true`): the caller runs the job now, then calls
    /// [`release`](Self::release) (or [`detach`](Self::detach) if it has to wait). `false`: the
    /// job goes to [`submit`](Self::submit).
    pub(crate) fn claim(&self, lane: LaneId, seq: Option<u64>, may_run: bool) -> bool {
        let mut state = self.state();
        if let Some(s) = seq {
            state.seqs.begin(s);
        }
        if !may_run || state.inline.contains(&lane) || state.queues.contains_key(&lane) {
            return false;
        }
        if !state.take_slot(self.max_running) {
            return false;
        }
        state.inline.push(lane);
        true
    }

    /// Ends a job that ran in the caller's task: gives its running slot back, ends its `seq`,
    /// and starts a worker for the jobs queued behind it meanwhile, if any.
    pub(crate) fn release(self: &Arc<Self>, lane: LaneId, seq: Option<u64>) {
        if let Some(next) = self.finish(lane, seq) {
            tokio::spawn(Arc::clone(self).work(lane, next));
        }
    }

    /// A job started by [`claim`](Self::claim) waits: a worker finishes it (polling it again
    /// registers the worker's waker), then the lane's later jobs. The job keeps the running
    /// slot of the claim until it ends.
    pub(crate) fn detach(
        self: &Arc<Self>,
        lane: LaneId,
        work: BoxFuture<'static, ()>,
        pending: Permit,
        seq: Option<u64>,
    ) {
        {
            // The lane is the worker's now.
            let mut state = self.state();
            if let Some(i) = state.inline.iter().position(|l| *l == lane) {
                state.inline.swap_remove(i);
            }
            state.queues.entry(lane).or_default();
        }
        tokio::spawn(Arc::clone(self).resume(lane, Job { work, pending, seq }));
    }

    /// Queues `job` behind the lane's earlier jobs, or, when the lane is idle, runs it now if a
    /// running slot is free (until its first wait) or starts a worker for it. Its `seq` was
    /// begun by [`claim`](Self::claim).
    pub(crate) async fn submit(self: &Arc<Self>, lane: LaneId, job: Job) {
        {
            let mut state = self.state();
            if let Some(queue) = state.queues.get_mut(&lane) {
                queue.push_back(job);
                return;
            }
            if state.inline.contains(&lane) {
                // Behind a job running in a dispatching task: its `release` starts a worker.
                state.queues.insert(lane, VecDeque::from([job]));
                return;
            }
            state.queues.insert(lane, VecDeque::new());
            if !state.take_slot(self.max_running) {
                drop(state);
                tokio::spawn(Arc::clone(self).work(lane, job));
                return;
            }
        }
        // No lock is held while the handlers run: they may dispatch themselves.
        let Job {
            mut work,
            pending,
            seq,
        } = job;
        let finished = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx).is_ready()));
        if !finished.await {
            self.detach(lane, work, pending, seq);
            return;
        }
        self.release(lane, seq);
        drop(pending);
    }

    /// Number of lanes with work (queued or running).
    pub(crate) fn active(&self) -> usize {
        let state = self.state();
        let inline_only = state
            .inline
            .iter()
            .filter(|l| !state.queues.contains_key(l))
            .count();
        state.queues.len() + inline_only
    }

    /// Gives the ended job's running slot back, ends its `seq`, and takes the lane's next job,
    /// or removes the lane (it is empty).
    fn finish(&self, lane: LaneId, seq: Option<u64>) -> Option<Job> {
        let mut state = self.state();
        state.give_slot();
        if let Some(s) = seq {
            state.seqs.end(s);
        }
        if let Some(i) = state.inline.iter().position(|l| *l == lane) {
            state.inline.swap_remove(i);
        }
        if state.queues.is_empty() {
            return None;
        }
        let next = state.queues.get_mut(&lane).and_then(VecDeque::pop_front);
        if next.is_none() {
            state.queues.remove(&lane);
        }
        next
    }

    /// Finishes a job that started in the caller's task, then works the lane.
    async fn resume(self: Arc<Self>, lane: LaneId, job: Job) {
        let Job { work, pending, seq } = job;
        work.await;
        let next = self.finish(lane, seq);
        drop(pending);
        if let Some(next) = next {
            self.work(lane, next).await;
        }
    }

    async fn work(self: Arc<Self>, lane: LaneId, first: Job) {
        let mut job = first;
        loop {
            self.running_slot().await;
            let Job { work, pending, seq } = job;
            work.await;
            let next = self.finish(lane, seq);
            drop(pending);
            match next {
                Some(next) => job = next,
                None => return,
            }
        }
    }

    /// Waits for a running slot, in line behind the workers already waiting.
    async fn running_slot(&self) {
        let handed = {
            let mut state = self.state();
            if state.take_slot(self.max_running) {
                return;
            }
            let (slot, handed) = oneshot::channel();
            state.waiting.push_back(slot);
            handed
        };
        // A slot is handed over by `give_slot` (the sender is never dropped unsent while a
        // job runs, and the lanes outlive their workers).
        let _ = handed.await;
    }

    /// Running slots taken now (for tests).
    #[cfg(test)]
    pub(crate) fn running(&self) -> usize {
        self.state().running
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn job(lane: LaneId, order: &Arc<Mutex<Vec<LaneId>>>, pending: &Arc<Semaphore>) -> Job {
        pending.try_acquire().unwrap().forget();
        let order = Arc::clone(order);
        Job {
            work: Box::pin(async move { order.lock().unwrap().push(lane) }),
            pending: Permit::adopt(pending),
            seq: None,
        }
    }

    #[tokio::test]
    async fn a_slot_given_back_goes_to_the_first_worker_in_line_and_every_slot_comes_back() {
        let lanes = Arc::new(Lanes::new(1));
        let pending = Arc::new(Semaphore::new(10));
        let order = Arc::new(Mutex::new(Vec::new()));
        // The one slot, taken by a job running in the caller's task.
        assert!(lanes.claim(1, None, true));
        assert!(!lanes.claim(4, None, true), "no second slot");
        assert_eq!(lanes.running(), 1);
        for lane in [2, 3] {
            lanes.submit(lane, job(lane, &order, &pending)).await;
        }
        // Both went to workers, which wait in line for the slot.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(order.lock().unwrap().is_empty());
        assert_eq!(lanes.running(), 1);

        lanes.release(1, None);
        // Every pending permit back: both jobs ended.
        drop(pending.acquire_many(10).await.unwrap());
        assert_eq!(*order.lock().unwrap(), vec![2, 3]);
        assert_eq!(lanes.running(), 0);
        assert_eq!(lanes.active(), 0);
        // Lane 4's claim above began no job; its slot is free now.
        assert!(lanes.claim(4, None, true));
        lanes.release(4, None);
        assert_eq!(lanes.running(), 0);
    }
}
