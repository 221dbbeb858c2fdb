//! Per-conversation FIFO lanes with bounded concurrency, and the handled-sequence watermark.
//!
//! A lane exists while it has work, so idle conversations cost nothing; a lane is a 64-bit
//! keyed hash of its conversation (`hashing.rs`). A job for an idle lane runs at once in the
//! caller's task when a running slot is free ([`Lanes::claim`]; the lane is marked busy
//! first, so a concurrent job of the same lane queues behind it): a handler that finishes
//! without waiting costs no task, no queue, no box and no wake-up. A job that has to wait moves
//! to a worker task ([`Lanes::detach`]), which then runs the lane's later jobs one after another
//! and removes the lane when it is empty; so do jobs that find their lane busy or no running
//! slot free ([`Lanes::submit`]). Jobs of one lane never overlap and keep their order. Every
//! job is counted as pending from its acceptance to its end (at most `max_pending`: that is the
//! backpressure) and holds a running slot while it runs (the concurrency bound).
//!
//! The sequence watermark, the pending count and the running slots share the lanes' lock: a
//! job's `seq` begins, it is accepted and its slot is taken when its lane is claimed, and all
//! three end when the lane is released, two lock turns per event in all. (The pending count
//! and the slots were tokio semaphores: each release took a lock of its own, eight more atomic
//! operations per event.) Whoever finds no room or no slot waits in line: a dispatcher for
//! room, a worker for a slot; what is given back goes to the first in line. [`Lanes::drain`]
//! (the dispatcher's `idle` and `shutdown`) waits until nothing is pending, and jobs accepted
//! after it started wait behind it.
//!
//! The bot identity contexts carry, the dedupe window and the counts of the events run in the
//! caller's task share the lock too (decision 0089): an event's claim drops it as a resend or
//! reads the bot and counts its acceptance, its release counts its handlers, with no lock turn
//! or atomic operation of their own (each locked instruction cost ≈ 1 % of a QQ event end to
//! end).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::Poll;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;

use botgate_session::{DedupeWindow, FingerprintState};

use crate::completion::{Completion, Unfinished};
use crate::context::BotInfo;
use crate::hashing::FastState;
use crate::seq::{SeqTicket, SeqTracker};

/// A lane: the keyed hash of a conversation (or of the pass-through lane).
pub(crate) type LaneId = u64;

/// One accepted job's place in the pending count, given back when dropped (or by
/// [`Lanes::finish`], which takes it over). Weak: queued jobs are inside the lanes.
pub(crate) struct Pending(Option<Weak<Lanes>>);

impl Pending {
    /// Takes over the place of a job accepted by [`Lanes::claim`].
    pub(crate) fn adopt(lanes: &Arc<Lanes>) -> Self {
        Self(Some(Arc::downgrade(lanes)))
    }

    /// Hands the place over to the caller, who gives it back under the lock.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(lanes) = self.0.take().and_then(|lanes| lanes.upgrade()) {
            lanes.state().end_pending(&lanes);
        }
    }
}

/// One unit of work: the handlers of one frame. The future never panics: handlers run under
/// `catch_unwind` inside it, and so does a [`Completion`](crate::Completion)'s callback.
pub(crate) struct Job {
    pub(crate) work: BoxFuture<'static, ()>,
    pub(crate) pending: Pending,
    /// Its frame's sequence number, in flight (begun) until the job ends.
    pub(crate) seq: Option<SeqTicket>,
}

/// A begun sequence number, ended on drop unless [`pass`](Self::pass)ed on (see
/// [`Lanes::begin`], [`Lanes::begun`]).
#[must_use]
pub(crate) struct Begun<'a> {
    lanes: &'a Lanes,
    seq: Option<SeqTicket>,
}

impl Begun<'_> {
    /// The `seq` is a job's now: it ends when the job does.
    pub(crate) fn pass(mut self) {
        self.seq = None;
    }

    /// The job was refused (the lanes closed while it waited for room): its frame was not
    /// handled, so its `seq` stays in flight and the watermark stays below it for good.
    pub(crate) fn refuse(self) {
        // Taken like a passed one, by nobody: never ended.
        self.pass();
    }
}

