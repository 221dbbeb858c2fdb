//! [`Worker`]: reads a Redis Stream in a consumer group and runs the handlers of each event,
//! acknowledging it once they have run (decision 0018: at least once; the done marks make
//! handlers see each event once). What it holds (read, not yet acknowledged) stays its own
//! (decision 0064).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botgate_codec::Frame;
use botgate_dispatch::bubble::{Bubble, BubbleHandlers};
use botgate_dispatch::onebot::{OneBot, OneBotHandlers};
use botgate_dispatch::qq::{Qq, QqHandlers};
use botgate_dispatch::{ActionSink, BotInfo, Completion, DispatchConfig, Dispatcher, PlatformKind};
use botgate_redis::{Acker, ActionRelay, Consumer, Delivery, Error, Kept};
use botgate_transport::bubble::{Rest, RestConfig};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::{AppCredentials, OpenApi, OpenApiConfig, TokenSource};
use botgate_transport::Secret;
use bytes::Bytes;

use super::actions::RelayedActions;
use crate::bot::Glue;
use crate::reply::{BubbleReplies, OneBotReplies, QqReplies};

type OneBotFactory = Arc<dyn Fn() -> OneBotHandlers + Send + Sync>;

/// What a worker did, counted as it went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Entries read (new and claimed).
    pub read: u64,
    /// Entries claimed from a worker that left them pending.
    pub claimed: u64,
    /// Entries skipped because their event was already done elsewhere.
    pub skipped: u64,
    /// Entries of a platform this worker has no handlers for, or that do not scan (acknowledged
    /// and dropped).
    pub dropped: u64,
    /// Entries read but not handled when the worker stopped at [`Worker::max_events`]: they
    /// stay pending, and another worker claims them.
    pub left_pending: u64,
    /// Reads that waited because [`Worker::read_ahead`] entries were held.
    pub read_ahead_waits: u64,
}

/// One worker process's reader and dispatchers: QQ, Bubble and OneBot events of one stream
/// (each platform's handlers optional). Per conversation, events run in stream order within
/// this worker; across workers, a conversation's events may run concurrently.
pub struct Worker {
    consumer: Consumer,
    config: DispatchConfig,
    batch: usize,
    read_ahead: Option<usize>,
    max_events: Option<u64>,
    qq: Option<Arc<Dispatcher<Qq>>>,
    bubble: Option<Arc<Dispatcher<Bubble>>>,
    onebot: Option<OneBotSide>,
}

struct OneBotSide {
    make: OneBotFactory,
    relay: Arc<ActionRelay>,
    timeout: Duration,
    /// One dispatcher per gateway: its actions go back to that gateway.
    per_gateway: HashMap<String, Arc<Dispatcher<OneBot>>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("consumer", &self.consumer)
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker reading with `consumer` (see `EventStream::consumer`).
    pub fn new(consumer: Consumer) -> Self {
        Self {
            consumer,
            config: DispatchConfig::default(),
            batch: 64,
            read_ahead: None,
            max_events: None,
            qq: None,
            bubble: None,
            onebot: None,
        }
    }

    /// Ordering / concurrency / dedupe settings of the dispatchers (set before the handlers).
    pub fn dispatch_config(mut self, config: DispatchConfig) -> Self {
        self.config = config;
        self
    }

    /// Entries read per round trip (default 64).
    pub fn batch(mut self, entries: usize) -> Self {
        self.batch = entries.max(1);
        self
    }

    /// The most entries this worker holds: read and not yet acknowledged, queued in its lanes
    /// or running (default: the dispatch config's `max_pending`, 1024). No new batch is read
    /// while that many are held. A held entry is kept from the other workers (its idle time
    /// refreshed every `claim_idle / 3`, decision 0064), so this is also how much work a
    /// slow worker can keep from idle ones.
    pub fn read_ahead(mut self, entries: usize) -> Self {
        self.read_ahead = Some(entries);
        self
    }

    /// Stop after handling this many entries (like a web server's max-requests, so that a
    /// supervisor starts a fresh worker): [`run`](Self::run) returns once their handlers have
    /// run; entries read beyond them stay pending for other workers (see
    /// [`WorkerStats::left_pending`]).
    pub fn max_events(mut self, entries: u64) -> Self {
        self.max_events = Some(entries);
        self
    }

