//! Bubble open-gateway events → unified events.

use botgate_proto::bubble::{self as p, Author, MentionRef};
use botgate_proto::unified::{
    Contact, Content, Element, Event as UEvent, EventKind, Media, Platform, Scene, SubEvent,
};
use botgate_proto::Text;
use serde_json::json;

use super::draft::{self, id};
use super::elements::{bubble_content, media};
use super::time::rfc3339_to_unix;
use super::{Original, Skipped, Unified, UnifyContext};
use crate::bubble::Event;

/// Where a Bubble message lives, by event family.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `MESSAGE_*`: a guild channel.
    Guild,
    /// `DM_MESSAGE_*`: a DM thread.
    Dm,
    /// `GROUP_MESSAGE_*`: a group chat.
    Group,
}

/// Maps one Bubble event into the unified model.
///
/// `ctx.self_id` is the bot's id (`BOT_READY`); events without a time of their own use
/// `ctx.now`. Bubble ids are integers: they become decimal strings.
///
/// # Errors
/// [`Skipped`] naming the event type when it has no unified meaning (BOT_READY, subscription
/// confirmations, ERROR, RESUMED, pins, guild / channel / role changes, mentions (the message
/// itself arrives too), read states, applications, notices, group threads, unknown types).
pub fn unify_bubble(event: &Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(event, ctx)?;
    Ok(Unified::new(e, Original::Bubble(event.clone()), ctx))
}

/// [`unify_bubble`] taking the event: it moves into [`Unified::original`] instead of being
/// copied (for a caller that has no use for it afterwards).
///
/// # Errors
/// As [`unify_bubble`].
pub fn unify_bubble_owned(event: Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(&event, ctx)?;
    Ok(Unified::new(e, Original::Bubble(event), ctx))
}

fn map(event: &Event, ctx: &UnifyContext) -> Result<Box<UEvent>, Skipped> {
    use Place::*;
    let e = match event {
        Event::MessageCreate(m) => message(m, Guild, ctx),
        Event::DmMessageCreate(m) => message(m, Dm, ctx),
        Event::GroupMessageCreate(m) => message(m, Group, ctx),
        Event::MessageUpdate(m) => update(m, Guild, ctx),
        Event::DmMessageUpdate(m) => update(m, Dm, ctx),
        Event::GroupMessageUpdate(m) => update(m, Group, ctx),
        Event::MessageDelete(d) => delete(d, Guild, ctx),
        Event::DmMessageDelete(d) => delete(d, Dm, ctx),
        Event::GroupMessageDelete(d) => delete(d, Group, ctx),
        Event::MessageReactionAdd(r) => reaction(r, SubEvent::MessageReactionAdd, ctx),
        Event::MessageReactionRemove(r) => reaction(r, SubEvent::MessageReactionRemove, ctx),
        Event::GuildMemberAdd(m) => guild_member(m, SubEvent::GuildMemberIncrease, ctx),
        Event::GuildMemberUpdate(m) => guild_member(m, SubEvent::GuildMemberUpdate, ctx),
        Event::GuildMemberRemove(m) => guild_member(m, SubEvent::GuildMemberDecrease, ctx),
        Event::GroupMemberAdd(m) => group_member(m, SubEvent::GroupMemberIncrease, ctx),
        Event::GroupMemberRemove(m) => group_member(m, SubEvent::GroupMemberDecrease, ctx),
        other => return Err(Skipped::new(Platform::Bubble, other.name())),
    };
    Ok(e)
}

fn new(
    kind: EventKind,
    sub: SubEvent,
    contact: Contact,
    user_id: Text,
    time: i64,
    ctx: &UnifyContext,
) -> Box<UEvent> {
    draft::event(
        Platform::Bubble,
        ctx.self_id.clone(),
        kind,
        sub,
        contact,
        user_id,
        time,
    )
}

fn time(ts: Option<&str>, ctx: &UnifyContext) -> i64 {
    ts.and_then(rfc3339_to_unix).unwrap_or(ctx.now)
}

