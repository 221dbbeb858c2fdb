//! The session's OneBot scan (`RawEvent::scan_frame_envelope`, decision 0038) against the full
//! one (`RawEvent::scan_frame`).
#![allow(clippy::unwrap_used)]

use botgate_codec::onebot::{fuzzing, IdField, RawEvent, Scanned};

const GROUP_MESSAGE: &str = r#"{"time":1712640000,"self_id":123,"post_type":"message","message_type":"group","sub_type":"normal","message_id":7,"group_id":9,"user_id":5,"message":[{"type":"text","data":{"text":"你好 [x]"}}],"raw_message":"你好 [x]","font":0,"sender":{"user_id":5,"nickname":"张三","role":"member"}}"#;

#[test]
fn the_envelope_scan_stops_after_a_group_message_header() {
    let Scanned::Event(e) = RawEvent::scan_frame_envelope(GROUP_MESSAGE).unwrap() else {
        panic!("an event")
    };
    assert!(!e.checked());
    assert_eq!(e.id_field(IdField::GroupId), Some(&b"9"[..]));
    let Scanned::Event(full) = RawEvent::scan_frame(GROUP_MESSAGE).unwrap() else {
        panic!("an event")
    };
    assert!(full.checked());
    assert_eq!(e.kind(), full.kind());
    assert_eq!(e.decode().unwrap(), full.decode().unwrap());
    // A private message has no `group_id`: the scan reads all of it.
    let private = GROUP_MESSAGE
        .replace(r#""group_id":9,"#, "")
        .replace("\"group\"", "\"private\"");
    let Scanned::Event(p) = RawEvent::scan_frame_envelope(private).unwrap() else {
        panic!("an event")
    };
    assert!(p.checked());
    // Broken after the header: the decode gives the full scan's error.
    let broken = GROUP_MESSAGE.replace(r#""font":0"#, r#""font":0 0"#);
    let Scanned::Event(b) = RawEvent::scan_frame_envelope(broken.clone()).unwrap() else {
        panic!("an event")
    };
    let full = RawEvent::scan_frame(broken).unwrap_err();
    assert_eq!(b.decode().unwrap_err().kind(), full.kind());
}

#[test]
fn every_byte_swap_and_cut_of_a_group_message_scans_alike_both_ways() {
    let base = GROUP_MESSAGE.as_bytes();
    let mut stopped = 0;
    for at in 0..base.len() {
        for byte in [
            b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b' ', b'0', b'x', b'.',
        ] {
            let mut bytes = base.to_vec();
            bytes[at] = byte;
            fuzzing::check_envelope_scan(&bytes);
            stopped += usize::from(matches!(
                RawEvent::scan_frame_envelope(bytes),
                Ok(Scanned::Event(e)) if !e.checked()
            ));
        }
        fuzzing::check_envelope_scan(&base[..at]);
    }
    assert!(stopped > 1000, "{stopped}");
}
