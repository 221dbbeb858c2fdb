//! Invariant checks shared by the fuzz targets (`fuzz/`) and the seed-corpus tests
//! (`codec/tests/fuzz_seeds.rs`). Not part of the stable API.
//!
//! Each function takes arbitrary bytes, runs the codec on them and panics if an invariant is
//! broken. Errors are fine; inconsistencies are not.

use serde_json::Value;

use crate::scan::{self, Kind};
use crate::{Error, ErrorKind, Frame};

/// Scans `bytes` as a frame and checks that the result is consistent with itself, with a
/// second scan, and with serde_json's reading of the same bytes.
///
/// # Panics
/// If an invariant is broken (that is the point).
pub fn check_frame_scan(bytes: &[u8]) {
    let ours = Frame::scan(bytes.to_vec());
    let again = Frame::scan(bytes.to_vec());
    assert_eq!(
        ours.as_ref().map(envelope).map_err(Error::kind),
        again.as_ref().map(envelope).map_err(Error::kind),
        "scan is not deterministic"
    );
    // The compact fast path and the general scan agree on everything.
    let general = Frame::scan_general(bytes.to_vec().into());
    assert_eq!(
        ours.as_ref().map(envelope).map_err(Error::kind),
        general.as_ref().map(envelope).map_err(Error::kind),
        "the fast path and the general scan differ"
    );
    match &ours {
        Ok(frame) => check_frame(bytes, frame),
        Err(e) => check_error(bytes, e),
    }
    check_envelope_scan(bytes);
    // A lone surrogate escape reads as U+FFFD here and is refused by serde_json (decision
    // 0049): serde_json reads the bytes with them rewritten as that decision rewrites them.
    let clean = scan::replace_lone_surrogates(bytes);
    let subject = clean.as_deref().unwrap_or(bytes);
    let serde = serde_json::from_slice::<serde_json::Map<String, Value>>(subject);
    match (&ours, serde) {
        (Ok(frame), Ok(map)) => {
            assert_eq!(
                Some(u64::from(frame.op())),
                map.get("op").and_then(Value::as_u64)
            );
            assert_eq!(frame.seq(), map.get("s").and_then(Value::as_u64));
            assert_eq!(frame.event_type(), map.get("t").and_then(Value::as_str));
            assert_eq!(frame.id(), map.get("id").and_then(Value::as_str));
            match frame.data() {
                Some(d) => {
                    // `d` rewritten as `subject` was (its own lone surrogates).
                    let clean = scan::replace_lone_surrogates(d);
                    let d: Value = serde_json::from_slice(clean.as_deref().unwrap_or(d))
                        .unwrap_or(Value::Null);
                    assert_eq!(Some(&d), map.get("d"), "`d` differs from serde_json's");
                }
                None => assert!(!map.contains_key("d")),
            }
        }
        (Err(e), Ok(_)) => assert!(
            matches!(e.kind(), ErrorKind::Envelope { .. }),
            "serde_json accepts an object the scan rejects: {e}"
        ),
        (Ok(_), Err(_)) => {
            // Only nested values and the range of numbers outside the envelope are checked
            // lazily: with those replaced by `null`, serde_json must agree.
            let flat = lazy_parts_nulled(subject);
            assert!(
                serde_json::from_slice::<serde_json::Map<String, Value>>(&flat).is_ok(),
                "the scan accepts an envelope serde_json rejects"
            );
        }
        (Err(_), Err(_)) => {}
    }
}

/// Scans `bytes`; for a dispatch (op 0 with `t` and `d`) runs `decode(t, d)` and checks that
/// an event comes back with that type and serialises, or that the error is a payload error.
///
/// # Panics
/// If an invariant is broken.
pub fn check_decode<E: serde::Serialize>(
    bytes: &[u8],
    decode: impl Fn(&str, &[u8]) -> Result<E, Error>,
    event_type: impl Fn(&E) -> String,
) {
    check_first_pass(bytes);
    let Ok(frame) = Frame::scan(bytes.to_vec()) else {
        return;
    };
    let (Some(t), Some(d)) = (frame.event_type(), frame.data()) else {
        return;
    };
    check_first_pass(d);
    match decode(t, d) {
        Ok(event) => {
            assert_eq!(event_type(&event), t, "decoded event has another type");
            assert!(
                serde_json::to_vec(&event).is_ok(),
                "decoded event does not serialise"
            );
        }
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::Payload { .. }),
            "decode of `{t}` failed with a non-payload error: {e}"
        ),
    }
}

/// The typed decode's first pass reads UTF-8 text with proto's own JSON reader (decision
/// 0026): as a `Value` it must read what serde_json reads, to the same value, and nothing else,
/// but for a lone surrogate escape, which ours reads as U+FFFD and serde_json refuses
/// (decision 0049): serde_json reads the text with them rewritten to `\ufffd`. Ours refuses
/// a bare integer wider than 64 bits (decision 0062) and hands the text to serde_json, which
/// refuses a lone surrogate: with both in one text, ours reads the rewritten copy too, as the
/// codec's decodes do.
///
/// # Panics
/// If the two differ.
pub fn check_first_pass(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let clean = crate::scan::replace_lone_surrogates(bytes);
    let ours = botgate_proto::de::from_str::<Value>(text).ok().or_else(|| {
        let clean = std::str::from_utf8(clean.as_deref()?).ok()?;
        botgate_proto::de::from_str::<Value>(clean).ok()
    });
    let theirs = match clean.as_deref().map(std::str::from_utf8) {
        Some(Ok(clean)) => serde_json::from_str::<Value>(clean).ok(),
        _ => serde_json::from_str::<Value>(text).ok(),
    };
    assert_eq!(
        ours.as_ref().map(ToString::to_string),
        theirs.as_ref().map(ToString::to_string),
        "the first pass's reader and serde_json differ on {text:?}"
    );
}

