//! Forum events (`FORUM_*`, `OPEN_FORUM_*`): threads, posts, replies and audit results.
//!
//! `title` and `content` are rich-text JSON documents encoded inside a string. The raw string is
//! kept as sent; [`ThreadInfo::content_rich`] and friends parse it leniently into [`RichText`].

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

use super::RichText;

/// `FORUM_THREAD_*` / `OPEN_FORUM_THREAD_*`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Thread {
    /// Guild id.
    pub guild_id: Text,
    /// Forum channel id.
    pub channel_id: Text,
    /// Author's user id.
    pub author_id: Text,
    /// The thread (absent in the public-domain `OPEN_FORUM_*` events).
    pub thread_info: ThreadInfo,
}

/// `thread_info` of a thread event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ThreadInfo {
    /// Thread id.
    pub thread_id: Text,
    /// Title: rich-text JSON inside a string (see [`ThreadInfo::title_rich`]).
    pub title: Text,
    /// Content: rich-text JSON inside a string (see [`ThreadInfo::content_rich`]).
    pub content: Text,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<Text>,
}

impl ThreadInfo {
    /// The title parsed as rich text (plain text when it is not a JSON document).
    pub fn title_rich(&self) -> RichText {
        RichText::parse(&self.title)
    }

    /// The content parsed as rich text (plain text when it is not a JSON document).
    pub fn content_rich(&self) -> RichText {
        RichText::parse(&self.content)
    }
}

/// `FORUM_POST_*` / `OPEN_FORUM_POST_*`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Post {
    /// Guild id.
    pub guild_id: Text,
    /// Forum channel id.
    pub channel_id: Text,
    /// Author's user id.
    pub author_id: Text,
    /// The post.
    pub post_info: PostInfo,
}

/// `post_info` of a post event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct PostInfo {
    /// Thread id.
    pub thread_id: Text,
    /// Post id.
    pub post_id: Text,
    /// Content: rich-text JSON inside a string (see [`PostInfo::content_rich`]).
    pub content: Text,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<Text>,
}

impl PostInfo {
    /// The content parsed as rich text (plain text when it is not a JSON document).
    pub fn content_rich(&self) -> RichText {
        RichText::parse(&self.content)
    }
}

/// `FORUM_REPLY_*` / `OPEN_FORUM_REPLY_*`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Reply {
    /// Guild id.
    pub guild_id: Text,
    /// Forum channel id.
    pub channel_id: Text,
    /// Author's user id.
    pub author_id: Text,
    /// The reply.
    pub reply_info: ReplyInfo,
}

/// `reply_info` of a reply event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ReplyInfo {
    /// Thread id.
    pub thread_id: Text,
    /// Post id.
    pub post_id: Text,
    /// Reply id.
    pub reply_id: Text,
    /// Content: rich-text JSON inside a string (see [`ReplyInfo::content_rich`]).
    pub content: Text,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<Text>,
}

impl ReplyInfo {
    /// The content parsed as rich text (plain text when it is not a JSON document).
    pub fn content_rich(&self) -> RichText {
        RichText::parse(&self.content)
    }
}

int_enum! {
    /// What a forum audit result is about (`type`).
    pub enum ForumPublishType {
        /// A thread.
        Thread = 1,
        /// A post.
        Post = 2,
        /// A reply.
        Reply = 3,
    }
}

/// `FORUM_PUBLISH_AUDIT_RESULT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ForumAudit {
    /// Audit task id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<Text>,
    /// Guild id.
    pub guild_id: Text,
    /// Forum channel id.
    pub channel_id: Text,
    /// Author's user id.
    pub author_id: Text,
    /// Thread id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<Text>,
    /// Post id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_id: Option<Text>,
    /// Reply id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_id: Option<Text>,
    /// What was audited.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ForumPublishType>,
    /// Audit result: 0 passed, anything else failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<i64>,
    /// Error message when the audit failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub err_msg: Option<Text>,
    /// When it was audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<Text>,
}

impl ForumAudit {
    /// Whether the audit passed (`result` 0).
    pub fn passed(&self) -> bool {
        self.result == Some(0)
    }
}

crate::de::lenient_payload!(
    Lossy:
    Thread { guild_id, channel_id, author_id, thread_info },
    ThreadInfo { thread_id, title, content, date_time },
    Post { guild_id, channel_id, author_id, post_info },
    PostInfo { thread_id, post_id, content, date_time },
    Reply { guild_id, channel_id, author_id, reply_info },
    ReplyInfo { thread_id, post_id, reply_id, content, date_time },
    ForumAudit {
        task_id, guild_id, channel_id, author_id, thread_id, post_id, reply_id, kind = "type", result,
        err_msg, date_time,
    },
);
crate::de::serialize_derived!(Thread, ThreadInfo, Post, PostInfo, Reply, ReplyInfo, ForumAudit);
