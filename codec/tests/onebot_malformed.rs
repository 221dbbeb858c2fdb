//! Malformed OneBot input gives typed errors, never panics: bad CQ codes, unterminated brackets,
//! fields of the wrong type, deep nesting in a 1 MB frame.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::onebot::{cq, decode_event, ActionResponse, Event, Incoming, Message};
use botgate_codec::ErrorKind;

const GROUP_HEAD: &str = r#"{"time":1,"self_id":2,"post_type":"message","message_type":"group","sub_type":"normal","message_id":3,"group_id":4,"user_id":5"#;

fn group_with(extra: &str) -> String {
    format!("{GROUP_HEAD},{extra}}}")
}

fn payload_path(bytes: &[u8]) -> String {
    match decode_event(bytes).unwrap_err().kind() {
        ErrorKind::Payload { event, path, .. } => {
            assert_eq!(event, "message.group");
            path.clone()
        }
        other => panic!("expected a payload error, got {other:?}"),
    }
}

#[test]
fn bad_cq_codes_are_errors_with_offsets() {
    let cases: &[(&str, usize)] = &[
        ("[CQ:", 0),
        ("hi [CQ:face,id=1", 3),
        ("[CQ:face,id=1]]", 14),
        ("text ] more", 5),
        ("a [b", 2),
        ("[CQ:,id=1]", 4),
        ("[CQ:face,id]", 9),
        ("[CQ:face,=1]", 9),
        ("[CQ:face,id=1,id=2]", 14),
        ("[CQ:image,file=[x]]", 15),
        ("[CQ:location,lat=north,lon=1]", 0),
        ("[CQ:node,content=&#91;CQ:face]", 17),
    ];
    for (s, offset) in cases {
        let e = cq::parse(s).unwrap_err();
        match e.kind() {
            ErrorKind::CqCode { offset: at, reason } => {
                assert_eq!(at, offset, "{s}: {reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("{s}: {other:?}"),
        }
        // The lenient parser keeps everything; the text it yields contains no lost bytes.
        let lenient = cq::parse_lenient(s);
        assert!(!lenient.is_empty(), "{s}");
    }
}

#[test]
fn a_malformed_cq_string_in_an_event_is_kept_as_text() {
    let e = decode_event(group_with(r#""message":"50% off [today] & [CQ:face,id=1""#).as_bytes())
        .unwrap();
    let Event::MessageGroup(m) = e else { panic!() };
    assert_eq!(m.message.plain_text(), "50% off [today] & [CQ:face,id=1");
}

#[test]
fn fields_of_the_wrong_type_name_their_path() {
    assert_eq!(
        payload_path(
            group_with(r#""message":[]"#)
                .replace(r#""group_id":4"#, r#""group_id":{}"#)
                .as_bytes()
        ),
        "group_id"
    );
    assert_eq!(
        payload_path(
            group_with(r#""message":[]"#)
                .replace(r#""user_id":5"#, r#""user_id":"abc""#)
                .as_bytes()
        ),
        "user_id"
    );
    // A number as the message is its text (decision 0071; it was a payload error).
    let Event::MessageGroup(m) = decode_event(group_with(r#""message":12"#).as_bytes()).unwrap()
    else {
        panic!("not a group message")
    };
    assert_eq!(m.message.to_cq(), "12");
    // A segment without a `type` is kept (decision 0014); one whose `type` is an object is not.
    assert_eq!(
        payload_path(group_with(r#""message":[{"type":{},"data":{}}]"#).as_bytes()),
        "message[0].type"
    );
    assert_eq!(
        payload_path(group_with(r#""message":[],"sender":"x""#).as_bytes()),
        "sender"
    );
    assert_eq!(
        payload_path(group_with(r#""message":[],"sender":{"user_id":[1]}"#).as_bytes()),
        "sender.user_id"
    );
    assert_eq!(
        payload_path(
            group_with(r#""message":[],"anonymous":{"id":true,"name":1,"flag":"f"}"#)
                .replace("true", "\"x\"")
                .as_bytes()
        ),
        "anonymous.id"
    );
}

#[test]
fn ids_wider_than_32_bits_and_numbers_as_strings_are_fine() {
    let e = decode_event(
        group_with(r#""message":[],"group_id":"9007199254740993""#)
            .replace(r#""group_id":4,"#, "")
            .as_bytes(),
    )
    .unwrap();
    let Event::MessageGroup(m) = e else { panic!() };
    assert_eq!(m.group_id, 9007199254740993);
}

#[test]
fn envelope_problems_are_envelope_errors() {
    for bad in [
        &br#"{"post_type":1}"#[..],
        br#"{"post_type":"notice","notice_type":["x"]}"#,
        br#"{"post_type":"message","message_type":"group","sub_type":{}}"#,
        br#"{"message_type":"group"}"#,
        br#"{}"#,
    ] {
        let e = Incoming::classify(bad.to_vec()).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Envelope { .. }),
            "{}: {e}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn broken_json_is_a_syntax_or_utf8_error() {
    for bad in [
        &b""[..],
        b"null",
        b"[]",
        b"{",
        br#"{"post_type":"message""#,
        br#"{"post_type":"message",}"#,
        br#"{"post_type":"message"} trailing"#,
        b"{\"post_type\":\"\xff\"}",
        br#"{"post_type":"message","x":[1,2}"#,
    ] {
        let e = decode_event(bad).unwrap_err();
        assert!(
            matches!(
                e.kind(),
                ErrorKind::Syntax { .. } | ErrorKind::InvalidUtf8 { .. }
            ),
            "{}: {e}",
            String::from_utf8_lossy(bad)
        );
        assert!(Incoming::classify(bad.to_vec()).is_err());
    }
}

#[test]
fn deep_nesting_in_a_1mb_frame_is_an_error_not_a_crash() {
    let depth = 512 * 1024;
    let frame = format!(
        r#"{{"post_type":"notice","notice_type":"x","d":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert!(frame.len() > 1_000_000);
    let e = decode_event(frame.as_bytes()).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::TooLarge {
                what: "nesting",
                ..
            }
        ),
        "{e}"
    );
    assert!(Incoming::classify(frame.into_bytes()).is_err());
}

#[test]
fn nesting_the_scan_allows_but_serde_refuses_is_a_payload_error() {
    let depth = 600;
    let frame = format!(
        r#"{{"post_type":"notice","notice_type":"x","d":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let e = decode_event(frame.as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Payload { .. }), "{e}");
}

fn nested_nodes(depth: usize) -> String {
    let mut m = r#"[{"type":"text","data":{"text":"leaf"}}]"#.to_owned();
    for _ in 0..depth {
        m = format!(r#"[{{"type":"node","data":{{"user_id":1,"content":{m}}}}}]"#);
    }
    m
}

#[test]
fn deeply_nested_forward_nodes_decode_or_fail_cleanly() {
    // 30 nodes: 90 JSON levels, within serde_json's limit.
    let e =
        decode_event(group_with(&format!(r#""message":{}"#, nested_nodes(30))).as_bytes()).unwrap();
    let mut m: &Message = e.message().unwrap();
    let mut levels = 0;
    while let Some(botgate_codec::onebot::Segment::Node(n)) = m.first() {
        m = n.content.as_ref().unwrap();
        levels += 1;
    }
    assert_eq!(levels, 30);
    assert_eq!(m.plain_text(), "leaf");
    // 200 nodes: 600 levels, refused with an error.
    let e = decode_event(group_with(&format!(r#""message":{}"#, nested_nodes(200))).as_bytes())
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Payload { .. }), "{e}");
}

#[test]
fn a_1mb_cq_string_of_brackets_parses_quickly_to_an_error() {
    let s = "[CQ:".repeat(256 * 1024);
    assert!(cq::parse(&s).is_err());
    let lenient = cq::parse_lenient(&s);
    assert_eq!(lenient.len(), 1);
    let s = format!("[CQ:x{}", ",k=v".repeat(256 * 1024));
    assert!(cq::parse(&s).is_err());
    assert_eq!(cq::parse_lenient(&s).len(), 1);
    let s = "]".repeat(1 << 20);
    assert!(cq::parse(&s).is_err());
    assert_eq!(
        cq::parse_lenient(&s)[0].as_text().map(str::len),
        Some(1 << 20)
    );
}

#[test]
fn responses_with_wrong_types_are_errors() {
    for bad in [
        &br#"{"status":"ok","retcode":"zero"}"#[..],
        br#"{"status":"ok","retcode":{}}"#,
        br#"{"status":[],"retcode":0}"#,
        br#"{"echo":"1","data":null}"#,
    ] {
        assert!(
            ActionResponse::decode(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let r = ActionResponse::decode(br#"{"status":"ok","retcode":"0","echo":5}"#).unwrap();
    assert_eq!(r.retcode, 0);
    assert_eq!(r.echo_str().as_deref(), Some("5"));
}