type Envelope<'a> = (
    u8,
    Option<u64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a [u8]>,
);

/// Checks [`Frame::scan_envelope`] against [`Frame::scan`] on `bytes`: the same envelope, and
/// the same `d` unless `d` was left unchecked and is then not one JSON value; reading `d`
/// through [`Frame::read_data`] gives what it gives after the full scan.
///
/// # Panics
/// If an invariant is broken.
pub fn check_envelope_scan(bytes: &[u8]) {
    let full = Frame::scan(bytes.to_vec());
    let lazy = Frame::scan_envelope(bytes.to_vec());
    let one_value = |d: &[u8]| serde_json::from_slice::<serde::de::IgnoredAny>(d).is_ok();
    let read = |f: &Frame| {
        f.read_data(|d| {
            serde_json::from_slice::<Value>(d)
                .map_err(|e| Error::syntax(e.column(), "not one JSON value"))
        })
        .ok()
    };
    match (&full, &lazy) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                (a.op(), a.seq(), a.event_type(), a.id()),
                (b.op(), b.seq(), b.event_type(), b.id()),
                "the envelope scan reads another envelope"
            );
            if b.data_checked() || a.data() != b.data() {
                assert!(
                    b.data_checked() || !b.data().is_some_and(one_value),
                    "an unchecked `d` that differs is one JSON value"
                );
            }
            assert_eq!(read(a), read(b), "`d` reads differently");
        }
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
        (Err(_), Ok(b)) => {
            assert!(
                !b.data_checked(),
                "the envelope scan accepts a checked bad frame"
            );
            assert!(
                !b.data().is_some_and(one_value),
                "a bad frame's `d` is one value"
            );
            assert_eq!(read(b), None, "a bad frame's `d` reads");
        }
        (Ok(_), Err(e)) => panic!("the envelope scan refuses a frame the scan accepts: {e}"),
    }
}

fn envelope(frame: &Frame) -> Envelope<'_> {
    (
        frame.op(),
        frame.seq(),
        frame.event_type(),
        frame.id(),
        frame.data(),
    )
}

fn check_frame(bytes: &[u8], frame: &Frame) {
    assert_eq!(frame.bytes().as_ref(), bytes);
    // Only `d` and the other nested values may hold bytes that are not UTF-8 (their readers
    // check them); everything the envelope reads is text.
    assert!(
        std::str::from_utf8(&lazy_parts_nulled(bytes)).is_ok(),
        "accepted invalid UTF-8 outside a nested value"
    );
    if let Some(span) = frame.data_span() {
        assert!(
            span.start < span.end && span.end <= bytes.len(),
            "bad span {span:?}"
        );
        assert_eq!(frame.data(), Some(&bytes[span.range()]));
        assert!(
            Kind::of(bytes, span).is_some(),
            "`d` does not start a value"
        );
        assert_eq!(scan::skip_value(bytes, span.start).ok(), Some(span.end));
    }
    let shown = format!("{frame:?}");
    assert!(shown.starts_with("Frame"));
}

fn check_error(bytes: &[u8], error: &Error) {
    match error.kind() {
        ErrorKind::Syntax { offset, .. } => assert!(*offset <= bytes.len(), "offset past the end"),
        ErrorKind::InvalidUtf8 { offset } => {
            // The offset is where an invalid sequence starts (an earlier one may sit inside a
            // nested value, which the scan does not read).
            let rest = bytes.get(*offset..).unwrap_or_default();
            assert_eq!(
                std::str::from_utf8(rest).err().map(|e| e.valid_up_to()),
                Some(0),
                "no invalid UTF-8 at {offset}"
            );
        }
        ErrorKind::Envelope { .. } | ErrorKind::TooLarge { .. } => {}
        other => panic!("unexpected error kind from a scan: {other:?}"),
    }
    assert!(!error.to_string().is_empty());
}

/// `bytes` with every top-level object, array or number (but `op` and `s`) replaced by `null`.
fn lazy_parts_nulled(bytes: &[u8]) -> Vec<u8> {
    let mut spans = Vec::new();
    let scanned = scan::object_fields(bytes, |key, span| {
        let lazy = match Kind::of(bytes, span) {
            Some(Kind::Object | Kind::Array) => true,
            Some(Kind::Number) => key != "op" && key != "s",
            _ => false,
        };
        if lazy {
            spans.push(span);
        }
        Ok(())
    });
    assert!(
        scanned.is_ok(),
        "object_fields rejects what Frame::scan accepted"
    );
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for span in spans {
        out.extend_from_slice(bytes.get(at..span.start).unwrap_or_default());
        out.extend_from_slice(b"null");
        at = span.end;
    }
    out.extend_from_slice(bytes.get(at..).unwrap_or_default());
    out
}
