//! The OneBot v11 session: lifecycle (self id, including Waylay's 0-then-real), the liveness
//! watch (heartbeats, or WebSocket pings on a connection without them), and actions matched
//! to their responses by `echo`.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use botgate_codec::onebot::{IdField, RawEvent, ResponseFields, Scanned};
use botgate_codec::scan::{self, Span};
use bytes::Bytes;
use url::Url;

use super::action::{ActionId, ActionResponse, OneBotCallError};
use super::config::Config;
use super::event_frame::EventFrame;
use crate::backoff::Backoff;
use crate::deadline::later;
use crate::error::{Error, ErrorKind};
use crate::event::{ConnectFailure, Outgoing, Ready, SessionEvent, Why};
use crate::machine::SessionMachine;
use crate::ratelimit::{RateLimiter, SendClass};
use crate::rng::Rng;
use crate::token::Token;

/// Close code the client uses when it drops a dead connection.
pub const WATCHDOG_CLOSE_CODE: u16 = 4900;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Forward: not connected, dial at `at`.
    Idle { at: Instant },
    /// Reverse: not connected, waiting for the implementation to connect.
    Waiting,
    /// Connected.
    Open,
    /// The client sent a close; waiting for `handle_closed`.
    Closing,
    /// Fatal or closed on request.
    Stopped,
}

/// How the open connection's liveness is watched (decisions 0055 and 0060).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watch {
    /// Not watched: no connection, or [`Config::watchdog`] off.
    Off,
    /// The connection's first heartbeat is awaited until `until`. No frame at all by then:
    /// dead. Frames but no heartbeat: an implementation with heartbeats off, pinged from then.
    FirstHeartbeat { until: Instant },
    /// The connection has sent heartbeats: the next one is due by `until`. Pongs do not count
    /// here: an implementation that stopped its heartbeats is hung (or dropped them) even if
    /// its WebSocket layer still answers pings.
    Heartbeats { until: Instant },
    /// No heartbeat on this connection: a ping goes out at `next_ping` unless one is still
    /// unanswered (at most one is outstanding), and that one must be answered by `pong_due`.
    Pings {
        next_ping: Instant,
        pong_due: Option<Instant>,
    },
}

impl Watch {
    /// When the watch must look again.
    fn deadline(self) -> Option<Instant> {
        match self {
            Watch::Off => None,
            Watch::FirstHeartbeat { until } | Watch::Heartbeats { until } => Some(until),
            Watch::Pings {
                next_ping,
                pong_due,
            } => Some(pong_due.map_or(next_ping, |due| due.min(next_ping))),
        }
    }

    /// The same watch with every instant moved on by `by`.
    fn delayed(self, by: Duration) -> Watch {
        match self {
            Watch::Off => Watch::Off,
            Watch::FirstHeartbeat { until } => Watch::FirstHeartbeat {
                until: later(until, by),
            },
            Watch::Heartbeats { until } => Watch::Heartbeats {
                until: later(until, by),
            },
            Watch::Pings {
                next_ping,
                pong_due,
            } => Watch::Pings {
                next_ping: later(next_ping, by),
                pong_due: pong_due.map(|due| later(due, by)),
            },
        }
    }
}

#[derive(Debug)]
struct Call {
    deadline: Instant,
    /// Written to the socket (a drop then fails it: it may have run).
    sent: bool,
    frame: String,
}

/// One OneBot connection's session (forward client, or the reverse connection of one bot).
#[derive(Debug)]
pub struct Session {
    config: Config,
    rng: Rng,
    backoff: Backoff,
    limiter: Option<RateLimiter>,
    phase: Phase,
    self_id: Option<i64>,
    ready_sent: bool,
    frames_seen: bool,
    /// The heartbeat interval last announced (on this connection or an earlier one).
    heartbeat_interval: Option<Duration>,
    watch: Watch,
    /// This connection has carried an event.
    events_on_link: bool,
    /// This connection was refused before any event by an echo-less failure naming the token
    /// (NapCat / LLOneBot: retcode 1401 / 1403, then a close): the retcode and the text.
    token_refused: Option<(i64, String)>,
    next_id: u64,
    calls: HashMap<u64, Call>,
    /// Ids not yet written, in call order.
    unsent: VecDeque<u64>,
    deadlines: BTreeSet<(Instant, u64)>,
    limiter_wake: Option<Instant>,
    plan: Option<Why>,
    transmit: VecDeque<Outgoing>,
    events: VecDeque<SessionEvent>,
}

