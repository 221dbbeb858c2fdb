//! The direct pass (decision 0035) against the serde passes: the same value for every input,
//! and each type's field list the same as serde's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::lenient::Payload;
use super::{boxed_from_shared, from_str_with_path};
use crate::{bubble, onebot, qq};
use serde::de::{self, Deserializer, Visitor};
use std::fmt::Debug;
use std::sync::Arc;

/// A deserializer that fails at once, naming the fields serde's derive asked for.
struct FieldsOf;

impl<'de> Deserializer<'de> for FieldsOf {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom(fields.join(",")))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// serde's keys of `T` and the direct pass's are the same (aliases included; serde lists each
/// field's names sorted).
fn same_fields<T: Payload>(name: &str) {
    let serde_fields = T::plain(FieldsOf).err().unwrap().to_string();
    let mut serde_fields: Vec<&str> = serde_fields.split(',').collect();
    assert!(!T::DIRECT_FIELDS.is_empty(), "{name} has no direct pass");
    let mut ours = T::DIRECT_FIELDS.to_vec();
    serde_fields.sort_unstable();
    ours.sort_unstable();
    assert_eq!(ours, serde_fields, "{name}");
    // every field may be missing, as the direct pass's `Box::<T>::default()` assumes
    assert!(
        T::plain(&serde_json::json!({})).is_ok(),
        "{name} is not #[serde(default)]"
    );
}

#[test]
fn every_direct_list_is_the_struct_s_fields() {
    macro_rules! check {
        ($($t:ident),+) => {$(same_fields::<qq::$t>(stringify!($t));)+};
    }
    macro_rules! check_bubble {
        ($($t:ident),+) => {$(same_fields::<bubble::$t>(concat!("bubble::", stringify!($t)));)+};
    }
    check_bubble!(
        Message,
        Attachment,
        MessageDelete,
        MessagePin,
        Reaction,
        Mention,
        EventsSubscribed,
        EventsUnsubscribed,
        SubscribeDenied,
        ErrorEvent,
        Resumed,
        Guild,
        Channel,
        GuildRole,
        Role,
        GuildMember,
        ReadState,
        BotInfo,
        BotUser,
        GuildRef,
        DmThread,
        User,
        MentionEntity
    );
    same_fields::<onebot::Sender>("onebot::Sender");
    same_fields::<onebot::Anonymous>("onebot::Anonymous");
    same_fields::<onebot::PrivateMessage>("onebot::PrivateMessage");
    same_fields::<onebot::GroupMessage>("onebot::GroupMessage");
    check!(
        Message,
        Attachment,
        Embed,
        EmbedThumbnail,
        EmbedField,
        Ark,
        ArkKv,
        ArkObj,
        ArkObjKv,
        MessageReference,
        MessageScene,
        MessageDelete,
        MessageAudit,
        User,
        Member,
        GroupAuthor,
        GroupMessage,
        C2cAuthor,
        C2cMessage,
        GroupRobotEvent,
        FriendEvent,
        EnterAio,
        SubscribeMessageStatus,
        SubscribeResult,
        Guild,
        Channel,
        AudioAction,
        AudioOrLiveChannelMember,
        Thread,
        ThreadInfo,
        Post,
        PostInfo,
        Reply,
        ReplyInfo,
        ForumAudit,
        Interaction,
        InteractionData,
        MessageReaction,
        ReactionTarget,
        Emoji,
        RichText,
        Paragraph,
        ParagraphProps,
        Elem,
        TextElem,
        TextProps,
        ImageElem,
        PlatImage,
        VideoElem,
        PlatVideo,
        UrlElem
    );
}

/// `text` through the direct pass (`None`: refused) and through the serde passes alone.
fn both<T>(text: &str) -> (Option<Box<T>>, Result<Box<T>, String>)
where
    T: Payload + serde::de::DeserializeOwned + PartialEq + Debug,
{
    let source: Arc<str> = Arc::from(text);
    let direct = T::direct_boxed(&source);
    let serde = {
        let _shared = crate::text::share_strings(&source);
        from_str_with_path::<Box<T>>(&source).map_err(|e| format!("{}: {}", e.path, e.error))
    };
    // The entry point gives what the serde passes give, whichever pass read it.
    let entry = boxed_from_shared::<T>(&source).map_err(|e| format!("{}: {}", e.path, e.error));
    assert_eq!(entry, serde, "{text}");
    (direct, serde)
}

