//! [`BubbleSim`]: Bubble's open gateway (泡泡聊天开放平台).
//!
//! `Authorization: Bearer` checked at the upgrade (401 otherwise), Hello, BOT_READY (three
//! documented shapes), op 30 / 31 answered with EVENTS_SUBSCRIBED (`invalidEvents` for names
//! not in `available_events`) / EVENTS_UNSUBSCRIBED, dispatches only for subscribed types,
//! `ERROR` `RATE_LIMIT` past 10 msg/s burst 20 (heartbeats exempt). [`Profile::Extended`] adds
//! botgate's completion: `s` on dispatches, `sessionId` in BOT_READY, op 6 Resume with replay
//! and `RESUMED {replayed}`, op 9 when a resume is impossible, close codes 4001 / 4002.
//! Event types not in `available_events` (future types) go to every session unsubscribed.
//!
//! REST on the same port under `/api/bot/v1` ([`BubbleSim::rest_base`]): `GET /me`, channel
//! and DM-thread sends, the DM thread lookup, deletes; 429 `retryAfter` past the documented
//! 5 req/s burst 10; scripted [`HttpFault`]s.

mod conn;
mod rate;
mod rest;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::StatusCode;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::http_fault::{Faults, HttpFault};
use crate::log::{self, Log, Record};
use crate::script::{self, ScriptEvent};
use crate::server::{self, Tasks};
use crate::{Error, Fault};

/// Which protocol surface the sim speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Profile {
    /// Only what Bubble documents: no `s`, no session id, no resume (op 6 ignored).
    #[default]
    Strict,
    /// botgate's completion (bubble.md §2): `s`, `sessionId`, op 6 / 7 / 9, RESUMED.
    Extended,
}

/// Which of the three BOT_READY shapes in circulation the sim sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReadyShape {
    /// `{"bot":{id,name},"guilds":[..]}` (seed events.md).
    Seed,
    /// `{"bot":{id,name,botUser},"subscribedGuilds","subscribedDMs","availableEvents"}`.
    #[default]
    Gateway,
    /// `{"session_id","resume_gateway_url","guilds","dm_threads","available_events"}`
    /// (AlemonJS client type).
    AlemonJs,
}

/// The client message limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained messages per second.
    pub per_second: f64,
    /// Burst size.
    pub burst: u32,
}

/// How a [`BubbleSim`] behaves. Every field has a default (`..Default::default()`).
#[derive(Debug, Clone)]
pub struct BubbleConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (default 0).
    pub port: u16,
    /// The bot token expected as `Authorization: Bearer <token>`.
    pub token: String,
    /// Strict (documented) or extended (botgate's completion).
    pub profile: Profile,
    /// BOT_READY shape.
    pub ready_shape: ReadyShape,
    /// `heartbeat_interval` in Hello.
    pub heartbeat_interval: Duration,
    /// Close (4009) after this long without a heartbeat (Bubble: 60 s).
    pub heartbeat_timeout: Duration,
    /// Extended profile: how long after Hello the sim waits for an op 6 before it sends
    /// BOT_READY for a fresh session (any other client frame ends the wait at once; an op 6
    /// after that BOT_READY is ignored).
    pub resume_window: Duration,
    /// Event names that can be subscribed.
    pub available_events: Vec<String>,
    /// Client message limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// REST request limit (default Bubble's documented 5 req/s, burst 10; `None`: unlimited).
    /// Over it the sim answers 429 with `retryAfter`.
    pub rest_rate_limit: Option<RateLimit>,
    /// Close with 4008 after the `ERROR` `RATE_LIMIT` dispatch.
    pub close_on_rate_limit: bool,
    /// One connection per bot: a new connection closes the older ones with 4010.
    pub single_connection: bool,
    /// The bot in BOT_READY: (id, name).
    pub bot: (i64, String),
    /// Dispatches kept per session for Resume.
    pub replay_buffer: usize,
}

/// Every subscribable event name of the 2025-12 and 2026-03 references.
pub const AVAILABLE_EVENTS: &[&str] = &[
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "MESSAGE_PIN",
    "MESSAGE_UNPIN",
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "DM_MESSAGE_CREATE",
    "DM_MESSAGE_UPDATE",
    "DM_MESSAGE_DELETE",
    "DM_MESSAGE_PIN",
    "DM_MESSAGE_UNPIN",
    "GUILD_MEMBER_ADD",
    "GUILD_MEMBER_UPDATE",
    "GUILD_MEMBER_REMOVE",
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
    "GUILD_CREATE",
    "GUILD_UPDATE",
    "GUILD_DELETE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "MENTION_CREATE",
    "READ_STATE_UPDATE",
    "APPLICATION_CREATE",
    "APPLICATION_UPDATE",
    "APPLY_CREATE",
    "APPLY_UPDATE",
    "NOTICE_CREATE",
    "NOTICE_UPDATE",
    "GROUP_MESSAGE_CREATE",
    "GROUP_MESSAGE_UPDATE",
    "GROUP_MESSAGE_DELETE",
    "GROUP_MESSAGE_PIN",
    "GROUP_MESSAGE_UNPIN",
    "GROUP_THREAD_UPDATE",
    "GROUP_MEMBER_ADD",
    "GROUP_MEMBER_REMOVE",
];

