//! QQ replies: unified elements → `MessageToCreate`, sent with the OpenAPI client.

use botgate_codec::Frame;
use botgate_dispatch::{
    OutMessage, PlatformKind, ReplyError, ReplyErrorKind, ReplyReceipt, ReplySink,
};
use botgate_proto::qq::api::{file_type, Markdown, MessageSent, MessageToCreate};
use botgate_proto::unified::{Element, Media, Platform, Scene};
use botgate_transport::qq::{OpenApi, Target};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use super::{answering, transport_error, Answering};

const QQ: PlatformKind = PlatformKind::Qq;

/// Sends QQ replies through one [`OpenApi`] client (its `TokenSource` refreshes the token).
pub(crate) struct QqReplies {
    api: OpenApi,
}

impl QqReplies {
    pub(crate) fn new(api: OpenApi) -> Self {
        Self { api }
    }
}

impl ReplySink for QqReplies {
    fn reply(
        &self,
        raw: &Bytes,
        message: OutMessage,
    ) -> BoxFuture<'static, Result<ReplyReceipt, ReplyError>> {
        let api = self.api.clone();
        let raw = raw.clone();
        async move {
            let a = answering(Platform::Qq, &raw)?;
            let target = target(&a)?;
            let event_id = Frame::scan(raw)
                .ok()
                .and_then(|f| f.id().map(str::to_owned));
            let planned = plan(&a, &target, event_id.as_deref(), message.elements())?;
            let sent = match send(&api, &target, &planned).await {
                // A token the platform stopped accepting (expired early, revoked) was dropped
                // from the cache by the client: the second attempt fetches a fresh one. Only
                // after a 401 at the first attempt: after a retry, an earlier attempt may have
                // delivered the message (an answer lost), and a new send would take a new
                // `msg_seq` that QQ does not dedupe (decision 0075).
                Err(e)
                    if e.status() == Some(401)
                        && e.api().is_some_and(|api| api.attempts == 1)
                        && api.tokens().app_id().is_some() =>
                {
                    tracing::debug!("qq reply got 401; retrying once with a fresh token");
                    send(&api, &target, &planned).await
                }
                other => other,
            }
            .map_err(transport_error)?;
            Ok(receipt(sent))
        }
        .boxed()
    }
}

/// The receipt of a send. Held for audit: accepted, so a receipt with the audit id (and the
/// message id when the answer named one too), not an error.
fn receipt(sent: MessageSent) -> ReplyReceipt {
    match sent.audit_id {
        Some(audit_id) => {
            let mut receipt = ReplyReceipt::held(QQ, audit_id);
            receipt.message_id = Some(sent.id).filter(|id| !id.is_empty());
            receipt
        }
        // Empty: delivered by an attempt whose answer was lost (the id is unknown).
        None => ReplyReceipt::new(QQ, Some(sent.id).filter(|id| !id.is_empty())),
    }
}

async fn send(
    api: &OpenApi,
    target: &Target,
    planned: &Planned,
) -> Result<MessageSent, botgate_transport::Error> {
    match &planned.media {
        Some((kind, url)) => {
            api.send_media_url(target, *kind, url, planned.msg.clone())
                .await
        }
        None => api.send(target, planned.msg.clone()).await,
    }
}

/// Where an answer to `a` goes.
pub(crate) fn target(a: &Answering) -> Result<Target, ReplyError> {
    match (&a.scene, &a.sub_peer) {
        (Scene::Guild, Some(channel)) => Ok(Target::Channel(channel.clone())),
        (Scene::Guild, None) => Err(ReplyError::no_target(format!(
            "{} names no channel to answer in",
            a.kind
        ))),
        (Scene::Group, _) => Ok(Target::Group(a.peer.clone())),
        // A guild DM's sub-peer is the DM session's guild; C2C has none.
        (Scene::Private, Some(guild)) => Ok(Target::Dm(guild.clone())),
        (Scene::Private, None) => Ok(Target::C2c(a.peer.clone())),
        (scene, _) => Err(ReplyError::no_target(format!(
            "QQ has no {scene:?} scene to answer in"
        ))),
    }
}

/// A QQ message ready to send, with the one media item groups / C2C upload first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Planned {
    pub(crate) msg: MessageToCreate,
    /// `(file_type, url)` of the media to send with it.
    pub(crate) media: Option<(u32, String)>,
}

