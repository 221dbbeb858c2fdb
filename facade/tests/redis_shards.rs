//! Two processes share the 4 shards of one QQ bot through Redis (`botgate-redis`, decision
//! 0018), against the QQ sim: identifies keep QQ's bucket rate across both processes, no shard
//! is ever connected twice, and when one process is killed (SIGKILL) the other takes its
//! shards over within the lease TTL + 5 s and resumes them from the Redis session store: no
//! event lost, none handled twice.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`). The bot
//! processes are this test binary run again (`BOTGATE_SHARDS_CHILD` set; its own `main`, no
//! libtest harness); they print `R <shard>` when a shard runs, `H <shard> <content>` when an
//! event is handled, `S <shard> <seq>` when a resume point is saved.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate::session::{self, ResumeState, SessionStore};
use botgate::{Bot, QqHandlers};
use botgate_redis::{
    hold_shards, HoldConfig, RedisIdentifyQueue, RedisSessionStore, ShardLeases, StopReason,
};
use botgate_sim::{QqConfig, QqSim};
use botgate_testkit::redis::{redis_url, unique_prefix, REDIS_ENV};
use botgate_testkit::within_for;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const CHILD: &str = "BOTGATE_SHARDS_CHILD";
const SHARDS: u32 = 4;
const MAX_CONCURRENCY: u32 = 2;
/// The lease TTL: how long a dead process keeps its shards.
const TTL: Duration = Duration::from_millis(1000);
const IDENTIFY_WINDOW: Duration = Duration::from_secs(5);
/// Upper bound of any single wait.
const WAIT: Duration = Duration::from_secs(40);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(owner) = std::env::var(CHILD) {
        runtime.block_on(child(owner));
        return;
    }
    let Some(url) = redis_url() else {
        println!("test two_processes_share_four_shards ... skipped ({REDIS_ENV} not set)");
        return;
    };
    println!("test two_processes_share_four_shards ...");
    let report = runtime.block_on(two_processes_share_four_shards(&url));
    println!("test two_processes_share_four_shards ... ok ({report})");
}

/// One bot process: leases shards and runs each as its own QQ bot.
async fn child(owner: String) {
    let env = |k: &str| std::env::var(k).unwrap();
    let (redis, prefix) = (env(REDIS_ENV), env("SHARDS_PREFIX"));
    let (url, rest) = (env("SHARDS_URL"), env("SHARDS_REST"));
    let most: usize = env("SHARDS_MOST").parse().unwrap();
    let store = Arc::new(Reporting(
        RedisSessionStore::open(&redis)
            .unwrap()
            .with_prefix(&prefix),
    ));
    let leases = ShardLeases::connect(&redis, "app", owner, TTL)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let config = HoldConfig::new(0..SHARDS)
        .most(most)
        .every(Duration::from_millis(100));
    let run = move |shard: u32, mut stop: botgate_redis::StopSignal| {
        let (store, redis, prefix) = (Arc::clone(&store), redis.clone(), prefix.clone());
        let (url, rest) = (url.clone(), rest.clone());
        async move {
            let queue = RedisIdentifyQueue::open(&redis, "app", shard, MAX_CONCURRENCY)
                .unwrap()
                .with_prefix(&prefix);
            let mut handlers = QqHandlers::new();
            handlers.on_at_message_create(move |_ctx, m| async move {
                line(&format!("H {shard} {}", m.content));
                Ok(())
            });
            let bot = Bot::qq_with_token("QQBot sim-access-token")
                .gateway_url(url)
                .api_base(rest)
                .shard(shard, SHARDS)
                .session_store(store)
                .save_every(256, Duration::from_millis(100))
                .identify_queue(Arc::new(queue))
                .handlers(handlers)
                .start()
                .await
                .unwrap();
            line(&format!("R {shard}"));
            let why = stop.wait().await;
            let _ = bot.shutdown().await;
            if why == StopReason::LeaseLost {
                line(&format!("L {shard}"));
            }
        }
    };
    hold_shards(&leases, config, run, stdin_closed()).await;
    line("STOPPED");
}

/// The child's Redis store, printing `S <shard> <seq>` once a save is done.
struct Reporting(RedisSessionStore);

impl SessionStore for Reporting {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, session::Error> {
        self.0.load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), session::Error> {
        self.0.save(key, state)?;
        let shard = state.shard.map_or(0, |s| s[0]);
        line(&format!("S {shard} {}", state.seq));
        Ok(())
    }
    fn clear(&self, key: &str) -> Result<(), session::Error> {
        self.0.clear(key)
    }
    fn mark_handled(&self, key: &str, session_id: &str, seq: u64) -> Result<(), session::Error> {
        self.0.mark_handled(key, session_id, seq)
    }
    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, session::Error> {
        self.0.handled_since_save(key)
    }
}

fn line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(format!("{text}\n").as_bytes());
    let _ = out.flush();
}

async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {}
}

/// What the processes printed.
#[derive(Default)]
struct Seen {
    /// shard → owner running it now.
    running: HashMap<u32, String>,
    /// (shard, content) → times handled.
    handled: HashMap<(u32, String), u32>,
    /// shard → highest saved seq.
    saved: HashMap<u32, u64>,
}

struct Process {
    name: String,
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Process {
    fn spawn(name: &str, url: &str, rest: &str, redis: &str, prefix: &str, most: usize) -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(CHILD, name)
            .env(REDIS_ENV, redis)
            .env("SHARDS_PREFIX", prefix)
            .env("SHARDS_URL", url)
            .env("SHARDS_REST", rest)
            .env("SHARDS_MOST", most.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            name: name.to_owned(),
            child,
            lines,
        }
    }

