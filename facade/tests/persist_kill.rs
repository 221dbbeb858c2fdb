//! kill -9 mid-stream, then a restart with the same `FileStore`: every event is handled, none
//! twice (decision 0016). For QQ and for Bubble's extended profile, against the sims.
//!
//! The bot is a real child process: this test binary runs itself with `BOTGATE_KILL_CHILD`
//! set (its own `main`, no libtest harness). The child prints `H <content>` on stdout when a
//! handler has finished an event; the parent reads the pipe, which keeps what a killed child
//! wrote. The child's handler stops for good at the event `BOTGATE_KILL_BLOCK` (after
//! printing `B <content>`): events of one channel run in order, so at that point every earlier
//! event is handled and journaled, the blocked one is not, and later ones are read but wait;
//! the parent then sends SIGKILL, pushes more events while no process runs, and starts the
//! child again. Every wait is bounded; synchronisation is by the child's lines and the sim log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use botgate::session::{self, FileStore, ResumeState, SessionStore};
use botgate::{Bot, BubbleHandlers, Lifecycle, QqHandlers};
use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, QqConfig, QqSim};
use botgate_testkit::within;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const CHILD: &str = "BOTGATE_KILL_CHILD";
const URL: &str = "BOTGATE_KILL_URL";
const REST: &str = "BOTGATE_KILL_REST";
const DIR: &str = "BOTGATE_KILL_DIR";
const BLOCK: &str = "BOTGATE_KILL_BLOCK";
const BATCH: &str = "BOTGATE_KILL_BATCH";

/// Events before the kill (the child blocks at `BLOCK_AT`) and while no process runs.
const BEFORE: u32 = 60;
const WHILE_DOWN: u32 = 40;
const BLOCK_AT: u32 = 20;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(platform) = std::env::var(CHILD) {
        runtime.block_on(child(&platform));
        return;
    }
    // A filter argument (`cargo test -- qq`) picks the scenarios whose name contains it.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    // "whole window": saved only at READY (1000 events, 60 s), so all the first run handled is
    // replayed and skipped (the journal); "timed save": saved every 5 events or 20 ms, and
    // killed after the timed save of the handled point, so nothing it handled is replayed.
    for (name, batch, wait_for_time_save) in [
        ("qq_kill_9_whole_window", "1000/60000", false),
        ("qq_kill_9_after_timed_save", "5/20", true),
        ("bubble_extended_kill_9_whole_window", "1000/60000", false),
        ("bubble_extended_kill_9_after_timed_save", "5/20", true),
    ] {
        if !name.contains(&filter) {
            continue;
        }
        println!("test {name} ...");
        let platform = if name.starts_with("qq") {
            "qq"
        } else {
            "bubble"
        };
        let report = runtime.block_on(scenario(platform, batch, wait_for_time_save));
        println!("test {name} ... ok ({report})");
    }
}

/// The bot of the child process: one handler that prints each event's content when done.
async fn child(platform: &str) {
    if std::env::var("BOTGATE_KILL_DEBUG").is_ok() {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter("debug")
            .init();
    }
    let env = |k: &str| std::env::var(k).unwrap();
    let block = std::env::var(BLOCK).ok();
    // `<events>/<ms>`: save after that many events or that long.
    let (events, ms) = env(BATCH)
        .split_once('/')
        .map(|(e, m)| (e.parse().unwrap(), m.parse().unwrap()))
        .unwrap();
    let (batch, every): (u64, Duration) = (events, Duration::from_millis(ms));
    let store = Reporting(FileStore::new(env(DIR)));
    let handle = move |content: String| {
        let block = block.clone();
        async move {
            if block.as_deref() == Some(content.as_str()) {
                line(&format!("B {content}"));
                std::future::pending::<()>().await;
            }
            line(&format!("H {content}"));
            Ok(())
        }
    };
    let stop = match platform {
        "qq" => {
            let mut handlers = QqHandlers::new();
            handlers.on_at_message_create(move |_ctx, m| handle(m.content.into()));
            let bot = Bot::qq_with_token("QQBot sim-access-token")
                .gateway_url(env(URL))
                .api_base(env(REST))
                .session_store(store)
                .save_every(batch, every)
                .handlers(handlers)
                .start()
                .await
                .unwrap();
            tokio::spawn(report(bot.lifecycle()));
            Box::pin(async move {
                stdin_closed().await;
                bot.shutdown().await
            }) as std::pin::Pin<Box<dyn Future<Output = Result<(), botgate::Error>>>>
        }
        _ => {
            let mut handlers = BubbleHandlers::new();
            handlers.on_message_create(move |_ctx, m| handle(m.content.into()));
            let bot = Bot::bubble("sim-bubble-token")
                .gateway_url(env(URL))
                .rest_base(env(REST))
                .session_store(store)
                .save_every(batch, every)
                .handlers(handlers)
                .start()
                .await
                .unwrap();
            tokio::spawn(report(bot.lifecycle()));
            Box::pin(async move {
                stdin_closed().await;
                bot.shutdown().await
            })
        }
    };
    stop.await.unwrap();
    line("STOPPED");
}

