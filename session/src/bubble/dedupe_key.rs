//! The key Bubble events are deduplicated by (spec §3.5).

use botgate_codec::scan;

/// `(t, id)`: the event type and the event's own identity.
pub(crate) type DedupeKey = (Box<str>, Box<str>);

/// `(t, d.id)` when `d.id` is present; `(t, messageId|userId|emoji)` for reactions; else none
/// (the event passes undeduplicated).
pub(crate) fn dedupe_key(t: &str, data: Option<&[u8]>) -> Option<DedupeKey> {
    let data = data?;
    let mut id = None;
    let mut message_id = None;
    let mut user_id = None;
    let mut emoji = None;
    let scanned = scan::object_fields(data, |key, span| {
        let raw = std::str::from_utf8(span.slice(data)).unwrap_or_default();
        match key.as_str() {
            "id" => id = Some(raw.trim_matches('"').to_owned()),
            "messageId" => message_id = Some(raw.to_owned()),
            "userId" => user_id = Some(raw.to_owned()),
            "emoji" => emoji = Some(raw.to_owned()),
            _ => {}
        }
        Ok(())
    });
    if scanned.is_err() {
        return None;
    }
    let id = match (id, message_id) {
        (Some(id), _) if !id.is_empty() && id != "null" => id,
        (_, Some(m)) => format!(
            "{m}/{}/{}",
            user_id.unwrap_or_default(),
            emoji.unwrap_or_default()
        ),
        _ => return None,
    };
    Some((t.into(), id.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str, d: &str) -> Option<(String, String)> {
        dedupe_key(t, Some(d.as_bytes())).map(|(a, b)| (a.into(), b.into()))
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
