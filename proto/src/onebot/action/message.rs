//! Message actions: send, recall, fetch, forward bundles, likes.

use super::{ActionParams, NoData};

use crate::onebot::{Message, Sender};
use serde::{Deserialize, Serialize};

/// `send_private_msg`: send a private message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SendPrivateMsg {
    /// The recipient.
    pub user_id: i64,
    /// The group a temp chat goes through (go-cqhttp, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// The message (send segments: Waylay takes a string as plain text).
    pub message: Message,
    /// Send a string `message` as plain text, not CQ code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_escape: Option<bool>,
}

/// `send_group_msg`: send a group message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SendGroupMsg {
    /// The group.
    pub group_id: i64,
    /// The message.
    pub message: Message,
    /// Send a string `message` as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_escape: Option<bool>,
}

/// `send_msg`: send a private or group message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SendMsg {
    /// `private` or `group`; guessed from the ids when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The recipient of a private message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The group of a group message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// The message.
    pub message: Message,
    /// Send a string `message` as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_escape: Option<bool>,
}

/// Result of the send actions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageIdResult {
    /// The new message's id.
    pub message_id: i64,
}

/// `delete_msg`: recall a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct DeleteMsg {
    /// The message.
    pub message_id: i64,
}

/// `get_msg`: fetch a message by id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetMsg {
    /// The message.
    pub message_id: i64,
}

/// Result of `get_msg`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MsgInfo {
    /// When it was sent (unix seconds).
    pub time: i64,
    /// `private` or `group`.
    pub message_type: String,
    /// Message id.
    pub message_id: i64,
    /// Real message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_id: Option<i64>,
    /// The group, for group messages (go-cqhttp, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// The sender.
    pub sender: Sender,
    /// The message.
    pub message: Message,
    /// The raw message (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_message: Option<String>,
}

/// `get_forward_msg`: fetch the content of a forward bundle.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct GetForwardMsg {
    /// The forward id (`forward` segment).
    pub id: String,
}

/// One message of a forward bundle (go-cqhttp: `content`; NapCat: `message`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ForwardedMessage {
    /// When it was sent.
    pub time: i64,
    /// Message id (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// `private` or `group` (NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The sender.
    pub sender: Sender,
    /// The message (go-cqhttp).
    pub content: Message,
    /// The message (NapCat).
    pub message: Message,
}

/// Result of `get_forward_msg`: node segments by the standard, a message list in go-cqhttp and NapCat.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ForwardMsg {
    /// The `node` segments (standard).
    pub message: Message,
    /// The messages (go-cqhttp, NapCat).
    pub messages: Vec<ForwardedMessage>,
}

/// `send_like`: send profile likes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct SendLike {
    /// The user.
    pub user_id: i64,
    /// How many (at most 10 a day; the standard's default is 1).
    pub times: u32,
}

/// The standard's default: one like (decision 0086).
impl Default for SendLike {
    fn default() -> Self {
        Self {
            user_id: 0,
            times: 1,
        }
    }
}

super::actions! {
    SendPrivateMsg = "send_private_msg" => MessageIdResult,
    SendGroupMsg = "send_group_msg" => MessageIdResult,
    SendMsg = "send_msg" => MessageIdResult,
    DeleteMsg = "delete_msg" => NoData,
    GetMsg = "get_msg" => MsgInfo,
    GetForwardMsg = "get_forward_msg" => ForwardMsg,
    SendLike = "send_like" => NoData,
}

crate::de::lenient_payload!(Strict: SendPrivateMsg, SendGroupMsg, SendMsg, MessageIdResult, DeleteMsg, GetMsg, MsgInfo, GetForwardMsg, ForwardedMessage, ForwardMsg, SendLike);
crate::de::serialize_derived!(
    SendPrivateMsg,
    SendGroupMsg,
    SendMsg,
    MessageIdResult,
    DeleteMsg,
    GetMsg,
    MsgInfo,
    GetForwardMsg,
    ForwardedMessage,
    ForwardMsg,
    SendLike
);
