//! Notice events (`post_type: notice`): the standard's notices here, the common extensions
//! (go-cqhttp, NapCat, Lagrange) in the `extension` submodule (re-exported here).

mod extension;

pub use extension::*;

use super::enums::{
    GroupAdminSubType, GroupBanSubType, GroupDecreaseSubType, GroupIncreaseSubType, HonorType,
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
    #[serde(deserialize_with = "de::or_default")]
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
