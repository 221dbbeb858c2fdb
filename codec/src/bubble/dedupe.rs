//! Which Bubble events `d.id` names (spec §3.5 keys dedupe on `(t, d.id)`): one rule for the
//! session's window and the dispatcher's.

/// Whether `d.id` of an event of type `t` is the event's own identity (a message, a channel,
/// a member joining), so a second event with it is a resend. Not for an update, a pin or an
/// unpin: those carry the id of what changed, the same on every edit or pin (decision 0051).
pub fn id_names_event(t: &str) -> bool {
    !(t.ends_with("_UPDATE") || t.ends_with("_PIN") || t.ends_with("_UNPIN"))
}

#[cfg(test)]
mod tests {
    use super::id_names_event;

    #[test]
    fn updates_and_pins_are_not_named_by_their_id() {
        for t in [
            "MESSAGE_CREATE",
            "MESSAGE_DELETE",
            "GUILD_MEMBER_ADD",
            "DM_MESSAGE_CREATE",
        ] {
            assert!(id_names_event(t), "{t}");
        }
        for t in [
            "MESSAGE_UPDATE",
            "READ_STATE_UPDATE",
            "MESSAGE_PIN",
            "DM_MESSAGE_UNPIN",
        ] {
            assert!(!id_names_event(t), "{t}");
        }
    }
}
