//! The QQ intents bitmask and the event → intent table.
//!
//! The bits and the table come from `proto/schema/qq.toml` (generated into
//! `crate::generated::intents`); this file adds what is computed from them. A bot asks for the
//! intents of the events it handles: asking for an ungranted intent closes the connection
//! (4013 / 4014), so [`Intents::for_events`] is how the dispatch layer derives the Identify
//! `intents` from the registered handlers (as botgo's `RegisterHandlers` does).
//!
//! ```
//! use botgate_codec::Intents;
//! use botgate_proto::qq::EventType;
//!
//! let intents = Intents::for_events(&[EventType::AtMessageCreate, EventType::GuildMemberAdd]);
//! assert_eq!(intents, Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILD_MEMBERS);
//! assert_eq!(intents.bits(), 1073741826);
//! assert_eq!(intents.to_string(), "GUILD_MEMBERS|PUBLIC_GUILD_MESSAGES");
//! ```

use botgate_proto::qq::EventType;
use std::fmt;

pub use crate::generated::intents::Intents;

impl Intents {
    /// The intent that delivers events of type `t`: empty for READY / RESUMED (always sent)
    /// and for unknown types.
    #[must_use]
    pub fn for_event(t: &EventType) -> Intents {
        crate::generated::intents::intent_of(t)
    }

    /// The union of the intents of every event type in `ts`.
    #[must_use]
    pub fn for_events<'a>(ts: impl IntoIterator<Item = &'a EventType>) -> Intents {
        ts.into_iter()
            .fold(Intents::empty(), |acc, t| acc | Intents::for_event(t))
    }

    /// The intents an Identify carries: these, or [`GUILDS`](Self::GUILDS) when there are
    /// none. botgo's `Identify` and botpy's `identify` substitute GUILDS for 0 the same way
    /// (QQ is never asked for nothing); the spec lists GUILDS as open to every bot.
    #[must_use]
    pub fn for_identify(self) -> Intents {
        if self.is_empty() {
            Intents::GUILDS
        } else {
            self
        }
    }

    /// The names of the named bits set, in bit order (`["GUILDS", "GUILD_MEMBERS"]`); bits
    /// without a name are left out.
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        self.iter_names().map(|(name, _)| name).collect()
    }

    /// The event types (of the schema) that these intents deliver.
    pub fn event_types(&self) -> impl Iterator<Item = EventType> + '_ {
        EventType::ALL.iter().filter_map(move |t| {
            let bit = Intents::for_event(t);
            (!bit.is_empty() && self.contains(bit)).then(|| t.clone())
        })
    }
}

/// The names joined by `|` (`GUILD_MEMBERS|PUBLIC_GUILD_MESSAGES`); bits without a name follow
/// as one hex number (`GUILDS|0x4`); no bits at all is the empty string.
impl fmt::Display for Intents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
        }
        let unnamed = self.bits() & !Intents::all().bits();
        if unnamed != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{unnamed:#x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_guild_messages_and_guild_members_is_the_seed_value() {
        let intents = Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILD_MEMBERS;
        assert_eq!(intents.bits(), 1073741826);
        assert_eq!(
            Intents::for_events(&[EventType::AtMessageCreate, EventType::GuildMemberAdd]),
            intents
        );
    }

    #[test]
    fn at_message_handler_alone_needs_bit_30_as_in_botgo() {
        assert_eq!(
            Intents::for_event(&EventType::AtMessageCreate).bits(),
            1 << 30
        );
    }

    #[test]
    fn no_intents_identify_as_guilds_and_others_unchanged() {
        let none = Intents::for_events(&[EventType::Ready, EventType::Resumed]);
        assert!(none.is_empty());
        assert_eq!(none.for_identify(), Intents::GUILDS);
        let some = Intents::PUBLIC_GUILD_MESSAGES | Intents::DIRECT_MESSAGE;
        assert_eq!(some.for_identify(), some);
    }

    #[test]
    fn ready_resumed_and_unknown_types_need_no_intent() {
        assert!(Intents::for_event(&EventType::Ready).is_empty());
        assert!(Intents::for_event(&EventType::Resumed).is_empty());
        assert!(Intents::for_event(&EventType::Unknown("FUTURE_EVENT".into())).is_empty());
    }

    #[test]
    fn every_event_with_an_intent_name_maps_to_that_bit() {
        for t in EventType::ALL {
            let bits = Intents::for_event(t);
            match t.intent_name() {
                Some(name) => {
                    assert_eq!(Intents::from_name(name), Some(bits), "{t}");
                    assert_eq!(bits.bits().count_ones(), 1, "{t}");
                }
                None => assert!(bits.is_empty(), "{t}"),
            }
        }
    }

    #[test]
    fn the_spec_bits_are_where_the_spec_puts_them() {
        let expected = [
            (Intents::GUILDS, 0),
            (Intents::GUILD_MEMBERS, 1),
            (Intents::GUILD_MESSAGES, 9),
            (Intents::GUILD_MESSAGE_REACTIONS, 10),
            (Intents::DIRECT_MESSAGE, 12),
            (Intents::OPEN_FORUMS_EVENT, 18),
            (Intents::AUDIO_OR_LIVE_CHANNEL_MEMBER, 19),
            (Intents::GROUP_AND_C2C_EVENT, 25),
            (Intents::INTERACTION, 26),
            (Intents::MESSAGE_AUDIT, 27),
            (Intents::FORUMS_EVENT, 28),
            (Intents::AUDIO_ACTION, 29),
            (Intents::PUBLIC_GUILD_MESSAGES, 30),
        ];
        for (intent, bit) in expected {
            assert_eq!(intent.bits(), 1 << bit, "{intent}");
        }
        assert_eq!(
            Intents::for_event(&EventType::GroupAtMessageCreate),
            Intents::GROUP_AND_C2C_EVENT
        );
        assert_eq!(
            Intents::for_event(&EventType::C2cMessageCreate),
            Intents::GROUP_AND_C2C_EVENT
        );
    }

    #[test]
    fn public_is_the_three_open_intents() {
        assert_eq!(
            Intents::PUBLIC,
            Intents::GUILDS | Intents::GUILD_MEMBERS | Intents::PUBLIC_GUILD_MESSAGES
        );
    }

    #[test]
    fn names_and_display_list_named_bits_in_bit_order() {
        let i = Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILDS;
        assert_eq!(i.names(), ["GUILDS", "PUBLIC_GUILD_MESSAGES"]);
        assert_eq!(i.to_string(), "GUILDS|PUBLIC_GUILD_MESSAGES");
        assert_eq!(Intents::empty().to_string(), "");
        assert!(Intents::empty().names().is_empty());
    }

    #[test]
    fn display_keeps_unnamed_bits_as_hex() {
        let i = Intents::from_bits_retain((1 << 0) | (1 << 31));
        assert_eq!(i.names(), ["GUILDS"]);
        assert_eq!(i.to_string(), "GUILDS|0x80000000");
        assert_eq!(Intents::from_bits_retain(1 << 31).to_string(), "0x80000000");
    }

    #[test]
    fn event_types_lists_what_the_bits_deliver() {
        let types: Vec<EventType> = Intents::GUILD_MEMBERS.event_types().collect();
        assert_eq!(
            types,
            [
                EventType::GuildMemberAdd,
                EventType::GuildMemberUpdate,
                EventType::GuildMemberRemove
            ]
        );
        assert_eq!(Intents::empty().event_types().count(), 0);
    }
}
