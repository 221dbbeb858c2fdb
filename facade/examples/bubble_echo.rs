//! Bubble echo bot: answers every channel message and every DM with the text it was sent.
//!
//! Try it against the simulator (two terminals):
//!
//! ```text
//! botgate sim --platform bubble --port 8081   # prints url and token
//! cargo run -p botgate --example bubble_echo
//! ```
//!
//! Against Bubble itself (arguments win over environment variables):
//!
//! ```text
//! cargo run -p botgate --example bubble_echo -- <token> wss://bubble.alemonjs.com/api/bot/gateway
//! # or: BOTGATE_BUBBLE_TOKEN=.. BOTGATE_BUBBLE_URL=.. cargo run ...
//! ```
//!
//! The bot subscribes (op 30) to exactly the event types it has handlers for: here
//! `MESSAGE_CREATE` and `DM_MESSAGE_CREATE` (`BOT_READY` always arrives).
//!
//! The bot facade does not have `ctx.reply` yet, so replies go through the transport layer's
//! REST client ([`botgate::transport::bubble::Rest`]), whose base is derived from the gateway
//! URL (`.../api/bot/gateway` → `.../api/bot/v1`, which holds for Bubble and for the
//! simulator); `BOTGATE_BUBBLE_REST` overrides it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use botgate::proto::bubble::api::SendMessage;
use botgate::proto::bubble::Message;
use botgate::transport::bubble::{Rest, RestConfig};
use botgate::transport::http::HttpClient;
use botgate::transport::Secret;
use botgate::{Bot, BubbleHandlers};

/// Positional argument `index`, else the environment variable `env`, else `default`.
fn setting(index: usize, env: &str, default: &str) -> String {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(env).ok())
        .unwrap_or_else(|| default.to_owned())
}

/// `ws://host/api/bot/gateway` → `http://host/api/bot/v1` (and `wss` → `https`).
fn rest_base(gateway: &str) -> String {
    let http = if let Some(rest) = gateway.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = gateway.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        gateway.to_owned()
    };
    let trimmed = http.trim_end_matches('/');
    match trimmed.strip_suffix("/gateway") {
        Some(root) => format!("{root}/v1"),
        None => format!("{trimmed}/v1"),
    }
}

/// The bot's own user id, once BOT_READY told it (0: not yet): its own messages are not
/// echoed, so two echo bots cannot talk forever.
#[derive(Clone, Default)]
struct Me(Arc<AtomicI64>);

impl Me {
    fn is(&self, msg: &Message) -> bool {
        let me = self.0.load(Ordering::Relaxed);
        me != 0 && msg.author_id() == Some(me)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    // Defaults: what `botgate sim --platform bubble --port 8081` prints.
    let token = setting(1, "BOTGATE_BUBBLE_TOKEN", "sim-bubble-token");
    let url = setting(
        2,
        "BOTGATE_BUBBLE_URL",
        "ws://127.0.0.1:8081/api/bot/gateway",
    );
    let rest_base = setting(3, "BOTGATE_BUBBLE_REST", &rest_base(&url));

    let rest = Rest::new(
        HttpClient::new()?,
        Secret::new(token.clone()),
        RestConfig {
            base: rest_base,
            ..RestConfig::default()
        },
    );
    let me = Me::default();

    let mut handlers = BubbleHandlers::new();
    {
        let me = me.clone();
        handlers.on_bot_ready(move |_ctx, ready| {
            let me = me.clone();
            async move {
                if let Some(id) = ready.bot_user_id() {
                    me.0.store(id, Ordering::Relaxed);
                }
                println!(
                    "ready as bot {:?} (user {:?})",
                    ready.bot_id(),
                    ready.bot_user_id()
                );
                Ok(())
            }
        });
    }
    {
        let (rest, me) = (rest.clone(), me.clone());
        handlers.on_message_create(move |_ctx, msg| {
            let (rest, me) = (rest.clone(), me.clone());
            async move {
                println!(
                    "#{:?} {:?}: {}",
                    msg.channel_id,
                    msg.author_name(),
                    msg.content
                );
                let (Some(channel), false) = (msg.channel_id, me.is(&msg)) else {
                    return Ok(());
                };
                let mut reply = SendMessage::text(msg.content.clone());
                if let Some(id) = msg.id {
                    reply = reply.reply_to(id);
                }
                let sent = rest.send_channel(channel, &reply).await?;
                println!("  replied (message {:?})", sent.id);
                Ok(())
            }
        });
    }
    {
        let (rest, me) = (rest.clone(), me.clone());
        handlers.on_dm_message_create(move |_ctx, msg| {
            let (rest, me) = (rest.clone(), me.clone());
            async move {
                println!("DM {:?}: {}", msg.author_name(), msg.content);
                if me.is(&msg) {
                    return Ok(());
                }
                let reply = SendMessage::text(msg.content.clone());
                // A DM names its thread; older payloads only the author.
                let sent = match (msg.thread_id, msg.author_id()) {
                    (Some(thread), _) => rest.send_dm(thread, &reply).await?,
                    (None, Some(user)) => rest.send_to_user(user, &reply).await?,
                    (None, None) => return Ok(()),
                };
                println!("  replied (message {:?})", sent.id);
                Ok(())
            }
        });
    }
    handlers.on_error(|err| eprintln!("error: {err}"));

    // Runs until Ctrl-C (clean close) or a fatal session error (e.g. a rejected token).
    Bot::bubble(token)
        .gateway_url(url)
        .handlers(handlers)
        .run()
        .await?;
    Ok(())
}