impl Default for BubbleConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: "sim-bubble-token".into(),
            profile: Profile::Strict,
            ready_shape: ReadyShape::Gateway,
            heartbeat_interval: Duration::from_millis(30_000),
            heartbeat_timeout: Duration::from_secs(60),
            resume_window: Duration::from_millis(100),
            available_events: AVAILABLE_EVENTS.iter().map(|s| (*s).to_owned()).collect(),
            rate_limit: Some(RateLimit {
                per_second: 10.0,
                burst: 20,
            }),
            rest_rate_limit: Some(RateLimit {
                per_second: 5.0,
                burst: 10,
            }),
            close_on_rate_limit: false,
            single_connection: true,
            bot: (123, "botgate-sim".into()),
            replay_buffer: 10_000,
        }
    }
}

#[derive(Debug)]
pub(crate) enum Command {
    Send(String),
    Fault(Fault),
}

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) seq: u64,
    pub(crate) buffer: VecDeque<(u64, String)>,
    pub(crate) subscribed: BTreeSet<String>,
    pub(crate) conn: Option<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) conns: HashMap<u64, mpsc::UnboundedSender<Command>>,
    pub(crate) pending: Vec<(String, Value)>,
    pub(crate) next_session: u64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: BubbleConfig,
    pub(crate) log: Log,
    pub(crate) state: Mutex<State>,
    pub(crate) next_conn: AtomicU64,
    pub(crate) addr: SocketAddr,
    pub(crate) tasks: Tasks,
    pub(crate) faults: Faults,
    pub(crate) rest: Mutex<rest::RestState>,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn rest(&self) -> MutexGuard<'_, rest::RestState> {
        self.rest.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn extended(&self) -> bool {
        self.config.profile == Profile::Extended
    }

    pub(crate) fn available(&self, t: &str) -> bool {
        self.config.available_events.iter().any(|e| e == t)
    }

    /// True when `session` receives `t`.
    pub(crate) fn wants(&self, session: &Session, t: &str) -> bool {
        session.subscribed.contains(t) || !self.available(t)
    }

    /// Builds a dispatch for `session` (with `s` in the extended profile) and buffers it.
    pub(crate) fn dispatch_frame(&self, session: &mut Session, t: &str, d: &Value) -> String {
        session.seq += 1;
        let frame = if self.extended() {
            json!({"op": 0, "s": session.seq, "t": t, "d": d})
        } else {
            json!({"op": 0, "t": t, "d": d})
        };
        let text = frame.to_string();
        session.buffer.push_back((session.seq, text.clone()));
        while session.buffer.len() > self.config.replay_buffer.max(1) {
            session.buffer.pop_front();
        }
        text
    }

    fn push(&self, t: &str, d: Value) -> usize {
        let mut state = self.state();
        let State {
            sessions,
            conns,
            pending,
            ..
        } = &mut *state;
        let mut delivered = 0;
        for session in sessions.values_mut() {
            if !self.wants(session, t) {
                continue;
            }
            let frame = self.dispatch_frame(session, t, &d);
            delivered += 1;
            if let Some(tx) = session.conn.and_then(|c| conns.get(&c)) {
                let _ = tx.send(Command::Send(frame));
            }
        }
        if delivered == 0 {
            pending.push((t.to_owned(), d));
        }
        delivered
    }
}

/// The Bubble gateway sim. Lives until dropped.
#[derive(Debug)]
pub struct BubbleSim {
    shared: Arc<Shared>,
}

