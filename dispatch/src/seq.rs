//! The handled-sequence watermark: the highest `s` such that every frame up to it has been
//! handled (or dropped), so a resume point saved from it never skips an unhandled event.
//! Reading `s` is not the same as handling it: a crash after reading loses what the handlers
//! had not finished, and resuming from the watermark replays it (dedupe absorbs the rest).

use std::collections::VecDeque;

/// The handled watermark of one numbered stream (one session): record each frame with
/// [`observe`](Self::observe) (nothing to do) or [`begin`](Self::begin) / [`end`](Self::end)
/// (work), read [`handled`](Self::handled). The dispatcher keeps one for
/// [`Dispatcher::handled_seq`](crate::Dispatcher::handled_seq); keep one per session when
/// several sessions feed a dispatcher (with
/// [`Dispatcher::dispatch_tracked`](crate::Dispatcher::dispatch_tracked)).
#[derive(Debug, Default)]
pub struct SeqTracker {
    /// Sequence numbers with unfinished jobs, and how many jobs each, sorted. Frames arrive
    /// in order and mostly finish in order, so this is a queue: pushed at the back, popped at
    /// the front, without an allocation per frame.
    in_flight: VecDeque<(u64, usize)>,
    /// The highest sequence number seen.
    highest: Option<u64>,
    /// Counts [`reset`](Self::reset)s: a ticket of an earlier session ends nothing (its
    /// number may be a new session's frame, still running).
    epoch: u64,
}

/// A frame's number as [`begun`](SeqTracker::begin), to hand back to
/// [`end`](SeqTracker::end). It belongs to the session that began it: after a
/// [`reset`](SeqTracker::reset) (a new session, numbering from 1 again) it ends nothing, so a
/// job of the old session that finishes late never ends the new session's frame of the same
/// number (the watermark would then pass a frame whose handlers still run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqTicket {
    seq: u64,
    epoch: u64,
}

impl SeqTicket {
    /// The frame's sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

impl SeqTracker {
    /// A frame with `seq` was read (handled or not).
    pub fn observe(&mut self, seq: u64) {
        self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
    }

    /// A job for `seq` is about to be queued; its ticket goes back to [`end`](Self::end).
    pub fn begin(&mut self, seq: u64) -> SeqTicket {
        self.begin_number(seq);
        SeqTicket {
            seq,
            epoch: self.epoch,
        }
    }

    fn begin_number(&mut self, seq: u64) {
        self.observe(seq);
        match self.in_flight.back_mut() {
            Some((last, n)) if *last == seq => *n += 1,
            Some((last, _)) if *last > seq => match self.find(seq) {
                Ok(i) => {
                    if let Some((_, n)) = self.in_flight.get_mut(i) {
                        *n += 1;
                    }
                }
                Err(i) => self.in_flight.insert(i, (seq, 1)),
            },
            _ => self.in_flight.push_back((seq, 1)),
        }
    }

    /// The job of `ticket` finished (or was never queued). A ticket of an earlier session
    /// (before the last [`reset`](Self::reset)) ends nothing.
    pub fn end(&mut self, ticket: SeqTicket) {
        if ticket.epoch != self.epoch {
            return;
        }
        let seq = ticket.seq;
        let Ok(i) = self.find(seq) else { return };
        if let Some((_, n)) = self.in_flight.get_mut(i) {
            *n -= 1;
            if *n == 0 {
                self.in_flight.remove(i);
            }
        }
    }

    /// The frame of `ticket` was not handled (a handler said
    /// [`NotHandled`](crate::NotHandled)): it stays in flight until the next
    /// [`reset`](Self::reset), so the watermark stays below it whatever ends later. A ticket of
    /// an earlier session holds nothing.
    pub fn hold(&mut self, ticket: SeqTicket) {
        if ticket.epoch == self.epoch {
            // One more job that never ends.
            self.begin_number(ticket.seq);
        }
    }

    fn find(&self, seq: u64) -> Result<usize, usize> {
        // The oldest is the usual one to end.
        match self.in_flight.front() {
            Some((first, _)) if *first == seq => Ok(0),
            _ => self.in_flight.binary_search_by_key(&seq, |&(s, _)| s),
        }
    }

