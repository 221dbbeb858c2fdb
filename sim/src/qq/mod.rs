//! [`QqSim`]: the QQ Bot gateway and the OpenAPI endpoints it needs, on one port.
//!
//! HTTP: `POST /app/getAppAccessToken` (tokens expire after `token_expires_in`), `GET /gateway`,
//! `GET /gateway/bot`, and the OpenAPI REST side (see `rest.rs`): `GET /users/@me`, sends to
//! channels, guild DMs, groups and C2C (validated, deduped on `msg_id`/`event_id` + `msg_seq`),
//! rich-media uploads, `POST /users/@me/dms`, recalls; every answer carries `X-Tps-trace-ID`,
//! errors are QQ-shaped, [`HttpFault`]s script failures, and [`QqSim::hold_for_audit`] holds
//! guild sends for audit (ended by `MESSAGE_AUDIT_PASS` / `_REJECT`, which name its guild and
//! channel). WebSocket on `/websocket`: Hello, Identify checked (token → 4004, intents → 4013
//! / 4014, shard → 4010 / 4011), heartbeats and ACKs, READY / RESUMED, Resume with replay from
//! a per-session buffer, dispatches filtered by intents. All [`Fault`]s apply.

mod conn;
mod http;
pub mod intents;
mod rest;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use std::time::Instant;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::http_fault::{Faults, HttpFault};
use crate::log::{self, Log};
use crate::script::{self, ScriptEvent};
use crate::server::{self, Tasks};
use crate::{Error, Fault};

/// How a [`QqSim`] behaves. Every field has a default (`..Default::default()`).
#[derive(Debug, Clone)]
pub struct QqConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (default 0: any free port).
    pub port: u16,
    /// The app id the token endpoint accepts.
    pub app_id: String,
    /// The client secret the token endpoint accepts.
    pub client_secret: String,
    /// An access token valid from the start (besides those the token endpoint issues).
    pub access_token: Option<String>,
    /// A legacy bot token: `Bot <app_id>.<bot_token>` is accepted when set.
    pub bot_token: Option<String>,
    /// `expires_in` of issued tokens, in seconds (sent as a string, as QQ does). The sim
    /// refuses a token after that long (REST 401 code 11244, Identify 4004): a few seconds
    /// make a short-lived token for refresh tests.
    pub token_expires_in: u64,
    /// `heartbeat_interval` sent in Hello.
    pub heartbeat_interval: Duration,
    /// Close 4009 when no heartbeat arrives for this long (default: 2 × interval).
    pub heartbeat_timeout: Option<Duration>,
    /// Intent bits this bot is granted; others are refused with 4014.
    pub allowed_intents: u32,
    /// Shards `/gateway/bot` recommends; an Identify with fewer shards gets 4011.
    pub shards: u32,
    /// `session_start_limit` of `/gateway/bot`: total, remaining, reset_after (ms),
    /// max_concurrency.
    pub session_start_limit: (u32, u32, u64, u32),
    /// Deliver only the events the session's intents cover.
    pub filter_by_intents: bool,
    /// The bot user in READY: (id, username).
    pub bot_user: (String, String),
    /// Dispatches kept per session for Resume.
    pub replay_buffer: usize,
}

impl Default for QqConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            app_id: "102000001".into(),
            client_secret: "sim-client-secret".into(),
            access_token: Some("sim-access-token".into()),
            bot_token: None,
            token_expires_in: 7200,
            heartbeat_interval: Duration::from_millis(45_000),
            heartbeat_timeout: None,
            allowed_intents: intents::KNOWN,
            shards: 1,
            session_start_limit: (1000, 999, 14_400_000, 1),
            filter_by_intents: true,
            bot_user: ("6158788878435714165".into(), "botgate-sim".into()),
            replay_buffer: 10_000,
        }
    }
}

/// What a connection task is told to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Write this frame.
    Send(String),
    /// Apply a fault.
    Fault(Fault),
}

