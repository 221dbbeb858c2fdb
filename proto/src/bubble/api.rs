//! Bubble REST bodies (spec `bubble.md` §1.4; api.md and the AlemonJS client's `api.ts`):
//! the message a bot posts to `POST /channels/:channelId/messages` or
//! `POST /dm/threads/:threadId/messages`, the DM thread of `GET /users/:userId/dm`, and the
//! error body (`{"error":"…"}` or `{"error":{code, message, retryAfter}}`).
//!
//! The answer to a send is a [`Message`](super::Message); `GET /me` answers a
//! [`BotInfo`](super::BotInfo).

use serde::{Deserialize, Deserializer, Serialize};

use super::Attachment;

/// A message to post (the client's `SendMessagePayload`, plus the documented `replyToId`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct SendMessage {
    /// Text content (at most 2000 characters). Bubble requires the field (spec `bubble.md`
    /// §1.4, api.md): `None` is sent as `""`, as Bubble's own client sends it beside an
    /// attachment.
    #[serde(serialize_with = "content_or_empty")]
    pub content: Option<String>,
    /// Message type: `"text"` (the default), `"image"`, `"voice"` or `"file"` (api.md);
    /// absent, Bubble infers it from the attachments. Markdown and the mention shorthand
    /// (`<@userId>`, `<#channelId>`, `<@everyone>`) are read in `content` of any type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The message this answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<i64>,
    /// Uploaded files to attach.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Interactive components, passed through as JSON.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<serde_json::Value>,
}

impl SendMessage {
    /// A text message.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// Makes this a reply to message `id`.
    #[must_use]
    pub fn reply_to(mut self, id: i64) -> Self {
        self.reply_to_id = Some(id);
        self
    }
}

/// `content` as a string, `""` when there is none (the field is required).
fn content_or_empty<S: serde::Serializer>(
    content: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(content.as_deref().unwrap_or_default())
}

/// The DM thread with a user. api.md documents `{channelId, recipientId}`, the AlemonJS client
/// reads `{id, type}`: both decode, [`thread_id`](DmThreadInfo::thread_id) picks whichever
/// came.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct DmThreadInfo {
    /// Thread id (client shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Thread id (some answers name it so).
    #[serde(alias = "thread_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Thread id (documented shape).
    #[serde(alias = "channel_id", skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// The other user.
    #[serde(alias = "recipient_id", skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<i64>,
    /// Thread type (`"dm"`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl DmThreadInfo {
    /// The id to send to (`POST /dm/threads/:threadId/messages`): `threadId`, `id` or
    /// `channelId`, whichever is present.
    pub fn thread_id(&self) -> Option<i64> {
        self.thread_id.or(self.id).or(self.channel_id)
    }
}

/// A Bubble error answer: `{"error":"text"}` or `{"error":{code, message, retryAfter}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ApiErrorBody {
    /// The error.
    // Own rule: a plain string or an object.
    #[serde(deserialize_with = "error_detail")]
    pub error: ErrorDetail,
}

/// The `error` of an [`ApiErrorBody`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Machine code (`RATE_LIMIT_EXCEEDED`, `UNAUTHORIZED`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human-readable message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Seconds to wait before retrying (429; fractional).
    #[serde(alias = "retry_after", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<f64>,
}

/// `error` as a plain string (→ `message`) or an object.
fn error_detail<'d, D: Deserializer<'d>>(d: D) -> Result<ErrorDetail, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Text(String),
        Object(ErrorDetail),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Wire::deserialize(d)? {
        Wire::Text(message) => ErrorDetail {
            message: Some(message),
            ..ErrorDetail::default()
        },
        Wire::Object(detail) => detail,
        Wire::Other(_) => ErrorDetail::default(),
    })
}

crate::de::lenient_payload!(Lossy: SendMessage, DmThreadInfo, ApiErrorBody, ErrorDetail);
crate::de::serialize_derived!(SendMessage, DmThreadInfo, ApiErrorBody, ErrorDetail);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn send_message_wire_shape() {
        let m = SendMessage::text("hi").reply_to(42);
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"content": "hi", "replyToId": 42})
        );
    }

    #[test]
    fn dm_thread_both_shapes() {
        let doc: DmThreadInfo =
            serde_json::from_str(r#"{"channelId":456,"recipientId":"1"}"#).unwrap();
        assert_eq!((doc.thread_id(), doc.recipient_id), (Some(456), Some(1)));
        let client: DmThreadInfo = serde_json::from_str(r#"{"id":"789","type":"dm"}"#).unwrap();
        assert_eq!(client.thread_id(), Some(789));
    }

    #[test]
    fn error_body_text_or_object() {
        let text: ApiErrorBody = serde_json::from_str(r#"{"error":"Unauthorized"}"#).unwrap();
        assert_eq!(text.error.message.as_deref(), Some("Unauthorized"));
        let obj: ApiErrorBody = serde_json::from_str(
            r#"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow","retryAfter":1.5}}"#,
        )
        .unwrap();
        assert_eq!(obj.error.code.as_deref(), Some("RATE_LIMIT_EXCEEDED"));
        assert_eq!(obj.error.retry_after, Some(1.5));
        let odd: ApiErrorBody = serde_json::from_str(r#"{"error":7}"#).unwrap();
        assert_eq!(odd.error, ErrorDetail::default());
    }
}
