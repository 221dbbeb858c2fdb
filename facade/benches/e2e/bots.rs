//! One bot per platform with one no-op handler (typed or unified) that only touches the probe.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use botgate::{Bot, BubbleHandlers, Filter, OneBotHandlers, QqHandlers};
use botgate_sim::blast::Platform;

use crate::probe::Probe;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Typed,
    Unified,
}

impl Handler {
    pub fn name(self) -> &'static str {
        match self {
            Self::Typed => "typed",
            Self::Unified => "unified",
        }
    }
}

pub type Stop = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>>>;

/// Starts the bot against `url`; `stamped`: pass the message id to the probe.
pub async fn start(
    platform: Platform,
    handler: Handler,
    url: &str,
    probe: &Arc<Probe>,
    stamped: bool,
) -> Result<Stop, String> {
    let p = Arc::clone(probe);
    let stop: Stop = match (platform, handler) {
        (Platform::Qq, _) => {
            let mut h = QqHandlers::new();
            match handler {
                Handler::Typed => h.on_at_message_create(move |_, msg| {
                    p.hit(stamped.then_some(msg.id.as_str()));
                    async { Ok(()) }
                }),
                Handler::Unified => h.on_message(Filter::new(), move |_, ev| {
                    p.hit(ev.message_id.as_deref().filter(|_| stamped));
                    async { Ok(()) }
                }),
            };
            let bot = Bot::qq_with_token("QQBot blast")
                .gateway_url(url)
                .handlers(h)
                .start()
                .await
                .map_err(|e| e.to_string())?;
            Box::new(move || Box::pin(async move { drop(bot.shutdown().await) }))
        }
        (Platform::Bubble, _) => {
            let mut h = BubbleHandlers::new();
            match handler {
                Handler::Typed => h.on_message_create(move |_, msg| {
                    let id = stamped.then(|| msg.id.unwrap_or_default().to_string());
                    p.hit(id.as_deref());
                    async { Ok(()) }
                }),
                Handler::Unified => h.on_message(Filter::new(), move |_, ev| {
                    p.hit(ev.message_id.as_deref().filter(|_| stamped));
                    async { Ok(()) }
                }),
            };
            let bot = Bot::bubble("blast")
                .gateway_url(url)
                .handlers(h)
                .start()
                .await
                .map_err(|e| e.to_string())?;
            Box::new(move || Box::pin(async move { drop(bot.shutdown().await) }))
        }
        (_, _) => {
            let mut h = OneBotHandlers::new();
            match handler {
                Handler::Typed => h.on_group_message(move |_, msg| {
                    let id = stamped.then(|| msg.message_id.to_string());
                    p.hit(id.as_deref());
                    async { Ok(()) }
                }),
                Handler::Unified => h.on_message(Filter::new(), move |_, ev| {
                    p.hit(ev.message_id.as_deref().filter(|_| stamped));
                    async { Ok(()) }
                }),
            };
            let bot = Bot::onebot_ws(url)
                .handlers(h)
                .start()
                .await
                .map_err(|e| e.to_string())?;
            Box::new(move || Box::pin(async move { drop(bot.shutdown().await) }))
        }
    };
    Ok(stop)
}
