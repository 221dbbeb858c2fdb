//! `BOT_READY`, normalising the three shapes in circulation (spec `bubble.md` §1.2):
//!
//! - seed: `{"bot":{id,name},"guilds":[…]}`
//! - gateway page: `{"bot":{id,name,botUser},"subscribedGuilds":[…],"subscribedDMs":[…],
//!   "availableEvents":[…]}`
//! - AlemonJS client: `{"session_id","resume_gateway_url","guilds","dm_threads",
//!   "available_events"}`
//!
//! All spellings are read (a frame carrying two spellings of the same list is merged, not
//! rejected); serialization writes one canonical camelCase shape.

use serde::{Deserialize, Serialize};

use crate::Text;

/// `BOT_READY`, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(from = "Wire", rename_all = "camelCase")]
pub struct BotReady {
    /// Session id, when the server offers resuming (`sessionId` / `session_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Text>,
    /// Where to resume (`resumeGatewayUrl` / `resume_gateway_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_gateway_url: Option<Text>,
    /// The bot (absent in the client's shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotInfo>,
    /// Guilds the connection is subscribed to (`guilds` / `subscribedGuilds`).
    pub guilds: Vec<GuildRef>,
    /// DM threads the connection is subscribed to (`subscribedDMs` / `dm_threads`).
    pub dm_threads: Vec<DmThread>,
    /// Event types the bot may subscribe to (`availableEvents` / `available_events`).
    pub available_events: Vec<Text>,
}

impl BotReady {
    /// The bot application's id (`bot.id`).
    pub fn bot_id(&self) -> Option<i64> {
        self.bot.as_ref().and_then(|b| b.id)
    }

    /// The bot's user id: `bot.botUser.id`, else `bot.id` (the seed shape has only that).
    pub fn bot_user_id(&self) -> Option<i64> {
        let bot = self.bot.as_ref()?;
        bot.bot_user.as_ref().and_then(|u| u.id).or(bot.id)
    }

    /// Whether the server offers resuming this session.
    pub fn is_resumable(&self) -> bool {
        self.session_id.as_deref().is_some_and(|s| !s.is_empty())
    }
}

/// The bot in `BOT_READY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct BotInfo {
    /// Bot (application) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Bot name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// The bot's own user account.
    #[serde(alias = "bot_user", skip_serializing_if = "Option::is_none")]
    pub bot_user: Option<BotUser>,
}

/// The bot's user account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct BotUser {
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
}

/// A guild in `BOT_READY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct GuildRef {
    /// Guild id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Guild name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
}

/// A DM thread in `BOT_READY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct DmThread {
    /// Thread id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The other user's id.
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

/// Every spelling of every shape, each its own field, so two spellings in one frame never
/// clash.
#[derive(Default, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
struct Wire {
    #[serde(rename = "sessionId")]
    session_id_camel: Option<Text>,
    #[serde(rename = "session_id")]
    session_id_snake: Option<Text>,
    #[serde(rename = "resumeGatewayUrl")]
    resume_camel: Option<Text>,
    #[serde(rename = "resume_gateway_url")]
    resume_snake: Option<Text>,
    bot: Option<BotInfo>,
    guilds: Vec<GuildRef>,
    #[serde(rename = "subscribedGuilds")]
    subscribed_guilds: Vec<GuildRef>,
    #[serde(rename = "subscribedDMs")]
    subscribed_dms: Vec<DmThread>,
    #[serde(rename = "dmThreads")]
    dm_threads_camel: Vec<DmThread>,
    #[serde(rename = "dm_threads")]
    dm_threads_snake: Vec<DmThread>,
    #[serde(rename = "availableEvents")]
    available_camel: Vec<Text>,
    #[serde(rename = "available_events")]
    available_snake: Vec<Text>,
}

/// Appends the items of `more` that `into` does not have yet.
fn merge<T: PartialEq>(mut into: Vec<T>, more: Vec<T>) -> Vec<T> {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
    into
}

impl From<Wire> for BotReady {
    fn from(w: Wire) -> Self {
        BotReady {
            session_id: w.session_id_camel.or(w.session_id_snake),
            resume_gateway_url: w.resume_camel.or(w.resume_snake),
            bot: w.bot,
            guilds: merge(w.guilds, w.subscribed_guilds),
            dm_threads: merge(
                merge(w.subscribed_dms, w.dm_threads_camel),
                w.dm_threads_snake,
            ),
            available_events: merge(w.available_camel, w.available_snake),
        }
    }
}

crate::de::lenient_payload!(
    Lossy:
    BotReady,
    BotInfo { id, name, bot_user = "botUser" | "bot_user" },
    BotUser { id, name },
    GuildRef { id, name },
    DmThread { id, user_id = "userId" | "user_id" },
    Wire,
);
crate::de::serialize_derived!(BotReady, BotInfo, BotUser, GuildRef, DmThread);
