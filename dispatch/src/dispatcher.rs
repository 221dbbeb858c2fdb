//! The dispatcher: routes each input to its handlers under the ordering and concurrency policy.
//!
//! - **Nothing decoded for nobody.** The route (`t`) is read from the envelope; if no typed or
//!   unified handler wants it, the payload is never parsed ([`DispatchStats::decoded`] does not
//!   move).
//! - **Order per conversation.** Events of one conversation (a channel, a group, a user: see
//!   [`Platform::conversation_key`]) reach their handlers in arrival order; different
//!   conversations run concurrently, at most [`DispatchConfig::max_in_flight`] jobs at once.
//! - **Backpressure, never loss.** At most [`DispatchConfig::max_pending`] events are accepted
//!   but unfinished; past that, [`Dispatcher::dispatch`] waits, and so does the socket reader
//!   that calls it.
//! - **Handlers cannot kill the bot.** An error or a panic is reported to `on_error` with the
//!   event type, and the next event runs.
//! - **Resends are absorbed** by a window of recent dedupe keys (QQ event id, Bubble `(t, d.id)`).
//! - **The resume point is what was handled**, not what was read: [`Dispatcher::handled_seq`].

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::hash::Hasher;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::task::Poll;
use std::time::{SystemTime, UNIX_EPOCH};

use botgate_codec::unify::UnifyContext;
use botgate_proto::unified::Permissions;
use botgate_session::DedupeWindow;
use futures_util::FutureExt;
use tokio::sync::Semaphore;

use crate::completion::{Completion, Unfinished};
use crate::context::{BotInfo, Context, EventId, EventName};
use crate::error::{panic_message, BotError, BotErrorKind, HandlerError};
use crate::handlers::{Handlers, OnMapped, RawFn, StoredUnified, ToMap, UnifiedSlot};
use crate::hashing::Keys;
use crate::job::{handled, AsJob, EventJob, Hold, JobHost};
use crate::lanes::{Job, LaneId, Lanes, Pending};
use crate::platform::Platform;
use crate::seq::SeqTicket;
use crate::stats::{bump, Counters, DispatchStats};
use crate::table::RouteTable;
use botgate_session::FingerprintState;

/// Limits of a dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchConfig {
    /// How many jobs (one frame's handlers in one lane) run at the same time, across
    /// conversations. At least 1.
    pub max_in_flight: usize,
    /// How many jobs may be accepted but unfinished before `dispatch` waits. At least 1.
    pub max_pending: usize,
    /// How many dedupe keys are remembered (0 disables dedupe). The window of unified events
    /// merged across event types (`Unify::same_event_key`) has the same size.
    pub dedupe_window: usize,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 64,
            max_pending: 1024,
            dedupe_window: botgate_session::DEFAULT_DEDUPE_WINDOW,
        }
    }
}

/// What [`Dispatcher::dispatch`] did with an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disposition {
    /// Decoded and queued for its handlers.
    Accepted,
    /// No event type (not an event); only `on_raw` saw it.
    NotAnEvent,
    /// Nobody handles this event type: dropped without decoding the payload.
    Unhandled,
    /// A resend of an event already accepted: dropped.
    Duplicate,
    /// The payload did not decode; reported to `on_error`.
    DecodeFailed,
    /// The dispatcher was shut down.
    Closed,
}

/// Runs handlers for one bot. Cheap to clone (shared inside).
pub struct Dispatcher<P: Platform> {
    shared: Arc<Shared<P>>,
}

impl<P: Platform> Clone for Dispatcher<P> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P: Platform> fmt::Debug for Dispatcher<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("platform", &P::KIND)
            .field("config", &self.shared.config)
            .field(
                "stats",
                &self
                    .shared
                    .counters
                    .snapshot(self.shared.lanes.event_counts()),
            )
            .finish_non_exhaustive()
    }
}

