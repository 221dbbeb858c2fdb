//! Handlers that are slow or never return, over loopback against the sims (decision 0065):
//! - every handler blocked past the server's heartbeat timeout: the driver has stopped reading
//!   (the dispatcher and its channel are full), yet it keeps heartbeating, so the server keeps
//!   the session; released, every event is handled once, in order per conversation;
//! - a handler that never returns: other conversations flow, and a shutdown ends within its
//!   grace; its event is not journaled as handled, so the next start replays it.
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs, the
//! bot's status and lifecycle, and what handlers saw.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate::dispatch::DispatchConfig;
use botgate::session::driver::DriverConfig;
use botgate::session::{ResumeState, SessionStore};
use botgate::{Bot, BubbleHandlers, QqBot, QqHandlers};
use botgate_sim::{BubbleConfig, BubbleSim, QqConfig, QqSim, Record};
use botgate_testkit::{within, within_for, Seen};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

/// Conversations the events are spread over.
const CHANNELS: usize = 3;
/// Events pushed while the handlers are blocked: far above the bounds below.
const EVENTS: usize = 60;

/// Small bounds, so that a few blocked handlers stop the reader.
fn dispatch_config() -> DispatchConfig {
    DispatchConfig {
        max_in_flight: 2,
        max_pending: 4,
        dedupe_window: 4096,
    }
}

fn driver_config() -> DriverConfig {
    DriverConfig::default().event_capacity(4)
}

fn qq_bot(sim: &QqSim) -> QqBot {
    Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
}

/// A QQ bot with the small dispatcher and driver of these tests, started and READY.
async fn started_small(
    sim: &QqSim,
    handlers: QqHandlers,
) -> botgate::RunningBot<botgate::dispatch::qq::Qq, botgate::session::qq::Session> {
    let bot = qq_bot(sim)
        .handlers(handlers)
        .dispatch_config(dispatch_config())
        .driver_config(driver_config())
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    bot
}

/// An `AT_MESSAGE_CREATE` payload in channel `channel` carrying `text`.
fn at_message(channel: &str, text: &str) -> Value {
    json!({
        "id": format!("msg-{channel}-{text}"),
        "channel_id": channel,
        "guild_id": "18700000000001",
        "content": text,
        "timestamp": "2026-11-25T20:00:00+08:00",
        "author": {"id": "1001", "username": "n", "bot": false},
    })
}

/// A Bubble `MESSAGE_CREATE` payload in channel `channel` carrying `i`.
fn bubble_message(channel: usize, i: usize) -> Value {
    json!({"id": 10_000 + i, "channelId": 100 + channel, "guildId": 1,
        "content": i.to_string(), "author": {"id": 7, "name": "n", "bot": false},
        "timestamp": "2026-11-25T12:00:00Z"})
}

/// Each of `0..n` seen exactly once, in order within its conversation (`c<k>:<i>`, event `i`
/// in conversation `i % CHANNELS`).
fn assert_once_in_order(seen: &[String], n: usize) {
    assert_eq!(seen.len(), n, "exactly once: {seen:?}");
    for c in 0..CHANNELS {
        let prefix = format!("c{c}:");
        let got: Vec<usize> = seen
            .iter()
            .filter_map(|s| s.strip_prefix(&prefix)?.parse().ok())
            .collect();
        let want: Vec<usize> = (0..n).filter(|i| i % CHANNELS == c).collect();
        assert_eq!(got, want, "conversation {c}");
    }
}

/// Heartbeats (op 1) the sim received from the client.
fn heartbeats(r: &Record) -> bool {
    matches!(r.received(), Some(frame) if frame["op"] == 1)
}

/// What the sim closed connections with.
fn closes(records: &[Record]) -> Vec<u16> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Closed { code, .. } => Some(*code),
            _ => None,
        })
        .collect()
}

/// Waits until the sim has received `more` heartbeats past those of `log` now: the driver,
/// stopped by the full dispatcher, still heartbeats. Before the fix the heartbeats stopped
/// with the reader and the sim closed the connection (4009) after its timeout.
async fn heartbeats_while_stopped(log: &botgate_sim::Log, more: usize) {
    let before = log.snapshot().iter().filter(|r| heartbeats(r)).count();
    within_for(
        Duration::from_secs(5),
        "heartbeats while the reader is stopped",
        log.wait_count(before + more, heartbeats),
    )
    .await;
}

