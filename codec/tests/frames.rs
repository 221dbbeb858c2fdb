//! Every sample frame of `testdata/` scans to the envelope it carries, with `d` kept byte for
//! byte.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::Frame;
use serde_json::Value;

const QQ_FRAMES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/qq/frames.jsonl"
));
const QQ_ORDER: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/qq/order.jsonl"
));
const BUBBLE_FRAMES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/bubble/frames.jsonl"
));

/// `(op, s, t, id, has d)` expected for one line.
type Expected = (
    u8,
    Option<u64>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

fn lines(file: &str) -> Vec<&str> {
    file.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// Scans every line and compares it with `expected`, and `d` with serde_json's view of it.
fn check_file(file: &str, expected: &[Expected]) {
    let lines = lines(file);
    assert_eq!(
        lines.len(),
        expected.len(),
        "line count of the sample file changed"
    );
    for (n, (line, want)) in lines.iter().zip(expected).enumerate() {
        let frame =
            Frame::scan(line.as_bytes().to_vec()).unwrap_or_else(|e| panic!("line {n}: {e}"));
        let got = (
            frame.op(),
            frame.seq(),
            frame.event_type(),
            frame.id(),
            frame.data().is_some(),
        );
        assert_eq!(got, *want, "line {n}: {line}");
        let whole: Value = serde_json::from_str(line).unwrap();
        match frame.data() {
            Some(d) => {
                let span = frame.data_span().unwrap();
                assert_eq!(d, &line.as_bytes()[span.range()], "line {n}");
                assert!(!d.first().unwrap().is_ascii_whitespace(), "line {n}");
                assert!(!d.last().unwrap().is_ascii_whitespace(), "line {n}");
                let d_value: Value = serde_json::from_slice(d)
                    .unwrap_or_else(|e| panic!("line {n}: d is not one JSON value: {e}"));
                assert_eq!(d_value, whole["d"], "line {n}");
            }
            None => assert!(whole.get("d").is_none(), "line {n}"),
        }
        assert_eq!(frame.bytes().as_ref(), line.as_bytes(), "line {n}");
    }
}

#[test]
fn qq_sample_frames_scan_to_their_envelopes() {
    let ev = |s, t, id| (0, Some(s), Some(t), Some(id), true);
    check_file(
        QQ_FRAMES,
        &[
            (10, None, None, None, true),
            (0, Some(1), Some("READY"), None, true),
            (11, None, None, None, false),
            ev(
                2,
                "AT_MESSAGE_CREATE",
                "AT_MESSAGE_CREATE:e4c5a2b0-1b1c-4a8e-9a9e-0f5b1c8e4f3a",
            ),
            ev(3, "MESSAGE_CREATE", "MESSAGE_CREATE:1a2b"),
            ev(4, "DIRECT_MESSAGE_CREATE", "DIRECT_MESSAGE_CREATE:9"),
            ev(5, "GROUP_AT_MESSAGE_CREATE", "GROUP_AT_MESSAGE_CREATE:abc"),
            ev(6, "C2C_MESSAGE_CREATE", "C2C_MESSAGE_CREATE:def"),
            ev(7, "GUILD_MEMBER_ADD", "GUILD_MEMBER_ADD:7"),
            ev(8, "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_ADD:8"),
            ev(9, "PUBLIC_MESSAGE_DELETE", "PUBLIC_MESSAGE_DELETE:9"),
            ev(10, "MESSAGE_AUDIT_PASS", "MESSAGE_AUDIT_PASS:10"),
            ev(11, "FORUM_THREAD_CREATE", "FORUM_THREAD_CREATE:11"),
            ev(12, "AUDIO_START", "AUDIO_START:12"),
            ev(13, "INTERACTION_CREATE", "INTERACTION_CREATE:13"),
            ev(14, "GROUP_ADD_ROBOT", "GROUP_ADD_ROBOT:14"),
            ev(15, "SOME_FUTURE_EVENT", "SOME_FUTURE_EVENT:15"),
            (7, None, None, None, false),
            (9, None, None, None, true),
            (0, Some(16), Some("RESUMED"), None, true),
        ],
    );
}

#[test]
fn qq_key_order_and_nested_keys_do_not_confuse_the_scan() {
    check_file(
        QQ_ORDER,
        &[
            (
                0,
                Some(17),
                Some("MESSAGE_CREATE"),
                Some("MESSAGE_CREATE:x"),
                true,
            ),
            (0, Some(18), Some("GUILD_UPDATE"), None, true),
        ],
    );
    let first = Frame::scan(lines(QQ_ORDER)[0].to_owned()).unwrap();
    assert_eq!(
        first.data(),
        Some(&br#"{"t":"FAKE","s":999,"op":5,"content":"\"t\":\"X\""}"#[..])
    );
}

#[test]
fn bubble_sample_frames_scan_to_their_envelopes() {
    let ev = |t| (0, None, Some(t), None, true);
    check_file(
        BUBBLE_FRAMES,
        &[
            (10, None, None, None, true),
            ev("BOT_READY"),
            ev("BOT_READY"),
            ev("EVENTS_SUBSCRIBED"),
            ev("MESSAGE_CREATE"),
            ev("MESSAGE_CREATE"),
            ev("MESSAGE_UPDATE"),
            ev("MESSAGE_DELETE"),
            ev("DM_MESSAGE_CREATE"),
            ev("GUILD_MEMBER_ADD"),
            ev("GUILD_MEMBER_UPDATE"),
            ev("GUILD_ROLE_CREATE"),
            ev("GUILD_ROLE_DELETE"),
            ev("CHANNEL_CREATE"),
            ev("GUILD_CREATE"),
            ev("ERROR"),
            (11, None, None, None, false),
        ],
    );
}

#[test]
fn hello_samples_give_their_intervals() {
    let qq = Frame::scan(lines(QQ_FRAMES)[0].to_owned()).unwrap();
    assert_eq!(
        botgate_codec::qq::hello(&qq).unwrap().heartbeat_interval,
        45_000
    );
    let bubble = Frame::scan(lines(BUBBLE_FRAMES)[0].to_owned()).unwrap();
    assert_eq!(
        botgate_codec::bubble::hello(&bubble)
            .unwrap()
            .heartbeat_interval,
        30_000
    );
}

#[test]
fn sample_frames_with_padding_whitespace_scan_the_same() {
    for line in lines(QQ_FRAMES).into_iter().chain(lines(BUBBLE_FRAMES)) {
        let plain = Frame::scan(line.to_owned()).unwrap();
        let padded = Frame::scan(format!("\r\n\t {line} \n")).unwrap();
        assert_eq!(
            (
                plain.op(),
                plain.seq(),
                plain.event_type(),
                plain.id(),
                plain.data()
            ),
            (
                padded.op(),
                padded.seq(),
                padded.event_type(),
                padded.id(),
                padded.data()
            )
        );
    }
}
