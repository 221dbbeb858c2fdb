//! Small constructors shared by the per-platform mappings.

use botgate_proto::unified::{
    Contact, Content, Event, EventKind, Platform, Scene, Sender, SubEvent,
};
use botgate_proto::Text;

/// An event with its who / where / what set and everything else empty. `group_id` follows
/// the scene: the peer in `group`, the sub_peer in `stranger_from_group`, unset elsewhere.
/// Boxed from the start: the mapping fills it and [`super::Unified`] keeps it by pointer, so
/// the ~840-byte event is never copied on its way to the handler (decision 0028).
pub(crate) fn event(
    platform: Platform,
    self_id: Text,
    kind: EventKind,
    sub_event: SubEvent,
    contact: Contact,
    user_id: Text,
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

/// `Some(s)` unless it is empty (a payload's `Text` is shared, not copied).
pub(crate) fn non_empty(s: impl Into<Text> + AsRef<str>) -> Option<Text> {
    (!s.as_ref().is_empty()).then(|| s.into())
}

/// An optional integer id as a string.
pub(crate) fn id(v: Option<i64>) -> Option<Text> {
    v.map(int)
}

/// An integer id as a string: formatted on the stack, one allocation (`to_string` and then a
/// `Text` would be two).
pub(crate) fn int(v: impl std::fmt::Display) -> Text {
    use std::fmt::Write;
    /// Room for any `i128` / `u128` in decimal.
    struct Digits {
        buf: [u8; 40],
        len: usize,
    }
    impl Write for Digits {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(std::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut d = Digits {
        buf: [0; 40],
        len: 0,
    };
    match write!(d, "{v}") {
        Ok(()) => std::str::from_utf8(&d.buf[..d.len])
            .map_or_else(|_| Text::from(v.to_string()), Text::from),
        Err(_) => Text::from(v.to_string()),
    }
}

/// The first non-empty of two strings (empty when both are).
pub(crate) fn first(a: &Text, b: &Text) -> Text {
    if a.is_empty() { b } else { a }.clone()
}
