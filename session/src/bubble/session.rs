//! The Bubble gateway session: Bearer auth at the upgrade, Hello → heartbeats → BOT_READY →
//! op 30 with the desired set; the extended profile's resume (op 6, op 7, op 9, RESUMED);
//! subscriptions tracked from the server's confirmations; dedupe; the client send budget.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use botgate_codec::Frame;
use bytes::Bytes;
use url::Url;

use super::close::{close_action, CloseAction};
use super::config::Config;
use super::dedupe_key::dedupe_key;
use super::subscriptions::Subscriptions;
use crate::dedupe::DedupeWindow;
use crate::error::{Error, ErrorKind};
use crate::event::{ConnectFailure, Outgoing, Ready, SessionEvent, Why};
use crate::fingerprint::{FingerprintState, Fingerprints};
use crate::gateway::{Gateway, Inbound};
use crate::machine::SessionMachine;
use crate::ratelimit::{RateLimiter, SendClass};
use crate::store::ResumeState;
use crate::token::Token;
use crate::wire;

/// Bubble opcodes (spec §3.2: Bubble's own and botgate's extension).
pub use botgate_codec::bubble::op;

/// The close code the client uses when it drops a connection to reconnect.
pub const RECONNECT_CLOSE_CODE: u16 = crate::gateway::RECONNECT_CLOSE_CODE;

/// The dispatches whose `d` the session reads itself.
const OWN_EVENTS: &[&str] = &[
    "BOT_READY",
    "RESUMED",
    "EVENTS_SUBSCRIBED",
    "EVENTS_UNSUBSCRIBED",
    "SUBSCRIBE_DENIED",
    "ERROR",
];

/// Heartbeat interval when Hello does not give one (the AlemonJS client's fallback).
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle { at: Instant },
    AwaitHello { deadline: Instant },
    AwaitReady { deadline: Instant, resuming: bool },
    Ready,
    Closing,
    Stopped,
}

/// One Bubble gateway session, sans-IO.
#[derive(Debug)]
pub struct Session {
    config: Config,
    gw: Gateway,
    limiter: RateLimiter,
    phase: Phase,
    unknown_closes: u32,
    subs: Subscriptions,
    dedupe: DedupeWindow<u128, FingerprintState>,
    /// The seeds of the dedupe fingerprints.
    dedupe_seeds: Fingerprints,
    /// Commands waiting for the send budget.
    pending: VecDeque<String>,
    pending_wake: Option<Instant>,
    /// When to send again what the server may have dropped over its budget (after an `ERROR`
    /// `RATE_LIMIT`, one paced interval later: at once it would meet the same empty bucket).
    resync_at: Option<Instant>,
}

impl Session {
    /// A session that connects at once (resuming `resume` if given and the server supports it).
    pub fn new(config: Config, now: Instant, resume: Option<ResumeState>) -> Self {
        Self {
            gw: Gateway::new(
                "Bubble",
                OWN_EVENTS,
                config.seed,
                config.backoff.clone(),
                resume,
            ),
            limiter: RateLimiter::new(config.rate_limit.clone()),
            phase: Phase::Idle { at: now },
            unknown_closes: 0,
            subs: Subscriptions::new(config.subscription.clone()),
            dedupe: DedupeWindow::with_hasher(config.dedupe_window, FingerprintState),
            dedupe_seeds: Fingerprints::default(),
            pending: VecDeque::new(),
            pending_wake: None,
            resync_at: None,
            config,
        }
    }

    /// The bot token, for the transport (`Authorization: Bearer <token>`) and the REST client.
    pub fn token(&self) -> &Token {
        &self.config.token
    }

    /// The state to persist for a resume (`None` unless the server gave a session id and
    /// sequence numbers).
    pub fn resume_state(&self) -> Option<ResumeState> {
        let id = self.gw.session_id.as_ref()?;
        (self.gw.last_seq > 0).then(|| ResumeState {
            session_id: id.clone(),
            seq: self.gw.last_seq,
            resume_url: None,
            shard: None,
        })
    }

    /// Records that the application has finished with every dispatch up to `seq` (optional).
    /// Once called, [`store_state`](Self::store_state) persists this point instead of the
    /// delivered one, so a crash replays what was read but not handled (dedupe absorbs it).
    pub fn set_handled(&mut self, seq: u64) {
        self.gw.set_handled(seq);
    }

