//! QQ OpenAPI request and response bodies (botgo `dto/message_create.go`,
//! `dto/direct_message.go`, `dto/message.go`): what a bot sends to `POST /channels/{id}/messages`,
//! `POST /dms/{guild_id}/messages`, `POST /v2/groups/{group_openid}/messages`,
//! `POST /v2/users/{openid}/messages`, the rich-media upload `POST /v2/{groups|users}/{id}/files`
//! and `POST /users/@me/dms`, and what comes back.
//!
//! Requests serialise only the fields that are set (as botgo's `omitempty`); responses decode
//! leniently (numbers or strings, missing fields defaulted).

use serde::{Deserialize, Serialize};

use super::{Ark, Embed, MessageReference};

/// `msg_type` values of [`MessageToCreate`].
pub mod msg_type {
    /// Plain text (`content`).
    pub const TEXT: u32 = 0;
    /// Markdown (`markdown`).
    pub const MARKDOWN: u32 = 2;
    /// Ark template (`ark`).
    pub const ARK: u32 = 3;
    /// Embed (`embed`).
    pub const EMBED: u32 = 4;
    /// Input-state notification (`input_notify`, C2C only).
    pub const INPUT_NOTIFY: u32 = 6;
    /// Rich media (`media.file_info` from an upload; groups and C2C).
    pub const MEDIA: u32 = 7;
}

/// `file_type` values of [`RichMediaToCreate`].
pub mod file_type {
    /// Image (png / jpg).
    pub const IMAGE: u32 = 1;
    /// Video (mp4).
    pub const VIDEO: u32 = 2;
    /// Voice (silk).
    pub const VOICE: u32 = 3;
    /// File (not yet open to bots at the time of writing).
    pub const FILE: u32 = 4;
}

/// Codes of OpenAPI answers that are not refusals.
pub mod code {
    /// The message is held for audit (`push message is waiting for audit`): a 2xx answer with
    /// `data.message_audit.audit_id`; the message is shown once the audit passes
    /// (`MESSAGE_AUDIT_PASS`, with that `audit_id`) or never (`MESSAGE_AUDIT_REJECT`).
    pub const WAITING_FOR_AUDIT: i64 = 304_023;
    /// The same hold, as QQ answers it on another path.
    pub const PUSH_WAITING_FOR_AUDIT: i64 = 304_024;

    /// Whether `code` says the message is held for audit (sent, not refused).
    pub const fn holds_for_audit(code: i64) -> bool {
        matches!(code, WAITING_FOR_AUDIT | PUSH_WAITING_FOR_AUDIT)
    }
}

/// A message to send (botgo `MessageToCreate`). Build with [`MessageToCreate::text`] and friends,
/// then chain [`reply_to`](MessageToCreate::reply_to), [`seq`](MessageToCreate::seq),
/// [`quote`](MessageToCreate::quote).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MessageToCreate {
    /// Text content (also the caption of markdown / media messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Message type (see [`msg_type`]); groups and C2C require it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_type: Option<u32>,
    /// Embed (guild channels and guild DMs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed: Option<Embed>,
    /// Ark template message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ark: Option<Ark>,
    /// Image URL (guild channels and guild DMs; groups / C2C use [`media`](Self::media)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The message this answers: set, the send is a passive reply (free of the active-message
    /// quota, valid for a limited time after the message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<String>,
    /// The event this answers (e.g. an interaction or a group-join event), like `msg_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Sequence number of this reply to `msg_id` / `event_id`: the platform drops a second
    /// message with the same (`msg_id` | `event_id`, `msg_seq`), so a retry is never doubled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_seq: Option<u32>,
    /// The message to quote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_reference: Option<MessageReference>,
    /// Markdown (template or native).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<Markdown>,
    /// Button keyboard, passed through as JSON (`{"id": ..}` or `{"content": {"rows": ..}}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyboard: Option<serde_json::Value>,
    /// Rich media from an upload (`msg_type` 7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
}