/// The top-level fields a OneBot frame is classified by.
#[derive(Default)]
struct Fields {
    post_type: Option<Span>,
    meta_event_type: Option<Span>,
    self_id: Option<Span>,
    interval: Option<Span>,
    echo: Option<Span>,
    retcode: Option<Span>,
    status: Option<Span>,
    data: Option<Span>,
    msg: Option<Span>,
    message: Option<Span>,
    wording: Option<Span>,
}

impl Fields {
    /// The fields of a frame without `post_type`, as the classifying scan found them.
    fn of_response(r: ResponseFields) -> Fields {
        Fields {
            echo: r.echo,
            retcode: r.retcode,
            status: r.status,
            data: r.data,
            msg: r.msg,
            message: r.message,
            wording: r.wording,
            ..Fields::default()
        }
    }
}

fn text(bytes: &[u8], span: Option<Span>) -> Option<String> {
    let span = span?;
    scan::str_value(bytes, span).ok().map(|c| c.into_owned())
}

/// What the session reads of an event.
struct EventRead {
    self_id: Option<i64>,
    /// `post_type` is `meta_event`.
    meta: bool,
    /// `meta_event_type` is `heartbeat`.
    heartbeat: bool,
}

/// [`int`] of the last top-level `key` of `bytes` (as the field-by-field read keeps the last).
fn last_int(bytes: &[u8], key: &str) -> Option<i64> {
    let mut last = None;
    scan::object_fields(bytes, |k, span| {
        if k == key {
            last = Some(span);
        }
        Ok(())
    })
    .ok()?;
    int(bytes, last)
}

/// Whether the string at `span` reads `want` (compared in place: no copy per event).
fn is_text(bytes: &[u8], span: Option<Span>, want: &str) -> bool {
    span.and_then(|span| scan::str_value(bytes, span).ok())
        .is_some_and(|text| text == want)
}

