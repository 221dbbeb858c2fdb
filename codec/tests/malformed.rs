//! Malformed input never panics and always gives the right kind of error.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::{scan, ErrorKind, Frame};

const SAMPLES: [&str; 3] = [
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/qq/frames.jsonl"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/qq/order.jsonl"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/bubble/frames.jsonl"
    )),
];

fn sample_lines() -> impl Iterator<Item = &'static str> {
    SAMPLES
        .iter()
        .flat_map(|f| f.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

fn kind(input: impl Into<bytes::Bytes>) -> ErrorKind {
    Frame::scan(input).unwrap_err().kind().clone()
}

fn envelope_field(input: &str) -> &'static str {
    match kind(input.to_owned()) {
        ErrorKind::Envelope { field, .. } => field,
        other => panic!("{input}: expected an envelope error, got {other:?}"),
    }
}

#[test]
fn every_truncation_of_every_sample_is_an_error() {
    let mut cuts = 0;
    for line in sample_lines() {
        let bytes = line.as_bytes();
        for cut in 0..bytes.len() {
            let prefix = bytes[..cut].to_vec();
            match kind(prefix) {
                ErrorKind::Syntax { offset, .. } => assert!(offset <= cut, "{line} cut at {cut}"),
                ErrorKind::InvalidUtf8 { offset } => assert!(offset < cut),
                other => panic!("{line} cut at {cut}: {other:?}"),
            }
            cuts += 1;
        }
    }
    assert!(cuts > 5_000, "only {cuts} truncations tried");
}

#[test]
fn empty_and_non_object_inputs_are_syntax_errors_at_their_start() {
    for (input, at) in [
        ("", 0),
        ("   \n", 4),
        ("[]", 0),
        ("\"op\"", 0),
        ("1", 0),
        ("null", 0),
        ("  [{\"op\":0}]", 2),
        ("\u{feff}{\"op\":0}", 0),
    ] {
        assert!(
            matches!(kind(input), ErrorKind::Syntax { offset, .. } if offset == at),
            "{input:?}"
        );
    }
}

