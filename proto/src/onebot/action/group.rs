//! Group administration and request answers.

use super::{ActionParams, NoData};

use serde::{Deserialize, Serialize};

/// `set_group_kick`: remove a member.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupKick {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// Refuse their future join requests.
    pub reject_add_request: bool,
}

/// `set_group_ban`: mute a member (duration 0 lifts the mute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupBan {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// Seconds (the standard's default, 30 minutes, when left out).
    pub duration: u64,
}

/// `set_group_whole_ban`: mute or unmute the whole group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupWholeBan {
    /// The group.
    pub group_id: i64,
    /// Mute (true, the default) or unmute (false).
    pub enable: bool,
}

/// `set_group_admin`: make or unmake an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupAdmin {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// Make (true, the default) or unmake (false).
    pub enable: bool,
}

/// `set_group_card`: set a member's group card (empty clears it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupCard {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// The new card.
    pub card: String,
}

/// `set_group_name`: rename a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupName {
    /// The group.
    pub group_id: i64,
    /// The new name.
    pub group_name: String,
}

/// `set_group_leave`: leave a group (or, as owner, dismiss it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupLeave {
    /// The group.
    pub group_id: i64,
    /// Dismiss the group (owner only).
    pub is_dismiss: bool,
}

/// `set_group_special_title`: set a member's special title (owner only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupSpecialTitle {
    /// The group.
    pub group_id: i64,
    /// The member.
    pub user_id: i64,
    /// The title (empty removes it).
    pub special_title: String,
    /// Validity in seconds (-1, the default: forever).
    pub duration: i64,
}

/// `set_friend_add_request`: answer a friend request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetFriendAddRequest {
    /// The request's `flag`.
    pub flag: String,
    /// Accept (true, the default) or refuse (false).
    pub approve: bool,
    /// Remark for the new friend.
    pub remark: String,
}

/// `set_group_add_request`: answer a group join request or invitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SetGroupAddRequest {
    /// The request's `flag`.
    pub flag: String,
    /// The request's `sub_type` (`add` or `invite`); `type` is read as well.
    #[serde(alias = "type")]
    pub sub_type: String,
    /// Accept (true, the default) or refuse (false).
    pub approve: bool,
    /// Why, when refusing.
    pub reason: String,
}

// Defaults are the standard's (`api/public.md`): a field left out of `..Default::default()`,
// or out of a decoded request, means what the implementation would take it to mean
// (decision 0086).

impl Default for SetGroupBan {
    fn default() -> Self {
        Self {
            group_id: 0,
            user_id: 0,
            duration: 30 * 60,
        }
    }
}

impl Default for SetGroupWholeBan {
    fn default() -> Self {
        Self {
            group_id: 0,
            enable: true,
        }
    }
}

impl Default for SetGroupAdmin {
    fn default() -> Self {
        Self {
            group_id: 0,
            user_id: 0,
            enable: true,
        }
    }
}

impl Default for SetGroupSpecialTitle {
    fn default() -> Self {
        Self {
            group_id: 0,
            user_id: 0,
            special_title: String::new(),
            duration: -1,
        }
    }
}

impl Default for SetFriendAddRequest {
    fn default() -> Self {
        Self {
            flag: String::new(),
            approve: true,
            remark: String::new(),
        }
    }
}

impl Default for SetGroupAddRequest {
    fn default() -> Self {
        Self {
            flag: String::new(),
            sub_type: String::new(),
            approve: true,
            reason: String::new(),
        }
    }
}

super::actions! {
    SetGroupKick = "set_group_kick" => NoData,
    SetGroupBan = "set_group_ban" => NoData,
    SetGroupWholeBan = "set_group_whole_ban" => NoData,
    SetGroupAdmin = "set_group_admin" => NoData,
    SetGroupCard = "set_group_card" => NoData,
    SetGroupName = "set_group_name" => NoData,
    SetGroupLeave = "set_group_leave" => NoData,
    SetGroupSpecialTitle = "set_group_special_title" => NoData,
    SetFriendAddRequest = "set_friend_add_request" => NoData,
    SetGroupAddRequest = "set_group_add_request" => NoData,
}

crate::de::lenient_payload!(Strict: SetGroupKick, SetGroupBan, SetGroupWholeBan, SetGroupAdmin, SetGroupCard, SetGroupName, SetGroupLeave, SetGroupSpecialTitle, SetFriendAddRequest, SetGroupAddRequest);
crate::de::serialize_derived!(
    SetGroupKick,
    SetGroupBan,
    SetGroupWholeBan,
    SetGroupAdmin,
    SetGroupCard,
    SetGroupName,
    SetGroupLeave,
    SetGroupSpecialTitle,
    SetFriendAddRequest,
    SetGroupAddRequest
);
