//! Guild members (`GUILD_MEMBER_*`) and group chat members (`GROUP_MEMBER_*`).

use crate::de::str_enum;
use serde::{Deserialize, Serialize};

use crate::Text;

use super::User;

str_enum! {
    /// What changed in a `GUILD_MEMBER_UPDATE` (2026-03 schema).
    pub enum MemberAction {
        /// The nickname changed (`nickname`).
        Nickname = "nickname",
        /// The member was unmuted.
        Unmuted = "unmuted",
        /// A role was added (`roleId`).
        RolesAdded = "roles_added",
        /// A role was removed (`roleId`).
        RolesRemoved = "roles_removed",
    }
}

/// `GUILD_MEMBER_ADD` / `_UPDATE` / `_REMOVE`, in either schema version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct GuildMember {
    /// Guild id.
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// The member's id (2026-03).
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The member (seed; 2026-03 add).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Role ids (seed update).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<i64>,
    /// Nickname (seed update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick: Option<Text>,
    /// Nickname (2026-03 update with action `nickname`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<Text>,
    /// When the member joined.
    #[serde(alias = "joined_at", skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<Text>,
    /// What changed (2026-03 update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<MemberAction>,
    /// The role added or removed.
    #[serde(alias = "role_id", skip_serializing_if = "Option::is_none")]
    pub role_id: Option<i64>,
    /// Who made the change (kick, mute, role change).
    #[serde(alias = "operator_id", skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<i64>,
}

impl GuildMember {
    /// The member's id: `userId`, else `user.id`.
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
            .or_else(|| self.user.as_ref().and_then(|u| u.id))
    }

    /// The new nickname: `nickname` or `nick`.
    pub fn nickname(&self) -> Option<&str> {
        self.nickname.as_deref().or(self.nick.as_deref())
    }
}

/// `GROUP_MEMBER_ADD` / `_REMOVE` (2026-03; the payload is not documented, so every field is
/// optional and unknown fields are kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct GroupMember {
    /// Group id.
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Group thread id.
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// The member's id.
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Who added / removed the member.
    #[serde(alias = "operator_id", skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<i64>,
    /// When the member joined.
    #[serde(alias = "joined_at", skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<Text>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl GroupMember {
    /// The member's id: `userId`, else `user.id`.
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
            .or_else(|| self.user.as_ref().and_then(|u| u.id))
    }
}

crate::de::lenient_payload!(
    Lossy:
    GuildMember {
        guild_id = "guildId" | "guild_id", user_id = "userId" | "user_id", user, roles, nick,
        nickname, joined_at = "joinedAt" | "joined_at", action, role_id = "roleId" | "role_id",
        operator_id = "operatorId" | "operator_id",
    },
    GroupMember,
);
crate::de::serialize_derived!(GuildMember, GroupMember);
