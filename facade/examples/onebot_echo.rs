//! OneBot v11 echo bot: answers every group and private message with the same segments (text,
//! faces, images, ...), quoting the original message.
//!
//! Try it against the simulator (two terminals):
//!
//! ```text
//! botgate sim --platform onebot --port 8082   # prints url
//! cargo run -p botgate --example onebot_echo
//! ```
//!
//! Against an implementation (NapCat, Lagrange, LLOneBot, go-cqhttp, ...) with its forward
//! WebSocket enabled (arguments win over environment variables):
//!
//! ```text
//! cargo run -p botgate --example onebot_echo -- ws://127.0.0.1:3001 <access_token>
//! # or: BOTGATE_ONEBOT_URL=.. BOTGATE_ONEBOT_TOKEN=.. cargo run ...
//! ```
//!
//! Answers are OneBot actions called from the handler with `ctx.call(name, params)`: the
//! facade sends them over the same connection and matches the response by `echo`; the call
//! returns the response's `data` (here the new `message_id`).

use botgate::proto::onebot::segment::Segment;
use botgate::proto::onebot::Message;
use botgate::{Bot, OneBotHandlers};
use serde_json::json;

/// Positional argument `index`, else the environment variable `env`, if either is set.
fn setting(index: usize, env: &str) -> Option<String> {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(env).ok())
        .filter(|s| !s.is_empty())
}

/// The reply: a quote of `message_id`, then the segments received.
fn echo(message_id: i64, received: &Message) -> Result<serde_json::Value, serde_json::Error> {
    let mut segments = vec![Segment::reply(message_id)];
    segments.extend(received.0.iter().cloned());
    serde_json::to_value(Message(segments))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    // Default: what `botgate sim --platform onebot --port 8082` prints (no access token).
    let url = setting(1, "BOTGATE_ONEBOT_URL").unwrap_or_else(|| "ws://127.0.0.1:8082/".into());
    let token = setting(2, "BOTGATE_ONEBOT_TOKEN");

    let mut handlers = OneBotHandlers::new();
    handlers.on_lifecycle(|ctx, _event| async move {
        println!("connected as {:?}", ctx.self_id());
        Ok(())
    });
    handlers.on_group_message(|ctx, msg| async move {
        println!(
            "group {} {}: {}",
            msg.group_id,
            msg.sender.nickname,
            msg.message.plain_text()
        );
        let data = ctx
            .call(
                "send_group_msg",
                json!({"group_id": msg.group_id, "message": echo(msg.message_id, &msg.message)?}),
            )
            .await?;
        println!("  replied (message_id {})", data["message_id"]);
        Ok(())
    });
    handlers.on_private_message(|ctx, msg| async move {
        println!("private {}: {}", msg.user_id, msg.message.plain_text());
        let data = ctx
            .call(
                "send_msg",
                json!({
                    "message_type": "private",
                    "user_id": msg.user_id,
                    "message": echo(msg.message_id, &msg.message)?,
                }),
            )
            .await?;
        println!("  replied (message_id {})", data["message_id"]);
        Ok(())
    });
    // A refused action (`Rejected` with the retcode), a lost connection, a panic: logged here.
    handlers.on_error(|err| eprintln!("error: {err}"));

    let mut bot = Bot::onebot_ws(url).handlers(handlers);
    if let Some(token) = token {
        bot = bot.access_token(token);
    }
    // Runs until Ctrl-C or SIGTERM (clean close) or a fatal session error.
    bot.run().await?;
    Ok(())
}
