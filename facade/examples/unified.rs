//! One set of command handlers for every platform: `/ping` answers `pong`, `/echo <text>`
//! answers the text, on QQ (guild and group @-mentions, C2C, guild DMs), Bubble (channel
//! messages, DMs) and OneBot v11 (group and private messages), all in one process.
//!
//! The handlers are written once, against the unified event model: [`register`] is generic
//! over the platform and uses `on_message(Filter, ..)`, so each bot subscribes to (QQ: asks the
//! intents of, Bubble: subscribes to) exactly the message events that feed the unified
//! `message` category, and nothing else is decoded. `ctx.reply` answers on whichever platform
//! the event came from, as a passive reply where the platform has one.
//!
//! Try it against the simulators (four terminals):
//!
//! ```text
//! botgate sim --platform qq --port 8080
//! botgate sim --platform bubble --port 8081
//! botgate sim --platform onebot --port 8082
//! cargo run -p botgate --example unified            # all three; or name some: -- qq onebot
//! ```
//!
//! Credentials and URLs come from the same environment variables as the single-platform
//! examples (`BOTGATE_QQ_APP_ID`, `BOTGATE_QQ_SECRET`, `BOTGATE_QQ_API_BASE`,
//! `BOTGATE_QQ_AUTH_BASE`, `BOTGATE_BUBBLE_TOKEN`, `BOTGATE_BUBBLE_URL`,
//! `BOTGATE_BUBBLE_REST`, `BOTGATE_ONEBOT_URL`, `BOTGATE_ONEBOT_TOKEN`), defaulting to what
//! the simulators above print.

use std::future::Future;

use botgate::dispatch::{Handlers, Unified, Unify};
use botgate::{Bot, BubbleHandlers, Filter, OneBotHandlers, QqHandlers};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The commands, for any platform whose unified event is [`Unified`].
fn register<P: Unify<Unified = Unified>>(handlers: &mut Handlers<P>) {
    // Every message, for the log (handlers of one event run in registration order).
    handlers.on_message(Filter::new(), |_ctx, event| async move {
        log(&event);
        Ok(())
    });
    handlers.on_message(Filter::new().command("/ping"), |ctx, _event| async move {
        ctx.reply("pong").await?;
        Ok(())
    });
    handlers.on_message(Filter::new().command("/echo"), |ctx, event| async move {
        let text = event.plain_text();
        // The filter matched `/echo` as the first word after any leading mention.
        let args = text.split_once("/echo").map_or("", |(_, rest)| rest.trim());
        if !args.is_empty() {
            ctx.reply(args).await?;
        }
        Ok(())
    });
}

/// One line per handled message: platform, scene, who, what.
fn log(event: &Unified) {
    println!(
        "[{:?}] {:?} {}: {}",
        event.platform,
        event.contact.scene,
        event.user_id,
        event.plain_text().trim()
    );
}

/// The environment variable `env`, else `default`.
fn env_or(env: &str, default: &str) -> String {
    std::env::var(env)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

async fn qq() -> Result<(), BoxError> {
    let app_id = env_or("BOTGATE_QQ_APP_ID", "102000001");
    let secret = env_or("BOTGATE_QQ_SECRET", "sim-client-secret");
    let api_base = env_or("BOTGATE_QQ_API_BASE", "http://127.0.0.1:8080");
    let default_auth = if api_base.starts_with("http://") {
        api_base.clone()
    } else {
        botgate::transport::qq::AUTH_BASE.to_owned()
    };
    let auth_base = env_or("BOTGATE_QQ_AUTH_BASE", &default_auth);
    let mut handlers = QqHandlers::new();
    register(&mut handlers);
    handlers.on_error(|err| eprintln!("[qq] error: {err}"));
    let bot = Bot::qq(app_id, secret)
        .api_base(api_base)
        .auth_base(auth_base)
        .handlers(handlers);
    println!(
        "[qq] intents from the unified handlers: {}",
        bot.effective_intents()
    );
    bot.run().await?;
    Ok(())
}

async fn bubble() -> Result<(), BoxError> {
    let token = env_or("BOTGATE_BUBBLE_TOKEN", "sim-bubble-token");
    let url = env_or("BOTGATE_BUBBLE_URL", "ws://127.0.0.1:8081/api/bot/gateway");
    // `.../api/bot/gateway` → `.../api/bot/v1` (Bubble and the simulator alike).
    let derived = url
        .replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1)
        .replace("/api/bot/gateway", "/api/bot/v1");
    let rest = env_or("BOTGATE_BUBBLE_REST", &derived);
    let mut handlers = BubbleHandlers::new();
    register(&mut handlers);
    handlers.on_error(|err| eprintln!("[bubble] error: {err}"));
    println!("[bubble] subscribing to {:?}", handlers.subscriptions());
    Bot::bubble(token)
        .gateway_url(url)
        .rest_base(rest)
        .handlers(handlers)
        .run()
        .await?;
    Ok(())
}

async fn onebot() -> Result<(), BoxError> {
    let url = env_or("BOTGATE_ONEBOT_URL", "ws://127.0.0.1:8082/");
    let mut handlers = OneBotHandlers::new();
    register(&mut handlers);
    handlers.on_error(|err| eprintln!("[onebot] error: {err}"));
    let mut bot = Bot::onebot_ws(url).handlers(handlers);
    if let Ok(token) = std::env::var("BOTGATE_ONEBOT_TOKEN") {
        bot = bot.access_token(token);
    }
    bot.run().await?;
    Ok(())
}

/// Runs `bot` if `enabled`, and says how it ended.
async fn maybe(
    name: &'static str,
    enabled: bool,
    bot: impl Future<Output = Result<(), BoxError>>,
) -> Result<(), BoxError> {
    if !enabled {
        return Ok(());
    }
    let result = bot.await;
    match &result {
        Ok(()) => println!("[{name}] stopped"),
        Err(e) => eprintln!("[{name}] stopped: {e}"),
    }
    result
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing_subscriber::fmt::init();
    let mut chosen: Vec<String> = std::env::args().skip(1).collect();
    if chosen.is_empty() {
        chosen = vec!["qq".into(), "bubble".into(), "onebot".into()];
    }
    if let Some(other) = chosen
        .iter()
        .find(|p| !matches!(p.as_str(), "qq" | "bubble" | "onebot"))
    {
        return Err(format!("unknown platform {other:?} (qq, bubble, onebot)").into());
    }
    let want = |p: &str| chosen.iter().any(|c| c == p);
    // The bots run side by side on this task until Ctrl-C or SIGTERM (each closes its session cleanly)
    // or their own fatal error. (`tokio::join!` rather than `tokio::spawn`: the future of
    // `run()` is not `Send` today.)
    let (q, b, o) = tokio::join!(
        maybe("qq", want("qq"), qq()),
        maybe("bubble", want("bubble"), bubble()),
        maybe("onebot", want("onebot"), onebot()),
    );
    q.and(b).and(o)
}
