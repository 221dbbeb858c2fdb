//! The QQ gateway session: Hello → Identify / Resume → READY / RESUMED → heartbeats, with the
//! close-code table, op 7 / op 9, zombie detection, seq tracking and the token refresh hook.

use std::time::{Duration, Instant};

use botgate_codec::{Frame, Intents};
use bytes::Bytes;
use url::Url;

use super::close::{close_action, CloseAction};
use super::config::Config;
use crate::deadline::later;
use crate::error::{Error, ErrorKind};
use crate::event::{ConnectFailure, Outgoing, Ready, SessionEvent, TokenReason, Why};
use crate::gateway::{Gateway, Inbound};
use crate::machine::SessionMachine;
use crate::store::ResumeState;
use crate::token::Token;
use crate::wire;

/// QQ opcodes (the spec's table).
pub use botgate_codec::qq::op;

/// The close code the client uses when it drops a connection to reconnect (keeps the session
/// resumable; 1000 could end it).
pub const RECONNECT_CLOSE_CODE: u16 = crate::gateway::RECONNECT_CLOSE_CODE;

/// Heartbeat interval when Hello does not give one.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(45);

/// The order optional intents are dropped in, one per refused Identify: the intents bots are
/// least often granted first, group / C2C (the one most bots hold) last. Bits not listed go
/// before all of these, the highest first.
const DROP_ORDER: [u32; 6] = [
    Intents::GUILD_MESSAGE_REACTIONS.bits(),
    Intents::INTERACTION.bits(),
    Intents::MESSAGE_AUDIT.bits(),
    Intents::AUDIO_ACTION.bits(),
    Intents::DIRECT_MESSAGE.bits(),
    Intents::GROUP_AND_C2C_EVENT.bits(),
];

/// The optional intent to drop next (see [`DROP_ORDER`]); `optional` is not empty.
fn next_to_drop(optional: u32) -> u32 {
    let listed = DROP_ORDER.iter().fold(0, |all, bit| all | bit);
    let unlisted = optional & !listed;
    if unlisted != 0 {
        return 1 << (31 - unlisted.leading_zeros());
    }
    DROP_ORDER
        .iter()
        .copied()
        .find(|bit| optional & bit != 0)
        .unwrap_or(optional)
}

/// The dispatches whose `d` the session reads itself.
const OWN_EVENTS: &[&str] = &["READY", "RESUMED"];

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
    /// Hello seen, heartbeating; the Identify waits for its slot of the identify queue, `at`.
    IdentifyDue { at: Instant },
    /// Identify or Resume sent, waiting for READY / RESUMED.
    Handshake { deadline: Instant, resuming: bool },
    /// Ready: dispatches flow.
    Ready,
    /// The client sent a close; waiting for `handle_closed`, then `plan` applies.
    Closing,
    /// Fatal or closed on request: nothing more happens.
    Stopped,
}

/// One QQ gateway session (one shard), sans-IO.
#[derive(Debug)]
pub struct Session {
    config: Config,
    gw: Gateway,
    phase: Phase,
    token_expires_at: Option<Instant>,
    token_rejected: bool,
    auth_failures: u32,
    identified_once: bool,
}

impl Session {
    /// A session that connects at once (resuming `resume` if given, e.g. loaded from a
    /// [`SessionStore`](crate::SessionStore) after a restart).
    pub fn new(config: Config, now: Instant, resume: Option<ResumeState>) -> Self {
        // A session opened for another shard (a store key shared by mistake, or a changed
        // shard count) is not this shard's to resume: a fresh Identify instead.
        let resume = resume.filter(|r| match r.shard {
            Some(shard) if shard != config.shard => {
                tracing::warn!(stored = ?shard, ours = ?config.shard,
                    "QQ: the stored session belongs to another shard; identifying afresh");
                false
            }
            _ => true,
        });
        let gw = Gateway::new(
            "QQ",
            OWN_EVENTS,
            config.seed,
            config.backoff.clone(),
            resume,
        );
        let mut s = Self {
            config,
            gw,
            phase: Phase::Stopped,
            token_expires_at: None,
            token_rejected: false,
            auth_failures: 0,
            identified_once: false,
        };
        s.enter_idle(now);
        s
    }