/// The contact of a message in `place`.
///
/// - guild: peer = `guildId`, or the channel when the 2026-03 schema leaves the guild out;
///   sub_peer = the channel.
/// - DM: peer = the author, or the thread when the author is not sent; sub_peer = the thread
///   (`threadId`, the seed's `channelId`), which a reply needs.
/// - group: peer = `groupId`, or the thread; sub_peer = the thread, which a reply needs.
fn contact(
    place: Place,
    guild: Option<i64>,
    group: Option<i64>,
    channel: Option<i64>,
    author: Option<i64>,
) -> Contact {
    let channel = id(channel);
    let (scene, peer) = match place {
        Place::Guild => (Scene::Guild, id(guild).or_else(|| channel.clone())),
        Place::Dm => (Scene::Private, id(author).or_else(|| channel.clone())),
        Place::Group => (Scene::Group, id(group).or_else(|| channel.clone())),
    };
    Contact::new(scene, peer.unwrap_or_default(), channel)
}

fn message_contact(m: &p::Message, place: Place) -> Contact {
    contact(place, m.guild_id, m.group_id, m.channel(), m.author_id())
}

fn message_sub(place: Place) -> SubEvent {
    match place {
        Place::Guild => SubEvent::Guild,
        Place::Dm => SubEvent::Private,
        Place::Group => SubEvent::Group,
    }
}

/// Reply first, then the mentions the content does not show (Bubble lists them apart from
/// the text, and writes those it shows as `<@id>` in it), the text with its mentions in place,
/// the attachments.
fn elements(m: &p::Message) -> Vec<Element> {
    let mut out = Vec::new();
    if let Some(r) = m.reply_to_id {
        out.push(Element::Reply {
            message_id: draft::int(r),
        });
    }
    let name_of = |uid: &str| {
        m.mentions.iter().find_map(|mention| match mention {
            MentionRef::Entity(e) if e.id.is_some_and(|id| draft::int(id) == uid) => e.name.clone(),
            _ => None,
        })
    };
    let text = bubble_content(&m.content, name_of);
    let shown = |uid: &Text| {
        text.iter()
            .any(|el| matches!(el, Element::At { user_id, .. } if user_id == uid))
    };
    for mention in &m.mentions {
        let element = match mention {
            MentionRef::Id(uid) => Element::at(draft::int(uid)),
            MentionRef::Entity(e) if matches!(e.kind.as_deref(), None | Some("user")) => {
                Element::At {
                    user_id: id(e.id).unwrap_or_default(),
                    name: e.name.clone(),
                }
            }
            MentionRef::Entity(e) => Element::Unknown {
                platform_type: format!("mention_{}", e.kind.as_deref().unwrap_or_default()).into(),
                raw: serde_json::to_value(e).unwrap_or_default(),
            },
            // `MentionRef` is non-exhaustive.
            other => Element::Unknown {
                platform_type: Text::from("mention"),
                raw: serde_json::to_value(other).unwrap_or_default(),
            },
        };
        // Once: where the content shows it.
        if !matches!(&element, Element::At { user_id, .. } if shown(user_id)) {
            out.push(element);
        }
    }
    out.extend(m.mention_roles.iter().map(|r| Element::Unknown {
        platform_type: Text::from("mention_role"),
        raw: json!({ "id": r }),
    }));
    out.extend(text);
    out.extend(m.attachments.iter().map(|a| {
        let hint = a
            .category
            .as_deref()
            .or(a.content_type.as_deref())
            .unwrap_or("file");
        let item = Media {
            file: a.path.clone(),
            url: a.url.clone(),
            name: a.filename.clone(),
            size: a.size,
            mime: a.content_type.clone(),
        };
        media(hint, item)
    }));
    out
}

/// The author's name, shared with the payload.
fn author_name(m: &p::Message) -> Option<Text> {
    match &m.author {
        Some(Author::User(u)) => u.name.as_ref().or(u.nickname.as_ref()).cloned(),
        Some(Author::Name(n)) => Some(n.clone()),
        Some(a) => a.name().map(Text::from),
        None => None,
    }
}

