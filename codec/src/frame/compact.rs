//! The fast path of [`Frame::scan`](super::Frame::scan): a compact frame (no whitespace, only
//! the keys `op`, `s`, `t`, `id`, `d`, each once, `t` / `id` without escapes, `op` / `s` plain
//! integers, `d` an object or array) read in one tight pass.
//!
//! Anything else — including every error — returns `None`, and the general scan reads the frame
//! again from the start and says what is wrong, so both paths accept exactly the same frames
//! with exactly the same result.

use super::{plain_uint, Text};
use crate::scan::{self, Span};

/// What the fast path found.
pub(super) struct Compact {
    pub(super) op: u8,
    pub(super) seq: Option<u64>,
    pub(super) event_type: Option<Text>,
    pub(super) id: Option<Text>,
    pub(super) data: Option<Span>,
    /// `false`: `data` runs to the closing brace, unchecked (see [`read`]).
    pub(super) data_checked: bool,
}

/// Reads the envelope of a compact frame, or `None` (see the module docs).
///
/// `trust_last_d`: when `op`, `s`, `t` and `id` have all been read and `d` (an object or an
/// array) comes next, take `d` to run to the frame's closing brace without stepping over it
/// ([`Frame::scan_envelope`](super::Frame::scan_envelope)); `Compact::data_checked` says so.
#[inline]
pub(super) fn read(b: &[u8], trust_last_d: bool) -> Option<Compact> {
    let mut op = None;
    let mut seq = None;
    let mut event_type = None;
    let mut id = None;
    let mut data = None;
    let mut data_checked = true;
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut i = 1;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key = b.get(i + 1..i + 5)?;
        let (name, start) = match key {
            [b'd', b'"', b':', _] => (b'd', i + 4),
            [b's', b'"', b':', _] => (b's', i + 4),
            [b't', b'"', b':', _] => (b't', i + 4),
            [b'o', b'p', b'"', b':'] => (b'o', i + 5),
            [b'i', b'd', b'"', b':'] => (b'i', i + 5),
            _ => return None,
        };
        let end = match (name, b.get(start)?) {
            (b'd', open @ (b'{' | b'[')) if data.is_none() => {
                // The envelope is complete: `d` is the last key of a valid frame, and whoever
                // reads it checks it (a reader refuses anything after the value).
                if trust_last_d && op.is_some() && seq.is_some() && id.is_some() {
                    if let (Some(_), [.., close, b'}']) = (&event_type, b) {
                        if *close == open + 2 {
                            data = Some(Span {
                                start,
                                end: b.len() - 1,
                            });
                            data_checked = false;
                            break;
                        }
                    }
                }
                let end = scan::skip_value(b, start).ok()?;
                data = Some(Span { start, end });
                end
            }
            (b't' | b'i', b'"') => {
                let (close, escaped) = scan::strict_string(b, start + 1).ok()?;
                if escaped {
                    return None;
                }
                let span = Span {
                    start: start + 1,
                    end: close,
                };
                if name == b't' && event_type.is_none() {
                    event_type = Some(Text::event_type(b, span));
                } else if name == b'i' && id.is_none() {
                    id = Some(Text::span(span));
                } else {
                    return None;
                }
                close + 1
            }
            (b'o', _) if op.is_none() => {
                let (n, end) = plain_uint(b, start)?;
                op = Some(u8::try_from(n).ok()?);
                end
            }
            (b's', _) if seq.is_none() => {
                let (n, end) = plain_uint(b, start)?;
                seq = Some(n);
                end
            }
            _ => return None,
        };
        match b.get(end) {
            Some(b',') => i = end + 1,
            Some(b'}') if end + 1 == b.len() => break,
            _ => return None,
        }
    }
    Some(Compact {
        op: op?,
        seq,
        event_type,
        id,
        data,
        data_checked,
    })
}

#[cfg(test)]
mod tests {
    use crate::Frame;

    /// The fast path must give exactly what the general scan gives, or leave the frame to it.
    fn same(input: &str) -> bool {
        let fast = super::read(input.as_bytes(), false).is_some();
        let general = Frame::scan_general(input.to_owned().into());
        let scanned = Frame::scan(input.to_owned());
        let show = |f: &Result<Frame, crate::Error>| match f {
            Ok(f) => format!(
                "{:?} {:?} {:?} {:?} {:?}",
                f.op(),
                f.seq(),
                f.event_type(),
                f.id(),
                f.data_span()
            ),
            Err(e) => format!("{:?}", e.kind()),
        };
        assert_eq!(show(&scanned), show(&general), "{input}");
        fast
    }