pub(crate) struct Shared<P: Platform> {
    handlers: Handlers<P>,
    /// The handlers each route runs, flattened (`table.rs`).
    table: RouteTable<P>,
    config: DispatchConfig,
    permissions: RwLock<Arc<Permissions>>,
    /// The lanes, the pending count and the handled-sequence watermark; the bot identity
    /// contexts carry, the counts of events run at once and the window of recent dedupe
    /// keys' fingerprints (decision 0089).
    lanes: Arc<Lanes>,
    keys: Keys,
    /// Fingerprints of unified events already delivered under another event type
    /// (`Unify::hash_same_event_key`).
    unified_seen: Mutex<DedupeWindow<u128, FingerprintState>>,
    /// What the mapping needs, rebuilt when the bot, the permissions or the second changes
    /// (not per event: decision 0027).
    unify_ctx: RwLock<Arc<UnifyContext>>,
    counters: Counters,
}

impl<P: Platform> Dispatcher<P> {
    /// A dispatcher running `handlers` under `config`, for a bot whose identity is not known yet
    /// (see [`Dispatcher::set_bot`]).
    pub fn new(handlers: Handlers<P>, config: DispatchConfig) -> Self {
        // The limits of the tokio semaphores these counts once were, kept: a config means what
        // it meant.
        let max_pending = config.max_pending.clamp(1, u32::MAX as usize >> 3);
        let max_in_flight = config.max_in_flight.clamp(1, Semaphore::MAX_PERMITS);
        let config = DispatchConfig {
            max_in_flight,
            max_pending,
            dedupe_window: config.dedupe_window,
        };
        let permissions = RwLock::new(Arc::new(handlers.permissions().clone()));
        let bot = Arc::new(BotInfo::new(P::KIND));
        let unify_ctx = unify_context(&bot, handlers.permissions(), 0);
        Self {
            shared: Arc::new(Shared {
                table: RouteTable::new(&handlers),
                handlers,
                config,
                permissions,
                lanes: Arc::new(Lanes::new(
                    max_in_flight,
                    max_pending,
                    bot,
                    config.dedupe_window,
                )),
                keys: Keys::default(),
                unified_seen: Mutex::new(DedupeWindow::with_hasher(
                    config.dedupe_window,
                    FingerprintState,
                )),
                unify_ctx: RwLock::new(Arc::new(unify_ctx)),
                counters: Counters::default(),
            }),
        }
    }

    /// Sets the bot identity and action handle that later events' contexts carry.
    pub fn set_bot(&self, bot: BotInfo) {
        self.shared.lanes.set_bot(Arc::new(bot));
        self.shared.refresh_unify_context(None);
    }

    /// The bot identity current contexts carry.
    pub fn bot(&self) -> Arc<BotInfo> {
        self.shared.lanes.bot()
    }

    /// Replaces the masters and admins (initially [`Handlers::permissions`]); events mapped
    /// after this call answer `is_master` / `is_admin` from the new lists.
    pub fn set_permissions(&self, permissions: Permissions) {
        *self
            .shared
            .permissions
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(permissions);
        self.shared.refresh_unify_context(None);
    }

    /// The masters and admins unified events are checked against.
    pub fn permissions(&self) -> Arc<Permissions> {
        Arc::clone(
            &self
                .shared
                .permissions
                .read()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// The registry this dispatcher runs.
    pub fn handlers(&self) -> &Handlers<P> {
        &self.shared.handlers
    }

    /// The limits in force (after clamping).
    pub fn config(&self) -> DispatchConfig {
        self.shared.config
    }

    /// The counters so far.
    pub fn stats(&self) -> DispatchStats {
        self.shared
            .counters
            .snapshot(self.shared.lanes.event_counts())
    }

    /// Jobs accepted and not finished yet.
    pub fn pending(&self) -> usize {
        self.shared.lanes.pending()
    }

    /// Reports an incident (a reconnect, an invalid session, a transport error) to the
    /// `on_error` handlers; without any, it is logged.
    pub fn report(&self, error: BotError) {
        self.shared.report(&error);
    }

    /// Routes one input to its handlers. Returns once the input is queued, handled or dropped:
    /// when its conversation is idle and a running slot is free, its handlers run in this task
    /// until they first wait (a handler that never waits has finished when this returns); the
    /// rest runs on the lane's task.
    ///
    /// Waits while [`DispatchConfig::max_pending`] jobs are unfinished: that is how
    /// backpressure reaches the socket reader.
    ///
    /// Cancel safety: not cancel safe. Dropping the future while it waits for room loses the
    /// input (and, if `on_raw` already took it, delivers it to `on_raw` only).
    pub fn dispatch(&self, input: P::Input) -> impl Future<Output = Disposition> + Send + '_ {
        // Not an `async fn`: its argument would be stored again in the future (every
        // connection's pump holds one).
        self.route_input(input, None)
    }

    /// [`dispatch`](Self::dispatch), and `done` is told when every handler of this input has
    /// finished (see [`Completion`]): per-session bookkeeping of what is handled, e.g. the
    /// resume point of one shard when several feed this dispatcher.
    #[allow(clippy::manual_async_fn)] // see `dispatch`
    pub fn dispatch_tracked(
        &self,
        input: P::Input,
        done: Completion,
    ) -> impl Future<Output = Disposition> + Send + '_ {
        async move {
            // Dropped while it waits for room (its caller gave up): not handled.
            let unfinished = Unfinished(Some(done.share()));
            let disposition = self.route_input(input, Some(&done)).await;
            unfinished.finish();
            if disposition == Disposition::Closed {
                done.abandon();
            }
            disposition
        }
    }

