//! Small JSON writing helpers for the command encoders (infallible, no serde round trip).

/// Appends `s` to `out` as a JSON string literal, quotes included.
///
/// Escapes `"`, `\` and the control characters; everything else (non-ASCII included) is copied
/// as is, which is valid JSON because `out` is UTF-8.
pub(crate) fn push_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(plain..i).unwrap_or_default());
        if esc.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(esc);
        }
        plain = i + 1;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    out.push('"');
}

/// Appends `seq` or `null`.
pub(crate) fn push_opt_u64(out: &mut String, seq: Option<u64>) {
    match seq {
        Some(seq) => out.push_str(&seq.to_string()),
        None => out.push_str("null"),
    }
}

/// `{"op":<op>,"d":<seq|null>}`: the heartbeat both gateways use.
pub(crate) fn heartbeat(op: u8, seq: Option<u64>) -> String {
    let mut out = format!("{{\"op\":{op},\"d\":");
    push_opt_u64(&mut out, seq);
    out.push('}');
    out
}

/// `{"op":<op>,"d":{"events":[...]}}`.
pub(crate) fn events_command<S: AsRef<str>>(op: u8, events: &[S]) -> String {
    let mut out = format!("{{\"op\":{op},\"d\":{{\"events\":[");
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(&mut out, event.as_ref());
    }
    out.push_str("]}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_serde_json() {
        for s in [
            "",
            "plain",
            "q\"b\\s/",
            "\n\r\t\u{8}\u{c}\u{1}\u{1f}",
            "中文 😀",
            "\u{7f}\u{2028}",
        ] {
            let mut out = String::new();
            push_str(&mut out, s);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s, "{out}");
        }
    }

    #[test]
    fn control_characters_use_short_or_unicode_escapes() {
        let mut out = String::new();
        push_str(&mut out, "a\u{1}\n");
        assert_eq!(out, r#""a\u0001\n""#);
    }
}
