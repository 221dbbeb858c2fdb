//! The QQ gateway session: Hello → Identify / Resume → READY / RESUMED → heartbeats, with the
//! close-code table, op 7 / op 9, zombie detection, seq tracking and the token refresh hook.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use botgate_codec::Frame;
use bytes::Bytes;
use url::Url;

use super::close::{close_action, CloseAction};
use super::config::Config;
use crate::backoff::Backoff;
use crate::error::{Error, ErrorKind};
use crate::event::{ConnectFailure, Outgoing, Ready, SessionEvent, TokenReason, Why};
use crate::heartbeat::{Beat, Heartbeat};
use crate::machine::SessionMachine;
use crate::rng::Rng;
use crate::store::ResumeState;
use crate::token::Token;
use crate::wire;

/// QQ opcodes (the spec's table).
pub use botgate_codec::qq::op;

/// The close code the client uses when it drops a connection to reconnect (keeps the session
/// resumable; 1000 could end it).
pub const RECONNECT_CLOSE_CODE: u16 = 4900;

/// Heartbeat interval when Hello does not give one.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(45);

/// A token that expires within this margin is refreshed before it is used.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Not connected; connect at `at`.
    Idle { at: Instant },
    /// Not connected; at `at` (the end of the reconnect backoff) ask for a token with
    /// `reason`, so it is fresh when Identify / Resume goes out.
    TokenDue { at: Instant, reason: TokenReason },
    /// Not connected; waiting for `set_token`, then connect no sooner than `not_before`.
    AwaitingToken { not_before: Instant },
    /// Connected, waiting for Hello.
    AwaitHello { deadline: Instant },
    /// Identify or Resume sent, waiting for READY / RESUMED.
    Handshake { deadline: Instant, resuming: bool },
    /// Ready: dispatches flow.
    Ready,
    /// The client sent a close; waiting for `handle_closed`, then `plan` applies.
    Closing,
    /// Fatal or closed on request: nothing more happens.
    Stopped,
}

#[derive(Debug, Clone)]
struct Plan {
    why: Why,
    min_delay: Duration,
}

/// One QQ gateway session (one shard), sans-IO.
#[derive(Debug)]
pub struct Session {
    config: Config,
    rng: Rng,
    backoff: Backoff,
    heartbeat: Heartbeat,
    phase: Phase,
    session_id: Option<String>,
    last_seq: u64,
    handled_seq: Option<u64>,
    token_expires_at: Option<Instant>,
    token_rejected: bool,
    auth_failures: u32,
    identified_once: bool,
    plan: Option<Plan>,
    transmit: VecDeque<Outgoing>,
    events: VecDeque<SessionEvent>,
}

impl Session {
    /// A session that connects at once (resuming `resume` if given, e.g. loaded from a
    /// [`SessionStore`](crate::SessionStore) after a restart).
    pub fn new(config: Config, now: Instant, resume: Option<ResumeState>) -> Self {
        let rng = config.seed.map_or_else(Rng::from_entropy, Rng::new);
        let backoff = Backoff::new(config.backoff.clone());
        let (session_id, last_seq) = match resume {
            Some(r) if !r.session_id.is_empty() => (Some(r.session_id), r.seq),
            _ => (None, 0),
        };
        let mut s = Self {
            config,
            rng,
            backoff,
            heartbeat: Heartbeat::default(),
            phase: Phase::Stopped,
            session_id,
            last_seq,
            handled_seq: None,
            token_expires_at: None,
            token_rejected: false,
            auth_failures: 0,
            identified_once: false,
            plan: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        };
        s.enter_idle(now);
        s
    }

    /// The state to persist for a resume (`None` while there is no resumable session).
    pub fn resume_state(&self) -> Option<ResumeState> {
        self.session_id.as_ref().map(|id| ResumeState {
            session_id: id.clone(),
            seq: self.last_seq,
            resume_url: None,
            shard: Some(self.config.shard),
        })
    }

    /// Records that the application has finished with every dispatch up to `seq` (optional).
    /// Once called, [`store_state`](Self::store_state) persists this point instead of the
    /// delivered one, so a crash replays what was read but not handled (dedupe absorbs it).
    pub fn set_handled(&mut self, seq: u64) {
        self.handled_seq = Some(seq.min(self.last_seq));
    }

    /// The state to save in a [`SessionStore`](crate::SessionStore): like
    /// [`resume_state`](Self::resume_state), at the handled point if the application reports one.
    pub fn store_state(&self) -> Option<ResumeState> {
        let mut state = self.resume_state()?;
        if let Some(handled) = self.handled_seq {
            state.seq = state.seq.min(handled);
        }
        Some(state)
    }

