//! The handlers of one event as a plain state machine: typed handlers in registration order,
//! then unified ones, each call and each poll under `catch_unwind`.
//!
//! Being a struct of its own (not an `async` block), a job can run in the dispatching task
//! borrowing the dispatcher, and only if a handler waits is it moved (it is `Unpin`: the handler
//! futures inside are boxed already) into a worker task with an `Arc` of the dispatcher.

use std::any::Any;
use std::future::Future;
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::error::HandlerError;
use crate::handlers::{AnyUnified, HandlerFuture, ToMap};
use crate::platform::Platform;
use crate::table::RouteTable;

/// What a job needs from the dispatcher that runs it (its shared state implements it; a trait,
/// so that this file does not import the dispatcher's).
pub(crate) trait JobHost<P: Platform> {
    /// The handlers of each route.
    fn table(&self) -> &RouteTable<P>;
    /// The unified form of `event`, once per platform event; `None` when it has none.
    /// `event` is owned when no typed handler needs it afterwards.
    fn map_unified(&self, event: ToMap<'_, P::Event>, event_type: &str) -> Option<AnyUnified>;
    /// What a handler returned.
    fn handler_result(&self, event_type: &str, result: Result<(), HandlerError>);
    /// A handler panicked.
    fn handler_panic(&self, event_type: &str, panic: &(dyn Any + Send));
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
    unified: Option<AnyUnified>,
    mapped: bool,
    /// The next handler: typed ones first, then unified ones.
    next: usize,
    current: Option<HandlerFuture>,
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
            next: 0,
            current: None,
        }
    }

    /// The same job holding the dispatcher by `Arc`, to finish in another task.
    pub(crate) fn into_owned<H: JobHost<P>>(self, shared: Arc<H>) -> EventJob<P, Arc<H>> {
        EventJob {
            shared,
            entry: self.entry,
            route: self.route,
            ctx: self.ctx,
            event: self.event,
            unified: self.unified,
            mapped: self.mapped,
            next: self.next,
            current: self.current,
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
        let shared = &*this.shared;
        let Some(entry) = shared.table().entry(this.entry) else {
            return Poll::Ready(());
        };
        let event_type: &str = this.route.as_deref().unwrap_or(&entry.name);
        if !this.mapped {
            // Mapped once, before the event moves into the last typed handler; with no typed
            // handler the event itself moves into the mapping (no copy of it).
            this.mapped = true;
            if !entry.unified.is_empty() {
                let event = if entry.typed.is_empty() {
                    this.event.take().map(ToMap::Owned)
                } else {
                    this.event.as_ref().map(ToMap::Borrowed)
                };
                if let Some(event) = event {
                    this.unified = shared.map_unified(event, event_type);
                }
            }
        }
        loop {
            if let Some(fut) = this.current.as_mut() {
                let polled = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx)));
                match polled {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(result)) => shared.handler_result(event_type, result),
                    Err(panic) => shared.handler_panic(event_type, panic.as_ref()),
                }
                this.current = None;
            }
            let typed = entry.typed.len();
            let total = typed
                + if this.unified.is_some() {
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
            let ctx = if this.next == total {
                this.ctx.take()
            } else {
                this.ctx.clone()
            };
            let Some(ctx) = ctx else {
                return Poll::Ready(());
            };
            let started = if let Some(h) = entry.typed.get(i) {
                let event = if i + 1 == typed {
                    this.event.take()
                } else {
                    this.event.clone()
                };
                let Some(event) = event else { continue };
                catch_unwind(AssertUnwindSafe(|| h(ctx, event)))
            } else {
                let Some(h) = entry.unified.get(i - typed) else {
                    continue;
                };
                let unified = if this.next == total {
                    this.unified.take()
                } else {
                    this.unified.clone()
                };
                let Some(unified) = unified else { continue };
                catch_unwind(AssertUnwindSafe(|| h(ctx, unified)))
            };
            match started {
                Ok(future) => this.current = future,
                Err(panic) => shared.handler_panic(event_type, panic.as_ref()),
            }
        }
    }
}