    /// The state to save in a [`SessionStore`](crate::SessionStore): like
    /// [`resume_state`](Self::resume_state), at the handled point if the application reports one.
    pub fn store_state(&self) -> Option<ResumeState> {
        self.gw.at_handled(self.resume_state())
    }

    /// The highest sequence number delivered (0 when the server sends none).
    pub fn last_seq(&self) -> u64 {
        self.gw.last_seq
    }

    /// Whether dispatches are flowing.
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    /// The event types the server confirmed on this session, sorted.
    pub fn confirmed(&self) -> Vec<String> {
        self.subs.confirmed()
    }

    /// The event types the session wants (sent with op 30 after every BOT_READY), sorted.
    pub fn desired(&self) -> Vec<String> {
        self.subs.desired().into_iter().collect()
    }

    /// Round trip of the last acknowledged heartbeat.
    pub fn latency(&self) -> Option<Duration> {
        self.gw.heartbeat.latency()
    }

    /// Adds event types to the desired set; sends op 30 now if ready (within the budget).
    pub fn subscribe<S: AsRef<str>>(&mut self, now: Instant, events: &[S]) {
        let send = self
            .subs
            .subscribe(events.iter().map(|e| e.as_ref().to_owned()));
        if self.phase == Phase::Ready && !send.is_empty() {
            self.pending.push_back(wire::bubble_subscribe(&send));
        }
        self.flush(now);
    }

    /// Removes event types from the desired set; sends op 31 now if ready (within the budget).
    pub fn unsubscribe<S: AsRef<str>>(&mut self, now: Instant, events: &[S]) {
        let send = self
            .subs
            .unsubscribe(events.iter().map(|e| e.as_ref().to_owned()));
        if self.phase == Phase::Ready && !send.is_empty() {
            self.subs.unsubscribing(&send);
            self.pending.push_back(wire::bubble_unsubscribe(&send));
        }
        self.flush(now);
    }

    fn connected(&self) -> bool {
        matches!(
            self.phase,
            Phase::AwaitHello { .. } | Phase::AwaitReady { .. } | Phase::Ready
        )
    }

    /// Moves commands into the transmit queue as the budget allows.
    fn flush(&mut self, now: Instant) {
        self.pending_wake = None;
        if !self.connected() {
            self.pending.clear();
            self.resync_at = None;
            return;
        }
        if self.resync_at.is_some_and(|at| at <= now) {
            self.resync_at = None;
            self.resync_subscriptions();
        }
        while !self.pending.is_empty() {
            if !self.limiter.try_acquire(now, SendClass::Command) {
                self.pending_wake = Some(self.limiter.next_available(now, SendClass::Command));
                return;
            }
            if let Some(cmd) = self.pending.pop_front() {
                self.gw.transmit.push_back(Outgoing::Text(cmd));
            }
        }
    }

    fn schedule(&mut self, now: Instant, why: Why, min_delay: Duration) {
        self.pending.clear();
        self.pending_wake = None;
        self.resync_at = None;
        let resume = self.resume_state().is_some();
        let at = self.gw.reconnecting(now, why, min_delay, resume);
        self.phase = Phase::Idle { at };
    }

    fn reconnect(&mut self, why: Why, min_delay: Duration) {
        self.pending.clear();
        self.pending_wake = None;
        self.resync_at = None;
        self.gw.close_to_reconnect(why, min_delay);
        self.phase = Phase::Closing;
    }

    fn fatal(&mut self, error: Error) {
        self.pending.clear();
        self.pending_wake = None;
        self.resync_at = None;
        self.phase = Phase::Stopped;
        self.gw.fatal(error);
    }

    fn on_hello(&mut self, now: Instant, frame: &Frame) {
        if !matches!(self.phase, Phase::AwaitHello { .. }) {
            tracing::debug!("Bubble: extra Hello ignored");
            return;
        }
        // Heartbeats (`Gateway::beat`) are exempt from the budget (Bubble's limits page).
        self.gw.start_heartbeat(now, frame, DEFAULT_HEARTBEAT);
        let resuming = match self.resume_state() {
            Some(r) => {
                // op 6 is the first message of a new connection (the server's budget is per
                // connection): it goes at once, and takes a token if there is one.
                let _ = self.limiter.try_acquire(now, SendClass::Command);
                self.gw
                    .transmit
                    .push_back(Outgoing::Text(wire::bubble_resume(&r.session_id, r.seq)));
                true
            }
            None => false,
        };
        self.phase = Phase::AwaitReady {
            deadline: now + self.config.ready_timeout,
            resuming,
        };
    }