    /// Whether `seq` (of the current session) has a job not ended, or is held.
    pub(crate) fn is_in_flight(&self, seq: u64) -> bool {
        self.find(seq).is_ok()
    }

    /// The highest `s` up to which everything is handled.
    pub fn handled(&self) -> Option<u64> {
        match self.in_flight.front().map(|(s, _)| s) {
            None => self.highest,
            Some(&low) => {
                let below = low.checked_sub(1)?;
                self.highest.map(|h| h.min(below))
            }
        }
    }

    /// Forgets everything (a new session numbers its frames from 1 again). The tickets of
    /// jobs still running end nothing from now on.
    pub fn reset(&mut self) {
        self.in_flight.clear();
        self.highest = None;
        self.epoch = self.epoch.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::SeqTracker;

    #[test]
    fn an_old_sessions_job_ending_late_never_ends_a_new_ones() {
        let mut t = SeqTracker::default();
        let old = t.begin(3); // the old session's 3, still running
        t.reset();
        for s in 1..=2 {
            let ticket = t.begin(s);
            t.end(ticket);
        }
        let new = t.begin(3);
        assert_eq!(t.handled(), Some(2));
        t.end(old);
        assert_eq!(t.handled(), Some(2), "the new 3 runs");
        t.end(new);
        assert_eq!(t.handled(), Some(3));
        // The other order: the new one ends first.
        let old = t.begin(4);
        t.reset();
        let new = t.begin(4);
        t.end(new);
        assert_eq!(t.handled(), Some(4));
        t.end(old);
        assert_eq!(t.handled(), Some(4));
    }

    #[test]
    fn watermark_stops_below_the_oldest_unfinished_frame() {
        let mut t = SeqTracker::default();
        assert_eq!(t.handled(), None);
        let one = t.begin(1);
        let two = t.begin(2);
        t.observe(3); // dropped undecoded
        let four = t.begin(4);
        assert_eq!(t.handled(), Some(0));
        t.end(two);
        assert_eq!(t.handled(), Some(0), "1 is still running");
        t.end(one);
        assert_eq!(t.handled(), Some(3));
        t.end(four);
        assert_eq!(t.handled(), Some(4));
    }

    #[test]
    fn a_held_frame_keeps_the_watermark_below_it_until_a_reset() {
        let mut t = SeqTracker::default();
        let tickets: Vec<_> = (1..=4).map(|s| t.begin(s)).collect();
        t.hold(tickets[1]);
        for ticket in tickets {
            t.end(ticket);
        }
        assert_eq!(t.handled(), Some(1), "2 was not handled");
        t.observe(9);
        assert_eq!(t.handled(), Some(1));
        let old = t.begin(5);
        t.reset();
        t.hold(old); // an old session's ticket holds nothing
        t.observe(1);
        assert_eq!(t.handled(), Some(1));
    }

    #[test]
    fn a_frame_with_two_jobs_is_handled_when_both_are() {
        let mut t = SeqTracker::default();
        let raw = t.begin(7); // on_raw
        let typed = t.begin(7);
        assert_eq!(raw, typed, "tickets name a frame, not a job");
        t.end(raw);
        assert_eq!(t.handled(), Some(6));
        t.end(typed);
        assert_eq!(t.handled(), Some(7));
        t.reset();
        assert_eq!(t.handled(), None);
    }

    #[test]
    fn frames_out_of_order_and_ends_out_of_order() {
        let mut t = SeqTracker::default();
        let five = t.begin(5);
        let three = t.begin(3); // a replayed frame behind a newer one
        let nine = t.begin(9);
        let three_again = t.begin(3);
        assert_eq!(t.handled(), Some(2));
        t.end(three);
        t.end(five);
        assert_eq!(t.handled(), Some(2), "3 has a second job");
        t.end(three_again);
        assert_eq!(t.handled(), Some(8));
        t.end(five); // ended already: nothing changes
        assert_eq!(t.handled(), Some(8));
        t.end(nine);
        assert_eq!(t.handled(), Some(9));
        t.reset();
        assert_eq!(t.handled(), None);
    }
}
