//! What tells one delivery of a Bubble event from another (spec §3.5 keys dedupe on
//! `(t, d.id)`): one rule for the session's window and the dispatcher's (decisions 0051, 0076).
//! A key must name a delivery, never only the entity an event is about: an entity's event
//! that can happen again (a guild joined after a leave) would be dropped as a resend.

/// Which part of an event of a type identifies one delivery of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `d.id` names something that happens once (a message sent or deleted, a channel
    /// created, an application, a notice): a second event with it is a resend.
    EventId,
    /// `d.messageId`: the bot is mentioned once by a message.
    MessageId,
    /// Nothing in `d`: the event is a change that can come again with the same payload (an
    /// edit, a pin, a reaction added after its removal, a guild or a member joining after a
    /// leave, a read state back at 0). Only the frame's `s` tells a resend from a new event.
    Sequence,
}

/// What identifies one delivery of an event of type `t` (a known type: unknown ones are not
/// deduped at all).
pub fn delivery(t: &str) -> Delivery {
    let repeatable = t.ends_with("_UPDATE")
        || t.ends_with("_PIN")
        || t.ends_with("_UNPIN")
        // `d.id` is the guild: the bot joins and leaves it again and again
        || t == "GUILD_CREATE"
        || t == "GUILD_DELETE"
        || t.contains("_REACTION_")
        || t.ends_with("_MEMBER_ADD")
        || t.ends_with("_MEMBER_REMOVE");
    if repeatable {
        Delivery::Sequence
    } else if t == "MENTION_CREATE" {
        Delivery::MessageId
    } else {
        Delivery::EventId
    }
}

/// Whether `d.id` of an event of type `t` is the event's own identity ([`Delivery::EventId`]).
pub fn id_names_event(t: &str) -> bool {
    delivery(t) == Delivery::EventId
}

#[cfg(test)]
mod tests {
    use super::{delivery, id_names_event, Delivery};

    #[test]
    fn one_time_events_are_named_by_their_id() {
        for t in [
            "MESSAGE_CREATE",
            "MESSAGE_DELETE",
            "DM_MESSAGE_CREATE",
            "GROUP_MESSAGE_DELETE",
            "CHANNEL_CREATE",
            "CHANNEL_DELETE",
            "APPLICATION_CREATE",
            "NOTICE_CREATE",
        ] {
            assert!(id_names_event(t), "{t}");
        }
        assert_eq!(delivery("MENTION_CREATE"), Delivery::MessageId);
    }

    #[test]
    fn changes_that_can_come_again_are_told_apart_by_their_sequence_only() {
        for t in [
            "MESSAGE_UPDATE",
            "READ_STATE_UPDATE",
            "MESSAGE_PIN",
            "DM_MESSAGE_UNPIN",
            "GUILD_CREATE",
            "GUILD_DELETE",
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_REMOVE",
            "GUILD_MEMBER_ADD",
            "GUILD_MEMBER_REMOVE",
            "GROUP_MEMBER_ADD",
        ] {
            assert_eq!(delivery(t), Delivery::Sequence, "{t}");
            assert!(!id_names_event(t), "{t}");
        }
    }
}
