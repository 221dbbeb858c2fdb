//! What happened: the event kind (`event`) and its sub-event (`sub_event`).

use crate::de::str_enum;

str_enum! {
    /// The event kind (`event`): message, message_sent, notice or request.
    pub enum EventKind {
        /// A message someone else sent (收到的消息).
        Message = "message",
        /// A message the bot account itself sent (OneBot `message_sent`); same data as
        /// [`EventKind::Message`].
        MessageSent = "message_sent",
        /// A notice (通知事件): recalls, joins, bans, pokes, ...
        Notice = "notice",
        /// A request (请求事件) the bot may approve: friend applications, join requests.
        Request = "request",
    }
}

str_enum! {
    /// The sub-event (`sub_event`): the seed's names, then botgate's additions.
    ///
    /// For messages the sub-event is the scene (`group`, `private`, `guild`, ...).
    pub enum SubEvent {
        /// A group message.
        Group = "group",
        /// A private message (friend, C2C, a guild DM).
        Private = "private",
        /// A guild (频道) channel message.
        Guild = "guild",
        /// A message from someone nearby (附近的人).
        Nearby = "nearby",
        /// A message from a stranger.
        Stranger = "stranger",
        /// A group temp-chat message (群临时会话).
        StrangerFromGroup = "stranger_from_group",
        /// A friend poked (好友戳一戳).
        FriendPoke = "friend_poke",
        /// A friend recalled a private message.
        FriendRecall = "friend_recall",
        /// Someone poked in a group.
        GroupPoke = "group_poke",
        /// A member's group card changed.
        GroupCardChanged = "group_card_changed",
        /// A member's special title changed.
        GroupMemberUniqueTitleChanged = "group_member_unique_title_changed",
        /// The group essence list changed.
        GroupEssenceChanged = "group_essence_changed",
        /// A group (or guild channel) message was recalled.
        GroupRecall = "group_recall",
        /// A member joined a group (or the bot was added to one).
        GroupMemberIncrease = "group_member_increase",
        /// A member left a group (or the bot was removed from one).
        GroupMemberDecrease = "group_member_decrease",
        /// A member was made admin or lost admin.
        GroupAdminChange = "group_admin_change",
        /// A member was muted or unmuted.
        GroupMemberBan = "group_member_ban",
        /// A member signed in (群签到).
        GroupSignIn = "group_sign_in",
        /// The whole group was muted or unmuted.
        GroupWholeBan = "group_whole_ban",
        /// A file was uploaded to a group.
        GroupFileUploaded = "group_file_uploaded",
        /// Someone asks to become a friend.
        FriendApply = "friend_apply",
        /// Someone asks to join a group.
        GroupApply = "group_apply",
        /// botgate addition: a new friend (Karin `friendIncrease`).
        FriendIncrease = "friend_increase",
        /// botgate addition: a friend was removed (Karin `friendDecrease`).
        FriendDecrease = "friend_decrease",
        /// botgate addition: a friend sent a file (Karin `friendFileUploaded`).
        FriendFileUploaded = "friend_file_uploaded",
        /// botgate addition: the bot is invited into a group (Karin `groupInvite`).
        GroupInvite = "group_invite",
        /// botgate addition: an emoji reaction on a group message (Karin `groupMessageReaction`).
        GroupMessageReaction = "group_message_reaction",
        /// botgate addition: the lucky king of a red packet.
        GroupLuckyKing = "group_lucky_king",
        /// botgate addition: a group honor changed hands (Karin `groupHonorChange`).
        GroupHonorChange = "group_honor_change",
        /// botgate addition: a message was edited.
        MessageUpdate = "message_update",
        /// botgate addition: a member joined a guild.
        GuildMemberIncrease = "guild_member_increase",
        /// botgate addition: a member left a guild.
        GuildMemberDecrease = "guild_member_decrease",
        /// botgate addition: a guild member changed (nickname, roles, mute).
        GuildMemberUpdate = "guild_member_update",
        /// botgate addition: a reaction was added to a guild / channel message.
        MessageReactionAdd = "message_reaction_add",
        /// botgate addition: a reaction was removed from a guild / channel message.
        MessageReactionRemove = "message_reaction_remove",
    }
}

impl EventKind {
    /// Whether this is a message (received or sent by the bot itself).
    pub fn is_message(&self) -> bool {
        matches!(self, EventKind::Message | EventKind::MessageSent)
    }
}

impl SubEvent {
    /// The event kind this sub-event belongs to; `None` for an unknown sub-event, and
    /// [`EventKind::Message`] for the message scenes (which also serve `message_sent`).
    pub fn kind(&self) -> Option<EventKind> {
        use SubEvent::*;
        Some(match self {
            Group | Private | Guild | Nearby | Stranger | StrangerFromGroup => EventKind::Message,
            FriendApply | GroupApply | GroupInvite => EventKind::Request,
            Unknown(_) => return None,
            _ => EventKind::Notice,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_names_parse_to_known_sub_events_of_the_right_kind() {
        let notices = [
            "friend_poke",
            "friend_recall",
            "group_poke",
            "group_card_changed",
            "group_member_unique_title_changed",
            "group_essence_changed",
            "group_recall",
            "group_member_increase",
            "group_member_decrease",
            "group_admin_change",
            "group_member_ban",
            "group_sign_in",
            "group_whole_ban",
            "group_file_uploaded",
        ];
        for name in notices {
            let s: SubEvent = name.parse().unwrap();
            assert!(!s.is_unknown(), "{name}");
            assert_eq!(s.as_str(), name);
            assert_eq!(s.kind(), Some(EventKind::Notice), "{name}");
        }
        for name in ["friend_apply", "group_apply"] {
            assert_eq!(
                name.parse::<SubEvent>().unwrap().kind(),
                Some(EventKind::Request)
            );
        }
        for name in ["group", "private", "guild", "nearby", "stranger"] {
            assert_eq!(
                name.parse::<SubEvent>().unwrap().kind(),
                Some(EventKind::Message)
            );
        }
    }

    #[test]
    fn unknown_names_are_kept() {
        let s: SubEvent = serde_json::from_str("\"group_sign_out\"").unwrap();
        assert_eq!(s, SubEvent::Unknown("group_sign_out".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"group_sign_out\"");
        assert_eq!(s.kind(), None);
        assert!(EventKind::MessageSent.is_message());
        assert!(!EventKind::Notice.is_message());
    }
}
