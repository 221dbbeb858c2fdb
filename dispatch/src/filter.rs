//! Filters for unified handlers: pure functions over a [`Conversation`], the few facts of a
//! unified event a filter looks at (scene, group, user, text). [`Scene`] is the unified model's
//! (`botgate_proto::unified::Scene`), so a filter and a handler comparing
//! `u.contact.scene` name the same type.
//!
//! ```
//! use botgate_dispatch::{Conversation, Filter, Scene};
//!
//! let ping = Filter::new().scene(Scene::Group).command("/ping");
//! let c = Conversation {
//!     scene: &Scene::Group,
//!     sub_event: "group",
//!     peer: "123",
//!     sub_peer: None,
//!     user_id: "42",
//!     group_id: Some("123"),
//!     text: Some("/ping now"),
//! };
//! assert!(ping.matches(&c));
//! assert_eq!(Filter::command_args("/ping now", "/ping"), Some("now"));
//! ```

pub use botgate_proto::unified::Scene;

/// What a filter sees of a unified event. Ids are strings, as in the unified model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversation<'a> {
    /// The scene.
    pub scene: &'a Scene,
    /// The unified `sub_event` (`group`, `group_recall`, `friend_apply`, ...).
    pub sub_event: &'a str,
    /// The peer (group id, user id, guild id: see the model's scene table).
    pub peer: &'a str,
    /// The sub-peer (channel id in a guild, group id of a temp chat, DM guild).
    pub sub_peer: Option<&'a str>,
    /// Who triggered the event.
    pub user_id: &'a str,
    /// The group, in the group and stranger_from_group scenes.
    pub group_id: Option<&'a str>,
    /// The text commands and prefixes are read from: for a message, its first non-blank text
    /// element after any leading mentions and reply (so `@bot /天气 深圳` reads `/天气 深圳`,
    /// and so does `@a @bot /天气 深圳`); `None` for events without text.
    pub text: Option<&'a str>,
}

/// A conjunction of conditions; an empty filter matches everything. Within one condition the
/// listed values are alternatives (`.group("1").group("2")` matches either group).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    scenes: Vec<Scene>,
    sub_events: Vec<String>,
    groups: Vec<String>,
    users: Vec<String>,
    peers: Vec<String>,
    prefixes: Vec<String>,
    commands: Vec<String>,
}

impl Filter {
    /// The filter that matches every event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only in this scene (repeat for alternatives).
    pub fn scene(mut self, scene: Scene) -> Self {
        self.scenes.push(scene);
        self
    }

    /// Only with this unified `sub_event` (repeat for alternatives).
    pub fn sub_event(mut self, sub_event: impl Into<String>) -> Self {
        self.sub_events.push(sub_event.into());
        self
    }

