//! The state and steps the QQ and Bubble gateway sessions share: the Discord-style envelope
//! (Hello, heartbeats, op 7 / op 9, seq tracking), the reconnect plan and the output queues.
//! Each session embeds one [`Gateway`] and keeps its own phases and protocol specifics.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use botgate_codec::Frame;
use bytes::Bytes;
use serde_json::Value;

use crate::backoff::{Backoff, BackoffConfig};
use crate::error::Error;
use crate::event::{Outgoing, SessionEvent, Why};
use crate::heartbeat::{Beat, Heartbeat};
use crate::rng::Rng;
use crate::store::ResumeState;
use crate::wire;

/// The opcodes both gateways share (QQ's and Bubble's values are the same).
mod op {
    use botgate_codec::{bubble, qq};

    pub(super) const DISPATCH: u8 = qq::op::DISPATCH;
    pub(super) const HEARTBEAT: u8 = qq::op::HEARTBEAT;
    pub(super) const RECONNECT: u8 = qq::op::RECONNECT;
    pub(super) const INVALID_SESSION: u8 = qq::op::INVALID_SESSION;
    pub(super) const HELLO: u8 = qq::op::HELLO;
    pub(super) const HEARTBEAT_ACK: u8 = qq::op::HEARTBEAT_ACK;

    const _: () = assert!(
        DISPATCH == bubble::op::DISPATCH
            && HEARTBEAT == bubble::op::HEARTBEAT
            && RECONNECT == bubble::op::RECONNECT
            && INVALID_SESSION == bubble::op::INVALID_SESSION
            && HELLO == bubble::op::HELLO
            && HEARTBEAT_ACK == bubble::op::HEARTBEAT_ACK
    );
}

/// The close code the client uses when it drops a connection to reconnect (keeps the session
/// resumable; 1000 could end it).
pub(crate) const RECONNECT_CLOSE_CODE: u16 = 4900;

/// How to come back after the close the client sent.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) why: Why,
    pub(crate) min_delay: Duration,
}

/// What a received frame asks of the protocol session once [`Gateway::read_frame`] has done
/// the shared part.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// op 0.
    Dispatch(Frame),
    /// op 10.
    Hello(Frame),
    /// op 7 or op 9: drop the connection and come back after the delay.
    Reconnect(Why, Duration),
    /// Fully handled (heartbeats, unknown ops).
    Handled,
}

/// The shared half of a gateway session.
#[derive(Debug)]
pub(crate) struct Gateway {
    /// `QQ` or `Bubble`, for logs.
    name: &'static str,
    /// The dispatches whose `d` the session reads itself (READY, ...): their frames are
    /// scanned in full, the others' `d` is checked by their decode (`Frame::scan_envelope`).
    own_events: &'static [&'static str],
    pub(crate) rng: Rng,
    pub(crate) backoff: Backoff,
    pub(crate) heartbeat: Heartbeat,
    pub(crate) session_id: Option<String>,
    pub(crate) last_seq: u64,
    pub(crate) handled_seq: Option<u64>,
    pub(crate) plan: Option<Plan>,
    pub(crate) transmit: VecDeque<Outgoing>,
    pub(crate) events: VecDeque<SessionEvent>,
}

