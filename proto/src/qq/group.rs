//! Group and C2C events: `GROUP_AT_MESSAGE_CREATE`, `C2C_MESSAGE_CREATE`, robot / friend
//! events, subscription-message status and `ENTER_AIO`.

use crate::Text;
use serde::{Deserialize, Serialize};

use super::{Attachment, MessageReference, MessageScene};

/// The author of a group message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupAuthor {
    /// Author id (the member openid).
    pub id: Text,
    /// The member's openid in this group.
    pub member_openid: Text,
    /// Union openid, when the bot has an associated application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_openid: Option<Text>,
}

/// Someone @-mentioned in a group or C2C message (`mentions[]`, as botpy reads it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupMention {
    /// The mentioned user's id.
    pub id: Text,
    /// Their member openid in the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_openid: Option<Text>,
    /// Their user openid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_openid: Option<Text>,
    /// Nickname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<Text>,
    /// Whether the mentioned user is a bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    /// Whether it is this bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_you: Option<bool>,
    /// `single` (one user) or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Text>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GROUP_AT_MESSAGE_CREATE`: a message that @-mentions the bot in a group.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupMessage {
    /// Message id (use it as `msg_id` for a passive reply).
    pub id: Text,
    /// Text content (the @bot mention is removed, often leaving a leading space).
    pub content: Text,
    /// When it was sent (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Text>,
    /// The author.
    pub author: GroupAuthor,
    /// Group id (same value as `group_openid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Text>,
    /// Group openid.
    pub group_openid: Text,
    /// Attachments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Who is @-mentioned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<GroupMention>,
    /// Where the message came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_scene: Option<MessageScene>,
    /// The message this one quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
}

/// The author of a C2C message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct C2cAuthor {
    /// Author id (the user openid).
    pub id: Text,
    /// The user's openid for this bot.
    pub user_openid: Text,
    /// Union openid, when the bot has an associated application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_openid: Option<Text>,
}

/// `C2C_MESSAGE_CREATE`: a private message to the bot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct C2cMessage {
    /// Message id (use it as `msg_id` for a passive reply).
    pub id: Text,
    /// Text content.
    pub content: Text,
    /// When it was sent (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Text>,
    /// The author.
    pub author: C2cAuthor,
    /// Attachments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Who is @-mentioned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<GroupMention>,
    /// Where the message came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_scene: Option<MessageScene>,
    /// The message this one quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
}

/// `GROUP_ADD_ROBOT`, `GROUP_DEL_ROBOT`, `GROUP_MSG_REJECT`, `GROUP_MSG_RECEIVE`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupRobotEvent {
    /// Group openid.
    pub group_openid: Text,
    /// Who did it (member openid).
    pub op_member_openid: Text,
    /// When (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

/// `FRIEND_ADD`, `FRIEND_DEL`, `C2C_MSG_REJECT`, `C2C_MSG_RECEIVE`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct FriendEvent {
    /// The user's openid.
    pub openid: Text,
    /// When (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Nickname (announced, not always sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick: Option<Text>,
    /// Avatar URL (announced, not always sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Text>,
}

/// `SUBSCRIBE_MESSAGE_STATUS`: a user or group changed its subscription-template grants.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SubscribeMessageStatus {
    /// Group openid, for a group subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_openid: Option<Text>,
    /// User openid, for a user subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openid: Option<Text>,
    /// One result per template.
    pub result: Vec<SubscribeResult>,
}

/// One template's grant change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SubscribeResult {
    /// Official template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<i64>,
    /// Custom template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_template_id: Option<Text>,
    /// Operation: 1 allowed, 2 refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<i64>,
    /// Subscription id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe_id: Option<Text>,
    /// When the status changed (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_ts: Option<u64>,
}

/// `ENTER_AIO`: a user opened the chat window with the bot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct EnterAio {
    /// The user's openid.
    pub user_openid: Text,
    /// Where the user came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_source: Option<Text>,
}

crate::de::lenient_payload!(
    Lossy:
    GroupAuthor { id, member_openid, union_openid },
    GroupMention,
    GroupMessage {
        id, content, timestamp, author, group_id, group_openid, attachments, mentions,
        message_scene, message_reference,
    },
    C2cAuthor { id, user_openid, union_openid },
    C2cMessage {
        id, content, timestamp, author, attachments, mentions, message_scene, message_reference,
    },
    GroupRobotEvent { group_openid, op_member_openid, timestamp },
    FriendEvent { openid, timestamp, nick, avatar },
    SubscribeMessageStatus { group_openid, openid, result },
    SubscribeResult { template_id, custom_template_id, op, subscribe_id, update_ts },
    EnterAio { user_openid, from_source },
);
// Read by its serde pass (its unmodelled keys go to `extra`).
crate::de::direct_by_serde!(GroupMention);
crate::de::serialize_derived!(
    GroupMention,
    GroupAuthor,
    GroupMessage,
    C2cAuthor,
    C2cMessage,
    GroupRobotEvent,
    FriendEvent,
    SubscribeMessageStatus,
    SubscribeResult,
    EnterAio
);
