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
    /// Jobs begun before the last [`reset`](Self::reset) and not ended yet, and how many each.
    /// Their `end`s are taken from here first, so an old session's job never ends a new
    /// session's job of the same number (the watermark would then pass it). A new job that
    /// ends first takes the old one's place instead, which holds the watermark back until the
    /// old one ends too: late, never early.
    stale: Vec<(u64, usize)>,
}

impl SeqTracker {
    /// A frame with `seq` was read (handled or not).
    pub fn observe(&mut self, seq: u64) {
        self.highest = Some(self.highest.map_or(seq, |h| h.max(seq)));
    }

    /// A job for `seq` is about to be queued.
    pub fn begin(&mut self, seq: u64) {
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

    /// A job for `seq` finished (or was never queued).
    pub fn end(&mut self, seq: u64) {
        if let Some(i) = self.stale.iter().position(|&(s, _)| s == seq) {
            if let Some((_, n)) = self.stale.get_mut(i) {
                *n -= 1;
                if *n == 0 {
                    self.stale.swap_remove(i);
                }
            }
            return;
        }
        let Ok(i) = self.find(seq) else { return };
        if let Some((_, n)) = self.in_flight.get_mut(i) {
            *n -= 1;
            if *n == 0 {
                self.in_flight.remove(i);
            }
        }
    }

    fn find(&self, seq: u64) -> Result<usize, usize> {
        // The oldest is the usual one to end.
        match self.in_flight.front() {
            Some((first, _)) if *first == seq => Ok(0),
            _ => self.in_flight.binary_search_by_key(&seq, |&(s, _)| s),
        }
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

    /// Forgets everything (a new session numbers its frames from 1 again). Jobs still
    /// running from before count as the old session's (see `stale`).
    pub fn reset(&mut self) {
        for (seq, n) in self.in_flight.drain(..) {
            match self.stale.iter_mut().find(|(s, _)| *s == seq) {
                Some((_, m)) => *m += n,
                None => self.stale.push((seq, n)),
            }
        }
        self.highest = None;
    }
}

#[cfg(test)]
mod tests {
    use super::SeqTracker;

    #[test]
    fn an_old_sessions_job_ending_late_never_ends_a_new_ones() {
        let mut t = SeqTracker::default();
        t.begin(3); // the old session's 3, still running
        t.reset();
        for s in 1..=2 {
            t.begin(s);
            t.end(s);
        }
        t.begin(3);
        assert_eq!(t.handled(), Some(2));
        t.end(3); // the old 3
        assert_eq!(t.handled(), Some(2), "the new 3 runs");
        t.end(3);
        assert_eq!(t.handled(), Some(3));
        // The other order: the new one ends first; the watermark waits for both.
        t.begin(4);
        t.reset();
        t.begin(4);
        t.end(4); // taken as the old one's end
        assert_eq!(t.handled(), Some(3));
        t.end(4);
        assert_eq!(t.handled(), Some(4));
    }

    #[test]
    fn watermark_stops_below_the_oldest_unfinished_frame() {
        let mut t = SeqTracker::default();
        assert_eq!(t.handled(), None);
        t.begin(1);
        t.begin(2);
        t.observe(3); // dropped undecoded
        t.begin(4);
        assert_eq!(t.handled(), Some(0));
        t.end(2);
        assert_eq!(t.handled(), Some(0), "1 is still running");
        t.end(1);
        assert_eq!(t.handled(), Some(3));
        t.end(4);
        assert_eq!(t.handled(), Some(4));
    }

    #[test]
    fn a_frame_with_two_jobs_is_handled_when_both_are() {
        let mut t = SeqTracker::default();
        t.begin(7); // on_raw
        t.begin(7); // typed
        t.end(7);
        assert_eq!(t.handled(), Some(6));
        t.end(7);
        assert_eq!(t.handled(), Some(7));
        t.reset();
        assert_eq!(t.handled(), None);
    }

    #[test]
    fn frames_out_of_order_and_ends_out_of_order() {
        let mut t = SeqTracker::default();
        t.begin(5);
        t.begin(3); // a replayed frame behind a newer one
        t.begin(9);
        t.begin(3);
        assert_eq!(t.handled(), Some(2));
        t.end(3);
        t.end(5);
        assert_eq!(t.handled(), Some(2), "3 has a second job");
        t.end(3);
        assert_eq!(t.handled(), Some(8));
        t.end(4); // never begun: nothing changes
        t.end(9);
        assert_eq!(t.handled(), Some(9));
        t.reset();
        assert_eq!(t.handled(), None);
    }
}
