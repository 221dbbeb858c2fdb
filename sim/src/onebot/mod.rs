//! [`OneBotSim`]: a OneBot v11 implementation as Waylay behaves.
//!
//! Forward WS server (any path, Universal): access token by `Authorization: Bearer` / `Token`
//! or `?access_token=`; a mismatch is answered like Waylay (accept, then close 1008) or like
//! go-cqhttp (HTTP 401 / 403), per [`AuthFailure`]. Reverse WS client
//! ([`OneBotSim::connect_reverse`]): connects to a bot's listener with only
//! `Authorization: Bearer` (no `X-Self-ID`, no `X-Client-Role`, like Waylay, unless
//! [`OneBotConfig::reverse_identity`] asks for them as the go-cqhttp family sends them) and reconnects
//! after every close; [`OneBotSim::connect_reverse_accounts`] opens one such connection per
//! account for many accounts at once (events to one account: [`OneBotSim::push_event_to`]). Both sides send a lifecycle `connect` event first, a heartbeat meta event
//! every `heartbeat_interval`, pushed events to every connection, and answer actions by
//! `echo` (send_msg / send_group_msg / send_private_msg recorded and answered
//! `{message_id}`; get_login_info, get_status, get_version_info; anything else 1404), in order,
//! reversed in batches or shuffled ([`ResponseOrder`]). Faults: `Drop`, `Close`, `Delay`,
//! `DuplicateLast` (last event), `StopAcks` / `ResumeAcks` (heartbeat meta events off / on).
//! `heartbeat_interval: None` (or [`OneBotSim::set_heartbeat_interval`]`(None)`) is an
//! implementation with heartbeats off (go-cqhttp `heartbeat.interval: -1`): a lifecycle, then
//! only events. WebSocket pings are answered (and logged, [`Record::Pinged`](crate::Record))
//! while a connection reads, so a `Delay` stall is a hung implementation: no pongs.

mod actions;
mod conn;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::error::ErrorKind;
use crate::log::{Log, Record};
use crate::script;
use crate::server::{self, HttpResponse, Tasks};
use crate::{Error, Fault};

/// How the forward server answers a wrong or missing access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthFailure {
    /// Accept the upgrade, then close with 1008 "Unauthorized" (Waylay).
    #[default]
    Close1008,
    /// HTTP 401 when missing, 403 when wrong, before the upgrade (go-cqhttp).
    HttpStatus,
}

/// In which order action responses go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResponseOrder {
    /// In request order.
    #[default]
    InOrder,
    /// Held until `batch` responses are ready, then sent last first (deterministic
    /// out-of-order).
    Reversed {
        /// How many responses form a batch.
        batch: usize,
    },
    /// Each response delayed by a pseudo-random time below `max_delay`.
    Shuffled {
        /// Upper bound of the extra delay.
        max_delay: Duration,
    },
}

/// How a [`OneBotSim`] behaves. Every field has a default (`..Default::default()`).
#[derive(Debug, Clone)]
pub struct OneBotConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (default 0).
    pub port: u16,
    /// The bot's QQ number (`self_id`).
    pub self_id: i64,
    /// The bot's nickname (get_login_info).
    pub nickname: String,
    /// Access token required from clients, and sent by the reverse client.
    pub access_token: Option<String>,
    /// How a bad token is answered on the forward server.
    pub auth_failure: AuthFailure,
    /// Heartbeat meta event period (`None`: never).
    pub heartbeat_interval: Option<Duration>,
    /// Send a lifecycle with `self_id: 0` before the real one (Waylay before QQ login).
    pub lifecycle_zero_first: bool,
    /// Delay before every action response.
    pub response_delay: Duration,
    /// Order of action responses.
    pub response_order: ResponseOrder,
    /// Reverse client: wait between a close (or a failed connect) and the next attempt.
    pub reverse_reconnect: Duration,
    /// Reverse client: also send `X-Self-ID` (the account) and `X-Client-Role: Universal`,
    /// as OneBot v11's reverse WebSocket and the go-cqhttp family (NapCat, Lagrange) do;
    /// NoneBot's adapter refuses a connection without them. Waylay sends neither (default).
    pub reverse_identity: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl Default for OneBotConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            self_id: 123_456_789,
            nickname: "botgate-sim".into(),
            access_token: None,
            auth_failure: AuthFailure::Close1008,
            heartbeat_interval: Some(Duration::from_secs(30)),
            lifecycle_zero_first: false,
            response_delay: Duration::ZERO,
            response_order: ResponseOrder::InOrder,
            reverse_reconnect: Duration::from_secs(5),
            reverse_identity: false,
            seed: 0x9E37_79B9_7F4A_7C15,
        }
    }
}

