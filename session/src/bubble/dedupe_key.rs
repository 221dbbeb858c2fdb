//! The key Bubble events are deduplicated by (spec §3.5, decision 0076).

use std::hash::Hasher;
use std::ops::ControlFlow;

use botgate_codec::bubble::{delivery, Delivery};
use botgate_codec::scan;

use crate::fingerprint::Fingerprints;

/// What an event is deduplicated by: its type and what names one delivery of it, borrowed
/// from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DedupeKey<'a> {
    t: &'a str,
    id: Identity<'a>,
}

/// A delivery's identity within its type: the text (quotes trimmed) of `d.id` or of a
/// mention's `d.messageId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity<'a> {
    Id(&'a [u8]),
    MessageId(&'a [u8]),
}

impl DedupeKey<'_> {
    /// The key's fingerprint under `seeds` (what the window keeps): no copy, no allocation.
    pub(crate) fn fingerprint(&self, seeds: &Fingerprints) -> u128 {
        let mut h = seeds.hasher();
        // Lengths first, so no two different keys feed the same bytes.
        h.write_usize(self.t.len());
        h.write(self.t.as_bytes());
        let (tag, id) = match self.id {
            Identity::Id(id) => (0, id),
            Identity::MessageId(id) => (1, id),
        };
        h.write_u8(tag);
        h.write_usize(id.len());
        h.write(id);
        h.fingerprint()
    }
}

/// `(t, d.id)` when `d.id` names a one-time event, `(t, d.messageId)` for a mention; else
/// none: the event passes undeduplicated. Those are changes that can come again with the same
/// payload (an edit, a reaction added after its removal, a guild rejoined: keyed by their id
/// or their reaction, the second was dropped as a resend); a replay after a resume is still
/// dropped by its `s`, and the documented gateway does not replay. The scan stops at the first
/// usable field (most payloads start with it); the values of other keys are skipped, not
/// converted.
pub(crate) fn dedupe_key<'a>(t: &'a str, data: Option<&'a [u8]>) -> Option<DedupeKey<'a>> {
    let data = data?;
    let kind = delivery(t);
    let field: &[u8] = match kind {
        Delivery::EventId => b"id",
        Delivery::MessageId => b"messageId",
        Delivery::Sequence => return None,
    };
    let mut found = None;
    let scanned = scan::object_fields_until(data, |key, span| {
        if key.as_bytes() == field {
            let text = trim_quotes(span.slice(data));
            if !text.is_empty() && text != b"null" {
                found = Some(text);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    if scanned.is_err() {
        return None;
    }
    let id = match kind {
        Delivery::MessageId => Identity::MessageId(found?),
        _ => Identity::Id(found?),
    };
    Some(DedupeKey { t, id })
}

/// `raw` without the quotes around it (all leading and trailing ones, as `trim_matches`).
fn trim_quotes(mut raw: &[u8]) -> &[u8] {
    while let [b'"', rest @ ..] = raw {
        raw = rest;
    }
    while let [rest @ .., b'"'] = raw {
        raw = rest;
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key as `(t, identity)`, a mention's prefixed with `m:`.
    fn key(t: &str, d: &str) -> Option<(String, String)> {
        let text = |raw: &[u8]| String::from_utf8_lossy(raw).into_owned();
        dedupe_key(t, Some(d.as_bytes())).map(|k| {
            let id = match k.id {
                Identity::Id(id) => text(id),
                Identity::MessageId(id) => format!("m:{}", text(id)),
            };
            (k.t.to_owned(), id)
        })
    }

    #[test]
    fn fingerprints_tell_keys_apart_and_repeat_for_equal_keys() {
        let seeds = Fingerprints::default();
        let print = |t: &str, d: &str| {
            dedupe_key(t, Some(d.as_bytes()))
                .unwrap()
                .fingerprint(&seeds)
        };
        assert_eq!(
            print("MESSAGE_CREATE", r#"{"id":1}"#),
            print("MESSAGE_CREATE", r#"{"id":"1","x":2}"#)
        );
        assert_ne!(
            print("MESSAGE_CREATE", r#"{"id":1}"#),
            print("MESSAGE_DELETE", r#"{"id":1}"#)
        );
        assert_ne!(
            print("MESSAGE_CREATE", r#"{"id":1}"#),
            print("MESSAGE_CREATE", r#"{"id":2}"#)
        );
        // The type is delimited: moving a byte from it to the id is another key.
        assert_ne!(
            print("MESSAGE_CREATE", r#"{"id":12}"#),
            print("MESSAGE_CREATE1", r#"{"id":2}"#)
        );
    }

    #[test]
    fn the_scan_stops_at_a_usable_id() {
        // what follows the id is not read (the decode reports a malformed payload)
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":7,"content": oops"#),
            Some(("MESSAGE_CREATE".into(), "7".into()))
        );
        // an unusable id does not stop it, and an id inside another field is not the event's
        assert_eq!(
            key(
                "MENTION_CREATE",
                r#"{"messageId":null,"x":{"messageId":3}}"#
            ),
            None
        );
        assert_eq!(key("MESSAGE_CREATE", r#"{"id":null,"x":{"id":3}}"#), None);
        assert_eq!(key("MESSAGE_CREATE", r#"{"id":"","content": oops"#), None);
    }

    #[test]
    fn ids_in_any_form_and_a_mention_s_message_make_the_key() {
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":1001,"x":1}"#),
            Some(("MESSAGE_CREATE".into(), "1001".into()))
        );
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":"1001"}"#),
            Some(("MESSAGE_CREATE".into(), "1001".into()))
        );
        assert_eq!(
            key("MENTION_CREATE", r#"{"id":3,"channelId":5,"messageId":7}"#),
            Some(("MENTION_CREATE".into(), "m:7".into()))
        );
        assert_eq!(
            key("MESSAGE_DELETE", r#"{"id":9}"#),
            Some(("MESSAGE_DELETE".into(), "9".into()))
        );
        assert_eq!(key("S", r#"{"channelId":1}"#), None);
        assert_eq!(key("S", r#"{"id":null}"#), None);
        assert_eq!(key("S", "not json"), None);
        assert!(dedupe_key("S", None).is_none());
    }

    /// Changes that can come again have no key (decisions 0051, 0076): a second edit of
    /// message 1001, a guild joined again, a reaction added again are not resends; a replay's
    /// `s` still drops it.
    #[test]
    fn changes_that_can_come_again_have_no_key() {
        for (t, d) in [
            ("MESSAGE_UPDATE", r#"{"id":1001,"editedAt":"t2"}"#),
            ("READ_STATE_UPDATE", r#"{"id":5}"#),
            ("GUILD_CREATE", r#"{"id":10,"name":"g"}"#),
            ("GUILD_DELETE", r#"{"id":10}"#),
            (
                "MESSAGE_REACTION_ADD",
                r#"{"messageId":7,"userId":8,"emoji":"x"}"#,
            ),
            ("GUILD_MEMBER_ADD", r#"{"guildId":10,"userId":2}"#),
        ] {
            assert_eq!(key(t, d), None, "{t}");
        }
    }
}
