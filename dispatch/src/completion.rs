//! [`Completion`]: told once every handler of one dispatched input has finished, so a caller can
//! track what is handled per session (the resume point, the journal of handled events).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

type Callback = Box<dyn FnOnce(bool) + Send>;

/// A callback run once, when the last job of an input ends: with `true` when every job ran
/// (handlers that failed or panicked count: they were run and reported), `false` when the
/// dispatcher was closed before a job could be queued, or a job (or the dispatch itself) was
/// dropped before it ended (the runtime shut down, a shutdown's grace ran out and the process
/// ended). An input that needs no job at all
/// (unhandled type, decode failure) completes with `true` before
/// [`Dispatcher::dispatch_tracked`](crate::Dispatcher::dispatch_tracked) returns, and so does
/// a resend (dropped by the dedupe window) whose original has finished. A resend of the same
/// sequence number as an original still running completes when that number's jobs have all
/// ended (with `true`), so it never reads as handled before its original; if the original
/// was not handled (`NotHandled`, or refused by a close) it waits until
/// [`Dispatcher::reset_seq`](crate::Dispatcher::reset_seq) or the dispatcher's end, then
/// completes with `false` (decision 0089, addendum).
pub struct Completion {
    inner: Arc<Inner>,
}

struct Inner {
    callback: Mutex<Option<Callback>>,
    ran: AtomicBool,
}

impl Completion {
    /// A completion that calls `f` once.
    pub fn new(f: impl FnOnce(bool) + Send + 'static) -> Self {
        Self {
            inner: Arc::new(Inner {
                callback: Mutex::new(Some(Box::new(f))),
                ran: AtomicBool::new(true),
            }),
        }
    }

    /// Another holder of the same completion (one per job).
    pub(crate) fn share(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }

    /// `work`, then this input's share of `done` released (the completion fires once the last
    /// job of the input has ended).
    pub(crate) fn after<F: std::future::Future<Output = ()>>(
        work: F,
        done: Option<&Completion>,
    ) -> impl std::future::Future<Output = ()> {
        let done = done.map(|d| Unfinished(Some(d.share())));
        async move {
            work.await;
            if let Some(done) = done {
                done.finish();
            }
        }
    }

    /// A job of this input was not queued: the input is not handled.
    pub(crate) fn abandon(&self) {
        self.inner.ran.store(false, Ordering::Relaxed);
    }
}

/// A share of a completion that abandons it when dropped before [`finish`](Self::finish):
/// work dropped before it ended (its task went with the runtime, its caller gave up) did not
/// handle its input, and must not read as handled (a journal would then skip it on replay).
pub(crate) struct Unfinished(pub(crate) Option<Completion>);

impl Unfinished {
    /// The work ended: the share is released as handled.
    pub(crate) fn finish(mut self) {
        self.0 = None;
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(done) = self.0.take() {
            done.abandon();
        }
    }
}

impl fmt::Debug for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completion")
            .field("holders", &Arc::strong_count(&self.inner))
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let callback = self
            .callback
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(callback) = callback {
            // It runs at the end of a job's future (whoever drops the last share): a panic
            // here would end the worker without giving back its slot, lane and `seq`.
            let ran = self.ran.load(Ordering::Relaxed);
            let call = std::panic::AssertUnwindSafe(|| callback(ran));
            if std::panic::catch_unwind(call).is_err() {
                tracing::error!("a completion callback panicked");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn runs_once_when_the_last_holder_goes() {
        let (tx, rx) = std::sync::mpsc::channel();
        let done = Completion::new(move |ran| tx.send(ran).unwrap());
        let job = done.share();
        drop(done);
        assert!(rx.try_recv().is_err(), "a job still holds it");
        drop(job);
        assert_eq!(rx.try_recv(), Ok(true));
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn work_dropped_before_it_ends_completes_with_false() {
        let (tx, rx) = std::sync::mpsc::channel();
        let done = Completion::new(move |ran| tx.send(ran).unwrap());
        let work = Completion::after(std::future::pending::<()>(), Some(&done));
        drop(done);
        drop(work);
        assert_eq!(rx.try_recv(), Ok(false));
    }

    #[test]
    fn an_abandoned_input_completes_with_false() {
        let (tx, rx) = std::sync::mpsc::channel();
        let done = Completion::new(move |ran| tx.send(ran).unwrap());
        done.share().abandon();
        drop(done);
        assert_eq!(rx.try_recv(), Ok(false));
    }
}