/// The child's `FileStore`, printing `S <seq>` once a save is on disk.
struct Reporting(FileStore);

impl SessionStore for Reporting {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, session::Error> {
        self.0.load(key)
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), session::Error> {
        self.0.save(key, state)?;
        line(&format!("S {}", state.seq));
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

/// One line on stdout (one write: a killed child leaves whole lines).
fn line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(format!("{text}\n").as_bytes());
    let _ = out.flush();
}

/// Prints `L readies resumes dispatched skipped` at every lifecycle change.
async fn report(mut lifecycle: tokio::sync::watch::Receiver<Lifecycle>) {
    while lifecycle.changed().await.is_ok() {
        let l = lifecycle.borrow_and_update().clone();
        line(&format!(
            "L {} {} {} {}",
            l.readies, l.resumes, l.dispatched, l.skipped
        ));
    }
}

async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {}
}

/// A running child and what it printed.
struct BotProcess {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

/// What the children printed, across runs.
#[derive(Default)]
struct Seen {
    handled: HashMap<String, u32>,
    /// The last `L` line: readies, resumes, dispatched, skipped.
    life: [u64; 4],
}

impl BotProcess {
    fn spawn(
        platform: &str,
        url: &str,
        rest: &str,
        dir: &str,
        batch: &str,
        block: Option<&str>,
    ) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .env(CHILD, platform)
            .env(URL, url)
            .env(REST, rest)
            .env(DIR, dir)
            .env(BATCH, batch)
            .env_remove(BLOCK)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(block) = block {
            command.env(BLOCK, block);
        }
        let mut child = command.spawn().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, lines }
    }

    /// Reads lines into `seen` until one satisfies `until`; returns it.
    async fn read_until(
        &mut self,
        seen: &mut Seen,
        what: &str,
        until: impl Fn(&str, &Seen) -> bool,
    ) -> String {
        // What was read before may already satisfy it (a state predicate).
        if until("", seen) {
            return String::new();
        }
        within(what, async {
            loop {
                let line = self
                    .lines
                    .next_line()
                    .await
                    .unwrap()
                    .expect("the child ended early");
                if std::env::var("BOTGATE_KILL_DEBUG").is_ok() {
                    eprintln!("child: {line}");
                }
                if let Some(content) = line.strip_prefix("H ") {
                    *seen.handled.entry(content.to_owned()).or_default() += 1;
                } else if let Some(life) = line.strip_prefix("L ") {
                    let v: Vec<u64> = life.split(' ').map(|n| n.parse().unwrap()).collect();
                    seen.life = [v[0], v[1], v[2], v[3]];
                }
                if until(&line, seen) {
                    return line;
                }
            }
        })
        .await
    }
}

fn content(i: u32) -> String {
    format!("m{i}")
}

/// The sim of the platform under test.
enum Sim {
    Qq(QqSim),
    Bubble(BubbleSim),
}

impl Sim {
    async fn start(platform: &str) -> Self {
        if platform == "qq" {
            Sim::Qq(QqSim::start(QqConfig::default()).await.unwrap())
        } else {
            let config = BubbleConfig {
                profile: Profile::Extended,
                ..BubbleConfig::default()
            };
            Sim::Bubble(BubbleSim::start(config).await.unwrap())
        }
    }

    /// The store key the bot uses.
    fn key(&self) -> &'static str {
        match self {
            Sim::Qq(_) => "qq/token/0-1",
            Sim::Bubble(_) => "bubble/default",
        }
    }

    /// Every dispatch frame written so far.
    fn sent(&self) -> Vec<serde_json::Value> {
        match self {
            Sim::Qq(sim) => sim.sent_dispatches(),
            Sim::Bubble(sim) => sim.sent_dispatches(),
        }
    }

    fn urls(&self) -> (String, String) {
        match self {
            Sim::Qq(sim) => (sim.url(), sim.http_base()),
            Sim::Bubble(sim) => (sim.url(), sim.rest_base()),
        }
    }

    /// A message of one channel whose content is `m<i>`.
    fn push(&self, i: u32) {
        match self {
            Sim::Qq(sim) => sim.push_event(
                "AT_MESSAGE_CREATE",
                json!({"id": format!("id{i}"), "channel_id": "100", "guild_id": "1",
                       "content": content(i), "author": {"id": "7", "username": "u"}}),
            ),
            Sim::Bubble(sim) => sim.push_event(
                "MESSAGE_CREATE",
                json!({"id": 1000 + i, "channelId": 100, "guildId": 1, "content": content(i),
                       "author": {"id": 7, "name": "u"}}),
            ),
        };
    }

    /// Bubble holds events for a session that has not subscribed to them: wait for that.
    async fn subscribed(&self) {
        if let Sim::Bubble(sim) = self {
            let subscribed = |r: &botgate_sim::Record| {
                (r.sent().and_then(|f| f["t"].as_str()) == Some("EVENTS_SUBSCRIBED")).then_some(())
            };
            within("EVENTS_SUBSCRIBED", sim.log().wait_for(subscribed)).await;
        }
    }
}

