//! Notices that are not in the v11 standard but common in its implementations.

use crate::de;
use crate::onebot::enums::{EssenceSubType, ReactionSubType};
use serde::{Deserialize, Serialize};

/// `notice.notify.title`: a member's special title changed (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TitleNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `notify`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `title`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The member.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The new title.
    #[serde(deserialize_with = "de::string")]
    pub title: String,
}

/// `notice.notify.input_status`: the peer is typing (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InputStatusNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `notify`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `input_status`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// The peer.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The group, if any (NapCat sends 0).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<i64>,
    /// Status text (`对方正在输入...`).
    #[serde(deserialize_with = "de::string")]
    pub status_text: String,
    /// 1 typing, 0 speaking, 2 stopped (NapCat).
    #[serde(
        deserialize_with = "de::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_type: Option<i32>,
}

/// `notice.notify.profile_like`: someone liked the bot's profile (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileLikeNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `notify`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `profile_like`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// Who liked.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// Their nickname.
    #[serde(deserialize_with = "de::string")]
    pub operator_nick: String,
    /// How many likes.
    #[serde(deserialize_with = "de::i32")]
    pub times: i32,
}

/// `notice.group_card`: a member's group card changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupCardNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_card`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The member.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The new card.
    #[serde(deserialize_with = "de::string")]
    pub card_new: String,
    /// The old card.
    #[serde(deserialize_with = "de::string")]
    pub card_old: String,
}

/// `notice.essence`: a message was added to or removed from the essence list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EssenceNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `essence`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `add` or `delete`.
    pub sub_type: EssenceSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The message's sender.
    #[serde(deserialize_with = "de::i64")]
    pub sender_id: i64,
    /// Who changed the essence list.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The message.
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
}

/// The file of an offline-file notice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OfflineFile {
    /// File name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Size in bytes.
    #[serde(deserialize_with = "de::u64")]
    pub size: u64,
    /// Download URL.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
}

/// `notice.offline_file`: a friend sent an offline file (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OfflineFileNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `offline_file`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The sender.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The file.
    #[serde(deserialize_with = "de::or_default")]
    pub file: OfflineFile,
}

/// A client of the bot account (`client` of `notice.client_status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Device {
    /// Client app id.
    #[serde(deserialize_with = "de::i64")]
    pub app_id: i64,
    /// Device name.
    #[serde(deserialize_with = "de::string")]
    pub device_name: String,
    /// Device kind.
    #[serde(deserialize_with = "de::string")]
    pub device_kind: String,
}

/// `notice.client_status`: another client of the account went on- or offline (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientStatusNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `client_status`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The client.
    #[serde(deserialize_with = "de::or_default")]
    pub client: Device,
    /// Whether it is now online.
    #[serde(deserialize_with = "de::bool")]
    pub online: bool,
}

/// One emoji and its count on a message (NapCat's `likes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmojiLike {
    /// The emoji (face) id.
    #[serde(deserialize_with = "de::string")]
    pub emoji_id: String,
    /// How many users reacted with it.
    #[serde(deserialize_with = "de::i64")]
    pub count: i64,
}

/// `notice.group_msg_emoji_like`: emoji reactions on a group message (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupMsgEmojiLikeNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_msg_emoji_like`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// Who reacted.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The message.
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
    /// The emojis and counts.
    #[serde(deserialize_with = "de::vec")]
    pub likes: Vec<EmojiLike>,
    /// Added (true) or removed (false), in newer NapCat.
    #[serde(
        deserialize_with = "de::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_add: Option<bool>,
}

/// `notice.reaction`: an emoji reaction added or removed (Lagrange).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactionNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `reaction`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `add` or `remove`.
    pub sub_type: ReactionSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The message.
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
    /// Who reacted.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The emoji (face) id.
    #[serde(deserialize_with = "de::string")]
    pub code: String,
    /// How many reactions of this emoji now.
    #[serde(deserialize_with = "de::i32")]
    pub count: i32,
}

/// `notice.bot_offline`: the bot account went offline (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BotOfflineNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `bot_offline`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The bot account.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// Reason tag.
    #[serde(deserialize_with = "de::string")]
    pub tag: String,
    /// Reason text.
    #[serde(deserialize_with = "de::string")]
    pub message: String,
}
