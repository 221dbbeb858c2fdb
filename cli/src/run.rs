//! `botgate run --redis URL --shards N`: one of several processes that run a QQ bot's shards
//! together through Redis (`botgate-redis`, decision 0018). Each process leases the shards it
//! can (at most `--most`), takes over the shards of a process that died once their leases
//! expire, resumes every shard from the Redis session store, and spaces identifies by QQ's
//! buckets across all processes. Events are printed as `listen` prints them (one JSON line on
//! stdout); shard changes go to stderr. SIGINT / SIGTERM stop it cleanly (exit 0).

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate::session::{self, ResumeState, SessionStore};
use botgate::{Bot, Intents, QqHandlers};
use botgate_redis::{
    hold_shards, HoldConfig, RedisIdentifyQueue, RedisSessionStore, ShardLeases, StopReason,
    StopSignal,
};
use tokio::io::AsyncReadExt;

use crate::print;
use crate::stop::Stop;

/// Options of `botgate run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The Redis every process of the bot shares (`redis://127.0.0.1:6379/0`).
    #[arg(long)]
    pub redis: String,
    /// The bot's shard count; this process runs those of `0..N` it can lease.
    #[arg(long)]
    pub shards: u32,
    /// Run at most this many shards here (default: all that are free).
    #[arg(long)]
    pub most: Option<usize>,
    /// This process's name in the leases (default: host name and process id).
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
    /// Gateway URL.
    #[arg(long)]
    pub url: String,
    /// OpenAPI base (replies; default: production).
    #[arg(long)]
    pub api_base: Option<String>,
    /// The Identify token as given (`QQBot <access token>` or `Bot <app id>.<token>`).
    #[arg(long)]
    pub token: String,
    /// The intents value (default: the public ones).
    #[arg(long)]
    pub intents: Option<u32>,
    /// Also stop (cleanly, exit 0) when standard input ends.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

/// Runs until SIGINT / SIGTERM (or end of stdin with `--exit-on-stdin-eof`).
pub fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(serve(args));
    runtime.shutdown_background();
    result
}

async fn serve(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut stop = Stop::new();
    let owner = args.owner.clone().unwrap_or_else(default_owner);
    let ttl = Duration::from_millis(args.lease_ttl_ms.max(100));
    // The app's key in Redis: the app id of a `Bot <app>.<token>`, else "qq".
    let app = args
        .token
        .strip_prefix("Bot ")
        .and_then(|rest| rest.split_once('.'))
        .map_or("qq", |(app, _)| app)
        .to_owned();
    let store = Arc::new(Announcing {
        inner: RedisSessionStore::open(&args.redis)?.with_prefix(&args.prefix),
        sessions: Mutex::default(),
    });
    let leases = ShardLeases::connect(&args.redis, &app, owner.clone(), ttl)
        .await?
        .with_prefix(&args.prefix);
    let mut config = HoldConfig::new(0..args.shards.max(1));
    if let Some(most) = args.most {
        config = config.most(most);
    }
    eprintln!(
        "botgate run: {owner} runs up to {} of {} shards",
        config.most, args.shards
    );
    let stdin_eof = args.exit_on_stdin_eof;
    let args = Arc::new(args);
    let run = move |shard: u32, stop: StopSignal| {
        let (args, store, app) = (Arc::clone(&args), Arc::clone(&store), app.clone());
        async move {
            if let Err(e) = run_shard(&args, &app, store, shard, stop).await {
                eprintln!("botgate run: shard {shard}: {e}");
            }
        }
    };
    let shutdown = async move {
        tokio::select! {
            signal = stop.wait() => eprintln!("botgate run: {signal}, closing"),
            () = stdin_closed(), if stdin_eof => eprintln!("botgate run: end of stdin, closing"),
        }
    };
    hold_shards(&leases, config, run, shutdown).await;
    eprintln!("botgate run: closed");
    Ok(ExitCode::SUCCESS)
}

/// One shard: a QQ bot resuming from the store, until its lease is lost or we shut down.
async fn run_shard(
    args: &RunArgs,
    app: &str,
    store: Arc<Announcing>,
    shard: u32,
    mut stop: StopSignal,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let queue = RedisIdentifyQueue::open(&args.redis, app, shard, args.max_concurrency)?
        .with_prefix(&args.prefix);
    let mut handlers = QqHandlers::new();
    handlers.on_raw(print::frame_printer::<botgate_dispatch::qq::Qq>(
        Arc::new(HashSet::new()),
        print::qq_json,
        None,
    ));
    let mut builder = Bot::qq_with_token(args.token.clone())
        .gateway_url(args.url.clone())
        .shard(shard, args.shards.max(1))
        .session_store(store)
        .session_key(format!("qq/{app}"))
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
    eprintln!("botgate run: shard {shard} running");
    let why = stop.wait().await;
    bot.shutdown().await?;
    match why {
        StopReason::LeaseLost => eprintln!("botgate run: shard {shard} lease lost; stopped"),
        _ => eprintln!("botgate run: shard {shard} stopped"),
    }
    Ok(())
}

/// The Redis store, saying on stderr when a shard's session is first stored: from then on
/// another process can resume it (a process killed before that leaves nothing to resume).
struct Announcing {
    inner: RedisSessionStore,
    /// key → the session id last announced.
    sessions: Mutex<HashMap<String, String>>,
}

impl SessionStore for Announcing {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, session::Error> {
        self.inner.load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), session::Error> {
        self.inner.save(key, state)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if sessions.get(key) != Some(&state.session_id) {
            sessions.insert(key.to_owned(), state.session_id.clone());
            let shard = state.shard.map_or(0, |s| s[0]);
            eprintln!("botgate run: shard {shard} session stored");
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

/// Resolves when stdin ends (only used with `--exit-on-stdin-eof`).
async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 512];
    while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {}
}
