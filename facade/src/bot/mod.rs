//! [`Bot`]: builders that join a session (over a real WebSocket) to a dispatcher.
//!
//! ```no_run
//! # async fn demo() -> Result<(), botgate::Error> {
//! use botgate::{Bot, QqHandlers};
//!
//! let mut handlers = QqHandlers::new();
//! handlers.on_at_message_create(|_ctx, msg| async move {
//!     println!("{:?}: {}", msg.author.username, msg.content);
//!     Ok(())
//! });
//! // intents (here PUBLIC_GUILD_MESSAGES) are computed from the handlers
//! Bot::qq("102000001", "app-secret").handlers(handlers).run().await
//! # }
//! ```

mod actions;
mod error;
mod glue;
mod onebot;
mod persist;
mod qq;
mod reverse;
mod running;
mod sharded;
mod stop;

mod bubble;

mod bubble_webhook;
mod qq_webhook;
mod webhook;
mod webhook_setters;

pub use bubble_webhook::BubbleWebhookBot;
pub use qq_webhook::QqWebhookBot;
pub use webhook::WebhookBot;

pub use bubble::BubbleBot;
pub use error::{Error, ErrorKind};
pub use glue::Glue;
pub use onebot::OneBotBot;
pub use qq::QqBot;
pub use reverse::{OneBotReverse, ReverseBot, ReverseNotice};
pub use running::{Lifecycle, RunningBot};
pub use sharded::ShardedBot;
pub use stop::SHUTDOWN_GRACE;

use std::sync::Arc;

use botgate_dispatch::{BotInfo, Dispatcher};
use botgate_session::driver::{self, DriverConfig};
use tokio::sync::watch;

use botgate_transport::qq::TokenSource;
use persist::SessionTrack;
use running::Pump;

/// Entry point: one builder per platform.
#[derive(Debug)]
pub struct Bot(());

impl Bot {
    /// A QQ bot that fetches (and refreshes) its access token with the app id and secret.
    pub fn qq(app_id: impl Into<String>, secret: impl Into<String>) -> QqBot {
        QqBot::with_app_secret(app_id.into(), secret.into())
    }

    /// A QQ bot with a fixed gateway token: `QQBot <access token>`, the legacy
    /// `Bot <app id>.<token>`, or a bare access token (sent as `QQBot <token>` in Identify and
    /// REST alike). A rejected fixed token is fatal (no retry loop).
    pub fn qq_with_token(token: impl Into<String>) -> QqBot {
        QqBot::with_fixed_token(token.into())
    }

    /// A Bubble bot (the token goes into `Authorization: Bearer` at the upgrade).
    pub fn bubble(token: impl Into<String>) -> BubbleBot {
        BubbleBot::new(token.into())
    }

    /// A QQ bot in webhook (HTTP callback) mode: QQ POSTs each event to the server this
    /// binds (see [`QqWebhookBot::bind`]); deliveries are verified with the key of `secret`,
    /// and replies use the OpenAPI with the access token of `app_id` + `secret`.
    pub fn qq_webhook(app_id: impl Into<String>, secret: impl Into<String>) -> QqWebhookBot {
        QqWebhookBot::new(app_id.into(), secret.into())
    }

    /// A Bubble bot in webhook mode: Bubble POSTs each event to the server this binds;
    /// `token` is the bot token `ctx.reply` sends with (set the signing secret with
    /// [`BubbleWebhookBot::webhook_secret`]).
    pub fn bubble_webhook(token: impl Into<String>) -> BubbleWebhookBot {
        BubbleWebhookBot::new(token.into())
    }

    /// A OneBot v11 bot that connects to an implementation's forward WebSocket (`ws://...`).
    pub fn onebot_ws(url: impl Into<String>) -> OneBotBot {
        OneBotBot::new(url.into())
    }

    /// A OneBot v11 reverse-WS listener on `addr` (e.g. `127.0.0.1:8080`): the implementation
    /// connects to us (Waylay, NapCat, ...); many bot accounts may share it.
    pub fn onebot_reverse(addr: impl Into<String>) -> OneBotReverse {
        OneBotReverse::new(addr.into())
    }
}

/// Starts the driver and the pump for a machine and a dispatcher of its own.
fn launch<P: Glue>(
    machine: P::Machine,
    dispatcher: Dispatcher<P>,
    bot: BotInfo,
    tokens: Option<TokenSource>,
    driver_config: &DriverConfig,
    with_actions: impl FnOnce(&Arc<driver::DriverHandle<P::Machine>>, BotInfo) -> BotInfo,
) -> RunningBot<P, P::Machine> {
    launch_shared(
        machine,
        Arc::new(dispatcher),
        true,
        bot,
        tokens,
        (driver_config, None),
        with_actions,
    )
}

/// Starts the driver and the pump for a machine; `owns_dispatcher: false` when several
/// sessions (QQ shards) feed one dispatcher. `session`: the driver's settings and, with a
/// session store, what this session has handled (its driver settings then save it).
fn launch_shared<P: Glue>(
    machine: P::Machine,
    dispatcher: Arc<Dispatcher<P>>,
    owns_dispatcher: bool,
    bot: BotInfo,
    tokens: Option<TokenSource>,
    session: (&DriverConfig, Option<Arc<SessionTrack>>),
    with_actions: impl FnOnce(&Arc<driver::DriverHandle<P::Machine>>, BotInfo) -> BotInfo,
) -> RunningBot<P, P::Machine> {
    let (driver_config, track) = session;
    let (handle, events) = driver::run(machine, driver_config);
    let handle = Arc::new(handle);
    let bot = with_actions(&handle, bot);
    dispatcher.set_bot(bot.clone());
    let (lifecycle_tx, lifecycle) = watch::channel(Lifecycle::default());
    let pump = Pump {
        events,
        dispatcher: Arc::clone(&dispatcher),
        driver: Arc::clone(&handle),
        bot,
        tokens,
        lifecycle: lifecycle_tx,
        owns_dispatcher,
        track,
    };
    let pump = tokio::spawn(pump.run());
    let close_on_drop = running::CloseOnDrop::new(&handle, &dispatcher);
    RunningBot {
        dispatcher,
        driver: handle,
        pump,
        lifecycle,
        close_on_drop,
    }
}
