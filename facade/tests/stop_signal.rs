//! A gateway bot's `until_ctrl_c` (what `run()` ends with) stops cleanly on SIGTERM too, as a
//! service under systemd or Docker is stopped (review of stop 30: only Ctrl-C was heard, and a
//! SIGTERM killed the bot without its close frame). Its own test binary: the signal goes to the
//! whole process.

use botgate::{Bot, QqHandlers};
use botgate_sim::{QqSim, Record};
use botgate_testkit::within;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_gateway_bot_closes_cleanly_on_sigterm() {
    // A listener of our own first: with the process-wide handler installed, a SIGTERM sent
    // before the bot listens does not end the test process.
    let mut ours = signal(SignalKind::terminate()).unwrap();
    let sim = QqSim::start_default().await.unwrap();
    let bot = Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
    .handlers(QqHandlers::new())
    .start()
    .await
    .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let mut run = tokio::spawn(bot.until_ctrl_c());
    // The bot's listener is made when its task first runs: signal until it has heard one.
    let ended = within("the bot stopping on SIGTERM", async {
        loop {
            let sent = std::process::Command::new("kill")
                .args(["-TERM", &std::process::id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            ours.recv().await;
            if let Ok(ended) = tokio::time::timeout(Duration::from_millis(200), &mut run).await {
                return ended;
            }
        }
    })
    .await;
    ended.unwrap().unwrap();
    // The close frame reached the simulator: a clean close, not a killed process.
    within(
        "the bot's close frame",
        sim.log().wait_for(|r| match r {
            Record::Disconnected {
                code: Some(1000), ..
            } => Some(()),
            _ => None,
        }),
    )
    .await;
}