/// The direct pass reads `text`, to the serde passes' value.
fn reads<T>(text: &str) -> Box<T>
where
    T: Payload + serde::de::DeserializeOwned + PartialEq + Debug,
{
    let (direct, serde) = both::<T>(text);
    let direct = direct.unwrap_or_else(|| panic!("refused: {text}"));
    assert_eq!(Ok(&direct), serde.as_ref(), "{text}");
    direct
}

/// The direct pass refuses `text` (the serde passes decide).
fn refuses<T>(text: &str)
where
    T: Payload + serde::de::DeserializeOwned + PartialEq + Debug,
{
    let (direct, _) = both::<T>(text);
    assert!(direct.is_none(), "read: {text}");
}

/// Reads `d` through both passes as the payload type `$t` of the first row whose event types
/// hold `t` (as the codec maps them): `true` when the direct pass read it (to the serde value;
/// a refusal is fine, e.g. a number sent as a string), `false` when it refused it or no row
/// matched.
macro_rules! by_type {
    ($t:ident, $d:ident; $($name:literal)|+ => $ty:path, $($rest:tt)*) => {
        if matches!($t, $($name)|+) {
            let (direct, serde) = both::<$ty>($d);
            if let Some(direct) = &direct {
                assert_eq!(Ok(direct), serde.as_ref(), "{}", $d);
            }
            return direct.is_some();
        }
        by_type!($t, $d; $($rest)*);
    };
    ($t:ident, $d:ident;) => {};
}

/// [`by_type!`] with the QQ event types.
fn reads_as(t: &str, d: &str) -> bool {
    by_type!(t, d;
        "AT_MESSAGE_CREATE" | "MESSAGE_CREATE" | "DIRECT_MESSAGE_CREATE" => qq::Message,
        "MESSAGE_DELETE" | "PUBLIC_MESSAGE_DELETE" | "DIRECT_MESSAGE_DELETE" => qq::MessageDelete,
        "MESSAGE_AUDIT_PASS" | "MESSAGE_AUDIT_REJECT" => qq::MessageAudit,
        "GROUP_AT_MESSAGE_CREATE" => qq::GroupMessage,
        "C2C_MESSAGE_CREATE" => qq::C2cMessage,
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_REMOVE" => qq::Member,
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" => qq::Guild,
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" | "CHANNEL_DELETE" => qq::Channel,
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => qq::MessageReaction,
        "FORUM_THREAD_CREATE" | "FORUM_THREAD_UPDATE" | "FORUM_THREAD_DELETE"
            | "OPEN_FORUM_THREAD_CREATE" | "OPEN_FORUM_THREAD_UPDATE"
            | "OPEN_FORUM_THREAD_DELETE" => qq::Thread,
        "FORUM_POST_CREATE" | "FORUM_POST_DELETE" | "OPEN_FORUM_POST_CREATE"
            | "OPEN_FORUM_POST_DELETE" => qq::Post,
        "FORUM_REPLY_CREATE" | "FORUM_REPLY_DELETE" | "OPEN_FORUM_REPLY_CREATE"
            | "OPEN_FORUM_REPLY_DELETE" => qq::Reply,
        "FORUM_PUBLISH_AUDIT_RESULT" => qq::ForumAudit,
        "AUDIO_START" | "AUDIO_FINISH" | "AUDIO_ON_MIC" | "AUDIO_OFF_MIC" => qq::AudioAction,
        "AUDIO_OR_LIVE_CHANNEL_MEMBER_ENTER" | "AUDIO_OR_LIVE_CHANNEL_MEMBER_EXIT"
            => qq::AudioOrLiveChannelMember,
        "GROUP_ADD_ROBOT" | "GROUP_DEL_ROBOT" | "GROUP_MSG_REJECT" | "GROUP_MSG_RECEIVE"
            => qq::GroupRobotEvent,
        "FRIEND_ADD" | "FRIEND_DEL" | "C2C_MSG_REJECT" | "C2C_MSG_RECEIVE" => qq::FriendEvent,
        "SUBSCRIBE_MESSAGE_STATUS" => qq::SubscribeMessageStatus,
        "INTERACTION_CREATE" => qq::Interaction,
        "ENTER_AIO" => qq::EnterAio,
    );
    false
}

