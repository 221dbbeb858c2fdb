//! OneBot v11 events → unified events.

use botgate_proto::onebot::{self as p, Segment};
use botgate_proto::unified::{
    Anonymous, Contact, Content, Element, Event as UEvent, EventKind, FileInfo, Media, Platform,
    Role, Scene, SubEvent,
};
use botgate_proto::Text;

use super::draft::{self, non_empty};
use super::{Original, Skipped, Unified, UnifyContext};
use crate::onebot::Event;

/// Maps one OneBot event into the unified model. `self_id` and `time` come from the event
/// (`ctx.self_id` / `ctx.now` only when it lacks them: 0).
///
/// # Errors
/// [`Skipped`] naming the kind when it has no unified meaning (meta events, client status,
/// bot offline, input status, profile likes, unknown kinds).
pub fn unify_onebot(event: &Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(event, ctx)?;
    Ok(Unified::new(e, Original::OneBot(event.clone()), ctx))
}

/// [`unify_onebot`] taking the event: it moves into [`Unified::original`] instead of being
/// copied (for a caller that has no use for it afterwards).
///
/// # Errors
/// As [`unify_onebot`].
pub fn unify_onebot_owned(event: Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(&event, ctx)?;
    Ok(Unified::new(e, Original::OneBot(event), ctx))
}