/// A message a bot sent through send_msg / send_group_msg / send_private_msg.
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    /// Connection it came on.
    pub conn: u64,
    /// The account (`self_id`) of that connection.
    pub self_id: i64,
    /// The action name.
    pub action: String,
    /// The action's params as sent.
    pub params: Value,
    /// The `message_id` answered.
    pub message_id: i64,
}

#[derive(Debug)]
pub(crate) enum Command {
    Send(String),
    Event(String),
    Fault(Fault),
}

/// A live connection: where its commands go, and the account it speaks for.
#[derive(Debug)]
pub(crate) struct ConnEntry {
    pub(crate) tx: mpsc::UnboundedSender<Command>,
    pub(crate) self_id: i64,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) conns: HashMap<u64, ConnEntry>,
    /// Events pushed while no connection was up, for the next one.
    pub(crate) pending: Vec<String>,
    /// Events pushed to one account while it had no connection, for its next one.
    pub(crate) pending_for: HashMap<i64, Vec<String>>,
    pub(crate) messages: Vec<SentMessage>,
    pub(crate) next_message_id: i64,
    pub(crate) overrides: HashMap<String, Value>,
    /// The heartbeat period of connections opened from now on, when set
    /// ([`OneBotSim::set_heartbeat_interval`]); else the config's.
    pub(crate) heartbeat_interval: Option<Option<Duration>>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: OneBotConfig,
    pub(crate) log: Log,
    pub(crate) state: Mutex<State>,
    pub(crate) next_conn: AtomicU64,
    pub(crate) addr: SocketAddr,
    pub(crate) tasks: Tasks,
    rng: AtomicU64,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// xorshift64*: deterministic per seed, good enough to shuffle.
    pub(crate) fn next_random(&self) -> u64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True when the request carries the access token (or none is required).
    fn token_state(&self, req: &Request<Incoming>) -> Result<(), StatusCode> {
        let Some(expected) = &self.config.access_token else {
            return Ok(());
        };
        let header = server::authorization(req);
        let from_header = header.as_deref().and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("Token "))
                .map(str::trim)
        });
        let from_query = req.uri().query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "access_token")
                .map(|(_, v)| v.to_owned())
        });
        match (from_header, from_query) {
            (None, None) => Err(StatusCode::UNAUTHORIZED),
            (h, q) if h == Some(expected.as_str()) || q.as_deref() == Some(expected.as_str()) => {
                Ok(())
            }
            _ => Err(StatusCode::FORBIDDEN),
        }
    }
}

/// The OneBot v11 implementation sim. Lives until dropped.
#[derive(Debug)]
pub struct OneBotSim {
    shared: Arc<Shared>,
}

async fn route(shared: Arc<Shared>, req: Request<Incoming>) -> HttpResponse {
    let path = req.uri().path().to_owned();
    if !server::is_upgrade(&req) {
        return server::json(
            StatusCode::OK,
            &json!({"status": "ok", "version": concat!("botgate-sim/", env!("CARGO_PKG_VERSION"))}),
        );
    }
    let authorized = match shared.token_state(&req) {
        Ok(()) => true,
        Err(status) if shared.config.auth_failure == AuthFailure::HttpStatus => {
            shared.log.push(Record::Rejected {
                path,
                status: status.as_u16(),
            });
            return server::json(status, &json!({"status": "failed", "retcode": 1401}));
        }
        Err(_) => false,
    };
    let conn_id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
    let tasks = shared.tasks.clone();
    let self_id = shared.config.self_id;
    server::accept_upgrade(req, &tasks, 16 << 20, move |ws| {
        conn::run(shared, ws, conn_id, authorized, self_id)
    })
}

