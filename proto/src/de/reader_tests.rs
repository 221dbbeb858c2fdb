//! The first pass's own JSON reader (decision 0026) against serde_json's: the same values
//! where both read, and where only ours reads (`""` for an `Option`, read as `None`) the value
//! the coercing pass gives.

use super::entry::{first_pass, first_pass_serde_json};
use super::{from_slice, from_str};
use crate::{bubble, onebot, qq};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Debug;

/// Whether `text` holds a bare integer wider than 64 bits: ours refuses it in the first
/// pass (serde_json rounds it as a float), and the decode reads it as a string
/// (`wide_integers`, `a_wide_integer_is_refused_by_the_first_pass_and_read_as_a_string`).
fn wide(text: &str) -> bool {
    super::wide_integers::quote_wide_integers(text).is_some()
}

/// serde_json's reading of `text` as a `Value`.
fn serde_value(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// The two readers agree on `text` as a `Value`: both read it, to the same value (printed
/// alike, so `-0.0` is not `0`), or neither does. A lone surrogate escape, which serde_json
/// refuses, ours reads as U+FFFD: as serde_json reads `\ufffd` in its place (decision 0049).
fn same_value(text: &str) {
    let ours = first_pass::<Value>(text);
    if ours.is_none() && wide(text) {
        return;
    }
    let theirs = serde_value(fixed_surrogates(text).as_deref().unwrap_or(text));
    assert_eq!(ours, theirs, "{text:?}");
    if let (Some(a), Some(b)) = (&ours, &theirs) {
        assert_eq!(a.to_string(), b.to_string(), "{text:?}");
    }
}

/// Ours reads `text` as `T` where serde_json's first pass does, to the same value, or else to
/// the value of the coercing pass (the retry serde_json's first pass would take); with
/// `exact`, ours also reads whatever serde_json's does (no needless retry). The whole decode
/// (`from_str` against `from_slice`) is the same either way.
fn same_as<T>(text: &str, exact: bool)
where
    T: DeserializeOwned + PartialEq + Debug + Serialize,
{
    let ours = first_pass::<T>(text);
    if ours.is_none() && wide(text) {
        return;
    }
    // serde_json reads a lone surrogate escape as the error ours reads as U+FFFD: it is given
    // the text with `\ufffd` in its place (decision 0049).
    let fixed = fixed_surrogates(text);
    let text_theirs = fixed.as_deref().unwrap_or(text);
    let theirs = first_pass_serde_json::<T>(text_theirs);
    match (&ours, &theirs) {
        (Some(a), Some(b)) => {
            assert_eq!(a, b, "{text:?}");
            assert_eq!(
                serde_json::to_string(a).ok(),
                serde_json::to_string(b).ok(),
                "{text:?}"
            );
        }
        // Only `""` read as `None` (the one departure): then the value is the coercing
        // pass's, which serde_json's first pass would have reached by the retry.
        (Some(a), None) => {
            let lenient: serde_json::Result<T> = from_slice(text_theirs.as_bytes());
            assert_eq!(
                Some(a),
                lenient.as_ref().ok(),
                "ours read where serde_json's first pass fails, not to the retry's value: {text:?}"
            );
        }
        (None, Some(_)) if exact => panic!("ours fails where serde_json's reads: {text:?}"),
        _ => {}
    }
    let whole: serde_json::Result<T> = from_str(text);
    let before: serde_json::Result<T> = from_slice(text_theirs.as_bytes());
    assert_eq!(whole.ok(), before.ok(), "{text:?}");
}

/// `text` with its lone surrogate escapes as `\ufffd`, when it has any.
fn fixed_surrogates(text: &str) -> Option<String> {
    super::replace_lone_surrogates(text.as_bytes()).and_then(|b| String::from_utf8(b).ok())
}

/// Every payload type the tests read, and `Value`.
fn all_types(text: &str, exact: bool) {
    same_value(text);
    same_as::<qq::Message>(text, exact);
    same_as::<qq::GroupMessage>(text, exact);
    same_as::<qq::C2cMessage>(text, exact);
    same_as::<qq::Member>(text, exact);
    same_as::<bubble::Message>(text, exact);
    same_as::<onebot::GroupMessage>(text, exact);
    same_as::<onebot::PrivateMessage>(text, exact);
}

/// The lines of the sample files under `testdata/`.
fn sample_lines() -> Vec<String> {
    let mut out = Vec::new();
    for rel in [
        "qq/frames.jsonl",
        "qq/order.jsonl",
        "qq/schema_events.jsonl",
        "bubble/frames.jsonl",
        "bubble/schema_events.jsonl",
        "onebot/events.jsonl",
        "onebot/schema_events.jsonl",
    ] {
        let path = format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        out.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    out
}

#[test]
fn sample_frames_read_alike() {
    let lines = sample_lines();
    assert!(lines.len() > 100, "{} sample lines", lines.len());
    for line in &lines {
        let value: Value = serde_json::from_str(line).unwrap();
        let d = value.get("d").map(Value::to_string);
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        for text in [Some(line.clone()), Some(pretty), d].into_iter().flatten() {
            all_types(&text, true);
        }
    }
}

#[test]
fn numbers_read_as_serde_json_reads_them() {
    for text in [
        "0",
        "-0",
        "1",
        "-1",
        "1.0",
        "-0.0",
        "0.1",
        "1e400",
        "-1e400",
        "1e-400",
        "1E+2",
        "1e-2",
        "2.5e3",
        "123456789012345678901234567890",
        "9999999999999999999",
        "10000000000000000000",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "9223372036854775807",
        "0.30000000000000004",
        "2.2250738585072014e-308",
        "4.9e-324",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "1.5.2",
        "--1",
        "1 ",
        " 1",
        "1,",
        "00",
        "0e0",
        "0.0e-0",
        "[1e400]",
        "{\"a\":-0}",
        // Eight digits at a time, and the bytes around a block that are not digits.
        "12345678",
        "123456789",
        "1234567812345678",
        "-1234567812345678",
        "184467440737095516",
        "1844674407370955161",
        "123456789.5",
        "12345678e2",
        "1234567:",
        "1234567/",
        "12345678/",
        "99999999999999999999",
    ] {
        same_value(text);
        same_as::<u64>(text, true);
        same_as::<i64>(text, true);
        same_as::<u8>(text, true);
        same_as::<i32>(text, true);
        same_as::<f64>(text, true);
        same_as::<Option<f64>>(text, true);
    }
}

#[test]
fn strings_read_as_serde_json_reads_them() {
    for text in [
        r#""""#,
        r#""a""#,
        r#""\"\\\/\b\f\n\r\t""#,
        r#""\u0041\u00e9\u4e2d""#,
        r#""\ud83d\ude00""#,
        r#""\uD83D\uDE00x""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800\n""#,
        r#""\ud800x""#,
        r#""\u12G4""#,
        r#""\u12""#,
        r#""\x""#,
        "\"a\u{1}b\"",
        "\"tab\tin\"",
        "\"\u{7f}\"",
        r#""unterminated"#,
        r#""\"#,
        r#""大家好 👋""#,
        "\"0123456789abcdef\\n0123456789abcdef\"",
        "\"0123456789abcdefg\"",
    ] {
        same_value(text);
        same_as::<String>(text, true);
        same_as::<Option<String>>(text, true);
        same_as::<char>(text, true);
        same_as::<Vec<u8>>(text, false);
    }
}

#[test]
fn structure_reads_as_serde_json_reads_it() {
    for text in [
        "",
        " ",
        "{}",
        "[]",
        "{ }",
        "[ ]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{1:2}",
        "{\"a\":1 \"b\":2}",
        "[1]]",
        "{}}",
        "[1] x",
        "tru",
        "nul",
        "nulll",
        "true",
        "false",
        "null",
        " \t\n\r[ 1 , { \"a\" : [ ] } ] \n",
        "{\"a\":1,\"a\":2}",
        "[\"a\",{\"b\":[null,true,false,-1.5e3]}]",
        "\u{feff}{}",
    ] {
        same_value(text);
    }
    for depth in [1, 126, 127, 128, 129, 300] {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let mut text = open.repeat(depth);
            text.push('1');
            text.push_str(&close.repeat(depth));
            same_value(&text);
            // Skipped (an unknown field): ours limits the nesting, serde_json does not.
            let skipped = format!("{{\"id\":\"1\",\"unknown\":{text}}}");
            same_as::<qq::Message>(&skipped, depth < 127);
        }
    }
}

#[test]
fn payload_shapes_read_as_serde_json_reads_them() {
    for text in [
        r#"{"id":"1","author":{"id":"2"},"seq":5}"#,
        r#"{"id":1,"seq":"5"}"#,
        r#"{"id":"","seq":null}"#,
        r#"{"mentions":[{"id":"1"},null,""]}"#,
        r#"{"mentions":{"id":"1"}}"#,
        r#"{"author":["2"]}"#,
        r#"{"member":{"roles":["1",2,null]}}"#,
        r#"{"attachments":[{"url":"u","width":"3","height":1.5}]}"#,
        r#"{"content":"\ud83d\ude00 hi \"there\"","timestamp":"t"}"#,
        r#"{"unknown":{"deep":[1,{"x":"\u00e9"}]},"id":"x"}"#,
        r#"{"unknown":{"deep":[1,{"x":"\ud800"}]},"id":"x"}"#,
        r#"{"unknown":[1,]}"#,
        r#"{"message":[{"type":"text","data":{"text":"hi"}}],"user_id":1,"self_id":2}"#,
        r#"{"message":"hi [CQ:face,id=1]","user_id":"1","sender":{"user_id":1}}"#,
        r#"[]"#,
        r#"null"#,
    ] {
        all_types(text, false);
    }
}

/// A JSON text of `s` with every non-ASCII char, `/` and a few letters as `\u` escapes
/// (surrogate pairs above the BMP): the escapes serde_json's writer never makes.
fn escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            c if c.is_ascii() && !c.is_ascii_control() && c != 'a' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z\"\\\\/\u{1}\u{1f}\u{7f}é中😀 ]{0,40}",]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        json_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_string(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A payload-like object: known field names (QQ, Bubble, OneBot) and unknown ones, any
/// values.
fn payload_text() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("id"),
        Just("content"),
        Just("author"),
        Just("member"),
        Just("mentions"),
        Just("attachments"),
        Just("seq"),
        Just("timestamp"),
        Just("group_id"),
        Just("user_id"),
        Just("message"),
        Just("sender"),
        Just("roles"),
        Just("channelId"),
        Just("other"),
    ];
    prop::collection::vec((key, json_value()), 0..8).prop_map(|entries| {
        let body: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

/// One edit of `text` at a char boundary: a character inserted or one removed.
fn mutated(text: &str, at: usize, insert: Option<char>) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let i = bounds[at % bounds.len()];
    let mut out = text.to_owned();
    match insert {
        Some(c) => out.insert(i, c),
        None if i < text.len() => {
            out.remove(i);
        }
        None => {}
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn values_read_alike(v in json_value()) {
        same_value(&v.to_string());
        same_value(&serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn escapes_read_alike(s in json_string()) {
        same_value(&escaped(&s));
        same_as::<String>(&escaped(&s), true);
    }

    #[test]
    fn number_tokens_read_alike(t in "-?[0-9]{1,25}(\\.[0-9]{0,20})?([eE][+-]?[0-9]{0,4})?") {
        same_value(&t);
        same_as::<u64>(&t, true);
        same_as::<i64>(&t, true);
        same_as::<f64>(&t, true);
    }

    #[test]
    fn mutated_text_reads_alike(
        v in json_value(),
        at in any::<usize>(),
        insert in prop::option::of(prop::sample::select(
            vec!['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', '.', ' ', 'n', '\u{1}', 'é'],
        )),
    ) {
        same_value(&mutated(&v.to_string(), at, insert));
    }

    #[test]
    fn payloads_read_alike(text in payload_text()) {
        all_types(&text, false);
    }
}

/// `""` where an `Option` is asked for is read as `None` by the first pass itself (real
/// OneBot senders fill `card`, `area` and `title` with it): the decode takes no retry, and
/// gets the coercing pass's value.
#[test]
fn empty_optional_strings_are_read_by_the_first_pass() {
    let text = r#"{"time":1,"self_id":2,"post_type":"message","message_type":"group","sub_type":"normal","message_id":3,"group_id":4,"user_id":5,"message":"hi","raw_message":"hi","font":0,"sender":{"user_id":5,"nickname":"n","card":"","area":"","title":"","role":"member"}}"#;
    let first = first_pass::<onebot::GroupMessage>(text).expect("read without the retry");
    assert_eq!(first.sender.card, None);
    assert_eq!(first.sender.area, None);
    assert_eq!(first.sender.title, None);
    assert_eq!(
        Some(first),
        from_slice::<onebot::GroupMessage>(text.as_bytes()).ok()
    );
    // A list element stays refused (the coercing pass drops it rather than read `None`).
    assert!(first_pass::<Vec<Option<String>>>(r#"["a",""]"#).is_none());
}

#[test]
fn a_wide_integer_is_refused_by_the_first_pass_and_read_as_a_string() {
    use std::sync::Arc;
    for (text, read) in [
        (
            r#"{"a":123456789012345678901234}"#,
            r#"{"a":"123456789012345678901234"}"#,
        ),
        (
            r#"[18446744073709551616,1]"#,
            r#"["18446744073709551616",1]"#,
        ),
        (
            r#"{"n":-9223372036854775809}"#,
            r#"{"n":"-9223372036854775809"}"#,
        ),
    ] {
        assert_eq!(first_pass::<Value>(text), None, "{text}");
        let source: Arc<str> = Arc::from(text);
        let got: Value = super::from_shared_with_path(&source).unwrap();
        assert_eq!(got, serde_json::from_str::<Value>(read).unwrap(), "{text}");
    }
    // What fits, and `-0`, read as before, in the first pass.
    for text in ["18446744073709551615", "-9223372036854775808", "-0", "1e30"] {
        assert_eq!(first_pass::<Value>(text), serde_value(text), "{text}");
    }
}
