//! Guilds, channels and guild members (`GUILD_*`, `CHANNEL_*`, `GUILD_MEMBER_*`).

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

use super::User;

/// A guild (频道): `GUILD_CREATE` / `GUILD_UPDATE` / `GUILD_DELETE`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Guild {
    /// Guild id.
    pub id: Text,
    /// Guild name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Icon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Text>,
    /// Owner's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Text>,
    /// Whether the bot is the owner (wire name `owner`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<bool>,
    /// Member count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    /// Member limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_members: Option<i64>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// When the bot joined (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<Text>,
    /// Channels, when the event carries them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Associated world id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_world_id: Option<Text>,
    /// Associated organisation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_org_id: Option<Text>,
    /// Who made the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_user_id: Option<Text>,
}

int_enum! {
    /// Channel type (`type`); unknown codes are kept in `Other`.
    pub enum ChannelType {
        /// Text channel.
        Text = 0,
        /// Voice channel.
        Voice = 2,
        /// Category (a group of channels).
        Category = 4,
        /// Live channel.
        Live = 10005,
        /// Application channel.
        Application = 10006,
        /// Forum channel.
        Forum = 10007,
    }
}

int_enum! {
    /// Channel sub type (`sub_type`); unknown codes are kept in `Other`.
    pub enum ChannelSubType {
        /// Chat (闲聊, the default).
        Chat = 0,
        /// Announcements (公告).
        Notice = 1,
        /// Guides (攻略).
        Guide = 2,
        /// Team games (开黑).
        TeamGame = 3,
    }
}

/// A channel (子频道): `CHANNEL_CREATE` / `CHANNEL_UPDATE` / `CHANNEL_DELETE`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Channel {
    /// Channel id.
    pub id: Text,
    /// Guild id.
    pub guild_id: Text,
    /// Channel name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Channel type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChannelType>,
    /// Channel sub type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<ChannelSubType>,
    /// Sort position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Category id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Text>,
    /// Creator's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Text>,
    /// Visibility: 0 public, 1 owner and admins, 2 owner, admins and chosen members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_type: Option<i64>,
    /// Members that can see a private channel.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub private_user_ids: Vec<Text>,
    /// Who may speak: 1 everyone, 2 chosen members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speak_permission: Option<i64>,
    /// Application id of an application channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Text>,
    /// The bot's permissions in the channel (a bit set as a decimal string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Text>,
    /// Who made the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_user_id: Option<Text>,
}

/// A guild member: `GUILD_MEMBER_ADD` / `UPDATE` / `REMOVE`, and `member` in messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Member {
    /// Guild id (member events only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Text>,
    /// The user (member events only; messages carry `author` instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Nickname in the guild.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick: Option<Text>,
    /// Role ids.
    pub roles: Vec<Text>,
    /// When the member joined (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<Text>,
    /// Who made the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_user_id: Option<Text>,
}

crate::de::lenient_payload!(
    Lossy:
    Guild {
        id, name, icon, owner_id, owner, member_count, max_members, description, joined_at,
        channels, union_world_id, union_org_id, op_user_id,
    },
    Channel {
        id, guild_id, name, kind = "type", sub_type, position, parent_id, owner_id, private_type,
        private_user_ids, speak_permission, application_id, permissions, op_user_id,
    },
    Member { guild_id, user, nick, roles, joined_at, op_user_id },
);
crate::de::serialize_derived!(Guild, Channel, Member);
