//! A QQ bot whose handlers need no intent identifies with GUILDS, not `intents: 0`, as botgo's
//! and botpy's Identify do (decision 0078): computed by the builder, on the wire, and as the
//! sim recorded the session. Over loopback against `QqSim`; every wait is bounded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate::{Intents, QqBot, QqHandlers};
use botgate_sim::{QqConfig, QqSim};
use botgate_testkit::within;
use serde_json::json;

#[path = "support/qq_bot.rs"]
mod qq_bot;
use qq_bot::bot_for;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_that_need_no_intent_identify_with_guilds() {
    type Setup = fn(QqBot) -> QqBot;
    let cases: [(&str, Setup); 3] = [
        ("no handlers", |b| b.handlers(QqHandlers::new())),
        ("READY only", |b| {
            let mut h = QqHandlers::new();
            h.on_ready(|_, _| async { Ok(()) });
            b.handlers(h)
        }),
        ("explicit empty intents", |b| b.intents(Intents::empty())),
    ];
    for (name, setup) in cases {
        let sim = QqSim::start(QqConfig::default()).await.unwrap();
        let builder = setup(bot_for(&sim));
        assert_eq!(
            builder.effective_intents(),
            Intents::GUILDS,
            "{name}: computed"
        );
        assert!(builder.optional_intents().is_empty(), "{name}");
        let bot = builder.start().await.unwrap();
        within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
            .await
            .unwrap();
        let identify = sim.identify_log();
        assert_eq!(identify.len(), 1, "{name}: one Identify");
        assert_eq!(identify[0]["intents"], json!(1), "{name}: on the wire");
        assert_eq!(sim.sessions()[0].intents, 1, "{name}: as the sim recorded");
        within("shutdown", bot.shutdown()).await.unwrap();
    }
}