/// [`by_type!`] with the Bubble event types.
fn reads_as_bubble(t: &str, d: &str) -> bool {
    by_type!(t, d;
        "EVENTS_SUBSCRIBED" => bubble::EventsSubscribed,
        "EVENTS_UNSUBSCRIBED" => bubble::EventsUnsubscribed,
        "SUBSCRIBE_DENIED" => bubble::SubscribeDenied,
        "ERROR" => bubble::ErrorEvent,
        "RESUMED" => bubble::Resumed,
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "DM_MESSAGE_CREATE" | "DM_MESSAGE_UPDATE"
            | "GROUP_MESSAGE_CREATE" | "GROUP_MESSAGE_UPDATE" => bubble::Message,
        "MESSAGE_DELETE" | "DM_MESSAGE_DELETE" | "GROUP_MESSAGE_DELETE" => bubble::MessageDelete,
        "MESSAGE_PIN" | "MESSAGE_UNPIN" | "DM_MESSAGE_PIN" | "DM_MESSAGE_UNPIN"
            | "GROUP_MESSAGE_PIN" | "GROUP_MESSAGE_UNPIN" => bubble::MessagePin,
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => bubble::Reaction,
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_REMOVE" => bubble::GuildMember,
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" | "CHANNEL_DELETE" => bubble::Channel,
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" => bubble::Guild,
        "GUILD_ROLE_CREATE" | "GUILD_ROLE_UPDATE" | "GUILD_ROLE_DELETE" => bubble::GuildRole,
        "MENTION_CREATE" => bubble::Mention,
        "READ_STATE_UPDATE" => bubble::ReadState,
    );
    false
}

/// [`by_type!`] for OneBot message events, keyed `message.<message_type>` (see [`samples`]).
fn reads_as_onebot(t: &str, d: &str) -> bool {
    by_type!(t, d;
        "message.group" => onebot::GroupMessage,
        "message.private" => onebot::PrivateMessage,
    );
    false
}

/// The dispatches (`t`, `d`) of a platform's sample files; a OneBot event is its own `d`, its
/// `t` `post_type.message_type` for messages.
fn samples(platform: &str, files: &[&str]) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for file in files {
        let path = format!(
            "{}/../testdata/{platform}/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut frame: serde_json::Value = serde_json::from_str(line).unwrap();
            if platform == "onebot" {
                if let (Some(post), Some(kind)) =
                    (frame["post_type"].as_str(), frame["message_type"].as_str())
                {
                    out.push((format!("{post}.{kind}"), frame));
                }
                continue;
            }
            if let (Some(t), Some(d)) = (frame["t"].as_str().map(str::to_owned), frame.get_mut("d"))
            {
                out.push((t, d.take()));
            }
        }
    }
    out
}

/// Every sample dispatch whose payload type has a direct pass reads there, to the same value.
#[test]
fn every_sample_reads_directly_to_the_serde_value() {
    let qq = samples(
        "qq",
        &["frames.jsonl", "schema_events.jsonl", "order.jsonl"],
    );
    let read = qq
        .iter()
        .filter(|(t, d)| reads_as(t, &d.to_string()))
        .count();
    assert!(
        read >= 50,
        "only {read} of {} QQ samples read directly",
        qq.len()
    );
    let bubble = samples("bubble", &["frames.jsonl", "schema_events.jsonl"]);
    let read = bubble
        .iter()
        .filter(|(t, d)| reads_as_bubble(t, &d.to_string()))
        .count();
    assert!(
        read >= 35,
        "only {read} of {} Bubble samples read directly",
        bubble.len()
    );
}

