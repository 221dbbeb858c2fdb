//! One command handler for every platform: `/ping` answers `pong`, `/echo <text>` answers the
//! text, on QQ (guild @-mentions, group @-mentions), Bubble (channel messages) and OneBot v11
//! (group and private messages), all in one process.
//!
//! Honest status: botgate-dispatch has unified handlers (`handlers.on_message(Filter, ..)`
//! over a `Unify` platform), but no platform implements `Unify` yet. So the unified part is
//! written by hand here: one async function, [`answer`], over a small [`Incoming`] message,
//! called from each platform's typed handler after a few lines of conversion; each platform
//! then sends the answer its own way (QQ and Bubble through the transport layer's REST clients,
//! since the facade has no `ctx.reply` yet; OneBot with `ctx.call`). Once the platforms
//! implement `Unify`, the conversions disappear into `on_message(Filter::new().command(..))`.
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
//! `BOTGATE_QQ_AUTH_BASE`, `BOTGATE_BUBBLE_TOKEN`, `BOTGATE_BUBBLE_URL`, `BOTGATE_ONEBOT_URL`,
//! `BOTGATE_ONEBOT_TOKEN`), defaulting to what the simulators above print.

use botgate::proto::bubble::api::SendMessage;
use botgate::proto::qq::api::MessageToCreate;
use botgate::transport::bubble::{Rest, RestConfig};
use botgate::transport::http::HttpClient;
use botgate::transport::qq::{AppCredentials, OpenApi, OpenApiConfig, Target, TokenSource};
use botgate::transport::Secret;
use botgate::{Bot, BubbleHandlers, OneBotHandlers, QqHandlers};
use std::future::Future;

use serde_json::json;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A message as the shared logic sees it, whatever the platform.
#[derive(Debug, Clone)]
struct Incoming {
    /// `qq`, `bubble` or `onebot`.
    platform: &'static str,
    /// Where it was said (channel, group, user), for the log.
    chat: String,
    /// Who said it.
    user: String,
    /// Its plain text, mentions removed.
    text: String,
}

/// The one handler: what to answer, if anything.
async fn answer(msg: Incoming) -> Option<String> {
    println!(
        "[{}] {} in {}: {}",
        msg.platform, msg.user, msg.chat, msg.text
    );
    let text = msg.text.trim();
    if text == "/ping" {
        Some("pong".to_owned())
    } else {
        text.strip_prefix("/echo ")
            .map(|rest| rest.trim().to_owned())
            .filter(|rest| !rest.is_empty())
    }
}