/// QQ: every handler waits on a gate; 60 events fill the dispatcher (4) and the driver's
/// channel (4), so the driver stops reading. The sim closes a connection that sends no
/// heartbeat for 200 ms: ten heartbeat intervals of the stall pass, and it closes nothing.
/// Released, the 60 events are handled once each, in order per channel, on the one session
/// (no resume, no second Identify).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qq_handlers_blocked_past_the_heartbeat_timeout_keep_the_session() {
    let sim = QqSim::start(QqConfig {
        heartbeat_interval: Duration::from_millis(100),
        ..Default::default()
    })
    .await
    .unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let (gate, seen) = (Arc::clone(&gate), seen.clone());
        handlers.on_at_message_create(move |_, msg| {
            let (gate, seen) = (Arc::clone(&gate), seen.clone());
            async move {
                gate.acquire().await?.forget();
                seen.push(format!("{}:{}", msg.channel_id, msg.content));
                Ok(())
            }
        });
    }
    let bot = started_small(&sim, handlers).await;
    for i in 0..EVENTS {
        sim.push_event(
            "AT_MESSAGE_CREATE",
            at_message(&format!("c{}", i % CHANNELS), &i.to_string()),
        );
    }
    let mut status = bot.driver().status();
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    heartbeats_while_stopped(sim.log(), 10).await;
    assert!(bot.driver().status().borrow().backpressured);
    assert!(seen.is_empty(), "every handler is still blocked");
    assert_eq!(closes(&sim.log().snapshot()), [] as [u16; 0]);

    gate.add_permits(EVENTS);
    let all = seen.wait_len(EVENTS).await;
    assert_once_in_order(&all, EVENTS);
    within("idle", bot.dispatcher().idle()).await;
    let life = bot.lifecycle().borrow().clone();
    assert_eq!((life.readies, life.resumes, life.reconnects), (1, 0, 0));
    assert_eq!(sim.identify_log().len(), 1);
    assert_eq!(bot.dispatcher().stats().duplicates, 0);
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// Bubble, as QQ: its 4009 ("session timed out") starts a fresh session, so before the fix a
/// stall past the heartbeat timeout lost the session, not only the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_handlers_blocked_past_the_heartbeat_timeout_keep_the_session() {
    let sim = BubbleSim::start(BubbleConfig {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let seen = Seen::new();
    let mut handlers = BubbleHandlers::new();
    {
        let (gate, seen) = (Arc::clone(&gate), seen.clone());
        handlers.on_message_create(move |_, msg| {
            let (gate, seen) = (Arc::clone(&gate), seen.clone());
            async move {
                gate.acquire().await?.forget();
                let channel = msg.channel_id.unwrap_or_default() - 100;
                seen.push(format!("c{channel}:{}", msg.content));
                Ok(())
            }
        });
    }
    let bot = Bot::bubble(sim.config().token.clone())
        .gateway_url(sim.url())
        .rest_base(sim.rest_base())
        .handlers(handlers)
        .dispatch_config(dispatch_config())
        .driver_config(driver_config())
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    within(
        "the subscription",
        sim.log()
            .wait_for(|r| r.received().filter(|f| f["op"] == 30).map(|_| ())),
    )
    .await;
    for i in 0..EVENTS {
        sim.push_event("MESSAGE_CREATE", bubble_message(i % CHANNELS, i));
    }
    let mut status = bot.driver().status();
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    heartbeats_while_stopped(sim.log(), 10).await;
    assert!(bot.driver().status().borrow().backpressured);
    assert_eq!(closes(&sim.log().snapshot()), [] as [u16; 0]);

    gate.add_permits(EVENTS);
    let all = seen.wait_len(EVENTS).await;
    assert_once_in_order(&all, EVENTS);
    within("idle", bot.dispatcher().idle()).await;
    let life = bot.lifecycle().borrow().clone();
    assert_eq!((life.readies, life.resumes, life.reconnects), (1, 0, 0));
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A handler that never returns (channel `a`) holds one running slot: the other channel's
/// events flow past it. Then `a`'s later events queue behind it until the dispatcher and the
/// driver's channel are full. A shutdown still ends within its grace, with a clean close
/// (1000). Before the fix it waited for the stuck handler for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_never_returns_holds_up_neither_other_conversations_nor_the_shutdown() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let stuck = Seen::new();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let (stuck, seen) = (stuck.clone(), seen.clone());
        handlers.on_at_message_create(move |_, msg| {
            let (stuck, seen) = (stuck.clone(), seen.clone());
            async move {
                if msg.content == "stuck" {
                    stuck.push(());
                    std::future::pending::<()>().await;
                }
                seen.push(format!("{}:{}", msg.channel_id, msg.content));
                Ok(())
            }
        });
    }
    let bot = started_small(&sim, handlers).await;
    sim.push_event("AT_MESSAGE_CREATE", at_message("a", "stuck"));
    stuck.wait_len(1).await;
    for i in 0..20 {
        sim.push_event("AT_MESSAGE_CREATE", at_message("b", &i.to_string()));
    }
    let others = seen.wait_len(20).await;
    assert_eq!(
        others,
        (0..20).map(|i| format!("b:{i}")).collect::<Vec<_>>()
    );
    // Behind the stuck one: the dispatcher fills, then the channel, and the reader stops.
    for i in 0..20 {
        sim.push_event("AT_MESSAGE_CREATE", at_message("a", &i.to_string()));
    }
    let mut status = bot.driver().status();
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();

    let grace = Duration::from_millis(200);
    within_for(
        Duration::from_secs(5),
        "the shutdown",
        bot.shutdown_within(grace),
    )
    .await
    .unwrap();
    let code = within(
        "the close",
        sim.log().wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await;
    assert_eq!(code, Some(1000));
    assert_eq!(seen.len(), 20, "nothing of channel a ran");
}

/// A store that keeps the saved states and the journal of handled events (the facade's
/// `mark_handled`), in memory.
#[derive(Default)]
struct JournalStore {
    saved: Mutex<HashMap<String, ResumeState>>,
    journal: Mutex<Vec<(String, u64)>>,
}

impl SessionStore for JournalStore {
    fn load(&self, key: &str) -> Result<Option<ResumeState>, botgate::session::Error> {
        Ok(self.saved.lock().unwrap().get(key).cloned())
    }
    fn save(&self, key: &str, state: &ResumeState) -> Result<(), botgate::session::Error> {
        self.saved
            .lock()
            .unwrap()
            .insert(key.to_owned(), state.clone());
        Ok(())
    }
    fn clear(&self, key: &str) -> Result<(), botgate::session::Error> {
        self.saved.lock().unwrap().remove(key);
        Ok(())
    }
    fn mark_handled(
        &self,
        _key: &str,
        session_id: &str,
        seq: u64,
    ) -> Result<(), botgate::session::Error> {
        self.journal
            .lock()
            .unwrap()
            .push((session_id.to_owned(), seq));
        Ok(())
    }
    fn handled_since_save(&self, key: &str) -> Result<Vec<u64>, botgate::session::Error> {
        let Some(saved) = self.load(key)? else {
            return Ok(Vec::new());
        };
        let mut seqs: Vec<u64> = self
            .journal
            .lock()
            .unwrap()
            .iter()
            .filter(|(session, seq)| *session == saved.session_id && *seq > saved.seq)
            .map(|(_, seq)| *seq)
            .collect();
        seqs.sort_unstable();
        Ok(seqs)
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A bot with a session store stops, within its grace, while a handler never returns; then
/// its process ends (the runtime, and the stuck handler with it, goes). Its event (seq 2) was
/// never handled: the saved point stays below it and the journal does not name it, while
/// the event handled after it (seq 3) is journaled. The next start resumes, gets 2 again and
/// skips 3. Before the fix the dropped handler completed as handled: 2 was journaled and
/// the next start skipped it, so it was never handled.
#[test]
fn a_handler_given_up_at_shutdown_is_replayed_by_the_next_start() {
    let sim_runtime = runtime();
    let sim = sim_runtime
        .block_on(QqSim::start(QqConfig::default()))
        .unwrap();
    let store = Arc::new(JournalStore::default());
    let key = format!("qq/{}/0-1", sim.config().app_id);
    let handlers = |stick: bool, seen: &Seen<String>| {
        let seen = seen.clone();
        let mut handlers = QqHandlers::new();
        handlers.on_at_message_create(move |_, msg| {
            let seen = seen.clone();
            async move {
                seen.push(msg.content.to_string());
                if stick && msg.content == "stuck" {
                    std::future::pending::<()>().await;
                }
                Ok(())
            }
        });
        handlers
    };

    let first = runtime();
    let seen = Seen::new();
    first.block_on(async {
        let bot = qq_bot(&sim)
            .handlers(handlers(true, &seen))
            .session_store(Arc::clone(&store))
            .save_every(1, Duration::from_millis(10))
            .start()
            .await
            .unwrap();
        within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
            .await
            .unwrap();
        sim.push_event("AT_MESSAGE_CREATE", at_message("a", "stuck"));
        sim.push_event("AT_MESSAGE_CREATE", at_message("b", "free"));
        assert_eq!(seen.wait_len(2).await, ["stuck", "free"]);
        within("idle but the stuck one", async {
            while bot.dispatcher().pending() > 1 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        within(
            "the shutdown",
            bot.shutdown_within(Duration::from_millis(100)),
        )
        .await
        .unwrap();
    });
    // The process ends: its tasks, the stuck handler's among them, are dropped.
    drop(first);
    let saved = store.load(&key).unwrap().expect("a saved session");
    assert_eq!(saved.seq, 1, "the saved point stays below the stuck event");
    let journal: Vec<u64> = store.journal.lock().unwrap().iter().map(|j| j.1).collect();
    assert_eq!(journal, [3], "only the event that was handled");

    let second = runtime();
    let again = Seen::new();
    second.block_on(async {
        let bot = qq_bot(&sim)
            .handlers(handlers(false, &again))
            .session_store(Arc::clone(&store))
            .start()
            .await
            .unwrap();
        within("the resume", bot.lifecycle().wait_for(|l| l.resumes >= 1))
            .await
            .unwrap();
        assert_eq!(again.wait_len(1).await, ["stuck"]);
        let mut life = bot.lifecycle();
        let life = within(
            "both replayed events counted",
            life.wait_for(|l| l.dispatched + l.skipped >= 2),
        )
        .await
        .unwrap()
        .clone();
        assert_eq!((life.dispatched, life.skipped), (1, 1), "{life:?}");
        within("idle", bot.dispatcher().idle()).await;
        assert_eq!(again.now(), ["stuck"]);
        within("shutdown", bot.shutdown()).await.unwrap();
    });
    drop(second);
    let _in_runtime = sim_runtime.enter();
    drop(sim);
}