    fn became_ready(&mut self, now: Instant) {
        self.phase = Phase::Ready;
        self.gw.backoff.on_ready(now);
        self.unknown_closes = 0;
    }

    fn subscriptions_changed(&mut self) {
        self.gw.events.push_back(SessionEvent::Subscriptions {
            confirmed: self.confirmed(),
        });
    }

    /// The session id a BOT_READY names (a string, or a number as its text: Bubble's ids are
    /// `string | number`).
    fn ready_session_id(d: &serde_json::Value) -> Option<String> {
        ["sessionId", "session_id"]
            .iter()
            .find_map(|key| wire::id_field(d, key))
    }

    fn on_bot_ready(&mut self, now: Instant, frame: Frame) {
        let d = wire::data_value(frame.data());
        self.gw.new_session(&frame, Self::ready_session_id(&d));
        let available = wire::first(&d, &["availableEvents", "available_events"])
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let bot_id = d.get("bot").and_then(|b| {
            b.get("botUser")
                .and_then(|u| wire::id_field(u, "id"))
                .or_else(|| wire::id_field(b, "id"))
        });
        let (desired, had_confirmed) = self.subs.fresh_session(available);
        self.became_ready(now);
        tracing::info!(session_id = ?self.gw.session_id, "Bubble session ready");
        self.gw
            .events
            .push_back(SessionEvent::Ready(Box::new(Ready {
                session_id: self.gw.session_id.clone(),
                bot_id,
                available_events: self.subs.available().to_vec(),
                frame: Some(frame),
            })));
        if had_confirmed {
            self.subscriptions_changed();
        }
        if !desired.is_empty() {
            self.pending.push_back(wire::bubble_subscribe(&desired));
        }
    }

    fn on_resumed(&mut self, now: Instant, frame: &Frame) {
        let d = wire::data_value(frame.data());
        let replayed = wire::u64_field(&d, "replayed");
        self.became_ready(now);
        tracing::info!(seq = self.gw.last_seq, "Bubble session resumed");
        self.gw.events.push_back(SessionEvent::Resumed { replayed });
        let (add, remove) = self.subs.resume_diff();
        if !add.is_empty() {
            self.pending.push_back(wire::bubble_subscribe(&add));
        }
        if !remove.is_empty() {
            self.pending.push_back(wire::bubble_unsubscribe(&remove));
        }
    }

    /// The server dropped a command over its budget (it does not say which): the queue of
    /// op 30 / 31 is rebuilt from what the server has not confirmed, so a dropped subscribe is
    /// not left "on its way" for the rest of the connection (a replayed ERROR of an earlier
    /// connection is left to the resume's own diff: not `Ready` yet).
    fn resync_subscriptions(&mut self) {
        self.pending.clear();
        let (add, remove) = self.subs.resync();
        if !add.is_empty() {
            self.pending.push_back(wire::bubble_subscribe(&add));
        }
        if !remove.is_empty() {
            self.pending.push_back(wire::bubble_unsubscribe(&remove));
        }
    }