/// A number, or a string holding one (implementations differ).
/// A failed response's text: `wording`, else `msg`, else `message` (some implementations'
/// name for `msg`; the codec's `ActionResponse` reads it as an alias too), the first not
/// empty.
fn failure_text(bytes: &[u8], f: &Fields) -> String {
    [f.wording, f.msg, f.message]
        .into_iter()
        .filter_map(|span| text(bytes, span))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

fn int(bytes: &[u8], span: Option<Span>) -> Option<i64> {
    int_raw(span?.slice(bytes))
}

/// [`int`] of a raw value.
fn int_raw(raw: &[u8]) -> Option<i64> {
    // The usual id, plain digits that cannot overflow: read without a text conversion.
    if (1..=18).contains(&raw.len()) && raw.iter().all(u8::is_ascii_digit) {
        return Some(raw.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')));
    }
    let raw = std::str::from_utf8(raw).ok()?;
    let raw = raw.trim().trim_matches('"');
    raw.parse::<i64>().ok().or_else(|| {
        raw.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    })
}

/// A response's `data` (already checked for its extent by the scan). A lone surrogate escape
/// (`"\ud83d"` without its low half, as JavaScript implementations write an emoji cut in
/// half) reads as U+FFFD (decision 0049); what still cannot be read (a number out of range,
/// nesting too deep) is the reason it cannot.
fn data(raw: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(raw).or_else(|error| match botgate_codec::scan::replace_lone_surrogates(
        raw,
    ) {
        Some(fixed) => serde_json::from_slice(&fixed).map_err(|e| e.to_string()),
        None => Err(error.to_string()),
    })
}

impl Session {
    /// A session; a forward one dials at once.
    pub fn new(config: Config, now: Instant) -> Self {
        let rng = config.seed.map_or_else(Rng::from_entropy, Rng::new);
        let phase = if config.url.is_some() {
            Phase::Idle { at: now }
        } else {
            Phase::Waiting
        };
        Self {
            rng,
            backoff: Backoff::new(config.backoff.clone()),
            limiter: config.rate_limit.clone().map(RateLimiter::new),
            phase,
            self_id: None,
            ready_sent: false,
            frames_seen: false,
            heartbeat_interval: None,
            watch: Watch::Off,
            events_on_link: false,
            token_refused: None,
            next_id: 1,
            calls: HashMap::new(),
            unsent: VecDeque::new(),
            deadlines: BTreeSet::new(),
            limiter_wake: None,
            plan: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            config,
        }
    }

    /// Seeds the self id from the reverse connection's `X-Self-ID` header (optional: Waylay
    /// sends none; lifecycle events fill it in).
    pub fn set_self_id_hint(&mut self, self_id: i64) {
        if self_id != 0 && self.self_id.is_none() {
            self.self_id = Some(self_id);
        }
    }

    /// The connected bot's QQ number, once known (never 0).
    pub fn self_id(&self) -> Option<i64> {
        self.self_id
    }

    /// Whether the connection is open.
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Calls waiting for a response (sent or not).
    pub fn pending_calls(&self) -> usize {
        self.calls.len()
    }

    /// Calls `action` with `params`; the answer comes as `ActionResult { id, .. }`. The call is
    /// sent now if connected (and within the budget), else when the connection opens; it fails
    /// with `Timeout` after `timeout` (default from the config) either way.
    pub fn call(
        &mut self,
        now: Instant,
        action: &str,
        params: &serde_json::Value,
        timeout: Option<Duration>,
    ) -> ActionId {
        let id = self.next_id;
        self.next_id += 1;
        if self.phase == Phase::Stopped {
            self.events.push_back(SessionEvent::ActionResult {
                id: ActionId(id),
                result: Err(OneBotCallError::Stopped),
            });
            return ActionId(id);
        }
        let frame = serde_json::json!({"action": action, "params": params, "echo": id.to_string()})
            .to_string();
        let deadline = later(now, timeout.unwrap_or(self.config.action_timeout));
        self.calls.insert(
            id,
            Call {
                deadline,
                sent: false,
                frame,
            },
        );
        self.deadlines.insert((deadline, id));
        self.unsent.push_back(id);
        self.flush(now);
        ActionId(id)
    }

    fn flush(&mut self, now: Instant) {
        self.limiter_wake = None;
        if self.phase != Phase::Open {
            return;
        }
        while let Some(&id) = self.unsent.front() {
            if let Some(limiter) = self.limiter.as_mut() {
                if !limiter.try_acquire(now, SendClass::Command) {
                    self.limiter_wake = Some(limiter.next_available(now, SendClass::Command));
                    return;
                }
            }
            self.unsent.pop_front();
            if let Some(call) = self.calls.get_mut(&id) {
                call.sent = true;
                self.transmit.push_back(Outgoing::Text(call.frame.clone()));
            }
        }
    }

    fn finish(&mut self, id: u64, result: Result<ActionResponse, OneBotCallError>) {
        if let Some(call) = self.calls.remove(&id) {
            self.deadlines.remove(&(call.deadline, id));
            if !call.sent {
                self.unsent.retain(|u| *u != id);
            }
            self.events.push_back(SessionEvent::ActionResult {
                id: ActionId(id),
                result,
            });
        }
    }

    /// The connection is gone: calls already written fail (they may have run); the others wait.
    fn fail_sent_calls(&mut self) {
        let mut sent: Vec<u64> = self
            .calls
            .iter()
            .filter(|(_, c)| c.sent)
            .map(|(id, _)| *id)
            .collect();
        sent.sort_unstable();
        for id in sent {
            self.finish(id, Err(OneBotCallError::Disconnected));
        }
    }

    fn fail_all_calls(&mut self, error: OneBotCallError) {
        let mut ids: Vec<u64> = self.calls.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.finish(id, Err(error.clone()));
        }
    }

    fn connection_lost(&mut self, now: Instant, why: Why) {
        self.watch = Watch::Off;
        self.limiter_wake = None;
        self.ready_sent = false;
        self.backoff.on_disconnect(now);
        self.fail_sent_calls();
        if self.config.url.is_some() {
            let at = self
                .backoff
                .next_attempt(now, &mut self.rng, Duration::ZERO);
            tracing::info!(
                ?why,
                delay_ms = at.saturating_duration_since(now).as_millis() as u64,
                "OneBot connection lost; reconnecting"
            );
            self.events.push_back(SessionEvent::Reconnecting {
                why,
                at,
                resume: false,
            });
            self.phase = Phase::Idle { at };
        } else {
            tracing::info!(
                ?why,
                "OneBot reverse connection lost; waiting for the next one"
            );
            self.phase = Phase::Waiting;
        }
    }

    fn fatal(&mut self, error: Error) {
        tracing::error!(%error, "OneBot session stopped");
        self.watch = Watch::Off;
        self.limiter_wake = None;
        self.phase = Phase::Stopped;
        self.fail_all_calls(OneBotCallError::Stopped);
        self.events.push_back(SessionEvent::Fatal(error));
    }

    fn learn_self_id(&mut self, id: Option<i64>) {
        let Some(id) = id.filter(|id| *id != 0) else {
            return;
        };
        if self.self_id != Some(id) {
            self.self_id = Some(id);
            self.events.push_back(SessionEvent::SelfId(id));
        }
        if !self.ready_sent {
            self.ready_sent = true;
            self.events.push_back(SessionEvent::Ready(Box::new(Ready {
                bot_id: Some(id.to_string()),
                ..Ready::default()
            })));
        }
    }

    fn on_event(&mut self, now: Instant, bytes: Bytes, f: &Fields) {
        let read = EventRead {
            self_id: int(&bytes, f.self_id),
            meta: is_text(&bytes, f.post_type, "meta_event"),
            heartbeat: is_text(&bytes, f.meta_event_type, "heartbeat"),
        };
        self.on_event_read(now, read, || int(&bytes, f.interval));
        self.events
            .push_back(SessionEvent::Event(EventFrame::raw(bytes)));
    }

    /// An event classified by [`RawEvent::scan`] (its type fields are strings without dots):
    /// what [`on_event`](Self::on_event) reads, from the kind and the id spans.
    fn on_scanned_event(&mut self, now: Instant, event: RawEvent) {
        let kind = event.kind().as_str();
        let in_kind = |prefix: &str| {
            kind.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        let read = EventRead {
            self_id: event.id_field(IdField::SelfId).and_then(int_raw),
            meta: in_kind("meta_event"),
            heartbeat: in_kind("meta_event.heartbeat"),
        };
        self.on_event_read(now, read, || last_int(event.bytes(), "interval"));
        self.events
            .push_back(SessionEvent::Event(EventFrame::scanned(event)));
    }

    fn on_event_read(
        &mut self,
        now: Instant,
        read: EventRead,
        interval: impl FnOnce() -> Option<i64>,
    ) {
        self.learn_self_id(read.self_id);
        self.events_on_link = true;
        if !read.meta {
            // lifecycle and heartbeats say the link is up, not that it carried anything
            self.backoff.on_delivered();
        }
        if read.meta && read.heartbeat {
            if let Some(ms) = interval().filter(|ms| *ms > 0) {
                self.heartbeat_interval = Some(Duration::from_millis(ms.unsigned_abs()));
            }
            if let Some(iv) = self.heartbeat_interval.filter(|_| self.config.watchdog) {
                if matches!(self.watch, Watch::Pings { .. }) {
                    tracing::info!("OneBot: the connection heartbeats now; pings end");
                }
                self.watch = Watch::Heartbeats {
                    until: later(now, self.watchdog_window(iv)),
                };
            }
        }
    }

    /// How long the watchdog waits for the next heartbeat after one with interval `iv` (the
    /// peer's: any `i64` of milliseconds).
    fn watchdog_window(&self, iv: Duration) -> Duration {
        iv.saturating_mul(self.config.heartbeat_misses.max(1))
    }

    /// What the watch does at `now`: sends a ping, or names why the connection is dead (and
    /// the close reason).
    fn watch_due(&mut self, now: Instant) -> Option<(Why, &'static str)> {
        match self.watch {
            Watch::FirstHeartbeat { until } if now >= until => {
                if !self.frames_seen {
                    tracing::warn!(
                        timeout = ?self.config.first_frame_timeout,
                        "OneBot: no frame since the connection opened; closing it"
                    );
                    return Some((Why::HeartbeatTimeout, "heartbeat timeout"));
                }
                tracing::info!(
                    ping_interval = ?self.config.ping_interval,
                    pong_timeout = ?self.config.pong_timeout,
                    "OneBot: no heartbeat on this connection (heartbeats off in the \
                     implementation?); watching it with WebSocket pings"
                );
                self.ping(now);
                None
            }
            Watch::Heartbeats { until } if now >= until => {
                tracing::warn!(
                    "OneBot: no heartbeat for {} intervals; reconnecting",
                    self.config.heartbeat_misses
                );
                Some((Why::HeartbeatTimeout, "heartbeat timeout"))
            }
            Watch::Pings {
                pong_due: Some(due),
                ..
            } if now >= due => {
                tracing::warn!(
                    timeout = ?self.config.pong_timeout,
                    "OneBot: no pong to a WebSocket ping on a connection without heartbeats; \
                     reconnecting"
                );
                Some((Why::PongTimeout, "no pong"))
            }
            Watch::Pings {
                next_ping,
                pong_due: None,
            } if now >= next_ping => {
                self.ping(now);
                None
            }
            // A ping is still unanswered (`pong_timeout` above `ping_interval`): no second
            // one, so that a pong always answers the one ping pending; the next goes out when
            // this one is answered, at its deadline at the earliest.
            Watch::Pings {
                next_ping,
                pong_due: Some(due),
            } if now >= next_ping => {
                self.watch = Watch::Pings {
                    next_ping: due,
                    pong_due: Some(due),
                };
                None
            }
            _ => None,
        }
    }

    /// Sends a ping (none is outstanding: at most one is) and awaits its pong.
    fn ping(&mut self, now: Instant) {
        self.transmit.push_back(Outgoing::Ping);
        self.watch = Watch::Pings {
            next_ping: later(now, self.config.ping_interval.max(Duration::from_millis(1))),
            pong_due: Some(later(now, self.config.pong_timeout)),
        };
    }

    /// A frame without `post_type`: a response when it has `echo` or `retcode`.
    fn on_not_event(&mut self, bytes: Bytes, f: &Fields) {
        if f.echo.is_some() || f.retcode.is_some() {
            self.on_response(bytes, f);
        } else {
            tracing::debug!("OneBot: frame that is neither event nor response ignored");
        }
    }

    fn on_response(&mut self, bytes: Bytes, f: &Fields) {
        let Some(id) = int(&bytes, f.echo).and_then(|e| u64::try_from(e).ok()) else {
            let retcode = int(&bytes, f.retcode);
            if !self.events_on_link && matches!(retcode, Some(1401 | 1403)) {
                // NapCat and LLOneBot accept the upgrade, answer a wrong or missing token
                // with this, then close: the close is an authentication failure.
                let text = failure_text(&bytes, f);
                tracing::warn!(?retcode, %text, "OneBot: the implementation refused the token");
                self.token_refused = retcode.map(|r| (r, text));
                return;
            }
            tracing::debug!("OneBot: response without a usable echo ignored");
            return;
        };
        if !self.calls.get(&id).is_some_and(|c| c.sent) {
            tracing::debug!(
                echo = id,
                "OneBot: response to no pending call (late or foreign) ignored"
            );
            return;
        }
        let retcode = int(&bytes, f.retcode).unwrap_or(0);
        let status = text(&bytes, f.status).unwrap_or_default();
        // retcode 0 is ok and 1 async; any other is a failure whatever `status` says (some
        // implementations answer `"status": "ok"` with a failing retcode). A missing retcode
        // leaves it to `status`. The codec's `ActionResponse::into_result` reads it alike.
        let ok = status != "failed" && matches!(retcode, 0 | 1);
        let result = if ok {
            match f
                .data
                .map_or(Ok(serde_json::Value::Null), |s| data(s.slice(&bytes)))
            {
                Ok(data) => Ok(ActionResponse {
                    status,
                    retcode,
                    data,
                    raw: bytes.clone(),
                }),
                Err(reason) => {
                    tracing::warn!(echo = id, %reason, "OneBot: an ok response whose data cannot be read");
                    Err(OneBotCallError::InvalidData { reason })
                }
            }
        } else {
            let message = failure_text(&bytes, f);
            Err(OneBotCallError::Failed {
                retcode,
                message,
                status,
            })
        };
        self.finish(id, result);
    }
}

impl SessionMachine for Session {
    fn handle_connected(&mut self, now: Instant) {
        if self.phase == Phase::Stopped {
            self.transmit.push_back(Outgoing::Close {
                code: 1000,
                reason: "unexpected connection".to_owned(),
            });
            return;
        }
        if matches!(self.phase, Phase::Open | Phase::Closing) {
            // the previous connection ended without `handle_closed`
            self.fail_sent_calls();
        }
        self.backoff.on_attempt(now);
        self.phase = Phase::Open;
        self.plan = None;
        self.frames_seen = false;
        self.events_on_link = false;
        self.token_refused = None;
        self.ready_sent = false;
        // The first frame must come within `first_frame_timeout`, and the first heartbeat
        // within the larger of that and the interval learnt on an earlier connection (only a
        // guess until this connection's first heartbeat: an implementation restarted with a
        // longer one would be cut off before it, again and again). A connection that spoke
        // but sent no heartbeat by then is pinged from then on (decision 0060). Without a
        // watchdog (a reverse `API` connection, which speaks only to answer) nothing is armed.
        let window = match self.heartbeat_interval {
            Some(iv) => self
                .watchdog_window(iv)
                .max(self.config.first_frame_timeout),
            None => self.config.first_frame_timeout,
        };
        self.watch = if self.config.watchdog {
            Watch::FirstHeartbeat {
                until: later(now, window),
            }
        } else {
            Watch::Off
        };
        // a hint or an earlier connection may already know who we are
        if let Some(id) = self.self_id {
            self.ready_sent = true;
            self.events.push_back(SessionEvent::Ready(Box::new(Ready {
                bot_id: Some(id.to_string()),
                ..Ready::default()
            })));
        }
        self.flush(now);
    }

    fn handle_connect_failed(&mut self, now: Instant, failure: ConnectFailure) {
        if !matches!(self.phase, Phase::Idle { .. }) {
            return;
        }
        self.backoff.on_attempt(now);
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
            other => self.connection_lost(now, Why::ConnectFailed(other)),
        }
    }

    fn handle_frame(&mut self, now: Instant, bytes: Bytes) {
        if self.phase != Phase::Open {
            return;
        }
        if !self.frames_seen {
            self.frames_seen = true;
            self.backoff.on_ready(now);
        }
        // The usual frame, an event: one scan classifies it for the session and for the
        // dispatcher. A frame without `post_type` (an action response) is read from the spans
        // the same scan found. Anything else (a frame whose type fields do not classify, one
        // that repeats `self_id`) is read field by field below, as it always was.
        match RawEvent::scan_frame_envelope(bytes.clone()) {
            Ok(Scanned::Event(event)) if !event.id_fields_repeated() => {
                self.on_scanned_event(now, event);
                self.flush(now);
                return;
            }
            Ok(Scanned::NotEvent(r)) => {
                self.on_not_event(bytes, &Fields::of_response(r));
                self.flush(now);
                return;
            }
            _ => {}
        }
        let mut f = Fields::default();
        let scanned = scan::object_fields(&bytes, |key, span| {
            match key.as_bytes() {
                b"post_type" => f.post_type = Some(span),
                b"meta_event_type" => f.meta_event_type = Some(span),
                b"self_id" => f.self_id = Some(span),
                b"interval" => f.interval = Some(span),
                b"echo" => f.echo = Some(span),
                b"retcode" => f.retcode = Some(span),
                b"status" => f.status = Some(span),
                b"data" => f.data = Some(span),
                b"msg" => f.msg = Some(span),
                b"message" => f.message = Some(span),
                b"wording" => f.wording = Some(span),
                _ => {}
            }
            Ok(())
        });
        if let Err(error) = scanned {
            tracing::warn!(%error, "OneBot: frame that is not a JSON object ignored");
            return;
        }
        if f.post_type.is_some() {
            self.on_event(now, bytes, &f);
        } else {
            self.on_not_event(bytes, &f);
        }
        self.flush(now);
    }

    fn handle_closed(&mut self, now: Instant, code: Option<u16>, reason: &str) {
        match self.phase {
            Phase::Closing => {
                let why = self.plan.take().unwrap_or(Why::Closed {
                    code,
                    reason: reason.to_owned(),
                });
                self.connection_lost(now, why);
            }
            Phase::Open => {
                if code == Some(1008) && !self.frames_seen {
                    // Waylay accepts the upgrade, then closes 1008 "Unauthorized".
                    self.fatal(Error::new(ErrorKind::AuthFailed {
                        close_code: Some(1008),
                        http_status: None,
                    }));
                    return;
                }
                if let Some((retcode, text)) = self.token_refused.take() {
                    self.fatal(Error::with_source(
                        ErrorKind::AuthFailed {
                            close_code: code,
                            http_status: None,
                        },
                        format!("the implementation answered retcode {retcode}: {text}"),
                    ));
                    return;
                }
                self.connection_lost(
                    now,
                    Why::Closed {
                        code,
                        reason: reason.to_owned(),
                    },
                );
            }
            Phase::Idle { .. } | Phase::Waiting | Phase::Stopped => {}
        }
    }

    fn cancel_call(&mut self, id: ActionId) {
        let unsent = self.calls.get(&id.0).is_some_and(|call| !call.sent);
        if let Some(call) = unsent.then(|| self.calls.remove(&id.0)).flatten() {
            self.deadlines.remove(&(call.deadline, id.0));
            self.unsent.retain(|&u| u != id.0);
            tracing::debug!(
                ?id,
                "OneBot: call withdrawn before it was sent (its caller gave up)"
            );
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        // calls whose time is up
        while let Some(&(deadline, id)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            self.finish(id, Err(OneBotCallError::Timeout));
        }
        if self.phase == Phase::Open {
            if let Some((why, reason)) = self.watch_due(now) {
                self.watch = Watch::Off;
                self.limiter_wake = None;
                self.transmit.push_back(Outgoing::Close {
                    code: WATCHDOG_CLOSE_CODE,
                    reason: reason.to_owned(),
                });
                self.phase = Phase::Closing;
                self.plan = Some(why);
                return;
            }
        }
        self.flush(now);
    }

    /// Only a connection watched by pings waits for one; elsewhere a pong is nothing.
    fn handle_pong(&mut self, _now: Instant) {
        if self.phase != Phase::Open {
            return;
        }
        if let Watch::Pings { pong_due, .. } = &mut self.watch {
            *pong_due = None;
        }
    }

    /// The heartbeats (or pongs) the peer sent while the driver was not reading are still in
    /// the socket: the watch moves on by the pause (OneBot cannot resume what a reconnect
    /// would lose).
    fn handle_read_resumed(&mut self, _now: Instant, paused: Duration) {
        if self.phase == Phase::Open {
            self.watch = self.watch.delayed(paused);
        }
    }

    fn poll_transmit(&mut self) -> Option<Outgoing> {
        self.transmit.pop_front()
    }

    fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let call = self.deadlines.first().map(|(d, _)| *d);
        let open = self.phase == Phase::Open;
        [
            call,
            self.watch.deadline().filter(|_| open),
            self.limiter_wake.filter(|_| open),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn next_connect(&self) -> Option<(Instant, Url)> {
        match (&self.phase, &self.config.url) {
            (Phase::Idle { at }, Some(url)) => Some((*at, url.clone())),
            _ => None,
        }
    }

    fn connect_headers(&self) -> Vec<(&'static str, Token)> {
        self.config
            .access_token
            .as_ref()
            .filter(|t| !t.is_empty())
            .map(|t| {
                vec![(
                    "Authorization",
                    Token::new(format!("Bearer {}", t.expose())),
                )]
            })
            .unwrap_or_default()
    }

    fn close(&mut self, _now: Instant) {
        if self.phase == Phase::Stopped {
            return;
        }
        if matches!(self.phase, Phase::Open | Phase::Closing) {
            self.transmit.push_back(Outgoing::Close {
                code: 1000,
                reason: "shutdown".to_owned(),
            });
        }
        self.watch = Watch::Off;
        self.limiter_wake = None;
        self.phase = Phase::Stopped;
        self.fail_all_calls(OneBotCallError::Stopped);
        self.events.push_back(SessionEvent::Stopped);
    }
}