#[test]
fn trailing_garbage_is_a_syntax_error_at_the_garbage() {
    for (input, at) in [
        (r#"{"op":0}x"#, 8),
        (r#"{"op":0} {"op":1}"#, 9),
        (r#"{"op":0}}"#, 8),
        ("{\"op\":0}\n\0", 9),
    ] {
        assert!(
            matches!(kind(input), ErrorKind::Syntax { offset, .. } if offset == at),
            "{input:?}: {:?}",
            kind(input)
        );
    }
}

#[test]
fn wrong_envelope_types_name_the_field() {
    for (input, field) in [
        (r#"{"op":"0"}"#, "op"),
        (r#"{"op":true}"#, "op"),
        (r#"{"op":{}}"#, "op"),
        (r#"{"op":0.5}"#, "op"),
        (r#"{"op":1E0}"#, "op"),
        (r#"{"op":-0}"#, "op"),
        (r#"{"op":1000}"#, "op"),
        (r#"{"t":"X"}"#, "op"),
        (r#"{"op":0,"s":"1"}"#, "s"),
        (r#"{"op":0,"s":false}"#, "s"),
        (r#"{"op":0,"s":-5}"#, "s"),
        (r#"{"op":0,"s":2.0}"#, "s"),
        (r#"{"op":0,"s":[1]}"#, "s"),
        (r#"{"op":0,"t":7}"#, "t"),
        (r#"{"op":0,"t":["A"]}"#, "t"),
        (r#"{"op":0,"t":false}"#, "t"),
        (r#"{"op":0,"id":12}"#, "id"),
    ] {
        assert_eq!(envelope_field(input), field, "{input}");
    }
}

#[test]
fn huge_numbers_are_envelope_errors_not_panics() {
    let digits = "9".repeat(10_000);
    assert_eq!(envelope_field(&format!(r#"{{"op":{digits}}}"#)), "op");
    assert_eq!(envelope_field(&format!(r#"{{"op":0,"s":{digits}}}"#)), "s");
    assert_eq!(envelope_field(r#"{"op":0,"s":1e400}"#), "s");
    assert_eq!(envelope_field(r#"{"op":0,"s":18446744073709551616}"#), "s");
    // A huge number inside `d` is the payload's business, not the envelope's.
    let f = Frame::scan(format!(r#"{{"op":0,"d":{{"n":{digits}}}}}"#)).unwrap();
    assert_eq!(f.data().map(<[u8]>::len), Some(digits.len() + 6));
}

#[test]
fn invalid_utf8_in_the_envelope_is_reported_at_its_offset() {
    assert_eq!(
        kind(&b"{\"op\":0,\"t\":\"AT_\xffMESSAGE\"}"[..]),
        ErrorKind::InvalidUtf8 { offset: 16 }
    );
    assert_eq!(
        kind(&b"{\"o\xff\":0}"[..]),
        ErrorKind::InvalidUtf8 { offset: 3 }
    );
    assert!(matches!(
        kind(&b"\xff{\"op\":0}"[..]),
        ErrorKind::Syntax { offset: 0, .. }
    ));
    // Overlong encoding, an encoded surrogate, a truncated sequence.
    for bad in [
        &b"{\"op\":0,\"t\":\"\xc0\xaf\"}"[..],
        b"{\"op\":0,\"d\":\"\xed\xa0\x80\"}",
        b"{\"op\":0,\"d\":\"\xe4\xb8\"}",
    ] {
        assert!(
            matches!(kind(bad), ErrorKind::InvalidUtf8 { .. }),
            "{bad:?}"
        );
    }
}

#[test]
fn invalid_utf8_inside_d_is_found_by_whatever_reads_d() {
    let line = sample_lines()
        .find(|l| l.contains(r#""content":"#))
        .unwrap();
    let key = line.find(r#""content":"#).unwrap() + 10;
    // The first byte of the content string, whatever the spacing after the colon.
    let at = key + line[key..].find('"').unwrap() + 1;
    let mut bad = line.as_bytes().to_vec();
    bad[at] = 0xff;
    // The envelope is intact: the session gets op, s and t; `d` is checked when it is read.
    let frame = Frame::scan(bad).unwrap();
    let good = Frame::scan(line.to_owned()).unwrap();
    assert_eq!(
        (frame.op(), frame.seq(), frame.event_type()),
        (good.op(), good.seq(), good.event_type())
    );
    assert!(matches!(
        frame.decode_data::<serde_json::Value>().unwrap_err().kind(),
        ErrorKind::Payload { .. }
    ));
    assert_eq!(
        frame.to_str().unwrap_err().kind(),
        &ErrorKind::InvalidUtf8 { offset: at }
    );
    assert_eq!(good.to_str().unwrap(), line);
}

/// The typed decode reads text that is UTF-8 as `&str` (one check of the whole `d`), and
/// text that is not the slice's way: either way the bad bytes are a payload error with the
/// event and the path of their string, and other text decodes unchanged.
#[test]
fn the_typed_decode_checks_the_utf8_of_d_once_and_names_the_bad_string() {
    let d = "{\"id\":\"1\",\"content\":\"h\\u00e9 \u{e9}\u{4f60}\"}";
    match botgate_codec::qq::decode_event("AT_MESSAGE_CREATE", d.as_bytes()).unwrap() {
        botgate_codec::qq::Event::AtMessageCreate(m) => {
            assert_eq!(m.content, "h\u{e9} \u{e9}\u{4f60}")
        }
        other => panic!("{other:?}"),
    }
    for bad in [
        &b"{\"id\":\"1\",\"content\":\"\xff\xfe\"}"[..],
        &b"{\"id\":\"1\",\"content\":\"ok \xe4\xbd\"}"[..],
        &b"{\"content\":\"\xc3\xa9\",\"id\":\"\xff\",\"seq\":\"2\"}"[..],
    ] {
        let err = botgate_codec::qq::decode_event("AT_MESSAGE_CREATE", bad).unwrap_err();
        match err.kind() {
            ErrorKind::Payload { event, path, .. } => {
                assert_eq!(event, "AT_MESSAGE_CREATE");
                let at = if bad.starts_with(b"{\"id\"") {
                    "content"
                } else {
                    "id"
                };
                assert_eq!(path, at, "{err}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn ten_megabytes_of_nesting_in_d_are_rejected_without_overflow() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let too_large = ErrorKind::TooLarge {
        what: "nesting",
        limit: scan::MAX_DEPTH,
    };

    let mut open = br#"{"op":0,"d":"#.to_vec();
    open.resize(open.len() + TEN_MB, b'[');
    assert_eq!(kind(open), too_large);

    let mut objects = br#"{"op":0,"d":"#.to_vec();
    while objects.len() < TEN_MB {
        objects.extend_from_slice(br#"{"a":"#);
    }
    assert_eq!(kind(objects), too_large);

    let depth = TEN_MB / 2;
    let mut balanced = br#"{"op":0,"d":"#.to_vec();
    balanced.resize(balanced.len() + depth, b'[');
    balanced.resize(balanced.len() + depth, b']');
    balanced.push(b'}');
    assert_eq!(kind(balanced), too_large);
}

#[test]
fn ten_megabytes_of_flat_data_are_fine() {
    let big = "数据".repeat(10 * 1024 * 1024 / 6);
    let input = format!(r#"{{"d":["{big}",{{"k":"{big}"}}],"op":0,"t":"BIG"}}"#);
    let f = Frame::scan(input).unwrap();
    assert_eq!(f.event_type(), Some("BIG"));
    assert_eq!(f.data().unwrap().len(), 2 * big.len() + 13);
}

#[test]
fn broken_strings_and_brackets_inside_d_are_syntax_errors() {
    for input in [
        r#"{"op":0,"d":{"a":"unterminated}}"#,
        r#"{"op":0,"d":{"a":[1,2}}"#,
        r#"{"op":0,"d":[{"a":1]}"#,
        r#"{"op":0,"d":]"#,
        r#"{"op":0,"d":"\"}"#,
        r#"{"op":0,"d":{"a":"\\"}"#,
        r#"{"op":0,"t":"a\qb"}"#,
        r#"{"op":0,"t":"\u12"}"#,
        "{\"op\":0,\"t\":\"tab\there\"}",
        r#"{op:0}"#,
        r#"{"op" 0}"#,
        r#"{"op":0,}"#,
        r#"{"op":0 "s":1}"#,
        r#"{"op":00}"#,
        r#"{"op":0,"d":nul}"#,
        r#"{"op":0,"d":-}"#,
        r#"{"op":0,"d":1.}"#,
        r#"{"op":0,"d":1e}"#,
    ] {
        assert!(
            matches!(kind(input), ErrorKind::Syntax { .. }),
            "{input}: {:?}",
            kind(input)
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(input).is_err(),
            "{input}"
        );
    }
}

#[test]
fn duplicate_envelope_keys_are_rejected_but_other_duplicates_pass() {
    assert_eq!(envelope_field(r#"{"op":0,"s":1,"s":2}"#), "s");
    assert_eq!(envelope_field(r#"{"op":0,"id":"a","id":"a"}"#), "id");
    assert_eq!(envelope_field(r#"{"op":0,"\u006fp":0}"#), "op");
    let f = Frame::scan(r#"{"op":0,"x":1,"x":2}"#).unwrap();
    assert_eq!(f.op(), 0);
}