    /// QQ events run these handlers, without `ctx.reply` (see [`qq_replying`](Self::qq_replying)).
    pub fn qq(mut self, handlers: QqHandlers) -> Self {
        let dispatcher = Dispatcher::new(handlers, self.config);
        dispatcher.set_bot(BotInfo::new(PlatformKind::Qq));
        self.qq = Some(Arc::new(dispatcher));
        self
    }

    /// QQ events run these handlers; `ctx.reply` sends over the OpenAPI at `api_base`
    /// (production: `https://api.sgroup.qq.com`) with the access token of `app_id` + `secret`
    /// (fetched from `auth_base`, e.g. `https://bots.qq.com`, and refreshed).
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn qq_replying(
        mut self,
        handlers: QqHandlers,
        app_id: impl Into<String>,
        secret: impl Into<String>,
        api_base: impl Into<String>,
        auth_base: impl Into<String>,
    ) -> Result<Self, crate::Error> {
        let http = http_client()?;
        let app_id = app_id.into();
        let tokens = TokenSource::app(
            http.clone(),
            AppCredentials::new(app_id.clone(), Secret::new(secret.into()))
                .with_auth_base(auth_base.into()),
        );
        let api = OpenApi::new(
            http,
            tokens,
            OpenApiConfig {
                api_base: api_base.into(),
                ..OpenApiConfig::production()
            },
        );
        let dispatcher = Dispatcher::new(handlers, self.config);
        dispatcher.set_bot(
            BotInfo::new(PlatformKind::Qq)
                .with_app_id(app_id)
                .with_replies(Arc::new(QqReplies::new(api))),
        );
        self.qq = Some(Arc::new(dispatcher));
        Ok(self)
    }

