//! Notice events (`post_type: notice`): the standard's notices here, the common extensions
//! (go-cqhttp, NapCat, Lagrange) in the `extension` submodule (re-exported here).

mod extension;

pub use extension::*;

use super::enums::{
    GroupAdminSubType, GroupBanSubType, GroupDecreaseSubType, GroupIncreaseSubType, HonorType,
};

use serde::{Deserialize, Serialize};

use crate::Text;

/// A file uploaded to a group (`file` of `notice.group_upload`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupFile {
    /// File id.
    pub id: Text,
    /// File name.
    pub name: Text,
    /// Size in bytes.
    pub size: u64,
    /// Bus id.
    pub busid: i64,
    /// Download URL (some implementations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// `notice.group_upload`: a file was uploaded to a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupUploadNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_upload`.
    pub notice_type: Text,
    /// The group.
    pub group_id: i64,
    /// The uploader.
    pub user_id: i64,
    /// The file.
    pub file: GroupFile,
}

/// `notice.group_admin`: admin set or unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupAdminNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_admin`.
    pub notice_type: Text,
    /// `set` or `unset`.
    pub sub_type: GroupAdminSubType,
    /// The group.
    pub group_id: i64,
    /// The member whose role changed.
    pub user_id: i64,
}

/// `notice.group_decrease`: a member left or was removed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupDecreaseNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_decrease`.
    pub notice_type: Text,
    /// `leave`, `kick` or `kick_me`.
    pub sub_type: GroupDecreaseSubType,
    /// The group.
    pub group_id: i64,
    /// Who removed the member (the member itself when leaving).
    pub operator_id: i64,
    /// The member who left.
    pub user_id: i64,
}

/// `notice.group_increase`: a member joined.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupIncreaseNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_increase`.
    pub notice_type: Text,
    /// `approve` or `invite`.
    pub sub_type: GroupIncreaseSubType,
    /// The group.
    pub group_id: i64,
    /// The admin who approved or the member who invited.
    pub operator_id: i64,
    /// The new member.
    pub user_id: i64,
}

/// `notice.group_ban`: a member (or, with user_id 0, the whole group) was muted or unmuted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupBanNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_ban`.
    pub notice_type: Text,
    /// `ban` or `lift_ban`.
    pub sub_type: GroupBanSubType,
    /// The group.
    pub group_id: i64,
    /// The admin.
    pub operator_id: i64,
    /// The muted member; 0 for the whole group.
    pub user_id: i64,
    /// Mute duration in seconds (0 when lifted).
    pub duration: i64,
}

/// `notice.friend_add`: a new friend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct FriendAddNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `friend_add`.
    pub notice_type: Text,
    /// The new friend.
    pub user_id: i64,
}

/// `notice.group_recall`: a group message was recalled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupRecallNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `group_recall`.
    pub notice_type: Text,
    /// The group.
    pub group_id: i64,
    /// The message's sender.
    pub user_id: i64,
    /// Who recalled it.
    pub operator_id: i64,
    /// The recalled message (Waylay: 0 for a message it has not seen).
    pub message_id: i64,
}

/// `notice.friend_recall`: a friend recalled a private message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct FriendRecallNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `friend_recall`.
    pub notice_type: Text,
    /// The friend.
    pub user_id: i64,
    /// The recalled message.
    pub message_id: i64,
}

/// `notice.notify.poke`: a poke, in a group or (no group_id) a private chat.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct PokeNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `poke`.
    pub sub_type: Text,
    /// The group; absent in a private chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Who poked.
    pub user_id: i64,
    /// Who was poked.
    pub target_id: i64,
    /// Who poked, in go-cqhttp's private pokes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<i64>,
}

/// `notice.notify.lucky_king`: the lucky king of a red packet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct LuckyKingNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `lucky_king`.
    pub sub_type: Text,
    /// The group.
    pub group_id: i64,
    /// Who sent the red packet.
    pub user_id: i64,
    /// The lucky king.
    pub target_id: i64,
}

/// `notice.notify.honor`: a group honor changed hands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct HonorNotice {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `notice`.
    pub post_type: Text,
    /// `notify`.
    pub notice_type: Text,
    /// `honor`.
    pub sub_type: Text,
    /// The group.
    pub group_id: i64,
    /// `talkative`, `performer` or `emotion`.
    pub honor_type: HonorType,
    /// The new holder.
    pub user_id: i64,
}

crate::de::lenient_payload!(Strict: GroupFile, GroupUploadNotice, GroupAdminNotice, GroupDecreaseNotice, GroupIncreaseNotice, GroupBanNotice, FriendAddNotice, GroupRecallNotice, FriendRecallNotice, PokeNotice, LuckyKingNotice, HonorNotice);
crate::de::serialize_derived!(
    GroupFile,
    GroupUploadNotice,
    GroupAdminNotice,
    GroupDecreaseNotice,
    GroupIncreaseNotice,
    GroupBanNotice,
    FriendAddNotice,
    GroupRecallNotice,
    FriendRecallNotice,
    PokeNotice,
    LuckyKingNotice,
    HonorNotice
);
