//! The unified model on the real platforms: `impl Unify for Qq / Bubble / OneBot` and
//! `impl UnifiedEvent for botgate_codec::unify::Unified`.
//!
//! - Which event types feed a category comes from the schema's `unified = "event/sub_event"`
//!   keys (`EventType::unified()`), plus the few OneBot kinds whose unified sub-event depends on
//!   the data and so has no key in the schema (`ONEBOT_DATA_DEPENDENT`). An event type with
//!   no unified meaning is never wanted, and so never decoded, because of a unified handler.
//! - The mapping is `botgate_codec::unify::{unify_qq, unify_bubble, unify_onebot}`; an event
//!   it skips reaches no unified handler.
//! - QQ guild messages (and their deletions) may arrive under a public and a private type at
//!   once; unified handlers see each message id once (`Unify::same_event_key`).
//! - Filters read the unified event: scene, sub-event, peer, sub-peer, user, group, and as text
//!   the first text element after any leading mentions, reply and blank text, so the QQ guild
//!   message `<@!bot> /天气 深圳` matches `Filter::new().command("/天气")`.

use std::hash::Hasher;

use botgate_codec::unify::{
    unify_bubble, unify_bubble_owned, unify_onebot, unify_onebot_owned, unify_qq, unify_qq_owned,
    Original, Skipped, Unified, UnifyContext,
};
use botgate_proto::unified::{Element, Scene};

use crate::bubble::{self, Bubble};
use crate::filter::Conversation;
use crate::onebot::{self, OneBot};
use crate::platform::DedupeKey;
use crate::qq::{self, Qq};
use crate::unified::{Category, UnifiedEvent, Unify};

/// OneBot kinds the mapping handles whose unified sub-event depends on the payload, so the
/// schema gives them no `unified` key: `notice.notify.poke` (group_poke / friend_poke), a
/// notice. (`notice.offline_file` has its key: listing it here too put the notice handler on
/// its route twice.)
pub(crate) const ONEBOT_DATA_DEPENDENT: &[onebot::EventKind] =
    &[onebot::EventKind::NoticeNotifyPoke];

fn in_category(key: Option<&str>, category: Category) -> bool {
    key.and_then(Category::from_unified_key) == Some(category)
}

/// Keeps a mapped event whose kind is one the dispatcher knows; logs a skip.
fn keep(result: Result<Unified, Skipped>) -> Option<Unified> {
    match result {
        Ok(u) if Category::from_kind(&u.event).is_some() => Some(u),
        Ok(u) => {
            tracing::debug!(event = %u.event, kind = u.original.kind(), "unknown unified event kind");
            None
        }
        Err(skipped) => {
            tracing::trace!(%skipped, "no unified meaning");
            None
        }
    }
}

impl Unify for Qq {
    type Unified = Unified;

    fn event_types(category: Category) -> Vec<qq::EventType> {
        qq::EventType::ALL
            .iter()
            .filter(|t| in_category(t.unified(), category))
            .cloned()
            .collect()
    }

    fn unify(event: &qq::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_qq(event, ctx))
    }

    fn unify_owned(event: qq::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_qq_owned(event, ctx))
    }

    /// A guild message (or its deletion) delivered both as the public type
    /// (`AT_MESSAGE_CREATE`, `PUBLIC_MESSAGE_DELETE`) and as the private one (`MESSAGE_CREATE`,
    /// `MESSAGE_DELETE`) is the same message id.
    fn same_event_key(u: &Unified) -> Option<DedupeKey> {
        let (what, id) = qq_same_event(u)?;
        Some(DedupeKey::from_parts([what.as_bytes(), id.as_bytes()]))
    }

    fn hash_same_event_key<H: Hasher>(u: &Unified, state: &mut H) -> bool {
        match qq_same_event(u) {
            Some((what, id)) => {
                DedupeKey::hash_parts(&[what.as_bytes(), id.as_bytes()], state);
                true
            }
            None => false,
        }
    }
}

/// The parts of QQ's [`Unify::same_event_key`]: what the event is and its message id.
fn qq_same_event(u: &Unified) -> Option<(&'static str, &str)> {
    let (what, id) = match &u.original {
        Original::Qq(qq::Event::AtMessageCreate(_) | qq::Event::MessageCreate(_)) => {
            ("guild_message", u.message_id.as_deref())
        }
        Original::Qq(qq::Event::PublicMessageDelete(_) | qq::Event::MessageDelete(_)) => (
            "guild_message_delete",
            u.content.as_ref().and_then(|c| c.message_id.as_deref()),
        ),
        _ => return None,
    };
    let id = id.filter(|id| !id.is_empty())?;
    Some((what, id))
}

impl Unify for Bubble {
    type Unified = Unified;