    /// Only in this group (repeat for alternatives).
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.groups.push(group_id.into());
        self
    }

    /// Only from this user (repeat for alternatives).
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.users.push(user_id.into());
        self
    }

    /// Only with this peer (a guild, a group, a private chat partner; repeat for alternatives).
    pub fn peer(mut self, peer: impl Into<String>) -> Self {
        self.peers.push(peer.into());
        self
    }

    /// Only when the text starts with `prefix` (leading whitespace ignored).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }

    /// Only when the text's first word is exactly `command` (`/ping` matches `/ping` and
    /// `/ping 3`, not `/pingx`; leading whitespace ignored).
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.commands.push(command.into());
        self
    }

    /// What the scene alone decides: `Some(false)` when `scene` is not one of the filter's
    /// scenes, `Some(true)` when it is (or there are none) and the filter has no other
    /// condition, `None` when the other conditions need the whole [`Conversation`]. Lets a
    /// unified handler skip building the conversation (a read of each of its strings) for
    /// filters that look at the scene only.
    pub(crate) fn by_scene(&self, scene: &Scene) -> Option<bool> {
        if !any_or_empty(&self.scenes, |s| s == scene) {
            return Some(false);
        }
        let scene_only = self.sub_events.is_empty()
            && self.groups.is_empty()
            && self.users.is_empty()
            && self.peers.is_empty()
            && self.prefixes.is_empty()
            && self.commands.is_empty();
        scene_only.then_some(true)
    }

    /// Whether the conversation passes every condition.
    pub fn matches(&self, c: &Conversation<'_>) -> bool {
        any_or_empty(&self.scenes, |s| s == c.scene)
            && any_or_empty(&self.sub_events, |s| s == c.sub_event)
            && any_or_empty(&self.groups, |g| c.group_id == Some(g.as_str()))
            && any_or_empty(&self.users, |u| u == c.user_id)
            && any_or_empty(&self.peers, |p| p == c.peer)
            && any_or_empty(&self.prefixes, |p| {
                c.text
                    .is_some_and(|t| t.trim_start().starts_with(p.as_str()))
            })
            && any_or_empty(&self.commands, |cmd| {
                c.text.is_some_and(|t| Self::command_args(t, cmd).is_some())
            })
    }

    /// The arguments after `command` when `text`'s first word is exactly `command`
    /// (trimmed; empty when there are none), else `None`.
    pub fn command_args<'t>(text: &'t str, command: &str) -> Option<&'t str> {
        if command.is_empty() {
            return None;
        }
        let rest = text.trim_start().strip_prefix(command)?;
        match rest.chars().next() {
            None => Some(""),
            Some(c) if c.is_whitespace() => Some(rest.trim()),
            Some(_) => None,
        }
    }
}

fn any_or_empty<T>(values: &[T], pred: impl FnMut(&T) -> bool) -> bool {
    values.is_empty() || values.iter().any(pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group_msg(text: &'static str) -> Conversation<'static> {
        Conversation {
            scene: &Scene::Group,
            sub_event: "group",
            peer: "G1",
            sub_peer: None,
            user_id: "U1",
            group_id: Some("G1"),
            text: Some(text),
        }
    }

    #[test]
    fn empty_filter_matches_everything() {
        assert!(Filter::new().matches(&group_msg("hi")));
    }

    #[test]
    fn scene_group_and_user_conditions_combine() {
        let f = Filter::new().scene(Scene::Group).group("G1").user("U1");
        assert!(f.matches(&group_msg("x")));
        let f = Filter::new().scene(Scene::Private);
        assert!(!f.matches(&group_msg("x")));
        let f = Filter::new().group("G2").group("G1");
        assert!(f.matches(&group_msg("x")));
        let f = Filter::new().group("G1").user("U2");
        assert!(!f.matches(&group_msg("x")));
    }

    #[test]
    fn group_filter_rejects_private_chats() {
        let mut c = group_msg("x");
        c.scene = &Scene::Private;
        c.group_id = None;
        assert!(!Filter::new().group("G1").matches(&c));
    }

    #[test]
    fn command_matches_whole_first_word_only() {
        let f = Filter::new().command("/ping");
        assert!(f.matches(&group_msg("/ping")));
        assert!(f.matches(&group_msg("  /ping 3 4")));
        assert!(!f.matches(&group_msg("/pingx")));
        assert!(!f.matches(&group_msg("say /ping")));
        assert_eq!(Filter::command_args("/ping  3 4 ", "/ping"), Some("3 4"));
        assert_eq!(Filter::command_args("/ping", "/ping"), Some(""));
        assert_eq!(Filter::command_args("/pong", "/ping"), None);
        assert_eq!(Filter::command_args("anything", ""), None);
    }

    #[test]
    fn prefix_needs_text() {
        let f = Filter::new().prefix("!");
        assert!(f.matches(&group_msg(" !roll")));
        assert!(!f.matches(&group_msg("roll!")));
        let mut c = group_msg("");
        c.text = None;
        assert!(!f.matches(&c));
    }

    #[test]
    fn sub_event_and_peer_conditions() {
        let f = Filter::new().sub_event("group_recall");
        assert!(!f.matches(&group_msg("x")));
        assert!(Filter::new()
            .sub_event("group")
            .peer("G1")
            .matches(&group_msg("x")));
    }
}
