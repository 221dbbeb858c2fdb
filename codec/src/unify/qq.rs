//! QQ Bot gateway events → unified events.

use botgate_proto::qq::{self as p, Attachment, MessageReference};
use botgate_proto::unified::{
    Contact, Content, Element, EventKind, Media, Platform, Role, Scene, SubEvent,
};
use botgate_proto::Text;
use serde_json::Value;

use super::draft::{self, first, non_empty};
use super::elements::{https, media, qq_content};
use super::time::rfc3339_to_unix;
use super::{Original, Skipped, Unified, UnifyContext};
use crate::qq::Event;

/// Maps one QQ event into the unified model.
///
/// `ctx.self_id` is the bot's id (`READY` `user.id`); events without a time of their own use
/// `ctx.now`.
///
/// # Errors
/// [`Skipped`] naming the event type when it has no unified meaning (READY, RESUMED, guild /
/// channel changes, audits, forum, audio, interactions, ENTER_AIO, proactive-message
/// switches, unknown types).
pub fn unify_qq(event: &Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(event, ctx)?;
    Ok(Unified::new(e, Original::Qq(event.clone()), ctx))
}

/// [`unify_qq`] taking the event: it moves into [`Unified::original`] instead of being
/// copied (for a caller that has no use for it afterwards).
///
/// # Errors
/// As [`unify_qq`].
pub fn unify_qq_owned(event: Event, ctx: &UnifyContext) -> Result<Unified, Skipped> {
    let e = map(&event, ctx)?;
    Ok(Unified::new(e, Original::Qq(event), ctx))
}

fn map(event: &Event, ctx: &UnifyContext) -> Result<Box<botgate_proto::unified::Event>, Skipped> {
    let e = match event {
        Event::AtMessageCreate(m) | Event::MessageCreate(m) => guild_message(m, ctx),
        Event::DirectMessageCreate(m) => direct_message(m, ctx),
        Event::GroupAtMessageCreate(m) => group_message(m, ctx),
        Event::C2cMessageCreate(m) => c2c_message(m, ctx),
        Event::MessageDelete(d) | Event::PublicMessageDelete(d) => guild_recall(d, ctx),
        Event::DirectMessageDelete(d) => direct_recall(d, ctx),
        Event::GuildMemberAdd(m) => guild_member(m, SubEvent::GuildMemberIncrease, ctx),
        Event::GuildMemberUpdate(m) => guild_member(m, SubEvent::GuildMemberUpdate, ctx),
        Event::GuildMemberRemove(m) => guild_member(m, SubEvent::GuildMemberDecrease, ctx),
        Event::MessageReactionAdd(r) => reaction(r, SubEvent::MessageReactionAdd, ctx),
        Event::MessageReactionRemove(r) => reaction(r, SubEvent::MessageReactionRemove, ctx),
        Event::GroupAddRobot(g) => robot(g, SubEvent::GroupMemberIncrease, ctx),
        Event::GroupDelRobot(g) => robot(g, SubEvent::GroupMemberDecrease, ctx),
        Event::FriendAdd(f) => friend(f, SubEvent::FriendIncrease, ctx),
        Event::FriendDel(f) => friend(f, SubEvent::FriendDecrease, ctx),
        other => return Err(Skipped::new(Platform::Qq, other.name())),
    };
    Ok(e)
}

fn time(ts: Option<&str>, ctx: &UnifyContext) -> i64 {
    ts.and_then(rfc3339_to_unix).unwrap_or(ctx.now)
}

fn new(
    kind: EventKind,
    sub: SubEvent,
    contact: Contact,
    user_id: Text,
    time: i64,
    ctx: &UnifyContext,
) -> Box<botgate_proto::unified::Event> {
    draft::event(
        Platform::Qq,
        ctx.self_id.clone(),
        kind,
        sub,
        contact,
        user_id,
        time,
    )
}

/// Guild role ids with a fixed meaning: 4 owner, 2 all-guild admin, 5 channel admin.
fn guild_role(member: Option<&p::Member>) -> Role {
    match member {
        None => Role::Unknown,
        Some(m) if m.roles.iter().any(|r| r == "4") => Role::Owner,
        Some(m) if m.roles.iter().any(|r| r == "2" || r == "5") => Role::Admin,
        Some(_) => Role::Member,
    }
}

fn attachments(list: &[Attachment]) -> impl Iterator<Item = Element> + '_ {
    list.iter().map(|a| {
        let m = Media {
            file: None,
            url: https(&a.url),
            name: a.filename.clone(),
            size: a.size,
            mime: a.content_type.clone(),
        };
        media(a.content_type.as_deref().unwrap_or("file"), m)
    })
}