    fn event_types(category: Category) -> Vec<bubble::EventType> {
        bubble::EventType::ALL
            .iter()
            .filter(|t| in_category(t.unified(), category))
            .cloned()
            .collect()
    }

    fn unify(event: &bubble::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_bubble(event, ctx))
    }

    fn unify_owned(event: bubble::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_bubble_owned(event, ctx))
    }
}

impl Unify for OneBot {
    type Unified = Unified;

    fn event_types(category: Category) -> Vec<onebot::EventKind> {
        let extra = if category == Category::Notice {
            ONEBOT_DATA_DEPENDENT
        } else {
            &[]
        };
        // A kind listed twice would run each unified handler twice on its events: the extras
        // are only those the schema leaves without a key.
        onebot::EventKind::ALL
            .iter()
            .filter(|k| in_category(k.unified(), category))
            .chain(extra.iter().filter(|k| k.unified().is_none()))
            .cloned()
            .collect()
    }

    fn unify(event: &onebot::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_onebot(event, ctx))
    }

    fn unify_owned(event: onebot::Event, ctx: &UnifyContext) -> Option<Unified> {
        keep(unify_onebot_owned(event, ctx))
    }
}

impl UnifiedEvent for Unified {
    /// The event's kind. The [`Unify`] impls only hand over events of a known kind; an
    /// unknown one (built by hand) counts as a notice.
    fn category(&self) -> Category {
        Category::from_kind(&self.event).unwrap_or(Category::Notice)
    }

    fn scene(&self) -> &Scene {
        &self.contact.scene
    }

    fn conversation(&self) -> Conversation<'_> {
        Conversation {
            scene: &self.contact.scene,
            sub_event: self.sub_event.as_str(),
            peer: &self.contact.peer,
            sub_peer: self.contact.sub_peer.as_deref(),
            user_id: &self.user_id,
            group_id: self.group_id.as_deref(),
            text: command_text(&self.elements),
        }
    }
}

/// The first text element after any leading mentions and reply (`None` when the message
/// starts with something else, or has no text). Blank text among them is skipped too: QQ
/// clients put a space after each mention (`[reply][@author][ ][@bot][ /cmd]`).
fn command_text(elements: &[Element]) -> Option<&str> {
    elements
        .iter()
        .find(|e| match e {
            Element::At { .. } | Element::AtAll | Element::Reply { .. } => false,
            Element::Text { text } => !text.trim().is_empty(),
            _ => true,
        })
        .and_then(Element::as_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_keys_name_their_category() {
        assert_eq!(
            Category::from_unified_key("message/guild"),
            Some(Category::Message)
        );
        assert_eq!(
            Category::from_unified_key("message_sent/group"),
            Some(Category::MessageSent)
        );
        assert_eq!(
            Category::from_unified_key("request/friend_apply"),
            Some(Category::Request)
        );
        assert_eq!(Category::from_unified_key("meta/heartbeat"), None);
    }

    #[test]
    fn command_text_skips_leading_mentions_and_reply_only() {
        let at = Element::At {
            user_id: "1".into(),
            name: None,
        };
        let els = [at.clone(), Element::AtAll, Element::text(" /天气 深圳")];
        assert_eq!(command_text(&els), Some(" /天气 深圳"));
        let els = [Element::Face { id: "1".into() }, Element::text("/x")];
        assert_eq!(command_text(&els), None);
        assert_eq!(command_text(std::slice::from_ref(&at)), None);
        let els = [
            at.clone(),
            Element::text(" "),
            at.clone(),
            Element::text(" /x"),
        ];
        assert_eq!(command_text(&els), Some(" /x"));
        let els = [at, Element::text(" "), Element::Face { id: "1".into() }];
        assert_eq!(command_text(&els), None);
    }

    #[test]
    fn every_category_has_types_on_the_platforms_that_have_it() {
        assert!(
            <Qq as Unify>::event_types(Category::Message).contains(&qq::EventType::AtMessageCreate)
        );
        assert!(<Qq as Unify>::event_types(Category::Request).is_empty());
        assert!(<Qq as Unify>::event_types(Category::Message)
            .iter()
            .all(|t| t.unified().is_some_and(|k| k.starts_with("message/"))));
        assert!(<Bubble as Unify>::event_types(Category::Message)
            .contains(&bubble::EventType::GroupMessageCreate));
        let notices = <OneBot as Unify>::event_types(Category::Notice);
        assert!(notices.contains(&onebot::EventKind::NoticeNotifyPoke));
        assert!(!notices.contains(&onebot::EventKind::MetaEventHeartbeat));
        assert_eq!(
            <OneBot as Unify>::event_types(Category::MessageSent),
            [
                onebot::EventKind::MessageSentPrivate,
                onebot::EventKind::MessageSentGroup
            ]
        );
    }
}