/// A gateway session (survives its connection, for Resume).
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) intents: u32,
    pub(crate) shard: [u64; 2],
    pub(crate) seq: u64,
    /// `(s, frame)` of every dispatch, oldest first.
    pub(crate) buffer: VecDeque<(u64, String)>,
    pub(crate) conn: Option<u64>,
}

/// Public view of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Session id (as in READY).
    pub id: String,
    /// Intents given at Identify.
    pub intents: u32,
    /// `[shard_id, num_shards]`.
    pub shard: [u64; 2],
    /// Last `s` dispatched.
    pub seq: u64,
    /// Connection currently attached, if any.
    pub conn: Option<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) conns: HashMap<u64, mpsc::UnboundedSender<Command>>,
    pub(crate) pending: Vec<(String, Value)>,
    /// Issued tokens and when each expires.
    pub(crate) tokens: HashMap<String, Instant>,
    /// Messages sent over REST: id → the messages path they went to (for recalls).
    pub(crate) messages: HashMap<String, String>,
    /// (messages path, msg_id | event_id, msg_seq) of every reply, for dedupe.
    pub(crate) reply_keys: HashSet<(String, String, u64)>,
    /// Guild channel / DM sends still to hold for audit ([`QqSim::hold_for_audit`]).
    pub(crate) audit_holds: u32,
    /// Messages held for audit, by audit id.
    pub(crate) held: HashMap<String, Held>,
    /// Channel id → its guild id, learnt from every dispatch that names both and from the
    /// DMs `POST /users/@me/dms` opens: audit events name both.
    pub(crate) channel_guilds: HashMap<String, String>,
    pub(crate) next_audit: u64,
    pub(crate) next_file: u64,
    pub(crate) next_trace: u64,
    pub(crate) next_session: u64,
    pub(crate) next_token: u64,
    pub(crate) next_message: u64,
    /// `(shard, when)` of every accepted Identify, for rate checks.
    pub(crate) identifies: Vec<([u64; 2], Instant)>,
    /// Shards that were attached to two live connections at once.
    pub(crate) shard_conflicts: Vec<[u64; 2]>,
}

/// A message held for audit.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    /// The messages path it was sent to (`/channels/{id}/messages` or
    /// `/dms/{guild_id}/messages`).
    pub(crate) path: String,
    /// The guild its audit events name (empty when the sim never saw the channel's guild).
    pub(crate) guild_id: String,
    /// The channel its audit events name (empty when the sim never saw the DM's channel).
    pub(crate) channel_id: String,
}

impl State {
    /// Remembers that `channel` is in `guild`.
    pub(crate) fn learn_channel(&mut self, channel: &str, guild: &str) {
        if channel.is_empty() || guild.is_empty() {
            return;
        }
        if self.channel_guilds.get(channel).map(String::as_str) != Some(guild) {
            self.channel_guilds
                .insert(channel.to_owned(), guild.to_owned());
        }
    }

