//! `botgate run --redis URL`: one of several processes that run a bot together through Redis
//! (`botgate-redis`, decisions 0018 and 0023). Roles:
//! - `all` (default): lease the shards this process can (at most `--most`), take over those of
//!   a process that died once their leases expire, resume each from the Redis session store
//!   (QQ identifies spaced by its buckets across all processes), print events as `listen`;
//! - `gateway`: the same, but each event is appended to a Redis Stream instead of printed
//!   (OneBot: workers' actions are sent over this gateway's socket and answered);
//! - `worker`: no socket; read the stream in a consumer group and print each event
//!   (`run_worker`, which main.rs runs for `--role worker`).
//!
//! Shard changes go to stderr. SIGINT / SIGTERM stop it cleanly (exit 0).

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate::session::{self, ResumeState, SessionStore};
use botgate::split::{publish_frames, publish_onebot, serve_actions};
use botgate::{Bot, BubbleHandlers, Intents, OneBotHandlers, QqHandlers};
use botgate_redis::{
    hold_shards, ActionQueue, EventStream, FencedSessionStore, HoldConfig, RedisIdentifyQueue,
    RedisSessionStore, ShardLeases, StopReason, StopSignal,
};

use crate::stop::{run_until_stopped, Stop};
use crate::{print, Platform as Which};

/// What this process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Hold shards and print their events.
    All,
    /// Hold shards and append their events to the stream.
    Gateway,
    /// Read the stream in a consumer group and print each event.
    Worker,
}

/// Options of `botgate run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The Redis every process of the bot shares (`redis://127.0.0.1:6379/0`); or from
    /// `BOTGATE_REDIS`, which keeps a password off the command line (`ps` shows it there).
    #[arg(long, env = "BOTGATE_REDIS", hide_env_values = true)]
    pub redis: String,
    /// What this process does.
    #[arg(long, value_enum, default_value = "all")]
    pub role: Role,
    /// The platform of the gateway (QQ: shards; Bubble and OneBot: one connection per bot).
    #[arg(long, value_enum, default_value = "qq")]
    pub platform: Which,
    /// QQ: the bot's shards, `N` or `0..N`; this process runs those it can lease.
    #[arg(long, value_parser = parse_shards)]
    pub shards: Option<(u32, u32)>,
    /// Run at most this many shards here (default: all that are free).
    #[arg(long)]
    pub most: Option<usize>,
    /// This process's name in the leases, as a gateway and as a consumer (default: host name
    /// and process id).
    #[arg(long)]
    pub owner: Option<String>,
    /// How long a dead process keeps its shards before another takes them over, in ms.
    #[arg(long, default_value_t = 10_000)]
    pub lease_ttl_ms: u64,
    /// QQ's `session_start_limit.max_concurrency` (identify buckets).
    #[arg(long, default_value_t = 1)]
    pub max_concurrency: u32,
    /// Key prefix in Redis (several bots on one Redis).
    #[arg(long, default_value = "botgate")]
    pub prefix: String,
    /// The stream of events (default `<prefix>:events`).
    #[arg(long)]
    pub stream: Option<String>,
    /// Worker: the consumer group.
    #[arg(long, default_value = "workers")]
    pub group: String,
    /// Worker: take over the entries another worker left pending this long, in ms (longer
    /// than the slowest handler).
    #[arg(long, default_value_t = 30_000)]
    pub claim_idle_ms: u64,
    /// Worker: stop reading after this many entries, leave the rest of the batch pending and
    /// wait for a signal (the scale demo kills it then).
    #[arg(long, hide = true)]
    pub pause_after: Option<u64>,
    /// Gateway URL (QQ, Bubble) or the OneBot implementation's WebSocket.
    #[arg(long)]
    pub url: Option<String>,
    /// QQ: OpenAPI base; Bubble: REST base (replies; default: production).
    #[arg(long)]
    pub api_base: Option<String>,
    /// QQ: the Identify token as given (`QQBot <access token>` or `Bot <app id>.<token>`);
    /// Bubble: the bot token; OneBot: the access token.
    #[arg(long)]
    pub token: Option<String>,
    /// QQ: the intents value (default: the public ones; 0: GUILDS, as botgo and botpy identify).
    #[arg(long)]
    pub intents: Option<u32>,
    /// Also stop (cleanly, exit 0) when standard input ends.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for RunArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunArgs")
            .field("role", &self.role)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