    fn on_dispatch(&mut self, now: Instant, frame: Frame) {
        let t = frame.event_type().unwrap_or_default().to_owned();
        if t == "BOT_READY"
            && !self
                .gw
                .is_replay_of_current_ready(&frame, Self::ready_session_id)
        {
            self.on_bot_ready(now, frame);
            return;
        }
        if !self.gw.advance_seq(frame.seq()) {
            return;
        }
        match t.as_str() {
            "RESUMED" => self.on_resumed(now, &frame),
            "EVENTS_SUBSCRIBED" => {
                let d = wire::data_value(frame.data());
                let invalid = wire::str_list(&d, "invalidEvents");
                self.subs
                    .on_subscribed(wire::str_list(&d, "subscribedEvents"), &invalid);
                if !invalid.is_empty() {
                    tracing::warn!(?invalid, "Bubble rejected event names");
                    self.gw
                        .events
                        .push_back(SessionEvent::InvalidEvents(invalid));
                }
                self.subscriptions_changed();
                // handlers (`on_events_subscribed`, `on_raw`) see it too
                self.gw
                    .events
                    .push_back(SessionEvent::Dispatch(frame.clone()));
            }
            "EVENTS_UNSUBSCRIBED" => {
                let d = wire::data_value(frame.data());
                self.subs
                    .on_unsubscribed(wire::str_list(&d, "unsubscribedEvents"));
                self.subscriptions_changed();
                self.gw
                    .events
                    .push_back(SessionEvent::Dispatch(frame.clone()));
            }
            "SUBSCRIBE_DENIED" => {
                let d = wire::data_value(frame.data());
                let reason = wire::str_field(&d, "reason").unwrap_or_default();
                let events = wire::str_list(&d, "events");
                tracing::warn!(%reason, ?events, "Bubble denied a subscription");
                self.subs.reject(&events);
                self.gw
                    .events
                    .push_back(SessionEvent::SubscribeDenied { reason, events });
                self.gw
                    .events
                    .push_back(SessionEvent::Dispatch(frame.clone()));
            }
            "ERROR" => {
                let d = wire::data_value(frame.data());
                let code = wire::str_field(&d, "code").unwrap_or_default();
                let message = wire::str_field(&d, "message").unwrap_or_default();
                if code == "RATE_LIMIT" {
                    tracing::warn!(%message, "Bubble: rate limited; halving the send budget");
                    self.limiter.penalize(now, self.config.rate_limit_penalty);
                    if self.phase == Phase::Ready && self.resync_at.is_none() {
                        // One token of the halved budget.
                        let pause = self.config.rate_limit.per.saturating_mul(2);
                        self.resync_at = Some(crate::deadline::later(now, pause));
                    }
                }
                self.gw
                    .events
                    .push_back(SessionEvent::ServerError { code, message });
                self.gw
                    .events
                    .push_back(SessionEvent::Dispatch(frame.clone()));
            }
            _ => {
                // Unknown types pass undeduped (the spec): a newer event may reuse a resource
                // id across different events, and dropping one would lose it for good.
                let key = frame
                    .is_known_event_type()
                    .then(|| dedupe_key(&t, frame.data()))
                    .flatten();
                if let Some(key) = key {
                    if !self.dedupe.insert(key.fingerprint(&self.dedupe_seeds)) {
                        tracing::debug!(event = %t, "Bubble: duplicate event dropped");
                        return;
                    }
                }
                self.gw.deliver(frame);
            }
        }
    }

    fn closed_by_server(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        let before_hello = matches!(self.phase, Phase::AwaitHello { .. });
        self.gw.heartbeat.stop();
        self.gw.backoff.on_disconnect(now);
        let why = Why::Closed {
            code,
            reason: reason.to_owned(),
        };
        let (action, meaning) = close_action(code);
        match action {
            CloseAction::Resume => self.schedule(now, why, Duration::ZERO),
            CloseAction::ResumeAfter(pause) => self.schedule(now, why, pause),
            CloseAction::Fresh => {
                self.gw.session_id = None;
                self.schedule(now, why, Duration::ZERO);
            }
            CloseAction::AuthFailed => {
                if before_hello {
                    tracing::error!("Bubble refused the token before Hello");
                }
                self.fatal(Error::new(ErrorKind::AuthFailed {
                    close_code: code,
                    http_status: None,
                }));
            }
            CloseAction::TakenOver if !self.config.takeover_is_fatal => {
                self.schedule(now, why, Duration::ZERO)
            }
            CloseAction::TakenOver | CloseAction::Fatal => {
                self.fatal(Error::new(ErrorKind::FatalClose {
                    code: code.unwrap_or_default(),
                    meaning,
                }))
            }
            CloseAction::Unknown => {
                self.unknown_closes += 1;
                if self.unknown_closes >= self.config.max_unknown_closes {
                    self.fatal(Error::new(ErrorKind::TooManyFailures {
                        attempts: self.unknown_closes,
                    }));
                } else {
                    self.schedule(now, why, Duration::ZERO);
                }
            }
        }
    }
}

impl SessionMachine for Session {
    fn resume_state(&self) -> Option<ResumeState> {
        Session::resume_state(self)
    }

    fn handle_connected(&mut self, now: Instant) {
        if self.phase == Phase::Stopped {
            self.gw.refuse_connection();
            return;
        }
        self.gw.connected_anew(now);
        self.pending.clear();
        self.subs.new_connection();
        self.pending_wake = None;
        self.resync_at = None;
        self.phase = Phase::AwaitHello {
            deadline: now + self.config.hello_timeout,
        };
    }