    #[allow(clippy::manual_async_fn)] // see `dispatch`
    fn route_input<'a>(
        &'a self,
        input: P::Input,
        done: Option<&'a Completion>,
    ) -> impl Future<Output = Disposition> + Send + 'a {
        async move {
            let shared = &*self.shared;
            if shared.lanes.is_closed() {
                return Disposition::Closed;
            }
            // Counted as a frame by where it ends (`Counters`).
            let route = P::route(&input);
            let seq = P::seq(&input);
            // With raw handlers the raw job ends `seq` before the typed job begins it: held
            // meanwhile, or the watermark would report the frame handled in between.
            let _frame = shared.handlers.has_raw().then(|| shared.lanes.begin(seq));

            if shared.handlers.has_raw() {
                let handlers: Vec<RawFn<P>> = shared.handlers.raw_handlers().to_vec();
                let ctx = self.context(
                    self.bot(),
                    input.clone(),
                    EventName::Shared(Arc::from(route.as_deref().unwrap_or_default())),
                );
                let lane = shared.raw_lane();
                let (_, ticket) = shared.lanes.claim(lane, seq, false);
                let hold = Hold::new(ticket, done);
                let work = Arc::clone(&self.shared).run_raw(ctx, input.clone(), handlers, hold);
                // Boxed: the future of `dispatch` stays small (every connection's pump holds one).
                if !Box::pin(self.submit(lane, ticket, work, done)).await {
                    bump(&shared.counters.raw_closed);
                    return Disposition::Closed;
                }
            }

            let Some(route) = route else {
                shared.lanes.observe(seq);
                bump(&shared.counters.not_events);
                return Disposition::NotAnEvent;
            };
            let Some(hit) = shared.table.lookup(&route) else {
                shared.lanes.observe(seq);
                bump(&shared.counters.unhandled);
                tracing::trace!(event_type = %route, "no handler: dropped undecoded");
                return Disposition::Unhandled;
            };
            // Looked up in the window by the claim, under the lock it takes anyway (decision
            // 0089): a resend is decoded before it is dropped, which only a replay pays.
            let fingerprint = if shared.config.dedupe_window > 0 {
                let mut key = shared.keys.dedupe();
                P::hash_dedupe_key(&input, &route, &mut key).then(|| key.fingerprint())
            } else {
                None
            };

            // Counted as decoded by where it ends (`Counters`).
            let event = match P::decode(&input, &route) {
                Ok(event) => event,
                Err(error) => {
                    shared.lanes.observe(seq);
                    bump(&shared.counters.decode_errors);
                    shared.report(&BotError::with_source(
                        BotErrorKind::Decode {
                            event_type: route.into_owned(),
                        },
                        error,
                    ));
                    return Disposition::DecodeFailed;
                }
            };

            let lane = {
                let mut h = shared.keys.lane();
                P::hash_event_conversation(&event, &input, &mut h);
                h.finish()
            };
            let Some(entry) = shared.table.entry(hit.entry) else {
                // Not reached: `lookup` gave the entry. Counted as decoded all the same.
                bump(&shared.counters.not_accepted);
                return Disposition::Unhandled;
            };
            let (name, prefix_route) = match P::known_route(&input) {
                Some(known) if hit.exact => (EventName::Known(known), None),
                _ if hit.exact => (EventName::Shared(Arc::clone(&entry.name)), None),
                _ => {
                    let name: Arc<str> = Arc::from(&*route);
                    (EventName::Shared(Arc::clone(&name)), Some(name))
                }
            };
            // The fast path: room, an idle lane and a free running slot: run the handlers here
            // (counted as accepted by the claim).
            let Some((run_here, ticket, bot)) = shared.lanes.claim_event(lane, seq, fingerprint)
            else {
                bump(&shared.counters.duplicates);
                tracing::debug!(event_type = %route, "resend dropped");
                // Its original may still run: not handled before it (the completion waits
                // for `seq` to end). A second lock turn, for a resend only.
                if let (Some(done), Some(seq)) = (done, seq) {
                    shared.lanes.park(seq, done);
                }
                return Disposition::Duplicate;
            };
            let ctx = self.context(bot, input, name);
            let mut job = EventJob::new(shared, hit.entry, prefix_route, ctx, event);
            job.hold = Hold::new(ticket, done);
            if run_here {
                job.tally_handled();
                let finished =
                    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut job).poll(cx).is_ready()))
                        .await;
                if finished {
                    let handled = job.take_handled();
                    drop(job);
                    shared.lanes.release_event(lane, ticket, handled);
                    return Disposition::Accepted;
                }
                // A handler waits: a worker finishes the job, then the lane.
                let job = job.into_owned(Arc::clone(&self.shared));
                let work = Completion::after(job, done);
                shared
                    .lanes
                    .detach(lane, Box::pin(work), Pending::adopt(&shared.lanes), ticket);
                return Disposition::Accepted;
            }
            let job = job.into_owned(Arc::clone(&self.shared));
            // Boxed: the future of `dispatch` stays small (every connection's pump holds one).
            Box::pin(self.queue(lane, ticket, job, done)).await
        }
    }

    /// The slow path: waits for room if there is none, then queues the job in its lane.
    async fn queue(
        &self,
        lane: LaneId,
        seq: Option<SeqTicket>,
        job: EventJob<P, Arc<Shared<P>>>,
        done: Option<&Completion>,
    ) -> Disposition {
        let shared = &*self.shared;
        let begun = shared.lanes.begun(seq);
        let Some(pending) = shared.lanes.accept().await else {
            // Refused by a close: not handled, so the watermark must not pass it.
            begun.refuse();
            bump(&shared.counters.not_accepted);
            return Disposition::Closed;
        };
        begun.pass();
        bump(&shared.counters.accepted);
        let work = Completion::after(job, done);
        shared
            .lanes
            .submit(
                lane,
                Job {
                    work: Box::pin(work),
                    pending,
                    seq,
                },
            )
            .await;
        Disposition::Accepted
    }

    /// The context of one delivery of `input`, taking it: its raw frame is moved, not shared.
    fn context(&self, bot: Arc<BotInfo>, input: P::Input, event_type: EventName) -> Context {
        let event_id = EventId::locate(P::raw(&input), P::event_id(&input));
        let seq = P::seq(&input);
        Context::for_event(bot, event_type, event_id, seq, P::into_raw(input))
    }

    /// Waits for room, then queues `work` (its `seq` begun by a claim) in `lane`; `false` if
    /// the dispatcher is closed. `done` is held by the job until it has run.
    async fn submit<F>(
        &self,
        lane: LaneId,
        seq: Option<SeqTicket>,
        work: F,
        done: Option<&Completion>,
    ) -> bool
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let shared = &self.shared;
        let begun = shared.lanes.begun(seq);
        let Some(pending) = shared.lanes.accept().await else {
            // Refused by a close: not handled, so the watermark must not pass it.
            begun.refuse();
            return false;
        };
        begun.pass();
        let work = Completion::after(AsJob(Box::pin(work)), done);
        let job = Job {
            work: Box::pin(work),
            pending,
            seq,
        };
        shared.lanes.submit(lane, job).await;
        true
    }

    /// Waits until every accepted job has finished. Events dispatched meanwhile are waited for
    /// too when they were accepted before this call got its turn. Dropped before it returns
    /// (a timeout around it), it holds no later dispatch back.
    pub async fn idle(&self) {
        // Closed lanes: shutdown already drained everything.
        self.shared.lanes.drain(false).await;
    }

    /// Stops accepting events (later `dispatch` calls return [`Disposition::Closed`]) and waits
    /// until every accepted job has run.
    pub async fn shutdown(&self) {
        self.shared.lanes.drain(true).await;
        tracing::debug!(platform = %P::KIND, "dispatcher shut down");
    }

    /// Stops accepting events at once, without waiting for the handlers running: what waits
    /// returns now (a `dispatch` waiting for room with [`Disposition::Closed`], `idle` and
    /// `shutdown`), and later `dispatch` calls return [`Disposition::Closed`]. For a shutdown
    /// whose grace ran out: the handlers already running are not cancelled (one may still
    /// finish), and an input whose handlers did not finish is not handled for
    /// [`handled_seq`](Self::handled_seq) or its [`Completion`] (which reports `false` if its
    /// job is dropped unfinished).
    pub fn close(&self) {
        self.shared.lanes.close();
        tracing::debug!(platform = %P::KIND, pending = self.pending(), "dispatcher closed");
    }

    /// The handled sequence number: the highest `s` such that every frame up to it was handled
    /// (its handlers finished) or dropped. Save *this* as the resume point, not the last `s`
    /// read: a crash then replays what the handlers had not finished, and dedupe absorbs the
    /// rest. `None` before the first frame with a sequence number.
    pub fn handled_seq(&self) -> Option<u64> {
        self.shared.lanes.handled()
    }

    /// Forgets the sequence numbers seen: call it when a new session starts (Identify), whose
    /// frames are numbered from 1 again. A resumed session keeps counting and needs no reset.
    pub fn reset_seq(&self) {
        self.shared.lanes.reset_seq();
    }

    /// Number of conversations with queued or running work.
    pub fn active_conversations(&self) -> usize {
        self.shared.lanes.active()
    }
}

