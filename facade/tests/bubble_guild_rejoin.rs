//! A Bubble bot over loopback, both sim profiles: a guild left and joined again inside the
//! dedupe window reaches the handlers every time (decision 0076: the dedupe keys a delivery,
//! not the guild).
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs and what
//! the handlers saw only.
#![allow(clippy::expect_used)] // the shared body runs outside a #[test] fn

use botgate::{Bot, BubbleHandlers};
use botgate_sim::bubble::Profile;
use botgate_sim::{BubbleConfig, BubbleSim, Record};
use botgate_testkit::{within, Seen};
use serde_json::json;

/// The `t` of a frame the sim sent.
fn sent_type(record: &Record) -> Option<&str> {
    record.sent().and_then(|f| f["t"].as_str())
}

async fn rejoin_is_delivered(profile: Profile) {
    let sim = BubbleSim::start(BubbleConfig {
        profile,
        ..BubbleConfig::default()
    })
    .await
    .expect("the sim starts");
    let seen = Seen::new();
    let mut handlers = BubbleHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_guild_create(move |_, guild| {
            let seen = seen.clone();
            async move {
                seen.push(format!("create {:?}", guild.id));
                Ok(())
            }
        });
    }
    {
        let seen = seen.clone();
        handlers.on_guild_delete(move |_, guild| {
            let seen = seen.clone();
            async move {
                seen.push(format!("delete {:?}", guild.id));
                Ok(())
            }
        });
    }
    let bot = Bot::bubble(sim.config().token.clone())
        .gateway_url(sim.url())
        .handlers(handlers)
        .start()
        .await
        .expect("the bot starts");
    within(
        "EVENTS_SUBSCRIBED",
        sim.log()
            .wait_for(|r| (sent_type(r) == Some("EVENTS_SUBSCRIBED")).then_some(())),
    )
    .await;

    let guild = json!({"id": 10, "name": "My Server", "ownerId": 1});
    sim.push_event("GUILD_CREATE", guild.clone());
    sim.push_event("GUILD_DELETE", json!({"id": 10}));
    sim.push_event("GUILD_CREATE", guild);
    assert_eq!(
        seen.wait_len(3).await,
        ["create Some(10)", "delete Some(10)", "create Some(10)"],
        "{profile:?}"
    );
    within("idle", bot.dispatcher().idle()).await;
    assert_eq!(bot.dispatcher().stats().duplicates, 0, "{profile:?}");
    within("shutdown", bot.shutdown())
        .await
        .expect("a clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejoined_guild_is_delivered_by_the_strict_gateway() {
    rejoin_is_delivered(Profile::Strict).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejoined_guild_is_delivered_by_the_extended_gateway() {
    rejoin_is_delivered(Profile::Extended).await;
}
