//! Message events: `message.private`, `message.group` and their `message_sent` twins.

use super::enums::{GroupSubType, PrivateSubType, Role, Sex};
use super::Message;
use crate::de;
use serde::{Deserialize, Serialize};

/// The sender of a message (`sender`); group fields are absent in private chats.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sender {
    /// The sender's id.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// Nickname.
    #[serde(deserialize_with = "de::string")]
    pub nickname: String,
    /// Group card (the name shown in the group).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub card: Option<String>,
    /// `male`, `female` or `unknown`.
    #[serde(deserialize_with = "de::opt", skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Age.
    #[serde(
        deserialize_with = "de::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub age: Option<i32>,
    /// Area.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub area: Option<String>,
    /// Group level (a string by the standard; numbers accepted).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub level: Option<String>,
    /// `owner`, `admin` or `member`.
    #[serde(deserialize_with = "de::opt", skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Special group title.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<String>,
    /// The group of a temp chat (go-cqhttp).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<i64>,
}

/// An anonymous sender (`anonymous` of a group message).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Anonymous {
    /// Anonymous user id.
    #[serde(deserialize_with = "de::i64")]
    pub id: i64,
    /// Anonymous name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Flag to pass to `set_group_anonymous_ban`.
    #[serde(deserialize_with = "de::string")]
    pub flag: String,
}

/// `message.private` (and `message_sent.private`): a private message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivateMessage {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `message` or `message_sent`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `private`.
    #[serde(deserialize_with = "de::string")]
    pub message_type: String,
    /// `friend`, `group` (temp chat), `group_self` or `other`.
    pub sub_type: PrivateSubType,
    /// Message id (int32 by the standard; Waylay: a short id of its own).
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
    /// The sender's id.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The recipient (`message_sent` only; NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub target_id: Option<i64>,
    /// The group of a temp chat (some implementations).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<i64>,
    /// Where a temp chat started (go-cqhttp).
    #[serde(
        deserialize_with = "de::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub temp_source: Option<i32>,
    /// The message.
    pub message: Message,
    /// The raw message: CQ code by the standard, a readable summary in Waylay.
    #[serde(deserialize_with = "de::string")]
    pub raw_message: String,
    /// Font (always 0 in practice).
    #[serde(deserialize_with = "de::i32")]
    pub font: i32,
    /// The sender.
    #[serde(deserialize_with = "de::or_default")]
    pub sender: Sender,
    /// Message sequence (NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_seq: Option<i64>,
    /// Real message id (NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub real_id: Option<i64>,
    /// `array` or `string`: how `message` was sent (NapCat).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_format: Option<String>,
}

/// `message.group` (and `message_sent.group`): a group message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupMessage {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `message` or `message_sent`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group`.
    #[serde(deserialize_with = "de::string")]
    pub message_type: String,
    /// `normal`, `anonymous` or `notice`.
    pub sub_type: GroupSubType,
    /// Message id.
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The sender's id (80000000 for anonymous).
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The anonymous sender, if anonymous (`null` otherwise).
    #[serde(deserialize_with = "de::opt", skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<Anonymous>,
    /// The message.
    pub message: Message,
    /// The raw message: CQ code by the standard, a readable summary in Waylay.
    #[serde(deserialize_with = "de::string")]
    pub raw_message: String,
    /// Font (always 0 in practice).
    #[serde(deserialize_with = "de::i32")]
    pub font: i32,
    /// The sender.
    #[serde(deserialize_with = "de::or_default")]
    pub sender: Sender,
    /// Message sequence (NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_seq: Option<i64>,
    /// Real message id (NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub real_id: Option<i64>,
    /// `array` or `string`: how `message` was sent (NapCat).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_format: Option<String>,
}