fn parse_shards(s: &str) -> Result<(u32, u32), String> {
    let (from, to) = match s.split_once("..") {
        Some((a, b)) => (
            a.trim().parse().map_err(|e| format!("first shard: {e}"))?,
            b.trim().parse().map_err(|e| format!("shard count: {e}"))?,
        ),
        None => (
            0,
            s.trim().parse().map_err(|e| format!("shard count: {e}"))?,
        ),
    };
    if from >= to {
        return Err(format!("shards {from}..{to}: need A < N"));
    }
    Ok((from, to))
}

impl RunArgs {
    pub(crate) fn owner(&self) -> String {
        self.owner.clone().unwrap_or_else(default_owner)
    }
    pub(crate) fn stream_key(&self) -> String {
        self.stream
            .clone()
            .unwrap_or_else(|| format!("{}:events", self.prefix))
    }
}

/// Roles `all` and `gateway`: runs until SIGINT / SIGTERM (or end of stdin with
/// `--exit-on-stdin-eof`).
pub fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_until_stopped(|stop| serve(args, stop))
}

/// What every shard of this process shares.
struct Shared {
    args: RunArgs,
    app: String,
    owner: String,
    store: Arc<RedisSessionStore>,
    leases: Arc<ShardLeases>,
    /// Gateways: where events go.
    stream: Option<EventStream>,
    /// The first shard whose session stopped on its own (a fatal error): the process stops.
    fatal: Mutex<Option<String>>,
    fatal_set: tokio::sync::Notify,
}

