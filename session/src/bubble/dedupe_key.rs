//! The key Bubble events are deduplicated by (spec §3.5).

use std::hash::Hasher;
use std::ops::ControlFlow;

use botgate_codec::scan;

use crate::fingerprint::Fingerprints;

/// What an event is deduplicated by: its type and its own identity, borrowed from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DedupeKey<'a> {
    t: &'a str,
    id: Identity<'a>,
}

/// An event's identity within its type: `d.id` (its text, quotes trimmed), or a reaction's
/// `(messageId, userId, emoji)` as raw JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity<'a> {
    Id(&'a [u8]),
    Reaction([&'a [u8]; 3]),
}

impl DedupeKey<'_> {
    /// The key's fingerprint under `seeds` (what the window keeps): no copy, no allocation.
    pub(crate) fn fingerprint(&self, seeds: &Fingerprints) -> u128 {
        let mut h = seeds.hasher();
        // Lengths first, so no two different keys feed the same bytes.
        h.write_usize(self.t.len());
        h.write(self.t.as_bytes());
        match self.id {
            Identity::Id(id) => {
                h.write_u8(0);
                h.write_usize(id.len());
                h.write(id);
            }
            Identity::Reaction(parts) => {
                h.write_u8(1);
                for part in parts {
                    h.write_usize(part.len());
                    h.write(part);
                }
            }
        }
        h.fingerprint()
    }
}

/// `(t, d.id)` when `d.id` is present and names the event; `(t, messageId, userId, emoji)`
/// for reactions; else none (the event passes undeduplicated; a replay after a resume is
/// still dropped by its `s`). The scan stops at the first usable `id` (most payloads start
/// with it); the values of other keys are skipped, not converted.
///
/// `d.id` names the event, but for an update or a pin / unpin: those carry the id of what
/// changed (a message, a channel's read state), the same on every edit or every pin: keyed by
/// it, a second edit was dropped as a resend (review of stop 29).
pub(crate) fn dedupe_key<'a>(t: &'a str, data: Option<&'a [u8]>) -> Option<DedupeKey<'a>> {
    let data = data?;
    let by_id = botgate_codec::bubble::id_names_event(t);
    let (mut message_id, mut user_id, mut emoji): (Option<&[u8]>, _, _) = (None, None, None);
    let mut id = None;
    let scanned = scan::object_fields_until(data, |key, span| {
        let raw = span.slice(data);
        match key.as_bytes() {
            b"id" if by_id => {
                let text = trim_quotes(raw);
                if !text.is_empty() && text != b"null" {
                    id = Some(text);
                    return ControlFlow::Break(());
                }
            }
            b"messageId" => message_id = Some(raw),
            b"userId" => user_id = Some(raw),
            b"emoji" => emoji = Some(raw),
            _ => {}
        }
        ControlFlow::Continue(())
    });
    if scanned.is_err() {
        return None;
    }
    let id = match (id, message_id) {
        (Some(id), _) => Identity::Id(id),
        (None, Some(m)) => {
            Identity::Reaction([m, user_id.unwrap_or_default(), emoji.unwrap_or_default()])
        }
        _ => return None,
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

    /// The key as `(t, identity)`, a reaction's parts joined by `/`.
    fn key(t: &str, d: &str) -> Option<(String, String)> {
        let text = |raw: &[u8]| String::from_utf8_lossy(raw).into_owned();
        dedupe_key(t, Some(d.as_bytes())).map(|k| {
            let id = match k.id {
                Identity::Id(id) => text(id),
                Identity::Reaction(parts) => parts.map(text).join("/"),
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
        // The parts are delimited: moving a byte from one to the next is another key.
        assert_ne!(
            print("R", r#"{"messageId":12,"userId":3}"#),
            print("R", r#"{"messageId":1,"userId":23}"#)
        );
        assert_ne!(
            print("A_CREATE", r#"{"id":12}"#),
            print("A_CREATEX", r#"{"messageId":2}"#)
        );
    }

    #[test]
    fn the_scan_stops_at_a_usable_id() {
        // what follows the id is not read (the decode reports a malformed payload)
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":7,"content": oops"#),
            Some(("MESSAGE_CREATE".into(), "7".into()))
        );
        // an unusable id does not stop it
        assert_eq!(
            key("R", r#"{"id":null,"messageId":5,"userId":1,"emoji":"x"}"#),
            Some(("R".into(), "5/1/\"x\"".into()))
        );
        assert_eq!(key("MESSAGE_CREATE", r#"{"id":"","content": oops"#), None);
    }

    #[test]
    fn ids_in_any_form_and_reaction_fields_make_the_key() {
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":1001,"x":1}"#),
            Some(("MESSAGE_CREATE".into(), "1001".into()))
        );
        assert_eq!(
            key("MESSAGE_CREATE", r#"{"id":"1001"}"#),
            Some(("MESSAGE_CREATE".into(), "1001".into()))
        );
        assert_eq!(
            key("R", r#"{"emoji":"x","messageId":7,"userId":8}"#),
            Some(("R".into(), "7/8/\"x\"".into()))
        );
        assert_eq!(key("S", r#"{"channelId":1}"#), None);
        assert_eq!(key("S", r#"{"id":null}"#), None);
        assert_eq!(key("S", "not json"), None);
        // an update's id is what changed, not the event: no key (its `s` still dedupes a
        // replay); a second edit of message 1001 is not a resend
        assert_eq!(
            key("MESSAGE_UPDATE", r#"{"id":1001,"editedAt":"t2"}"#),
            None
        );
        assert_eq!(key("READ_STATE_UPDATE", r#"{"id":5}"#), None);
        assert_eq!(
            key("MESSAGE_DELETE", r#"{"id":9}"#),
            Some(("MESSAGE_DELETE".into(), "9".into()))
        );
        assert!(dedupe_key("S", None).is_none());
    }
}
