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

/// A platform's rules, in order, with what a scan needs to know of them at a glance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyRules {
    rules: &'static [KeyRule],
    /// Bit `n` is set when some rule's first key is `n` bytes long (0..64): a key of another
    /// length is skipped without comparing it to any rule.
    lengths: u64,
}

impl KeyRules {
    pub(crate) const fn new(rules: &'static [KeyRule]) -> Self {
        let mut lengths = 0u64;
        let mut i = 0;
        while i < rules.len() {
            if let Some(first) = rules[i].path.first() {
                if first.len() < 64 {
                    lengths |= 1 << first.len();
                }
            }
            i += 1;
        }
        Self { rules, lengths }
    }

    fn may_match(&self, key: &[u8]) -> bool {
        key.len() >= 64 || self.lengths & (1 << key.len()) != 0
    }
}

/// The key of the first rule (in order) whose field is present, non-null and non-empty;
/// [`ConversationKey::Global`] if none is (or `data` is not an object).
pub(crate) fn conversation_key(data: &[u8], rules: &KeyRules) -> ConversationKey {
    match conversation_id(data, rules) {
        Some((lane, value)) => ConversationKey::id(lane, value),
        None => ConversationKey::Global,
    }
}

/// [`conversation_key`] read in place: the lane namespace and the id's raw text, borrowed from
/// `data`; `None` for the global lane.
pub(crate) fn conversation_id<'a>(
    data: &'a [u8],
    key_rules: &KeyRules,
) -> Option<(&'static str, &'a [u8])> {
    let rules = key_rules.rules.get(..MAX_RULES).unwrap_or(key_rules.rules);
    let mut found: [Option<Span>; MAX_RULES] = [None; MAX_RULES];
    let first_wins = match plain_fields(data, |key, span| {
        if key_rules.may_match(key) {
            record(data, rules, &mut found, key, span)
        } else {
            None
        }
    }) {
        Some(first_wins) => first_wins,
        // Escaped or non-ASCII keys, or malformed input: the general scan decides.
        None => {
            found = [None; MAX_RULES];
            let mut first_wins = None;
            let scanned = scan::object_fields(data, |key, span| {
                first_wins = record(data, rules, &mut found, key.as_bytes(), span);
                match first_wins {
                    Some(_) => Err(botgate_codec::Error::syntax(0, "stop")),
                    None => Ok(()),
                }
            });
            if scanned.is_err() && first_wins.is_none() {
                return None;
            }
            first_wins
        }
    };
    if let (Some(span), Some(rule)) = (first_wins, rules.first()) {
        if let Some(value) = id_text(span.slice(data)) {
            return Some((rule.lane, value));
        }
    }
    for (rule, span) in rules.iter().zip(found) {
        let Some(span) = span else { continue };
        let value = match rule.path.get(1..) {
            Some(rest) if !rest.is_empty() => lookup(span.slice(data), rest),
            _ => Some(span.slice(data)),
        };
        if let Some(value) = value.and_then(id_text) {
            return Some((rule.lane, value));
        }
    }
    None
}

/// The most rules a platform has (QQ: 7); rules past it are not read.
const MAX_RULES: usize = 8;

/// Records the span of every field some rule starts with; `Some` (stop: no later field can
/// win) once the first rule's top-level field holds an id.
fn record(
    data: &[u8],
    rules: &[KeyRule],
    found: &mut [Option<Span>; MAX_RULES],
    key: &[u8],
    span: Span,
) -> Option<Span> {
    // The usual case first: the first rule's own top-level field, holding an id.
    if let Some(rule) = rules.first() {
        if let [first] = rule.path {
            if key == first.as_bytes() && id_text(span.slice(data)).is_some() {
                return Some(span);
            }
        }
    }
    for (slot, rule) in found.iter_mut().zip(rules) {
        let Some(first) = rule.path.first() else {
            continue;
        };
        if first.len() == key.len() && slot.is_none() && key == first.as_bytes() {
            *slot = Some(span);
        }
    }
    None
}

/// The top-level fields of `data` when every key is plain ASCII without escapes: `visit` gets
/// each key's bytes and its value's span, and stops the scan by returning `Some`. `Some(stop)`
/// when the scan stopped or reached the end of a well-formed object; `None` for anything else
/// (an escaped or non-ASCII key, malformed input), which [`scan::object_fields`] then reads.
/// No error value is built on the way (a codec error is an allocation).
fn plain_fields<T>(
    data: &[u8],
    mut visit: impl FnMut(&[u8], Span) -> Option<T>,
) -> Option<Option<T>> {
    let ws = |mut i: usize| {
        while matches!(data.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    };
    // A plain ASCII string without escapes at `i` (its opening quote): the offset past its
    // closing quote. Anything else: `None`, and the caller reads it the general way.
    let plain_string = |i: usize| {
        let rest = data.get(i + 1..)?;
        let len = rest
            .iter()
            .position(|&c| !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\')?;
        (rest.get(len) == Some(&b'"')).then_some(i + 1 + len + 1)
    };
    let mut i = ws(0);
    if data.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    if data.get(i) == Some(&b'}') {
        return (ws(i + 1) == data.len()).then_some(None);
    }
    loop {
        if data.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = plain_string(i)?;
        let key = data.get(i + 1..key_end - 1)?;
        i = ws(key_end);
        if data.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(i + 1);
        let end = match data.get(start) {
            Some(b'"') => match plain_string(start) {
                Some(end) => end,
                None => scan::skip_value(data, start).ok()?,
            },
            _ => scan::skip_value(data, start).ok()?,
        };
        if let Some(stop) = visit(key, Span { start, end }) {
            return Some(Some(stop));
        }
        i = ws(end);
        match data.get(i) {
            Some(b',') => i = ws(i + 1),
            Some(b'}') => return (ws(i + 1) == data.len()).then_some(None),
            _ => return None,
        }
    }
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

    const RULES: &KeyRules = &KeyRules::new(&[
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
    ]);

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
