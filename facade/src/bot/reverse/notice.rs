//! [`ReverseNotice`]: what happens to the connections of a reverse-WS listener, for logs and
//! command-line lifecycle lines.

use std::net::SocketAddr;

use botgate_session::onebot::ClientRole;

/// Something that happened on a reverse-WS listener (see
/// [`ReverseBot::notices`](super::ReverseBot::notices)). Connections are numbered from 1 in
/// the order they were accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReverseNotice {
    /// An implementation connected (its token checked); which account it carries may not be
    /// known yet.
    Connected {
        /// Connection number.
        conn: u64,
        /// The peer's address.
        addr: SocketAddr,
        /// `X-Self-ID`, when sent (Waylay sends none).
        self_id: Option<String>,
        /// `X-Client-Role`, when sent, as sent: `API` (actions only), `Event` (events
        /// only), `Universal` (both; also when absent or not known).
        role: Option<String>,
    },
    /// The connection now serves account `self_id`: its events reach that account's handlers
    /// and the account's actions go over it; only the events for an `Event` connection, only
    /// the actions for an `API` one (`role`).
    #[non_exhaustive]
    Online {
        /// Connection number.
        conn: u64,
        /// The peer's address.
        addr: SocketAddr,
        /// The bot account.
        self_id: String,
        /// The account's first connection since the listener started.
        first: bool,
        /// What the connection carries, read from its `X-Client-Role` (the header as sent is
        /// in its [`Connected`](Self::Connected)).
        role: ClientRole,
    },
    /// A new connection for `self_id` arrived while an older one was still open and idle: the
    /// older one was closed (one connection per account at a time). Between the connections
    /// that carry events (`Universal`, `Event`) after the older has read nothing for a
    /// second; between two `API` connections at once. One role never replaces the other:
    /// go-cqhttp's `API` and `Event` sockets of an account stay side by side (`old_role`,
    /// `new_role`: both `API`, or each `Universal` or `Event`).
    #[non_exhaustive]
    Replaced {
        /// The bot account.
        self_id: String,
        /// The closed connection's number.
        old: u64,
        /// The new connection's number.
        new: u64,
        /// The closed connection's role.
        old_role: ClientRole,
        /// The new connection's role.
        new_role: ClientRole,
    },
    /// A connection ended.
    Disconnected {
        /// Connection number.
        conn: u64,
        /// The peer's address.
        addr: SocketAddr,
        /// The account it carried, if it was known.
        self_id: Option<String>,
        /// Why, when it is known (empty for a plain close).
        reason: String,
    },
}
