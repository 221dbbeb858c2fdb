//! OneBot runtime review (decision 0072): what a `ctx.reply` makes of the send action's
//! answer, as implementations give it, against the sim on loopback.
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs and
//! channels only.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use botgate::dispatch::onebot::OneBot;
use botgate::dispatch::ReplyErrorKind;
use botgate::{Bot, OneBotHandlers, RunningBot};
use botgate_sim::{OneBotConfig, OneBotSim};
use botgate_testkit::{within, Seen};
use serde_json::{json, Value};

fn group_message(id: i64, text: &str) -> Value {
    json!({
        "time": 1712640000, "self_id": 123456789, "post_type": "message",
        "message_type": "group", "sub_type": "normal", "message_id": id,
        "group_id": 987654321, "user_id": 111222333,
        "message": [{"type": "text", "data": {"text": text}}], "raw_message": text, "font": 0,
        "sender": {"user_id": 111222333, "nickname": "n"},
    })
}

/// A bot whose group-message handler replies and records the receipt's id (or the error).
type Receipts = Seen<Result<Option<String>, ReplyErrorKind>>;
type OneBotRunning = RunningBot<OneBot, botgate::session::onebot::Session>;

async fn replying_bot(sim: &OneBotSim) -> (Receipts, OneBotRunning) {
    let seen = Seen::new();
    let mut handlers = OneBotHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_group_message(move |ctx, _msg| {
            let seen = seen.clone();
            async move {
                let result = ctx.reply("pong").await;
                seen.push(
                    result
                        .as_ref()
                        .map(|r| r.message_id.clone())
                        .map_err(|e| e.kind().clone()),
                );
                Ok(())
            }
        });
    }
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("connect", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    (seen, bot)
}

/// The send succeeded: an implementation that names the new message by a string id that is
/// no number (or a numeric one, or a number) gives a receipt with that id, not an error that
/// invites a second send. Before: `Rejected { code: 0, "the answer has no message_id" }`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_answered_with_a_string_message_id_is_sent_with_that_id() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let (seen, bot) = replying_bot(&sim).await;
    let answers = [
        (
            json!("BAC3HLRYvXdUAAAAAAXHhaQ=="),
            Some("BAC3HLRYvXdUAAAAAAXHhaQ=="),
        ),
        (json!("-2147483000"), Some("-2147483000")),
        (json!(-2147483000_i64), Some("-2147483000")),
    ];
    for (n, (id, _)) in answers.iter().enumerate() {
        sim.set_action_response(
            "send_group_msg",
            json!({"status": "ok", "retcode": 0, "data": {"message_id": id}}),
        );
        sim.push_event(group_message(n as i64 + 1, "ping"));
        seen.wait_len(n + 1).await;
    }
    let got = seen.now();
    for (n, (_, want)) in answers.iter().enumerate() {
        assert_eq!(got[n], Ok(want.map(String::from)), "answer {n}: {got:?}");
    }
    assert_eq!(sim.actions().len(), answers.len(), "one send per reply");
    bot.shutdown().await.unwrap();
}

/// `async` (retcode 1, `data: null`: the standard's answer of a queued send) names no
/// message: the receipt has no id. Before: the id "0", which names no message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_answered_async_has_no_message_id() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let (seen, bot) = replying_bot(&sim).await;
    sim.set_action_response(
        "send_group_msg",
        json!({"status": "async", "retcode": 1, "data": null}),
    );
    sim.push_event(group_message(1, "ping"));
    assert_eq!(seen.wait_len(1).await, [Ok(None)]);
    bot.shutdown().await.unwrap();
}
