//! `botgate demo --scale`: the gateway / worker split on Redis against the embedded QQ sim.
//! Two gateway processes and three worker processes (this binary run again as `botgate run`)
//! share a 2-shard bot; mid-stream one worker is killed (SIGKILL) with entries it read and did
//! not handle, and one gateway is killed (SIGKILL). The demo counts what the workers printed:
//! the other worker claims the dead one's entries, the other gateway takes the dead one's
//! shard over and resumes it; exit 0 only with 0 events lost and 0 handled twice.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use botgate_redis::EventStream;
use botgate_sim::{QqConfig, QqSim};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

type Failure = Box<dyn std::error::Error>;

/// Events per phase: before the gateway dies, while its shard has no process, after.
const PHASE: usize = 200;
const SHARDS: usize = 2;
/// How long a step may take before the demo gives up.
const STEP: Duration = Duration::from_secs(60);
const LEASE_TTL_MS: &str = "1000";
const CLAIM_IDLE_MS: &str = "2000";
/// The worker that dies stops reading after this many entries (its last batch pending).
const PAUSE_AFTER: &str = "40";
/// Stderr lines kept per process for a timeout's report.
const TAIL: usize = 12;

/// The Redis URL: `--redis`, else `BOTGATE_REDIS`, else a message saying how to get one.
pub fn redis_url(flag: Option<String>) -> Result<String, Failure> {
    flag.or_else(|| {
        std::env::var("BOTGATE_REDIS")
            .ok()
            .filter(|u| !u.is_empty())
    })
    .ok_or_else(|| {
        "botgate demo --scale needs a Redis server: start one with \
             `redis-server --port 6379 --save \"\" --appendonly no --daemonize yes` \
             and pass --redis redis://127.0.0.1:6379/0 (or set BOTGATE_REDIS)"
            .into()
    })
}

/// Runs the scale demo on a fresh tokio runtime.
pub fn run(redis: Option<String>) -> Result<ExitCode, Failure> {
    let url = redis_url(redis)?;
    crate::stop::run_printing(scale(&url))
}

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, Failure> {
    tokio::time::timeout(STEP, fut)
        .await
        .map_err(|_| format!("timed out after {}s waiting for {what}", STEP.as_secs()).into())
}

/// `(process, is_stdout, line)`.
type Line = (String, bool, String);

/// The processes and what they print.
struct Fleet {
    /// The Redis URL, handed to each child in its environment (`BOTGATE_REDIS`): a password in
    /// it stays off the command lines `ps` shows.
    redis: String,
    children: HashMap<String, Child>,
    tx: Option<mpsc::UnboundedSender<Line>>,
    rx: mpsc::UnboundedReceiver<Line>,
    /// content → the workers that printed it.
    printed: HashMap<String, Vec<String>>,
    /// Gateway stderr lines, worker stats lines: kept for the summary.
    notes: Vec<(String, String)>,
    /// The last stderr lines of each process, shown when a step times out.
    tails: HashMap<String, VecDeque<String>>,
}

impl Fleet {
    fn spawn(&mut self, name: &str, args: &[String]) -> Result<(), Failure> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("run")
            .args(args)
            .args(["--owner", name, "--exit-on-stdin-eof"])
            .env("BOTGATE_REDIS", &self.redis)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let tx = self.tx.clone().ok_or("fleet closed")?;
        let pipes: [(bool, Box<dyn tokio::io::AsyncRead + Unpin + Send>); 2] = [
            (true, Box::new(child.stdout.take().ok_or("stdout")?)),
            (false, Box::new(child.stderr.take().ok_or("stderr")?)),
        ];
        for (stdout, pipe) in pipes {
            let (tx, name) = (tx.clone(), name.to_owned());
            tokio::spawn(async move {
                let mut lines = BufReader::new(pipe).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let _ = tx.send((name.clone(), stdout, line));
                }
            });
        }
        self.children.insert(name.to_owned(), child);
        Ok(())
    }

    /// The next line; event lines are counted, the others returned as `(process, line)`.
    async fn next(&mut self) -> Result<Option<(String, String)>, Failure> {
        let Ok(next) = tokio::time::timeout(STEP, self.rx.recv()).await else {
            return Err(self.timed_out("a line from the processes"));
        };
        let Some((who, stdout, line)) = next else {
            return Ok(None);
        };
        if stdout {
            let v: Value = serde_json::from_str(&line)?;
            if v["t"] == "AT_MESSAGE_CREATE" {
                let content = v["data"]["content"].as_str().unwrap_or_default().to_owned();
                self.printed.entry(content).or_default().push(who);
            }
            return Ok(Some((String::new(), String::new())));
        }
        let tail = self.tails.entry(who.clone()).or_default();
        if tail.len() == TAIL {
            tail.pop_front();
        }
        tail.push_back(line.clone());
        Ok(Some((who, line)))
    }

    /// A timeout error carrying what each process said last (set `RUST_LOG` for more).
    fn timed_out(&self, what: &str) -> Failure {
        let mut report = format!(
            "timed out after {}s waiting for {what} ({} events printed); the last stderr lines \
             of each process:",
            STEP.as_secs(),
            self.printed.len()
        );
        let mut names: Vec<_> = self.children.keys().collect();
        names.sort();
        for name in names {
            report.push_str(&format!("\n  [{name}]"));
            for line in self.tails.get(name).into_iter().flatten() {
                report.push_str(&format!("\n    {line}"));
            }
        }
        report.into()
    }

    /// Reads until `done` says so about a non-event line (or the events counted).
    async fn until(
        &mut self,
        what: &str,
        mut done: impl FnMut(&Self, &str, &str) -> bool,
    ) -> Result<(), Failure> {
        let deadline = Instant::now() + STEP;
        loop {
            if Instant::now() > deadline {
                return Err(self.timed_out(what));
            }
            let Some((who, line)) = self.next().await? else {
                return Err(format!("the processes ended before {what}").into());
            };
            if who.starts_with('w') && line.contains(" closed: ") {
                self.notes.push((who.clone(), line.clone()));
            }
            // a process that could not start: say why at once
            if line.starts_with("error:") || line.starts_with("botgate: ") {
                return Err(format!("{who} failed: {line}").into());
            }
            if done(self, &who, &line) {
                return Ok(());
            }
        }
    }

    fn kill(&mut self, name: &str) -> Result<(), Failure> {
        let child = self.children.get_mut(name).ok_or("no such process")?;
        child.start_kill()?;
        Ok(())
    }
}