impl MessageToCreate {
    /// A text message (`msg_type` 0).
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            msg_type: Some(msg_type::TEXT),
            ..Self::default()
        }
    }

    /// A markdown message (`msg_type` 2).
    pub fn markdown(markdown: Markdown) -> Self {
        Self {
            markdown: Some(markdown),
            msg_type: Some(msg_type::MARKDOWN),
            ..Self::default()
        }
    }

    /// An ark message (`msg_type` 3).
    pub fn ark(ark: Ark) -> Self {
        Self {
            ark: Some(ark),
            msg_type: Some(msg_type::ARK),
            ..Self::default()
        }
    }

    /// An embed message (`msg_type` 4; guild channels and guild DMs).
    pub fn embed(embed: Embed) -> Self {
        Self {
            embed: Some(embed),
            msg_type: Some(msg_type::EMBED),
            ..Self::default()
        }
    }

    /// An image by URL for guild channels and guild DMs (`image` field, `msg_type` 0).
    pub fn image_url(url: impl Into<String>) -> Self {
        Self {
            image: Some(url.into()),
            msg_type: Some(msg_type::TEXT),
            ..Self::default()
        }
    }

    /// A rich-media message for groups and C2C (`msg_type` 7) with the `file_info` an upload
    /// returned ([`MediaUploaded::file_info`]).
    pub fn media(file_info: impl Into<String>) -> Self {
        Self {
            media: Some(Media {
                file_info: file_info.into(),
            }),
            msg_type: Some(msg_type::MEDIA),
            ..Self::default()
        }
    }

    /// Makes this a passive reply to message `msg_id`.
    #[must_use]
    pub fn reply_to(mut self, msg_id: impl Into<String>) -> Self {
        self.msg_id = Some(msg_id.into());
        self
    }

    /// Makes this a passive reply to event `event_id`.
    #[must_use]
    pub fn reply_to_event(mut self, event_id: impl Into<String>) -> Self {
        self.event_id = Some(event_id.into());
        self
    }

    /// Sets `msg_seq` (otherwise the client allocates one per `msg_id` / `event_id`).
    #[must_use]
    pub fn seq(mut self, msg_seq: u32) -> Self {
        self.msg_seq = Some(msg_seq);
        self
    }

    /// Quotes message `message_id`.
    #[must_use]
    pub fn quote(mut self, message_id: impl Into<String>) -> Self {
        self.message_reference = Some(MessageReference {
            message_id: crate::Text::from(message_id.into()),
            ignore_get_message_error: Some(true),
        });
        self
    }

    /// Sets the text content (caption) next to markdown, media or an image.
    #[must_use]
    pub fn with_content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// The id the platform dedupes replies on: `msg_id`, else `event_id`.
    pub fn reply_key(&self) -> Option<&str> {
        self.msg_id
            .as_deref()
            .or(self.event_id.as_deref())
            .filter(|k| !k.is_empty())
    }
}

/// A markdown body: a template (`template_id` / `custom_template_id` + `params`) or native
/// markdown (`content`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Markdown {
    /// Numeric template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<i64>,
    /// Custom template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_template_id: Option<String>,
    /// Template parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<MarkdownParam>,
    /// Native markdown text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

impl Markdown {
    /// Native markdown.
    pub fn native(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }
}

/// One markdown template parameter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MarkdownParam {
    /// Parameter name.
    pub key: String,
    /// Values.
    pub values: Vec<String>,
}

/// The `media` of a rich-media message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Media {
    /// Opaque file info from the upload (base64 text; passed through unchanged).
    pub file_info: String,
}

/// A rich-media upload for groups and C2C (`POST /v2/{groups|users}/{id}/files`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct RichMediaToCreate {
    /// Kind of file (see [`file_type`]).
    pub file_type: u32,
    /// HTTP(S) URL of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `true` sends the file as a message at once (counts as an active message); `false`
    /// only uploads it (send it with [`MessageToCreate::media`]).
    pub srv_send_msg: bool,
    /// Base64 file content instead of a URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_data: Option<String>,
}

impl RichMediaToCreate {
    /// Uploads the file at `url` without sending it.
    pub fn url(file_type: u32, url: impl Into<String>) -> Self {
        Self {
            file_type,
            url: Some(url.into()),
            srv_send_msg: false,
            file_data: None,
        }
    }
}

/// Answer of a rich-media upload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct MediaUploaded {
    /// File id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_uuid: Option<String>,
    /// What [`MessageToCreate::media`] takes.
    pub file_info: String,
    /// Seconds the upload can be reused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Message id, when `srv_send_msg` was `true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The answer to a send: the new message's id and time (guild channels answer the whole