impl Drop for Begun<'_> {
    fn drop(&mut self) {
        self.lanes.abandon(self.seq.take());
    }
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
    /// Jobs accepted and not ended (at most `Lanes::max_pending`).
    pending: usize,
    /// No job is accepted any more.
    closed: bool,
    /// Dispatchers waiting for room and drains waiting for nothing to be pending, served in
    /// arrival order.
    line: VecDeque<InLine>,
    /// The bot identity an event's context carries, read by its claim.
    bot: Arc<BotInfo>,
    /// What [`Lanes::claim_event`] and [`Lanes::release_event`] counted.
    counts: EventCounts,
    /// Fingerprints of recent dedupe keys (`hashing.rs`).
    seen: DedupeWindow<u128, FingerprintState>,
    /// The completions of resends dropped while their frame's `seq` was in flight (its
    /// original still running), each released as handled once that `seq` has ended
    /// ([`Lanes::park`]). Empty but for a replay over a running event: the end of a job only
    /// looks at its length.
    parked: Vec<(u64, Unfinished)>,
}

/// Events run in the caller's task, counted under the lanes' lock (the dispatcher's other
/// counts are atomic counters: see `stats.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EventCounts {
    /// Events accepted by a claim that ran them at once.
    pub(crate) accepted: u64,
    /// Their handler invocations that returned `Ok`.
    pub(crate) handled: u64,
}

/// Who waits in [`State::line`].
enum InLine {
    /// A dispatcher: it gets its place (`Some`), or `None` once the lanes are closed.
    Room(oneshot::Sender<Option<Pending>>),
    /// A drain, and whether it closes the lanes.
    Drain(bool, oneshot::Sender<()>),
}

impl State {
    /// Accepts a job if there is room and nobody waits before it (or, for a dispatch made by
    /// a handler, `nested`, whoever waits: see [`Lanes::accept`]).
    fn accept(&mut self, max: usize, nested: bool) -> bool {
        let room = !self.closed && self.pending < max && (nested || self.line.is_empty());
        self.pending += usize::from(room);
        room
    }

    /// The parked completions whose `seq` is no longer in flight, taken out: the caller
    /// [`finish`](Unfinished::finish)es them after the lock (their callbacks are user code).
    /// No allocation while none is parked.
    fn unparked(&mut self) -> Vec<Unfinished> {
        if self.parked.is_empty() {
            return Vec::new();
        }
        let seqs = &self.seqs;
        let (still, ended) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|(seq, _)| seqs.is_in_flight(*seq));
        self.parked = still;
        ended.into_iter().map(|(_, done)| done).collect()
    }

    /// A job ended: its place goes to the line.
    fn end_pending(&mut self, lanes: &Arc<Lanes>) {
        self.pending = self.pending.saturating_sub(1);
        self.settle(lanes);
    }

    /// Serves the line from its front as far as it can: a dispatcher when there is room (or
    /// with `None` once closed), a drain when nothing is pending (closing the lanes if it
    /// asks).
    fn settle(&mut self, lanes: &Arc<Lanes>) {
        while let Some(first) = self.line.front() {
            match first {
                InLine::Room(_) if !self.closed && self.pending >= lanes.max_pending => return,
                InLine::Drain(..) if self.pending > 0 => return,
                _ => {}
            }
            match self.line.pop_front() {
                Some(InLine::Room(waiter)) if self.closed => {
                    let _ = waiter.send(None);
                }
                Some(InLine::Room(waiter)) => {
                    self.pending += 1;
                    // A dispatcher that stopped waiting: its place comes back here (not
                    // through `Pending`'s drop, which would take this lock again).
                    if let Err(Some(place)) = waiter.send(Some(Pending::adopt(lanes))) {
                        place.disarm();
                        self.pending -= 1;
                    }
                }
                Some(InLine::Drain(close, drained)) => {
                    if close {
                        self.closed = true;
                        lanes.closed.store(true, Ordering::Relaxed);
                    }
                    let _ = drained.send(());
                }
                None => return,
            }
        }
    }

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

