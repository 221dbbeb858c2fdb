//! Bare integers wider than 64 bits, read as strings by the serde passes. serde_json reads an
//! integer literal that fits no `u64` / `i64` as an `f64`, so an id sent bare with 20 or more
//! digits would come out rounded (`98765432109876543210987` → `98765432109876550000000`).
//! Before those passes a copy of the input quotes each such literal: a string field keeps
//! every digit; a number field reads the digits as it reads a numeric string (an integer
//! field cannot hold them: absent). Only a decode that left the direct pass and holds such a
//! literal pays for the copy.

/// A copy of the JSON `text` with each bare integer literal outside `u64` / `i64` written as
/// a string, or `None` when it has none. Malformed input is copied as it is (the passes report
/// it).
pub(crate) fn quote_wide_integers(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    // Bytes of `text` before `copied` are in `out` already.
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i);
                let literal = text.get(i..end).unwrap_or_default();
                // Only a value: not a (malformed) key, which the passes must still refuse.
                if is_wide_integer(literal) && is_value(bytes, i, end) {
                    let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 8));
                    buf.push_str(text.get(copied..i).unwrap_or_default());
                    buf.push('"');
                    buf.push_str(literal);
                    buf.push('"');
                    copied = end;
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    let mut out = out?;
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

/// Where the number token starting at `start` ends: sign, digits, fraction, exponent.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(b) = bytes.get(i) {
        match b {
            b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' => i += 1,
            _ => break,
        }
    }
    i
}

/// Whether the token at `start..end` stands where a value does: after `:`, `[`, `,` or at
/// the start, and not before a `:`.
fn is_value(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = bytes
        .get(..start)
        .and_then(|b| b.iter().rev().find(|b| !b.is_ascii_whitespace()));
    let after = bytes
        .get(end..)
        .and_then(|b| b.iter().find(|b| !b.is_ascii_whitespace()));
    matches!(before, None | Some(b':' | b'[' | b',')) && after != Some(&b':')
}

/// Whether `literal` is an integer (no fraction, no exponent) that fits neither `u64` nor
/// `i64`.
fn is_wide_integer(literal: &str) -> bool {
    let digits = literal.strip_prefix('-').unwrap_or(literal);
    // A leading zero is not JSON: left for the passes to refuse.
    if digits.len() < 19 || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if literal.starts_with('-') {
        literal.parse::<i64>().is_err()
    } else {
        literal.parse::<u64>().is_err()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wide_integers_are_quoted_and_nothing_else_moves() {
        let text = r#"{"a":98765432109876543210987,"b":[1,-99999999999999999999,2.5e30],"c":"12345678901234567890123","d":18446744073709551615,"e":-9223372036854775808,"f":18446744073709551616}"#;
        assert_eq!(
            quote_wide_integers(text).unwrap(),
            r#"{"a":"98765432109876543210987","b":[1,"-99999999999999999999",2.5e30],"c":"12345678901234567890123","d":18446744073709551615,"e":-9223372036854775808,"f":"18446744073709551616"}"#
        );
    }

    #[test]
    fn input_without_wide_integers_is_not_copied() {
        assert_eq!(
            quote_wide_integers(r#"{"a":1,"b":"99999999999999999999999"}"#),
            None
        );
        assert_eq!(
            quote_wide_integers(r#"{"a":"\"99999999999999999999999"}"#),
            None
        );
        assert_eq!(quote_wide_integers("12345678901234567890.5"), None);
        // Malformed input stays malformed: a wide number as a key, a leading zero.
        assert_eq!(
            quote_wide_integers(r#"{"id":"m1",12345678901234567890123:1}"#),
            None
        );
        assert_eq!(quote_wide_integers(r#"{"a":0123456789012345678901}"#), None);
        assert_eq!(
            quote_wide_integers(r#"{12345678901234567890123 : 1}"#),
            None
        );
        // Malformed input: no panic, copied as it is where nothing is wide.
        assert_eq!(quote_wide_integers(r#"{"a":"\"#), None);
        assert_eq!(quote_wide_integers("--"), None);
    }
}