impl OneBotSim {
    /// Starts a sim (forward server listening) with `config`.
    pub async fn start(config: OneBotConfig) -> Result<Self, Error> {
        let tasks = Tasks::default();
        let cell: Arc<std::sync::OnceLock<Arc<Shared>>> = Arc::default();
        let router_cell = cell.clone();
        let addr = server::serve(config.host, config.port, &tasks, move |req| {
            let shared = router_cell.get().cloned();
            Box::pin(async move {
                match shared {
                    Some(shared) => route(shared, req).await,
                    None => server::text(StatusCode::SERVICE_UNAVAILABLE, "starting"),
                }
            })
        })
        .await?;
        let seed = config.seed.max(1);
        let shared = Arc::new(Shared {
            config,
            log: Log::default(),
            state: Mutex::new(State::default()),
            next_conn: AtomicU64::new(1),
            addr,
            tasks,
            rng: AtomicU64::new(seed),
        });
        let _ = cell.set(shared.clone());
        tracing::info!(%addr, "onebot sim listening");
        Ok(Self { shared })
    }

    /// Starts a sim with the default config.
    pub async fn start_default() -> Result<Self, Error> {
        Self::start(OneBotConfig::default()).await
    }

    /// The forward server's address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The forward WS URL (`ws://addr/`).
    pub fn url(&self) -> String {
        format!("ws://{}/", self.shared.addr)
    }

    /// The config the sim runs with.
    pub fn config(&self) -> &OneBotConfig {
        &self.shared.config
    }

    /// Everything the sim saw and did.
    pub fn log(&self) -> &Log {
        &self.shared.log
    }

    /// Connects out to a bot's reverse-WS listener at `url`, like Waylay, and keeps
    /// reconnecting `reverse_reconnect` after every close until the sim is dropped.
    pub fn connect_reverse(&self, url: &str) -> Result<(), Error> {
        self.connect_reverse_as(url, self.shared.config.self_id)
    }

    /// Like [`connect_reverse`](Self::connect_reverse) for `accounts` bot accounts at once
    /// (`self_id`, `self_id + 1`, ...), one connection each, as one implementation process
    /// hosting several QQ accounts would. Returns their `self_id`s.
    pub fn connect_reverse_accounts(&self, url: &str, accounts: usize) -> Result<Vec<i64>, Error> {
        let first = self.shared.config.self_id;
        let ids: Vec<i64> = (0..accounts)
            .map(|i| first.saturating_add(i64::try_from(i).unwrap_or(i64::MAX)))
            .collect();
        for id in &ids {
            self.connect_reverse_as(url, *id)?;
        }
        Ok(ids)
    }

