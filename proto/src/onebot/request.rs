//! Request events (`post_type: request`): friend and group requests, answered with their `flag`.

use super::enums::GroupRequestSubType;
use crate::de;
use serde::{Deserialize, Serialize};

/// `request.friend`: someone asks to become a friend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendRequest {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `request`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `friend`.
    #[serde(deserialize_with = "de::string")]
    pub request_type: String,
    /// Who asks.
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The request text.
    #[serde(deserialize_with = "de::string")]
    pub comment: String,
    /// Pass to `set_friend_add_request` (Waylay: the requester's id).
    #[serde(deserialize_with = "de::string")]
    pub flag: String,
}

/// `request.group`: someone asks to join a group, or the bot is invited.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupRequest {
    /// Unix time of the event, in seconds.
    #[serde(deserialize_with = "de::i64")]
    pub time: i64,
    /// The bot account's id.
    #[serde(deserialize_with = "de::i64")]
    pub self_id: i64,
    /// `request`.
    #[serde(deserialize_with = "de::string")]
    pub post_type: String,
    /// `group`.
    #[serde(deserialize_with = "de::string")]
    pub request_type: String,
    /// `add` or `invite`.
    pub sub_type: GroupRequestSubType,
    /// The group.
    #[serde(deserialize_with = "de::i64")]
    pub group_id: i64,
    /// Who asks (or who invites).
    #[serde(deserialize_with = "de::i64")]
    pub user_id: i64,
    /// The request text.
    #[serde(deserialize_with = "de::string")]
    pub comment: String,
    /// Pass to `set_group_add_request` (Waylay: `seq|groupId|type`).
    #[serde(deserialize_with = "de::string")]
    pub flag: String,
    /// Who invited the requester (NapCat).
    #[serde(
        deserialize_with = "de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub invitor_id: Option<i64>,
}
