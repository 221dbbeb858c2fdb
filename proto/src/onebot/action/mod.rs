//! Typed OneBot v11 actions: one params struct per action, each implementing [`ActionParams`]
//! with the action name and the type its response `data` decodes into.
//!
//! ```
//! use botgate_proto::onebot::action::{ActionParams, SendGroupMsg};
//! use botgate_proto::onebot::{Message, Segment};
//! let p = SendGroupMsg { group_id: 987654321, message: Message::text("hi"), auto_escape: None };
//! assert_eq!(SendGroupMsg::NAME, "send_group_msg");
//! assert_eq!(
//!     serde_json::to_string(&p).unwrap(),
//!     r#"{"group_id":987654321,"message":[{"type":"text","data":{"text":"hi"}}]}"#
//! );
//! ```

mod group;
mod info;
mod message;

pub use group::*;
pub use info::*;
pub use message::*;

use serde::de::{DeserializeOwned, Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};

/// The params of one OneBot action: its name and the type of its response `data`.
pub trait ActionParams: Serialize {
    /// The action name (`send_group_msg`).
    const NAME: &'static str;
    /// What `data` of a successful response decodes into.
    type Output: DeserializeOwned;
}

/// The result of actions that return nothing useful: accepts any `data` (`null`, `{}`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NoData;

impl<'de> Deserialize<'de> for NoData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| NoData)
    }
}

/// The names of every action with a typed params struct here.
pub const ACTIONS: &[&str] = &[
    "send_private_msg",
    "send_group_msg",
    "send_msg",
    "delete_msg",
    "get_msg",
    "get_forward_msg",
    "send_like",
    "set_group_kick",
    "set_group_ban",
    "set_group_whole_ban",
    "set_group_admin",
    "set_group_card",
    "set_group_name",
    "set_group_leave",
    "set_group_special_title",
    "set_friend_add_request",
    "set_group_add_request",
    "get_login_info",
    "get_stranger_info",
    "get_friend_list",
    "get_group_info",
    "get_group_list",
    "get_group_member_info",
    "get_group_member_list",
    "get_group_honor_info",
    "get_version_info",
    "get_status",
    "can_send_image",
    "can_send_record",
];

macro_rules! actions {
    ($( $params:ident = $name:literal => $output:ty ),+ $(,)?) => {
        $(
            impl ActionParams for $params {
                const NAME: &'static str = $name;
                type Output = $output;
            }
        )+
    };
}
use actions;
