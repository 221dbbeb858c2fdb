//! Review of the facade's bot lifecycle (decision 0082), against the sims on 127.0.0.1.
//!
//! Synchronisation is by sim logs and lifecycle / status watch channels; every wait is
//! bounded (`botgate_testkit::within`): a bug fails the test, it does not hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate::{Bot, QqHandlers};
use botgate_sim::{Fault, HttpFault, Log, QqConfig, QqSim, Record};
use botgate_testkit::{within, Seen};

#[path = "support/qq_bot.rs"]
mod qq_bot;
use qq_bot::bot_for;

/// The close code of the first connection the sim saw end (`what`: the wait, for its panic).
async fn first_close_code(log: &Log, what: &str) -> Option<u16> {
    within(
        what,
        log.wait_for(|r| match r {
            Record::Disconnected { code, .. } => Some(*code),
            _ => None,
        }),
    )
    .await
}

/// A token refresh the platform refuses (the app secret revoked while the bot runs) stops the
/// bot, as a fatal session error does; the error-notify handler must hear of it as it hears
/// of a fatal close code. Before the fix the pump returned the token error without reporting
/// it: `on_error` saw only the reconnect, and the bot stopped in silence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_refresh_that_stops_the_bot_reaches_on_error() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 30,
        access_token: None,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let errors = Seen::new();
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(|_, _| async { Ok(()) });
    let e = errors.clone();
    handlers.on_error(move |error| e.push(error.to_string()));
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    // The token dies for the gateway, and the token endpoint refuses the app from now on.
    sim.expire_tokens();
    sim.inject_http(
        HttpFault::status(401)
            .on("/app/getAppAccessToken")
            .times(u32::MAX),
    );
    sim.inject(Fault::Drop);
    let stopped = within("the stop", life.wait_for(|l| l.stopped.is_some()))
        .await
        .map(|l| l.clone())
        .unwrap();
    let why = stopped.stopped.unwrap_or_default();
    assert!(why.contains("access token"), "{why}");
    let result = within("wait", bot.wait()).await;
    assert!(result.is_err());
    let errors = errors.now();
    assert!(
        errors.iter().any(|e| e.contains("access token")),
        "on_error never heard why the bot stopped ({why}): {errors:?}"
    );
}

/// A `RunningBot` dropped without `shutdown` (its owner's task cancelled, a `?` after
/// `start`) left no way to stop the bot, and the bot went on for good: its socket open, its
/// handlers running, its tasks alive. Dropped, it now closes its session cleanly (close
/// 1000), as a `WebhookBot` dropped stops its server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_bot_dropped_without_shutdown_closes_its_session() {
    let sim = QqSim::start_default().await.unwrap();
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(|_, _| async { Ok(()) });
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let mut status = bot.driver().status();
    drop(bot);
    let code = first_close_code(sim.log(), "the client's close after the drop").await;
    assert_eq!(code, Some(1000));
    within("the driver's end", status.wait_for(|s| s.stopped))
        .await
        .unwrap();
    let stopped = within("the pump's end", life.wait_for(|l| l.stopped.is_some()))
        .await
        .map(|l| l.stopped.clone())
        .unwrap();
    assert_eq!(stopped.as_deref(), Some(""), "a clean stop");
}

/// A `ReverseBot` dropped without `shutdown`: its accept loop ran on for good (the port
/// stayed bound, new connections were accepted and served) and its connections stayed open.
/// Dropped, it now stops accepting and closes its connections cleanly, as `shutdown` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reverse_bot_dropped_without_shutdown_closes_its_connections_and_listener() {
    use botgate_sim::{OneBotConfig, OneBotSim};
    let bot = Bot::onebot_reverse("127.0.0.1:0").start().await.unwrap();
    let addr = bot.local_addr();
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    sim.connect_reverse(&format!("ws://{addr}/")).unwrap();
    within("the account", bot.account_count().wait_for(|n| *n >= 1))
        .await
        .unwrap();
    let mut account = bot.account(&bot.account_ids()[0]).unwrap();
    drop(bot);
    let code = first_close_code(sim.log(), "the listener's close after the drop").await;
    assert_eq!(code, Some(1000));
    let stopped = within(
        "the account's stop",
        account.wait_for(|l| l.stopped.is_some()),
    )
    .await
    .map(|l| l.stopped.clone())
    .unwrap();
    assert_eq!(stopped.as_deref(), Some(""));
}
