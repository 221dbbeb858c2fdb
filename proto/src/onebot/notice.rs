//! Notice events (`post_type: notice`): the standard's notices and the common extensions.

use super::enums::{
    EssenceSubType, GroupAdminSubType, GroupBanSubType, GroupDecreaseSubType, GroupIncreaseSubType,
    HonorType, ReactionSubType,
};
use crate::de;
use serde::{Deserialize, Serialize};

/// A file uploaded to a group (`file` of `notice.group_upload`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupFile {
    /// File id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// File name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Size in bytes.
    #[serde(deserialize_with = "de::u64")]
    pub size: u64,
    /// Bus id.
    #[serde(deserialize_with = "de::i64")]
    pub busid: i64,
    /// Download URL (some implementations).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
}

/// `notice.group_upload`: a file was uploaded to a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUploadNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_upload`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The uploader.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The file.
    pub file: GroupFile,
}

/// `notice.group_admin`: admin set or unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupAdminNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_admin`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `set` or `unset`.
    pub sub_type: GroupAdminSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The member whose role changed.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
}

/// `notice.group_decrease`: a member left or was removed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupDecreaseNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_decrease`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `leave`, `kick` or `kick_me`.
    pub sub_type: GroupDecreaseSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// Who removed the member (the member itself when leaving).
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The member who left.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
}

/// `notice.group_increase`: a member joined.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupIncreaseNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_increase`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `approve` or `invite`.
    pub sub_type: GroupIncreaseSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The admin who approved or the member who invited.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The new member.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
}

/// `notice.group_ban`: a member (or, with user_id 0, the whole group) was muted or unmuted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupBanNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_ban`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// `ban` or `lift_ban`.
    pub sub_type: GroupBanSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The admin.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The muted member; 0 for the whole group.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// Mute duration in seconds (0 when lifted).
    #[serde(deserialize_with = "de::i64")]
    pub duration: i64,
}

/// `notice.friend_add`: a new friend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendAddNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `friend_add`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The new friend.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
}

/// `notice.group_recall`: a group message was recalled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupRecallNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group_recall`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// The message's sender.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// Who recalled it.
    #[serde(deserialize_with = "de::i64")]
    pub operator_id: i64,
    /// The recalled message (Waylay: 0 for a message it has not seen).
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
}

/// `notice.friend_recall`: a friend recalled a private message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendRecallNotice {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `notice`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `friend_recall`.
    #[serde(deserialize_with = "de::string")]
    pub notice_type: String,
    /// The friend.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The recalled message.
    #[serde(deserialize_with = "de::i64")]
    pub message_id: i64,
}

/// `notice.notify.poke`: a poke, in a group or (no group_id) a private chat.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PokeNotice {
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
    /// `poke`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// The group; absent in a private chat.
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<i64>,
    /// Who poked.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// Who was poked.
    #[serde(deserialize_with = "de::i64")]
    pub target_id: i64,
    /// Who poked, in go-cqhttp's private pokes.
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sender_id: Option<i64>,
}

/// `notice.notify.lucky_king`: the lucky king of a red packet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LuckyKingNotice {
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
    /// `lucky_king`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// Who sent the red packet.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The lucky king.
    #[serde(deserialize_with = "de::i64")]
    pub target_id: i64,
}

/// `notice.notify.honor`: a group honor changed hands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HonorNotice {
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
    /// `honor`.
    #[serde(deserialize_with = "de::string")]
    pub sub_type: String,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// `talkative`, `performer` or `emotion`.
    pub honor_type: HonorType,
    /// The new holder.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
}

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