fn reply(r: Option<&MessageReference>) -> Option<Element> {
    r.filter(|r| !r.message_id.is_empty())
        .map(|r| Element::Reply {
            message_id: r.message_id.clone(),
        })
}

fn message_elements(m: &p::Message) -> Vec<Element> {
    // The content's elements are the vector (one allocation for the usual text message).
    let mut out = qq_content(&m.content, m.mention_everyone == Some(true), |id| {
        m.mentions
            .iter()
            .find(|u| u.id == id)
            .and_then(|u| u.username.clone())
    });
    if let Some(r) = reply(m.message_reference.as_ref()) {
        out.insert(0, r);
    }
    out.extend(attachments(&m.attachments));
    if let Some(ark) = &m.ark {
        out.push(unknown("ark", ark));
    }
    out.extend(m.embeds.iter().map(|e| unknown("embed", e)));
    out
}

fn unknown<T: serde::Serialize>(platform_type: &str, data: &T) -> Element {
    Element::Unknown {
        platform_type: Text::from(platform_type),
        raw: serde_json::to_value(data).unwrap_or(Value::Null),
    }
}

fn fill_message(e: &mut botgate_proto::unified::Event, m: &p::Message) {
    e.sender.nick = m.author.username.clone();
    e.sender.card = m
        .member
        .as_ref()
        .and_then(|mb| mb.nick.clone())
        .filter(|n| !n.is_empty());
    e.message_id = non_empty(&m.id);
    e.elements = message_elements(m);
    e.raw_message = Some(m.content.clone());
}

fn guild_message(m: &p::Message, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    let contact = Contact::new(Scene::Guild, &m.guild_id, non_empty(&m.channel_id));
    let t = time(m.timestamp.as_deref(), ctx);
    let mut e = new(
        EventKind::Message,
        SubEvent::Guild,
        contact,
        m.author.id.clone(),
        t,
        ctx,
    );
    fill_message(&mut e, m);
    e.sender.role = guild_role(m.member.as_ref());
    e
}

fn direct_message(m: &p::Message, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    // The DM's own guild (`guild_id`) is what a reply needs; `src_guild_id` is where the user
    // started the DM from.
    let contact = Contact::new(Scene::Private, &m.author.id, non_empty(&m.guild_id));
    let t = time(m.timestamp.as_deref(), ctx);
    let mut e = new(
        EventKind::Message,
        SubEvent::Private,
        contact,
        m.author.id.clone(),
        t,
        ctx,
    );
    fill_message(&mut e, m);
    e
}

fn group_message(m: &p::GroupMessage, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    let group = first(&m.group_openid, m.group_id.as_ref().unwrap_or(&Text::new()));
    let user = first(&m.author.member_openid, &m.author.id);
    let t = time(m.timestamp.as_deref(), ctx);
    let contact = Contact::new(Scene::Group, group, None);
    let mut e = new(EventKind::Message, SubEvent::Group, contact, user, t, ctx);
    e.message_id = non_empty(&m.id);
    e.elements = reply(m.message_reference.as_ref()).into_iter().collect();
    let mut content = qq_content(&m.content, false, |_| None);
    trim_mention_gap(&mut content);
    e.elements.extend(content);
    e.elements.extend(attachments(&m.attachments));
    e.raw_message = Some(m.content.clone());
    e
}

/// QQ removes the @bot mention from group AT messages but leaves the space after it
/// (`" hello"`): drop that gap so the text equals what the user typed after the mention.
fn trim_mention_gap(elements: &mut Vec<botgate_proto::unified::Element>) {
    use botgate_proto::unified::Element;
    if let Some(Element::Text { text }) = elements.first_mut() {
        let trimmed = text.trim_start();
        if trimmed.len() != text.len() {
            // a range of the same content, not a copy
            *text = text.slice_of(trimmed);
        }
        if text.is_empty() {
            elements.remove(0);
        }
    }
}

fn c2c_message(m: &p::C2cMessage, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    let user = first(&m.author.user_openid, &m.author.id);
    let t = time(m.timestamp.as_deref(), ctx);
    let contact = Contact::new(Scene::Private, user.clone(), None);
    let mut e = new(EventKind::Message, SubEvent::Private, contact, user, t, ctx);
    e.message_id = non_empty(&m.id);
    e.elements = reply(m.message_reference.as_ref()).into_iter().collect();
    e.elements.extend(qq_content(&m.content, false, |_| None));
    e.elements.extend(attachments(&m.attachments));
    e.raw_message = Some(m.content.clone());
    e
}