    /// The highest sequence number delivered in this session.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The current session id, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Whether dispatches are flowing (READY or RESUMED seen on this connection).
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    /// Round trip of the last acknowledged heartbeat.
    pub fn latency(&self) -> Option<Duration> {
        self.heartbeat.latency()
    }

    /// The token (the full `QQBot …` / `Bot …` value), for the OpenAPI client.
    pub fn token(&self) -> &Token {
        &self.config.token
    }

    /// Supplies a (fresh) token, valid for `expires_in` if known. Answers `TokenRequired`; may
    /// be called at any time.
    pub fn set_token(
        &mut self,
        now: Instant,
        token: impl Into<Token>,
        expires_in: Option<Duration>,
    ) {
        self.config.token = token.into();
        self.token_expires_at = expires_in.map(|d| now + d);
        self.token_rejected = false;
        match self.phase {
            Phase::AwaitingToken { not_before } => self.enter_idle(not_before.max(now)),
            // Supplied before it was asked for (and the backoff still runs): a token that
            // will not outlive the wait is asked for again when it ends.
            Phase::TokenDue { at, .. }
                if self
                    .token_expires_at
                    .is_none_or(|exp| exp > at + TOKEN_MARGIN) =>
            {
                self.enter_idle(at)
            }
            _ => {}
        }
    }

    fn connected(&self) -> bool {
        matches!(
            self.phase,
            Phase::AwaitHello { .. } | Phase::Handshake { .. } | Phase::Ready
        )
    }

    /// Plans the next connection no sooner than `at`; identifies wait for a queue slot.
    fn enter_idle(&mut self, at: Instant) {
        let at = if self.session_id.is_none() {
            self.config.identify_queue.reserve(at)
        } else {
            at
        };
        self.phase = Phase::Idle { at };
    }

    /// The connection is gone: decide when and how to come back.
    fn schedule(&mut self, now: Instant, why: Why, min_delay: Duration) {
        self.heartbeat.stop();
        let at = self.backoff.next_attempt(now, &mut self.rng, min_delay);
        let resume = self.session_id.is_some();
        tracing::info!(
            ?why,
            resume,
            delay_ms = at.saturating_duration_since(now).as_millis() as u64,
            "QQ session reconnecting"
        );
        self.events
            .push_back(SessionEvent::Reconnecting { why, at, resume });
        let reason = if !self.config.refreshable_token {
            None
        } else if self.token_rejected {
            Some(TokenReason::Rejected)
        } else if !resume && self.identified_once {
            Some(TokenReason::Reidentify)
        } else if self
            .token_expires_at
            .is_some_and(|exp| exp <= at + TOKEN_MARGIN)
        {
            Some(TokenReason::Expired)
        } else {
            None
        };
        match reason {
            // Asked for when the backoff ends, not now: a token fetched before the wait could
            // expire during it and arrive stale at Identify / Resume.
            Some(reason) => self.phase = Phase::TokenDue { at, reason },
            None => self.enter_idle(at),
        }
    }

    /// The backoff is over: ask for the token the next connection needs.
    fn request_token(&mut self, now: Instant, reason: TokenReason) {
        tracing::debug!(?reason, "QQ session needs a token before it connects");
        self.phase = Phase::AwaitingToken { not_before: now };
        self.events
            .push_back(SessionEvent::TokenRequired { reason });
    }

    /// The client drops the connection to reconnect after `min_delay`.
    fn reconnect(&mut self, why: Why, min_delay: Duration) {
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
        self.phase = Phase::Closing;
        self.plan = Some(Plan { why, min_delay });
    }

    fn fatal(&mut self, error: Error) {
        tracing::error!(%error, "QQ session stopped");
        self.heartbeat.stop();
        self.phase = Phase::Stopped;
        self.events.push_back(SessionEvent::Fatal(error));
    }

    fn auth_failed(
        &mut self,
        now: Instant,
        why: Why,
        close_code: Option<u16>,
        http_status: Option<u16>,
    ) {
        self.auth_failures += 1;
        if !self.config.refreshable_token || self.auth_failures >= 2 {
            self.fatal(Error::new(ErrorKind::AuthFailed {
                close_code,
                http_status,
            }));
            return;
        }
        tracing::warn!("QQ token rejected; asking for a fresh one and identifying once more");
        self.session_id = None;
        self.token_rejected = true;
        self.schedule(now, why, Duration::ZERO);
    }

    fn beat(&mut self) {
        let seq = (self.last_seq > 0).then_some(self.last_seq);
        self.transmit
            .push_back(Outgoing::Text(wire::heartbeat(seq)));
    }

