//! The handlers of one event as a plain state machine: typed handlers in registration order,
//! then unified ones, each call and each poll under `catch_unwind`.
//!
//! Being a struct of its own (not an `async` block), a job can run in the dispatching task
//! borrowing the dispatcher, and only if a handler waits is it moved (it is `Unpin`: the handler
//! futures inside are boxed already) into a worker task with an `Arc` of the dispatcher.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::completion::Completion;
use crate::context::Context;
use crate::error::{HandlerError, NotHandled};
use crate::handlers::{HandlerFuture, OnMapped, StoredUnified, ToMap, UnifiedFn, UnifiedSlot};
use crate::platform::Platform;
use crate::seq::SeqTicket;
use crate::table::RouteTable;

thread_local! {
    /// Whether this thread is polling a job's handlers. A handler may dispatch: its dispatch
    /// must not wait behind an `idle` / `shutdown` that waits for that very handler.
    static IN_JOB: Cell<bool> = const { Cell::new(false) };
}

/// Whether the caller runs inside a job's handlers (a dispatch made by a handler).
pub(crate) fn in_job() -> bool {
    IN_JOB.with(Cell::get)
}

/// Runs `poll` as a job's: [`in_job`] holds inside it, and what it was before comes back
/// after (jobs nest when a handler dispatches), even if `poll` unwinds.
fn as_job<R>(poll: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_JOB.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(IN_JOB.with(|flag| flag.replace(true)));
    poll()
}

/// A job's future that is not an [`EventJob`] (the raw handlers), polled as a job's.
pub(crate) struct AsJob<F>(pub(crate) Pin<Box<F>>);

impl<F: Future> Future for AsJob<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        as_job(|| self.0.as_mut().poll(cx))
    }
}

/// What a job needs from the dispatcher that runs it (its shared state implements it; a trait,
/// so that this file does not import the dispatcher's).
pub(crate) trait JobHost<P: Platform> {
    /// The handlers of each route.
    fn table(&self) -> &RouteTable<P>;
    /// Maps `event` for unified handlers, once per platform event, and hands the result to
    /// `on_mapped` (on the mapping's stack: a handler may start on it there). `None` when it
    /// has no unified form (or was delivered already); else what `on_mapped` kept.
    /// `event` is owned when no typed handler needs it afterwards.
    fn map_unified(
        &self,
        event: ToMap<'_, P::Event>,
        event_type: &str,
        on_mapped: OnMapped<'_>,
    ) -> Option<Option<StoredUnified>>;
    /// What a handler returned, but for counting an `Ok` (the job counts those: see
    /// [`count_handled`](Self::count_handled)); `false` when it said the event was
    /// [`NotHandled`].
    fn handler_result(&self, event_type: &str, result: Result<(), HandlerError>) -> bool;
    /// Counts `n` handler invocations that returned `Ok`.
    fn count_handled(&self, n: u64);
    /// A frame was not handled: the watermark stays below `ticket`'s number.
    fn hold(&self, ticket: SeqTicket);
    /// A handler panicked.
    fn handler_panic(&self, event_type: &str, panic: &(dyn Any + Send));
}

/// Where a job reports that a handler did not handle its frame ([`NotHandled`]): its begun
/// `seq` is held (the watermark stays below it) and its input's completion is told `false`,
/// each once.
#[derive(Default)]
pub(crate) struct Hold {
    ticket: Option<SeqTicket>,
    done: Option<Completion>,
}

impl Hold {
    /// For the frame of `ticket`, dispatched with `done`.
    pub(crate) fn new(ticket: Option<SeqTicket>, done: Option<&Completion>) -> Self {
        Self {
            ticket,
            done: done.map(Completion::share),
        }
    }

    /// A handler said [`NotHandled`].
    pub(crate) fn not_handled<P: Platform, H: JobHost<P> + ?Sized>(&mut self, host: &H) {
        if let Some(ticket) = self.ticket.take() {
            host.hold(ticket);
        }
        if let Some(done) = self.done.take() {
            done.abandon();
        }
    }
}

/// Whether a handler's result says its event was handled (anything but [`NotHandled`]).
pub(crate) fn handled(result: &Result<(), HandlerError>) -> bool {
    !matches!(result, Err(e) if NotHandled::is(e))
}

/// The handlers of one event. `S` is how the dispatcher is held: borrowed while the job runs in
/// the dispatching task, an `Arc` once it is moved to a worker ([`EventJob::into_owned`]).
pub(crate) struct EventJob<P: Platform, S> {
    shared: S,
    entry: usize,
    /// The event type for reports when the route matched through a prefix (otherwise the
    /// entry's own name).
    route: Option<Arc<str>>,
    ctx: Option<Context>,
    event: Option<P::Event>,
    /// The mapped event, when handlers that start later need it.
    unified: Option<StoredUnified>,
    mapped: bool,
    /// Whether the event has a unified form for the unified handlers.
    unified_live: bool,
    /// The next handler: typed ones first, then unified ones.
    next: usize,
    current: Option<HandlerFuture>,
    /// Told when a handler did not handle the event.
    pub(crate) hold: Hold,
    /// Whether the handlers' `Ok`s are tallied in `handled` for whoever runs the job (the
    /// dispatching task, which counts them with the lane's release: decision 0089) rather
    /// than counted one by one.
    tally: bool,
    /// The `Ok`s tallied and not counted yet.
    handled: u64,
}

// Nothing inside is pinned structurally: the handler futures are boxed.
impl<P: Platform, S> Unpin for EventJob<P, S> {}