fn recall_content(d: &p::MessageDelete) -> Option<Content> {
    draft::content(Content {
        operator_id: non_empty(&d.op_user.id),
        message_id: non_empty(&d.message.id),
        ..Content::default()
    })
}

fn guild_recall(d: &p::MessageDelete, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    let m = &d.message;
    let contact = Contact::new(Scene::Guild, &m.guild_id, non_empty(&m.channel_id));
    // A deletion has no time of its own: `m.timestamp` is when the message was sent.
    let t = ctx.now;
    let mut e = new(
        EventKind::Notice,
        SubEvent::GroupRecall,
        contact,
        m.author.id.clone(),
        t,
        ctx,
    );
    e.sender.nick = m.author.username.clone();
    e.content = recall_content(d);
    e
}

fn direct_recall(d: &p::MessageDelete, ctx: &UnifyContext) -> Box<botgate_proto::unified::Event> {
    let m = &d.message;
    let contact = Contact::new(Scene::Private, &m.author.id, non_empty(&m.guild_id));
    // A deletion has no time of its own: `m.timestamp` is when the message was sent.
    let t = ctx.now;
    let mut e = new(
        EventKind::Notice,
        SubEvent::FriendRecall,
        contact,
        m.author.id.clone(),
        t,
        ctx,
    );
    e.sender.nick = m.author.username.clone();
    e.content = recall_content(d);
    e
}

fn guild_member(
    m: &p::Member,
    sub: SubEvent,
    ctx: &UnifyContext,
) -> Box<botgate_proto::unified::Event> {
    let user = m.user.as_ref();
    let user_id = user.map(|u| u.id.clone()).unwrap_or_default();
    let guild = m.guild_id.clone().unwrap_or_default();
    // `joined_at` is the event's time only when the member has just joined.
    let t = match sub {
        SubEvent::GuildMemberIncrease => time(m.joined_at.as_deref(), ctx),
        _ => ctx.now,
    };
    let contact = Contact::new(Scene::Guild, guild, None);
    let mut e = new(EventKind::Notice, sub, contact, user_id, t, ctx);
    e.sender.nick = user.and_then(|u| u.username.clone());
    e.sender.card = m.nick.clone().filter(|n| !n.is_empty());
    e.sender.role = guild_role(Some(m));
    e.content = draft::content(Content {
        operator_id: m.op_user_id.clone().filter(|s| !s.is_empty()),
        new_name: m.nick.clone().filter(|n| !n.is_empty()),
        role_ids: m.roles.to_vec(),
        ..Content::default()
    });
    e
}

fn reaction(
    r: &p::MessageReaction,
    sub: SubEvent,
    ctx: &UnifyContext,
) -> Box<botgate_proto::unified::Event> {
    let contact = Contact::new(Scene::Guild, &r.guild_id, non_empty(&r.channel_id));
    let mut e = new(
        EventKind::Notice,
        sub,
        contact,
        r.user_id.clone(),
        ctx.now,
        ctx,
    );
    e.content = draft::content(Content {
        message_id: non_empty(&r.target.id),
        emoji: non_empty(&r.emoji.id),
        ..Content::default()
    });
    e
}

/// The bot joined / left a group (Karin's QQ adapter): the user is the bot, the operator the
/// member who added / removed it.
fn robot(
    g: &p::GroupRobotEvent,
    sub: SubEvent,
    ctx: &UnifyContext,
) -> Box<botgate_proto::unified::Event> {
    let contact = Contact::new(Scene::Group, &g.group_openid, None);
    let t = g.timestamp.unwrap_or(ctx.now);
    let mut e = new(EventKind::Notice, sub, contact, ctx.self_id.clone(), t, ctx);
    e.content = draft::content(Content {
        operator_id: non_empty(&g.op_member_openid),
        ..Content::default()
    });
    e
}

fn friend(
    f: &p::FriendEvent,
    sub: SubEvent,
    ctx: &UnifyContext,
) -> Box<botgate_proto::unified::Event> {
    let contact = Contact::new(Scene::Private, &f.openid, None);
    let t = f.timestamp.unwrap_or(ctx.now);
    let mut e = new(EventKind::Notice, sub, contact, f.openid.clone(), t, ctx);
    e.sender.nick = f.nick.clone();
    e
}
