//! Heartbeat schedule and zombie detection (a beat due while the previous one is unacknowledged,
//! unless the reader paused since: its ACK may sit unread behind events; decision 0065).

use std::time::{Duration, Instant};

use crate::deadline::{later, LONGEST_WAIT};

/// What the heartbeat timer asks for when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beat {
    /// Send a heartbeat now.
    Send,
    /// The previous beat was never acknowledged: the connection is a zombie.
    Zombie,
}

/// The heartbeat state of one connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Heartbeat {
    interval: Duration,
    next: Option<Instant>,
    awaiting_ack: bool,
    /// The reader paused since the beat awaited was sent (its ACK may still be unread): the
    /// next due beat is sent, not judged, and then judged as any other.
    spare: bool,
    sent_at: Option<Instant>,
    latency: Option<Duration>,
}

impl Heartbeat {
    /// Starts beating every `interval`, the first beat after `first_in`.
    pub(crate) fn start(&mut self, now: Instant, interval: Duration, first_in: Duration) {
        // The server's interval, so any `u64` of milliseconds: capped (`deadline::later`).
        self.interval = interval.clamp(Duration::from_millis(100), LONGEST_WAIT);
        self.next = Some(later(now, first_in));
        self.awaiting_ack = false;
        self.spare = false;
        self.sent_at = None;
    }

    /// Stops the timer (connection gone).
    pub(crate) fn stop(&mut self) {
        self.next = None;
        self.awaiting_ack = false;
        self.spare = false;
        self.sent_at = None;
    }

    /// When the timer fires next.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.next
    }

    /// Fires the timer if due.
    pub(crate) fn poll(&mut self, now: Instant) -> Option<Beat> {
        let next = self.next?;
        if now < next {
            return None;
        }
        if self.awaiting_ack && !self.spare {
            self.stop();
            return Some(Beat::Zombie);
        }
        self.spare = false;
        self.send(next, now);
        Some(Beat::Send)
    }

    /// Fires the timer if due while the reader is paused: a beat goes out (the server must
    /// not take the session for dead), and nothing is judged (ACKs are unread). `true` when a
    /// beat is due.
    pub(crate) fn poll_paused(&mut self, now: Instant) -> bool {
        let Some(next) = self.next.filter(|next| *next <= now) else {
            return false;
        };
        self.send(next, now);
        true
    }

    /// The reader paused and reads again: an ACK of a beat sent before may still be unread.
    pub(crate) fn read_resumed(&mut self) {
        self.spare = true;
    }

    /// A scheduled beat (due at `next`) goes out at `now`; the one awaited stays the oldest.
    fn send(&mut self, next: Instant, now: Instant) {
        if !self.awaiting_ack {
            self.mark_sent(now);
        }
        let mut following = later(next, self.interval);
        if following <= now {
            following = later(now, self.interval);
        }
        self.next = Some(following);
    }

    /// A scheduled beat went out at `now`: its ACK is awaited. (A beat the server asks for
    /// is not marked: it is answered but not judged, decision 0084.)
    fn mark_sent(&mut self, now: Instant) {
        self.awaiting_ack = true;
        self.sent_at = Some(now);
    }

    /// The server acknowledged.
    pub(crate) fn on_ack(&mut self, now: Instant) {
        self.awaiting_ack = false;
        if let Some(sent) = self.sent_at.take() {
            self.latency = Some(now.saturating_duration_since(sent));
        }
    }

    /// Round trip of the last acknowledged beat.
    pub(crate) fn latency(&self) -> Option<Duration> {
        self.latency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_on_schedule_and_flags_a_missing_ack() {
        let t0 = Instant::now();
        let iv = Duration::from_secs(10);
        let mut h = Heartbeat::default();
        h.start(t0, iv, Duration::from_secs(3));
        assert_eq!(h.poll(t0), None);
        assert_eq!(h.poll(t0 + Duration::from_secs(3)), Some(Beat::Send));
        assert_eq!(h.deadline(), Some(t0 + Duration::from_secs(13)));
        h.on_ack(t0 + Duration::from_secs(4));
        assert_eq!(h.latency(), Some(Duration::from_secs(1)));
        assert_eq!(h.poll(t0 + Duration::from_secs(13)), Some(Beat::Send));
        assert_eq!(h.poll(t0 + Duration::from_secs(23)), Some(Beat::Zombie));
        assert_eq!(h.deadline(), None);
    }

    #[test]
    fn beats_go_on_while_the_reader_is_paused_and_a_pause_spares_one_judgement() {
        let t0 = Instant::now();
        let iv = Duration::from_secs(10);
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut h = Heartbeat::default();
        h.start(t0, iv, Duration::ZERO);
        assert_eq!(h.poll(t0), Some(Beat::Send));
        // Paused: beats go out unjudged, ACKs unread.
        assert!(!h.poll_paused(at(5)));
        assert!(h.poll_paused(at(10)));
        assert!(h.poll_paused(at(20)));
        assert_eq!(h.deadline(), Some(at(30)));
        // Reading again: the next due beat is sent, not judged ...
        h.read_resumed();
        assert_eq!(h.poll(at(30)), Some(Beat::Send));
        // ... and a beat still unacknowledged an interval of reading later is a zombie.
        assert_eq!(h.poll(at(40)), Some(Beat::Zombie));
        // An ACK read after a pause ends the wait as usual; its latency is the oldest beat's.
        h.start(t0, iv, Duration::ZERO);
        assert_eq!(h.poll(t0), Some(Beat::Send));
        assert!(h.poll_paused(at(10)));
        h.read_resumed();
        h.on_ack(at(12));
        assert_eq!(h.latency(), Some(Duration::from_secs(12)));
        assert_eq!(h.poll(at(20)), Some(Beat::Send));
        h.on_ack(at(21));
        assert_eq!(h.poll(at(30)), Some(Beat::Send));
        assert_eq!(h.poll(at(40)), Some(Beat::Zombie), "no pause: judged");
    }

    #[test]
    fn a_late_wakeup_does_not_cause_a_burst() {
        let t0 = Instant::now();
        let mut h = Heartbeat::default();
        h.start(t0, Duration::from_secs(1), Duration::ZERO);
        assert_eq!(h.poll(t0 + Duration::from_secs(100)), Some(Beat::Send));
        assert_eq!(h.deadline(), Some(t0 + Duration::from_secs(101)));
    }
}
