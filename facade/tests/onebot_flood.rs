//! OneBot actions never deadlock (issue 14, point 3): a flood of events far beyond every bound
//! (driver channel, dispatcher pending, concurrency) arrives while every handler awaits an
//! action whose response is queued on the same socket behind the flood. Every action
//! completes and every event is handled exactly once, in per-conversation order, on forward
//! and reverse WS alike.
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs and channels
//! only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use botgate::dispatch::DispatchConfig;
use botgate::proto::onebot::Message;
use botgate::session::driver::DriverConfig;
use botgate::{Bot, OneBotHandlers};
use botgate_sim::{OneBotConfig, OneBotSim};
use botgate_testkit::within;
use serde_json::json;
use tokio::sync::watch;

/// Events in the flood: two orders of magnitude above the bounds below.
const FLOOD: usize = 2_000;
/// Conversations the flood is spread over (per-conversation order is what is promised).
const GROUPS: i64 = 5;
/// The driver's event channel.
const CHANNEL: usize = 4;

fn dispatch_config() -> DispatchConfig {
    DispatchConfig {
        max_in_flight: 4,
        max_pending: 8,
        dedupe_window: 4096,
    }
}

fn driver_config() -> DriverConfig {
    DriverConfig::default().event_capacity(CHANNEL)
}

/// `(group, message id)` of events whose action answered, and the failures.
type Outcomes = (Vec<(i64, i64)>, Vec<String>);

/// What the handlers did.
#[derive(Clone)]
struct Handled(Arc<watch::Sender<Outcomes>>);

impl Handled {
    fn new() -> Self {
        Self(Arc::new(watch::channel((Vec::new(), Vec::new())).0))
    }

    async fn wait_len(&self, n: usize) {
        let mut rx = self.0.subscribe();
        let what = format!("{n} handled events");
        let _ = within(
            &what,
            rx.wait_for(|(ok, failed)| ok.len() + failed.len() >= n),
        )
        .await;
    }

    fn now(&self) -> Outcomes {
        self.0.borrow().clone()
    }
}

/// Each group message is answered with `send_group_msg`, awaited before the handler ends.
fn handlers(handled: Handled) -> OneBotHandlers {
    let mut h = OneBotHandlers::new();
    h.on_group_message(move |ctx, msg| {
        let handled = handled.clone();
        async move {
            let answer = ctx
                .onebot()
                .send_group_msg(
                    msg.group_id,
                    Message::text(format!("re {}", msg.message_id)),
                )
                .await;
            handled.0.send_modify(|(ok, failed)| match answer {
                Ok(_) => ok.push((msg.group_id, msg.message_id)),
                Err(e) => failed.push(format!("{}: {e}", msg.message_id)),
            });
            Ok(())
        }
    });
    h
}

fn group_message(i: usize) -> serde_json::Value {
    let group = 1000 + (i as i64 % GROUPS);
    json!({"post_type": "message", "message_type": "group", "sub_type": "normal",
        "message_id": i, "group_id": group, "user_id": 7,
        "message": [{"type": "text", "data": {"text": format!("m{i}")}}],
        "raw_message": format!("m{i}"), "font": 0, "sender": {"user_id": 7, "nickname": "n"}})
}

/// Pushes the flood in one go (the sim writes it as fast as the socket takes it).
fn flood(sim: &OneBotSim) -> BTreeMap<i64, Vec<i64>> {
    let mut expected: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for i in 0..FLOOD {
        let event = group_message(i);
        let group = event["group_id"].as_i64().unwrap();
        expected.entry(group).or_default().push(i as i64);
        sim.push_event(event);
    }
    expected
}

/// Every action answered, every event handled once, in order within its group; the sim got
/// one `send_group_msg` per event, in order within each group too.
fn check(handled: &Handled, sim: &OneBotSim, expected: &BTreeMap<i64, Vec<i64>>) {
    let (ok, failed) = handled.now();
    assert!(
        failed.is_empty(),
        "actions failed: {:?}",
        &failed[..failed.len().min(5)]
    );
    assert_eq!(ok.len(), FLOOD, "each event handled exactly once");
    let mut by_group: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (group, id) in ok {
        by_group.entry(group).or_default().push(id);
    }
    assert_eq!(&by_group, expected, "per-conversation order");
    let mut sent: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for m in sim.sent_messages() {
        let group = m.params["group_id"].as_i64().unwrap();
        let text = m.params["message"][0]["data"]["text"].as_str().unwrap();
        sent.entry(group).or_default().push(text.to_owned());
    }
    let want: BTreeMap<i64, Vec<String>> = expected
        .iter()
        .map(|(g, ids)| (*g, ids.iter().map(|i| format!("re {i}")).collect()))
        .collect();
    assert_eq!(sent, want, "one action per event, in order per group");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_ws_flood_while_every_handler_awaits_an_action_never_deadlocks() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let handled = Handled::new();
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers(handled.clone()))
        .dispatch_config(dispatch_config())
        .driver_config(driver_config())
        .start()
        .await
        .unwrap();
    within("connect", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let expected = flood(&sim);
    handled.wait_len(FLOOD).await;
    within("idle", bot.dispatcher().idle()).await;
    // The driver held events beyond its channel while actions waited: the flood really went
    // past every bound.
    let peak = bot.driver().stats().read_ahead_peak;
    assert!(peak > CHANNEL as u64, "read-ahead peak {peak}");
    within("shutdown", bot.shutdown()).await.unwrap();
    check(&handled, &sim, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_ws_flood_while_every_handler_awaits_an_action_never_deadlocks() {
    let handled = Handled::new();
    let make = handled.clone();
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(move || handlers(make.clone()))
        .dispatch_config(dispatch_config())
        .driver_config(driver_config())
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    within("accept", bot.accepted().wait_for(|n| *n >= 1))
        .await
        .unwrap();
    let mut life = bot.lifecycles().pop().unwrap();
    within("connect", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let expected = flood(&sim);
    handled.wait_len(FLOOD).await;
    // Shutdown lets running handlers finish: a duplicate would show up in the count.
    within("shutdown", bot.shutdown()).await;
    check(&handled, &sim, &expected);
}