/// One kill / restart; returns a short report.
async fn scenario(platform: &str, batch: &str, wait_for_time_save: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap().to_owned();
    let sim = Sim::start(platform).await;
    let (url, rest) = sim.urls();
    let mut seen = Seen::default();

    // first run: blocks at BLOCK_AT with later events read, then SIGKILL
    let block = content(BLOCK_AT);
    let mut first = BotProcess::spawn(platform, &url, &rest, &dir, batch, Some(&block));
    // The new session is on disk (a crash before that loses it: nothing to resume).
    first
        .read_until(&mut seen, "the session saved", |l, _| l.starts_with("S "))
        .await;
    sim.subscribed().await;
    for i in 1..=BEFORE {
        sim.push(i);
    }
    first
        .read_until(&mut seen, "the blocked event", |l, _| {
            l == format!("B {block}")
        })
        .await;
    let seq_of = |f: &serde_json::Value| f["s"].as_u64().unwrap();
    let blocked_seq = sim
        .sent()
        .iter()
        .find(|f| f["d"]["content"] == block.as_str())
        .map(seq_of)
        .unwrap();
    if wait_for_time_save {
        // `every` after the last event the handled point (all before the blocked one) is saved
        let handled = format!("S {}", blocked_seq - 1);
        first
            .read_until(&mut seen, "the timed save", |l, _| l == handled)
            .await;
    }
    first.child.start_kill().unwrap();
    let status = within("the killed child", first.child.wait())
        .await
        .unwrap();
    assert!(!status.success(), "killed, not exited: {status:?}");
    let before_kill = seen.handled.len();
    assert_eq!(
        before_kill,
        BLOCK_AT as usize - 1,
        "handled in order up to the block"
    );
    // What the replay will skip: every frame the first run handled after its last save, i.e.
    // (READY frames aside, which count as handled at once) those between the saved seq and
    // the blocked event; everything from the blocked event on was not handled.
    let saved = FileStore::new(&dir)
        .load(sim.key())
        .unwrap()
        .expect("a saved state");
    let sent = sim.sent();
    let expect_skipped = sent
        .iter()
        .filter(|f| !matches!(f["t"].as_str(), Some("READY" | "BOT_READY")))
        .filter(|f| (saved.seq + 1..blocked_seq).contains(&seq_of(f)))
        .count() as u64;

    // while no process runs
    for i in BEFORE + 1..=BEFORE + WHILE_DOWN {
        sim.push(i);
    }

    // second run: resumes from the store, handles the rest, skips what the first handled
    seen.life = [0; 4];
    let mut second = BotProcess::spawn(platform, &url, &rest, &dir, batch, None);
    let total = (BEFORE + WHILE_DOWN) as usize;
    let rest_of_them = u64::from(BEFORE + WHILE_DOWN - BLOCK_AT + 1);
    second
        .read_until(&mut seen, "every event handled", |_, s| {
            s.handled.len() == total
        })
        .await;
    // the lifecycle line of the last dispatch may follow its H line
    second
        .read_until(&mut seen, "the counters", |_, s| s.life[2] >= rest_of_them)
        .await;
    drop(second.child.stdin.take());
    second
        .read_until(&mut seen, "a clean stop", |l, _| l == "STOPPED")
        .await;
    let status = within("the child's exit", second.child.wait())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");

    let twice: Vec<_> = seen.handled.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "handled twice: {twice:?}");
    for i in 1..=BEFORE + WHILE_DOWN {
        assert_eq!(
            seen.handled.get(&content(i)),
            Some(&1),
            "{} lost",
            content(i)
        );
    }
    let [readies, resumes, dispatched, skipped] = seen.life;
    assert_eq!((readies, resumes), (0, 1), "the second run resumed");
    // The replay: what the first run handled since its last save is skipped (the journal),
    // the blocked event and all after it are handled.
    assert_eq!(skipped, expect_skipped, "saved at seq {}", saved.seq);
    match &sim {
        Sim::Qq(sim) => {
            assert_eq!(dispatched, rest_of_them);
            assert_eq!(sim.identify_log().len(), 1, "no second Identify");
        }
        // plus the EVENTS_SUBSCRIBED of the resumed connection
        Sim::Bubble(_) => assert!(dispatched >= rest_of_them, "dispatched {dispatched}"),
    }
    format!(
        "{total} events, {before_kill} handled before the kill, saved at seq {}, {skipped} replayed and skipped, 0 lost, 0 twice",
        saved.seq
    )
}
