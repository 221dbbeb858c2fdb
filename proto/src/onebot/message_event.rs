//! Message events: `message.private`, `message.group` and their `message_sent` twins.

use super::enums::{GroupSubType, PrivateSubType, Role, Sex};
use super::Message;

use serde::{Deserialize, Serialize};

use crate::Text;

/// The sender of a message (`sender`); group fields are absent in private chats.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Sender {
    /// The sender's id.
    pub user_id: i64,
    /// Nickname.
    pub nickname: Text,
    /// Group card (the name shown in the group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<Text>,
    /// `male`, `female` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<i32>,
    /// Area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<Text>,
    /// Group level (a string by the standard; numbers accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Text>,
    /// `owner`, `admin` or `member`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Special group title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// The group of a temp chat (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
}

/// An anonymous sender (`anonymous` of a group message).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Anonymous {
    /// Anonymous user id.
    pub id: i64,
    /// Anonymous name.
    pub name: Text,
    /// Flag to pass to `set_group_anonymous_ban`.
    pub flag: Text,
}

/// `message.private` (and `message_sent.private`): a private message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct PrivateMessage {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `message` or `message_sent`.
    pub post_type: Text,
    /// `private`.
    pub message_type: Text,
    /// `friend`, `group` (temp chat), `group_self` or `other`.
    pub sub_type: PrivateSubType,
    /// Message id (int32 by the standard; Waylay: a short id of its own).
    pub message_id: i64,
    /// The sender's id.
    pub user_id: i64,
    /// The recipient (`message_sent` only; NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<i64>,
    /// The group of a temp chat (some implementations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Where a temp chat started (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_source: Option<i32>,
    /// The message.
    pub message: Message,
    /// The raw message: CQ code by the standard, a readable summary in Waylay.
    pub raw_message: Text,
    /// Font (always 0 in practice).
    pub font: i32,
    /// The sender.
    pub sender: Sender,
    /// Message sequence (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_seq: Option<i64>,
    /// Real message id (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_id: Option<i64>,
    /// `array` or `string`: how `message` was sent (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_format: Option<Text>,
}

/// `message.group` (and `message_sent.group`): a group message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupMessage {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `message` or `message_sent`.
    pub post_type: Text,
    /// `group`.
    pub message_type: Text,
    /// `normal`, `anonymous` or `notice`.
    pub sub_type: GroupSubType,
    /// Message id.
    pub message_id: i64,
    /// The group.
    pub group_id: i64,
    /// The sender's id (80000000 for anonymous).
    pub user_id: i64,
    /// The anonymous sender, if anonymous (`null` otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<Anonymous>,
    /// The message.
    pub message: Message,
    /// The raw message: CQ code by the standard, a readable summary in Waylay.
    pub raw_message: Text,
    /// Font (always 0 in practice).
    pub font: i32,
    /// The sender.
    pub sender: Sender,
    /// Message sequence (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_seq: Option<i64>,
    /// Real message id (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_id: Option<i64>,
    /// `array` or `string`: how `message` was sent (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_format: Option<Text>,
}

crate::de::lenient_payload!(
    Strict:
    Sender { user_id, nickname, card, sex, age, area, level, role, title, group_id },
    Anonymous { id, name, flag },
    PrivateMessage {
        time, self_id, post_type, message_type, sub_type, message_id, user_id, target_id,
        group_id, temp_source, message, raw_message, font, sender, message_seq, real_id,
        message_format,
    },
    GroupMessage {
        time, self_id, post_type, message_type, sub_type, message_id, group_id, user_id,
        anonymous, message, raw_message, font, sender, message_seq, real_id, message_format,
    },
);
crate::de::serialize_derived!(Sender, Anonymous, PrivateMessage, GroupMessage);