    /// Bubble events run these handlers; `ctx.reply` sends over Bubble's REST API at
    /// `rest_base` (e.g. `bot::BUBBLE_REST_BASE`, a simulator's) with the bot `token`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn bubble(
        mut self,
        handlers: BubbleHandlers,
        token: impl Into<String>,
        rest_base: impl Into<String>,
    ) -> Result<Self, crate::Error> {
        let http = http_client()?;
        let rest = Rest::new(
            http,
            Secret::new(token.into()),
            RestConfig {
                base: rest_base.into(),
                ..RestConfig::default()
            },
        );
        let dispatcher = Dispatcher::new(handlers, self.config);
        dispatcher.set_bot(
            BotInfo::new(PlatformKind::Bubble).with_replies(Arc::new(BubbleReplies::new(rest))),
        );
        self.bubble = Some(Arc::new(dispatcher));
        Ok(self)
    }

    /// OneBot events run the handlers `make` returns (one set per gateway); their actions
    /// (`ctx.call`, `ctx.onebot()`) and `ctx.reply` go through `relay` to the gateway that
    /// published the event, waiting up to 30 s for its answer.
    pub fn onebot(
        mut self,
        relay: ActionRelay,
        make: impl Fn() -> OneBotHandlers + Send + Sync + 'static,
    ) -> Self {
        self.onebot = Some(OneBotSide {
            make: Arc::new(make),
            relay: Arc::new(relay),
            timeout: Duration::from_secs(30),
            per_gateway: HashMap::new(),
        });
        self
    }

    /// Reads and handles events until `shutdown` resolves, then lets the running handlers
    /// finish (their events are acknowledged; those read but not started stay pending for
    /// another worker). While Redis cannot be reached it logs and retries every second.
    ///
    /// Entries held here (see [`read_ahead`](Self::read_ahead)) are kept from the other
    /// workers by a task beside the reader (the consumer's `Keeper`), which ends with this.
    ///
    /// # Errors
    /// None yet (the `Result` leaves room for failures a worker cannot wait out).
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<WorkerStats, Error> {
        let mut stats = WorkerStats::default();
        let keeper = self.consumer.keeper();
        // Its own task: the reader may wait in a dispatch (lanes full) or an `XREADGROUP
        // BLOCK` longer than a refresh period.
        let _keeping = AbortOnDrop(tokio::spawn(keeper.clone().run()));
        let read_ahead = self.read_ahead.unwrap_or(self.config.max_pending).max(1);
        let acks = Acks {
            acker: self.consumer.acker(),
            failed: Arc::new(AtomicU64::new(0)),
            in_flight: InFlight::default(),
        };
        let mut shutdown = std::pin::pin!(shutdown);
        let result: Result<(), Error> = 'read: loop {
            if keeper.held() >= read_ahead {
                stats.read_ahead_waits += 1;
                tokio::select! {
                    () = &mut shutdown => break Ok(()),
                    () = keeper.below(read_ahead) => {}
                }
            }
            let room = read_ahead
                .saturating_sub(keeper.held())
                .clamp(1, self.batch);
            let batch = tokio::select! {
                () = &mut shutdown => break Ok(()),
                batch = self.consumer.next_batch(room) => batch,
            };
            let batch = match batch {
                Ok(batch) => batch,
                // Redis restarting or unreachable: the connection reconnects by itself; a
                // worker is a service and waits rather than exits (entries stay in Redis)
                Err(e) => {
                    tracing::warn!(error = %e, "reading the stream failed; retrying in 1 s");
                    tokio::select! {
                        () = &mut shutdown => break Ok(()),
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            };
            // Kept from now until acknowledged; a guard dropped unused (the worker stops, the
            // entry fails) leaves its entry pending for whoever claims it after `claim_idle`.
            let mut batch = batch
                .into_iter()
                .map(|d| {
                    let kept = keeper.keep(&d.id);
                    (d, kept)
                })
                .collect::<Vec<_>>()
                .into_iter();
            while let Some((delivery, kept)) = batch.next() {
                if self.max_events.is_some_and(|max| stats.read >= max) {
                    stats.left_pending = 1 + batch.len() as u64;
                    break 'read Ok(());
                }
                stats.read += 1;
                stats.claimed += u64::from(delivery.claimed);
                if let Err(e) = self.handle(delivery, kept, &acks, &mut stats).await {
                    // its entry stays pending and is claimed again after `claim_idle`
                    tracing::warn!(error = %e, "an entry could not be handled; it stays pending");
                }
            }
            if self.max_events.is_some_and(|max| stats.read >= max) {
                break Ok(());
            }
        };
        self.close().await;
        if acks.failed.load(Ordering::Relaxed) > 0 {
            tracing::warn!(
                failed = acks.failed.load(Ordering::Relaxed),
                "acknowledgements failed; those events will be redelivered"
            );
        }
        result.map(|()| stats)
    }

    async fn close(&self) {
        if let Some(d) = &self.qq {
            d.shutdown().await;
        }
        if let Some(d) = &self.bubble {
            d.shutdown().await;
        }
        if let Some(side) = &self.onebot {
            for d in side.per_gateway.values() {
                d.shutdown().await;
            }
        }
    }

    /// Handles one entry, kept while `kept` lives: until its acknowledgement, or dropped here
    /// (its entry then stays pending for whoever claims it).
    async fn handle(
        &mut self,
        delivery: Delivery,
        kept: Kept,
        acks: &Acks,
        stats: &mut WorkerStats,
    ) -> Result<(), Error> {
        let dispatched = match delivery.platform.as_str() {
            "qq" => match self.qq.clone() {
                Some(d) => dispatch(&d, &mut self.consumer, &delivery, kept, acks).await?,
                None => None,
            },
            "bubble" => match self.bubble.clone() {
                Some(d) => dispatch(&d, &mut self.consumer, &delivery, kept, acks).await?,
                None => None,
            },
            "onebot" => match self.onebot_dispatcher(&delivery) {
                Some(d) => dispatch(&d, &mut self.consumer, &delivery, kept, acks).await?,
                None => None,
            },
            _ => None,
        };
        match dispatched {
            Some(true) => {}
            Some(false) => stats.skipped += 1,
            None => {
                stats.dropped += 1;
                tracing::warn!(platform = %delivery.platform, id = %delivery.id,
                    "an entry no handlers here can take; acknowledged and dropped");
                acks.acker.done(&delivery.id, None)?;
            }
        }
        Ok(())
    }

    /// The dispatcher of the gateway that published a OneBot event (made on its first event).
    fn onebot_dispatcher(&mut self, delivery: &Delivery) -> Option<Arc<Dispatcher<OneBot>>> {
        let side = self.onebot.as_mut()?;
        let gateway = delivery.gateway.clone().unwrap_or_default();
        let config = self.config;
        let d = side.per_gateway.entry(gateway.clone()).or_insert_with(|| {
            let dispatcher = Dispatcher::new((side.make)(), config);
            let actions: Arc<dyn ActionSink> = Arc::new(RelayedActions {
                relay: Arc::clone(&side.relay),
                gateway,
                timeout: side.timeout,
            });
            let mut bot = BotInfo::new(PlatformKind::OneBot)
                .with_actions(Arc::clone(&actions))
                .with_replies(Arc::new(OneBotReplies::new(actions)));
            if let Some(id) = botgate_codec::onebot::RawEvent::scan(delivery.frame.clone())
                .ok()
                .and_then(|raw| raw.self_id())
            {
                bot = bot.with_self_id(id.to_string());
            }
            dispatcher.set_bot(bot);
            Arc::new(dispatcher)
        });
        Some(Arc::clone(d))
    }
}