    /// A send to `path` held for audit: with its guild and channel (a channel's guild, a
    /// DM guild's channel, as the sim learnt them).
    pub(crate) fn hold(&self, path: &str) -> Held {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (guild_id, channel_id) = match parts.as_slice() {
            ["channels", channel, ..] => (
                self.channel_guilds
                    .get(*channel)
                    .cloned()
                    .unwrap_or_default(),
                (*channel).to_owned(),
            ),
            ["dms", guild, ..] => (
                (*guild).to_owned(),
                self.channel_guilds
                    .iter()
                    .filter(|(_, g)| g == guild)
                    .map(|(c, _)| c)
                    .min()
                    .cloned()
                    .unwrap_or_default(),
            ),
            _ => Default::default(),
        };
        Held {
            path: path.to_owned(),
            guild_id,
            channel_id,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: QqConfig,
    pub(crate) log: Log,
    pub(crate) state: Mutex<State>,
    pub(crate) next_conn: AtomicU64,
    pub(crate) addr: SocketAddr,
    pub(crate) tasks: Tasks,
    pub(crate) faults: Faults,
}

/// What the sim thinks of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid,
    Expired,
    Invalid,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a conflict when `shard` already has a session (other than `except`, the one
    /// being resumed) on another live connection.
    pub(crate) fn check_shard_free(state: &mut State, shard: [u64; 2], conn: u64, except: &str) {
        let taken = state.sessions.values().any(|s| {
            s.id != except
                && s.shard == shard
                && s.conn
                    .is_some_and(|c| c != conn && state.conns.contains_key(&c))
        });
        if taken {
            state.shard_conflicts.push(shard);
        }
    }

    /// True when `authorization` (`QQBot <t>` or `Bot <app>.<t>`) is a valid credential.
    pub(crate) fn token_valid(&self, authorization: &str) -> bool {
        self.check_token(authorization) == TokenCheck::Valid
    }

    /// Valid, expired (an issued token past its lifetime) or invalid.
    pub(crate) fn check_token(&self, authorization: &str) -> TokenCheck {
        if let Some(token) = authorization.strip_prefix("QQBot ") {
            if self.config.access_token.as_deref() == Some(token) {
                return TokenCheck::Valid;
            }
            return match self.state().tokens.get(token) {
                Some(expires) if Instant::now() < *expires => TokenCheck::Valid,
                Some(_) => TokenCheck::Expired,
                None => TokenCheck::Invalid,
            };
        }
        if let (Some(rest), Some(bot_token)) = (
            authorization.strip_prefix("Bot "),
            self.config.bot_token.as_deref(),
        ) {
            if rest == format!("{}.{}", self.config.app_id, bot_token) {
                return TokenCheck::Valid;
            }
        }
        TokenCheck::Invalid
    }

    /// Appends a dispatch to `session`'s buffer and returns the frame.
    pub(crate) fn dispatch_frame(&self, session: &mut Session, t: &str, d: &Value) -> String {
        session.seq += 1;
        let s = session.seq;
        let mut frame = json!({"op": 0, "s": s, "t": t, "d": d});
        if t != "READY" && t != "RESUMED" {
            frame["id"] = json!(format!("{t}:sim-{s:08}-{}", session.id));
        }
        let text = frame.to_string();
        session.buffer.push_back((s, text.clone()));
        while session.buffer.len() > self.config.replay_buffer.max(1) {
            session.buffer.pop_front();
        }
        text
    }

    /// Dispatches `(t, d)` to every session whose intents cover it; holds it when there is no
    /// session yet. Returns how many sessions got it.
    pub(crate) fn push(&self, t: &str, d: Value) -> usize {
        let mut state = self.state();
        if let (Some(guild), Some(channel)) = (d["guild_id"].as_str(), d["channel_id"].as_str()) {
            state.learn_channel(channel, guild);
        }
        if state.sessions.is_empty() {
            state.pending.push((t.to_owned(), d));
            return 0;
        }
        let State {
            sessions, conns, ..
        } = &mut *state;
        let mut delivered = 0;
        for session in sessions.values_mut() {
            if self.config.filter_by_intents && !intents::delivers(session.intents, t) {
                continue;
            }
            if session.shard[1] > 1 && shard_of(&d, session.shard[1]) != session.shard[0] {
                continue;
            }
            let frame = self.dispatch_frame(session, t, &d);
            delivered += 1;
            if let Some(tx) = session.conn.and_then(|c| conns.get(&c)) {
                let _ = tx.send(Command::Send(frame));
            }
        }
        delivered
    }
}

/// `N` of `sim-audit-N`, for ordering.
fn audit_number(audit_id: &str) -> u64 {
    audit_id
        .strip_prefix("sim-audit-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// The `d` of an audit result for `held`: guild and channel ids both, as QQ sends them (and
/// the gateway routes the event by the guild).
fn audit_event(audit_id: &str, held: &Held) -> Value {
    json!({"audit_id": audit_id, "guild_id": held.guild_id, "channel_id": held.channel_id,
           "audit_time": rest::TIMESTAMP, "create_time": rest::TIMESTAMP})
}

/// The shard an event belongs to: `(guild_id >> 22) % count` as the gateway routes guild
/// events; events without a numeric guild id (group, C2C) go to shard 0.
fn shard_of(d: &Value, count: u64) -> u64 {
    let guild = match &d["guild_id"] {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    guild.map_or(0, |id| (id >> 22) % count.max(1))
}

/// The QQ gateway sim. Lives until dropped.
#[derive(Debug)]
pub struct QqSim {
    shared: Arc<Shared>,
}

impl QqSim {
    /// Starts a sim with `config`.
    pub async fn start(config: QqConfig) -> Result<Self, Error> {
        let tasks = Tasks::default();
        let cell: Arc<std::sync::OnceLock<Arc<Shared>>> = Arc::default();
        let router_cell = cell.clone();
        let addr = server::serve(config.host, config.port, &tasks, move |req| {
            let shared = router_cell.get().cloned();
            Box::pin(async move {
                match shared {
                    Some(shared) => http::route(shared, req).await,
                    None => server::text(hyper::StatusCode::SERVICE_UNAVAILABLE, "starting"),
                }
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
        });
        let _ = cell.set(shared.clone());
        tracing::info!(%addr, "qq sim listening");
        Ok(Self { shared })
    }

    /// Starts a sim with the default config.
    pub async fn start_default() -> Result<Self, Error> {
        Self::start(QqConfig::default()).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The gateway URL (`ws://addr/websocket`), as `/gateway` answers.
    pub fn url(&self) -> String {
        format!("ws://{}/websocket", self.shared.addr)
    }

    /// Base URL of the HTTP endpoints (use it as both auth base and API base).
    pub fn http_base(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The config the sim runs with.
    pub fn config(&self) -> &QqConfig {
        &self.shared.config
    }

    /// Everything the sim saw and did.
    pub fn log(&self) -> &Log {
        &self.shared.log
    }

    /// Dispatches event `t` with payload `d` to every session whose intents cover it (and
    /// keeps it for Resume). With several shards, only the shard of the event's guild gets it
    /// (`(guild_id >> 22) % count`; events without a guild id go to shard 0). With no session
    /// yet, it is held and sent after the first READY. Returns the number of sessions it was
    /// dispatched to.
    pub fn push_event(&self, t: &str, d: Value) -> usize {
        self.shared.push(t, d)
    }

    /// Pushes every dispatch of a JSONL script (see [`crate::script`]); returns how many.
    pub fn load_script(&self, jsonl: &str) -> Result<usize, Error> {
        let events = script::parse_dispatches(jsonl, &["READY", "RESUMED"])?;
        let n = events.len();
        for ScriptEvent { t, d } in events {
            self.push_event(&t, d);
        }
        Ok(n)
    }

    /// Writes `text` as is to every live connection (malformed frames, unknown ops, ...).
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

    /// The `d` of every Identify received.
    pub fn identify_log(&self) -> Vec<Value> {
        self.frames_with_op(2)
    }

    /// `(shard, when)` of every accepted Identify, oldest first: check QQ's
    /// `max_concurrency` buckets (`shard_id % max_concurrency`, one per 5 s) against them.
    pub fn identify_times(&self) -> Vec<([u64; 2], Instant)> {
        self.shared.state().identifies.clone()
    }

    /// Shards that had a session on two live connections at once (by Identify or Resume):
    /// a bot must never run one shard in two places.
    pub fn shard_conflicts(&self) -> Vec<[u64; 2]> {
        self.shared.state().shard_conflicts.clone()
    }

    /// The `d` of every Resume received.
    pub fn resume_log(&self) -> Vec<Value> {
        self.frames_with_op(6)
    }

    fn frames_with_op(&self, op: u64) -> Vec<Value> {
        self.shared
            .log
            .received()
            .into_iter()
            .filter(|f| log::op(f) == Some(op))
            .map(|f| f.get("d").cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// Every dispatch frame (op 0) written, in wire order (replays included).
    pub fn sent_dispatches(&self) -> Vec<Value> {
        self.shared
            .log
            .sent()
            .into_iter()
            .filter(|f| log::op(f) == Some(0))
            .collect()
    }

    /// The live and resumable sessions.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        let mut out: Vec<SessionInfo> = self
            .shared
            .state()
            .sessions
            .values()
            .map(|s| SessionInfo {
                id: s.id.clone(),
                intents: s.intents,
                shard: s.shard,
                seq: s.seq,
                conn: s.conn,
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Access tokens issued by the token endpoint so far (expired ones included), in issue
    /// order.
    pub fn issued_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = self.shared.state().tokens.keys().cloned().collect();
        tokens.sort_by_key(|t| {
            t.strip_prefix("sim-token-")
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(u64::MAX)
        });
        tokens
    }

    /// Makes every token issued so far expire now (REST answers 401 code 11244 for them).
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for expires in self.shared.state().tokens.values_mut() {
            *expires = now;
        }
    }

    /// Answers the next REST request(s) matching `fault` with its failure instead of handling
    /// them (a 500 once, a 429 with `Retry-After`, any 4xx).
    pub fn inject_http(&self, fault: HttpFault) {
        self.shared.faults.push(fault);
    }

    /// Holds the next `sends` message sends to guild channels or guild DMs for audit, as QQ
    /// does with a message that needs review: the body is checked (and a reply's `msg_seq`
    /// deduped) as usual, then the send is answered 202 `{"code":304023,"message":"push
    /// message is waiting for audit","data":{"message_audit":{"audit_id":"sim-audit-N"}}}`
    /// and the message is not sent until [`pass_audit`](Self::pass_audit). Group and C2C
    /// sends are never held. Calls add up. The audit events name the guild and the channel:
    /// a channel's guild is the one the sim last saw it with in a dispatch (or opened with
    /// `POST /users/@me/dms`), a DM guild's channel one it saw in that guild; empty if none.
    pub fn hold_for_audit(&self, sends: u32) {
        let mut state = self.shared.state();
        state.audit_holds = state.audit_holds.saturating_add(sends);
    }

    /// The audit ids of the messages held for audit and not yet passed or rejected, in the
    /// order they were held.
    pub fn held_for_audit(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.shared.state().held.keys().cloned().collect();
        ids.sort_by_key(|id| audit_number(id));
        ids
    }

    /// Ends the audit `audit_id` with a pass: the held message is sent (it gets a message id
    /// and can be recalled) and `MESSAGE_AUDIT_PASS` `{audit_id, message_id, guild_id,
    /// channel_id, audit_time, create_time}` is dispatched (to the shard of the guild).
    /// Returns the message id, or `None` when no message is held under `audit_id`.
    pub fn pass_audit(&self, audit_id: &str) -> Option<String> {
        let (held, message_id) = {
            let mut state = self.shared.state();
            let held = state.held.remove(audit_id)?;
            state.next_message += 1;
            let id = format!("sim-msg-{}", state.next_message);
            state.messages.insert(id.clone(), held.path.clone());
            (held, id)
        };
        let mut d = audit_event(audit_id, &held);
        d["message_id"] = json!(message_id);
        self.shared.push("MESSAGE_AUDIT_PASS", d);
        Some(message_id)
    }

    /// Ends the audit `audit_id` with a rejection: the held message is dropped and
    /// `MESSAGE_AUDIT_REJECT` (as [`pass_audit`](Self::pass_audit)'s event, without a message
    /// id) is dispatched. `false` when no message is held under `audit_id`.
    pub fn reject_audit(&self, audit_id: &str) -> bool {
        let Some(held) = self.shared.state().held.remove(audit_id) else {
            return false;
        };
        self.shared
            .push("MESSAGE_AUDIT_REJECT", audit_event(audit_id, &held));
        true
    }

    /// Every REST request recorded so far with `method` and a path starting with `prefix`
    /// (`Record::Http`, in arrival order).
    pub fn requests(&self, method: &str, prefix: &str) -> Vec<crate::Record> {
        self.shared.log.http(method, prefix)
    }

    /// Number of live WebSocket connections.
    pub fn connections(&self) -> usize {
        self.shared.state().conns.len()
    }
}

impl Drop for QqSim {
    fn drop(&mut self) {
        self.shared.tasks.abort_all();
    }
}
