//! Forum events (`FORUM_*`, `OPEN_FORUM_*`): threads, posts, replies and audit results.
//!
//! `title` and `content` are rich-text JSON documents encoded inside a string. The raw string is
//! kept as sent; [`ThreadInfo::content_rich`] and friends parse it leniently into [`RichText`].

use crate::de::{self, int_enum};
use serde::{Deserialize, Serialize};

use super::RichText;

/// `FORUM_THREAD_*` / `OPEN_FORUM_THREAD_*`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Thread {
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Forum channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Author's user id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub author_id: String,
    /// The thread (absent in the public-domain `OPEN_FORUM_*` events).
    #[serde(deserialize_with = "de::object")]
    pub thread_info: ThreadInfo,
}

/// `thread_info` of a thread event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadInfo {
    /// Thread id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub thread_id: String,
    /// Title: rich-text JSON inside a string (see [`ThreadInfo::title_rich`]).
    #[serde(deserialize_with = "de::lossy_string")]
    pub title: String,
    /// Content: rich-text JSON inside a string (see [`ThreadInfo::content_rich`]).
    #[serde(deserialize_with = "de::lossy_string")]
    pub content: String,
    /// When it was published.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_time: Option<String>,
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
#[serde(default)]
pub struct Post {
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Forum channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Author's user id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub author_id: String,
    /// The post.
    #[serde(deserialize_with = "de::object")]
    pub post_info: PostInfo,
}

/// `post_info` of a post event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PostInfo {
    /// Thread id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub thread_id: String,
    /// Post id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub post_id: String,
    /// Content: rich-text JSON inside a string (see [`PostInfo::content_rich`]).
    #[serde(deserialize_with = "de::lossy_string")]
    pub content: String,
    /// When it was published.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_time: Option<String>,
}

impl PostInfo {
    /// The content parsed as rich text (plain text when it is not a JSON document).
    pub fn content_rich(&self) -> RichText {
        RichText::parse(&self.content)
    }
}

/// `FORUM_REPLY_*` / `OPEN_FORUM_REPLY_*`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Reply {
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Forum channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Author's user id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub author_id: String,
    /// The reply.
    #[serde(deserialize_with = "de::object")]
    pub reply_info: ReplyInfo,
}

/// `reply_info` of a reply event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplyInfo {
    /// Thread id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub thread_id: String,
    /// Post id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub post_id: String,
    /// Reply id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub reply_id: String,
    /// Content: rich-text JSON inside a string (see [`ReplyInfo::content_rich`]).
    #[serde(deserialize_with = "de::lossy_string")]
    pub content: String,
    /// When it was published.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_time: Option<String>,
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
#[serde(default)]
pub struct ForumAudit {
    /// Audit task id.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_id: Option<String>,
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Forum channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Author's user id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub author_id: String,
    /// Thread id.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub thread_id: Option<String>,
    /// Post id.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub post_id: Option<String>,
    /// Reply id.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reply_id: Option<String>,
    /// What was audited.
    #[serde(
        rename = "type",
        deserialize_with = "de::lossy",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<ForumPublishType>,
    /// Audit result: 0 passed, anything else failed.
    #[serde(
        deserialize_with = "de::lossy_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub result: Option<i64>,
    /// Error message when the audit failed.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub err_msg: Option<String>,
    /// When it was audited.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_time: Option<String>,
}

impl ForumAudit {
    /// Whether the audit passed (`result` 0).
    pub fn passed(&self) -> bool {
        self.result == Some(0)
    }
}