fn http_client() -> Result<HttpClient, crate::Error> {
    botgate_transport::install_default_crypto_provider();
    HttpClient::new().map_err(|e| {
        crate::Error::with_source(
            crate::ErrorKind::Config {
                what: "HTTP client".into(),
            },
            e,
        )
    })
}

/// The platform's input from the entry's bytes.
fn input<P: Glue>(bytes: Bytes) -> Option<P::Input> {
    if let Ok(Some(input)) = P::from_event_bytes(bytes.clone()) {
        return Some(input);
    }
    Frame::scan(bytes).ok().and_then(P::from_frame)
}

/// How a worker acknowledges what it handled: the acknowledgements, their failures, and the
/// events running here.
struct Acks {
    acker: Acker,
    failed: Arc<AtomicU64>,
    in_flight: InFlight,
}

/// The entry ids and done ids of the events whose handlers run in this worker now.
///
/// A gateway may publish an event again as a new entry, and an entry whose refreshes failed
/// for `claim_idle` (Redis unreachable from here) is claimed again, by this very worker.
/// Dispatched again, the copy was dropped by the dispatcher's dedupe and counted as handled,
/// and its acknowledgement (the done mark and `XACK`) came while the first run was still
/// going: a worker dying then lost the event. A copy of an event running here is left
/// pending instead (and not kept); once the first run ends, the next claim finds its done
/// mark.
#[derive(Debug, Default, Clone)]
struct InFlight(Arc<std::sync::Mutex<std::collections::HashSet<String>>>);

/// Keys marked running by [`InFlight::start`], unmarked when this is dropped.
struct Running {
    in_flight: InFlight,
    keys: Vec<String>,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `keys` running until the guard drops; `None` (nothing marked) when one of them
    /// already is.
    fn start(&self, keys: Vec<String>) -> Option<Running> {
        let mut running = self.lock();
        if keys.iter().any(|k| running.contains(k)) {
            return None;
        }
        running.extend(keys.iter().cloned());
        Some(Running {
            in_flight: self.clone(),
            keys,
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut running = self.in_flight.lock();
        for k in &self.keys {
            running.remove(k);
        }
    }
}

/// Dispatches one entry: `Some(true)` dispatched (acknowledged when its handlers have run)
/// or its event already running here (left pending), `Some(false)` skipped (its event is
/// done elsewhere; acknowledged now), `None` not an event of `P`. `kept` goes with the entry
/// (dropped after its acknowledgement, or when it is left pending).
async fn dispatch<P: Glue>(
    dispatcher: &Dispatcher<P>,
    consumer: &mut Consumer,
    delivery: &Delivery,
    kept: Kept,
    acks: &Acks,
) -> Result<Option<bool>, Error> {
    let Some(input) = input::<P>(delivery.frame.clone()) else {
        return Ok(None);
    };
    let done_id = P::route(&input)
        .and_then(|route| P::dedupe_key(&input, &route))
        .map(|key| format!("{}:{}", P::KIND.as_str(), hex(key.as_bytes())));
    let keys = std::iter::once(delivery.id.clone())
        .chain(done_id.clone())
        .collect();
    let Some(running) = acks.in_flight.start(keys) else {
        tracing::debug!(entry = %delivery.id, "its event runs here already: left pending");
        return Ok(Some(true));
    };
    if let Some(id) = &done_id {
        if consumer.is_done(id).await? {
            acks.acker.done(&delivery.id, None)?;
            return Ok(Some(false));
        }
    }
    let (acker, entry, failed) = (
        acks.acker.clone(),
        delivery.id.clone(),
        Arc::clone(&acks.failed),
    );
    let done = Completion::new(move |ran| {
        // not ran: the dispatcher closed first; the entry stays pending for another worker
        if ran {
            if let Err(e) = acker.done(&entry, done_id.as_deref()) {
                failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, entry, "not acknowledged; it will be redelivered");
            }
        }
        // Unmarked once acknowledged: a copy claimed from here on finds the done mark.
        drop(running);
        drop(kept);
    });
    dispatcher.dispatch_tracked(input, done).await;
    Ok(Some(true))
}

/// Aborts its task when dropped: the keeper's rounds end with [`Worker::run`], however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