    fn on_hello(&mut self, now: Instant, frame: &Frame) {
        if !matches!(self.phase, Phase::AwaitHello { .. }) {
            tracing::debug!("QQ: extra Hello ignored");
            return;
        }
        let d = wire::data_value(frame.data());
        let interval = wire::u64_field(&d, "heartbeat_interval")
            .filter(|ms| *ms > 0)
            .map_or(DEFAULT_HEARTBEAT, Duration::from_millis);
        // Identify / Resume go out before the first beat (queue order): nothing precedes them.
        let resuming = match &self.session_id {
            Some(id) => {
                self.transmit.push_back(Outgoing::Text(wire::qq_resume(
                    self.config.token.expose(),
                    id,
                    self.last_seq,
                )));
                true
            }
            None => {
                self.transmit.push_back(Outgoing::Text(wire::qq_identify(
                    self.config.token.expose(),
                    self.config.intents,
                    self.config.shard,
                    &self.config.properties,
                )));
                self.last_seq = 0;
                self.identified_once = true;
                false
            }
        };
        let first = self
            .rng
            .duration_up_to(interval.saturating_sub(Duration::from_millis(1)));
        self.heartbeat.start(now, interval, first);
        self.phase = Phase::Handshake {
            deadline: now + self.config.ready_timeout,
            resuming,
        };
    }

    fn became_ready(&mut self, now: Instant) {
        self.phase = Phase::Ready;
        self.backoff.on_ready(now);
        self.auth_failures = 0;
    }

    /// A READY of the session we already have, with an old seq: part of a replay.
    fn is_replay_of_current_ready(&self, frame: &Frame) -> bool {
        let (Some(current), Some(s)) = (self.session_id.as_deref(), frame.seq()) else {
            return false;
        };
        if s > self.last_seq {
            return false;
        }
        let d = wire::data_value(frame.data());
        wire::str_field(&d, "session_id").as_deref() == Some(current)
    }

    fn on_dispatch(&mut self, now: Instant, frame: Frame) {
        match frame.event_type() {
            Some("READY") if !self.is_replay_of_current_ready(&frame) => {
                let d = wire::data_value(frame.data());
                self.session_id = wire::str_field(&d, "session_id").filter(|s| !s.is_empty());
                self.last_seq = frame.seq().unwrap_or(0);
                // a new session: nothing of it is handled yet
                self.handled_seq = self.handled_seq.map(|_| 0);
                self.became_ready(now);
                let bot_id = d.get("user").and_then(|u| wire::id_field(u, "id"));
                tracing::info!(session_id = ?self.session_id, "QQ session ready");
                self.events.push_back(SessionEvent::Ready(Ready {
                    session_id: self.session_id.clone(),
                    bot_id,
                    available_events: Vec::new(),
                    frame: Some(frame),
                }));
            }
            Some("RESUMED") => {
                if let Some(s) = frame.seq() {
                    self.last_seq = self.last_seq.max(s);
                }
                self.became_ready(now);
                tracing::info!(seq = self.last_seq, "QQ session resumed");
                self.events
                    .push_back(SessionEvent::Resumed { replayed: None });
            }
            _ => {
                if let Some(s) = frame.seq() {
                    if s <= self.last_seq {
                        tracing::debug!(
                            seq = s,
                            last = self.last_seq,
                            "QQ: replayed dispatch dropped"
                        );
                        return;
                    }
                    if self.last_seq != 0 && s != self.last_seq + 1 {
                        tracing::debug!(seq = s, last = self.last_seq, "QQ: gap in sequence");
                    }
                    self.last_seq = s;
                }
                self.events.push_back(SessionEvent::Dispatch(frame));
            }
        }
    }
}

impl SessionMachine for Session {
    fn handle_connected(&mut self, now: Instant) {
        match self.phase {
            Phase::Stopped | Phase::TokenDue { .. } | Phase::AwaitingToken { .. } => {
                self.transmit.push_back(Outgoing::Close {
                    code: 1000,
                    reason: "unexpected connection".to_owned(),
                });
            }
            _ => {
                self.backoff.on_attempt(now);
                self.heartbeat.stop();
                self.plan = None;
                self.phase = Phase::AwaitHello {
                    deadline: now + self.config.hello_timeout,
                };
            }
        }
    }

    fn handle_connect_failed(&mut self, now: Instant, failure: ConnectFailure) {
        if !matches!(self.phase, Phase::Idle { .. }) {
            return;
        }
        self.backoff.on_attempt(now);
        self.backoff.on_disconnect(now);
        match failure {
            ConnectFailure::Http {
                status: status @ (401 | 403),
            } => {
                self.auth_failed(now, Why::ConnectFailed(failure), None, Some(status));
            }
            other => self.schedule(now, Why::ConnectFailed(other), Duration::ZERO),
        }
    }