impl<P: Platform> Shared<P> {
    /// The lane of the `on_raw` handlers.
    fn raw_lane(&self) -> LaneId {
        let mut h = self.keys.lane();
        h.write(b"\0raw");
        h.finish()
    }

    /// What the mapping needs: the bot's id (empty until known), the wall clock for events
    /// without a time of their own, and the current masters / admins. Shared by every event
    /// of the same second; rebuilt when the second changes.
    fn unify_context(&self) -> Arc<UnifyContext> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let ctx = Arc::clone(&self.unify_ctx.read().unwrap_or_else(|e| e.into_inner()));
        if ctx.now == now {
            return ctx;
        }
        self.refresh_unify_context(Some(now))
    }

    /// Rebuilds the mapping's context from the current bot and permissions, at `now` (or at
    /// the context's current time). Under the context's write lock, so that a rebuild for a
    /// new second never puts back a bot or permissions replaced meanwhile.
    fn refresh_unify_context(&self, now: Option<i64>) -> Arc<UnifyContext> {
        let mut slot = self.unify_ctx.write().unwrap_or_else(|e| e.into_inner());
        let now = now.unwrap_or(slot.now);
        let bot = self.lanes.bot();
        let permissions = Arc::clone(&self.permissions.read().unwrap_or_else(|e| e.into_inner()));
        let ctx = Arc::new(unify_context(&bot, &permissions, now));
        *slot = Arc::clone(&ctx);
        ctx
    }

    fn report(&self, error: &BotError) {
        let handlers = self.handlers.error_handlers();
        if handlers.is_empty() {
            tracing::warn!(platform = %P::KIND, %error, "bot error (no on_error handler)");
            return;
        }
        tracing::debug!(platform = %P::KIND, %error, "bot error");
        for h in handlers {
            if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| h(error))) {
                tracing::error!(
                    platform = %P::KIND,
                    panic = %panic_message(panic.as_ref()),
                    "on_error handler panicked"
                );
            }
        }
    }

    /// Runs one handler invocation, turning its error or panic into a report.
    /// Runs `work` under `catch_unwind` and reports what it returned; `false` when it said
    /// the event was not handled.
    async fn guard<F>(&self, event_type: &str, work: F) -> bool
    where
        F: Future<Output = Option<Result<(), HandlerError>>>,
    {
        match AssertUnwindSafe(work).catch_unwind().await {
            Ok(None) => true,
            Ok(Some(result)) => {
                if result.is_ok() {
                    self.count_handled(1);
                }
                self.handler_result(event_type, result)
            }
            Err(panic) => {
                self.handler_panic(event_type, panic.as_ref());
                true
            }
        }
    }

    async fn run_raw(
        self: Arc<Self>,
        ctx: Context,
        input: P::Input,
        handlers: Vec<RawFn<P>>,
        mut hold: Hold,
    ) {
        let event_type: Cow<'_, str> = match ctx.event_type() {
            "" => Cow::Borrowed("<raw>"),
            t => Cow::Owned(t.to_owned()),
        };
        for h in handlers {
            bump(&self.counters.raw);
            let (ctx, input) = (ctx.clone(), input.clone());
            if !self
                .guard(&event_type, async move { Some(h(ctx, input).await) })
                .await
            {
                hold.not_handled(&*self);
            }
        }
    }
}

