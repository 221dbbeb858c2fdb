//! Invariant checks shared by the OneBot fuzz targets (`fuzz/fuzz_targets/onebot_decode.rs`,
//! `cq_parse.rs`) and the seed-corpus test (`codec/tests/onebot_fuzz_seeds.rs`). Not part of
//! the stable API.
//!
//! Each function takes arbitrary bytes, runs the codec on them and panics if an invariant is
//! broken. Errors are fine; inconsistencies are not.

use super::{cq, decode_event, Event, IdField, Incoming, RawEvent, Scanned};
use crate::{Error, ErrorKind};
use botgate_proto::onebot::EventKind;

/// Classifies and decodes `bytes` as a OneBot frame and checks the results agree.
///
/// # Panics
/// If an invariant is broken (that is the point).
pub fn check_decode(bytes: &[u8]) {
    let incoming = Incoming::classify(bytes.to_vec());
    let again = Incoming::classify(bytes.to_vec());
    assert_eq!(
        incoming.as_ref().map_err(Error::kind),
        again.as_ref().map_err(Error::kind),
        "classify is not deterministic"
    );
    let direct = decode_event(bytes);
    match &incoming {
        Ok(Incoming::Event(raw)) => {
            let decoded = raw.decode();
            assert_eq!(
                decoded.as_ref().map_err(Error::kind),
                direct.as_ref().map_err(Error::kind),
                "RawEvent::decode and decode_event disagree"
            );
            if let Ok(event) = &decoded {
                assert_eq!(raw.kind(), &event.kind());
                check_event(event, repeats_a_key(bytes));
            }
        }
        Ok(Incoming::Response(resp)) => {
            assert!(direct.is_err(), "a response decoded as an event");
            let text = resp.encode();
            let back = super::ActionResponse::decode(text.as_bytes());
            assert!(back.is_ok(), "an encoded response does not decode: {text}");
        }
        Err(_) => {}
    }
    check_envelope_scan(bytes);
}

/// Checks [`RawEvent::scan_frame_envelope`] against [`RawEvent::scan_frame`]: the same event
/// (kind, ids, time) unless the frame repeats a top-level key, and the same decode; a frame
/// only the full scan refuses is an unchecked event whose decode fails as that scan does, or
/// one whose refusal was a type field after the header (which the early stop does not read).
///
/// # Panics
/// If an invariant is broken.
pub fn check_envelope_scan(bytes: &[u8]) {
    let full = RawEvent::scan_frame(bytes.to_vec());
    let lazy = RawEvent::scan_frame_envelope(bytes.to_vec());
    let decoded = |e: &RawEvent| e.decode().map(|ev| ev.kind()).map_err(|e| e.kind().clone());
    match (&full, &lazy) {
        (Ok(Scanned::Event(a)), Ok(Scanned::Event(b))) => {
            let ids = |e: &RawEvent| {
                [
                    IdField::SelfId,
                    IdField::MessageId,
                    IdField::GroupId,
                    IdField::UserId,
                ]
                .map(|f| e.id_field(f).map(<[u8]>::to_vec))
            };
            let head = |e: &RawEvent| (e.kind().clone(), e.self_id(), e.time(), ids(e));
            if head(a) != head(b) {
                assert!(
                    !b.checked() && repeats_a_key(bytes),
                    "the early stop reads another event from a frame without a repeated key"
                );
            } else {
                assert_eq!(decoded(a), decoded(b), "the decodes differ");
            }
        }
        (Ok(Scanned::NotEvent(a)), Ok(Scanned::NotEvent(b))) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind()),
        (Err(e), Ok(Scanned::Event(b))) => {
            assert!(
                !b.checked(),
                "a checked scan accepts what the full scan refuses"
            );
            if let Ok(kind) = b.decode().map(|ev| ev.kind()) {
                // The full scan checks every byte's UTF-8; the decode only the values it reads
                // (a key it does not know is skipped, as serde skips it): a frame whose only
                // flaw is bad UTF-8 there decodes. A WebSocket text frame never has one (the
                // transport checks it).
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::Envelope { .. } | ErrorKind::InvalidUtf8 { .. }
                    ),
                    "decoded as {kind} a frame the full scan refuses: {e}"
                );
            }
        }
        _ => panic!("the scans disagree: {full:?} vs {lazy:?}"),
    }
}

/// Whether the top-level object of `bytes` has a key twice (as written).
fn repeats_a_key(bytes: &[u8]) -> bool {
    let mut keys = std::collections::HashSet::new();
    let mut repeated = false;
    let _ = crate::scan::object_fields(bytes, |key, _| {
        repeated |= !keys.insert(key.as_bytes().to_vec());
        Ok(())
    });
    repeated
}

/// A decoded event serialises, and what it serialises to decodes to the same kind. The kind
/// of a frame that repeats a type key is its first occurrence's (decision 0049); an event of
/// an unknown kind keeps the raw object, where, as in any JSON object read, the last
/// occurrence stands: with a repeated key (`repeated`) its kind may change through the round
/// trip, and the known kind it becomes may refuse a field the unknown one kept as sent (a
/// OneBot field of the wrong shape is an error, decision 0014).
fn check_event(event: &Event, repeated: bool) {
    let json = match serde_json::to_string(event) {
        Ok(j) => j,
        Err(e) => panic!("an event does not serialise: {e}"),
    };
    match decode_event(json.as_bytes()) {
        _ if repeated && matches!(event.kind(), EventKind::Unknown(_)) => {}
        Ok(back) => assert_eq!(back.kind(), event.kind(), "kind changed through {json}"),
        Err(e) => panic!("a serialised event does not decode: {e}: {json}"),
    }
    if let Some(message) = event.message() {
        let s = cq::render(message);
        check_cq_str(&s);
    }
}

/// Parses `bytes` (if UTF-8) as a CQ string, strictly and leniently, and checks that they agree
/// and that rendering what was parsed parses back to the same segments.
///
/// # Panics
/// If an invariant is broken.
pub fn check_cq(bytes: &[u8]) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        check_cq_str(s);
    }
}

fn check_cq_str(s: &str) {
    let lenient = cq::parse_lenient(s);
    let shared = cq::parse_lenient_text(&botgate_proto::Text::from(s));
    assert_eq!(
        shared, lenient,
        "a Text and a &str parse differently: {s:?}"
    );
    match cq::parse(s) {
        Ok(strict) => {
            assert_eq!(
                strict, lenient,
                "strict and lenient parses differ for {s:?}"
            );
            let rendered = cq::render(&strict);
            match cq::parse(&rendered) {
                Ok(back) => {
                    assert_eq!(
                        back, strict,
                        "parse(render(x)) != x for {s:?} -> {rendered:?}"
                    );
                    assert_eq!(cq::render(&back), rendered, "render is not canonical");
                }
                Err(e) => panic!("a rendered message does not parse: {e}: {rendered:?}"),
            }
        }
        Err(e) => assert!(
            matches!(e.kind(), crate::ErrorKind::CqCode { offset, .. } if *offset <= s.len()),
            "bad error for {s:?}: {e}"
        ),
    }
}
