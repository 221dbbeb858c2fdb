//! Faults of the gateway / worker split found in the reviews of stops 28 and 31:
//! - a worker whose handler (or queue wait) outlasts `claim_idle`: its entry was claimed
//!   again, by another worker, which ran it too, or by itself. Now the worker keeps what it
//!   holds (decision 0064): no one claims the entry while it runs, and the worker reads no
//!   further ahead than `read_ahead` entries;
//! - an event published twice (two entries) while its first entry runs: the copy must
//!   neither run nor be acknowledged meanwhile, or a worker dying then loses the event
//!   (nothing pending, and its done mark makes every copy skip);
//! - a gateway whose Redis connection dropped: its next publish failed, and the event, counted
//!   as handled all the same, was never published;
//! - a publish that fails past its retry budget: the event counted as handled and was lost;
//!   now it stays below the saved resume point and the next start publishes it (decision
//!   0046).
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`); reads the
//! stream's pending list with `redis-cli`, which comes with the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate::session::{FileStore, SessionStore};
use botgate::split::{publish_frames, publish_frames_for, Worker, WorkerStats};
use botgate::{Bot, Intents, QqHandlers};
use botgate_redis::EventStream;
use botgate_sim::{QqConfig, QqSim};
use botgate_testkit::redis::{redis_url, unique_prefix};
use botgate_testkit::{within_for, Seen};
use serde_json::json;
use tokio::sync::{oneshot, Notify, Semaphore};
use tokio::task::JoinHandle;

const FRAME: &str = r#"{"op":0,"s":2,"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:e4c5","d":{"author":{"id":"1234567890","username":"u"},"channel_id":"100010","content":"hi","guild_id":"18700000000001","id":"08e092ee","timestamp":"2021-05-20T15:14:58+08:00"}}"#;
const LIMIT: Duration = Duration::from_secs(30);
/// The workers' `claim_idle` in the tests of held entries: their keepers refresh every
/// third of it.
const CLAIM_IDLE: Duration = Duration::from_millis(200);

/// `FRAME` as event `n` (its own event id and message id, the same channel).
fn frame(n: u32) -> String {
    FRAME
        .replace("e4c5", &format!("e4c5-{n}"))
        .replace("08e092ee", &format!("08e092ee-{n}"))
}

/// `redis-cli` against the test's Redis (`redis://host:port/db`).
fn cli(url: &str, args: &[&str]) -> String {
    let rest = url.trim_start_matches("redis://");
    let (addr, db) = rest.split_once('/').unwrap_or((rest, "0"));
    let (host, port) = addr.rsplit_once(':').unwrap();
    let out = Command::new("redis-cli")
        .args(["-h", host, "-p", port, "-n", db])
        .args(args)
        .output()
        .expect("redis-cli");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// One entry of a consumer group's pending list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    id: String,
    consumer: String,
    idle_ms: u64,
    deliveries: u64,
}

/// The pending entries of group `workers` (at most 100), in stream order.
fn pending(url: &str, key: &str) -> Vec<Pending> {
    // XPENDING key group - + n: id, consumer, idle ms, delivery count per entry, one per line
    let out = cli(url, &["XPENDING", key, "workers", "-", "+", "100"]);
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .chunks_exact(4)
        .map(|e| Pending {
            id: e[0].to_owned(),
            consumer: e[1].to_owned(),
            idle_ms: e[2].parse().unwrap(),
            deliveries: e[3].parse().unwrap(),
        })
        .collect()
}

