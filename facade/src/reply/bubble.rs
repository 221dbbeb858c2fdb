//! Bubble replies: unified elements → `SendMessage`, sent with the REST client.

use botgate_dispatch::{
    OutMessage, PlatformKind, ReplyError, ReplyErrorKind, ReplyReceipt, ReplySink,
};
use botgate_proto::bubble::api::SendMessage;
use botgate_proto::bubble::Attachment;
use botgate_proto::unified::{Element, Media, Platform, Scene};
use botgate_transport::bubble::Rest;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use super::{answering, transport_error, Answering};

const BUBBLE: PlatformKind = PlatformKind::Bubble;

/// Sends Bubble replies through one [`Rest`] client (shared budget and DM-thread cache).
pub(crate) struct BubbleReplies {
    rest: Rest,
}

impl BubbleReplies {
    pub(crate) fn new(rest: Rest) -> Self {
        Self { rest }
    }
}

/// Where a Bubble answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BubbleTarget {
    /// `POST /channels/:id/messages` (guild channels, group threads).
    Channel(i64),
    /// The DM thread of this user (`GET /users/:id/dm`, cached, then
    /// `POST /dm/threads/:thread/messages`).
    User(i64),
}

impl ReplySink for BubbleReplies {
    fn reply(
        &self,
        raw: &Bytes,
        message: OutMessage,
    ) -> BoxFuture<'static, Result<ReplyReceipt, ReplyError>> {
        let rest = self.rest.clone();
        let raw = raw.clone();
        async move {
            let a = answering(Platform::Bubble, &raw)?;
            let target = target(&a)?;
            let msg = plan(&a, message.elements())?;
            let sent = match target {
                BubbleTarget::Channel(id) => rest.send_channel(id, &msg).await,
                BubbleTarget::User(id) => rest.send_to_user(id, &msg).await,
            }
            .map_err(transport_error)?;
            Ok(ReplyReceipt::new(BUBBLE, sent.id.map(|id| id.to_string())))
        }
        .boxed()
    }
}

fn id(a: &Answering, what: &str, value: Option<&str>) -> Result<i64, ReplyError> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ReplyError::no_target(format!("{} has no numeric {what}", a.kind)))
}

/// Where an answer to `a` goes: DMs to the DM thread of whoever triggered the event,
/// everything else to the channel (or group thread) it came from.
pub(crate) fn target(a: &Answering) -> Result<BubbleTarget, ReplyError> {
    match a.scene {
        // Not `peer`: a DM deletion names the thread there, and no user.
        Scene::Private => id(a, "author id", Some(&a.user_id)).map(BubbleTarget::User),
        Scene::Guild | Scene::Group => {
            id(a, "channel id", a.sub_peer.as_deref()).map(BubbleTarget::Channel)
        }
        _ => Err(ReplyError::no_target(format!(
            "Bubble has no {:?} scene to answer in",
            a.scene
        ))),
    }
}

/// Maps `elements` to a Bubble message answering `a` (`replyToId` = the message answered,
/// unless a reply element names another).
pub(crate) fn plan(a: &Answering, elements: &[Element]) -> Result<SendMessage, ReplyError> {
    let mut content = String::new();
    let mut reply_to: Option<i64> = None;
    let mut attachments = Vec::new();
    for element in elements {
        match element {
            Element::Text { text } => content.push_str(text),
            // Markdown is read in `content` of any type; api.md's `type` has no markdown.
            Element::Markdown { content: md } => content.push_str(md),
            Element::Reply { message_id } => {
                let id = message_id
                    .parse()
                    .map_err(|_| unsupported(element, "Bubble message ids are integers"))?;
                if reply_to.replace(id).is_some() {
                    return Err(unsupported(
                        element,
                        "a message answers one message at most",
                    ));
                }
            }
            Element::Image(m) => attachments.push(attachment(element, m, "image")?),
            Element::Record(m) => attachments.push(attachment(element, m, "audio")?),
            Element::Video(m) => attachments.push(attachment(element, m, "video")?),
            Element::File(m) => attachments.push(attachment(element, m, "file")?),
            // api.md's mention shorthand in `content`: `<@userId>`, `<@everyone>`.
            Element::At { user_id, .. } => {
                let id: i64 = user_id
                    .parse()
                    .map_err(|_| unsupported(element, "Bubble user ids are integers"))?;
                content.push_str(&format!("<@{id}>"));
            }
            Element::AtAll => content.push_str("<@everyone>"),
            other => return Err(unsupported(other, "Bubble bots cannot send it")),
        }
    }
    if content.is_empty() && attachments.is_empty() {
        return Err(ReplyError::new(ReplyErrorKind::Empty));
    }
    let reply_to = reply_to.or_else(|| {
        a.is_message
            .then(|| a.message_id.as_deref().and_then(|m| m.parse().ok()))
            .flatten()
    });
    Ok(SendMessage {
        content: (!content.is_empty()).then_some(content),
        // Absent: `text`, or what the attachments say (api.md).
        kind: None,
        reply_to_id: reply_to,
        attachments,
        components: Vec::new(),
    })
}

