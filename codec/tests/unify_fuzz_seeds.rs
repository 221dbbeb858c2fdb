//! The `unify` fuzz target's check, run as a plain test over the sample frames, every prefix
//! of them, hostile variants and the seed corpus `fuzz/corpus/unify/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::unify::fuzzing::{check_unify, check_unify_input};
use botgate_proto::unified::Platform;

#[path = "support/samples.rs"]
mod samples;
use samples::{BUBBLE, ONEBOT, QQ, QQ_ORDER};

fn samples() -> Vec<(Platform, &'static str)> {
    let mut out = Vec::new();
    for (platform, text) in [
        (Platform::Qq, QQ),
        (Platform::Qq, QQ_ORDER),
        (Platform::Bubble, BUBBLE),
        (Platform::OneBot, ONEBOT),
    ] {
        out.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| (platform, l)),
        );
    }
    out
}

#[test]
fn every_sample_line_passes_for_every_platform() {
    let samples = samples();
    assert!(
        samples.len() >= 60,
        "testdata went missing: {}",
        samples.len()
    );
    for (_, line) in &samples {
        for platform in Platform::ALL {
            check_unify(*platform, line.as_bytes());
        }
    }
}

#[test]
fn every_prefix_of_every_sample_passes() {
    for (platform, line) in samples() {
        let bytes = line.as_bytes();
        for end in 0..bytes.len() {
            check_unify(platform, &bytes[..end]);
        }
    }
}

#[test]
fn hostile_variants_pass() {
    let frames: &[(Platform, &str)] = &[
        (
            Platform::Qq,
            r#"{"op":0,"t":"AT_MESSAGE_CREATE","d":{"content":"<@!","author":null,"member":{"roles":[4,"2"]},"timestamp":"9999-99-99T99:99:99+99:99"}}"#,
        ),
        (
            Platform::Qq,
            r#"{"op":0,"t":"AT_MESSAGE_CREATE","d":{"content":"<<<<@!1>>><emoji:>@everyone","mention_everyone":true,"attachments":[{"url":null},{}]}}"#,
        ),
        (
            Platform::Qq,
            r#"{"op":0,"t":"GROUP_AT_MESSAGE_CREATE","d":{"author":{},"content":"<faceType=1,faceId=,ext=\"\">"}}"#,
        ),
        (Platform::Qq, r#"{"op":0,"t":"MESSAGE_DELETE","d":{}}"#),
        (
            Platform::Qq,
            r#"{"op":0,"t":"GROUP_ADD_ROBOT","d":{"timestamp":"-9223372036854775808"}}"#,
        ),
        (
            Platform::Qq,
            r#"{"op":0,"t":"C2C_MESSAGE_CREATE","d":null}"#,
        ),
        (
            Platform::Bubble,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"author":12,"mentions":[{"type":"role","id":"x"},1e400,"7"],"mentionRoles":[1]}}"#,
        ),
        (
            Platform::Bubble,
            r#"{"op":0,"t":"DM_MESSAGE_DELETE","d":{}}"#,
        ),
        (
            Platform::Bubble,
            r#"{"op":0,"t":"GUILD_MEMBER_UPDATE","d":{"action":"teleported","roleId":"9223372036854775807"}}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"message","message_type":"private","sub_type":"group","user_id":"1","message":"[CQ:at,qq=all][CQ:unknown,x=1"}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"message","message_type":"group","group_id":0,"anonymous":{"id":"x"}}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"notice","notice_type":"notify","sub_type":"poke","group_id":0,"user_id":5,"self_id":5,"target_id":0}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"notice","notice_type":"group_ban","user_id":0,"operator_id":0}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"message_sent","message_type":"private","target_id":0,"message":[{"type":"at","data":{"qq":"张三"}}]}"#,
        ),
        (
            Platform::OneBot,
            r#"{"post_type":"request","request_type":"group","sub_type":"join"}"#,
        ),
    ];
    for (platform, frame) in frames {
        check_unify(*platform, frame.as_bytes());
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_frame = format!(r#"{{"op":0,"t":"MESSAGE_CREATE","d":{{"content":{deep}}}}}"#);
    for platform in Platform::ALL {
        check_unify(*platform, deep_frame.as_bytes());
        check_unify(*platform, deep.as_bytes());
    }
}

#[test]
fn seed_corpus_passes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/unify");
    let entries = std::fs::read_dir(dir).expect("fuzz/corpus/unify exists");
    let mut n = 0;
    for entry in entries {
        let path = entry.expect("readable corpus dir").path();
        let data = std::fs::read(&path).expect("readable corpus file");
        check_unify_input(&data);
        n += 1;
    }
    assert!(n >= 60, "seed corpus has only {n} files");
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that keep a mutated frame JSON-like often enough to reach the mapping.
    fn splice() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "null",
                "0",
                "-1",
                "\"\"",
                "\"x\"",
                "9223372036854775808",
                "1e309",
                "[]",
                "{}",
                "true",
                "\"<@!1>\"",
                "\"@everyone\"",
                "\"2021-05-20T15:14:58+08:00\"",
                ",",
                ":",
                "\"",
                "{",
                "]",
            ]),
            0..4,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn spliced_samples_never_break_an_invariant(
            pick in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            cut in 0usize..12,
            insert in splice(),
        ) {
            let samples = samples();
            let (platform, line) = samples[pick.index(samples.len())];
            let bytes = line.as_bytes();
            let start = at.index(bytes.len().max(1)).min(bytes.len());
            let end = (start + cut).min(bytes.len());
            let mut mutated = bytes[..start].to_vec();
            mutated.extend_from_slice(insert.as_bytes());
            mutated.extend_from_slice(&bytes[end..]);
            check_unify(platform, &mutated);
        }
    }
}
