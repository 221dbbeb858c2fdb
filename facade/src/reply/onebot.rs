//! OneBot replies: unified elements → a segment array, sent with `send_group_msg` /
//! `send_private_msg` through the bot's action handle (echo correlation).

use std::sync::Arc;

use botgate_dispatch::{
    ActionCall, ActionCallError, ActionCallErrorKind, ActionSink, OutMessage, PlatformKind,
    ReplyError, ReplyErrorKind, ReplyReceipt, ReplySink,
};
use botgate_proto::onebot::action::{ActionParams, SendGroupMsg, SendPrivateMsg};
use botgate_proto::onebot::segment;
use botgate_proto::onebot::{Message, Segment};
use botgate_proto::unified::{Element, Media, Platform, Scene};
use botgate_proto::Text;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use super::{answering, Answering};

const ONEBOT: PlatformKind = PlatformKind::OneBot;

/// Sends OneBot replies as actions through the bot's [`ActionSink`].
pub(crate) struct OneBotReplies {
    actions: Arc<dyn ActionSink>,
}

impl OneBotReplies {
    pub(crate) fn new(actions: Arc<dyn ActionSink>) -> Self {
        Self { actions }
    }
}

impl ReplySink for OneBotReplies {
    fn reply(
        &self,
        raw: &Bytes,
        message: OutMessage,
    ) -> BoxFuture<'static, Result<ReplyReceipt, ReplyError>> {
        let actions = Arc::clone(&self.actions);
        let raw = raw.clone();
        async move {
            let a = answering(Platform::OneBot, &raw)?;
            let action = plan(&a, message.elements())?;
            let data = actions.call(action).await.map_err(action_error)?;
            // The send succeeded: an id we cannot read is no reason to report a failure (the
            // caller would send again), only a receipt without an id.
            Ok(ReplyReceipt::new(ONEBOT, sent_message_id(&data)))
        }
        .boxed()
    }
}

/// The new message's id in a send's answer: a number (the standard's int32) or a string
/// (implementations differ, and not every string id is a number); none without one (an
/// `async` answer's `data` is null). Read by the session's lenient id reader (decision 0078).
fn sent_message_id(data: &serde_json::Value) -> Option<String> {
    botgate_session::wire::id_field(data, "message_id")
}

fn action_error(e: ActionCallError) -> ReplyError {
    let kind = match e.kind() {
        ActionCallErrorKind::Rejected { code, message } => ReplyErrorKind::Rejected {
            code: *code,
            message: message.clone(),
        },
        _ => ReplyErrorKind::Transport,
    };
    ReplyError::with_source(kind, e)
}

fn id(a: &Answering, what: &str, value: Option<&str>) -> Result<i64, ReplyError> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ReplyError::no_target(format!("{} has no numeric {what}", a.kind)))
}

fn action<P: ActionParams>(params: &P) -> Result<ActionCall, ReplyError> {
    let params = serde_json::to_value(params).map_err(|e| {
        ReplyError::with_source(
            ReplyErrorKind::Rejected {
                code: 0,
                message: format!("{} params do not serialise", P::NAME),
            },
            e,
        )
    })?;
    Ok(ActionCall {
        name: P::NAME.to_owned(),
        params,
    })
}

/// The send action answering `a` with `elements`: a segment array that starts with a `reply`
/// to the message answered (unless the elements carry their own reply).
pub(crate) fn plan(a: &Answering, elements: &[Element]) -> Result<ActionCall, ReplyError> {
    let message = segments(a, elements)?;
    match a.scene {
        Scene::Group => action(&SendGroupMsg {
            group_id: id(a, "group id", Some(&a.peer))?,
            message,
            auto_escape: None,
        }),
        Scene::Private | Scene::Nearby | Scene::Stranger => action(&SendPrivateMsg {
            user_id: id(a, "user id", Some(&a.peer))?,
            group_id: None,
            message,
            auto_escape: None,
        }),
        Scene::StrangerFromGroup => action(&SendPrivateMsg {
            user_id: id(a, "user id", Some(&a.peer))?,
            group_id: a.sub_peer.as_deref().and_then(|g| g.parse().ok()),
            message,
            auto_escape: None,
        }),
        _ => Err(ReplyError::no_target(format!(
            "OneBot has no {:?} scene to answer in",
            a.scene
        ))),
    }
}