    #[test]
    fn compact_frames_take_the_fast_path_with_the_general_result() {
        for input in [
            r#"{"op":0,"s":42,"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:1","d":{"a":[1]}}"#,
            r#"{"d":{"x":"}"},"id":"X:1","op":0,"s":1,"t":"SOME_FUTURE_EVENT"}"#,
            r#"{"op":11}"#,
            r#"{"op":10,"d":{"heartbeat_interval":41250}}"#,
            r#"{"op":0,"s":18446744073709551615,"t":"READY","d":[]}"#,
            r#"{"op":0,"s":9999999999999999999}"#,
            r#"{"op":0,"s":10000000000000000000}"#,
            r#"{"op":255,"t":"中文","id":"😀"}"#,
        ] {
            assert!(same(input), "{input}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_general_scan() {
        for input in [
            r#" {"op":0}"#,
            r#"{"op":0} "#,
            r#"{"op": 0}"#,
            r#"{ "op":0}"#,
            r#"{"op":0,"x":1}"#,
            r#"{"op":0,"op":1}"#,
            r#"{"op":0,"s":1,"s":2}"#,
            r#"{"op":0,"t":"A","t":"B"}"#,
            r#"{"op":0,"id":"A","id":"B"}"#,
            r#"{"op":0,"d":{},"d":{}}"#,
            r#"{"op":0,"t":"A\u0042"}"#,
            r#"{"op":0,"t":null}"#,
            r#"{"op":0,"s":null}"#,
            r#"{"op":0,"s":18446744073709551616}"#,
            r#"{"op":0,"s":99999999999999999999}"#,
            r#"{"op":0,"s":184467440737095516150}"#,
            r#"{"op":0,"d":null}"#,
            r#"{"op":0,"d":"text"}"#,
            r#"{"op":256}"#,
            r#"{"op":01}"#,
            r#"{"op":1.5}"#,
            r#"{"op":-1}"#,
            r#"{"op":"0"}"#,
            r#"{"s":1}"#,
            r#"{}"#,
            r#"{"op":0,"d":{"a":[}}"#,
            r#"{"op":0,"d":{"a":"}"#,
            r#"{"op":0,"t":"x"#,
            r#"{"op":0,"#,
            r#"{"op":0}x"#,
            r#"{"\u006fp":0}"#,
        ] {
            assert!(!same(input), "{input}");
        }
        assert!(!same("{\"op\":0,\"t\":\"\u{1}\"}"));
    }

    #[test]
    fn mutated_frames_agree_on_both_paths() {
        let base = r#"{"op":0,"s":7,"t":"MESSAGE_CREATE","id":"MESSAGE_CREATE:9","d":{"content":"中 \"x\" [","n":[1,{"b":null}]}}"#;
        let (mut fast, mut lazy) = (0, 0);
        let replacements = [
            b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b' ', b'0', b'x', 0xff,
        ];
        for at in 0..base.len() {
            for &byte in &replacements {
                let mut bytes = base.as_bytes().to_vec();
                bytes[at] = byte;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let general = Frame::scan_general(bytes.clone().into());
                let scanned = Frame::scan(bytes.clone());
                match (&scanned, &general) {
                    (Ok(a), Ok(b)) => assert_eq!(
                        (a.op(), a.seq(), a.event_type(), a.id(), a.data_span()),
                        (b.op(), b.seq(), b.event_type(), b.id(), b.data_span()),
                        "{text}"
                    ),
                    (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{text}"),
                    _ => panic!("paths disagree on {text}: {scanned:?} vs {general:?}"),
                }
                fast += usize::from(super::read(&bytes, false).is_some());
                crate::fuzzing::check_envelope_scan(&bytes);
                lazy += usize::from(super::read(&bytes, true).is_some_and(|c| !c.data_checked));
            }
            // Truncated at every length.
            let cut = &base.as_bytes()[..at];
            assert!(super::read(cut, false).is_none());
            assert!(Frame::scan(cut.to_vec()).is_err());
            crate::fuzzing::check_envelope_scan(cut);
        }
        // The fast path did take part (a byte swapped inside `d`'s strings keeps it compact),
        // and so did the unchecked `d` (a byte swapped anywhere in `d`).
        assert!(fast > 100, "{fast}");
        assert!(lazy > 500, "{lazy}");
    }
}
