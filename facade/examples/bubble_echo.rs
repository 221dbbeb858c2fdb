//! Bubble echo bot: answers every channel message and every DM with the text it was sent
//! (`ctx.reply` answers where the event came from and quotes it).
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
//! `MESSAGE_CREATE` and `DM_MESSAGE_CREATE` (`BOT_READY` always arrives). Replies go to the
//! REST base derived from the gateway URL (`.../api/bot/gateway` → `.../api/bot/v1`, true of
//! Bubble and of the simulator); `BOTGATE_BUBBLE_REST` overrides it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use botgate::proto::bubble::Message;
use botgate::{Bot, BubbleHandlers, Context, HandlerError};

/// Positional argument `index`, else the environment variable `env`, else `default`.
fn setting(index: usize, env: &str, default: &str) -> String {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(env).ok())
        .filter(|s| !s.is_empty())
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
    fn wrote(&self, msg: &Message) -> bool {
        let me = self.0.load(Ordering::Relaxed);
        me != 0 && msg.author_id() == Some(me)
    }
}

/// The echo, for channel messages and DMs alike.
async fn echo(ctx: Context, msg: Message, me: Me) -> Result<(), HandlerError> {
    println!(
        "{} {:?}: {}",
        ctx.event_type(),
        msg.author_name(),
        msg.content
    );
    if me.wrote(&msg) || msg.content.trim().is_empty() {
        return Ok(());
    }
    let receipt = ctx.reply(msg.content.as_str()).await?;
    println!("  replied (message {:?})", receipt.message_id);
    Ok(())
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
    let rest = setting(3, "BOTGATE_BUBBLE_REST", &rest_base(&url));
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
        let me = me.clone();
        handlers.on_message_create(move |ctx, msg| echo(ctx, msg, me.clone()));
    }
    handlers.on_dm_message_create(move |ctx, msg| echo(ctx, msg, me.clone()));
    handlers.on_error(|err| eprintln!("error: {err}"));

    // Runs until Ctrl-C or SIGTERM (clean close) or a fatal session error (e.g. a rejected token).
    Bot::bubble(token)
        .gateway_url(url)
        .rest_base(rest)
        .handlers(handlers)
        .run()
        .await?;
    Ok(())
}
