//! What the mapping needs to know beyond the event itself.

use botgate_proto::unified::Permissions;

/// The bot-side facts the mapping needs: the bot's own id, the current time for events that
/// carry none, and who the bot's masters and admins are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnifyContext {
    /// The bot's own id: QQ `READY` `user.id`, Bubble `BOT_READY` bot id. OneBot events carry
    /// `self_id` themselves; this is the fallback when one does not.
    pub self_id: botgate_proto::Text,
    /// Unix seconds used as `time` for events that carry no time of their own (QQ reactions
    /// and deletions, Bubble deletions). The caller passes its clock; the mapping never reads
    /// one.
    pub now: i64,
    /// The masters and admins of this bot (`is_master` / `is_admin`).
    pub permissions: Permissions,
}

impl UnifyContext {
    /// A context for the bot with this id, `now` = 0 and no masters or admins.
    pub fn new(self_id: impl Into<botgate_proto::Text>) -> Self {
        Self {
            self_id: self_id.into(),
            ..Self::default()
        }
    }

    /// Sets the time used for events that carry none (unix seconds).
    pub fn with_now(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// Sets the masters and admins.
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = permissions;
        self
    }
}
