//! `QqBot::start_sharded`: as many shards as `/gateway/bot` recommends, one Identify each with
//! the right `[id, count]`, all feeding one dispatcher; events of guilds on different shards
//! all reach the handlers, in order per channel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate::{Bot, QqHandlers};
use botgate_sim::{QqConfig, QqSim};
use serde_json::json;
use tokio::sync::Notify;

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recommended_shard_identifies_and_gets_its_guilds_events() {
    let sim = QqSim::start(QqConfig {
        shards: 3,
        session_start_limit: (1000, 999, 14_400_000, 3),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let notify = Arc::new(Notify::new());
    let mut handlers = QqHandlers::new();
    {
        let (seen, notify) = (Arc::clone(&seen), Arc::clone(&notify));
        handlers.on_at_message_create(move |_, msg| {
            let (seen, notify) = (Arc::clone(&seen), Arc::clone(&notify));
            async move {
                seen.lock().unwrap().push(String::from(msg.id));
                notify.notify_one();
                Ok(())
            }
        });
    }
    let c = sim.config().clone();
    let bot = Bot::qq(c.app_id, c.client_secret)
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .handlers(handlers)
        .start_sharded()
        .await
        .unwrap();
    assert_eq!(bot.shards().len(), 3);
    for mut life in bot.lifecycles() {
        tokio::time::timeout(LIMIT, life.wait_for(|l| l.readies >= 1))
            .await
            .unwrap()
            .unwrap();
    }
    let mut shards: Vec<_> = sim
        .identify_log()
        .iter()
        .map(|d| {
            (
                d["shard"][0].as_u64().unwrap(),
                d["shard"][1].as_u64().unwrap(),
            )
        })
        .collect();
    shards.sort_unstable();
    assert_eq!(shards, [(0, 3), (1, 3), (2, 3)]);

    // guild ids on shards 0, 1 and 2 ((id >> 22) % 3), one channel each
    let guilds = [0u64, 1 << 22, 2 << 22];
    for i in 0..6 {
        let guild = guilds[i % 3];
        let delivered = sim.push_event(
            "AT_MESSAGE_CREATE",
            json!({"id": format!("m{i}"), "channel_id": format!("c{guild}"),
                   "guild_id": guild.to_string(), "content": "hi", "author": {"id": "3"}}),
        );
        assert_eq!(delivered, 1, "one shard per guild");
    }
    tokio::time::timeout(LIMIT, async {
        while seen.lock().unwrap().len() < 6 {
            notify.notified().await;
        }
    })
    .await
    .unwrap();
    tokio::time::timeout(LIMIT, bot.dispatcher().idle())
        .await
        .unwrap();
    let mut got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 6, "each event handled exactly once: {got:?}");
    // per channel (= per shard here) in order
    for first in 0..3 {
        let chan: Vec<_> = got
            .iter()
            .filter(|id| {
                let n: usize = id[1..].parse().unwrap();
                n % 3 == first
            })
            .cloned()
            .collect();
        assert_eq!(chan, [format!("m{first}"), format!("m{}", first + 3)]);
    }
    got.sort();
    assert_eq!(got, ["m0", "m1", "m2", "m3", "m4", "m5"]);
    bot.shutdown().await.unwrap();
}

/// `session_start_limit` (`remaining` identifies until `reset_after`): an Identify over the
/// budget waits for the reset. Both were sent at once before (a real gateway refuses them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifies_over_the_session_start_budget_wait_for_its_reset() {
    const RESET: Duration = Duration::from_millis(1500);
    // No identify left: the one shard identifies after the reset, not at once.
    let sim = QqSim::start(QqConfig {
        session_start_limit: (1000, 0, RESET.as_millis() as u64, 1),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let c = sim.config().clone();
    let before = std::time::Instant::now();
    let bot = Bot::qq(c.app_id, c.client_secret)
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .start()
        .await
        .unwrap();
    let mut life = bot.lifecycle();
    tokio::time::timeout(LIMIT, life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap()
        .unwrap();
    let times = sim.identify_times();
    assert_eq!(times.len(), 1);
    assert!(
        times[0].1 - before >= RESET,
        "identified {:?} after start",
        times[0].1 - before
    );
    bot.shutdown().await.unwrap();

    // One left, two shards that may identify together: the second waits for the reset.
    let sim = QqSim::start(QqConfig {
        shards: 2,
        session_start_limit: (1000, 1, RESET.as_millis() as u64, 2),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let c = sim.config().clone();
    let before = std::time::Instant::now();
    let bot = Bot::qq(c.app_id, c.client_secret)
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .start_sharded()
        .await
        .unwrap();
    for mut life in bot.lifecycles() {
        tokio::time::timeout(LIMIT, life.wait_for(|l| l.readies >= 1))
            .await
            .unwrap()
            .unwrap();
    }
    let mut after: Vec<Duration> = sim
        .identify_times()
        .iter()
        .map(|(_, t)| *t - before)
        .collect();
    after.sort_unstable();
    assert_eq!(after.len(), 2);
    assert!(
        after[0] < RESET,
        "the identify in the budget goes at once: {after:?}"
    );
    assert!(after[1] >= RESET, "the one over it waits: {after:?}");
    bot.shutdown().await.unwrap();
}

/// An identify that waits for the budget's reset does not go out with the token fetched at
/// start when that token will not last until then: a fresh one is fetched when the wait ends
/// (before, the stale token was sent, refused with 4004, and a second Identify spent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_during_the_budget_wait_is_refreshed_before_identify() {
    const RESET: Duration = Duration::from_millis(2500);
    let sim = QqSim::start(QqConfig {
        token_expires_in: 2,
        session_start_limit: (1000, 0, RESET.as_millis() as u64, 1),
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let c = sim.config().clone();
    let bot = Bot::qq(c.app_id, c.client_secret)
        .api_base(sim.http_base())
        .auth_base(sim.http_base())
        .start()
        .await
        .unwrap();
    let mut life = bot.lifecycle();
    tokio::time::timeout(LIMIT, life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap()
        .unwrap();
    let identifies = sim.identify_log();
    assert_eq!(
        identifies.len(),
        1,
        "one Identify, with a live token: {identifies:?}"
    );
    let tokens = sim.issued_tokens();
    assert_eq!(
        identifies[0]["token"],
        format!("QQBot {}", tokens.last().unwrap()),
        "the newest token: {tokens:?}"
    );
    assert_eq!(sim.identify_times().len(), 1);
    bot.shutdown().await.unwrap();
}