impl<P: Platform> JobHost<P> for Shared<P> {
    fn table(&self) -> &RouteTable<P> {
        &self.table
    }

    /// What a handler returned (an `Ok` is counted by the caller: `count_handled`).
    fn handler_result(&self, event_type: &str, result: Result<(), HandlerError>) -> bool {
        let handled = handled(&result);
        if !handled {
            tracing::warn!(
                event_type,
                "an event was not handled: the resume point stays below it"
            );
        }
        if let Err(error) = result {
            bump(&self.counters.handler_errors);
            self.report(&BotError::with_source(
                BotErrorKind::Handler {
                    event_type: event_type.to_owned(),
                },
                error,
            ));
        }
        handled
    }

    fn count_handled(&self, n: u64) {
        self.counters
            .handled
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    fn hold(&self, ticket: SeqTicket) {
        self.lanes.hold(ticket);
    }

    /// A handler (or the mapping) panicked.
    fn handler_panic(&self, event_type: &str, panic: &(dyn Any + Send)) {
        bump(&self.counters.panics);
        self.report(&BotError::new(BotErrorKind::Panic {
            event_type: event_type.to_owned(),
            message: panic_message(panic),
        }));
    }

    /// Maps `event` for its unified handlers, once per platform event
    /// (`Unify::same_event_key`), handing the result to `on_mapped`; `None` when it has no
    /// unified form, was delivered already under another type, or the mapping panicked
    /// (reported), else what `on_mapped` kept.
    fn map_unified(
        &self,
        event: ToMap<'_, P::Event>,
        event_type: &str,
        on_mapped: OnMapped<'_>,
    ) -> Option<Option<StoredUnified>> {
        let unify = self.handlers.unify_fn()?;
        let ctx = self.unify_context();
        // No window, no key to compute.
        let mut key = (self.config.dedupe_window > 0).then(|| self.keys.dedupe());
        let mut repeated = false;
        let mut first_delivery = |slot: &mut UnifiedSlot, fingerprint: Option<u128>| {
            if let Some(fingerprint) = fingerprint {
                let first = self
                    .unified_seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(fingerprint);
                if !first {
                    tracing::debug!(
                        event_type,
                        "already delivered to unified handlers under another type"
                    );
                    repeated = true;
                    return false;
                }
            }
            on_mapped(slot, fingerprint)
        };
        // The mapping is code too: a panic in it is reported like a handler's.
        let mapped = std::panic::catch_unwind(AssertUnwindSafe(|| {
            unify(event, &ctx, key.as_mut(), &mut first_delivery)
        }));
        match mapped {
            Ok(mapped) => mapped.filter(|_| !repeated),
            Err(panic) => {
                self.handler_panic(event_type, panic.as_ref());
                None
            }
        }
    }
}

/// The mapping's context for `bot` with `permissions`, at `now`.
fn unify_context(bot: &BotInfo, permissions: &Permissions, now: i64) -> UnifyContext {
    UnifyContext::new(bot.self_id().unwrap_or_default())
        .with_now(now)
        .with_permissions(permissions.clone())
}
