//! Notification events of the 2026-03 schema: `READ_STATE_UPDATE`, `APPLICATION_*` /
//! `APPLY_*`, `NOTICE_*` and `GROUP_THREAD_UPDATE`. Only `READ_STATE_UPDATE` is documented; the
//! others keep every field they do not model in `extra`.

use crate::de::str_enum;
use serde::{Deserialize, Serialize};

use crate::Text;

str_enum! {
    /// What a read state is about.
    pub enum ReadStateKind {
        /// A channel.
        Channel = "channel",
        /// A guild.
        Guild = "guild",
        /// A DM thread.
        Dm = "dm",
    }
}

/// `READ_STATE_UPDATE`: unread state (red dot) changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct ReadState {
    /// What the id names.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ReadStateKind>,
    /// Channel, guild or DM id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Last message read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_read_message_id: Option<i64>,
    /// Unread messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<u64>,
    /// Unread mentions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mention_count: Option<u64>,
}

/// `APPLICATION_CREATE` / `_UPDATE` and their aliases `APPLY_CREATE` / `_UPDATE` (undocumented
/// payload).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Application {
    /// Application id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Application type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Text>,
    /// Applicant.
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Guild applied to.
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// Group applied to.
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// When it was created.
    #[serde(alias = "created_at", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Text>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `NOTICE_CREATE` / `_UPDATE` (undocumented payload).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Notice {
    /// Notice id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Notice type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    /// Text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Text>,
    /// Who it is for / about.
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// When it was created.
    #[serde(alias = "created_at", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Text>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GROUP_THREAD_UPDATE` (undocumented payload).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct GroupThread {
    /// Thread id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Group id.
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Thread name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

crate::de::lenient_payload!(
    Lossy:
    ReadState {
        kind = "type", id, last_read_message_id = "lastReadMessageId",
        unread_count = "unreadCount", mention_count = "mentionCount",
    },
    Application,
    Notice,
    GroupThread,
);
crate::de::serialize_derived!(ReadState, Application, Notice, GroupThread);