fn segments(a: &Answering, elements: &[Element]) -> Result<Message, ReplyError> {
    let mut out = Vec::with_capacity(elements.len() + 1);
    let mut has_reply = false;
    for element in elements {
        let seg = match element {
            Element::Text { text } => Segment::text(text.clone()),
            Element::At { user_id, name } => Segment::At(segment::At {
                qq: user_id.clone(),
                name: name.clone(),
                ..segment::At::default()
            }),
            Element::AtAll => Segment::at_all(),
            Element::Face { id } => Segment::face(id),
            Element::Image(m) => Segment::Image(segment::Image {
                file: file_of(element, m)?,
                ..segment::Image::default()
            }),
            Element::Record(m) => Segment::Record(segment::Record {
                file: file_of(element, m)?,
                ..segment::Record::default()
            }),
            Element::Video(m) => Segment::Video(segment::Video {
                file: file_of(element, m)?,
                ..segment::Video::default()
            }),
            Element::Reply { message_id } => {
                if has_reply {
                    return Err(unsupported(
                        element,
                        "a message answers one message at most",
                    ));
                }
                has_reply = true;
                Segment::reply(message_id)
            }
            Element::Json { data } => Segment::Json(segment::Json {
                data: data.clone(),
                ..segment::Json::default()
            }),
            Element::Xml { data } => Segment::Xml(segment::Xml {
                data: data.clone(),
                ..segment::Xml::default()
            }),
            // An extension (Lagrange, NapCat); implementations without it refuse the action.
            Element::Markdown { content } => Segment::Markdown(segment::Markdown {
                content: content.clone(),
                ..segment::Markdown::default()
            }),
            Element::File(_) => {
                return Err(unsupported(
                    element,
                    "send files with upload_group_file / upload_private_file",
                ))
            }
            Element::Forward { .. } => {
                return Err(unsupported(
                    element,
                    "send forwards with send_group_forward_msg",
                ))
            }
            other => return Err(unsupported(other, "no OneBot v11 segment carries it")),
        };
        out.push(seg);
    }
    if out.is_empty() {
        return Err(ReplyError::new(ReplyErrorKind::Empty));
    }
    if !has_reply && a.is_message {
        if let Some(id) = &a.message_id {
            out.insert(0, Segment::reply(id));
        }
    }
    Ok(Message(out))
}

fn file_of(element: &Element, m: &Media) -> Result<Text, ReplyError> {
    m.file
        .clone()
        .or_else(|| m.url.clone())
        .ok_or_else(|| unsupported(element, "OneBot media need a file, URL or base64:// data"))
}

fn unsupported(element: &Element, reason: &str) -> ReplyError {
    ReplyError::unsupported(ONEBOT, element.kind(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answering(scene: Scene, peer: &str, sub_peer: Option<&str>) -> Answering {
        Answering {
            kind: "message.group".into(),
            scene,
            peer: peer.into(),
            sub_peer: sub_peer.map(Into::into),
            user_id: peer.into(),
            message_id: Some("555".into()),
            is_message: true,
        }
    }

    #[test]
    fn group_reply_leads_with_a_reply_segment() {
        let a = answering(Scene::Group, "987654321", None);
        let act = plan(
            &a,
            &[
                Element::at("111"),
                Element::text(" pong"),
                Element::Face { id: "14".into() },
            ],
        )
        .unwrap();
        assert_eq!(act.name, "send_group_msg");
        assert_eq!(
            act.params,
            json!({"group_id": 987654321, "message": [
                {"type": "reply", "data": {"id": "555"}},
                {"type": "at", "data": {"qq": "111"}},
                {"type": "text", "data": {"text": " pong"}},
                {"type": "face", "data": {"id": "14"}},
            ]})
        );
    }

    #[test]
    fn private_and_temp_chats_and_explicit_reply() {
        let a = answering(Scene::Private, "111", None);
        let act = plan(
            &a,
            &[
                Element::Reply {
                    message_id: "9".into(),
                },
                Element::text("x"),
            ],
        )
        .unwrap();
        assert_eq!(act.name, "send_private_msg");
        assert_eq!(
            act.params,
            json!({"user_id": 111, "message": [
                {"type": "reply", "data": {"id": "9"}},
                {"type": "text", "data": {"text": "x"}},
            ]})
        );
        let a = answering(Scene::StrangerFromGroup, "111", Some("222"));
        let act = plan(&a, &[Element::text("x")]).unwrap();
        assert_eq!(act.params["group_id"], 222);
    }

    #[test]
    fn the_sent_message_id_is_read_as_numbers_and_strings_come() {
        let id = |data: serde_json::Value| sent_message_id(&data);
        assert_eq!(id(json!({"message_id": 7})).as_deref(), Some("7"));
        assert_eq!(id(json!({"message_id": -7})).as_deref(), Some("-7"));
        assert_eq!(id(json!({"message_id": 7.0})).as_deref(), Some("7"));
        assert_eq!(id(json!({"message_id": "7"})).as_deref(), Some("7"));
        assert_eq!(id(json!({"message_id": "a=b"})).as_deref(), Some("a=b"));
        assert_eq!(id(json!({"message_id": ""})), None);
        assert_eq!(id(json!({"message_id": null})), None);
        assert_eq!(id(json!({})), None);
        assert_eq!(id(json!(null)), None);
    }

    #[test]
    fn files_and_forwards_are_refused() {
        let a = answering(Scene::Group, "1", None);
        let e = plan(&a, &[Element::File(Media::default())]).unwrap_err();
        assert!(
            matches!(e.kind(), ReplyErrorKind::Unsupported { platform: PlatformKind::OneBot, element, .. } if element == "file"),
            "{e}"
        );
        let e = plan(&a, &[Element::Forward { id: "f".into() }]).unwrap_err();
        assert!(
            matches!(e.kind(), ReplyErrorKind::Unsupported { element, .. } if element == "forward")
        );
    }
}