    /// The state to persist for a resume (`None` while there is no resumable session).
    pub fn resume_state(&self) -> Option<ResumeState> {
        self.gw.session_id.as_ref().map(|id| ResumeState {
            session_id: id.clone(),
            seq: self.gw.last_seq,
            resume_url: None,
            shard: Some(self.config.shard),
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

    /// The highest sequence number delivered in this session.
    pub fn last_seq(&self) -> u64 {
        self.gw.last_seq
    }

    /// The current session id, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.gw.session_id.as_deref()
    }

    /// Whether dispatches are flowing (READY or RESUMED seen on this connection).
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    /// Round trip of the last acknowledged heartbeat.
    pub fn latency(&self) -> Option<Duration> {
        self.gw.heartbeat.latency()
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
        self.token_expires_at = expires_in.map(|d| later(now, d));
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
            // The first token comes after the connect was planned, which may be far off (an
            // identify waiting for its budget's reset).
            Phase::Idle { at } if at > now => self.idle_until(at),
            _ => {}
        }
    }

    fn connected(&self) -> bool {
        matches!(
            self.phase,
            Phase::AwaitHello { .. }
                | Phase::IdentifyDue { .. }
                | Phase::Handshake { .. }
                | Phase::Ready
        )
    }

    /// Plans the next connection no sooner than `at`. One that will identify connects when
    /// the identify queue could next give it a slot (it takes the slot at Hello).
    fn enter_idle(&mut self, at: Instant) {
        let planned = if self.gw.session_id.is_none() {
            self.config.identify_queue.earliest(at)
        } else {
            at
        };
        // The queue can put the connect far off (a spent identify budget waits for its reset).
        if planned > at {
            self.idle_until(planned);
        } else {
            self.phase = Phase::Idle { at: planned };
        }
    }

    /// Idle until a far-off `at`; a token that will not last until then is asked for again
    /// when the wait ends, not sent stale (4004).
    fn idle_until(&mut self, at: Instant) {
        self.phase = if self.token_stale_at(at) {
            Phase::TokenDue {
                at,
                reason: TokenReason::Expired,
            }
        } else {
            Phase::Idle { at }
        };
    }

    /// A refreshable token that will have expired (within the margin) by `at`.
    fn token_stale_at(&self, at: Instant) -> bool {
        self.config.refreshable_token
            && self
                .token_expires_at
                .is_some_and(|exp| exp <= at + TOKEN_MARGIN)
    }

    /// The connection is gone: decide when and how to come back.
    fn schedule(&mut self, now: Instant, why: Why, min_delay: Duration) {
        let resume = self.gw.session_id.is_some();
        let at = self.gw.reconnecting(now, why, min_delay, resume);
        let reason = if !self.config.refreshable_token {
            None
        } else if self.token_rejected {
            Some(TokenReason::Rejected)
        } else if !resume && self.identified_once {
            Some(TokenReason::Reidentify)
        } else if self.token_stale_at(at) {
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
        self.gw
            .events
            .push_back(SessionEvent::TokenRequired { reason });
    }

    /// The client drops the connection to reconnect after `min_delay`.
    fn reconnect(&mut self, why: Why, min_delay: Duration) {
        self.gw.close_to_reconnect(why, min_delay);
        self.phase = Phase::Closing;
    }

    fn fatal(&mut self, error: Error) {
        self.gw.fatal(error);
        self.phase = Phase::Stopped;
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
        self.gw.session_id = None;
        self.token_rejected = true;
        self.schedule(now, why, Duration::ZERO);
    }

    fn on_hello(&mut self, now: Instant, frame: &Frame) {
        if !matches!(self.phase, Phase::AwaitHello { .. }) {
            tracing::debug!("QQ: extra Hello ignored");
            return;
        }
        self.gw.start_heartbeat(now, frame, DEFAULT_HEARTBEAT);
        // Identify / Resume go out before the first beat (queue order): nothing precedes them.
        match &self.gw.session_id {
            Some(id) => {
                self.gw.transmit.push_back(Outgoing::Text(wire::qq_resume(
                    self.config.token.expose(),
                    id,
                    self.gw.last_seq,
                )));
                self.enter_handshake(now, true);
            }
            None => {
                // The slot is taken now, when the Identify could go out: taken when the
                // connection was planned, a slow connect could spend it late and crowd the
                // next shard's (decision 0046).
                let at = self.config.identify_queue.reserve(now);
                if at > now {
                    tracing::debug!(wait = ?at - now, "QQ: identify waits for its slot");
                    self.phase = Phase::IdentifyDue { at };
                } else {
                    self.identify(now);
                }
            }
        }
    }

    /// Sends Identify (the slot has come) and waits for READY.
    fn identify(&mut self, now: Instant) {
        // Never `intents: 0` (decision 0078): the config may ask for nothing, or every
        // optional intent may have been dropped; botgo and botpy send GUILDS then.
        let intents = Intents::from_bits_retain(self.config.intents).for_identify();
        if intents.bits() != self.config.intents {
            tracing::warn!(
                intents = intents.bits(),
                "QQ: no intent asked for; identifying with GUILDS instead of 0, as botgo and botpy do"
            );
        }
        self.gw.transmit.push_back(Outgoing::Text(wire::qq_identify(
            self.config.token.expose(),
            intents.bits(),
            self.config.shard,
            &self.config.properties,
        )));
        self.gw.last_seq = 0;
        self.identified_once = true;
        self.enter_handshake(now, false);
    }

    /// After an Identify refused with 4013 / 4014 (an intent not granted; the gateway does
    /// not say which): whether it asked for an optional intent, one of which is now dropped,
    /// so that the next Identify may succeed (decision 0054). One per refusal, the least
    /// commonly granted first ([`DROP_ORDER`]): a bot granted group / C2C but not DMs keeps
    /// its group messages.
    fn drop_optional_intents(&mut self, code: Option<u16>) -> bool {
        let optional = self.config.intents & self.config.optional_intents;
        if !matches!(code, Some(4013 | 4014)) || optional == 0 {
            return false;
        }
        let dropped = next_to_drop(optional);
        tracing::warn!(
            ?code,
            dropped,
            intents = self.config.intents & !dropped,
            "QQ refused an intent: identifying again without one of the optional intents (those only unified handlers asked for)"
        );
        self.config.intents &= !dropped;
        self.config.optional_intents &= !dropped;
        true
    }

    fn enter_handshake(&mut self, now: Instant, resuming: bool) {
        self.phase = Phase::Handshake {
            deadline: now + self.config.ready_timeout,
            resuming,
        };
    }

    fn became_ready(&mut self, now: Instant) {
        self.phase = Phase::Ready;
        self.gw.backoff.on_ready(now);
        self.auth_failures = 0;
    }

    /// The session id a READY names: a number is taken as its decimal string (read as a
    /// string only, it was dropped and every reconnect identified anew, losing events).
    fn ready_session_id(d: &serde_json::Value) -> Option<String> {
        wire::id_field(d, "session_id")
    }

    fn on_dispatch(&mut self, now: Instant, frame: Frame) {
        match frame.event_type() {
            Some("READY")
                if !self
                    .gw
                    .is_replay_of_current_ready(&frame, Self::ready_session_id) =>
            {
                let d = wire::data_value(frame.data());
                self.gw.new_session(&frame, Self::ready_session_id(&d));
                self.became_ready(now);
                let bot_id = d.get("user").and_then(|u| wire::id_field(u, "id"));
                tracing::info!(session_id = ?self.gw.session_id, "QQ session ready");
                self.gw
                    .events
                    .push_back(SessionEvent::Ready(Box::new(Ready {
                        session_id: self.gw.session_id.clone(),
                        bot_id,
                        available_events: Vec::new(),
                        frame: Some(frame),
                    })));
            }
            Some("RESUMED") => {
                if let Some(s) = frame.seq() {
                    self.gw.last_seq = self.gw.last_seq.max(s);
                }
                self.became_ready(now);
                tracing::info!(seq = self.gw.last_seq, "QQ session resumed");
                self.gw
                    .events
                    .push_back(SessionEvent::Resumed { replayed: None });
            }
            _ => {
                if self.gw.advance_seq(frame.seq()) {
                    self.gw.deliver(frame);
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
        match self.phase {
            Phase::Stopped | Phase::TokenDue { .. } | Phase::AwaitingToken { .. } => {
                self.gw.refuse_connection();
            }
            _ => {
                self.gw.connected_anew(now);
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
        self.gw.connect_failed(now);
        match failure {
            ConnectFailure::Unusable { reason } => {
                self.fatal(Error::new(ErrorKind::Unusable { reason }));
            }
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
        match self
            .gw
            .read_frame(now, bytes, self.config.invalid_session_wait)
        {
            Inbound::Dispatch(frame) => self.on_dispatch(now, frame),
            Inbound::Hello(frame) => self.on_hello(now, &frame),
            Inbound::Reconnect(why, wait) => self.reconnect(why, wait),
            Inbound::Handled => {}
        }
    }

    fn handle_closed(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        match self.phase {
            Phase::Closing => {
                let plan = self.gw.closed_as_planned(now, code, reason);
                self.schedule(now, plan.why, plan.min_delay);
            }
            Phase::AwaitHello { .. }
            | Phase::IdentifyDue { .. }
            | Phase::Handshake { .. }
            | Phase::Ready => {
                // A refusal of the Identify itself (not of a resume, not after READY).
                let identifying = matches!(
                    self.phase,
                    Phase::Handshake {
                        resuming: false,
                        ..
                    }
                );
                self.gw.heartbeat.stop();
                self.gw.backoff.on_disconnect(now);
                let why = Why::Closed {
                    code,
                    reason: reason.to_owned(),
                };
                let (action, meaning) = close_action(code);
                if identifying && self.drop_optional_intents(code) {
                    self.gw.session_id = None;
                    self.schedule(now, why, Duration::ZERO);
                    return;
                }
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
                        self.gw.session_id = None;
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
            Phase::IdentifyDue { at } if now >= at => self.identify(now),
            _ => {}
        }
        if !self.connected() {
            return;
        }
        if self.gw.poll_heartbeat(now) {
            self.reconnect(Why::Zombie, Duration::ZERO);
        }
    }

    fn handle_read_resumed(&mut self, _now: Instant, paused: Duration) {
        self.gw.read_resumed();
        // The Hello / READY / RESUMED awaited may sit unread behind what the pause left (a
        // resume's replay): the time spent not reading says nothing of the peer.
        if let Phase::AwaitHello { deadline } | Phase::Handshake { deadline, .. } = &mut self.phase
        {
            *deadline = later(*deadline, paused);
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
            Phase::AwaitHello { deadline } | Phase::Handshake { deadline, .. } => Some(deadline),
            Phase::IdentifyDue { at } => Some(at),
            Phase::TokenDue { at, .. } => return Some(at),
            Phase::Ready => None,
            _ => return None,
        };
        self.gw.earliest(phase_deadline, None)
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
        self.gw
            .shut_down(self.connected() || self.phase == Phase::Closing);
        self.phase = Phase::Stopped;
    }
}
