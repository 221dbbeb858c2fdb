//! Interactions (`INTERACTION_CREATE`): button clicks and the like.

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

int_enum! {
    /// Interaction type (`type`).
    pub enum InteractionType {
        /// Ping.
        Ping = 1,
        /// Application command.
        Command = 2,
        /// A message button (keyboard) click.
        MessageButton = 11,
        /// A C2C quick-menu click.
        C2cQuickMenu = 12,
    }
}

int_enum! {
    /// Interaction data type (`data.type`): selects the shape of `data.resolved`.
    pub enum InteractionDataType {
        /// Chat search.
        ChatSearch = 9,
        /// Inline keyboard button click.
        InlineKeyboardClick = 11,
        /// Callback command click.
        CallbackCommandClick = 12,
        /// Message feedback (like / dislike) click.
        MessageFeedbackClick = 13,
        /// Clear-session click.
        ClearSessionClick = 14,
    }
}

int_enum! {
    /// Where the interaction happened (`chat_type`).
    pub enum ChatType {
        /// A guild channel.
        Guild = 0,
        /// A group.
        Group = 1,
        /// A C2C (private) chat.
        C2c = 2,
    }
}

/// `INTERACTION_CREATE`. Answer with `PUT /interactions/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Interaction {
    /// Interaction id (answer with it).
    pub id: Text,
    /// Application (bot) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Text>,
    /// Interaction type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<InteractionType>,
    /// Scene: `guild`, `group` or `c2c`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<Text>,
    /// Chat type (0 guild, 1 group, 2 C2C).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_type: Option<ChatType>,
    /// The interaction data.
    pub data: InteractionData,
    /// Guild id (guild scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Text>,
    /// Channel id (guild scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Text>,
    /// Group openid (group scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_openid: Option<Text>,
    /// The clicking member's openid (group scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_member_openid: Option<Text>,
    /// The user's openid (C2C scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_openid: Option<Text>,
    /// When it happened (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Text>,
    /// Version (1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

impl Interaction {
    /// Who triggered it, whatever the scene: `group_member_openid`, `user_openid`, or
    /// `data.resolved.user_id`.
    pub fn user(&self) -> Option<&str> {
        self.group_member_openid
            .as_deref()
            .or(self.user_openid.as_deref())
            .or(self.data.resolved.user_id.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// `data` of an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct InteractionData {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Data type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<InteractionDataType>,
    /// The resolved data (button data, ids).
    pub resolved: Resolved,
}

/// `data.resolved` of an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Resolved {
    /// The button's data (set when the keyboard was sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button_data: Option<Text>,
    /// The button's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button_id: Option<Text>,
    /// Who clicked (guild scene).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Text>,
    /// Feature id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<Text>,
    /// The message the button belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Text>,
    /// What was searched for (chat search, `data.type` 9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<Text>,
    /// Fields this version does not model (their shape depends on `data.type`), kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

crate::de::lenient_payload!(
    Lossy:
    Interaction {
        id, application_id, kind = "type", scene, chat_type, data, guild_id, channel_id, group_openid,
        group_member_openid, user_openid, timestamp, version,
    },
    InteractionData { name, kind = "type", resolved },
    Resolved,
);
crate::de::serialize_derived!(Interaction, InteractionData, Resolved);
// Read by its serde pass (its unmodelled keys go to `extra`).
crate::de::direct_by_serde!(Resolved);
