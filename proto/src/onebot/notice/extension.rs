//! Notices that are not in the v11 standard but common in its implementations.

use crate::onebot::enums::{EssenceSubType, ReactionSubType};
use serde::{Deserialize, Serialize};

use crate::Text;

/// `notice.notify.title`: a member's special title changed (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct TitleNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `title`.
    pub sub_type: Text,
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// The new title.
    pub title: Text,
}

/// `notice.notify.input_status`: the peer is typing (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct InputStatusNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `input_status`.
    pub sub_type: Text,
    /// The peer.
    pub user_id: i64,
    /// The group, if any (NapCat sends 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Status text (`对方正在输入...`).
    pub status_text: Text,
    /// 1 typing, 0 speaking, 2 stopped (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<i32>,
}

/// `notice.notify.profile_like`: someone liked the bot's profile (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ProfileLikeNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `profile_like`.
    pub sub_type: Text,
    /// Who liked.
    pub operator_id: i64,
    /// Their nickname.
    pub operator_nick: Text,
    /// How many likes.
    pub times: i32,
}

/// `notice.group_card`: a member's group card changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupCardNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_card`.
    pub notice_type: Text,
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// The new card.
    pub card_new: Text,
    /// The old card.
    pub card_old: Text,
}

/// `notice.essence`: a message was added to or removed from the essence list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct EssenceNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `essence`.
    pub notice_type: Text,
    /// `add` or `delete`.
    pub sub_type: EssenceSubType,
    /// The group.
    pub group_id: i64,
    /// The message's sender.
    pub sender_id: i64,
    /// Who changed the essence list.
    pub operator_id: i64,
    /// The message.
    pub message_id: i64,
}

/// The file of an offline-file notice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct OfflineFile {
    /// File name.
    pub name: Text,
    /// Size in bytes.
    pub size: u64,
    /// Download URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// `notice.offline_file`: a friend sent an offline file (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct OfflineFileNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `offline_file`.
    pub notice_type: Text,
    /// The sender.
    pub user_id: i64,
    /// The file.
    pub file: OfflineFile,
}

/// A client of the bot account (`client` of `notice.client_status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Device {
    /// Client app id.
    pub app_id: i64,
    /// Device name.
    pub device_name: Text,
    /// Device kind.
    pub device_kind: Text,
}

/// `notice.client_status`: another client of the account went on- or offline (go-cqhttp).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ClientStatusNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `client_status`.
    pub notice_type: Text,
    /// The client.
    pub client: Device,
    /// Whether it is now online.
    pub online: bool,
}

/// One emoji and its count on a message (NapCat's `likes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct EmojiLike {
    /// The emoji (face) id.
    pub emoji_id: Text,
    /// How many users reacted with it.
    pub count: i64,
}

/// `notice.group_msg_emoji_like`: emoji reactions on a group message (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupMsgEmojiLikeNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_msg_emoji_like`.
    pub notice_type: Text,
    /// The group.
    pub group_id: i64,
    /// Who reacted.
    pub user_id: i64,
    /// The message.
    pub message_id: i64,
    /// The emojis and counts.
    pub likes: Vec<EmojiLike>,
    /// Added (true) or removed (false), in newer NapCat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_add: Option<bool>,
}

/// `notice.reaction`: an emoji reaction added or removed (Lagrange).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ReactionNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `reaction`.
    pub notice_type: Text,
    /// `add` or `remove`.
    pub sub_type: ReactionSubType,
    /// The group.
    pub group_id: i64,
    /// The message.
    pub message_id: i64,
    /// Who reacted.
    pub operator_id: i64,
    /// The emoji (face) id.
    pub code: Text,
    /// How many reactions of this emoji now.
    pub count: i32,
}

/// `notice.bot_offline`: the bot account went offline (NapCat).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct BotOfflineNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `bot_offline`.
    pub notice_type: Text,
    /// The bot account.
    pub user_id: i64,
    /// Reason tag.
    pub tag: Text,
    /// Reason text.
    pub message: Text,
}

crate::de::lenient_payload!(Strict: TitleNotice, InputStatusNotice, ProfileLikeNotice, GroupCardNotice, EssenceNotice, OfflineFile, OfflineFileNotice, Device, ClientStatusNotice, EmojiLike, GroupMsgEmojiLikeNotice, ReactionNotice, BotOfflineNotice);
crate::de::serialize_derived!(
    TitleNotice,
    InputStatusNotice,
    ProfileLikeNotice,
    GroupCardNotice,
    EssenceNotice,
    OfflineFile,
    OfflineFileNotice,
    Device,
    ClientStatusNotice,
    EmojiLike,
    GroupMsgEmojiLikeNotice,
    ReactionNotice,
    BotOfflineNotice
);