/// An attachment by URL (or storage path), `category` as Bubble names its kinds.
fn attachment(element: &Element, m: &Media, category: &str) -> Result<Attachment, ReplyError> {
    if m.url.is_none() && m.file.is_none() {
        return Err(unsupported(
            element,
            "Bubble attachments need a URL or a storage path",
        ));
    }
    Ok(Attachment {
        path: m.file.clone(),
        url: m.url.clone(),
        content_type: m.mime.clone(),
        size: m.size,
        filename: m.name.clone(),
        category: Some(category.into()),
    })
}

fn unsupported(element: &Element, reason: &str) -> ReplyError {
    ReplyError::unsupported(BUBBLE, element.kind(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answering(scene: Scene, peer: &str, sub_peer: Option<&str>) -> Answering {
        Answering {
            kind: "MESSAGE_CREATE".into(),
            scene,
            peer: peer.into(),
            sub_peer: sub_peer.map(Into::into),
            user_id: peer.into(),
            message_id: Some("900".into()),
            is_message: true,
        }
    }

    #[test]
    fn targets_channels_and_dm_users() {
        assert_eq!(
            target(&answering(Scene::Guild, "1", Some("20"))).unwrap(),
            BubbleTarget::Channel(20)
        );
        assert_eq!(
            target(&answering(Scene::Private, "7", Some("5001"))).unwrap(),
            BubbleTarget::User(7)
        );
        assert!(target(&answering(Scene::Guild, "1", None)).is_err());
        assert!(target(&answering(Scene::Private, "not-a-number", None)).is_err());
        let mut deletion = answering(Scene::Private, "5001", Some("5001"));
        deletion.user_id.clear();
        assert!(target(&deletion).is_err(), "a DM deletion names no user");
    }

    #[test]
    fn text_markdown_images_and_reply_ids() {
        let a = answering(Scene::Guild, "1", Some("20"));
        let m = plan(&a, &[Element::text("hi")]).unwrap();
        assert_eq!(m, SendMessage::text("hi").reply_to(900));
        let m = plan(
            &a,
            &[
                Element::Reply {
                    message_id: "12".into(),
                },
                Element::Markdown {
                    content: "**b**".into(),
                },
                Element::Image(Media {
                    url: Some("https://x.invalid/a.png".into()),
                    ..Media::default()
                }),
            ],
        )
        .unwrap();
        assert_eq!(m.reply_to_id, Some(12));
        assert_eq!(m.kind, None);
        assert_eq!(m.content.as_deref(), Some("**b**"));
        assert_eq!(m.attachments[0].category.as_deref(), Some("image"));
        assert_eq!(
            m.attachments[0].url.as_deref(),
            Some("https://x.invalid/a.png")
        );
    }

    /// api.md's `type` is `text` (the default), `image`, `voice` or `file`, inferred from the
    /// attachments when absent; Markdown is read in `content` of any type (Bubble's own
    /// client sends it as `type: "text"`).
    #[test]
    fn markdown_goes_in_the_content_with_no_undocumented_type() {
        let a = answering(Scene::Guild, "1", Some("20"));
        let m = plan(
            &a,
            &[
                Element::text("see: "),
                Element::Markdown {
                    content: "**b**".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(m.content.as_deref(), Some("see: **b**"));
        assert!(
            matches!(m.kind.as_deref(), None | Some("text")),
            "type {:?} is not one Bubble documents",
            m.kind
        );
    }

    /// api.md: `content` takes `<@userId>` (an @ of that user) and `<@everyone>`.
    #[test]
    fn mentions_are_sent_as_the_documented_content_shorthand() {
        let a = answering(Scene::Guild, "1", Some("20"));
        let m = plan(
            &a,
            &[Element::at("42"), Element::text(" hi "), Element::AtAll],
        )
        .unwrap();
        assert_eq!(m.content.as_deref(), Some("<@42> hi <@everyone>"));
        let err = plan(&a, &[Element::at("not-an-id")]).unwrap_err();
        assert!(
            matches!(err.kind(), ReplyErrorKind::Unsupported { .. }),
            "{err}"
        );
    }

    #[test]
    fn faces_are_refused() {
        let a = answering(Scene::Guild, "1", Some("20"));
        let e = Element::Face { id: "1".into() };
        let err = plan(&a, &[Element::text("x"), e.clone()]).unwrap_err();
        assert!(
            matches!(err.kind(), ReplyErrorKind::Unsupported { platform: PlatformKind::Bubble, element, .. } if element == e.kind()),
            "{err}"
        );
    }
}
