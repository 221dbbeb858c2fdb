//! Cheap reads of a few payload fields from raw JSON, for lanes and dedupe keys: one scan of
//! the top-level keys (nested values skipped, never parsed; it stops once the first rule's id
//! is read), plus one scan per nested object a rule descends into.

use botgate_codec::scan::{self, Span};

use crate::platform::ConversationKey;

/// Where a conversation id may be found, and which lane namespace it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyRule {
    /// The field path (`["channel_id"]`, `["message", "channel_id"]`).
    pub(crate) path: &'static [&'static str],
    /// The lane namespace (`channel`, `group`, `user`, `guild`): rules naming the same
    /// conversation through different fields share it.
    pub(crate) lane: &'static str,
}

/// The key of the first rule (in order) whose field is present, non-null and non-empty;
/// [`ConversationKey::Global`] if none is (or `data` is not an object).
pub(crate) fn conversation_key(data: &[u8], rules: &[KeyRule]) -> ConversationKey {
    // One pass over the top level records the span of every field some rule starts with. It
    // stops as soon as the first rule's (top-level) field holds an id: no later field can win.
    let mut found: Vec<Option<Span>> = vec![None; rules.len()];
    let mut first_wins = None;
    let scanned = scan::object_fields(data, |key, span| {
        for (slot, rule) in found.iter_mut().zip(rules) {
            if rule.path.first().is_some_and(|first| key == *first) && slot.is_none() {
                *slot = Some(span);
            }
        }
        if let (Some(Some(span)), Some(rule)) = (found.first(), rules.first()) {
            if rule.path.len() == 1 && id_text(span.slice(data)).is_some() {
                first_wins = Some(*span);
                return Err(botgate_codec::Error::syntax(0, "stop"));
            }
        }
        Ok(())
    });
    if let (Some(span), Some(rule)) = (first_wins, rules.first()) {
        if let Some(value) = id_text(span.slice(data)) {
            return ConversationKey::id(rule.lane, value);
        }
    }
    if scanned.is_err() {
        return ConversationKey::Global;
    }
    for (rule, span) in rules.iter().zip(found) {
        let Some(span) = span else { continue };
        let value = match rule.path.get(1..) {
            Some(rest) if !rest.is_empty() => lookup(span.slice(data), rest),
            _ => Some(span.slice(data)),
        };
        if let Some(value) = value.and_then(id_text) {
            return ConversationKey::id(rule.lane, value);
        }
    }
    ConversationKey::Global
}

/// The raw value at `path` inside the object `data`.
pub(crate) fn lookup<'a>(data: &'a [u8], path: &[&str]) -> Option<&'a [u8]> {
    let (first, rest) = path.split_first()?;
    let mut hit = None;
    scan::object_fields(data, |key, span| {
        if hit.is_none() && key == *first {
            hit = Some(span);
        }
        Ok(())
    })
    .ok()?;
    let value = hit?.slice(data);
    if rest.is_empty() {
        Some(value)
    } else {
        lookup(value, rest)
    }
}

/// The id text of a raw scalar: a number as written, a string without its quotes (when it has
/// no escapes, so `5` and `"5"` name the same conversation); `None` for null, `""`, objects and
/// arrays.
pub(crate) fn id_text(raw: &[u8]) -> Option<&[u8]> {
    match raw.first()? {
        b'"' => {
            let inner = raw.get(1..raw.len().checked_sub(1)?)?;
            if inner.is_empty() {
                None
            } else if inner.contains(&b'\\') {
                Some(raw)
            } else {
                Some(inner)
            }
        }
        b'-' | b'0'..=b'9' => Some(raw),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[KeyRule] = &[
        KeyRule {
            path: &["channel_id"],
            lane: "channel",
        },
        KeyRule {
            path: &["message", "channel_id"],
            lane: "channel",
        },
        KeyRule {
            path: &["author", "user_openid"],
            lane: "user",
        },
        KeyRule {
            path: &["guild_id"],
            lane: "guild",
        },
    ];

    #[test]
    fn first_present_rule_wins_whatever_the_key_order() {
        let k = conversation_key(br#"{"guild_id":"G","channel_id":"C"}"#, RULES);
        assert_eq!(k, ConversationKey::id("channel", b"C".as_slice()));
    }

    #[test]
    fn nested_paths_are_followed() {
        let k = conversation_key(
            br#"{"message":{"id":"m","channel_id":"C"},"op_user":{}}"#,
            RULES,
        );
        assert_eq!(k, ConversationKey::id("channel", b"C".as_slice()));
        let k = conversation_key(br#"{"author":{"user_openid":"U1"},"content":"hi"}"#, RULES);
        assert_eq!(k, ConversationKey::id("user", b"U1".as_slice()));
    }

    #[test]
    fn null_and_empty_ids_fall_through() {
        let k = conversation_key(br#"{"channel_id":null,"guild_id":""}"#, RULES);
        assert_eq!(k, ConversationKey::Global);
        let k = conversation_key(br#"{"channel_id":"","guild_id":"G"}"#, RULES);
        assert_eq!(k, ConversationKey::id("guild", b"G".as_slice()));
    }

    #[test]
    fn numbers_and_strings_name_the_same_conversation() {
        let a = conversation_key(br#"{"channel_id":5}"#, RULES);
        let b = conversation_key(br#"{"channel_id":"5"}"#, RULES);
        assert_eq!(a, b);
    }

    #[test]
    fn the_first_rule_stops_the_scan_and_what_follows_is_not_read() {
        // Whatever follows the first rule's id (here: malformed) cannot change the key.
        let k = conversation_key(br#"{"channel_id":"C","guild_id":"G",#"#, RULES);
        assert_eq!(k, ConversationKey::id("channel", b"C".as_slice()));
        // A later rule's id read before it does not stop the scan.
        let k = conversation_key(br#"{"guild_id":"G","x":1,"channel_id":"C"}"#, RULES);
        assert_eq!(k, ConversationKey::id("channel", b"C".as_slice()));
        let k = conversation_key(br#"{"channel_id":null,"guild_id":"G"}"#, RULES);
        assert_eq!(k, ConversationKey::id("guild", b"G".as_slice()));
    }

    #[test]
    fn non_objects_are_global() {
        assert_eq!(conversation_key(b"\"\"", RULES), ConversationKey::Global);
        assert_eq!(conversation_key(b"[1,2]", RULES), ConversationKey::Global);
        assert_eq!(conversation_key(b"{", RULES), ConversationKey::Global);
    }
}
