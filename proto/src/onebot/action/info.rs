//! Queries: account, users, friends, groups, members, honors, version, status, capabilities.

use super::ActionParams;

use crate::onebot::{HeartbeatStatus, Role, Sex};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `get_login_info`: the bot account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetLoginInfo {}

/// Result of `get_login_info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct LoginInfo {
    /// The account id.
    pub user_id: i64,
    /// Its nickname.
    pub nickname: String,
}

/// `get_stranger_info`: any user's public profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetStrangerInfo {
    /// The user.
    pub user_id: i64,
    /// Bypass the cache.
    pub no_cache: bool,
}

/// Result of `get_stranger_info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct StrangerInfo {
    /// The user.
    pub user_id: i64,
    /// Nickname.
    pub nickname: String,
    /// Sex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<i32>,
    /// QID (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// Level (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<i32>,
    /// Login days (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_days: Option<i64>,
}

/// `get_friend_list`: the bot's friends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetFriendList {}

/// One friend (result of `get_friend_list`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct FriendInfo {
    /// The friend.
    pub user_id: i64,
    /// Nickname.
    pub nickname: String,
    /// Remark.
    pub remark: String,
}

/// `get_group_info`: one group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetGroupInfo {
    /// The group.
    pub group_id: i64,
    /// Bypass the cache.
    pub no_cache: bool,
}

/// A group (result of `get_group_info`, items of `get_group_list`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupInfo {
    /// The group.
    pub group_id: i64,
    /// Its name.
    pub group_name: String,
    /// Members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i32>,
    /// Member limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_member_count: Option<i32>,
}

/// `get_group_list`: the bot's groups.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetGroupList {
    /// Bypass the cache (extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_cache: Option<bool>,
}

/// `get_group_member_info`: one member of a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetGroupMemberInfo {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// Bypass the cache.
    pub no_cache: bool,
}

/// A group member (result of `get_group_member_info`, items of `get_group_member_list`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupMemberInfo {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// Nickname.
    pub nickname: String,
    /// Group card.
    pub card: String,
    /// Sex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<i32>,
    /// Area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// When they joined (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_time: Option<i64>,
    /// When they last spoke (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sent_time: Option<i64>,
    /// Group level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// `owner`, `admin` or `member`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Has a bad record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfriendly: Option<bool>,
    /// Special title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the title expires (unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_expire_time: Option<i64>,
    /// Whether the card may be changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_changeable: Option<bool>,
}

/// `get_group_member_list`: all members of a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetGroupMemberList {
    /// The group.
    pub group_id: i64,
    /// Bypass the cache (extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_cache: Option<bool>,
}

/// `get_group_honor_info`: a group's honors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetGroupHonorInfo {
    /// The group.
    pub group_id: i64,
    /// `talkative`, `performer`, `legend`, `strong_newbie`, `emotion` or `all`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The current 龙王 of a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct CurrentTalkative {
    /// The member.
    pub user_id: i64,
    /// Nickname.
    pub nickname: String,
    /// Avatar URL.
    pub avatar: String,
    /// Days in a row.
    pub day_count: i32,
}

/// A holder of a group honor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct HonorHolder {
    /// The member.
    pub user_id: i64,
    /// Nickname.
    pub nickname: String,
    /// Avatar URL.
    pub avatar: String,
    /// The honor's description.
    pub description: String,
}

/// Result of `get_group_honor_info` (lists absent unless asked for).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupHonorInfo {
    /// The group.
    pub group_id: i64,
    /// The current 龙王.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_talkative: Option<CurrentTalkative>,
    /// 龙王 history.
    pub talkative_list: Vec<HonorHolder>,
    /// 群聊之火.
    pub performer_list: Vec<HonorHolder>,
    /// 群聊炽焰.
    pub legend_list: Vec<HonorHolder>,
    /// 冒尖小春笋.
    pub strong_newbie_list: Vec<HonorHolder>,
    /// 快乐之源.
    pub emotion_list: Vec<HonorHolder>,
}

/// `get_version_info`: the implementation's name and version.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetVersionInfo {}

/// `get_status`: the implementation's status (result: [`HeartbeatStatus`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetStatus {}

/// `can_send_image`: whether pictures can be sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CanSendImage {}

/// `can_send_record`: whether voice can be sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CanSendRecord {}

/// Result of `can_send_image` / `can_send_record`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct YesNo {
    /// The answer.
    pub yes: bool,
}

/// Result of `get_version_info`: `app_name`, `app_version`, `protocol_version` by the standard;
/// the rest (`nt_protocol`, `runtime_version`, ...) kept in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct VersionInfo {
    /// Implementation name (`waylay`, `NapCat.Onebot`, `go-cqhttp`).
    pub app_name: String,
    /// Implementation version.
    pub app_version: String,
    /// OneBot version (`v11`).
    pub protocol_version: String,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

super::actions! {
    GetLoginInfo = "get_login_info" => LoginInfo,
    GetStrangerInfo = "get_stranger_info" => StrangerInfo,
    GetFriendList = "get_friend_list" => Vec<FriendInfo>,
    GetGroupInfo = "get_group_info" => GroupInfo,
    GetGroupList = "get_group_list" => Vec<GroupInfo>,
    GetGroupMemberInfo = "get_group_member_info" => GroupMemberInfo,
    GetGroupMemberList = "get_group_member_list" => Vec<GroupMemberInfo>,
    GetGroupHonorInfo = "get_group_honor_info" => GroupHonorInfo,
    GetVersionInfo = "get_version_info" => VersionInfo,
    GetStatus = "get_status" => HeartbeatStatus,
    CanSendImage = "can_send_image" => YesNo,
    CanSendRecord = "can_send_record" => YesNo,
}

crate::de::lenient_payload!(Strict: LoginInfo, GetStrangerInfo, StrangerInfo, FriendInfo, GetGroupInfo, GroupInfo, GetGroupList, GetGroupMemberInfo, GroupMemberInfo, GetGroupMemberList, GetGroupHonorInfo, CurrentTalkative, HonorHolder, GroupHonorInfo, YesNo, VersionInfo);
crate::de::serialize_derived!(
    LoginInfo,
    GetStrangerInfo,
    StrangerInfo,
    FriendInfo,
    GetGroupInfo,
    GroupInfo,
    GetGroupList,
    GetGroupMemberInfo,
    GroupMemberInfo,
    GetGroupMemberList,
    GetGroupHonorInfo,
    CurrentTalkative,
    HonorHolder,
    GroupHonorInfo,
    YesNo,
    VersionInfo
);