/// The done marks of stream `key`'s events.
fn done_marks(url: &str, key: &str) -> usize {
    cli(url, &["--scan", "--pattern", &format!("{key}*done*")])
        .lines()
        .count()
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    within_for(LIMIT, what, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// Samples the pending list of stream `key`, checking each sample with `check`, until its
/// entries' idle times were seen going down (a refresh) `refreshes` times and `window` of wall
/// time has passed since the first sample.
async fn watch_pending(
    url: &str,
    key: &str,
    window: Duration,
    refreshes: usize,
    mut check: impl FnMut(&[Pending]),
) {
    let first = Instant::now();
    let mut last: Vec<Pending> = Vec::new();
    let mut seen = 0;
    until("the pending entries watched", || {
        let now = pending(url, key);
        check(&now);
        let refreshed = now
            .iter()
            .any(|p| last.iter().any(|l| l.id == p.id && p.idle_ms < l.idle_ms));
        seen += usize::from(refreshed);
        last = now;
        seen >= refreshes && first.elapsed() >= window
    })
    .await;
}

/// A worker of group `workers` named `name` on stream `key`, with `CLAIM_IDLE`; stops when
/// the sender is dropped or sent on.
async fn worker(
    url: &str,
    key: &str,
    name: &str,
    handlers: QqHandlers,
    configure: impl FnOnce(Worker) -> Worker,
) -> (
    oneshot::Sender<()>,
    JoinHandle<Result<WorkerStats, botgate_redis::Error>>,
) {
    let stream = EventStream::connect(url, key).await.unwrap();
    let consumer = stream
        .consumer("workers", name)
        .await
        .unwrap()
        .claim_idle(CLAIM_IDLE)
        .block(Duration::from_millis(50));
    let (stop, stopped) = oneshot::channel::<()>();
    let worker = configure(Worker::new(consumer).qq(handlers));
    let run = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    (stop, run)
}

/// Handlers that record the message id of each event they run and, with `release`, wait for
/// one of its permits before they end.
fn recording(seen: &Seen<String>, release: Option<&Arc<Semaphore>>) -> QqHandlers {
    let mut handlers = QqHandlers::new();
    let (seen, release) = (seen.clone(), release.cloned());
    handlers.on_at_message_create(move |_ctx, m| {
        let (seen, release) = (seen.clone(), release.clone());
        async move {
            seen.push(m.id.to_string());
            if let Some(release) = release {
                release.acquire().await.unwrap().forget();
            }
            Ok(())
        }
    });
    handlers
}

/// The message id of `frame(n)`.
fn message(n: u32) -> String {
    format!("08e092ee-{n}")
}

async fn end(
    stop: oneshot::Sender<()>,
    run: JoinHandle<Result<WorkerStats, botgate_redis::Error>>,
) -> WorkerStats {
    let _ = stop.send(());
    within_for(LIMIT, "the worker's end", run)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_worker_never_runs_an_event_whose_handler_outlasts_claim_idle() {
    let Some(url) = redis_url() else { return };
    let key = format!("{}:events", unique_prefix("worker-keeps"));
    let stream = EventStream::connect(&url, key.clone()).await.unwrap();
    let (seen_a, seen_b) = (Seen::new(), Seen::new());
    let release = Arc::new(Semaphore::new(0));
    // a holds one entry at most: what is published while it runs e0 goes to b.
    let (stop_a, a) = worker(&url, &key, "a", recording(&seen_a, Some(&release)), |w| {
        w.read_ahead(1)
    })
    .await;
    let e0 = stream.publish("qq", 0, frame(0).as_bytes()).await.unwrap();
    seen_a.wait_len(1).await;
    let (stop_b, b) = worker(&url, &key, "b", recording(&seen_b, None), |w| w).await;
    let a_has_e0 = |now: &[Pending]| {
        let entry = now.iter().find(|p| p.id == e0).expect("e0 pending");
        assert_eq!(entry.consumer, "a", "claimed away from a: {now:?}");
        assert_eq!(entry.deliveries, 1, "claimed again: {now:?}");
        assert!(entry.idle_ms < CLAIM_IDLE.as_millis() as u64, "{now:?}");
        assert!(!seen_b.now().contains(&message(0)), "b ran e0");
    };
    // b reads (and claims whatever is idle for 200 ms): it runs e1.
    stream.publish("qq", 0, frame(1).as_bytes()).await.unwrap();
    until("b ran e1", || {
        a_has_e0(&pending(&url, &key));
        seen_b.now() == [message(1)]
    })
    .await;

    // a's handler goes on for 5 times `claim_idle` and more: e0 stays a's, refreshed.
    watch_pending(&url, &key, CLAIM_IDLE * 5, 5, a_has_e0).await;
    assert_eq!(seen_b.now(), [message(1)], "b ran e1 only");
    assert_eq!(
        done_marks(&url, &key),
        1,
        "e0 not done while its handler runs"
    );

    // a's handler ends: e0 acknowledged and marked done, once.
    release.add_permits(1);
    until("acknowledged", || pending(&url, &key).is_empty()).await;
    assert_eq!(done_marks(&url, &key), 2);
    let (a, b) = (end(stop_a, a).await, end(stop_b, b).await);
    assert_eq!(seen_a.now(), [message(0)]);
    assert_eq!(seen_b.now(), [message(1)]);
    assert_eq!((a.read, a.claimed), (1, 0), "{a:?}");
    assert!(a.read_ahead_waits >= 1, "{a:?}");
    assert_eq!((b.read, b.claimed), (1, 0), "{b:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_published_twice_runs_once_and_its_copy_waits_for_the_first_run() {
    let Some(url) = redis_url() else { return };
    let key = format!("{}:events", unique_prefix("worker-copies"));
    let stream = EventStream::connect(&url, key.clone()).await.unwrap();
    // The same event twice (a gateway's replay): two entries, one event id.
    let first = stream.publish("qq", 0, FRAME.as_bytes()).await.unwrap();
    let copy = stream.publish("qq", 0, FRAME.as_bytes()).await.unwrap();
    let seen = Seen::new();
    let release = Arc::new(Semaphore::new(0));
    let (stop, run) = worker(&url, &key, "w1", recording(&seen, Some(&release)), |w| w).await;

    // The first entry runs and is kept (refreshed, never claimed); the copy is left pending,
    // not kept: the worker claims it again after each `claim_idle`, neither running nor
    // acknowledging it.
    seen.wait_len(1).await;
    until("the copy claimed again twice", || {
        pending(&url, &key)
            .iter()
            .any(|p| p.id == copy && p.deliveries >= 3)
    })
    .await;
    watch_pending(&url, &key, CLAIM_IDLE * 3, 3, |now| {
        let kept = now
            .iter()
            .find(|p| p.id == first)
            .expect("the first entry pending");
        assert_eq!(
            kept.deliveries, 1,
            "the running entry claimed again: {now:?}"
        );
        assert!(kept.idle_ms < CLAIM_IDLE.as_millis() as u64, "{now:?}");
        assert!(
            now.iter().any(|p| p.id == copy),
            "the copy acknowledged: {now:?}"
        );
    })
    .await;
    assert_eq!(seen.len(), 1, "the copy did not run");
    assert_eq!(done_marks(&url, &key), 0, "not done while its handler runs");

    // The handler ends: the first entry is acknowledged and marked done, once; the copy's
    // next claim finds the mark, and it is skipped and acknowledged.
    release.add_permits(1);
    until("both acknowledged", || pending(&url, &key).is_empty()).await;
    assert_eq!(done_marks(&url, &key), 1);
    let stats = end(stop, run).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(stats.skipped, 1, "{stats:?}");
    assert!(stats.claimed >= 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_holds_no_more_than_its_read_ahead_and_others_take_the_rest() {
    let Some(url) = redis_url() else { return };
    let key = format!("{}:events", unique_prefix("worker-read-ahead"));
    let stream = EventStream::connect(&url, key.clone()).await.unwrap();
    for n in 0..5 {
        stream.publish("qq", 0, frame(n).as_bytes()).await.unwrap();
    }
    let (seen_a, seen_b) = (Seen::new(), Seen::new());
    let release = Arc::new(Semaphore::new(0));
    // One conversation: a runs its first event and queues the second behind it.
    let (stop_a, a) = worker(&url, &key, "a", recording(&seen_a, Some(&release)), |w| {
        w.read_ahead(2)
    })
    .await;
    seen_a.wait_len(1).await;
    until("a holding two", || pending(&url, &key).len() == 2).await;

    // b takes the three a did not read, and none of a's (kept past `claim_idle`).
    let (stop_b, b) = worker(&url, &key, "b", recording(&seen_b, None), |w| w).await;
    seen_b.wait_len(3).await;
    until("b's three acknowledged", || {
        pending(&url, &key).iter().all(|p| p.consumer == "a")
    })
    .await;
    watch_pending(&url, &key, CLAIM_IDLE * 3, 3, |now| {
        assert_eq!(now.len(), 2, "{now:?}");
        assert!(
            now.iter().all(|p| p.consumer == "a" && p.deliveries == 1),
            "{now:?}"
        );
    })
    .await;

    release.add_permits(2);
    until("all acknowledged", || pending(&url, &key).is_empty()).await;
    assert_eq!(done_marks(&url, &key), 5);
    let (a, b) = (end(stop_a, a).await, end(stop_b, b).await);
    assert_eq!(seen_a.now(), [message(0), message(1)]);
    assert_eq!(seen_b.now(), [message(2), message(3), message(4)]);
    assert_eq!(a.read, 2, "{a:?}");
    assert!(a.read_ahead_waits >= 1, "{a:?}");
    assert_eq!(b.read, 3, "{b:?}");
}

/// The number of entries in stream `key`.
fn stream_len(url: &str, key: &str) -> u64 {
    cli(url, &["XLEN", key]).parse().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_whose_redis_connection_dropped_publishes_the_next_event_all_the_same() {
    let Some(url) = redis_url() else { return };
    let key = format!("{}:events", unique_prefix("gateway-publish"));
    let stream = EventStream::connect(&url, key.clone()).await.unwrap();
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let mut publish = QqHandlers::new();
    publish.on_raw(publish_frames(stream.clone(), "qq", 0));
    let gateway = Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
    .intents(Intents::PUBLIC_GUILD_MESSAGES)
    .handlers(publish)
    .start()
    .await
    .unwrap();
    let mut life = gateway.lifecycle();
    within_for(LIMIT, "READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let event = |n: u32| {
        json!({"id": format!("m{n}"), "channel_id": "c1", "guild_id": "g1", "content": "hi",
               "timestamp": "2026-11-25T20:00:00+08:00", "author": {"id": "7", "username": "u"}})
    };
    sim.push_event("AT_MESSAGE_CREATE", event(0));
    until("the first event published", || stream_len(&url, &key) == 1).await;
    // Redis drops the gateway's connection (its last command was the XADD), as a restart does.
    let clients = cli(&url, &["CLIENT", "LIST"]);
    let mut killed = 0;
    for line in clients.lines().filter(|l| l.contains("cmd=xadd")) {
        if let Some(id) = line.split(' ').find_map(|f| f.strip_prefix("id=")) {
            cli(&url, &["CLIENT", "KILL", "ID", id]);
            killed += 1;
        }
    }
    assert!(killed >= 1, "{clients}");
    sim.push_event("AT_MESSAGE_CREATE", event(1));
    until("the second event published", || stream_len(&url, &key) == 2).await;
    gateway.shutdown().await.unwrap();
}

/// The event ids (`d.id`) in stream `key`, in stream order.
fn published_ids(url: &str, key: &str) -> Vec<String> {
    cli(url, &["XRANGE", key, "-", "+"])
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["d"]["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_whose_publish_keeps_failing_is_published_after_the_restart() {
    let Some(url) = redis_url() else { return };
    let key = format!("{}:events", unique_prefix("gateway-unhandled"));
    let stream = EventStream::connect(&url, key.clone()).await.unwrap();
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let given_up = Arc::new(Notify::new());
    let start = |retry_for: Duration| {
        let mut publish = QqHandlers::new();
        publish.on_raw(publish_frames_for(stream.clone(), "qq", 0, retry_for));
        let given_up = given_up.clone();
        publish.on_error(move |e| {
            let not_handled = std::error::Error::source(e)
                .is_some_and(|s| s.downcast_ref::<botgate::NotHandled>().is_some());
            if not_handled {
                given_up.notify_one();
            }
        });
        Bot::qq(
            sim.config().app_id.clone(),
            sim.config().client_secret.clone(),
        )
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .intents(Intents::PUBLIC_GUILD_MESSAGES)
        .session_store(FileStore::new(dir.path()))
        .session_key("unhandled")
        .save_every(1, Duration::from_millis(10))
        .handlers(publish)
        .start()
    };
    let event = |n: u32| {
        json!({"id": format!("m{n}"), "channel_id": "c1", "guild_id": "g1", "content": "hi",
               "timestamp": "2026-11-25T20:00:00+08:00", "author": {"id": "7", "username": "u"}})
    };
    let gateway = start(Duration::from_millis(300)).await.unwrap();
    let mut life = gateway.lifecycle();
    within_for(LIMIT, "READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    sim.push_event("AT_MESSAGE_CREATE", event(0));
    until("m0 published", || published_ids(&url, &key) == ["m0"]).await;
    // The stream's key now holds a string: every XADD fails (WRONGTYPE) past the budget.
    let aside = format!("{key}:aside");
    cli(&url, &["RENAME", &key, &aside]);
    cli(&url, &["SET", &key, "not a stream"]);
    sim.push_event("AT_MESSAGE_CREATE", event(1));
    // m1's handler gives up after 300 ms; then the stream comes back and m2 goes through.
    within_for(LIMIT, "m1 given up", given_up.notified()).await;
    cli(&url, &["DEL", &key]);
    cli(&url, &["RENAME", &aside, &key]);
    sim.push_event("AT_MESSAGE_CREATE", event(2));
    until("m2 published", || published_ids(&url, &key) == ["m0", "m2"]).await;
    gateway.shutdown().await.unwrap();

    // The saved resume point is below m1 (READY is 1, m0 2, m1 3, m2 4).
    let saved = FileStore::new(dir.path())
        .load("unhandled/0-1")
        .unwrap()
        .expect("a saved session");
    assert_eq!(saved.seq, 2, "{saved:?}");

    // The next start resumes from there: m1 is replayed and published, m2 (journaled as
    // handled) is not published twice.
    let gateway = start(Duration::from_secs(30)).await.unwrap();
    let mut life = gateway.lifecycle();
    within_for(LIMIT, "RESUMED", life.wait_for(|l| l.resumes >= 1))
        .await
        .unwrap();
    until("m1 published", || published_ids(&url, &key).len() == 3).await;
    gateway.shutdown().await.unwrap();
    assert_eq!(published_ids(&url, &key), ["m0", "m2", "m1"]);
    let saved = FileStore::new(dir.path())
        .load("unhandled/0-1")
        .unwrap()
        .unwrap();
    assert_eq!(saved.seq, 4, "{saved:?}");
}