/// message; only these fields are kept), or the audit id of a message the platform holds for
/// audit.
///
/// A held message (a 2xx answer `{"code":304023,"message":"push message is waiting for
/// audit","data":{"message_audit":{"audit_id":"…"}}}`, see [`code`]) was accepted:
/// [`audit_id`](Self::audit_id) names the audit, which the `MESSAGE_AUDIT_PASS` (with the
/// message id) or `MESSAGE_AUDIT_REJECT` event ends; `id` is empty unless the answer names one
/// too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageSent {
    /// Message id (use it to recall or quote the message); empty when the answer names none (a
    /// message held for audit usually gets its id with `MESSAGE_AUDIT_PASS`).
    pub id: String,
    /// Send time as the platform wrote it (RFC 3339 text or Unix seconds).
    pub timestamp: Option<String>,
    /// The audit id when the platform holds the message for audit (`data.message_audit.
    /// audit_id`; empty when an answer with a hold code names none), else `None`.
    pub audit_id: Option<String>,
}

impl MessageSent {
    /// Whether the platform holds the message for audit (see [`audit_id`](Self::audit_id)).
    pub fn held_for_audit(&self) -> bool {
        self.audit_id.is_some()
    }
}

/// [`MessageSent`] as it is on the wire: a hold for audit is a code and a nested id.
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct MessageSentWire {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing)]
    code: Option<i64>,
    #[serde(skip_serializing)]
    err_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<SendData>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct SendData {
    #[serde(skip_serializing_if = "Option::is_none")]
    message_audit: Option<AuditRef>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct AuditRef {
    audit_id: String,
}

impl From<MessageSentWire> for MessageSent {
    fn from(wire: MessageSentWire) -> Self {
        let held = [wire.err_code, wire.code]
            .into_iter()
            .flatten()
            .find(|c| *c != 0)
            .is_some_and(code::holds_for_audit);
        let audit = wire.data.and_then(|d| d.message_audit).map(|a| a.audit_id);
        let audit_id = match audit {
            Some(id) => Some(id),
            None if held => Some(String::new()),
            None => None,
        };
        Self {
            id: wire.id,
            timestamp: wire.timestamp,
            audit_id,
        }
    }
}

impl crate::de::Payload for MessageSent {
    const MODE: crate::de::Mode = crate::de::Mode::Lossy;
    fn plain<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        MessageSentWire::deserialize(d).map(Self::from)
    }
}

impl<'de> Deserialize<'de> for MessageSent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::payload(d)
    }
}

impl Serialize for MessageSent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MessageSentWire {
            id: self.id.clone(),
            timestamp: self.timestamp.clone(),
            code: None,
            err_code: None,
            data: self.audit_id.as_ref().map(|id| SendData {
                message_audit: Some(AuditRef {
                    audit_id: id.clone(),
                }),
            }),
        }
        .serialize(s)
    }
}

/// Body of `POST /users/@me/dms`: opens a guild DM session with a member.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct DirectMessageToCreate {
    /// The guild the user is reached through.
    pub source_guild_id: String,
    /// The user.
    pub recipient_id: String,
}

/// A guild DM session (answer of `POST /users/@me/dms`): send to it with
/// `POST /dms/{guild_id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct DirectMessageSession {
    /// The DM's guild id (the path parameter of DM sends).
    pub guild_id: String,
    /// The DM's channel id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
}

/// The body of an OpenAPI error answer (`{message, code, err_code, trace_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ApiErrorBody {
    /// Human-readable reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Error code (being retired in favour of `err_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// Error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub err_code: Option<i64>,
    /// Server trace id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

impl ApiErrorBody {
    /// `err_code`, else `code` (0 counts as absent).
    pub fn error_code(&self) -> Option<i64> {
        self.err_code
            .filter(|c| *c != 0)
            .or(self.code.filter(|c| *c != 0))
    }
}

