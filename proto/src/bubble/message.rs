//! Messages (guild channel, DM and group chat), their deletion, pins, reactions and
//! `MENTION_CREATE`.

use serde::{Deserialize, Serialize};

use crate::Text;

use super::user::{self, Author, MentionRef, User};

/// `MESSAGE_CREATE` / `_UPDATE`, `DM_MESSAGE_CREATE` / `_UPDATE`, `GROUP_MESSAGE_CREATE` /
/// `_UPDATE`, in either schema version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Message {
    /// Message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Channel id (guild messages; the seed also uses it for DMs).
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// DM / group thread id (2026-03 DMs).
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Guild id (seed schema only).
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// Group id (group chat messages).
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Author id (2026-03 schema).
    #[serde(alias = "author_id", skip_serializing_if = "Option::is_none")]
    pub author_id: Option<i64>,
    /// The author: an object (seed) or a user name (2026-03).
    // Own rule: an object or a bare user name.
    #[serde(
        deserialize_with = "user::opt_author",
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<Author>,
    /// Text content.
    pub content: Text,
    /// Message type code (seed: `msgType: 0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_type: Option<i64>,
    /// Message type name (2026-03: `type: "text"`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    /// Where it was sent from (`web`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Text>,
    /// Mentions: user ids (seed) or objects (2026-03).
    // Own rule: user ids or mention objects, mixed.
    #[serde(
        deserialize_with = "user::mentions",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub mentions: Vec<MentionRef>,
    /// Mentioned role ids (seed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mention_roles: Vec<i64>,
    /// The message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<i64>,
    /// Attachments (`attachments`; the AlemonJS client says `attachment`).
    #[serde(alias = "attachment", skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// When it was sent (seed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Text>,
    /// When it was sent (2026-03).
    #[serde(alias = "created_at", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Text>,
    /// When it was edited (seed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_timestamp: Option<Text>,
    /// When it was edited (2026-03).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Text>,
}

impl Message {
    /// The author's id: `authorId`, else the author object's id.
    pub fn author_id(&self) -> Option<i64> {
        self.author_id
            .or_else(|| self.author.as_ref().and_then(Author::id))
    }

    /// The author's name, when known.
    pub fn author_name(&self) -> Option<&str> {
        self.author.as_ref().and_then(Author::name)
    }

    /// When it was sent: `timestamp` or `createdAt`.
    pub fn time(&self) -> Option<&str> {
        self.timestamp.as_deref().or(self.created_at.as_deref())
    }

    /// When it was edited: `editedTimestamp` or `editedAt`.
    pub fn edited_time(&self) -> Option<&str> {
        self.edited_timestamp
            .as_deref()
            .or(self.edited_at.as_deref())
    }

    /// Where it was sent: `channelId`, else `threadId`.
    pub fn channel(&self) -> Option<i64> {
        self.channel_id.or(self.thread_id)
    }

    /// The mentioned ids, whichever schema.
    pub fn mention_ids(&self) -> Vec<i64> {
        self.mentions.iter().filter_map(MentionRef::id).collect()
    }
}

/// A message attachment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Attachment {
    /// Storage path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Text>,
    /// URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    /// MIME type.
    #[serde(alias = "content_type", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<Text>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<Text>,
    /// Category (`image`, `file`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Text>,
}

/// `MESSAGE_DELETE`, `DM_MESSAGE_DELETE`, `GROUP_MESSAGE_DELETE`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct MessageDelete {
    /// The deleted message's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Channel id.
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// DM / group thread id.
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Guild id (seed schema).
    #[serde(alias = "guild_id", skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<i64>,
    /// Group id.
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// `true` (2026-03 schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

impl MessageDelete {
    /// Where it was: `channelId`, else `threadId`.
    pub fn channel(&self) -> Option<i64> {
        self.channel_id.or(self.thread_id)
    }
}

/// `MESSAGE_PIN` / `_UNPIN`, `DM_MESSAGE_PIN` / `_UNPIN`, `GROUP_MESSAGE_PIN` / `_UNPIN`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct MessagePin {
    /// The message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Channel id.
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// DM / group thread id.
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Group id.
    #[serde(alias = "group_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
}

/// `MESSAGE_REACTION_ADD` / `_REMOVE`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Reaction {
    /// The message reacted to.
    #[serde(alias = "message_id", skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// Channel id.
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// DM / group thread id.
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Who reacted.
    #[serde(alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The emoji (a Unicode emoji such as `👍`).
    pub emoji: Text,
    /// Who reacted (add only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

impl Reaction {
    /// Who reacted: `userId`, else `user.id`.
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
            .or_else(|| self.user.as_ref().and_then(|u| u.id))
    }
}

/// `MENTION_CREATE`: the bot was @-mentioned.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Mention {
    /// Channel id.
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// DM / group thread id.
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// The message that mentions the bot.
    #[serde(alias = "message_id", skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// Who mentioned the bot.
    #[serde(alias = "author_id", skip_serializing_if = "Option::is_none")]
    pub author_id: Option<i64>,
}

crate::de::lenient_payload!(
    Lossy:
    Message {
        id, channel_id = "channelId" | "channel_id", thread_id = "threadId" | "thread_id",
        guild_id = "guildId" | "guild_id", group_id = "groupId" | "group_id",
        author_id = "authorId" | "author_id", author => user::opt_author | user::direct_opt_author, content,
        msg_type = "msgType", kind = "type", platform, mentions => user::mentions,
        mention_roles = "mentionRoles", reply_to_id = "replyToId",
        attachments = "attachments" | "attachment", timestamp,
        created_at = "createdAt" | "created_at", edited_timestamp = "editedTimestamp",
        edited_at = "editedAt",
    },
    Attachment {
        path, url, content_type = "contentType" | "content_type", size, filename, category,
    },
    MessageDelete {
        id, channel_id = "channelId" | "channel_id", thread_id = "threadId" | "thread_id",
        guild_id = "guildId" | "guild_id", group_id = "groupId" | "group_id", deleted,
    },
    MessagePin {
        id, channel_id = "channelId" | "channel_id", thread_id = "threadId" | "thread_id",
        group_id = "groupId" | "group_id",
    },
    Reaction {
        message_id = "messageId" | "message_id", channel_id = "channelId" | "channel_id",
        thread_id = "threadId" | "thread_id", user_id = "userId" | "user_id", emoji, user,
    },
    Mention {
        channel_id = "channelId" | "channel_id", thread_id = "threadId" | "thread_id",
        message_id = "messageId" | "message_id", author_id = "authorId" | "author_id",
    },
);
crate::de::serialize_derived!(
    Message,
    Attachment,
    MessageDelete,
    MessagePin,
    Reaction,
    Mention
);
