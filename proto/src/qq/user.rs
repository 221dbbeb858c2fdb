//! The QQ user object.

use crate::Text;
use serde::{Deserialize, Serialize};

/// A QQ (guild) user: message authors, mentions, the bot itself in `READY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct User {
    /// User id (a decimal string, may exceed 64 bits' worth of digits: kept as sent).
    pub id: Text,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<Text>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Text>,
    /// Whether the user is a bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    /// The openid of a specially associated application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_openid: Option<Text>,
    /// The user account associated with `union_openid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_user_account: Option<Text>,
}

impl User {
    /// Whether the user is a bot (`false` when the field is missing).
    pub fn is_bot(&self) -> bool {
        self.bot.unwrap_or(false)
    }
}

crate::de::lenient_payload!(
    Lossy:
    User { id, username, avatar, bot, union_openid, union_user_account },
);
crate::de::serialize_derived!(User);
