//! Guild messages (`AT_MESSAGE_CREATE`, `MESSAGE_CREATE`, `DIRECT_MESSAGE_CREATE`), their
//! deletion and audit results, and the parts shared with group / C2C messages.

use crate::Text;
use serde::{Deserialize, Serialize};

use super::{Member, User};

/// A guild channel or guild DM message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Message {
    /// Message id (use it as `msg_id` for a passive reply).
    pub id: Text,
    /// Channel id.
    pub channel_id: Text,
    /// Guild id (for DMs: the DM's own guild, needed to reply).
    pub guild_id: Text,
    /// Group id (botgo carries it on its shared message type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Text>,
    /// Text content; mentions appear as `<@!user_id>`.
    pub content: Text,
    /// When it was sent (RFC 3339 with offset, e.g. `+08:00`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Text>,
    /// When it was last edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_timestamp: Option<Text>,
    /// Whether it mentions everyone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mention_everyone: Option<bool>,
    /// The author.
    pub author: User,
    /// The author's membership in the guild.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<Member>,
    /// Attachments (images, files, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Embeds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
    /// Mentioned users.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<User>,
    /// Ark (template) message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ark: Option<Ark>,
    /// The message this one quotes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
    /// Sequence number of the message (deprecated in favour of `seq_in_channel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Sequence number in the channel (a decimal string on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq_in_channel: Option<Text>,
    /// For DMs: the guild the DM was started from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_guild_id: Option<Text>,
    /// Whether it is a direct message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_message: Option<bool>,
    /// Where the message came from (newer gateways).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_scene: Option<MessageScene>,
}

impl Message {
    /// `seq_in_channel` as a number (`None` when missing or not numeric).
    pub fn seq_in_channel_u64(&self) -> Option<u64> {
        self.seq_in_channel.as_deref()?.trim().parse().ok()
    }

    /// Whether the message mentions the user `id` (in `mentions` or as `<@id>` / `<@!id>`).
    pub fn mentions_user(&self, id: &str) -> bool {
        !id.is_empty()
            && (self.mentions.iter().any(|u| u.id == id)
                || self.content.contains(&format!("<@!{id}>"))
                || self.content.contains(&format!("<@{id}>")))
    }

    /// Whether it is a direct message (`false` when the field is missing).
    pub fn is_direct(&self) -> bool {
        self.direct_message.unwrap_or(false)
    }
}

/// A message attachment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Attachment {
    /// Attachment id (when the platform sends one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// URL (often without a scheme, e.g. `gchat.qpic.cn/...`).
    pub url: Text,
    /// MIME type (`image/png`, `voice`, `video/mp4`, `file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<Text>,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<Text>,
    /// Height in pixels (images, videos).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Width in pixels (images, videos).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Voice attachments: a `.wav` transcoding URL (group / C2C).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_wav_url: Option<Text>,
    /// Voice attachments: speech-to-text (group / C2C).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asr_refer_text: Option<Text>,
}

/// An embed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Embed {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Notification / list summary text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Text>,
    /// Thumbnail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<EmbedThumbnail>,
    /// Fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<EmbedField>,
}

/// An embed thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct EmbedThumbnail {
    /// Image URL.
    pub url: Text,
}

/// One embed field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct EmbedField {
    /// Field name.
    pub name: Text,
    /// Field value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Text>,
}

/// An ark (template) message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Ark {
    /// Template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<i64>,
    /// Key / value pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kv: Vec<ArkKv>,
}

/// One ark key / value pair.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ArkKv {
    /// Key.
    pub key: Text,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Text>,
    /// Object list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obj: Vec<ArkObj>,
}

/// An ark object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ArkObj {
    /// Key / value pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obj_kv: Vec<ArkObjKv>,
}

/// An ark object key / value pair.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ArkObjKv {
    /// Key.
    pub key: Text,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Text>,
}

/// The message a message quotes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageReference {
    /// The quoted message's id.
    pub message_id: Text,
    /// Whether to ignore a failure to fetch the quoted message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_get_message_error: Option<bool>,
}

/// Where a message came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageScene {
    /// Source (`default`, `realtime_voice`, `ai_search`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Text>,
    /// Extra scene data (e.g. `ref_msg_idx=...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ext: Vec<Text>,
    /// Callback data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_data: Option<Text>,
}

/// `MESSAGE_DELETE`, `PUBLIC_MESSAGE_DELETE`, `DIRECT_MESSAGE_DELETE`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageDelete {
    /// The deleted message (id, channel, guild, author).
    pub message: Message,
    /// Who deleted it.
    pub op_user: User,
}

/// `MESSAGE_AUDIT_PASS` / `MESSAGE_AUDIT_REJECT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageAudit {
    /// Audit id (returned when the message was sent).
    pub audit_id: Text,
    /// The message id (only when the audit passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Text>,
    /// Guild id.
    pub guild_id: Text,
    /// Channel id.
    pub channel_id: Text,
    /// When it was audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_time: Option<Text>,
    /// When the message was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<Text>,
    /// The message's sequence number in the channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq_in_channel: Option<Text>,
}

crate::de::lenient_payload!(
    Lossy:
    Message {
        id, channel_id, guild_id, group_id, content, timestamp, edited_timestamp, mention_everyone,
        author, member, attachments, embeds, mentions, ark, message_reference, seq, seq_in_channel,
        src_guild_id, direct_message, message_scene,
    },
    Attachment {
        id, url, content_type, filename, height, width, size, voice_wav_url, asr_refer_text,
    },
    Embed { title, description, prompt, thumbnail, fields },
    EmbedThumbnail { url },
    EmbedField { name, value },
    Ark { template_id, kv },
    ArkKv { key, value, obj },
    ArkObj { obj_kv },
    ArkObjKv { key, value },
    MessageReference { message_id, ignore_get_message_error },
    MessageScene { source, ext, callback_data },
    MessageDelete { message, op_user },
    MessageAudit {
        audit_id, message_id, guild_id, channel_id, audit_time, create_time, seq_in_channel,
    },
);
crate::de::serialize_derived!(
    Message,
    Attachment,
    Embed,
    EmbedThumbnail,
    EmbedField,
    Ark,
    ArkKv,
    ArkObj,
    ArkObjKv,
    MessageReference,
    MessageScene,
    MessageDelete,
    MessageAudit
);
