//! Small constructors shared by the per-platform mappings.

use botgate_proto::unified::{
    Contact, Content, Event, EventKind, Platform, Scene, Sender, SubEvent,
};

/// An event with its who / where / what set and everything else empty. `group_id` follows
/// the scene: the peer in `group`, the sub_peer in `stranger_from_group`, unset elsewhere.
/// Boxed from the start: the mapping fills it and [`super::Unified`] keeps it by pointer, so
/// the ~840-byte event is never copied on its way to the handler (decision 0028).
pub(crate) fn event(
    platform: Platform,
    self_id: String,
    kind: EventKind,
    sub_event: SubEvent,
    contact: Contact,
    user_id: String,
    time: i64,
) -> Box<Event> {
    let group_id = match contact.scene {
        Scene::Group => Some(contact.peer.clone()),
        Scene::StrangerFromGroup => contact.sub_peer.clone(),
        _ => None,
    };
    Box::new(Event {
        platform,
        self_id,
        sender: Sender::id(user_id.clone()),
        user_id,
        group_id,
        time,
        event: kind,
        sub_event,
        contact,
        message_id: None,
        elements: Vec::new(),
        raw_message: None,
        content: None,
    })
}

/// `Some(content)` unless it is empty.
pub(crate) fn content(c: Content) -> Option<Content> {
    (!c.is_empty()).then_some(c)
}

/// `Some(s)` unless it is empty.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// An optional integer id as a string.
pub(crate) fn id(v: Option<i64>) -> Option<String> {
    v.map(|v| v.to_string())
}

/// The first non-empty of two strings (empty when both are).
pub(crate) fn first(a: &str, b: &str) -> String {
    if a.is_empty() { b } else { a }.to_owned()
}
