//! The read-ahead rule (decision 0013): events the channel cannot take yet wait here, in
//! order. With no action pending, a held event stops the reader (backpressure, as for QQ and
//! Bubble). While an action called through the handle is pending, the reader keeps reading so
//! that its response (which shares the socket with events) is read and completed at once; the
//! events read meanwhile are held here, up to a cap. At the cap the pending calls fail with
//! [`OneBotCallError::ReadAheadFull`] (their late responses are discarded) and the reader stops:
//! events are never dropped, duplicated or reordered, only actions give way.

use std::collections::{HashMap, HashSet, VecDeque};

use super::handle::CallReply;
use crate::event::SessionEvent;
use crate::onebot::{ActionId, OneBotCallError};

/// Held events and the calls whose results go straight to their callers.
pub(crate) struct ReadAhead<T> {
    held: VecDeque<T>,
    cap: usize,
    calls: HashMap<ActionId, CallReply>,
    /// Calls failed at the cap: the machine still answers them later; that answer is dropped.
    abandoned: HashSet<ActionId>,
    /// Whether events were held when last reported, and the most held at once.
    reported: bool,
    peak: usize,
}

impl<T> ReadAhead<T> {
    /// Holds at most `cap` events (at least 1) while reading ahead.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            held: VecDeque::new(),
            cap: cap.max(1),
            calls: HashMap::new(),
            abandoned: HashSet::new(),
            reported: false,
            peak: 0,
        }
    }

    /// `Some(held)` when whether events are held changed since the last call.
    pub(crate) fn held_changed(&mut self) -> Option<bool> {
        let held = !self.held.is_empty();
        (held != self.reported).then(|| {
            self.reported = held;
            held
        })
    }

    /// `Some(len)` when more events are held than ever before.
    pub(crate) fn new_peak(&mut self) -> Option<usize> {
        (self.held.len() > self.peak).then(|| {
            self.peak = self.held.len();
            self.peak
        })
    }

    /// No event held: nothing waits for room in the channel.
    pub(crate) fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether the socket (and the machine's timer) may be polled: always when nothing is
    /// held; while events are held, only to read a pending call's response, below the cap.
    pub(crate) fn may_read(&self) -> bool {
        self.held.is_empty() || (!self.calls.is_empty() && self.held.len() < self.cap)
    }

    /// Remembers where the result of call `id` goes.
    pub(crate) fn register(&mut self, id: ActionId, reply: CallReply) {
        self.calls.insert(id, reply);
    }

    /// The calls whose callers gave up (dropped their futures), forgotten here; the machine
    /// is told to withdraw them ([`SessionMachine::cancel_call`](crate::SessionMachine)).
    pub(crate) fn take_abandoned_calls(&mut self) -> Vec<ActionId> {
        if self.calls.is_empty() {
            return Vec::new();
        }
        let gone: Vec<ActionId> = self
            .calls
            .iter()
            .filter(|(_, reply)| reply.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in &gone {
            self.calls.remove(id);
        }
        gone
    }

    /// Answers the caller of an `ActionResult` (or drops the late result of an abandoned
    /// call); anything else comes back to go to the channel.
    pub(crate) fn route(&mut self, event: SessionEvent) -> Option<SessionEvent> {
        let SessionEvent::ActionResult { id, result } = event else {
            return Some(event);
        };
        if let Some(reply) = self.calls.remove(&id) {
            // A caller that gave up has dropped its receiver: nothing to tell.
            let _ = reply.send(result);
            return None;
        }
        if self.abandoned.remove(&id) {
            tracing::debug!(
                ?id,
                "session driver: late result of a call failed at the read-ahead cap dropped"
            );
            return None;
        }
        Some(SessionEvent::ActionResult { id, result })
    }

    /// Holds an event behind the others.
    pub(crate) fn push_back(&mut self, item: T) {
        self.held.push_back(item);
    }

    /// Puts back an event the channel had no room for (it stays first).
    pub(crate) fn push_front(&mut self, item: T) {
        self.held.push_front(item);
    }

    /// The oldest held event.
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        self.held.pop_front()
    }

    /// Every held event, oldest first.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.held.drain(..)
    }

    /// At the cap with calls pending: fails them all (`ReadAheadFull`), so the reader stops
    /// and the consumer, no longer blocked on those calls, can catch up.
    pub(crate) fn shed_at_cap(&mut self) {
        if self.held.len() < self.cap || self.calls.is_empty() {
            return;
        }
        tracing::warn!(
            held = self.held.len(),
            calls = self.calls.len(),
            "session driver: read-ahead cap reached while actions wait for their responses; failing them"
        );
        let error = OneBotCallError::ReadAheadFull {
            held: self.held.len(),
        };
        for (id, reply) in self.calls.drain() {
            let _ = reply.send(Err(error.clone()));
            self.abandoned.insert(id);
        }
    }

    /// Forgets every call (their callers get `DriverError::Stopped`).
    pub(crate) fn clear_calls(&mut self) {
        self.calls.clear();
        self.abandoned.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use tokio::sync::oneshot;

    fn result(id: u64) -> SessionEvent {
        SessionEvent::ActionResult {
            id: ActionId(id),
            result: Err(OneBotCallError::Timeout),
        }
    }

    #[test]
    fn reads_ahead_only_while_a_call_is_pending_and_below_the_cap() {
        let mut ahead = ReadAhead::new(2);
        assert!(ahead.may_read(), "nothing held");
        ahead.push_back(1);
        assert!(!ahead.may_read(), "held, no call: backpressure");
        let (tx, _rx) = oneshot::channel();
        ahead.register(ActionId(7), tx);
        assert!(ahead.may_read(), "held, a call pending: read ahead");
        ahead.push_back(2);
        assert!(!ahead.may_read(), "at the cap");
    }

    #[test]
    fn status_and_peak_are_reported_on_change_only() {
        let mut ahead = ReadAhead::new(8);
        assert_eq!((ahead.held_changed(), ahead.new_peak()), (None, None));
        ahead.push_back(1);
        ahead.push_back(2);
        assert_eq!(
            (ahead.held_changed(), ahead.new_peak()),
            (Some(true), Some(2))
        );
        ahead.pop_front();
        assert_eq!((ahead.held_changed(), ahead.new_peak()), (None, None));
        ahead.pop_front();
        assert_eq!(ahead.held_changed(), Some(false));
        ahead.push_back(3);
        assert_eq!((ahead.held_changed(), ahead.new_peak()), (Some(true), None));
    }

    #[test]
    fn results_go_to_their_callers_and_others_pass_through() {
        let mut ahead = ReadAhead::<u8>::new(4);
        let (tx, mut rx) = oneshot::channel();
        ahead.register(ActionId(1), tx);
        assert!(ahead.route(result(1)).is_none());
        assert_eq!(rx.try_recv().unwrap(), Err(OneBotCallError::Timeout));
        assert!(
            ahead.route(result(2)).is_some(),
            "not called through the handle"
        );
        assert!(ahead.route(SessionEvent::Stopped).is_some());
    }

    #[test]
    fn calls_whose_callers_gave_up_are_taken_out() {
        let mut ahead = ReadAhead::<u8>::new(4);
        assert!(ahead.take_abandoned_calls().is_empty());
        let (kept, mut kept_rx) = oneshot::channel();
        let (gone, gone_rx) = oneshot::channel();
        ahead.register(ActionId(1), kept);
        ahead.register(ActionId(2), gone);
        drop(gone_rx);
        assert_eq!(ahead.take_abandoned_calls(), [ActionId(2)]);
        assert!(ahead.take_abandoned_calls().is_empty());
        assert!(ahead.route(result(1)).is_none());
        assert_eq!(kept_rx.try_recv().unwrap(), Err(OneBotCallError::Timeout));
        assert!(
            ahead.route(result(2)).is_some(),
            "forgotten: not its caller's any more"
        );
    }

    #[test]
    fn at_the_cap_calls_fail_and_their_late_results_are_dropped() {
        let mut ahead = ReadAhead::new(2);
        let (tx, mut rx) = oneshot::channel();
        ahead.register(ActionId(3), tx);
        ahead.push_back("a");
        ahead.shed_at_cap();
        assert!(rx.try_recv().is_err(), "below the cap: still pending");
        ahead.push_back("b");
        ahead.shed_at_cap();
        assert_eq!(
            rx.try_recv().unwrap(),
            Err(OneBotCallError::ReadAheadFull { held: 2 })
        );
        assert!(!ahead.may_read(), "no call left: backpressure");
        assert!(
            ahead.route(result(3)).is_none(),
            "the late result is dropped"
        );
        assert!(ahead.route(result(3)).is_some(), "only once");
        assert_eq!(ahead.drain().collect::<Vec<_>>(), ["a", "b"]);
    }
}
