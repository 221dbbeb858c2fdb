//! The gateway's own event → intent table (from the QQ docs; kept apart from the client's
//! generated table on purpose, so a mistake in one shows up against the other).

/// Every intent bit the gateway knows.
pub const KNOWN: u32 = (1 << 0)
    | (1 << 1)
    | (1 << 9)
    | (1 << 10)
    | (1 << 12)
    | (1 << 18)
    | (1 << 19)
    // ENTER_AIO: not in the spec's table, but botgo sends it (IntentEnterAIO), so QQ takes it
    | (1 << 23)
    | (1 << 25)
    | (1 << 26)
    | (1 << 27)
    | (1 << 28)
    | (1 << 29)
    | (1 << 30);

/// The intent bit an event type needs; `None` for types the table does not know (they are
/// always delivered, like READY / RESUMED).
pub fn required(event_type: &str) -> Option<u32> {
    let bit = match event_type {
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" | "CHANNEL_CREATE" | "CHANNEL_UPDATE"
        | "CHANNEL_DELETE" => 0,
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_REMOVE" => 1,
        "MESSAGE_CREATE" | "MESSAGE_DELETE" => 9,
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => 10,
        "DIRECT_MESSAGE_CREATE" | "DIRECT_MESSAGE_DELETE" => 12,
        "OPEN_FORUM_THREAD_CREATE"
        | "OPEN_FORUM_THREAD_UPDATE"
        | "OPEN_FORUM_THREAD_DELETE"
        | "OPEN_FORUM_POST_CREATE"
        | "OPEN_FORUM_POST_DELETE"
        | "OPEN_FORUM_REPLY_CREATE"
        | "OPEN_FORUM_REPLY_DELETE" => 18,
        "AUDIO_OR_LIVE_CHANNEL_MEMBER_ENTER" | "AUDIO_OR_LIVE_CHANNEL_MEMBER_EXIT" => 19,
        "ENTER_AIO" => 23,
        "GROUP_AT_MESSAGE_CREATE"
        | "C2C_MESSAGE_CREATE"
        | "GROUP_ADD_ROBOT"
        | "GROUP_DEL_ROBOT"
        | "GROUP_MSG_REJECT"
        | "GROUP_MSG_RECEIVE"
        | "FRIEND_ADD"
        | "FRIEND_DEL"
        | "C2C_MSG_REJECT"
        | "C2C_MSG_RECEIVE"
        | "SUBSCRIBE_MESSAGE_STATUS" => 25,
        "INTERACTION_CREATE" => 26,
        "MESSAGE_AUDIT_PASS" | "MESSAGE_AUDIT_REJECT" => 27,
        "FORUM_THREAD_CREATE"
        | "FORUM_THREAD_UPDATE"
        | "FORUM_THREAD_DELETE"
        | "FORUM_POST_CREATE"
        | "FORUM_POST_DELETE"
        | "FORUM_REPLY_CREATE"
        | "FORUM_REPLY_DELETE"
        | "FORUM_PUBLISH_AUDIT_RESULT" => 28,
        "AUDIO_START" | "AUDIO_FINISH" | "AUDIO_ON_MIC" | "AUDIO_OFF_MIC" => 29,
        "AT_MESSAGE_CREATE" | "PUBLIC_MESSAGE_DELETE" => 30,
        _ => return None,
    };
    Some(1 << bit)
}

/// True when a session with `intents` receives `event_type`.
pub fn delivers(intents: u32, event_type: &str) -> bool {
    required(event_type).is_none_or(|bit| intents & bit != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_documented_bits() {
        assert_eq!(required("AT_MESSAGE_CREATE"), Some(1 << 30));
        assert_eq!(required("GROUP_AT_MESSAGE_CREATE"), Some(1 << 25));
        assert_eq!(required("READY"), None);
        assert_eq!(required("ENTER_AIO"), Some(1 << 23));
        assert_eq!(required("SUBSCRIBE_MESSAGE_STATUS"), Some(1 << 25));
        assert_ne!(KNOWN & (1 << 23), 0);
        assert!(delivers(1 << 30, "AT_MESSAGE_CREATE"));
        assert!(!delivers(1 << 30, "MESSAGE_CREATE"));
        assert!(delivers(0, "SOME_FUTURE_EVENT"));
        assert_eq!(KNOWN & (1 << 2), 0);
    }
}
