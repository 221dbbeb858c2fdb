//! QQ echo bot: answers every @-mention in a guild channel, and every @-mention in a group, with
//! the text it was sent, as a passive reply (`ctx.reply` quotes the message id).
//!
//! Try it against the simulator (two terminals):
//!
//! ```text
//! botgate sim --platform qq --port 8080   # prints app_id, client_secret, api_base
//! cargo run -p botgate --example qq_echo
//! ```
//!
//! Against QQ itself pass your credentials (arguments win over environment variables):
//!
//! ```text
//! cargo run -p botgate --example qq_echo -- <app_id> <client_secret> https://api.sgroup.qq.com
//! # or: BOTGATE_QQ_APP_ID=.. BOTGATE_QQ_SECRET=.. BOTGATE_QQ_API_BASE=.. cargo run ...
//! ```
//!
//! `BOTGATE_QQ_AUTH_BASE` sets where access tokens come from (default: the API base for a plain
//! `http://` base such as the simulator's, `https://bots.qq.com` otherwise). The bot fetches
//! and refreshes its access token itself, for the gateway and for the replies.

use botgate::{Bot, QqHandlers};

/// Positional argument `index`, else the environment variable `env`, else `default`.
fn setting(index: usize, env: &str, default: &str) -> String {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(env).ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The text of a message without the leading `<@!id>` / `<@id>` mentions.
fn strip_mentions(content: &str) -> &str {
    let mut rest = content.trim_start();
    while rest.starts_with("<@") {
        match rest.find('>') {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    rest.trim_end()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    // Defaults: what `botgate sim --platform qq --port 8080` prints.
    let app_id = setting(1, "BOTGATE_QQ_APP_ID", "102000001");
    let secret = setting(2, "BOTGATE_QQ_SECRET", "sim-client-secret");
    let api_base = setting(3, "BOTGATE_QQ_API_BASE", "http://127.0.0.1:8080");
    let default_auth = if api_base.starts_with("http://") {
        api_base.clone()
    } else {
        botgate::transport::qq::AUTH_BASE.to_owned()
    };
    let auth_base = setting(4, "BOTGATE_QQ_AUTH_BASE", &default_auth);

    let mut handlers = QqHandlers::new();
    handlers.on_ready(|_ctx, ready| async move {
        println!("ready as {:?}", ready.user.username);
        Ok(())
    });
    // AT_MESSAGE_CREATE: someone @-mentioned the bot in a guild channel.
    handlers.on_at_message_create(|ctx, msg| async move {
        let text = strip_mentions(&msg.content);
        println!("#{} {:?}: {text}", msg.channel_id, msg.author.username);
        if !text.is_empty() {
            // Sent to the channel the event came from, quoting it (`msg_id`): a passive reply.
            let receipt = ctx.reply(text).await?;
            println!("  replied (message {:?})", receipt.message_id);
        }
        Ok(())
    });
    // GROUP_AT_MESSAGE_CREATE: someone @-mentioned the bot in a group.
    handlers.on_group_at_message_create(|ctx, msg| async move {
        let text = strip_mentions(&msg.content);
        println!("group {}: {text}", msg.group_openid);
        if !text.is_empty() {
            let receipt = ctx.reply(text).await?;
            println!("  replied (message {:?})", receipt.message_id);
        }
        Ok(())
    });
    // Handler errors (a refused reply, ...), panics and reconnects land here; the bot goes on.
    handlers.on_error(|err| eprintln!("error: {err}"));

    // The intents (PUBLIC_GUILD_MESSAGES | GROUP_AND_C2C_EVENT) come from the handlers.
    let bot = Bot::qq(app_id, secret)
        .api_base(api_base)
        .auth_base(auth_base)
        .handlers(handlers);
    println!("intents: {}", bot.effective_intents());
    // Runs until Ctrl-C or SIGTERM (clean close) or a fatal session error (e.g. a rejected secret).
    bot.run().await?;
    Ok(())
}