crate::de::lenient_payload!(Lossy: MessageToCreate, Markdown, MarkdownParam, Media, RichMediaToCreate, MediaUploaded, DirectMessageToCreate, DirectMessageSession, ApiErrorBody);
crate::de::serialize_derived!(
    MessageToCreate,
    Markdown,
    MarkdownParam,
    Media,
    RichMediaToCreate,
    MediaUploaded,
    DirectMessageToCreate,
    DirectMessageSession,
    ApiErrorBody
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_reply_serialises_only_what_is_set() {
        let m = MessageToCreate::text("hi").reply_to("08e0").seq(2);
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"content": "hi", "msg_type": 0, "msg_id": "08e0", "msg_seq": 2})
        );
        assert_eq!(m.reply_key(), Some("08e0"));
        assert_eq!(MessageToCreate::text("x").reply_key(), None);
    }

    #[test]
    fn media_markdown_and_quote_wire_shapes() {
        let m = MessageToCreate::media("AbC=").reply_to_event("GROUP_ADD_ROBOT:1");
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"msg_type": 7, "media": {"file_info": "AbC="}, "event_id": "GROUP_ADD_ROBOT:1"})
        );
        let md = MessageToCreate::markdown(Markdown::native("# t")).quote("m1");
        assert_eq!(
            serde_json::to_value(&md).unwrap(),
            json!({"msg_type": 2, "markdown": {"content": "# t"},
                   "message_reference": {"message_id": "m1", "ignore_get_message_error": true}})
        );
    }

    #[test]
    fn responses_decode_leniently() {
        let sent: MessageSent =
            serde_json::from_str(r#"{"id":"m-1","timestamp":1700000000,"extra":1}"#).unwrap();
        assert_eq!(sent.id, "m-1");
        assert_eq!(sent.timestamp.as_deref(), Some("1700000000"));
        let up: MediaUploaded =
            serde_json::from_str(r#"{"file_uuid":"u","file_info":"Zg==","ttl":"3600"}"#).unwrap();
        assert_eq!((up.file_info.as_str(), up.ttl), ("Zg==", Some(3600)));
        let err: ApiErrorBody =
            serde_json::from_str(r#"{"message":"bad","code":0,"err_code":"40034006"}"#).unwrap();
        assert_eq!(err.error_code(), Some(40_034_006));
        let upload = RichMediaToCreate::url(file_type::IMAGE, "https://x/y.png");
        assert_eq!(
            serde_json::to_value(&upload).unwrap(),
            json!({"file_type": 1, "url": "https://x/y.png", "srv_send_msg": false})
        );
    }

    #[test]
    fn a_send_held_for_audit_decodes_with_its_audit_id() {
        let sent: MessageSent = crate::de::from_slice(
            br#"{"code":304023,"message":"push message is waiting for audit",
                 "data":{"message_audit":{"audit_id":"a-1"}}}"#,
        )
        .unwrap();
        assert!(sent.held_for_audit());
        assert_eq!(
            (sent.id.as_str(), sent.audit_id.as_deref()),
            ("", Some("a-1"))
        );
        // Sloppy shapes: a code as a string, a numeric audit id; another hold code without
        // the id is held all the same (the audit not named).
        let sent: MessageSent =
            crate::de::from_slice(br#"{"code":"304024","data":{"message_audit":{"audit_id":77}}}"#)
                .unwrap();
        assert_eq!(sent.audit_id.as_deref(), Some("77"));
        let sent: MessageSent =
            serde_json::from_str(r#"{"err_code":304024,"code":0,"data":""}"#).unwrap();
        assert_eq!(sent.audit_id.as_deref(), Some(""));
        // A sent message, or another code, is not held.
        let sent: MessageSent = serde_json::from_str(r#"{"id":"m-2","code":0}"#).unwrap();
        assert!(!sent.held_for_audit());
        let sent: MessageSent = serde_json::from_str(r#"{"code":40034006}"#).unwrap();
        assert_eq!(sent.audit_id, None);
        // A hold whose answer names the message id too keeps both.
        let sent: MessageSent = crate::de::from_slice(
            br#"{"code":304023,"id":"x","data":{"message_audit":{"audit_id":"a-3"}}}"#,
        )
        .unwrap();
        assert_eq!(
            (sent.id.as_str(), sent.audit_id.as_deref()),
            ("x", Some("a-3"))
        );
        // Written back in the platform's shape, it reads the same.
        let held = MessageSent {
            audit_id: Some("a-9".into()),
            ..MessageSent::default()
        };
        let wire = serde_json::to_value(&held).unwrap();
        assert_eq!(
            wire,
            json!({"id": "", "data": {"message_audit": {"audit_id": "a-9"}}})
        );
        assert_eq!(serde_json::from_value::<MessageSent>(wire).unwrap(), held);
        assert_eq!(
            serde_json::to_value(MessageSent {
                id: "m".into(),
                ..MessageSent::default()
            })
            .unwrap(),
            json!({"id": "m"})
        );
    }
}