async fn serve(args: RunArgs, mut stop: Stop) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let owner = args.owner();
    let ttl = Duration::from_millis(args.lease_ttl_ms.max(100));
    if args.url.is_none() {
        return Err(
            "run --role all / gateway needs --url (the gateway or OneBot WebSocket)".into(),
        );
    }
    let (app, shards) = match args.platform {
        // The app's key in Redis: the app id of a `Bot <app>.<token>`, else "qq".
        Which::Qq => {
            let token = args.token.as_deref().ok_or("QQ needs --token")?;
            let app = token
                .strip_prefix("Bot ")
                .and_then(|rest| rest.split_once('.'))
                .map_or("qq", |(app, _)| app);
            let shards = args.shards.ok_or("QQ needs --shards N")?;
            (app.to_owned(), shards)
        }
        // One connection per bot: one "shard" whose lease keeps a second process off it.
        Which::Bubble => {
            args.token.as_deref().ok_or("Bubble needs --token")?;
            ("bubble".to_owned(), (0, 1))
        }
        Which::Onebot => ("onebot".to_owned(), (0, 1)),
    };
    let store = Arc::new(RedisSessionStore::open(&args.redis)?.with_prefix(&args.prefix));
    // Connecting to Redis may take seconds (retries): a stop signal meanwhile is obeyed.
    errln!("botgate run: connecting to Redis");
    let connect = async {
        let leases = ShardLeases::connect(&args.redis, &app, owner.clone(), ttl)
            .await?
            .with_prefix(&args.prefix);
        let stream = match args.role {
            Role::Gateway => Some(
                EventStream::connect(&args.redis, args.stream_key())
                    .await?
                    .gateway(owner.clone()),
            ),
            _ => None,
        };
        Ok::<_, botgate_redis::Error>((Arc::new(leases), stream))
    };
    let (leases, stream) = tokio::select! {
        connected = connect => connected?,
        signal = stop.wait() => {
            errln!("botgate run: {signal} while connecting to Redis, closing");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let mut config = HoldConfig::new(shards.0..shards.1);
    if let Some(most) = args.most {
        config = config.most(most);
    }
    errln!(
        "botgate run: {owner} runs up to {} of shards {}..{}{}",
        config.most,
        shards.0,
        shards.1,
        if stream.is_some() {
            " as a gateway"
        } else {
            ""
        }
    );
    let stdin_eof = args.exit_on_stdin_eof;
    let shared = Arc::new(Shared {
        args,
        app,
        owner,
        store,
        leases: Arc::clone(&leases),
        stream,
        fatal: Mutex::new(None),
        fatal_set: tokio::sync::Notify::new(),
    });
    let watch_fatal = Arc::clone(&shared);
    let shared_for_exit = Arc::clone(&shared);
    let run = move |shard: u32, stop: StopSignal| {
        let shared = Arc::clone(&shared);
        async move {
            let ran = match shared.args.platform {
                Which::Qq => run_qq(&shared, shard, stop).await,
                Which::Bubble => run_bubble(&shared, stop).await,
                Which::Onebot => run_onebot(&shared, stop).await,
            };
            if let Err(e) = ran {
                let reason = format!("shard {shard}: {}", crate::listen::error_chain(&*e));
                errln!("botgate run: {reason}");
                // A session that stopped on its own (bad token, a close code that ends it)
                // would only fail the same way in this process again: stop the process, free
                // the leases, and say why with a failing status.
                shared
                    .fatal
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(reason);
                shared.fatal_set.notify_one();
            }
        }
    };
    let shutdown = async move {
        tokio::select! {
            why = stop.wait_or_stdin_eof(stdin_eof) => errln!("botgate run: {why}, closing"),
            () = watch_fatal.fatal_set.notified() => errln!("botgate run: a session stopped, closing"),
        }
    };
    let fatal_slot = Arc::clone(&shared_for_exit);
    hold_shards(&leases, config, run, shutdown).await;
    errln!("botgate run: closed");
    let fatal = fatal_slot
        .fatal
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    match fatal {
        Some(reason) => Err(reason.into()),
        None => Ok(ExitCode::SUCCESS),
    }
}

type ShardResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// One QQ shard: a bot resuming from the store, until its lease is lost or we shut down.
async fn run_qq(shared: &Shared, shard: u32, mut stop: StopSignal) -> ShardResult {
    let args = &shared.args;
    let queue = RedisIdentifyQueue::open(&args.redis, &shared.app, shard, args.max_concurrency)?
        .with_prefix(&args.prefix);
    let mut handlers = QqHandlers::new();
    match &shared.stream {
        Some(stream) => handlers.on_raw(publish_frames(stream.clone(), "qq", shard)),
        None => handlers.on_raw(print::frame_printer::<botgate_dispatch::qq::Qq>(
            Arc::new(HashSet::new()),
            print::qq_json,
            None,
        )),
    };
    let total = args.shards.map_or(1, |(_, n)| n);
    let mut builder = Bot::qq_with_token(args.token.clone().unwrap_or_default())
        .gateway_url(args.url.clone().unwrap_or_default())
        .shard(shard, total)
        .session_store(shared.store_for(shard))
        .session_key(format!("qq/{}", shared.app))
        .identify_queue(Arc::new(queue))
        .intents(
            args.intents
                .map_or(Intents::PUBLIC, Intents::from_bits_retain),
        )
        .handlers(handlers);
    if let Some(base) = &args.api_base {
        builder = builder.api_base(base.clone());
    }
    let bot = builder.start().await?;
    errln!("botgate run: shard {shard} running");
    let why = until_stop_or_end(&bot, &mut stop).await?;
    bot.shutdown().await?;
    stopped(shard, why);
    Ok(())
}

/// Waits for `stop`, or for the bot to stop on its own: that is an error (the reason).
async fn until_stop_or_end<P, M>(
    bot: &botgate::RunningBot<P, M>,
    stop: &mut StopSignal,
) -> Result<StopReason, Box<dyn std::error::Error + Send + Sync>>
where
    P: botgate_dispatch::Platform,
    M: botgate::session::SessionMachine + Send + 'static,
{
    let mut lifecycle = bot.lifecycle();
    tokio::select! {
        why = stop.wait() => Ok(why),
        stopped = lifecycle.wait_for(|l| l.stopped.is_some()) => {
            let reason = stopped
                .ok()
                .and_then(|l| l.stopped.clone())
                .unwrap_or_else(|| "the bot ended".to_owned());
            Err(reason.into())
        }
    }
}

/// The Bubble bot (one connection): resumes from the store (extended profile).
async fn run_bubble(shared: &Shared, mut stop: StopSignal) -> ShardResult {
    let args = &shared.args;
    let mut handlers = BubbleHandlers::new();
    match &shared.stream {
        Some(stream) => handlers.on_raw(publish_frames(stream.clone(), "bubble", 0)),
        None => handlers.on_raw(print::frame_printer::<botgate_dispatch::bubble::Bubble>(
            Arc::new(HashSet::new()),
            print::bubble_json,
            None,
        )),
    };
    let mut builder = Bot::bubble(args.token.clone().unwrap_or_default())
        .gateway_url(args.url.clone().unwrap_or_default())
        .session_store(shared.store_for(0))
        .session_key("bubble/default")
        .all_events()
        .handlers(handlers);
    if let Some(base) = &args.api_base {
        builder = builder.rest_base(base.clone());
    }
    let bot = builder.start().await?;
    errln!("botgate run: shard 0 running");
    let why = until_stop_or_end(&bot, &mut stop).await?;
    bot.shutdown().await?;
    stopped(0, why);
    Ok(())
}

/// The OneBot connection; as a gateway it also sends the workers' actions over it.
async fn run_onebot(shared: &Shared, mut stop: StopSignal) -> ShardResult {
    let args = &shared.args;
    let mut handlers = OneBotHandlers::new();
    match &shared.stream {
        Some(stream) => handlers.on_raw(publish_onebot(stream.clone())),
        None => handlers.on_raw(print::onebot_printer(Arc::new(HashSet::new()), false)),
    };
    let mut builder = Bot::onebot_ws(args.url.clone().unwrap_or_default()).handlers(handlers);
    if let Some(token) = &args.token {
        builder = builder.access_token(token.clone());
    }
    let bot = builder.start().await?;
    errln!("botgate run: shard 0 running");
    let why = if shared.stream.is_some() {
        let queue = ActionQueue::connect(&args.redis, &args.prefix, &shared.owner).await?;
        let mut why = Ok(StopReason::Shutdown);
        serve_actions(queue, bot.driver(), async {
            why = until_stop_or_end(&bot, &mut stop).await;
        })
        .await;
        why?
    } else {
        until_stop_or_end(&bot, &mut stop).await?
    };
    bot.shutdown().await?;
    stopped(0, why);
    Ok(())
}

fn stopped(shard: u32, why: StopReason) {
    match why {
        StopReason::LeaseLost => errln!("botgate run: shard {shard} lease lost; stopped"),
        _ => errln!("botgate run: shard {shard} stopped"),
    }
}

impl Shared {
    /// Shard `shard`'s store: written only while this process holds the shard's lease (a
    /// process that lost it in a partition cannot overwrite the new owner's resume point).
    fn store_for(&self, shard: u32) -> Announcing<FencedSessionStore> {
        Announcing {
            inner: self.store.fenced(self.leases.fence(shard)),
            sessions: Mutex::default(),
        }
    }
}

/// A store saying on stderr when a shard's session is first stored: from then on another
/// process can resume it (a process killed before that leaves nothing to resume).
struct Announcing<S> {
    inner: S,
    /// key → the session id last announced.
    sessions: Mutex<HashMap<String, String>>,
}

impl<S: SessionStore> SessionStore for Announcing<S> {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, session::Error> {
        self.inner.load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), session::Error> {
        self.inner.save(key, state)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if sessions.get(key) != Some(&state.session_id) {
            sessions.insert(key.to_owned(), state.session_id.clone());
            let shard = state.shard.map_or(0, |s| s[0]);
            errln!("botgate run: shard {shard} session stored");
        }
        Ok(())
    }
    fn clear(&self, key: &str) -> Result<(), session::Error> {
        self.inner.clear(key)
    }
    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), session::Error> {
        self.inner.mark_handled(key, session_id, seq)
    }
    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, session::Error> {
        self.inner.handled_since_save(key)
    }
}

fn default_owner() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".to_owned());
    format!("{host}-{}", std::process::id())
}