fn push(sim: &QqSim, range: std::ops::Range<usize>) {
    for i in range {
        let shard = (i % SHARDS) as u64;
        sim.push_event(
            "AT_MESSAGE_CREATE",
            json!({"id": format!("scale-{i}"), "channel_id": format!("c{}", i % 12),
                   "guild_id": (shard << 22).to_string(), "content": format!("m{i}"),
                   "author": {"id": format!("{}", 100 + i % 7), "username": "u"}}),
        );
    }
}

fn running_shard(line: &str) -> Option<u32> {
    line.strip_prefix("botgate run: shard ")?
        .strip_suffix(" running")?
        .parse()
        .ok()
}

async fn scale(redis: &str) -> Result<ExitCode, Failure> {
    // Printed without its password.
    let shown = botgate::session::token::redact_url(redis);
    // Fail early, and clearly, when Redis is not there.
    EventStream::connect(redis, "botgate-demo:probe")
        .await
        .map_err(|e| {
            format!(
                "cannot reach Redis at {} ({e}); start one with `redis-server --port 6379 \
                 --save \"\" --appendonly no --daemonize yes`",
                shown
            )
        })?;
    let sim = QqSim::start(QqConfig {
        shards: SHARDS as u32,
        session_start_limit: (1000, 999, 14_400_000, SHARDS as u32),
        ..QqConfig::default()
    })
    .await?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let prefix = format!("botgate-demo:{}:{nanos}", std::process::id());
    out!("botgate demo --scale: the gateway / worker split on Redis {shown}").await;
    out!(
        "[sim]      QQ gateway with {SHARDS} shards on {}",
        sim.url()
    )
    .await;
    let common = |role: &str| -> Vec<String> {
        ["--prefix", &prefix, "--role", role]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    };
    let mut gateway = common("gateway");
    gateway.extend(
        [
            "--shards",
            "0..2",
            "--max-concurrency",
            "2",
            "--lease-ttl-ms",
            LEASE_TTL_MS,
            "--url",
            &sim.url(),
            "--api-base",
            &sim.http_base(),
            "--token",
            "QQBot sim-access-token",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    let mut worker = common("worker");
    worker.extend(["--claim-idle-ms".to_owned(), CLAIM_IDLE_MS.to_owned()]);
    let (tx, rx) = mpsc::unbounded_channel();
    let mut fleet = Fleet {
        redis: redis.to_owned(),
        children: HashMap::new(),
        tx: Some(tx),
        rx,
        printed: HashMap::new(),
        notes: Vec::new(),
        tails: HashMap::new(),
    };
    // w2 reads first, alone, so it surely reads its PAUSE_AFTER entries: with three workers
    // reading from the start, a loaded machine can hand it fewer and it never pauses.
    let mut pausing = worker.clone();
    pausing.extend(["--pause-after".to_owned(), PAUSE_AFTER.to_owned()]);
    fleet.spawn("w2", &pausing)?;
    // g1 takes one shard (--most 1), g2 the other, and any shard that becomes free.
    let mut g1 = gateway.clone();
    g1.extend(["--most".to_owned(), "1".to_owned()]);
    fleet.spawn("g1", &g1)?;
    let mut shard_of: HashMap<String, u32> = HashMap::new();
    let (mut stored, mut reading) = (0, 0);
    let mut ready = |who: &str, line: &str| {
        if let Some(shard) = running_shard(line) {
            shard_of.insert(who.to_owned(), shard);
        }
        stored += usize::from(line.ends_with(" session stored"));
        reading += usize::from(line.contains(" reading "));
        (shard_of.len(), stored, reading)
    };
    fleet
        .until("g1's shard", |_, who, line| ready(who, line).0 == 1)
        .await?;
    fleet.spawn("g2", &gateway)?;
    out!(
        "[start]    gateways g1, g2 (`botgate run --role gateway`, leases of {LEASE_TTL_MS} ms); \
         worker w2, then w1 and w3 (`--role worker`, one consumer group)"
    )
    .await;
    // Ready: each shard running and its session stored (resumable), w2 reading.
    fleet
        .until("the gateways and w2", |_, who, line| {
            let (running, stored, reading) = ready(who, line);
            running == SHARDS && stored >= SHARDS && reading == 1
        })
        .await?;
    for (g, shard) in {
        let mut v: Vec<_> = shard_of.iter().collect();
        v.sort();
        v
    } {
        out!("[gateway]  {g} holds shard {shard}").await;
    }
    let g1_shard = *shard_of.get("g1").ok_or("g1 holds no shard")?;

    // Phase 1: events flow; w2 stops at its pause point with entries pending and is killed.
    push(&sim, 0..PHASE);
    let mut w2_killed = None;
    fleet
        .until("w2's pause", |_, who, line| {
            if who == "w2" && line.contains(" paused after ") {
                w2_killed = Some(line.to_owned());
            }
            w2_killed.is_some()
        })
        .await?;
    fleet.kill("w2")?;
    let pause = w2_killed.unwrap_or_default();
    let left = pause
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap_or("?");
    out!(
        "[kill -9]  worker w2 after {PAUSE_AFTER} entries, {left} read and not handled \
         (pending; claimable after {CLAIM_IDLE_MS} ms)"
    )
    .await;
    for name in ["w1", "w3"] {
        fleet.spawn(name, &worker)?;
    }
    let mut others_reading = 0;
    fleet
        .until("w1, w3 and half the first events", |f, who, line| {
            others_reading += usize::from(who != "w2" && line.contains(" reading "));
            others_reading == 2 && f.printed.len() >= PHASE / 2
        })
        .await?;

    // Phase 2: the gateway of shard g1_shard dies mid-stream; its shard's events wait.
    fleet.kill("g1")?;
    let killed_at = Instant::now();
    out!(
        "[kill -9]  gateway g1 (shard {g1_shard}) with {} of {} events handled",
        fleet.printed.len(),
        PHASE
    )
    .await;
    push(&sim, PHASE..2 * PHASE);
    fleet
        .until("g2 to take shard over", |_, who, line| {
            who == "g2" && running_shard(line) == Some(g1_shard)
        })
        .await?;
    out!(
        "[takeover] g2 runs shard {g1_shard} after {:.1} s (lease expired, session resumed \
         from Redis)",
        killed_at.elapsed().as_secs_f64()
    )
    .await;

    // Phase 3: more events; wait for every one, then stop everyone cleanly and count.
    push(&sim, 2 * PHASE..3 * PHASE);
    let total = 3 * PHASE;
    fleet
        .until("every event printed", |f, _, _| f.printed.len() >= total)
        .await?;
    for (_, child) in fleet.children.iter_mut() {
        drop(child.stdin.take());
    }
    fleet.tx = None;
    while let Some((who, line)) = fleet.next().await? {
        if who.starts_with('w') && line.contains(" closed: ") {
            fleet.notes.push((who, line));
        }
    }
    for (_, child) in fleet.children.iter_mut() {
        let _ = within("a process to stop", child.wait()).await?;
    }

    let lost = (0..total)
        .filter(|i| !fleet.printed.contains_key(&format!("m{i}")))
        .count();
    let twice = fleet.printed.values().filter(|by| by.len() > 1).count();
    let mut per: HashMap<&str, usize> = HashMap::new();
    for by in fleet.printed.values() {
        for w in by {
            *per.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut per: Vec<_> = per.into_iter().collect();
    per.sort();
    let per: Vec<String> = per.iter().map(|(w, n)| format!("{w} {n}")).collect();
    fleet.notes.sort();
    for (_, note) in &fleet.notes {
        out!(
            "[worker]   {}",
            note.trim_start_matches("botgate run: worker ")
        )
        .await;
    }
    out!(
        "[sim]      identifies {}, resumes {}",
        sim.identify_log().len(),
        sim.resume_log().len()
    )
    .await;
    out!(
        "[result]   {total} events sent, {} handled ({}): {lost} lost, {twice} handled twice",
        fleet.printed.len(),
        per.join(", ")
    )
    .await;
    out!("           (keys under {prefix}:* in Redis)").await;
    if lost == 0 && twice == 0 {
        out!("botgate demo --scale: ok, the rest took over").await;
        Ok(ExitCode::SUCCESS)
    } else {
        out!("botgate demo --scale: FAILED").await;
        Ok(ExitCode::from(1))
    }
}