fn map(event: &Event, ctx: &UnifyContext) -> Result<Box<UEvent>, Skipped> {
    let e = match event {
        Event::MessagePrivate(m) => private_message(m, EventKind::Message, ctx),
        Event::MessageSentPrivate(m) => private_message(m, EventKind::MessageSent, ctx),
        Event::MessageGroup(m) => group_message(m, EventKind::Message, ctx),
        Event::MessageSentGroup(m) => group_message(m, EventKind::MessageSent, ctx),
        Event::NoticeGroupRecall(n) => {
            let mut e = group_notice(
                SubEvent::GroupRecall,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.content = draft::content(Content {
                operator_id: uid(n.operator_id),
                message_id: uid(n.message_id),
                ..Content::default()
            });
            e
        }
        Event::NoticeFriendRecall(n) => {
            let mut e = private_notice(SubEvent::FriendRecall, n.self_id, n.time, n.user_id, ctx);
            e.content = draft::content(Content {
                message_id: uid(n.message_id),
                ..Content::default()
            });
            e
        }
        Event::NoticeGroupIncrease(n) => member_change(
            SubEvent::GroupMemberIncrease,
            [n.self_id, n.time, n.group_id, n.user_id, n.operator_id],
            n.sub_type.as_str(),
            ctx,
        ),
        Event::NoticeGroupDecrease(n) => member_change(
            SubEvent::GroupMemberDecrease,
            [n.self_id, n.time, n.group_id, n.user_id, n.operator_id],
            n.sub_type.as_str(),
            ctx,
        ),
        Event::NoticeGroupBan(n) => {
            // user_id 0 is the whole group (botgate's refinement; Karin maps every group_ban to
            // a member ban); the notice is then about the admin who did it.
            let (sub, user) = if n.user_id == 0 {
                (SubEvent::GroupWholeBan, n.operator_id)
            } else {
                (SubEvent::GroupMemberBan, n.user_id)
            };
            let mut e = group_notice(sub, n.self_id, n.time, n.group_id, user, ctx);
            e.content = draft::content(Content {
                operator_id: uid(n.operator_id),
                action: Some(Text::from(n.sub_type.as_str())),
                duration: Some(n.duration),
                ..Content::default()
            });
            e
        }
        Event::NoticeGroupAdmin(n) => {
            let mut e = group_notice(
                SubEvent::GroupAdminChange,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.content = draft::content(Content {
                action: Some(Text::from(n.sub_type.as_str())),
                ..Content::default()
            });
            e
        }
        Event::NoticeGroupUpload(n) => {
            let mut e = group_notice(
                SubEvent::GroupFileUploaded,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.content = Some(Content {
                file: Some(FileInfo {
                    id: non_empty(&n.file.id),
                    name: non_empty(&n.file.name),
                    size: Some(n.file.size),
                    url: n.file.url.clone(),
                }),
                ..Content::default()
            });
            e
        }
        Event::NoticeFriendAdd(n) => {
            private_notice(SubEvent::FriendIncrease, n.self_id, n.time, n.user_id, ctx)
        }
        Event::NoticeOfflineFile(n) => {
            let mut e = private_notice(
                SubEvent::FriendFileUploaded,
                n.self_id,
                n.time,
                n.user_id,
                ctx,
            );
            e.content = Some(Content {
                file: Some(FileInfo {
                    id: None,
                    name: non_empty(&n.file.name),
                    size: Some(n.file.size),
                    url: n.file.url.clone(),
                }),
                ..Content::default()
            });
            e
        }
        Event::NoticeNotifyPoke(n) => poke(n, ctx),
        Event::NoticeNotifyLuckyKing(n) => {
            let mut e = group_notice(
                SubEvent::GroupLuckyKing,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.content = draft::content(Content {
                target_id: uid(n.target_id),
                ..Content::default()
            });
            e
        }
        Event::NoticeNotifyHonor(n) => {
            let mut e = group_notice(
                SubEvent::GroupHonorChange,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.content = draft::content(Content {
                honor: Some(Text::from(n.honor_type.as_str())),
                ..Content::default()
            });
            e
        }
        Event::NoticeNotifyTitle(n) => {
            let sub = SubEvent::GroupMemberUniqueTitleChanged;
            let mut e = group_notice(sub, n.self_id, n.time, n.group_id, n.user_id, ctx);
            e.content = draft::content(Content {
                new_name: Some(n.title.clone()),
                ..Content::default()
            });
            e
        }
        Event::NoticeGroupCard(n) => {
            let mut e = group_notice(
                SubEvent::GroupCardChanged,
                n.self_id,
                n.time,
                n.group_id,
                n.user_id,
                ctx,
            );
            e.sender.card = non_empty(&n.card_new);
            e.content = draft::content(Content {
                new_name: Some(n.card_new.clone()),
                old_name: Some(n.card_old.clone()),
                ..Content::default()
            });
            e
        }
        Event::NoticeEssence(n) => {
            let mut e = group_notice(
                SubEvent::GroupEssenceChanged,
                n.self_id,
                n.time,
                n.group_id,
                n.sender_id,
                ctx,
            );
            e.content = draft::content(Content {
                operator_id: uid(n.operator_id),
                message_id: uid(n.message_id),
                action: Some(Text::from(n.sub_type.as_str())),
                ..Content::default()
            });
            e
        }
        Event::NoticeGroupMsgEmojiLike(n) => {
            let sub = SubEvent::GroupMessageReaction;
            let mut e = group_notice(sub, n.self_id, n.time, n.group_id, n.user_id, ctx);
            let like = n.likes.first();
            e.content = draft::content(Content {
                message_id: uid(n.message_id),
                emoji: like.map(|l| l.emoji_id.clone()),
                count: like.map(|l| l.count),
                action: (n
                    .is_add
                    .map(|add| Text::from(if add { "add" } else { "remove" }))),
                ..Content::default()
            });
            e
        }
        Event::NoticeReaction(n) => {
            let sub = SubEvent::GroupMessageReaction;
            let mut e = group_notice(sub, n.self_id, n.time, n.group_id, n.operator_id, ctx);
            e.content = draft::content(Content {
                message_id: uid(n.message_id),
                emoji: non_empty(&n.code),
                count: Some(i64::from(n.count)),
                action: Some(Text::from(n.sub_type.as_str())),
                ..Content::default()
            });
            e
        }
        Event::RequestFriend(r) => {
            let mut e = private_notice(SubEvent::FriendApply, r.self_id, r.time, r.user_id, ctx);
            e.event = EventKind::Request;
            e.content = draft::content(Content {
                flag: Some(r.flag.clone()),
                comment: Some(r.comment.clone()),
                ..Content::default()
            });
            e
        }
        Event::RequestGroup(r) => {
            let sub = match r.sub_type {
                p::GroupRequestSubType::Invite => SubEvent::GroupInvite,
                _ => SubEvent::GroupApply,
            };
            let mut e = group_notice(sub, r.self_id, r.time, r.group_id, r.user_id, ctx);
            e.event = EventKind::Request;
            e.content = draft::content(Content {
                operator_id: r.invitor_id.and_then(uid),
                action: Some(Text::from(r.sub_type.as_str())),
                flag: Some(r.flag.clone()),
                comment: Some(r.comment.clone()),
                ..Content::default()
            });
            e
        }
        other => return Err(Skipped::new(Platform::OneBot, other.kind_str())),
    };
    Ok(e)
}

/// An id as a string; 0 (OneBot's "none") is `None`.
/// An id of a user or a message: OneBot's `0` (nobody; a message Waylay has not seen since it
/// started) is absent.
fn uid(v: i64) -> Option<Text> {
    (v != 0).then(|| draft::int(v))
}

fn self_id(v: i64, ctx: &UnifyContext) -> Text {
    if v == 0 {
        ctx.self_id.clone()
    } else {
        draft::int(v)
    }
}

fn time(v: i64, ctx: &UnifyContext) -> i64 {
    if v == 0 {
        ctx.now
    } else {
        v
    }
}

fn group_notice(
    sub: SubEvent,
    self_id_: i64,
    t: i64,
    group: i64,
    user: i64,
    ctx: &UnifyContext,
) -> Box<UEvent> {
    let kind = EventKind::Notice;
    let contact = Contact::new(Scene::Group, draft::int(group), None);
    draft::event(
        Platform::OneBot,
        self_id(self_id_, ctx),
        kind,
        sub,
        contact,
        draft::int(user),
        time(t, ctx),
    )
}

fn private_notice(
    sub: SubEvent,
    self_id_: i64,
    t: i64,
    user: i64,
    ctx: &UnifyContext,
) -> Box<UEvent> {
    let kind = EventKind::Notice;
    let contact = Contact::new(Scene::Private, draft::int(user), None);
    draft::event(
        Platform::OneBot,
        self_id(self_id_, ctx),
        kind,
        sub,
        contact,
        draft::int(user),
        time(t, ctx),
    )
}

/// A member joined or left a group: `[self_id, time, group_id, user_id, operator_id]` and the
/// sub type (`approve` / `invite`, `leave` / `kick` / `kick_me`) as the action.
fn member_change(sub: SubEvent, ids: [i64; 5], action: &str, ctx: &UnifyContext) -> Box<UEvent> {
    let [self_id, time, group_id, user_id, operator_id] = ids;
    let mut e = group_notice(sub, self_id, time, group_id, user_id, ctx);
    e.content = draft::content(Content {
        operator_id: uid(operator_id),
        action: Some(Text::from(action)),
        ..Content::default()
    });
    e
}

/// A poke in a group (`group_id` set and not 0) or a private chat. The user is who poked, the
/// target who was poked; a private poke's peer is the other side of the chat.
fn poke(n: &p::PokeNotice, ctx: &UnifyContext) -> Box<UEvent> {
    let poker = n.sender_id.filter(|&s| s != 0).unwrap_or(n.user_id);
    let mut e = match n.group_id.filter(|&g| g != 0) {
        Some(g) => group_notice(SubEvent::GroupPoke, n.self_id, n.time, g, poker, ctx),
        None => {
            let mut e = private_notice(SubEvent::FriendPoke, n.self_id, n.time, poker, ctx);
            if poker == n.self_id && n.target_id != 0 {
                e.contact.peer = draft::int(n.target_id);
            }
            e
        }
    };
    e.content = draft::content(Content {
        operator_id: uid(poker),
        target_id: uid(n.target_id),
        ..Content::default()
    });
    e
}

fn role(r: Option<&p::Role>) -> Role {
    match r {
        Some(p::Role::Owner) => Role::Owner,
        Some(p::Role::Admin) => Role::Admin,
        Some(p::Role::Member) => Role::Member,
        _ => Role::Unknown,
    }
}

fn private_message(m: &p::PrivateMessage, kind: EventKind, ctx: &UnifyContext) -> Box<UEvent> {
    let me = self_id(m.self_id, ctx);
    // A message the bot sent goes to `target_id` (NapCat); otherwise the chat is with the
    // sender.
    let peer = match kind {
        EventKind::MessageSent => m.target_id.filter(|&t| t != 0).unwrap_or(m.user_id),
        _ => m.user_id,
    };
    // The first id present and not 0: either field may carry the group (`0` at the top with
    // the group in `sender` has been seen).
    let temp_group = m
        .group_id
        .filter(|&g| g != 0)
        .or(m.sender.group_id.filter(|&g| g != 0));
    let (scene, sub, sub_peer) = match (&m.sub_type, temp_group) {
        (p::PrivateSubType::Group, g) => (
            Scene::StrangerFromGroup,
            SubEvent::StrangerFromGroup,
            g.map(draft::int),
        ),
        _ => (Scene::Private, SubEvent::Private, None),
    };
    let user = match kind {
        EventKind::MessageSent => me.clone(),
        _ => draft::int(m.user_id),
    };
    let contact = Contact::new(scene, draft::int(peer), sub_peer);
    let mut e = draft::event(
        Platform::OneBot,
        me,
        kind,
        sub,
        contact,
        user,
        time(m.time, ctx),
    );
    e.sender.nick = non_empty(&m.sender.nickname);
    e.sender.card = m.sender.card.as_ref().and_then(non_empty);
    e.message_id = Some(draft::int(m.message_id));
    e.elements = elements(&m.message);
    e.raw_message = Some(m.raw_message.clone());
    e
}

fn group_message(m: &p::GroupMessage, kind: EventKind, ctx: &UnifyContext) -> Box<UEvent> {
    let me = self_id(m.self_id, ctx);
    let user = match kind {
        EventKind::MessageSent => me.clone(),
        _ => draft::int(m.user_id),
    };
    let contact = Contact::new(Scene::Group, draft::int(m.group_id), None);
    let mut e = draft::event(
        Platform::OneBot,
        me,
        kind,
        SubEvent::Group,
        contact,
        user,
        time(m.time, ctx),
    );
    e.sender.nick = non_empty(&m.sender.nickname);
    e.sender.card = m.sender.card.as_ref().and_then(non_empty);
    e.sender.role = role(m.sender.role.as_ref());
    e.message_id = Some(draft::int(m.message_id));
    e.elements = elements(&m.message);
    e.raw_message = Some(m.raw_message.clone());
    if let Some(a) = &m.anonymous {
        // Anonymous messages are kept: the role is unknown, the anonymous identity in content.
        e.sender.role = Role::Unknown;
        e.sender.nick = non_empty(&a.name);
        e.content = Some(Content {
            anonymous: Some(Anonymous {
                id: draft::int(a.id),
                name: a.name.clone(),
                flag: a.flag.clone(),
            }),
            ..Content::default()
        });
    }
    e
}

fn media(file: &Text, url: Option<&Text>, size: Option<u64>) -> Media {
    Media {
        file: non_empty(file),
        url: url.cloned(),
        size,
        ..Media::default()
    }
}

/// OneBot segments → elements; every segment without an element of its own is kept as
/// `unknown` with its type and data.
pub(crate) fn elements(message: &p::Message) -> Vec<Element> {
    message.iter().map(element).collect()
}

fn element(seg: &Segment) -> Element {
    match seg {
        Segment::Text(t) => Element::text(t.text.clone()),
        Segment::At(a) if a.is_all() => Element::AtAll,
        Segment::At(a) => Element::At {
            user_id: a.qq.clone(),
            name: a.name.clone(),
        },
        Segment::Face(f) => Element::Face { id: f.id.clone() },
        Segment::Image(i) => Element::Image(media(&i.file, i.url.as_ref(), i.file_size)),
        Segment::Record(r) => Element::Record(media(&r.file, r.url.as_ref(), r.file_size)),
        Segment::Video(v) => Element::Video(media(&v.file, v.url.as_ref(), v.file_size)),
        Segment::File(f) => Element::File(Media {
            file: non_empty(&f.file).or_else(|| f.file_id.clone()),
            url: f.url.clone(),
            name: f.name.clone(),
            size: f.file_size,
            mime: None,
        }),
        Segment::Reply(r) => Element::Reply {
            message_id: r.id.clone(),
        },
        Segment::Forward(f) => Element::Forward { id: f.id.clone() },
        Segment::Json(j) => Element::Json {
            data: j.data.clone(),
        },
        Segment::Xml(x) => Element::Xml {
            data: x.data.clone(),
        },
        Segment::Markdown(m) => Element::Markdown {
            content: m.content.clone(),
        },
        other => Element::Unknown {
            platform_type: Text::from(other.kind()),
            raw: other.data(),
        },
    }
}