/// Every value inside `v` (objects and arrays, at any depth), with its path of keys / indices.
fn paths(v: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                at.push(k.clone());
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// `v` with the value at `path` replaced by `with`.
fn replaced(v: &serde_json::Value, path: &[String], with: &serde_json::Value) -> String {
    let mut v = v.clone();
    let mut at = &mut v;
    for step in path {
        at = match at {
            serde_json::Value::Object(map) => map.get_mut(step).unwrap(),
            serde_json::Value::Array(items) => {
                items.get_mut(step.parse::<usize>().unwrap()).unwrap()
            }
            _ => unreachable!(),
        };
    }
    *at = with.clone();
    v.to_string()
}

/// Each value of each QQ, Bubble and OneBot message sample payload replaced, one at a time, by values of every shape
/// (absent ones, numbers as strings, floats, wide and negative integers, wrong containers):
/// wherever the direct pass reads a mutant, it reads the serde passes' value, and the entry
/// point always gives what the serde passes give.
#[test]
fn every_mutant_of_every_sample_reads_as_the_serde_passes_read_it() {
    let shapes: Vec<serde_json::Value> = [
        "null",
        "\"\"",
        "0",
        "-1",
        "4294967296",
        "18446744073709551616",
        "1.5",
        "\"7\"",
        "\" 7 \"",
        "true",
        "\"true\"",
        "[]",
        "{}",
        "[null]",
        "[\"\"]",
        "\"\\u0041\"",
        "\"x\"",
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    let (mut mutants, mut direct) = (0, 0);
    type Reads = fn(&str, &str) -> bool;
    let platforms: [(&str, &[&str], Reads); 3] = [
        (
            "onebot",
            &["events.jsonl", "schema_events.jsonl"],
            reads_as_onebot,
        ),
        ("qq", &["frames.jsonl", "schema_events.jsonl"], reads_as),
        (
            "bubble",
            &["frames.jsonl", "schema_events.jsonl"],
            reads_as_bubble,
        ),
    ];
    for (platform, files, reads) in platforms {
        for (t, d) in samples(platform, files) {
            let mut all = Vec::new();
            paths(&d, &mut Vec::new(), &mut all);
            for path in &all {
                for shape in &shapes {
                    mutants += 1;
                    direct += usize::from(reads(&t, &replaced(&d, path, shape)));
                }
            }
        }
    }
    // most mutants change a field's shape and are refused; the rest must have been read
    assert!(
        mutants > 9000 && direct > 2500,
        "{mutants} mutants, {direct} read directly"
    );
}

const MESSAGE: &str = r##"{"id":"m1","channel_id":"c1","guild_id":"g1","content":"hi <@!2> \u4f60\u597d \"q\"","timestamp":"2026-12-06T10:00:00+08:00","author":{"id":"1","username":"u","bot":false},"member":{"roles":["1","2"],"joined_at":"2026-01-01T00:00:00+08:00","nick":""},"mentions":[{"id":"2","username":"bot","bot":true}],"attachments":[{"url":"a.png","width":10,"height":20,"size":12345678901}],"seq":7,"seq_in_channel":"7","ark":{"template_id":23,"kv":[{"key":"#DESC#","value":"d","obj":[{"obj_kv":[{"key":"k","value":"v"}]}]}]},"message_reference":{"message_id":"m0"},"message_scene":{"source":"default","ext":["a","b"]},"unknown":{"deep":[1,{"x":null}],"n":-1.5e3}}"##;

#[test]
fn a_full_message_reads_directly_with_its_escapes_and_unknown_fields() {
    let m = reads::<qq::Message>(MESSAGE);
    assert_eq!(m.content, "hi <@!2> 你好 \"q\"");
    assert_eq!(m.member.as_ref().unwrap().nick, None);
    assert_eq!(m.attachments[0].size, Some(12_345_678_901));
    assert_eq!(m.message_scene.as_ref().unwrap().ext, ["a", "b"]);
    // the unescaped strings share the payload's one copy
    assert!(m.id.is_shared() && m.author.id.is_shared());
    let spaced = MESSAGE.replace(',', " ,\n\t").replace(':', " : ");
    reads::<qq::Message>(&spaced);
    reads::<qq::Message>("{}");
    reads::<qq::Message>(r#"{"member":null,"seq":null,"timestamp":"","mentions":[]}"#);
}

/// The direct pass guesses each key from the order it saw last (`Input::fields`): whatever the
/// order, and however often it changes, every key reads to its field.
#[test]
fn keys_in_any_order_read_alike_while_the_guess_learns_and_misses() {
    let value: serde_json::Value = serde_json::from_str(MESSAGE).unwrap();
    let serde_json::Value::Object(map) = value else {
        panic!("an object")
    };
    let entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
    let expected = reads::<qq::Message>(MESSAGE);
    let mut orders = 0;
    for rotate in 0..entries.len() {
        for reverse in [false, true] {
            let mut body: Vec<String> = entries
                .iter()
                .cycle()
                .skip(rotate)
                .take(entries.len())
                .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
                .collect();
            if reverse {
                body.reverse();
            }
            let text = format!("{{{}}}", body.join(","));
            // Twice: the first read teaches the order, the second follows it.
            for _ in 0..2 {
                assert_eq!(reads::<qq::Message>(&text), expected, "{text}");
            }
            orders += 1;
        }
    }
    assert_eq!(orders, 2 * entries.len());
    // A key whose bytes start another's (`seq` / `seq_in_channel`), one too long for a guess
    // (`message_reference`, 17 bytes), and one twice (refused, then read by serde's passes).
    reads::<qq::Message>(r#"{"seq_in_channel":"3","seq":3}"#);
    reads::<qq::Message>(r#"{"seq":3,"seq_in_channel":"3"}"#);
    reads::<qq::Message>(r#"{"message_reference":{"message_id":"m"},"seq":1}"#);
    refuses::<qq::Message>(r#"{"seq":3,"seq":4}"#);
    refuses::<qq::Message>(r#"{"seq":3,"seq_in_channel":"3","seq":4}"#);
}

#[test]
fn what_only_the_coercing_passes_read_is_refused_and_read_by_them() {
    for text in [
        // numbers and strings the other way round, wrong shapes, absent list elements
        r#"{"id":1}"#,
        r#"{"seq":"7"}"#,
        r#"{"mention_everyone":1}"#,
        r#"{"author":null}"#,
        r#"{"author":""}"#,
        r#"{"author":[]}"#,
        r#"{"id":null}"#,
        r#"{"mentions":[null]}"#,
        r#"{"mentions":[""]}"#,
        r#"{"attachments":[{"width":1.5}]}"#,
        r#"{"attachments":[{"width":4294967296}]}"#,
        r#"{"attachments":[{"size":-1}]}"#,
        r#"{"seq":1e3}"#,
        // serde's derive refuses a duplicate key; so does the direct pass
        r#"{"id":"a","id":"b"}"#,
        // malformed: the serde passes report it
        r#"{"id":"a""#,
        r#"{"id":"a"} x"#,
        r#"{"id":"a",}"#,
        r#"[]"#,
        r#"{"\u0069d":"escaped key"}"#,
    ] {
        refuses::<qq::Message>(text);
    }
}

#[test]
fn nesting_past_serde_json_s_limit_is_refused() {
    let deep = format!(r#"{{"unknown":{}{}}}"#, "[".repeat(200), "]".repeat(200));
    refuses::<qq::Message>(&deep);
    let ok = format!(r#"{{"unknown":{}{}}}"#, "[".repeat(100), "]".repeat(100));
    reads::<qq::Message>(&ok);
}

#[test]
fn a_type_without_a_list_has_no_direct_pass() {
    assert!(qq::Ready::DIRECT_FIELDS.is_empty());
    let source: Arc<str> = Arc::from(r#"{"session_id":"s","shard":[0,1]}"#);
    assert!(qq::Ready::direct_boxed(&source).is_none());
    let r = boxed_from_shared::<qq::Ready>(&source).unwrap();
    assert_eq!((r.session_id.as_str(), r.shard), ("s", Some([0, 1])));
}