    /// Reads this process's lines into `seen` until `until(seen)` holds.
    async fn read_until(&mut self, seen: &mut Seen, what: &str, until: impl Fn(&Seen) -> bool) {
        if until(seen) {
            return;
        }
        within_for(WAIT, what, async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                let parts: Vec<&str> = line.splitn(3, ' ').collect();
                match parts.as_slice() {
                    ["R", shard] => {
                        seen.running
                            .insert(shard.parse().unwrap(), self.name.clone());
                    }
                    ["H", shard, content] => {
                        let key = (shard.parse().unwrap(), (*content).to_owned());
                        *seen.handled.entry(key).or_default() += 1;
                    }
                    ["S", shard, seq] => {
                        let seq: u64 = seq.parse().unwrap();
                        let e = seen.saved.entry(shard.parse().unwrap()).or_default();
                        *e = (*e).max(seq);
                    }
                    _ => {}
                }
                if until(seen) {
                    return;
                }
            }
            panic!("{} ended early", self.name);
        })
        .await;
    }
}

/// A message for `shard`: the sim routes guild events by `(guild_id >> 22) % shards`.
fn push(sim: &QqSim, shard: u32, content: &str) {
    let guild = u64::from(shard) << 22;
    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": format!("{content}"), "channel_id": format!("c{shard}"),
               "guild_id": guild.to_string(), "content": content,
               "author": {"id": "7", "username": "u"}}),
    );
}

async fn two_processes_share_four_shards(redis: &str) -> String {
    let sim = QqSim::start(QqConfig {
        shards: SHARDS,
        session_start_limit: (1000, 999, 14_400_000, MAX_CONCURRENCY),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let prefix = unique_prefix("shards");
    let (url, rest) = (sim.url(), sim.http_base());
    let mut seen = Seen::default();

    // A takes two shards, then B the other two
    let mut a = Process::spawn("A", &url, &rest, redis, &prefix, 2);
    a.read_until(&mut seen, "A runs two shards", |s| s.running.len() == 2)
        .await;
    let mut b = Process::spawn("B", &url, &rest, redis, &prefix, SHARDS as usize);
    b.read_until(&mut seen, "B runs the other two", |s| s.running.len() == 4)
        .await;
    let a_shards: Vec<u32> = seen
        .running
        .iter()
        .filter(|(_, o)| *o == "A")
        .map(|(s, _)| *s)
        .collect();
    // every shard's session is up (READY seen by the sim) before events are pushed
    within_for(
        WAIT,
        "four sessions",
        sim.log()
            .wait_until(|_| (sim.sessions().len() == SHARDS as usize).then_some(())),
    )
    .await;

    for shard in 0..SHARDS {
        for i in 0..5 {
            push(&sim, shard, &format!("first-{shard}-{i}"));
        }
    }
    let first = (SHARDS * 5) as usize;
    // A's events handled and its resume points saved past them: kill it then (events sent
    // after the kill are what the takeover must not lose)
    let wanted: BTreeMap<u32, u64> = sim
        .sessions()
        .iter()
        .map(|s| (s.shard[0] as u32, s.seq))
        .collect();
    let a_saved = |s: &Seen| {
        a_shards
            .iter()
            .all(|shard| s.saved.get(shard).copied() >= wanted.get(shard).copied())
    };
    a.read_until(&mut seen, "A's events handled and saved", |s| {
        a_saved(s)
            && s.handled
                .keys()
                .filter(|(sh, _)| a_shards.contains(sh))
                .count()
                == 10
    })
    .await;
    b.read_until(&mut seen, "B's events handled", |s| {
        s.handled.len() == first
    })
    .await;
    a.child.start_kill().unwrap();
    within_for(WAIT, "A's death", a.child.wait()).await.unwrap();
    let killed = Instant::now();

    for shard in 0..SHARDS {
        for i in 0..5 {
            push(&sim, shard, &format!("second-{shard}-{i}"));
        }
    }
    b.read_until(&mut seen, "B takes A's shards over", |s| {
        s.running.values().all(|o| o == "B")
    })
    .await;
    let takeover = killed.elapsed();
    b.read_until(&mut seen, "every event handled", |s| {
        s.handled.len() == 2 * first
    })
    .await;
    drop(b.child.stdin.take());
    let status = within_for(WAIT, "B's clean stop", b.child.wait())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");

    let twice: Vec<_> = seen.handled.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "handled twice: {twice:?}");
    assert_eq!(seen.handled.len(), 2 * first, "none lost");
    assert!(
        takeover <= TTL + IDENTIFY_WINDOW,
        "takeover took {takeover:?}"
    );
    assert!(
        sim.shard_conflicts().is_empty(),
        "{:?}",
        sim.shard_conflicts()
    );
    // four identifies (A's shards resumed in B, never re-identified) ...
    let identifies = sim.identify_times();
    assert_eq!(identifies.len(), SHARDS as usize, "{identifies:?}");
    assert_eq!(sim.resume_log().len(), a_shards.len());
    // ... at most one per bucket per window. The slots are a window apart on the Redis clock;
    // an Identify arrives one connect + Hello after its slot, which varies by a few ms.
    let mut by_bucket: HashMap<u64, Vec<Instant>> = HashMap::new();
    for (shard, at) in &identifies {
        by_bucket
            .entry(shard[0] % u64::from(MAX_CONCURRENCY))
            .or_default()
            .push(*at);
    }
    for times in by_bucket.values() {
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                gap + Duration::from_millis(100) >= IDENTIFY_WINDOW,
                "{gap:?}"
            );
        }
    }
    format!(
        "A ran {a_shards:?}; {} events, 0 lost, 0 twice; takeover in {} ms; {} identifies, {} buckets, 0 shard conflicts",
        2 * first,
        takeover.as_millis(),
        identifies.len(),
        by_bucket.len()
    )
}