impl<P: Platform, S: Deref> EventJob<P, S>
where
    S::Target: JobHost<P>,
{
    pub(crate) fn new(
        shared: S,
        entry: usize,
        route: Option<Arc<str>>,
        ctx: Context,
        event: P::Event,
    ) -> Self {
        Self {
            shared,
            entry,
            route,
            ctx: Some(ctx),
            event: Some(event),
            unified: None,
            mapped: false,
            unified_live: false,
            next: 0,
            current: None,
            hold: Hold::default(),
            tally: false,
            handled: 0,
        }
    }

    /// From now on, the handlers' `Ok`s are tallied for [`take_handled`](Self::take_handled)
    /// (the job runs in the dispatching task).
    pub(crate) fn tally_handled(&mut self) {
        self.tally = true;
    }

    /// The `Ok`s tallied since the last call.
    pub(crate) fn take_handled(&mut self) -> u64 {
        std::mem::take(&mut self.handled)
    }

    /// The same job holding the dispatcher by `Arc`, to finish in another task; its tally
    /// is counted, and later `Ok`s are counted one by one.
    pub(crate) fn into_owned<H: JobHost<P>>(self, shared: Arc<H>) -> EventJob<P, Arc<H>> {
        if self.handled > 0 {
            self.shared.count_handled(self.handled);
        }
        EventJob {
            shared,
            entry: self.entry,
            route: self.route,
            ctx: self.ctx,
            event: self.event,
            unified: self.unified,
            mapped: self.mapped,
            unified_live: self.unified_live,
            next: self.next,
            current: self.current,
            hold: self.hold,
            tally: false,
            handled: 0,
        }
    }
}

impl<P: Platform, S: Deref> Future for EventJob<P, S>
where
    S::Target: JobHost<P>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = self.get_mut();
        as_job(|| this.poll_handlers(cx))
    }
}

impl<P: Platform, S: Deref> EventJob<P, S>
where
    S::Target: JobHost<P>,
{
    /// [`poll`](Future::poll)'s body: the handlers, one after another.
    fn poll_handlers(&mut self, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = self;
        let shared = &*this.shared;
        let Some(entry) = shared.table().entry(this.entry) else {
            return Poll::Ready(());
        };
        let event_type: &str = this.route.as_deref().unwrap_or(&entry.name);
        if !this.mapped {
            // Mapped once, before the event moves into the last typed handler; with no typed
            // handler the event itself moves into the mapping (no copy of it), and the first
            // unified handler starts on the mapped event where it lies (no box for it when it
            // is the only one).
            this.mapped = true;
            if !entry.unified.is_empty() {
                let owned = entry.typed.is_empty();
                let event = if owned {
                    this.event.take().map(ToMap::Owned)
                } else {
                    this.event.as_ref().map(ToMap::Borrowed)
                };
                if let Some(event) = event {
                    let (ctx, next, current) = (&mut this.ctx, &mut this.next, &mut this.current);
                    let handlers = &entry.unified;
                    let mut on_mapped = |slot: &mut UnifiedSlot, _: Option<u128>| {
                        if !owned {
                            return true; // for after the typed handlers
                        }
                        *next = 1;
                        let last = handlers.len() == 1;
                        let ctx = if last { ctx.take() } else { ctx.clone() };
                        if let (Some(ctx), Some(h)) = (ctx, handlers.first()) {
                            *current = start_unified(shared, event_type, h, ctx, slot, last);
                        }
                        !last
                    };
                    if let Some(kept) = shared.map_unified(event, event_type, &mut on_mapped) {
                        this.unified_live = true;
                        this.unified = kept;
                    }
                }
            }
        }
        loop {
            if let Some(fut) = this.current.as_mut() {
                let polled = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx)));
                match polled {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(result)) => {
                        if result.is_ok() {
                            if this.tally {
                                this.handled += 1;
                            } else {
                                shared.count_handled(1);
                            }
                        }
                        if !shared.handler_result(event_type, result) {
                            this.hold.not_handled(shared);
                        }
                    }
                    Err(panic) => shared.handler_panic(event_type, panic.as_ref()),
                }
                this.current = None;
            }
            let typed = entry.typed.len();
            let total = typed
                + if this.unified_live {
                    entry.unified.len()
                } else {
                    0
                };
            let i = this.next;
            if i >= total {
                return Poll::Ready(());
            }
            this.next += 1;
            // The last handler gets the context (and the event) itself, the others copies.
            let last = this.next == total;
            let ctx = if last {
                this.ctx.take()
            } else {
                this.ctx.clone()
            };
            let Some(ctx) = ctx else {
                return Poll::Ready(());
            };
            if let Some(h) = entry.typed.get(i) {
                let event = if i + 1 == typed {
                    this.event.take()
                } else {
                    this.event.clone()
                };
                let Some(event) = event else { continue };
                match catch_unwind(AssertUnwindSafe(|| h(ctx, event))) {
                    Ok(future) => this.current = future,
                    Err(panic) => shared.handler_panic(event_type, panic.as_ref()),
                }
            } else if let (Some(h), Some(slot)) =
                (entry.unified.get(i - typed), this.unified.as_deref_mut())
            {
                this.current = start_unified(shared, event_type, h, ctx, slot, last);
            }
        }
    }
}

/// Starts unified handler `h` on the mapped event in `slot` (taking it when `last`); a panic
/// is reported, as for any handler.
fn start_unified<P: Platform, H: JobHost<P> + ?Sized>(
    shared: &H,
    event_type: &str,
    h: &UnifiedFn,
    ctx: Context,
    slot: &mut UnifiedSlot,
    last: bool,
) -> Option<HandlerFuture> {
    match catch_unwind(AssertUnwindSafe(|| h(ctx, slot, last))) {
        Ok(future) => future,
        Err(panic) => {
            shared.handler_panic(event_type, panic.as_ref());
            None
        }
    }
}