    fn handle_connect_failed(&mut self, now: Instant, failure: ConnectFailure) {
        if !matches!(self.phase, Phase::Idle { .. }) {
            return;
        }
        self.gw.connect_failed(now);
        match failure {
            ConnectFailure::Unusable { reason } => {
                self.fatal(Error::new(ErrorKind::Unusable { reason }));
            }
            ConnectFailure::Http {
                status: status @ (401 | 403),
            } => {
                self.fatal(Error::new(ErrorKind::AuthFailed {
                    close_code: None,
                    http_status: Some(status),
                }));
            }
            other => self.schedule(now, Why::ConnectFailed(other), Duration::ZERO),
        }
    }

    fn handle_frame(&mut self, now: Instant, bytes: Bytes) {
        if !self.connected() {
            return;
        }
        match self
            .gw
            .read_frame(now, bytes, self.config.invalid_session_wait)
        {
            Inbound::Dispatch(frame) => self.on_dispatch(now, frame),
            Inbound::Hello(frame) => self.on_hello(now, &frame),
            Inbound::Reconnect(why, wait) => self.reconnect(why, wait),
            Inbound::Handled => {}
        }
        self.flush(now);
    }

    fn handle_closed(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        match self.phase {
            Phase::Closing => {
                let plan = self.gw.closed_as_planned(now, code, reason);
                self.schedule(now, plan.why, plan.min_delay);
            }
            Phase::AwaitHello { .. } | Phase::AwaitReady { .. } | Phase::Ready => {
                self.closed_by_server(now, code, reason);
            }
            Phase::Idle { .. } | Phase::Stopped => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.phase {
            Phase::AwaitHello { deadline } if now >= deadline => {
                self.reconnect(Why::HelloTimeout, Duration::ZERO);
                return;
            }
            Phase::AwaitReady { deadline, .. } if now >= deadline => {
                self.reconnect(Why::ReadyTimeout, Duration::ZERO);
                return;
            }
            _ => {}
        }
        if !self.connected() {
            return;
        }
        if self.gw.poll_heartbeat(now) {
            self.reconnect(Why::Zombie, Duration::ZERO);
            return;
        }
        self.flush(now);
    }

    fn handle_read_resumed(&mut self, _now: Instant, paused: Duration) {
        self.gw.read_resumed();
        // The Hello / BOT_READY / RESUMED awaited may sit unread behind what the pause left (a
        // resume's replay): the time spent not reading says nothing of the peer (as QQ's).
        if let Phase::AwaitHello { deadline } | Phase::AwaitReady { deadline, .. } = &mut self.phase
        {
            *deadline = crate::deadline::later(*deadline, paused);
        }
    }

    fn poll_paused_timeout(&self) -> Option<Instant> {
        self.gw.paused_deadline(self.connected())
    }

    fn handle_paused_timeout(&mut self, now: Instant) {
        let connected = self.connected();
        self.gw.on_paused_deadline(connected, now);
    }

    fn poll_transmit(&mut self) -> Option<Outgoing> {
        self.gw.transmit.pop_front()
    }

    fn poll_event(&mut self) -> Option<SessionEvent> {
        self.gw.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let phase_deadline = match self.phase {
            Phase::AwaitHello { deadline } | Phase::AwaitReady { deadline, .. } => Some(deadline),
            Phase::Ready => None,
            _ => return None,
        };
        let wake = [self.pending_wake, self.resync_at]
            .into_iter()
            .flatten()
            .min();
        self.gw.earliest(phase_deadline, wake)
    }

    fn next_connect(&self) -> Option<(Instant, Url)> {
        match self.phase {
            Phase::Idle { at } => Some((at, self.config.url.clone())),
            _ => None,
        }
    }

    fn connect_headers(&self) -> Vec<(&'static str, Token)> {
        let mut h = vec![(
            "Authorization",
            Token::new(format!("Bearer {}", self.config.token.expose())),
        )];
        if let Some(name) = &self.config.client_name {
            h.push(("X-Client", Token::new(name.clone())));
        }
        h
    }

    fn close(&mut self, _now: Instant) {
        if self.phase == Phase::Stopped {
            return;
        }
        self.gw
            .shut_down(self.connected() || self.phase == Phase::Closing);
        self.pending.clear();
        self.pending_wake = None;
        self.resync_at = None;
        self.phase = Phase::Stopped;
    }
}
