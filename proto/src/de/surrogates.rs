//! Lone UTF-16 surrogates in `\u` escapes (`"\ud83d"` without its low half): JSON's grammar
//! allows them, no UTF-8 string can hold them, and serde_json refuses them. Producers send
//! them: JavaScript's `JSON.stringify` (NapCat, LLOneBot, AlemonJS) writes one for an emoji cut
//! in half. Go's `encoding/json` reads one as U+FFFD and Python keeps it; botgate reads it as
//! U+FFFD, so the event is kept (decision 0049).

/// `bytes` with every lone surrogate escape rewritten as `\ufffd` (same length, so every
/// offset stays), or `None` when there is none. Escapes are read only inside strings.
pub fn replace_lone_surrogates(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'"') => in_string = !in_string,
            Some(b'\\') if in_string => {
                if bytes.get(i + 1) == Some(&b'u') {
                    let unit = hex4(bytes, i + 2);
                    let pair = matches!(unit, Some(0xD800..=0xDBFF))
                        && bytes.get(i + 6..i + 8) == Some(&b"\\u"[..])
                        && matches!(hex4(bytes, i + 8), Some(0xDC00..=0xDFFF));
                    if pair {
                        i += 12;
                        continue;
                    }
                    if matches!(unit, Some(0xD800..=0xDFFF)) {
                        let copy = out.get_or_insert_with(|| bytes.to_vec());
                        if let Some(digits) = copy.get_mut(i + 2..i + 6) {
                            digits.copy_from_slice(b"fffd");
                        }
                    }
                    i += 6;
                    continue;
                }
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The value of the four hex digits at `i`.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let digits = b.get(i..i + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + char::from(d).to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::replace_lone_surrogates as fix;

    #[test]
    fn lone_halves_become_the_replacement_char_and_pairs_stay() {
        assert_eq!(fix(br#"{"a":"\ud83d\ude00 ok"}"#), None, "a pair");
        assert_eq!(
            fix(br#"{"a":"plain \\ud83d"}"#),
            None,
            "an escaped backslash"
        );
        assert_eq!(
            fix(br#"{"a":"x\ud83d y","b":"\uDE00","c":"\ud83d\u0041"}"#).as_deref(),
            Some(&br#"{"a":"x\ufffd y","b":"\ufffd","c":"\ufffd\u0041"}"#[..])
        );
        assert_eq!(
            fix(br#"{"a":"\ud83d"#).as_deref(),
            Some(&br#"{"a":"\ufffd"#[..])
        );
        assert_eq!(
            fix(br#"["\ud8"]"#),
            None,
            "not an escape: left for the parser"
        );
        let fixed = fix(br#"{"\ud83d":1}"#).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&fixed).unwrap()["\u{fffd}"],
            1
        );
    }
}
