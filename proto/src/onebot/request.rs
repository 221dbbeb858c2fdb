//! Request events (`post_type: request`): friend and group requests, answered with their `flag`.

use super::enums::GroupRequestSubType;

use serde::{Deserialize, Serialize};

use crate::Text;

/// `request.friend`: someone asks to become a friend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct FriendRequest {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `request`.
    pub post_type: Text,
    /// `friend`.
    pub request_type: Text,
    /// Who asks.
    pub user_id: i64,
    /// The request text.
    pub comment: Text,
    /// Pass to `set_friend_add_request` (Waylay: the requester's id).
    pub flag: Text,
}

/// `request.group`: someone asks to join a group, or the bot is invited.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GroupRequest {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `request`.
    pub post_type: Text,
    /// `group`.
    pub request_type: Text,
    /// `add` or `invite`.
    pub sub_type: GroupRequestSubType,
    /// The group.
    pub group_id: i64,
    /// Who asks (or who invites).
    pub user_id: i64,
    /// The request text.
    pub comment: Text,
    /// Pass to `set_group_add_request` (Waylay: `seq|groupId|type`).
    pub flag: Text,
    /// Who invited the requester (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitor_id: Option<i64>,
}

crate::de::lenient_payload!(Strict: FriendRequest, GroupRequest);
crate::de::serialize_derived!(FriendRequest, GroupRequest);
