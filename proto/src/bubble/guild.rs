//! Guilds, channels and roles (seed schema only: `GUILD_*`, `CHANNEL_*`, `GUILD_ROLE_*`).

use serde::{Deserialize, Serialize};

use crate::Text;

use super::GuildMember;

/// `GUILD_CREATE` / `_UPDATE` / `_DELETE` (delete carries only `id`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Guild {
    /// Guild id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Guild name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Owner's user id.
    #[serde(alias = "owner_id", skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    /// Icon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Text>,
    /// Channels (create).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Members (create).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<GuildMember>,
}

/// `CHANNEL_CREATE` / `_UPDATE` / `_DELETE` (delete carries `id` and `guildId`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Channel {
    /// Channel id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Guild id.
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// Channel name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Channel type code.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<i64>,
    /// Sort position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Parent (category) id.
    #[serde(alias = "parent_id", skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
}

/// `GUILD_ROLE_CREATE` / `_UPDATE` (with `role`) and `GUILD_ROLE_DELETE` (with `roleId`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct GuildRole {
    /// Guild id.
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// The role (create / update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The role id (delete).
    #[serde(alias = "role_id", skip_serializing_if = "Option::is_none")]
    pub role_id: Option<i64>,
}

impl GuildRole {
    /// The role's id: `roleId`, else `role.id`.
    pub fn role_id(&self) -> Option<i64> {
        self.role_id
            .or_else(|| self.role.as_ref().and_then(|r| r.id))
    }
}

/// A guild role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Role {
    /// Role id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Role name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Colour (`#3498db`; a number is kept as its decimal string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Text>,
    /// Permission bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<i64>,
}

crate::de::lenient_payload!(
    Lossy:
    Guild { id, name, owner_id = "ownerId" | "owner_id", icon, channels, members },
    Channel {
        id, guild_id = "guildId" | "guild_id", name, kind = "type", position,
        parent_id = "parentId" | "parent_id",
    },
    GuildRole { guild_id = "guildId" | "guild_id", role, role_id = "roleId" | "role_id" },
    Role { id, name, color, permissions },
);
crate::de::serialize_derived!(Guild, Channel, GuildRole, Role);