    /// Connects out to `url` as account `self_id` (its lifecycle, heartbeats and events carry
    /// that id), reconnecting like [`connect_reverse`](Self::connect_reverse).
    pub fn connect_reverse_as(&self, url: &str, self_id: i64) -> Result<(), Error> {
        let url_error = |reason: String| Error::new(ErrorKind::InvalidUrl { reason }, None);
        let mut request = url
            .into_client_request()
            .map_err(|e| url_error(e.to_string()))?;
        if let Some(token) = &self.shared.config.access_token {
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| url_error("token is not a header value".into()))?;
            request.headers_mut().insert("authorization", value);
        }
        if self.shared.config.reverse_identity {
            let headers = request.headers_mut();
            headers.insert("x-self-id", http::HeaderValue::from(self_id));
            headers.insert("x-client-role", http::HeaderValue::from_static("Universal"));
        }
        let path = request.uri().path().to_owned();
        let shared = self.shared.clone();
        self.shared.tasks.spawn(async move {
            loop {
                match tokio_tungstenite::connect_async(request.clone()).await {
                    Ok((ws, _)) => {
                        let conn_id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                        conn::run(shared.clone(), ws, conn_id, true, self_id).await;
                    }
                    Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                        shared.log.push(Record::Rejected {
                            path: path.clone(),
                            status: response.status().as_u16(),
                        });
                    }
                    Err(e) => tracing::debug!(error = %e, "onebot sim reverse connect failed"),
                }
                tokio::time::sleep(shared.config.reverse_reconnect).await;
            }
        });
        Ok(())
    }

    /// Sends `event` to every connection (`time` filled in when missing, `self_id` with each
    /// connection's account); held for the next connection when there is none. Returns the
    /// number of connections.
    pub fn push_event(&self, event: Value) -> usize {
        let mut state = self.shared.state();
        if state.conns.is_empty() {
            let text = conn::complete(&event, self.shared.config.self_id).to_string();
            state.pending.push(text);
            return 0;
        }
        for entry in state.conns.values() {
            let text = conn::complete(&event, entry.self_id).to_string();
            let _ = entry.tx.send(Command::Event(text));
        }
        state.conns.len()
    }

    /// Sends `event` to the connections of account `self_id` only, as that account's event
    /// (`self_id` set to it, as an implementation stamps its own; `time` filled in when
    /// missing); held for its next connection when it has none. Returns the number of
    /// connections it went to.
    pub fn push_event_to(&self, self_id: i64, mut event: Value) -> usize {
        if let Some(map) = event.as_object_mut() {
            map.insert("self_id".into(), Value::from(self_id));
        }
        let text = conn::complete(&event, self_id).to_string();
        let mut state = self.shared.state();
        let mut sent = 0;
        for entry in state.conns.values().filter(|e| e.self_id == self_id) {
            let _ = entry.tx.send(Command::Event(text.clone()));
            sent += 1;
        }
        if sent == 0 {
            state.pending_for.entry(self_id).or_default().push(text);
        }
        sent
    }

    /// The accounts with a live connection, in numeric order.
    pub fn connected_accounts(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .shared
            .state()
            .conns
            .values()
            .map(|e| e.self_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Pushes every event of a JSONL script (lines with `post_type`; others, e.g. action
    /// responses, are skipped); returns how many.
    pub fn load_script(&self, jsonl: &str) -> Result<usize, Error> {
        let mut n = 0;
        for (_, value) in script::lines(jsonl)? {
            if value.get("post_type").is_some() {
                self.push_event(value);
                n += 1;
            }
        }
        Ok(n)
    }

    /// Like [`load_script`](Self::load_script), for account `self_id` only (see
    /// [`push_event_to`](Self::push_event_to)); returns how many events.
    pub fn load_script_to(&self, self_id: i64, jsonl: &str) -> Result<usize, Error> {
        let mut n = 0;
        for (_, value) in script::lines(jsonl)? {
            if value.get("post_type").is_some() {
                self.push_event_to(self_id, value);
                n += 1;
            }
        }
        Ok(n)
    }

    /// Answers `action` with `response` (`status`, `retcode`, `data`, ...; `echo` is added)
    /// from now on.
    pub fn set_action_response(&self, action: &str, response: Value) {
        self.shared
            .state()
            .overrides
            .insert(action.to_owned(), response);
    }

    /// The heartbeat period of connections opened from now on (`None`: no heartbeats), as an
    /// implementation restarted with another setting; live connections keep theirs.
    pub fn set_heartbeat_interval(&self, every: Option<Duration>) {
        self.shared.state().heartbeat_interval = Some(every);
    }

    /// Writes `text` as is to every live connection.
    pub fn send_raw(&self, text: &str) {
        for entry in self.shared.state().conns.values() {
            let _ = entry.tx.send(Command::Send(text.to_owned()));
        }
    }

    /// Applies `fault` to every live connection; returns how many.
    pub fn inject(&self, fault: Fault) -> usize {
        let state = self.shared.state();
        for entry in state.conns.values() {
            let _ = entry.tx.send(Command::Fault(fault.clone()));
        }
        state.conns.len()
    }

    /// Messages sent by bots, in the order they arrived.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.shared.state().messages.clone()
    }

    /// Every action frame received.
    pub fn actions(&self) -> Vec<Value> {
        self.shared
            .log
            .received()
            .into_iter()
            .filter(|f| f.get("action").is_some())
            .collect()
    }

    /// Number of live connections (forward and reverse).
    pub fn connections(&self) -> usize {
        self.shared.state().conns.len()
    }
}

impl Drop for OneBotSim {
    fn drop(&mut self) {
        self.shared.tasks.abort_all();
    }
}