/// An `idle` drain waiting in line; dropped before it was served (its caller gave up, e.g. a
/// timeout), it leaves the line: dispatchers behind it would otherwise wait until nothing is
/// pending, for ever behind a handler that never returns. A shutdown's drain stays: the
/// lanes close once drained, as asked.
struct LeaveLine<'a> {
    lanes: &'a Arc<Lanes>,
    /// Its receiver, `None` once served.
    drained: Option<oneshot::Receiver<()>>,
}

impl Drop for LeaveLine<'_> {
    fn drop(&mut self) {
        let Some(drained) = self.drained.take() else {
            return;
        };
        // Dropped first: its sender in line then reads as closed.
        drop(drained);
        let mut state = self.lanes.state();
        state
            .line
            .retain(|w| !matches!(w, InLine::Drain(false, done) if done.is_closed()));
        state.settle(self.lanes);
    }
}

pub(crate) struct Lanes {
    state: Mutex<State>,
    max_running: usize,
    max_pending: usize,
    /// `State::closed`, read without the lock by every dispatch.
    closed: AtomicBool,
}

impl Lanes {
    pub(crate) fn new(
        max_in_flight: usize,
        max_pending: usize,
        bot: Arc<BotInfo>,
        dedupe_window: usize,
    ) -> Self {
        Self {
            state: Mutex::new(State {
                queues: HashMap::with_hasher(FastState::default()),
                inline: Vec::new(),
                seqs: SeqTracker::default(),
                running: 0,
                waiting: VecDeque::new(),
                pending: 0,
                closed: false,
                line: VecDeque::new(),
                bot,
                counts: EventCounts::default(),
                seen: DedupeWindow::with_hasher(dedupe_window, FingerprintState),
                parked: Vec::new(),
            }),
            max_running: max_in_flight.max(1),
            max_pending: max_pending.max(1),
            closed: AtomicBool::new(false),
        }
    }

    /// Whether jobs are refused (after [`drain`](Self::drain) closed the lanes).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Jobs accepted and not ended.
    pub(crate) fn pending(&self) -> usize {
        self.state().pending
    }

    /// Waits for room and accepts a job (its place: dropped, it is given back), behind the
    /// dispatchers and drains already waiting, or before them for a dispatch made by a
    /// handler; `None` once the lanes are closed.
    pub(crate) async fn accept(self: &Arc<Self>) -> Option<Pending> {
        // A handler's own dispatch goes before everyone in line: an `idle` / `shutdown` there
        // waits for that handler, which would otherwise wait for it (a deadlock).
        let nested = crate::job::in_job();
        let placed = {
            let mut state = self.state();
            if state.accept(self.max_pending, nested) {
                return Some(Pending::adopt(self));
            }
            if state.closed {
                return None;
            }
            let (place, placed) = oneshot::channel();
            if nested {
                state.line.push_front(InLine::Room(place));
            } else {
                state.line.push_back(InLine::Room(place));
            }
            placed
        };
        placed.await.ok().flatten()
    }

    /// Waits until no job is pending; jobs accepted after this call wait behind it. With
    /// `close`, no job is accepted from then on (the waiting ones get `None`).
    pub(crate) async fn drain(self: &Arc<Self>, close: bool) {
        let drained = {
            let mut state = self.state();
            if state.closed {
                return;
            }
            let (done, drained) = oneshot::channel();
            state.line.push_back(InLine::Drain(close, done));
            state.settle(self);
            drained
        };
        let mut waiting = LeaveLine {
            lanes: self,
            drained: Some(drained),
        };
        if let Some(drained) = waiting.drained.as_mut() {
            let _ = drained.await;
        }
        waiting.drained = None;
    }