fn message(m: &p::Message, place: Place, ctx: &UnifyContext) -> Box<UEvent> {
    let user = id(m.author_id()).unwrap_or_default();
    let t = time(m.time(), ctx);
    let mut e = new(
        EventKind::Message,
        message_sub(place),
        message_contact(m, place),
        user,
        t,
        ctx,
    );
    e.sender.nick = author_name(m);
    e.message_id = id(m.id);
    e.elements = elements(m);
    e.raw_message = Some(m.content.clone());
    e
}

/// An edit: a notice carrying the new content as elements.
fn update(m: &p::Message, place: Place, ctx: &UnifyContext) -> Box<UEvent> {
    let user = id(m.author_id()).unwrap_or_default();
    let t = time(m.edited_time().or(m.time()), ctx);
    let contact = message_contact(m, place);
    let mut e = new(
        EventKind::Notice,
        SubEvent::MessageUpdate,
        contact,
        user,
        t,
        ctx,
    );
    e.sender.nick = author_name(m);
    e.message_id = id(m.id);
    e.elements = elements(m);
    e.raw_message = Some(m.content.clone());
    e.content = draft::content(Content {
        message_id: id(m.id),
        ..Content::default()
    });
    e
}

/// A deletion names neither the author nor who deleted: `user_id` is empty.
fn delete(d: &p::MessageDelete, place: Place, ctx: &UnifyContext) -> Box<UEvent> {
    let sub = match place {
        Place::Dm => SubEvent::FriendRecall,
        Place::Guild | Place::Group => SubEvent::GroupRecall,
    };
    let contact = contact(place, d.guild_id, d.group_id, d.channel(), None);
    let mut e = new(EventKind::Notice, sub, contact, Text::new(), ctx.now, ctx);
    e.content = draft::content(Content {
        message_id: id(d.id),
        ..Content::default()
    });
    e
}

fn reaction(r: &p::Reaction, sub: SubEvent, ctx: &UnifyContext) -> Box<UEvent> {
    let contact = contact(Place::Guild, None, None, r.channel_id.or(r.thread_id), None);
    let user = id(r.user_id()).unwrap_or_default();
    let mut e = new(EventKind::Notice, sub, contact, user, ctx.now, ctx);
    e.sender.nick = r.user.as_ref().and_then(|u| u.name.clone());
    e.content = draft::content(Content {
        message_id: id(r.message_id),
        emoji: draft::non_empty(&r.emoji),
        ..Content::default()
    });
    e
}

fn guild_member(m: &p::GuildMember, sub: SubEvent, ctx: &UnifyContext) -> Box<UEvent> {
    let t = match sub {
        SubEvent::GuildMemberIncrease => time(m.joined_at.as_deref(), ctx),
        _ => ctx.now,
    };
    let contact = Contact::new(Scene::Guild, id(m.guild_id).unwrap_or_default(), None);
    let user = id(m.user_id()).unwrap_or_default();
    let mut e = new(EventKind::Notice, sub, contact, user, t, ctx);
    e.sender.nick = m.user.as_ref().and_then(|u| u.name.clone());
    e.content = draft::content(Content {
        operator_id: id(m.operator_id),
        action: m.action.as_ref().map(|a| Text::from(a.as_str())),
        // `GuildMember::nickname`, shared: `nickname`, else `nick`.
        new_name: m.nickname.as_ref().or(m.nick.as_ref()).cloned(),
        role_ids: m
            .roles
            .iter()
            .copied()
            .chain(m.role_id)
            .map(draft::int)
            .collect(),
        ..Content::default()
    });
    e
}

fn group_member(m: &p::GroupMember, sub: SubEvent, ctx: &UnifyContext) -> Box<UEvent> {
    let t = match sub {
        SubEvent::GroupMemberIncrease => time(m.joined_at.as_deref(), ctx),
        _ => ctx.now,
    };
    let contact = contact(Place::Group, None, m.group_id, m.thread_id, None);
    let user = id(m.user_id()).unwrap_or_default();
    let mut e = new(EventKind::Notice, sub, contact, user, t, ctx);
    e.sender.nick = m.user.as_ref().and_then(|u| u.name.clone());
    e.content = draft::content(Content {
        operator_id: id(m.operator_id),
        ..Content::default()
    });
    e
}
