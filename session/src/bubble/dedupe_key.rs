//! The key Bubble events are deduplicated by (spec §3.5).

use std::ops::ControlFlow;

use botgate_codec::scan;

/// `(t, id)`: the event type and the event's own identity.
pub(crate) type DedupeKey = (Box<str>, Box<str>);

/// `(t, d.id)` when `d.id` is present; `(t, messageId|userId|emoji)` for reactions; else none
/// (the event passes undeduplicated). The scan stops at the first usable `id` (most payloads
/// start with it); the values of other keys are skipped, not converted.
pub(crate) fn dedupe_key(t: &str, data: Option<&[u8]>) -> Option<DedupeKey> {
    let data = data?;
    let (mut message_id, mut user_id, mut emoji): (Option<&[u8]>, _, _) = (None, None, None);
    let mut id = None;
    let scanned = scan::object_fields_until(data, |key, span| {
        let raw = span.slice(data);
        match key.as_bytes() {
            b"id" => {
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
    let text = |raw: &[u8]| String::from_utf8_lossy(raw).into_owned();
    let id = match (id, message_id) {
        (Some(id), _) => text(id),
        (None, Some(m)) => format!(
            "{}/{}/{}",
            text(m),
            text(user_id.unwrap_or_default()),
            text(emoji.unwrap_or_default())
        ),
        _ => return None,
    };
    Some((t.into(), id.into()))
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

    fn key(t: &str, d: &str) -> Option<(String, String)> {
        dedupe_key(t, Some(d.as_bytes())).map(|(a, b)| (a.into(), b.into()))
    }

    #[test]
    fn the_scan_stops_at_a_usable_id() {
        // what follows the id is not read (the decode reports a malformed payload)
        assert_eq!(
            key("M", r#"{"id":7,"content": oops"#),
            Some(("M".into(), "7".into()))
        );
        // an unusable id does not stop it
        assert_eq!(
            key("R", r#"{"id":null,"messageId":5,"userId":1,"emoji":"x"}"#),
            Some(("R".into(), "5/1/\"x\"".into()))
        );
        assert_eq!(key("M", r#"{"id":"","content": oops"#), None);
    }

    #[test]
    fn ids_in_any_form_and_reaction_fields_make_the_key() {
        assert_eq!(
            key("M", r#"{"id":1001,"x":1}"#),
            Some(("M".into(), "1001".into()))
        );
        assert_eq!(
            key("M", r#"{"id":"1001"}"#),
            Some(("M".into(), "1001".into()))
        );
        assert_eq!(
            key("R", r#"{"emoji":"x","messageId":7,"userId":8}"#),
            Some(("R".into(), "7/8/\"x\"".into()))
        );
        assert_eq!(key("S", r#"{"channelId":1}"#), None);
        assert_eq!(key("S", r#"{"id":null}"#), None);
        assert_eq!(key("S", "not json"), None);
        assert_eq!(dedupe_key("S", None), None);
    }
}