    /// Closes at once, without waiting for the pending jobs: whoever waits in line stops
    /// waiting (dispatchers get `None`, drains return), and no job is accepted from now on.
    /// The jobs accepted already are left as they are: one that runs may still finish.
    pub(crate) fn close(&self) {
        let line = {
            let mut state = self.state();
            state.closed = true;
            self.closed.store(true, Ordering::Relaxed);
            std::mem::take(&mut state.line)
        };
        // Woken outside the lock: a waiter on another thread may run at once.
        for waiter in line {
            match waiter {
                InLine::Room(waiter) => {
                    let _ = waiter.send(None);
                }
                InLine::Drain(_, drained) => {
                    let _ = drained.send(());
                }
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock, so it cannot be poisoned by a handler; recover the
        // state anyway rather than panic.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The bot identity contexts carry from now on. The one it replaces is dropped after the
    /// lock is given back: its action and reply handles are user code, which may look at the
    /// dispatcher (or take long) when dropped.
    pub(crate) fn set_bot(&self, bot: Arc<BotInfo>) {
        let replaced = std::mem::replace(&mut self.state().bot, bot);
        drop(replaced);
    }

    /// The bot identity contexts carry now.
    pub(crate) fn bot(&self) -> Arc<BotInfo> {
        Arc::clone(&self.state().bot)
    }

    /// What the events run in the caller's task count.
    pub(crate) fn event_counts(&self) -> EventCounts {
        self.state().counts
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

    /// Forgets the sequence numbers seen. The parked resends are not handled: their
    /// originals were not (held by `NotHandled`, or refused by a close) or are of the ended
    /// session, whose numbers end nothing any more; dropped after the lock, they say `false`.
    pub(crate) fn reset_seq(&self) {
        let parked = {
            let mut state = self.state();
            state.seqs.reset();
            std::mem::take(&mut state.parked)
        };
        drop(parked);
    }

    /// A resend of `seq` was dropped by the dedupe window, tracked by `done`: while `seq` is
    /// in flight (its original's jobs run), `done` is held until `seq` ends, so a resend
    /// never reads as handled before its original (a journal of handled frames would let a
    /// restart skip the original). A held `seq` (`NotHandled`) keeps it until
    /// [`reset_seq`](Self::reset_seq) (then `false`), and so does a refused one; dropped
    /// with the lanes, it says `false`.
    pub(crate) fn park(&self, seq: u64, done: &Completion) {
        let mut state = self.state();
        if state.seqs.is_in_flight(seq) {
            state.parked.push((seq, Unfinished(Some(done.share()))));
        }
    }

    /// The frame of `ticket` was not handled: the watermark stays below it (see
    /// [`SeqTracker::hold`]).
    pub(crate) fn hold(&self, ticket: SeqTicket) {
        self.state().seqs.hold(ticket);
    }

    /// A job for `seq` was not queued after all (the dispatcher closed while it waited).
    pub(crate) fn abandon(&self, seq: Option<SeqTicket>) {
        if let Some(ticket) = seq {
            let unparked = {
                let mut state = self.state();
                state.seqs.end(ticket);
                state.unparked()
            };
            unparked.into_iter().for_each(Unfinished::finish);
        }
    }

    /// Begins `seq` for the caller until the returned guard drops: the frame stays in flight
    /// across steps that each begin and end it (a raw job, then the typed one).
    pub(crate) fn begin(&self, seq: Option<u64>) -> Begun<'_> {
        let seq = seq.map(|s| self.state().seqs.begin(s));
        Begun { lanes: self, seq }
    }

    /// `seq`, begun by [`claim`](Self::claim), ends when the returned guard drops unless it is
    /// [`passed`](Begun::pass) to a job or [`refused`](Begun::refuse) by a close: a dispatch
    /// cancelled while it waits for room leaves no begun `seq` behind (one would hold the
    /// watermark below it for good; its input is lost, as `dispatch` documents).
    pub(crate) fn begun(&self, seq: Option<SeqTicket>) -> Begun<'_> {
        Begun { lanes: self, seq }
    }

    /// Begins `seq` and, when `may_run` and the lane is idle, there is room and a running slot
    /// is free, accepts the job, marks the lane busy and takes the slot (`true`): the caller
    /// runs the job now, then calls [`release`](Self::release) (or [`detach`](Self::detach) if
    /// it has to wait). `false`: the job goes to [`accept`](Self::accept) and
    /// [`submit`](Self::submit). Either way the ticket of the begun `seq` goes with the job.
    pub(crate) fn claim(
        &self,
        lane: LaneId,
        seq: Option<u64>,
        may_run: bool,
    ) -> (bool, Option<SeqTicket>) {
        let mut state = self.state();
        let seq = seq.map(|s| state.seqs.begin(s));
        (may_run && self.run_here(&mut state, lane), seq)
    }

    /// [`claim`](Self::claim) of an event's job (`may_run`), which also reads the bot
    /// identity its context carries and counts the job as accepted when it runs here; `None`
    /// for a resend: the event's dedupe key `fingerprint` is in the window (its `seq` is
    /// observed, as a frame that needs no job).
    pub(crate) fn claim_event(
        &self,
        lane: LaneId,
        seq: Option<u64>,
        fingerprint: Option<u128>,
    ) -> Option<(bool, Option<SeqTicket>, Arc<BotInfo>)> {
        let mut state = self.state();
        if fingerprint.is_some_and(|f| !state.seen.insert(f)) {
            if let Some(s) = seq {
                state.seqs.observe(s);
            }
            return None;
        }
        let seq = seq.map(|s| state.seqs.begin(s));
        let run = self.run_here(&mut state, lane);
        state.counts.accepted += u64::from(run);
        Some((run, seq, Arc::clone(&state.bot)))
    }

    /// Whether a job of `lane` runs in the caller's task now: the lane is idle, there is room
    /// and a running slot is free (then taken, and the lane marked busy).
    fn run_here(&self, state: &mut State, lane: LaneId) -> bool {
        if state.inline.contains(&lane) || state.queues.contains_key(&lane) {
            return false;
        }
        if state.running >= self.max_running || !state.waiting.is_empty() {
            return false;
        }
        if !state.accept(self.max_pending, false) {
            return false;
        }
        state.running += 1;
        state.inline.push(lane);
        true
    }

    /// Ends a job that ran in the caller's task: gives its running slot and its place back,
    /// ends its `seq`, and starts a worker for the jobs queued behind it meanwhile, if any.
    pub(crate) fn release(self: &Arc<Self>, lane: LaneId, seq: Option<SeqTicket>) {
        self.release_event(lane, seq, 0);
    }

    /// [`release`](Self::release) of a job from [`claim_event`](Self::claim_event), whose
    /// handlers returned `Ok` `handled` times.
    pub(crate) fn release_event(
        self: &Arc<Self>,
        lane: LaneId,
        seq: Option<SeqTicket>,
        handled: u64,
    ) {
        if let Some(next) = self.finish(lane, seq, true, handled) {
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
        pending: Pending,
        seq: Option<SeqTicket>,
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
        pending.disarm();
        self.release(lane, seq);
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

    /// Gives the ended job's running slot back (and its place, when `pending`: the caller
    /// disarmed its [`Pending`]), ends its `seq`, counts its `handled` handler invocations
    /// ([`EventCounts`]), and takes the lane's next job, or removes the lane (it is empty).
    fn finish(
        self: &Arc<Self>,
        lane: LaneId,
        seq: Option<SeqTicket>,
        pending: bool,
        handled: u64,
    ) -> Option<Job> {
        let mut state = self.state();
        state.counts.handled += handled;
        state.give_slot();
        if pending {
            state.end_pending(self);
        }
        let mut unparked = Vec::new();
        if let Some(ticket) = seq {
            state.seqs.end(ticket);
            unparked = state.unparked();
        }
        if let Some(i) = state.inline.iter().position(|l| *l == lane) {
            state.inline.swap_remove(i);
        }
        let next = if state.queues.is_empty() {
            None
        } else {
            let next = state.queues.get_mut(&lane).and_then(VecDeque::pop_front);
            if next.is_none() {
                state.queues.remove(&lane);
            }
            next
        };
        drop(state);
        unparked.into_iter().for_each(Unfinished::finish);
        next
    }

    /// Finishes a job that started in the caller's task, then works the lane.
    async fn resume(self: Arc<Self>, lane: LaneId, job: Job) {
        let Job { work, pending, seq } = job;
        work.await;
        pending.disarm();
        if let Some(next) = self.finish(lane, seq, true, 0) {
            self.work(lane, next).await;
        }
    }

    async fn work(self: Arc<Self>, lane: LaneId, first: Job) {
        let mut job = first;
        loop {
            self.running_slot().await;
            let Job { work, pending, seq } = job;
            work.await;
            pending.disarm();
            match self.finish(lane, seq, true, 0) {
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
    fn running(&self) -> usize {
        self.state().running
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn test_bot() -> Arc<BotInfo> {
        Arc::new(BotInfo::new(crate::platform::PlatformKind::Other("test")))
    }

    async fn job(lanes: &Arc<Lanes>, lane: LaneId, order: &Arc<Mutex<Vec<LaneId>>>) -> Job {
        let order = Arc::clone(order);
        Job {
            work: Box::pin(async move { order.lock().unwrap().push(lane) }),
            pending: lanes.accept().await.unwrap(),
            seq: None,
        }
    }

    #[tokio::test]
    async fn a_slot_given_back_goes_to_the_first_worker_in_line_and_every_slot_comes_back() {
        let lanes = Arc::new(Lanes::new(1, 10, test_bot(), 0));
        let order = Arc::new(Mutex::new(Vec::new()));
        // The one slot, taken by a job running in the caller's task.
        assert!(lanes.claim(1, None, true).0);
        assert!(!lanes.claim(4, None, true).0, "no second slot");
        assert_eq!((lanes.running(), lanes.pending()), (1, 1));
        for lane in [2, 3] {
            let job = job(&lanes, lane, &order).await;
            lanes.submit(lane, job).await;
        }
        // Both went to workers, which wait in line for the slot.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(order.lock().unwrap().is_empty());
        assert_eq!((lanes.running(), lanes.pending()), (1, 3));

        lanes.release(1, None);
        lanes.drain(false).await;
        assert_eq!(*order.lock().unwrap(), vec![2, 3]);
        assert_eq!((lanes.running(), lanes.pending()), (0, 0));
        assert_eq!(lanes.active(), 0);
        // Lane 4's claim above began no job; its slot is free now.
        assert!(lanes.claim(4, None, true).0);
        lanes.release(4, None);
        assert_eq!((lanes.running(), lanes.pending()), (0, 0));
    }

    #[tokio::test]
    async fn room_is_given_in_line_a_drain_waits_for_what_came_before_it_and_close_refuses() {
        let lanes = Arc::new(Lanes::new(4, 2, test_bot(), 0));
        let first = lanes.accept().await.unwrap();
        assert!(lanes.claim(1, None, true).0, "room for a second job");
        assert!(!lanes.claim(2, None, true).0, "no room for a third");
        // A third dispatcher waits for room; a drain waits behind it.
        let third = tokio::spawn({
            let lanes = Arc::clone(&lanes);
            async move { lanes.accept().await.is_some() }
        });
        let drained = tokio::spawn({
            let lanes = Arc::clone(&lanes);
            async move { lanes.drain(false).await }
        });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!third.is_finished() && !drained.is_finished());
        assert!(!lanes.claim(3, None, true).0, "nothing jumps the line");

        drop(first);
        // The third got the room freed, and holds it until dropped inside its task.
        assert!(third.await.unwrap());
        assert!(!drained.is_finished());
        lanes.release(1, None);
        drained.await.unwrap();
        assert_eq!(lanes.pending(), 0);

        // Shutdown: the drain closes; later and waiting dispatchers are refused.
        let held = lanes.accept().await.unwrap();
        let shut = tokio::spawn({
            let lanes = Arc::clone(&lanes);
            async move { lanes.drain(true).await }
        });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let late = tokio::spawn({
            let lanes = Arc::clone(&lanes);
            async move { lanes.accept().await.is_some() }
        });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!lanes.is_closed());
        drop(held);
        shut.await.unwrap();
        assert!(lanes.is_closed());
        assert!(!late.await.unwrap());
        assert!(lanes.accept().await.is_none());
        assert!(!lanes.claim(5, None, true).0);
        lanes.drain(false).await;
    }
}