/// Maps `elements` to a QQ message for `target`, as a passive reply to the event `a`.
pub(crate) fn plan(
    a: &Answering,
    target: &Target,
    event_id: Option<&str>,
    elements: &[Element],
) -> Result<Planned, ReplyError> {
    let guild = matches!(target, Target::Channel(_) | Target::Dm(_));
    let mut content = String::new();
    let mut markdown = false;
    let mut quote: Option<String> = None;
    let mut image: Option<String> = None;
    let mut media: Option<(u32, String)> = None;
    for element in elements {
        match element {
            Element::Text { text } => content.push_str(text),
            Element::Markdown { content: md } => {
                markdown = true;
                content.push_str(md);
            }
            Element::At { user_id, .. } if guild => {
                content.push_str(&format!("<@!{user_id}>"));
            }
            Element::AtAll if matches!(target, Target::Channel(_)) => {
                content.push_str("@everyone");
            }
            Element::Face { id } if guild => content.push_str(&format!("<emoji:{id}>")),
            Element::At { .. } | Element::AtAll | Element::Face { .. } => {
                return Err(unsupported(
                    element,
                    "QQ groups and C2C take plain text, media and markdown only",
                ));
            }
            Element::Reply { message_id } => {
                if quote.replace(message_id.to_string()).is_some() {
                    return Err(unsupported(element, "a message quotes one message at most"));
                }
            }
            Element::Image(m) if guild => {
                let url = url_of(element, m)?;
                if image.replace(url).is_some() {
                    return Err(unsupported(element, "a guild message carries one image"));
                }
            }
            Element::Image(m) | Element::Record(m) | Element::Video(m) if !guild => {
                let kind = match element {
                    Element::Image(_) => file_type::IMAGE,
                    Element::Record(_) => file_type::VOICE,
                    _ => file_type::VIDEO,
                };
                let url = url_of(element, m)?;
                if media.replace((kind, url)).is_some() {
                    return Err(unsupported(
                        element,
                        "a group / C2C message carries one media item",
                    ));
                }
            }
            Element::Record(_) | Element::Video(_) => {
                return Err(unsupported(
                    element,
                    "guild channels and DMs take images only",
                ));
            }
            other => {
                return Err(unsupported(other, "QQ bots cannot send it"));
            }
        }
    }
    if markdown && (image.is_some() || media.is_some()) {
        return Err(ReplyError::unsupported(
            QQ,
            "markdown",
            "markdown cannot be combined with an image or media",
        ));
    }
    let mut msg = if markdown {
        MessageToCreate::markdown(Markdown::native(content))
    } else if content.is_empty() && image.is_none() && media.is_none() {
        return Err(ReplyError::new(ReplyErrorKind::Empty));
    } else {
        let mut msg = MessageToCreate::text(content);
        if msg.content.as_deref() == Some("") {
            msg.content = None;
        }
        msg.image = image;
        msg
    };
    if let Some(id) = quote {
        msg = msg.quote(id);
    }
    msg = match (
        a.is_message.then_some(a.message_id.as_deref()).flatten(),
        event_id,
    ) {
        (Some(msg_id), _) => msg.reply_to(msg_id),
        (None, Some(event_id)) => msg.reply_to_event(event_id),
        (None, None) => msg,
    };
    Ok(Planned { msg, media })
}

fn url_of(element: &Element, m: &Media) -> Result<String, ReplyError> {
    (m.url
        .iter()
        .chain(m.file.iter())
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned()
        .ok_or_else(|| {
            unsupported(
                element,
                "QQ bots send media by http(s) URL; this one has none",
            )
        }))
    .map(String::from)
}