/// The environment variable `env`, else `default`.
fn env_or(env: &str, default: &str) -> String {
    std::env::var(env)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// QQ text without the leading `<@!id>` mentions.
fn strip_mentions(content: &str) -> String {
    let mut rest = content.trim_start();
    while rest.starts_with("<@") {
        match rest.find('>') {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    rest.trim_end().to_owned()
}

/// The QQ bot: guild and group @-mentions, answered over the OpenAPI.
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
    let http = HttpClient::new()?;
    let credentials =
        AppCredentials::new(app_id.clone(), secret.clone()).with_auth_base(&auth_base);
    let mut config = OpenApiConfig::production();
    config.api_base = api_base.clone();
    let api = OpenApi::new(http.clone(), TokenSource::app(http, credentials), config);

    let mut handlers = QqHandlers::new();
    {
        let api = api.clone();
        handlers.on_at_message_create(move |_ctx, msg| {
            let api = api.clone();
            async move {
                let incoming = Incoming {
                    platform: "qq",
                    chat: format!("channel {}", msg.channel_id),
                    user: msg.author.username.clone().unwrap_or(msg.author.id),
                    text: strip_mentions(&msg.content),
                };
                if let Some(reply) = answer(incoming).await {
                    let reply = MessageToCreate::text(reply).reply_to(msg.id);
                    api.send(&Target::Channel(msg.channel_id), reply).await?;
                }
                Ok(())
            }
        });
    }
    handlers.on_group_at_message_create(move |_ctx, msg| {
        let api = api.clone();
        async move {
            let incoming = Incoming {
                platform: "qq",
                chat: format!("group {}", msg.group_openid),
                user: msg.author.member_openid.clone(),
                text: strip_mentions(&msg.content),
            };
            if let Some(reply) = answer(incoming).await {
                let reply = MessageToCreate::text(reply).reply_to(msg.id);
                api.send(&Target::Group(msg.group_openid), reply).await?;
            }
            Ok(())
        }
    });
    handlers.on_error(|err| eprintln!("[qq] error: {err}"));
    Bot::qq(app_id, secret)
        .api_base(api_base)
        .auth_base(auth_base)
        .handlers(handlers)
        .run()
        .await?;
    Ok(())
}

/// The Bubble bot: channel messages, answered over REST.
async fn bubble() -> Result<(), BoxError> {
    let token = env_or("BOTGATE_BUBBLE_TOKEN", "sim-bubble-token");
    let url = env_or("BOTGATE_BUBBLE_URL", "ws://127.0.0.1:8081/api/bot/gateway");
    // `.../api/bot/gateway` → `.../api/bot/v1` (Bubble and the simulator alike).
    let base = url
        .replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1)
        .replace("/api/bot/gateway", "/api/bot/v1");
    let rest = Rest::new(
        HttpClient::new()?,
        Secret::new(token.clone()),
        RestConfig {
            base,
            ..RestConfig::default()
        },
    );
    let mut handlers = BubbleHandlers::new();
    handlers.on_message_create(move |_ctx, msg| {
        let rest = rest.clone();
        async move {
            let incoming = Incoming {
                platform: "bubble",
                chat: format!("channel {:?}", msg.channel_id),
                user: msg.author_name().unwrap_or("?").to_owned(),
                text: msg.content.clone(),
            };
            if let (Some(reply), Some(channel)) = (answer(incoming).await, msg.channel_id) {
                let mut reply = SendMessage::text(reply);
                if let Some(id) = msg.id {
                    reply = reply.reply_to(id);
                }
                rest.send_channel(channel, &reply).await?;
            }
            Ok(())
        }
    });
    handlers.on_error(|err| eprintln!("[bubble] error: {err}"));
    Bot::bubble(token)
        .gateway_url(url)
        .handlers(handlers)
        .run()
        .await?;
    Ok(())
}

/// The OneBot bot: group and private messages, answered with `ctx.call`.
async fn onebot() -> Result<(), BoxError> {
    let url = env_or("BOTGATE_ONEBOT_URL", "ws://127.0.0.1:8082/");
    let mut handlers = OneBotHandlers::new();
    handlers.on_group_message(|ctx, msg| async move {
        let incoming = Incoming {
            platform: "onebot",
            chat: format!("group {}", msg.group_id),
            user: msg.sender.nickname.clone(),
            text: msg.message.plain_text(),
        };
        if let Some(reply) = answer(incoming).await {
            let message = json!([{"type": "text", "data": {"text": reply}}]);
            ctx.call(
                "send_group_msg",
                json!({"group_id": msg.group_id, "message": message}),
            )
            .await?;
        }
        Ok(())
    });
    handlers.on_private_message(|ctx, msg| async move {
        let incoming = Incoming {
            platform: "onebot",
            chat: "private".to_owned(),
            user: msg.user_id.to_string(),
            text: msg.message.plain_text(),
        };
        if let Some(reply) = answer(incoming).await {
            let message = json!([{"type": "text", "data": {"text": reply}}]);
            ctx.call(
                "send_msg",
                json!({"message_type": "private", "user_id": msg.user_id, "message": message}),
            )
            .await?;
        }
        Ok(())
    });
    handlers.on_error(|err| eprintln!("[onebot] error: {err}"));
    let mut bot = Bot::onebot_ws(url).handlers(handlers);
    if let Ok(token) = std::env::var("BOTGATE_ONEBOT_TOKEN") {
        bot = bot.access_token(token);
    }
    bot.run().await?;
    Ok(())
}

/// Runs `bot` if `enabled`.
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
    // The bots run side by side on this task until Ctrl-C (each closes its session cleanly)
    // or their own fatal error. (`tokio::join!` rather than `tokio::spawn`: the future of
    // `run()` is not `Send` today.)
    let (q, b, o) = tokio::join!(
        maybe("qq", want("qq"), qq()),
        maybe("bubble", want("bubble"), bubble()),
        maybe("onebot", want("onebot"), onebot()),
    );
    q.and(b).and(o)
}
