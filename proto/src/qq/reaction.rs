//! Emoji reactions (`MESSAGE_REACTION_ADD` / `MESSAGE_REACTION_REMOVE`).

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

/// A reaction added to or removed from a message (or a forum feed / comment / reply).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageReaction {
    /// Who reacted.
    pub user_id: Text,
    /// Guild id.
    pub guild_id: Text,
    /// Channel id.
    pub channel_id: Text,
    /// What was reacted to.
    pub target: ReactionTarget,
    /// The emoji.
    pub emoji: Emoji,
}

int_enum! {
    /// What a reaction targets. Accepts the integer codes and botgo's string names
    /// (`ReactionTargetType_MSG`, ...).
    pub enum ReactionTargetType {
        /// A message.
        Message = 0 | "ReactionTargetType_MSG",
        /// A forum feed (thread).
        Feed = 1 | "ReactionTargetType_FEED",
        /// A comment.
        Comment = 2 | "ReactionTargetType_COMMENT" | "ReactionTargetType_COMMNENT",
        /// A reply.
        Reply = 3 | "ReactionTargetType_REPLY",
    }
}

/// The target of a reaction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ReactionTarget {
    /// Target id (a message id for messages).
    pub id: Text,
    /// Target type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ReactionTargetType>,
}

int_enum! {
    /// Emoji type.
    pub enum EmojiType {
        /// A QQ system face (id is the face number).
        System = 1,
        /// A Unicode emoji (id is the code point).
        Emoji = 2,
    }
}

/// An emoji.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Emoji {
    /// Emoji id.
    pub id: Text,
    /// Emoji type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<EmojiType>,
}

crate::de::lenient_payload!(
    Lossy:
    MessageReaction { user_id, guild_id, channel_id, target, emoji },
    ReactionTarget { id, kind = "type" },
    Emoji { id, kind = "type" },
);
crate::de::serialize_derived!(MessageReaction, ReactionTarget, Emoji);