    fn handle_frame(&mut self, now: Instant, bytes: Bytes) {
        if !self.connected() {
            return;
        }
        let frame = match Frame::scan(bytes) {
            Ok(f) => f,
            Err(error) => {
                tracing::warn!(%error, "QQ: frame with an invalid envelope ignored");
                return;
            }
        };
        match frame.op() {
            op::DISPATCH => self.on_dispatch(now, frame),
            op::HELLO => self.on_hello(now, &frame),
            op::HEARTBEAT => {
                self.beat();
                self.heartbeat.mark_sent(now);
            }
            op::HEARTBEAT_ACK => self.heartbeat.on_ack(now),
            op::RECONNECT => self.reconnect(Why::ServerReconnect, Duration::ZERO),
            op::INVALID_SESSION => {
                let resumable = frame.data().map(<[u8]>::trim_ascii) == Some(b"true");
                if !resumable {
                    self.session_id = None;
                }
                let (lo, hi) = self.config.invalid_session_wait;
                let wait = self.rng.duration_between(lo, hi);
                self.reconnect(Why::InvalidSession { resumable }, wait);
            }
            other => tracing::debug!(op = other, "QQ: frame with an unhandled op ignored"),
        }
    }

    fn handle_closed(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        match self.phase {
            Phase::Closing => {
                self.backoff.on_disconnect(now);
                let plan = self.plan.take().unwrap_or(Plan {
                    why: Why::Closed {
                        code,
                        reason: reason.to_owned(),
                    },
                    min_delay: Duration::ZERO,
                });
                self.schedule(now, plan.why, plan.min_delay);
            }
            Phase::AwaitHello { .. } | Phase::Handshake { .. } | Phase::Ready => {
                self.heartbeat.stop();
                self.backoff.on_disconnect(now);
                let why = Why::Closed {
                    code,
                    reason: reason.to_owned(),
                };
                let (action, meaning) = close_action(code);
                match action {
                    CloseAction::Resume => self.schedule(now, why, Duration::ZERO),
                    CloseAction::ResumeAfter(pause) => self.schedule(now, why, pause),
                    CloseAction::Identify { client_bug } => {
                        if client_bug {
                            tracing::error!(
                                ?code,
                                meaning,
                                "QQ closed the connection over a client bug"
                            );
                        }
                        self.session_id = None;
                        self.schedule(now, why, Duration::ZERO);
                    }
                    CloseAction::AuthFailed => self.auth_failed(now, why, code, None),
                    CloseAction::Fatal => self.fatal(Error::new(ErrorKind::FatalClose {
                        code: code.unwrap_or_default(),
                        meaning,
                    })),
                }
            }
            Phase::Idle { .. }
            | Phase::TokenDue { .. }
            | Phase::AwaitingToken { .. }
            | Phase::Stopped => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.phase {
            Phase::AwaitHello { deadline } if now >= deadline => {
                self.reconnect(Why::HelloTimeout, Duration::ZERO);
                return;
            }
            Phase::Handshake { deadline, .. } if now >= deadline => {
                self.reconnect(Why::ReadyTimeout, Duration::ZERO);
                return;
            }
            Phase::TokenDue { at, reason } if now >= at => {
                self.request_token(now, reason);
                return;
            }
            _ => {}
        }
        if !self.connected() {
            return;
        }
        match self.heartbeat.poll(now) {
            Some(Beat::Send) => self.beat(),
            Some(Beat::Zombie) => {
                tracing::warn!("QQ: heartbeat not acknowledged; reconnecting");
                self.reconnect(Why::Zombie, Duration::ZERO);
            }
            None => {}
        }
    }

    fn poll_transmit(&mut self) -> Option<Outgoing> {
        self.transmit.pop_front()
    }

    fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let phase_deadline = match self.phase {
            Phase::AwaitHello { deadline } | Phase::Handshake { deadline, .. } => Some(deadline),
            Phase::TokenDue { at, .. } => return Some(at),
            Phase::Ready => None,
            _ => return None,
        };
        match (phase_deadline, self.heartbeat.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn next_connect(&self) -> Option<(Instant, Url)> {
        match self.phase {
            Phase::Idle { at } => Some((at, self.config.url.clone())),
            _ => None,
        }
    }

    fn connect_headers(&self) -> Vec<(&'static str, Token)> {
        Vec::new()
    }

    fn close(&mut self, _now: Instant) {
        if self.phase == Phase::Stopped {
            return;
        }
        if self.connected() || self.phase == Phase::Closing {
            self.transmit.push_back(Outgoing::Close {
                code: 1000,
                reason: "shutdown".to_owned(),
            });
        }
        self.heartbeat.stop();
        self.phase = Phase::Stopped;
        self.events.push_back(SessionEvent::Stopped);
    }
}
