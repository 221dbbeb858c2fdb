//! QQ Bot gateway payloads (the botgo `dto` field set), ids as strings.
//!
//! One plain serde struct per payload shape; the event → payload table is
//! `proto/schema/qq.toml`. Every field is lenient: numbers may arrive as strings and the other way
//! round, a missing or mistyped field becomes its default (or `None`), unknown fields are ignored
//! and unknown enum values are kept (`Other(i64)`). Serialization writes the wire names back
//! (`None` options are skipped).

pub mod api;
mod audio;
mod forum;
mod group;
mod guild;
mod interaction;
mod message;
mod reaction;
mod rich_text;
mod session;
mod user;

pub use audio::{AudioAction, AudioChannelType, AudioOrLiveChannelMember};
pub use forum::{
    ForumAudit, ForumPublishType, Post, PostInfo, Reply, ReplyInfo, Thread, ThreadInfo,
};
pub use group::{
    C2cAuthor, C2cMessage, EnterAio, FriendEvent, GroupAuthor, GroupMention, GroupMessage,
    GroupRobotEvent, SubscribeMessageStatus, SubscribeResult,
};
pub use guild::{Channel, ChannelSubType, ChannelType, Guild, Member};
pub use interaction::{
    ChatType, Interaction, InteractionData, InteractionDataType, InteractionType, Resolved,
};
pub use message::{
    Ark, ArkKv, ArkObj, ArkObjKv, Attachment, Embed, EmbedField, EmbedThumbnail, Message,
    MessageAudit, MessageDelete, MessageReference, MessageScene,
};
pub use reaction::{Emoji, EmojiType, MessageReaction, ReactionTarget, ReactionTargetType};
pub use rich_text::{
    Elem, ElemType, ImageElem, Paragraph, ParagraphProps, PlatImage, PlatVideo, RichText, TextElem,
    TextProps, UrlElem, VideoElem,
};
pub use session::{Hello, Ready, Resumed};
pub use user::User;

pub use crate::generated::qq::*;