fn unsupported(element: &Element, reason: &str) -> ReplyError {
    ReplyError::unsupported(QQ, element.kind(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use botgate_proto::qq::api::msg_type;

    fn answering(scene: Scene, peer: &str, sub_peer: Option<&str>) -> Answering {
        Answering {
            kind: "X".into(),
            scene,
            peer: peer.into(),
            sub_peer: sub_peer.map(Into::into),
            user_id: peer.into(),
            message_id: Some("m1".into()),
            is_message: true,
        }
    }

    /// A hold for audit keeps the audit id, and the message id when the answer names one
    /// too (`{"code":304023,"id":"x",...}`); an answer without one has none.
    #[test]
    fn a_held_send_keeps_its_message_id_when_the_answer_names_one() {
        let sent = |body: &str| -> MessageSent { serde_json::from_str(body).unwrap() };
        let r = receipt(sent(
            r#"{"code":304023,"id":"x","data":{"message_audit":{"audit_id":"a-1"}}}"#,
        ));
        assert!(r.held_for_audit());
        assert_eq!(
            (r.message_id.as_deref(), r.audit_id.as_deref()),
            (Some("x"), Some("a-1"))
        );
        let r = receipt(sent(
            r#"{"code":304023,"data":{"message_audit":{"audit_id":"a-2"}}}"#,
        ));
        assert_eq!(
            (r.message_id.as_deref(), r.audit_id.as_deref()),
            (None, Some("a-2"))
        );
        let r = receipt(sent(r#"{"id":"m-3","timestamp":"t"}"#));
        assert!(!r.held_for_audit());
        assert_eq!((r.message_id.as_deref(), r.audit_id), (Some("m-3"), None));
    }

    #[test]
    fn targets_per_scene() {
        let t = |s, p, sp| target(&answering(s, p, sp)).unwrap();
        assert_eq!(t(Scene::Guild, "g", Some("c")), Target::Channel("c".into()));
        assert_eq!(t(Scene::Private, "u", Some("g")), Target::Dm("g".into()));
        assert_eq!(t(Scene::Private, "u", None), Target::C2c("u".into()));
        assert_eq!(t(Scene::Group, "G", None), Target::Group("G".into()));
        assert!(target(&answering(Scene::Guild, "g", None)).is_err());
    }

    #[test]
    fn guild_text_at_face_image_and_quote() {
        let a = answering(Scene::Guild, "g", Some("c"));
        let p = plan(
            &a,
            &Target::Channel("c".into()),
            Some("ev"),
            &[
                Element::at("42"),
                Element::text(" hi "),
                Element::Face { id: "4".into() },
                Element::Reply {
                    message_id: "q".into(),
                },
                Element::Image(Media {
                    url: Some("https://x.invalid/a.png".into()),
                    ..Media::default()
                }),
            ],
        )
        .unwrap();
        assert_eq!(p.msg.content.as_deref(), Some("<@!42> hi <emoji:4>"));
        assert_eq!(p.msg.image.as_deref(), Some("https://x.invalid/a.png"));
        assert_eq!(p.msg.msg_id.as_deref(), Some("m1"));
        assert_eq!(p.msg.event_id, None);
        assert_eq!(p.msg.message_reference.unwrap().message_id, "q");
        assert_eq!(p.media, None);
    }

    #[test]
    fn group_media_is_uploaded_and_mentions_are_refused() {
        let a = answering(Scene::Group, "G", None);
        let target = Target::Group("G".into());
        let p = plan(
            &a,
            &target,
            None,
            &[
                Element::text("look"),
                Element::Image(Media {
                    file: Some("http://x.invalid/b.png".into()),
                    ..Media::default()
                }),
            ],
        )
        .unwrap();
        assert_eq!(
            p.media,
            Some((file_type::IMAGE, "http://x.invalid/b.png".into()))
        );
        assert_eq!(p.msg.content.as_deref(), Some("look"));
        let e = plan(&a, &target, None, &[Element::at("x")]).unwrap_err();
        assert!(
            matches!(e.kind(), ReplyErrorKind::Unsupported { platform: PlatformKind::Qq, element, .. } if element == "at"),
            "{e}"
        );
        let e = plan(&a, &target, None, &[Element::Forward { id: "f".into() }]).unwrap_err();
        assert!(
            matches!(e.kind(), ReplyErrorKind::Unsupported { element, .. } if element == "forward")
        );
    }

    #[test]
    fn markdown_and_event_id_for_notices() {
        let mut a = answering(Scene::Group, "G", None);
        a.is_message = false;
        a.message_id = None;
        let p = plan(
            &a,
            &Target::Group("G".into()),
            Some("GROUP_ADD_ROBOT:1"),
            &[Element::Markdown {
                content: "# hi".into(),
            }],
        )
        .unwrap();
        assert_eq!(p.msg.msg_type, Some(msg_type::MARKDOWN));
        assert_eq!(p.msg.markdown.unwrap().content.as_deref(), Some("# hi"));
        assert_eq!(p.msg.event_id.as_deref(), Some("GROUP_ADD_ROBOT:1"));
        assert_eq!(p.msg.msg_id, None);
        let e = plan(
            &a,
            &Target::Group("G".into()),
            None,
            &[Element::Reply {
                message_id: "x".into(),
            }],
        )
        .unwrap_err();
        assert_eq!(e.kind(), &ReplyErrorKind::Empty);
    }
}

#[cfg(test)]
mod sim_tests {
    use super::*;
    use botgate_dispatch::OutMessage;
    use botgate_sim::{HttpFault, QqSim};
    use botgate_transport::http::HttpClient;
    use botgate_transport::qq::{AppCredentials, OpenApiConfig, TokenSource};
    use botgate_transport::RetryPolicy;
    use std::time::Duration;

    const GROUP_MESSAGE: &[u8] =
        br#"{"op":0,"s":5,"t":"GROUP_AT_MESSAGE_CREATE","id":"GROUP_AT_MESSAGE_CREATE:e1",
        "d":{"id":"ROBOT1.0_x","content":" hi","group_openid":"G","author":{"member_openid":"E4F4"},
        "timestamp":"2023-11-06T13:37:18+08:00"}}"#;

    fn sink(sim: &QqSim) -> QqReplies {
        let http = HttpClient::new().unwrap();
        let credentials = AppCredentials::new(
            sim.config().app_id.clone(),
            sim.config().client_secret.clone(),
        )
        .with_auth_base(sim.http_base());
        let tokens = TokenSource::app(http.clone(), credentials);
        QqReplies::new(OpenApi::new(
            http,
            tokens,
            OpenApiConfig {
                api_base: sim.http_base(),
                retry: RetryPolicy {
                    max_retries: 3,
                    base_delay: Duration::from_millis(5),
                    max_delay: Duration::from_millis(20),
                    max_retry_after: Duration::from_secs(5),
                },
            },
        ))
    }

    fn statuses(sim: &QqSim) -> Vec<u16> {
        sim.requests("POST", "/v2/groups/G/messages")
            .iter()
            .map(|r| match r {
                botgate_sim::Record::Http { status, .. } => *status,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// A group reply whose first answer was lost (502 after the sim sent it) and whose retry
    /// met a 401 (the token revoked meanwhile, e.g. another process refreshed it): the sink's
    /// retry with a fresh token took a new `msg_seq`, so QQ delivered the message twice.
    #[tokio::test]
    async fn a_401_after_a_lost_answer_does_not_send_the_reply_again() {
        let sim = QqSim::start_default().await.unwrap();
        let replies = sink(&sim);
        sim.inject_http(HttpFault::status(502).after_handling().on("/v2/groups/"));
        sim.inject_http(HttpFault::status(401).code(11_244).on("/v2/groups/"));
        let raw = Bytes::from_static(GROUP_MESSAGE);
        let result = tokio::time::timeout(
            Duration::from_secs(10),
            replies.reply(&raw, OutMessage::new().text("pong")),
        )
        .await
        .unwrap();
        let delivered = statuses(&sim).iter().filter(|s| **s == 200).count();
        // The 502 attempt delivered it; nothing after may deliver it again.
        assert_eq!(delivered, 0, "{:?} {result:?}", statuses(&sim));
        assert_eq!(statuses(&sim), vec![502, 401], "{result:?}");
        assert!(result.is_err());

        // A 401 at the first attempt (nothing can have landed) is still retried once with a
        // fresh token.
        sim.inject_http(HttpFault::status(401).code(11_244).on("/v2/groups/"));
        let receipt = replies
            .reply(&raw, OutMessage::new().text("again"))
            .await
            .unwrap();
        assert!(receipt.message_id.is_some_and(|id| !id.is_empty()));
        assert_eq!(statuses(&sim), vec![502, 401, 401, 200]);
    }

    /// A retried group reply refused as a duplicate was delivered by an attempt whose answer
    /// was lost: `Ok` with no message id (not `Some("")`, which no recall can use).
    #[tokio::test]
    async fn a_reply_delivered_by_a_lost_attempt_has_no_message_id() {
        let sim = QqSim::start_default().await.unwrap();
        let replies = sink(&sim);
        sim.inject_http(HttpFault::status(502).after_handling().on("/v2/groups/"));
        let raw = Bytes::from_static(GROUP_MESSAGE);
        let receipt = replies
            .reply(&raw, OutMessage::new().text("pong"))
            .await
            .unwrap();
        assert_eq!(statuses(&sim), vec![502, 400]);
        assert_eq!(receipt.message_id, None);
    }
}