impl BubbleSim {
    /// Starts a sim with `config`.
    pub async fn start(config: BubbleConfig) -> Result<Self, Error> {
        let tasks = Tasks::default();
        let cell: Arc<std::sync::OnceLock<Arc<Shared>>> = Arc::default();
        let router_cell = cell.clone();
        let addr = server::serve(config.host, config.port, &tasks, move |req| {
            let shared = router_cell.get().cloned();
            Box::pin(async move {
                let Some(shared) = shared else {
                    return server::text(StatusCode::SERVICE_UNAVAILABLE, "starting");
                };
                let path = req.uri().path().to_owned();
                if !server::is_upgrade(&req) && path.starts_with(rest::PREFIX) {
                    let request = server::RestRequest::read(req).await;
                    return rest::route(&shared, request).await;
                }
                if !server::is_upgrade(&req) {
                    return server::json(
                        StatusCode::NOT_FOUND,
                        &json!({"error": "websocket only"}),
                    );
                }
                let expected = format!("Bearer {}", shared.config.token);
                if server::authorization(&req).as_deref() != Some(expected.as_str()) {
                    shared.log.push(Record::Rejected { path, status: 401 });
                    return server::json(
                        StatusCode::UNAUTHORIZED,
                        &json!({"error": "Unauthorized"}),
                    );
                }
                let conn_id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                let tasks = shared.tasks.clone();
                server::accept_upgrade(req, &tasks, 16 << 20, move |ws| {
                    conn::run(shared, ws, conn_id)
                })
            })
        })
        .await?;
        let shared = Arc::new(Shared {
            config,
            log: Log::default(),
            state: Mutex::new(State::default()),
            next_conn: AtomicU64::new(1),
            addr,
            tasks,
            faults: Faults::default(),
            rest: Mutex::new(rest::RestState::default()),
        });
        let _ = cell.set(shared.clone());
        tracing::info!(%addr, "bubble sim listening");
        Ok(Self { shared })
    }

    /// Starts a sim with the default (strict) config.
    pub async fn start_default() -> Result<Self, Error> {
        Self::start(BubbleConfig::default()).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The gateway URL (`ws://addr/api/bot/gateway`).
    pub fn url(&self) -> String {
        format!("ws://{}/api/bot/gateway", self.shared.addr)
    }

    /// Base URL of the REST side (`http://addr/api/bot/v1`, same port as the gateway).
    pub fn rest_base(&self) -> String {
        format!("http://{}{}", self.shared.addr, rest::PREFIX)
    }

    /// Answers the next REST request(s) matching `fault` (path relative to
    /// [`rest_base`](Self::rest_base)) with its failure instead of handling them.
    pub fn inject_http(&self, fault: HttpFault) {
        self.shared.faults.push(fault);
    }

    /// Every REST request recorded so far with `method` and a path (relative to
    /// [`rest_base`](Self::rest_base)) starting with `prefix`, in arrival order.
    pub fn requests(&self, method: &str, prefix: &str) -> Vec<Record> {
        self.shared
            .log
            .http(method, &format!("{}{prefix}", rest::PREFIX))
    }

    /// The config the sim runs with.
    pub fn config(&self) -> &BubbleConfig {
        &self.shared.config
    }

    /// Everything the sim saw and did.
    pub fn log(&self) -> &Log {
        &self.shared.log
    }

    /// Dispatches `(t, d)` to every session subscribed to `t` (every session when `t` is not
    /// an available event). When no session takes it, it is held and sent to the first
    /// session that subscribes to `t`. Returns the number of sessions it went to.
    pub fn push_event(&self, t: &str, d: Value) -> usize {
        self.shared.push(t, d)
    }

    /// Pushes every dispatch of a JSONL script; returns how many.
    pub fn load_script(&self, jsonl: &str) -> Result<usize, Error> {
        let generated = [
            "BOT_READY",
            "EVENTS_SUBSCRIBED",
            "EVENTS_UNSUBSCRIBED",
            "RESUMED",
        ];
        let events = script::parse_dispatches(jsonl, &generated)?;
        let n = events.len();
        for ScriptEvent { t, d } in events {
            self.push_event(&t, d);
        }
        Ok(n)
    }

    /// Writes `text` as is to every live connection.
    pub fn send_raw(&self, text: &str) {
        for tx in self.shared.state().conns.values() {
            let _ = tx.send(Command::Send(text.to_owned()));
        }
    }

    /// Applies `fault` to every live connection; returns how many.
    pub fn inject(&self, fault: Fault) -> usize {
        let state = self.shared.state();
        for tx in state.conns.values() {
            let _ = tx.send(Command::Fault(fault.clone()));
        }
        state.conns.len()
    }

    /// Every dispatch frame (op 0) written, in wire order.
    pub fn sent_dispatches(&self) -> Vec<Value> {
        self.shared
            .log
            .sent()
            .into_iter()
            .filter(|f| log::op(f) == Some(0))
            .collect()
    }

    /// The event names each live or resumable session is subscribed to.
    pub fn subscriptions(&self) -> Vec<Vec<String>> {
        let state = self.shared.state();
        let mut sessions: Vec<&Session> = state.sessions.values().collect();
        sessions.sort_by(|a, b| a.id.cmp(&b.id));
        sessions
            .iter()
            .map(|s| s.subscribed.iter().cloned().collect())
            .collect()
    }

    /// Number of live WebSocket connections.
    pub fn connections(&self) -> usize {
        self.shared.state().conns.len()
    }
}

impl Drop for BubbleSim {
    fn drop(&mut self) {
        self.shared.tasks.abort_all();
    }
}
