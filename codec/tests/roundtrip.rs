//! Property tests: every command encodes to a frame that scans back to what was encoded, and
//! the scan of any object agrees with serde_json on `op`, `s`, `t`, `id` and `d`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::{bubble, qq, Frame};
use proptest::prelude::*;
use serde_json::{json, Value};

/// `cases` cases, unless `PROPTEST_CASES` asks for another number (for a longer local run).
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

fn scan(text: &str) -> (Frame, Value) {
    let frame = Frame::scan(text.to_owned()).unwrap_or_else(|e| panic!("{text}: {e}"));
    let d = serde_json::from_slice(frame.data().expect("commands carry d")).unwrap();
    (frame, d)
}

/// Arbitrary text with the characters that need care in JSON strings.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"\\\\/\u{0}-\u{1f}a-z中文😀\u{2028}\u{7f}]{0,24}",
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn qq_identify_round_trips(
        token in tricky_string(),
        intents in any::<u32>(),
        shard in any::<[u32; 2]>(),
        os in tricky_string(),
        browser in tricky_string(),
        device in tricky_string(),
    ) {
        let text = qq::identify(&qq::Identify {
            token: &token,
            intents,
            shard,
            properties: qq::Properties { os: os.clone(), browser: browser.clone(), device: device.clone() },
        });
        let (frame, d) = scan(&text);
        prop_assert_eq!(frame.op(), qq::op::IDENTIFY);
        prop_assert_eq!(frame.seq(), None);
        prop_assert_eq!(d, json!({"token": token, "intents": intents, "shard": shard,
            "properties": {"$os": os, "$browser": browser, "$device": device}}));
    }

    #[test]
    fn qq_resume_round_trips(token in tricky_string(), session in tricky_string(), seq in any::<u64>()) {
        let (frame, d) = scan(&qq::resume(&token, &session, seq));
        prop_assert_eq!(frame.op(), qq::op::RESUME);
        prop_assert_eq!(d, json!({"token": token, "session_id": session, "seq": seq}));
    }

    #[test]
    fn heartbeats_round_trip(seq in proptest::option::of(any::<u64>())) {
        for (text, op) in [(qq::heartbeat(seq), qq::op::HEARTBEAT), (bubble::heartbeat(seq), bubble::op::HEARTBEAT)] {
            let (frame, d) = scan(&text);
            prop_assert_eq!(frame.op(), op);
            prop_assert_eq!(frame.decode_data::<Option<u64>>().unwrap(), seq);
            prop_assert_eq!(d, json!(seq));
        }
    }

    #[test]
    fn bubble_subscriptions_round_trip(events in proptest::collection::vec(tricky_string(), 0..8)) {
        let (frame, d) = scan(&bubble::subscribe(&events));
        prop_assert_eq!(frame.op(), bubble::op::SUBSCRIBE);
        prop_assert_eq!(d, json!({"events": events}));
        let (frame, d) = scan(&bubble::unsubscribe(&events));
        prop_assert_eq!(frame.op(), bubble::op::UNSUBSCRIBE);
        prop_assert_eq!(d, json!({"events": events}));
    }

    #[test]
    fn bubble_resume_round_trips(session in tricky_string(), seq in any::<u64>()) {
        let (frame, d) = scan(&bubble::resume(&session, seq));
        prop_assert_eq!(frame.op(), bubble::op::RESUME);
        prop_assert_eq!(d, json!({"sessionId": session, "seq": seq}));
    }
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        tricky_string().prop_map(Value::from),
        // Strings that look like envelope keys, to tempt a substring scan.
        Just(Value::from(r#"{"t":"FAKE","op":9,"s":1}"#)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    tricky_string(),
                    Just("t".to_owned()),
                    Just("op".to_owned()),
                    Just("s".to_owned())
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One top-level member: its key as written (maybe with escapes) and its value.
#[derive(Debug, Clone)]
struct Member {
    key: String,
    escape_key: bool,
    value: Value,
    pretty: bool,
}

fn envelope() -> impl Strategy<Value = Vec<Member>> {
    let member = |key: &'static str, value: BoxedStrategy<Value>| {
        (any::<bool>(), value, any::<bool>()).prop_map(move |(escape_key, value, pretty)| Member {
            key: key.to_owned(),
            escape_key,
            value,
            pretty,
        })
    };
    let opt_str = || prop_oneof![Just(Value::Null), tricky_string().prop_map(Value::from)].boxed();
    (
        member("op", any::<u8>().prop_map(Value::from).boxed()),
        proptest::option::of(member(
            "s",
            prop_oneof![Just(Value::Null), any::<u64>().prop_map(Value::from)].boxed(),
        )),
        proptest::option::of(member("t", opt_str())),
        proptest::option::of(member("id", opt_str())),
        proptest::option::of(member("d", json_value().boxed())),
        proptest::collection::vec(
            ("[a-z_]{1,6}", json_value(), any::<bool>()).prop_map(|(key, value, pretty)| Member {
                key,
                escape_key: false,
                value,
                pretty,
            }),
            0..3,
        ),
    )
        .prop_map(|(op, s, t, id, d, extra)| {
            let reserved = ["op", "s", "t", "id", "d"];
            let mut members = vec![op];
            members.extend([s, t, id, d].into_iter().flatten());
            members.extend(
                extra
                    .into_iter()
                    .filter(|m| !reserved.contains(&m.key.as_str())),
            );
            members
        })
        .prop_shuffle()
}

fn write_frame(members: &[Member], ws: &[String]) -> String {
    let mut ws = ws.iter().cycle();
    let mut next_ws = || ws.next().cloned().unwrap_or_default();
    let mut out = next_ws() + "{";
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            out += &(next_ws() + ",");
        }
        out += &next_ws();
        if m.escape_key {
            // Write every character of the key as a \u escape.
            out.push('"');
            for c in m.key.chars() {
                out += &format!("\\u{:04x}", c as u32);
            }
            out.push('"');
        } else {
            out += &serde_json::to_string(&m.key).unwrap();
        }
        out += &(next_ws() + ":" + &next_ws());
        out += &if m.pretty {
            serde_json::to_string_pretty(&m.value).unwrap()
        } else {
            serde_json::to_string(&m.value).unwrap()
        };
    }
    out + &next_ws() + "}" + &next_ws()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn scan_agrees_with_serde_json(
        members in envelope(),
        ws in proptest::collection::vec("[ \t\r\n]{0,3}", 1..8),
    ) {
        let text = write_frame(&members, &ws);
        let whole: Value = serde_json::from_str(&text).unwrap();
        let frame = Frame::scan(text.clone()).unwrap();
        prop_assert_eq!(Some(u64::from(frame.op())), whole["op"].as_u64());
        prop_assert_eq!(frame.seq(), whole.get("s").and_then(Value::as_u64));
        prop_assert_eq!(frame.event_type(), whole.get("t").and_then(Value::as_str));
        prop_assert_eq!(frame.id(), whole.get("id").and_then(Value::as_str));
        match frame.data() {
            Some(d) => prop_assert_eq!(&serde_json::from_slice::<Value>(d).unwrap(), &whole["d"]),
            None => prop_assert!(whole.get("d").is_none()),
        }
    }

    #[test]
    fn mutated_samples_stay_consistent_with_serde_json(
        line in proptest::sample::select(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/qq/frames.jsonl"))
                .lines().collect::<Vec<_>>()),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), prop_oneof![
            any::<u8>(),
            proptest::sample::select(b"\"{}[]\\:,0-e.u8dn ".to_vec()),
        ]), 1..4),
    ) {
        let mut bytes = line.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        // Consistent with itself and with serde_json (see `fuzzing::check_frame_scan`).
        botgate_codec::fuzzing::check_frame_scan(&bytes);
    }

    #[test]
    fn json_alphabet_soup_stays_consistent_with_serde_json(
        prefix in proptest::sample::select(vec!["", "{", r#"{"op":0,"d":"#, r#"{"d":["#, r#"{"op":1,"t":""#]),
        soup in proptest::collection::vec(
            proptest::sample::select(b"{}[]\":,\\ \n0123456789.-eEuaflsnrtopdi\x80\xe4\xb8\xad".to_vec()),
            0..48,
        ),
        suffix in proptest::sample::select(vec!["", "}", "]}", "\"}", ",\"op\":2}"]),
    ) {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(&soup);
        bytes.extend_from_slice(suffix.as_bytes());
        botgate_codec::fuzzing::check_frame_scan(&bytes);
    }
}