impl Gateway {
    /// Fresh state, resuming `resume` if it names a session.
    pub(crate) fn new(
        name: &'static str,
        own_events: &'static [&'static str],
        seed: Option<u64>,
        backoff: BackoffConfig,
        resume: Option<ResumeState>,
    ) -> Self {
        let (session_id, last_seq) = match resume {
            Some(r) if !r.session_id.is_empty() => (Some(r.session_id), r.seq),
            _ => (None, 0),
        };
        Self {
            name,
            own_events,
            rng: seed.map_or_else(Rng::from_entropy, Rng::new),
            backoff: Backoff::new(backoff),
            heartbeat: Heartbeat::default(),
            session_id,
            last_seq,
            handled_seq: None,
            plan: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// `frame` with `d` checked when the session reads it itself (see `own_events`).
    fn checked_if_own(&self, frame: Frame) -> Result<Frame, botgate_codec::Error> {
        let own = |t: &str| self.own_events.contains(&t);
        if frame.data_checked() || !frame.event_type().is_some_and(own) {
            return Ok(frame);
        }
        Frame::scan(frame.bytes().clone())
    }

    /// Records the application's handled point (never past what was delivered).
    pub(crate) fn set_handled(&mut self, seq: u64) {
        self.handled_seq = Some(seq.min(self.last_seq));
    }

    /// `state` moved back to the handled point, if the application reports one.
    pub(crate) fn at_handled(&self, state: Option<ResumeState>) -> Option<ResumeState> {
        let mut state = state?;
        if let Some(handled) = self.handled_seq {
            state.seq = state.seq.min(handled);
        }
        Some(state)
    }

    /// A new connection is up: the previous one's heartbeat and plan are over.
    pub(crate) fn connected_anew(&mut self, now: Instant) {
        self.backoff.on_attempt(now);
        self.heartbeat.stop();
        self.plan = None;
    }

    /// A connection attempt failed.
    pub(crate) fn connect_failed(&mut self, now: Instant) {
        self.backoff.on_attempt(now);
        self.backoff.on_disconnect(now);
    }

    /// Refuses a connection the session did not ask for.
    pub(crate) fn refuse_connection(&mut self) {
        self.transmit.push_back(Outgoing::Close {
            code: 1000,
            reason: "unexpected connection".to_owned(),
        });
    }

    /// Queues a heartbeat carrying the last seq.
    pub(crate) fn beat(&mut self) {
        let seq = (self.last_seq > 0).then_some(self.last_seq);
        self.transmit
            .push_back(Outgoing::Text(wire::heartbeat(seq)));
    }

    /// Starts heartbeats at Hello's interval (`default` when it gives none), the first one
    /// jittered within the interval.
    pub(crate) fn start_heartbeat(&mut self, now: Instant, hello: &Frame, default: Duration) {
        let d = wire::data_value(hello.data());
        let interval = wire::u64_field(&d, "heartbeat_interval")
            .filter(|ms| *ms > 0)
            .map_or(default, Duration::from_millis);
        let first = self
            .rng
            .duration_up_to(interval.saturating_sub(Duration::from_millis(1)));
        self.heartbeat.start(now, interval, first);
    }

    /// Scans a frame and handles what both gateways handle alike; the rest is returned.
    /// `invalid_session_wait` is the range op 9's wait is drawn from.
    pub(crate) fn read_frame(
        &mut self,
        now: Instant,
        bytes: Bytes,
        invalid_session_wait: (Duration, Duration),
    ) -> Inbound {
        let frame = match Frame::scan_envelope(bytes).and_then(|f| self.checked_if_own(f)) {
            Ok(f) => f,
            Err(error) => {
                tracing::warn!(%error, "{}: frame with an invalid envelope ignored", self.name);
                return Inbound::Handled;
            }
        };
        match frame.op() {
            op::DISPATCH => Inbound::Dispatch(frame),
            op::HELLO => Inbound::Hello(frame),
            op::HEARTBEAT => {
                // Answered at once, but not awaited: a beat asked for just before the
                // scheduled one cannot be acknowledged by then, and counting it made that
                // beat judge a live connection a zombie (decision 0084). Only scheduled beats
                // are judged; a server that never acknowledges them is still caught.
                self.beat();
                Inbound::Handled
            }
            op::HEARTBEAT_ACK => {
                self.heartbeat.on_ack(now);
                Inbound::Handled
            }
            op::RECONNECT => Inbound::Reconnect(Why::ServerReconnect, Duration::ZERO),
            op::INVALID_SESSION => {
                let resumable = frame.data().map(<[u8]>::trim_ascii) == Some(b"true");
                if !resumable {
                    self.session_id = None;
                }
                let (lo, hi) = invalid_session_wait;
                let wait = self.rng.duration_between(lo, hi);
                Inbound::Reconnect(Why::InvalidSession { resumable }, wait)
            }
            other => {
                tracing::debug!(
                    op = other,
                    "{}: frame with an unknown op ignored",
                    self.name
                );
                Inbound::Handled
            }
        }
    }

    /// Sends a heartbeat when one is due; `true` when the last one went unacknowledged (the
    /// caller reconnects).
    pub(crate) fn poll_heartbeat(&mut self, now: Instant) -> bool {
        match self.heartbeat.poll(now) {
            Some(Beat::Send) => {
                self.beat();
                false
            }
            Some(Beat::Zombie) => {
                tracing::warn!("{}: heartbeat not acknowledged; reconnecting", self.name);
                true
            }
            None => false,
        }
    }

    /// While the driver does not read, the only deadline: the next heartbeat of a
    /// `connected` session (a phase's deadlines judge the peer, whose frames are unread).
    pub(crate) fn paused_deadline(&self, connected: bool) -> Option<Instant> {
        connected.then(|| self.heartbeat.deadline()).flatten()
    }

    /// Sends a heartbeat when one is due while the driver does not read (a `connected`
    /// session only): the server keeps the session; nothing is judged (its ACKs are unread).
    pub(crate) fn on_paused_deadline(&mut self, connected: bool, now: Instant) {
        if connected && self.heartbeat.poll_paused(now) {
            self.beat();
        }
    }

    /// The driver reads again after a pause: the ACK awaited may still be unread.
    pub(crate) fn read_resumed(&mut self) {
        self.heartbeat.read_resumed();
    }

    /// The earliest of the phase's deadline, the heartbeat's and `other`.
    pub(crate) fn earliest(
        &self,
        phase_deadline: Option<Instant>,
        other: Option<Instant>,
    ) -> Option<Instant> {
        [phase_deadline, self.heartbeat.deadline(), other]
            .into_iter()
            .flatten()
            .min()
    }

    /// Closes the connection to reconnect after `min_delay` (the caller enters its closing
    /// phase).
    pub(crate) fn close_to_reconnect(&mut self, why: Why, min_delay: Duration) {
        let reason = match &why {
            Why::Zombie => "zombie connection",
            Why::ServerReconnect => "server asked to reconnect",
            Why::InvalidSession { .. } => "invalid session",
            Why::HelloTimeout => "no hello",
            Why::ReadyTimeout => "no ready",
            _ => "reconnect",
        };
        self.heartbeat.stop();
        self.transmit.push_back(Outgoing::Close {
            code: RECONNECT_CLOSE_CODE,
            reason: reason.to_owned(),
        });
        self.plan = Some(Plan { why, min_delay });
    }

    /// The close the client sent has completed: the plan made for it (or a plain reconnect).
    pub(crate) fn closed_as_planned(
        &mut self,
        now: Instant,
        code: Option<u16>,
        reason: &str,
    ) -> Plan {
        self.backoff.on_disconnect(now);
        self.plan.take().unwrap_or(Plan {
            why: Why::Closed {
                code,
                reason: reason.to_owned(),
            },
            min_delay: Duration::ZERO,
        })
    }

    /// The connection is gone: picks the next attempt and announces it (the caller enters
    /// its idle phase).
    pub(crate) fn reconnecting(
        &mut self,
        now: Instant,
        why: Why,
        min_delay: Duration,
        resume: bool,
    ) -> Instant {
        self.heartbeat.stop();
        let at = self.backoff.next_attempt(now, &mut self.rng, min_delay);
        tracing::info!(
            ?why,
            resume,
            delay_ms = at.saturating_duration_since(now).as_millis() as u64,
            "{} session reconnecting",
            self.name
        );
        self.events
            .push_back(SessionEvent::Reconnecting { why, at, resume });
        at
    }

    /// Stops on `error` (the caller enters its stopped phase).
    pub(crate) fn fatal(&mut self, error: Error) {
        tracing::error!(%error, "{} session stopped", self.name);
        self.heartbeat.stop();
        self.events.push_back(SessionEvent::Fatal(error));
    }

    /// Stops on request, closing the connection if there is one (the caller enters its
    /// stopped phase).
    pub(crate) fn shut_down(&mut self, has_connection: bool) {
        if has_connection {
            self.transmit.push_back(Outgoing::Close {
                code: 1000,
                reason: "shutdown".to_owned(),
            });
        }
        self.heartbeat.stop();
        self.events.push_back(SessionEvent::Stopped);
    }

    /// A READY / BOT_READY for the session already held, with an old seq: part of a replay.
    /// `id_of` reads the session id from the frame's data.
    pub(crate) fn is_replay_of_current_ready(
        &self,
        frame: &Frame,
        id_of: fn(&Value) -> Option<String>,
    ) -> bool {
        let (Some(current), Some(s)) = (self.session_id.as_deref(), frame.seq()) else {
            return false;
        };
        if s > self.last_seq {
            return false;
        }
        let d = wire::data_value(frame.data());
        id_of(&d).as_deref() == Some(current)
    }

    /// A new session begins at `frame` (READY / BOT_READY), named `session_id`.
    pub(crate) fn new_session(&mut self, frame: &Frame, session_id: Option<String>) {
        self.session_id = session_id.filter(|s| !s.is_empty());
        self.last_seq = frame.seq().unwrap_or(0);
        // a new session: nothing of it is handled yet
        self.handled_seq = self.handled_seq.map(|_| 0);
    }

    /// Hands a dispatch to the application: the connection made progress (backoff).
    pub(crate) fn deliver(&mut self, frame: Frame) {
        self.backoff.on_delivered();
        self.events.push_back(SessionEvent::Dispatch(frame));
    }

    /// Advances the seq for a dispatch; `false` for a replayed one (already delivered), which
    /// the caller drops.
    pub(crate) fn advance_seq(&mut self, seq: Option<u64>) -> bool {
        let Some(s) = seq else {
            return true;
        };
        if s <= self.last_seq {
            tracing::debug!(
                seq = s,
                last = self.last_seq,
                "{}: replayed dispatch dropped",
                self.name
            );
            return false;
        }
        if self.last_seq != 0 && s != self.last_seq + 1 {
            tracing::debug!(
                seq = s,
                last = self.last_seq,
                "{}: gap in sequence",
                self.name
            );
        }
        self.last_seq = s;
        true
    }
}
