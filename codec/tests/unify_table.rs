//! Every row of the mapping table in `docs/unified.md`, checked against a real frame: the table
//! is parsed, each row's frame (a `testdata/` line, or a realistic frame written here where the
//! samples have none) is unified, and event / sub_event / scene / peer / sub_peer / user must be
//! what the row says (the id columns are field paths resolved in the frame itself). Each case
//! then asserts its elements, ids, sender and content. The table is also cross-checked against
//! the `unified` / `scene` keys of `proto/schema/*.toml`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::{BTreeMap, BTreeSet};

use botgate_codec::unify::{unify_frame, Outcome, Unified, UnifyContext};
use botgate_proto::unified::{Element, Media, Platform, Role};
use serde_json::Value;

#[path = "support/samples.rs"]
mod samples;
use samples::{BUBBLE, ONEBOT, QQ};

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/unified.md"));

/// `now` for events without a time of their own.
const NOW: i64 = 1_800_000_000;
const QQ_SELF: &str = "102074";
const BUBBLE_SELF: &str = "123";

// ---- the table ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Row {
    platform: String,
    kind: String,
    when: String,
    event: String,
    scene: String,
    peer: String,
    sub_peer: String,
    user: String,
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in DOC.lines() {
        let line = line.trim();
        if line.starts_with("| platform | kind | when |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            if !out.is_empty() {
                break;
            }
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        assert_eq!(cells.len(), 8, "malformed row: {line}");
        out.push(Row {
            platform: cells[0].clone(),
            kind: cells[1].clone(),
            when: cells[2].clone(),
            event: cells[3].clone(),
            scene: cells[4].clone(),
            peer: cells[5].clone(),
            sub_peer: cells[6].clone(),
            user: cells[7].clone(),
        });
    }
    assert!(
        out.len() > 50,
        "the mapping table was not found in docs/unified.md"
    );
    out
}

// ---- frames ------------------------------------------------------------------------------

enum Src {
    /// 1-based line of a testdata file.
    Line(&'static str, usize),
    /// A frame written here.
    Inline(&'static str),
}

fn frame(platform: &str, src: &Src) -> String {
    match src {
        Src::Inline(s) => (*s).to_owned(),
        Src::Line(file, n) => {
            let text = match *file {
                "qq" => QQ,
                "bubble" => BUBBLE,
                "onebot" => ONEBOT,
                other => panic!("no testdata file {other} ({platform})"),
            };
            text.lines()
                .nth(n - 1)
                .unwrap_or_else(|| panic!("{file} has no line {n}"))
                .to_owned()
        }
    }
}

fn ctx(platform: Platform) -> UnifyContext {
    let id = match platform {
        Platform::Qq => QQ_SELF,
        Platform::Bubble => BUBBLE_SELF,
        _ => "0",
    };
    UnifyContext::new(id).with_now(NOW)
}

fn unify(platform: Platform, bytes: &str) -> Unified {
    match unify_frame(platform, bytes.as_bytes(), &ctx(platform)) {
        Ok(Outcome::Unified(u)) => *u,
        other => panic!("{platform} frame did not unify: {other:?}\n{bytes}"),
    }
}

/// Resolves a table cell (`a.b ?? c`, `self`, `—`) in the frame's payload.
fn resolve(cell: &str, payload: &Value, platform: Platform) -> Option<botgate_proto::Text> {
    if cell == "—" {
        return None;
    }
    cell.split("??").map(str::trim).find_map(|path| {
        if path == "self" {
            return Some(ctx(platform).self_id);
        }
        let mut v = payload;
        for key in path.split('.') {
            v = v.get(key)?;
        }
        match v {
            Value::String(s) if !s.is_empty() => Some(s.as_str().into()),
            Value::Number(n) => Some(n.to_string().into()),
            _ => None,
        }
    })
}

fn payload(platform: Platform, bytes: &str) -> Value {
    let v: Value = serde_json::from_str(bytes).expect("test frames are JSON");
    match platform {
        Platform::OneBot => v,
        _ => v.get("d").cloned().unwrap_or(Value::Null),
    }
}

// ---- the cases ---------------------------------------------------------------------------

struct Case {
    platform: &'static str,
    kind: &'static str,
    when: &'static str,
    src: Src,
    check: fn(&Unified),
}

fn text(s: &str) -> Element {
    Element::text(s)
}

fn content(u: &Unified) -> botgate_proto::unified::Content {
    u.content
        .clone()
        .unwrap_or_else(|| panic!("no content: {u:?}"))
}

fn no_content(u: &Unified) {
    assert_eq!(u.content, None);
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    use Src::{Inline, Line};
    vec![
        // ---- QQ ----
        Case {
            platform: "qq",
            kind: "AT_MESSAGE_CREATE",
            when: "",
            src: Line("qq", 4),
            check: |u| {
                assert_eq!(
                    u.message_id.as_deref(),
                    Some("08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906")
                );
                assert_eq!(
                    u.elements,
                    vec![
                        Element::At {
                            user_id: "6158788878435714165".into(),
                            name: Some("群pro测试机器人".into())
                        },
                        text(" /天气 深圳"),
                    ]
                );
                assert_eq!(
                    u.raw_message.as_deref(),
                    Some("<@!6158788878435714165> /天气 深圳")
                );
                assert_eq!(u.time, 1_621_494_898);
                assert_eq!(u.sender.nick.as_deref(), Some("小明"));
                assert_eq!(u.sender.role, Role::Owner, "guild role 4 is the owner");
                assert_eq!(u.group_id, None);
                assert!(u.is_guild() && !u.is_group() && !u.is_private());
            },
        },
        Case {
            platform: "qq",
            kind: "MESSAGE_CREATE",
            when: "",
            src: Line("qq", 5),
            check: |u| {
                assert_eq!(u.message_id.as_deref(), Some("08a1"));
                assert_eq!(
                    u.elements,
                    vec![
                        Element::Reply {
                            message_id: "08e0".into()
                        },
                        text("大家好 👋"),
                        Element::Image(Media {
                            file: None,
                            url: Some("https://gchat.qpic.cn/qmeetpic/0/0-0-ABC/0".into()),
                            name: Some("a.png".into()),
                            size: Some(3012),
                            mime: Some("image/png".into()),
                        }),
                    ]
                );
                assert_eq!(u.sender.card.as_deref(), Some("强"));
                assert_eq!(u.sender.role, Role::Member);
                assert_eq!(u.time, 1_654_048_800);
            },
        },
        Case {
            platform: "qq",
            kind: "DIRECT_MESSAGE_CREATE",
            when: "",
            src: Line("qq", 6),
            check: |u| {
                assert_eq!(u.elements, vec![text("你好")]);
                assert_eq!(u.message_id.as_deref(), Some("08f1"));
                assert_eq!(u.sender.role, Role::Unknown);
                assert_eq!(u.time, 1_654_048_860);
                assert!(u.is_private());
            },
        },
        Case {
            platform: "qq",
            kind: "GROUP_AT_MESSAGE_CREATE",
            when: "",
            src: Line("qq", 7),
            check: |u| {
                assert!(u
                    .message_id
                    .as_deref()
                    .is_some_and(|m| m.starts_with("ROBOT1.0_kpgrp")));
                // the gap QQ leaves where the @bot mention was is dropped
                assert_eq!(u.elements, vec![text("签到")]);
                assert_eq!(u.raw_message.as_deref(), Some(" 签到"));
                assert_eq!(
                    u.group_id.as_deref(),
                    Some("C9F778FE6ADF9D1D1DBE395BF744A33A")
                );
                assert_eq!(u.time, 1_699_249_038);
                assert_eq!(u.sender.role, Role::Unknown);
                assert_eq!(u.sender.uin, None);
                assert!(u.is_group());
            },
        },
        Case {
            platform: "qq",
            kind: "C2C_MESSAGE_CREATE",
            when: "",
            src: Line("qq", 8),
            check: |u| {
                assert_eq!(u.elements, vec![text("help")]);
                assert_eq!(u.time, 1_699_249_181);
                assert_eq!(u.group_id, None);
            },
        },
        Case {
            platform: "qq",
            kind: "MESSAGE_DELETE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":21,"t":"MESSAGE_DELETE","id":"MESSAGE_DELETE:21","d":{"message":{"author":{"bot":false,"id":"2233","username":"阿强"},"channel_id":"100011","guild_id":"18700000000001","id":"08a1"},"op_user":{"id":"1234567890"}}}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(
                    c.operator_id.as_deref(),
                    Some("1234567890"),
                    "an admin recalled it"
                );
                assert_eq!(c.message_id.as_deref(), Some("08a1"));
                assert_eq!(u.sender.nick.as_deref(), Some("阿强"));
                assert_eq!(u.time, NOW);
            },
        },
        Case {
            platform: "qq",
            kind: "PUBLIC_MESSAGE_DELETE",
            when: "",
            src: Line("qq", 11),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("1234567890"));
                assert_eq!(c.message_id.as_deref(), Some("08e1"));
                assert!(u.elements.is_empty());
            },
        },
        Case {
            platform: "qq",
            kind: "DIRECT_MESSAGE_DELETE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":22,"t":"DIRECT_MESSAGE_DELETE","id":"DIRECT_MESSAGE_DELETE:22","d":{"message":{"author":{"bot":false,"id":"1234567890","username":"小明"},"channel_id":"200001","direct_message":true,"guild_id":"300001","id":"08f1","src_guild_id":"18700000000001"},"op_user":{"id":"1234567890"}}}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.message_id.as_deref(), Some("08f1"));
                assert_eq!(c.operator_id.as_deref(), Some("1234567890"));
                assert!(u.is_private());
            },
        },
        Case {
            platform: "qq",
            kind: "GUILD_MEMBER_ADD",
            when: "",
            src: Line("qq", 9),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("1234567890"));
                assert_eq!(c.role_ids, vec!["1".to_owned()]);
                assert_eq!(u.sender.nick.as_deref(), Some("新人"));
                assert_eq!(u.sender.card, None, "an empty nick is no card");
                assert_eq!(u.time, 1_654_048_920, "joined_at");
            },
        },
        Case {
            platform: "qq",
            kind: "GUILD_MEMBER_UPDATE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":23,"t":"GUILD_MEMBER_UPDATE","id":"GUILD_MEMBER_UPDATE:23","d":{"guild_id":"18700000000001","joined_at":"2022-06-01T10:02:00+08:00","nick":"老新人","op_user_id":"99887766","roles":["1","2"],"user":{"avatar":"http://thirdqq.qlogo.cn/2","bot":false,"id":"99887766","username":"新人"}}}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.new_name.as_deref(), Some("老新人"));
                assert_eq!(c.operator_id.as_deref(), Some("99887766"));
                assert_eq!(u.sender.role, Role::Admin);
                assert_eq!(u.time, NOW, "joined_at is not the update's time");
            },
        },
        Case {
            platform: "qq",
            kind: "GUILD_MEMBER_REMOVE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":24,"t":"GUILD_MEMBER_REMOVE","id":"GUILD_MEMBER_REMOVE:24","d":{"guild_id":"18700000000001","joined_at":"2022-06-01T10:02:00+08:00","nick":"","op_user_id":"1234567890","roles":["1"],"user":{"bot":false,"id":"99887766","username":"新人"}}}"#,
            ),
            check: |u| {
                assert_eq!(
                    content(u).operator_id.as_deref(),
                    Some("1234567890"),
                    "kicked"
                );
                assert_eq!(u.time, NOW);
            },
        },
        Case {
            platform: "qq",
            kind: "MESSAGE_REACTION_ADD",
            when: "",
            src: Line("qq", 10),
            check: |u| {
                let c = content(u);
                assert_eq!(c.emoji.as_deref(), Some("4"));
                assert_eq!(
                    c.message_id.as_deref(),
                    Some("08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906")
                );
                assert_eq!(u.time, NOW);
            },
        },
        Case {
            platform: "qq",
            kind: "MESSAGE_REACTION_REMOVE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":25,"t":"MESSAGE_REACTION_REMOVE","id":"MESSAGE_REACTION_REMOVE:25","d":{"channel_id":"100010","emoji":{"id":"128077","type":2},"guild_id":"18700000000001","target":{"id":"08e1","type":"ReactionTargetType_MSG"},"user_id":"2233"}}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.emoji.as_deref(), Some("128077"));
                assert_eq!(c.message_id.as_deref(), Some("08e1"));
            },
        },
        Case {
            platform: "qq",
            kind: "GROUP_ADD_ROBOT",
            when: "",
            src: Line("qq", 16),
            check: |u| {
                assert_eq!(
                    content(u).operator_id.as_deref(),
                    Some("E4F4AEA33253A2797FB897C50B81D7ED")
                );
                assert_eq!(u.time, 1_699_249_200);
                assert_eq!(
                    u.group_id.as_deref(),
                    Some("C9F778FE6ADF9D1D1DBE395BF744A33A")
                );
            },
        },
        Case {
            platform: "qq",
            kind: "GROUP_DEL_ROBOT",
            when: "",
            src: Inline(
                r#"{"op":0,"s":26,"t":"GROUP_DEL_ROBOT","id":"GROUP_DEL_ROBOT:26","d":{"group_openid":"C9F778FE6ADF9D1D1DBE395BF744A33A","op_member_openid":"E4F4AEA33253A2797FB897C50B81D7ED","timestamp":1699259200}}"#,
            ),
            check: |u| {
                assert_eq!(
                    content(u).operator_id.as_deref(),
                    Some("E4F4AEA33253A2797FB897C50B81D7ED")
                );
                assert_eq!(u.time, 1_699_259_200);
            },
        },
        Case {
            platform: "qq",
            kind: "FRIEND_ADD",
            when: "",
            src: Inline(
                r#"{"op":0,"s":27,"t":"FRIEND_ADD","id":"FRIEND_ADD:27","d":{"openid":"8A3F0C9D2B1E4F5A6B7C8D9E0F1A2B3C","timestamp":1699260000,"nick":"小红"}}"#,
            ),
            check: |u| {
                assert_eq!(u.sender.nick.as_deref(), Some("小红"));
                assert_eq!(u.time, 1_699_260_000);
                no_content(u);
            },
        },
        Case {
            platform: "qq",
            kind: "FRIEND_DEL",
            when: "",
            src: Inline(
                r#"{"op":0,"s":28,"t":"FRIEND_DEL","id":"FRIEND_DEL:28","d":{"openid":"8A3F0C9D2B1E4F5A6B7C8D9E0F1A2B3C","timestamp":"1699260100"}}"#,
            ),
            check: |u| {
                assert_eq!(u.time, 1_699_260_100, "a timestamp sent as a string");
                no_content(u);
            },
        },
        // ---- Bubble ----
        Case {
            platform: "bubble",
            kind: "MESSAGE_CREATE",
            when: "",
            src: Line("bubble", 5),
            check: |u| {
                assert_eq!(u.message_id.as_deref(), Some("1001"));
                assert_eq!(
                    u.elements,
                    vec![
                        Element::at("456"),
                        Element::Unknown {
                            platform_type: "mention_role".into(),
                            raw: serde_json::json!({"id": 100})
                        },
                        text("Hello, world!"),
                    ]
                );
                assert_eq!(u.sender.nick.as_deref(), Some("username"));
                assert_eq!(u.time, 1_767_182_400);
                assert_eq!(u.self_id, BUBBLE_SELF);
            },
        },
        Case {
            platform: "bubble",
            kind: "DM_MESSAGE_CREATE",
            when: "",
            src: Line("bubble", 9),
            check: |u| {
                assert_eq!(u.message_id.as_deref(), Some("2001"));
                assert_eq!(u.elements, vec![text("Private message")]);
                assert!(u.is_private());
            },
        },
        Case {
            platform: "bubble",
            kind: "GROUP_MESSAGE_CREATE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":3,"t":"GROUP_MESSAGE_CREATE","d":{"id":3001,"groupId":77,"threadId":88,"authorId":5,"author":"eve","content":"组里好","type":"text","replyToId":2999,"attachments":[{"url":"https://bubble-oss-files.alemonjs.com/a.jpg","contentType":"image/jpeg","size":2048,"filename":"a.jpg","category":"image"}],"createdAt":"2026-03-10T12:00:00Z"}}"#,
            ),
            check: |u| {
                assert_eq!(
                    u.elements,
                    vec![
                        Element::Reply {
                            message_id: "2999".into()
                        },
                        text("组里好"),
                        Element::Image(Media {
                            file: None,
                            url: Some("https://bubble-oss-files.alemonjs.com/a.jpg".into()),
                            name: Some("a.jpg".into()),
                            size: Some(2048),
                            mime: Some("image/jpeg".into()),
                        }),
                    ]
                );
                assert_eq!(u.sender.nick.as_deref(), Some("eve"));
                assert_eq!(u.group_id.as_deref(), Some("77"));
                assert_eq!(u.time, 1_773_144_000);
            },
        },
        Case {
            platform: "bubble",
            kind: "MESSAGE_UPDATE",
            when: "",
            src: Line("bubble", 7),
            check: |u| {
                assert_eq!(u.elements, vec![text("Updated content")]);
                assert_eq!(content(u).message_id.as_deref(), Some("1001"));
                assert_eq!(u.time, 1_767_183_000, "editedTimestamp");
            },
        },
        Case {
            platform: "bubble",
            kind: "DM_MESSAGE_UPDATE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":4,"t":"DM_MESSAGE_UPDATE","d":{"id":2001,"threadId":456,"authorId":1,"author":"username","content":"Private message (edited)","editedAt":"2026-03-10T12:05:00Z"}}"#,
            ),
            check: |u| {
                assert_eq!(u.elements, vec![text("Private message (edited)")]);
                assert_eq!(u.time, 1_773_144_300);
            },
        },
        Case {
            platform: "bubble",
            kind: "GROUP_MESSAGE_UPDATE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":5,"t":"GROUP_MESSAGE_UPDATE","d":{"id":3001,"groupId":77,"threadId":88,"authorId":5,"author":"eve","content":"组里好!","editedAt":"2026-03-10T12:05:00Z"}}"#,
            ),
            check: |u| {
                assert_eq!(content(u).message_id.as_deref(), Some("3001"));
                assert_eq!(u.raw_message.as_deref(), Some("组里好!"));
            },
        },
        Case {
            platform: "bubble",
            kind: "MESSAGE_DELETE",
            when: "",
            src: Line("bubble", 8),
            check: |u| {
                assert_eq!(content(u).message_id.as_deref(), Some("1001"));
                assert_eq!(u.time, NOW);
            },
        },
        Case {
            platform: "bubble",
            kind: "DM_MESSAGE_DELETE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":6,"t":"DM_MESSAGE_DELETE","d":{"id":2001,"threadId":456,"deleted":true}}"#,
            ),
            check: |u| assert_eq!(content(u).message_id.as_deref(), Some("2001")),
        },
        Case {
            platform: "bubble",
            kind: "GROUP_MESSAGE_DELETE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":7,"t":"GROUP_MESSAGE_DELETE","d":{"id":3001,"groupId":77,"threadId":88,"deleted":true}}"#,
            ),
            check: |u| {
                assert_eq!(content(u).message_id.as_deref(), Some("3001"));
                assert_eq!(u.group_id.as_deref(), Some("77"));
            },
        },
        Case {
            platform: "bubble",
            kind: "MESSAGE_REACTION_ADD",
            when: "",
            src: Inline(
                r#"{"op":0,"s":8,"t":"MESSAGE_REACTION_ADD","d":{"messageId":1001,"channelId":123,"userId":7,"emoji":"👍","user":{"id":7,"name":"grace"}}}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.emoji.as_deref(), Some("👍"));
                assert_eq!(c.message_id.as_deref(), Some("1001"));
                assert_eq!(u.sender.nick.as_deref(), Some("grace"));
            },
        },
        Case {
            platform: "bubble",
            kind: "MESSAGE_REACTION_REMOVE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":9,"t":"MESSAGE_REACTION_REMOVE","d":{"messageId":1001,"channelId":123,"userId":7,"emoji":"👍"}}"#,
            ),
            check: |u| assert_eq!(content(u).emoji.as_deref(), Some("👍")),
        },
        Case {
            platform: "bubble",
            kind: "GUILD_MEMBER_ADD",
            when: "",
            src: Line("bubble", 10),
            check: |u| {
                assert_eq!(u.sender.nick.as_deref(), Some("newuser"));
                assert_eq!(u.time, 1_767_182_400);
                no_content(u);
            },
        },
        Case {
            platform: "bubble",
            kind: "GUILD_MEMBER_UPDATE",
            when: "",
            src: Line("bubble", 11),
            check: |u| {
                let c = content(u);
                assert_eq!(c.new_name.as_deref(), Some("New Nickname"));
                assert_eq!(c.role_ids, vec!["100".to_owned(), "101".to_owned()]);
            },
        },
        Case {
            platform: "bubble",
            kind: "GUILD_MEMBER_REMOVE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":10,"t":"GUILD_MEMBER_REMOVE","d":{"guildId":10,"userId":999,"operatorId":1}}"#,
            ),
            check: |u| assert_eq!(content(u).operator_id.as_deref(), Some("1")),
        },
        Case {
            platform: "bubble",
            kind: "GROUP_MEMBER_ADD",
            when: "",
            src: Inline(
                r#"{"op":0,"s":11,"t":"GROUP_MEMBER_ADD","d":{"groupId":77,"threadId":88,"userId":9,"user":{"id":9,"name":"ivan"},"operatorId":5,"joinedAt":"2026-03-10T12:00:00Z"}}"#,
            ),
            check: |u| {
                assert_eq!(content(u).operator_id.as_deref(), Some("5"));
                assert_eq!(u.sender.nick.as_deref(), Some("ivan"));
                assert_eq!(u.time, 1_773_144_000);
            },
        },
        Case {
            platform: "bubble",
            kind: "GROUP_MEMBER_REMOVE",
            when: "",
            src: Inline(
                r#"{"op":0,"s":12,"t":"GROUP_MEMBER_REMOVE","d":{"groupId":77,"userId":9}}"#,
            ),
            check: |u| {
                no_content(u);
                assert_eq!(u.time, NOW);
            },
        },
        // ---- OneBot ----
        Case {
            platform: "onebot",
            kind: "message.private",
            when: "sub_type friend, other, normal, group_self",
            src: Line("onebot", 2),
            check: |u| {
                assert_eq!(
                    u.elements,
                    vec![
                        Element::at("123456789"),
                        text(" 你好"),
                        Element::Face { id: "178".into() },
                        Element::Image(Media {
                            file: Some("abc.jpg".into()),
                            url: Some("http://example.invalid/abc.jpg".into()),
                            ..Media::default()
                        }),
                    ]
                );
                assert_eq!(u.message_id.as_deref(), Some("12346"));
                assert_eq!(u.raw_message.as_deref(), Some("@bot 你好[表情178][图片]"));
                assert_eq!(u.sender.nick.as_deref(), Some("张三"));
                assert_eq!(u.sender.role, Role::Unknown);
                assert_eq!(u.self_id, "123456789");
                assert_eq!(u.time, 1_712_640_000);
            },
        },
        Case {
            platform: "onebot",
            kind: "message.private",
            when: "sub_type group",
            src: Inline(
                r#"{"time":1712640100,"self_id":123456789,"post_type":"message","message_type":"private","sub_type":"group","message_id":777,"user_id":555666777,"message":"在吗","raw_message":"在吗","font":0,"sender":{"user_id":555666777,"nickname":"路人","group_id":987654321}}"#,
            ),
            check: |u| {
                assert_eq!(u.group_id.as_deref(), Some("987654321"));
                assert_eq!(u.elements, vec![text("在吗")]);
                assert!(u.is_private() && !u.is_group());
            },
        },
        Case {
            platform: "onebot",
            kind: "message.group",
            when: "",
            src: Line("onebot", 1),
            check: |u| {
                assert_eq!(u.elements, vec![text("hello")]);
                assert_eq!(u.sender.role, Role::Member);
                assert_eq!(u.sender.card.as_deref(), Some("群名片"));
                assert_eq!(u.sender.nick.as_deref(), Some("张三"));
                assert_eq!(u.message_id.as_deref(), Some("12345"));
                assert_eq!(u.group_id.as_deref(), Some("987654321"));
                no_content(u);
            },
        },
        Case {
            platform: "onebot",
            kind: "message.group",
            when: "sub_type anonymous",
            src: Inline(
                r#"{"time":1712640200,"self_id":123456789,"post_type":"message","message_type":"group","sub_type":"anonymous","message_id":12400,"group_id":987654321,"user_id":80000000,"anonymous":{"id":1001,"name":"大力鬼","flag":"大力鬼|1001"},"message":[{"type":"text","data":{"text":"猜猜我是谁"}}],"raw_message":"猜猜我是谁","font":0,"sender":{"user_id":80000000,"nickname":"匿名消息","role":"member"}}"#,
            ),
            check: |u| {
                assert_eq!(
                    u.sender.role,
                    Role::Unknown,
                    "anonymous senders have no role"
                );
                assert_eq!(u.sender.nick.as_deref(), Some("大力鬼"));
                let a = content(u).anonymous.expect("anonymous kept");
                assert_eq!((a.id.as_str(), a.flag.as_str()), ("1001", "大力鬼|1001"));
            },
        },
        Case {
            platform: "onebot",
            kind: "message_sent.private",
            when: "",
            src: Inline(
                r#"{"time":1712640300,"self_id":123456789,"post_type":"message_sent","message_type":"private","sub_type":"friend","message_id":12500,"user_id":123456789,"target_id":111222333,"message":[{"type":"reply","data":{"id":"12346"}},{"type":"text","data":{"text":"收到"}}],"raw_message":"[CQ:reply,id=12346]收到","font":0,"sender":{"user_id":123456789,"nickname":"bot"}}"#,
            ),
            check: |u| {
                assert_eq!(
                    u.elements,
                    vec![
                        Element::Reply {
                            message_id: "12346".into()
                        },
                        text("收到")
                    ]
                );
                assert_eq!(u.sender.uid, "123456789");
            },
        },
        Case {
            platform: "onebot",
            kind: "message_sent.group",
            when: "",
            src: Inline(
                r#"{"time":1712640400,"self_id":123456789,"post_type":"message_sent","message_type":"group","sub_type":"normal","message_id":12600,"group_id":987654321,"user_id":123456789,"message":[{"type":"at","data":{"qq":"all"}},{"type":"text","data":{"text":" 开会"}},{"type":"json","data":{"data":"{\"app\":\"com.tencent.x\"}"}},{"type":"dice","data":{"result":"3"}}],"raw_message":"","font":0,"sender":{"user_id":123456789,"nickname":"bot","role":"owner"}}"#,
            ),
            check: |u| {
                assert_eq!(u.elements[0], Element::AtAll);
                assert_eq!(u.elements[1], text(" 开会"));
                assert_eq!(
                    u.elements[2],
                    Element::Json {
                        data: r#"{"app":"com.tencent.x"}"#.into()
                    }
                );
                let Element::Unknown { platform_type, raw } = &u.elements[3] else {
                    panic!("{:?}", u.elements[3]);
                };
                assert_eq!(platform_type, "dice");
                assert_eq!(raw["result"], 3);
                assert_eq!(u.sender.role, Role::Owner);
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.group_recall",
            when: "",
            src: Line("onebot", 4),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("111222333"));
                assert_eq!(c.message_id.as_deref(), Some("12345"));
                assert_eq!(u.time, 1_712_640_002);
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.friend_recall",
            when: "",
            src: Line("onebot", 5),
            check: |u| assert_eq!(content(u).message_id.as_deref(), Some("12345")),
        },
        Case {
            platform: "onebot",
            kind: "notice.group_increase",
            when: "",
            src: Line("onebot", 6),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("444555666"));
                assert_eq!(c.action.as_deref(), Some("approve"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.group_decrease",
            when: "",
            src: Line("onebot", 7),
            check: |u| assert_eq!(content(u).action.as_deref(), Some("kick")),
        },
        Case {
            platform: "onebot",
            kind: "notice.group_ban",
            when: "user_id not 0",
            src: Line("onebot", 8),
            check: |u| {
                let c = content(u);
                assert_eq!(c.duration, Some(600));
                assert_eq!(c.action.as_deref(), Some("ban"));
                assert_eq!(c.operator_id.as_deref(), Some("444555666"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.group_ban",
            when: "user_id 0",
            src: Line("onebot", 9),
            check: |u| {
                let c = content(u);
                assert_eq!(c.action.as_deref(), Some("lift_ban"));
                assert_eq!(c.duration, Some(0));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.group_admin",
            when: "",
            src: Line("onebot", 10),
            check: |u| assert_eq!(content(u).action.as_deref(), Some("set")),
        },
        Case {
            platform: "onebot",
            kind: "notice.group_upload",
            when: "",
            src: Line("onebot", 11),
            check: |u| {
                let f = content(u).file.expect("file");
                assert_eq!(f.id.as_deref(), Some("file_uuid"));
                assert_eq!(f.name.as_deref(), Some("document.pdf"));
                assert_eq!(f.size, Some(102_400));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.friend_add",
            when: "",
            src: Line("onebot", 12),
            check: no_content,
        },
        Case {
            platform: "onebot",
            kind: "notice.offline_file",
            when: "",
            src: Inline(
                r#"{"time":1712640500,"self_id":123456789,"post_type":"notice","notice_type":"offline_file","user_id":111222333,"file":{"name":"照片.zip","size":2048,"url":"http://example.invalid/f.zip"}}"#,
            ),
            check: |u| {
                let f = content(u).file.expect("file");
                assert_eq!(f.name.as_deref(), Some("照片.zip"));
                assert_eq!(f.url.as_deref(), Some("http://example.invalid/f.zip"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.notify.poke",
            when: "group_id set",
            src: Line("onebot", 13),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("111222333"));
                assert_eq!(c.target_id.as_deref(), Some("123456789"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.notify.poke",
            when: "no group_id",
            src: Line("onebot", 14),
            check: |u| {
                assert_eq!(content(u).target_id.as_deref(), Some("123456789"));
                assert!(u.is_private());
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.notify.lucky_king",
            when: "",
            src: Line("onebot", 15),
            check: |u| assert_eq!(content(u).target_id.as_deref(), Some("222333444")),
        },
        Case {
            platform: "onebot",
            kind: "notice.notify.honor",
            when: "",
            src: Line("onebot", 16),
            check: |u| assert_eq!(content(u).honor.as_deref(), Some("talkative")),
        },
        Case {
            platform: "onebot",
            kind: "notice.notify.title",
            when: "",
            src: Inline(
                r#"{"time":1712640600,"self_id":123456789,"post_type":"notice","notice_type":"notify","sub_type":"title","group_id":987654321,"user_id":111222333,"title":"话痨"}"#,
            ),
            check: |u| assert_eq!(content(u).new_name.as_deref(), Some("话痨")),
        },
        Case {
            platform: "onebot",
            kind: "notice.group_card",
            when: "",
            src: Inline(
                r#"{"time":1712640700,"self_id":123456789,"post_type":"notice","notice_type":"group_card","group_id":987654321,"user_id":111222333,"card_new":"新名片","card_old":"群名片"}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.new_name.as_deref(), Some("新名片"));
                assert_eq!(c.old_name.as_deref(), Some("群名片"));
                assert_eq!(u.sender.card.as_deref(), Some("新名片"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.essence",
            when: "",
            src: Inline(
                r#"{"time":1712640800,"self_id":123456789,"post_type":"notice","notice_type":"essence","sub_type":"add","group_id":987654321,"sender_id":111222333,"operator_id":444555666,"message_id":12345}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!(c.operator_id.as_deref(), Some("444555666"));
                assert_eq!(c.message_id.as_deref(), Some("12345"));
                assert_eq!(c.action.as_deref(), Some("add"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.group_msg_emoji_like",
            when: "",
            src: Inline(
                r#"{"time":1712640900,"self_id":123456789,"post_type":"notice","notice_type":"group_msg_emoji_like","group_id":987654321,"user_id":111222333,"message_id":12345,"likes":[{"emoji_id":"76","count":2}],"is_add":true}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!((c.emoji.as_deref(), c.count), (Some("76"), Some(2)));
                assert_eq!(c.action.as_deref(), Some("add"));
                assert_eq!(c.message_id.as_deref(), Some("12345"));
            },
        },
        Case {
            platform: "onebot",
            kind: "notice.reaction",
            when: "",
            src: Inline(
                r#"{"time":1712641000,"self_id":123456789,"post_type":"notice","notice_type":"reaction","sub_type":"remove","group_id":987654321,"message_id":12345,"operator_id":111222333,"code":"424","count":0}"#,
            ),
            check: |u| {
                let c = content(u);
                assert_eq!((c.emoji.as_deref(), c.count), (Some("424"), Some(0)));
                assert_eq!(c.action.as_deref(), Some("remove"));
            },
        },
        Case {
            platform: "onebot",
            kind: "request.friend",
            when: "",
            src: Line("onebot", 17),
            check: |u| {
                let c = content(u);
                assert_eq!(c.flag.as_deref(), Some("friend_uin"));
                assert_eq!(c.comment.as_deref(), Some("验证消息"));
            },
        },
        Case {
            platform: "onebot",
            kind: "request.group",
            when: "sub_type add",
            src: Line("onebot", 18),
            check: |u| assert_eq!(content(u).flag.as_deref(), Some("seq|groupCode|type")),
        },
        Case {
            platform: "onebot",
            kind: "request.group",
            when: "sub_type invite",
            src: Line("onebot", 19),
            check: |u| {
                let c = content(u);
                assert_eq!(c.flag.as_deref(), Some("7|987654321|2"));
                assert_eq!(c.action.as_deref(), Some("invite"));
            },
        },
    ]
}

// ---- the tests ---------------------------------------------------------------------------

type Key = (String, String, String);

fn key(platform: &str, kind: &str, when: &str) -> Key {
    (platform.to_owned(), kind.to_owned(), when.to_owned())
}

#[test]
fn every_table_row_has_exactly_one_case_and_every_case_a_row() {
    let rows: BTreeSet<Key> = rows()
        .iter()
        .map(|r| key(&r.platform, &r.kind, &r.when))
        .collect();
    assert_eq!(
        rows.len(),
        self::rows().len(),
        "duplicate rows in docs/unified.md"
    );
    let cases: Vec<Key> = cases()
        .iter()
        .map(|c| key(c.platform, c.kind, c.when))
        .collect();
    let case_set: BTreeSet<Key> = cases.iter().cloned().collect();
    assert_eq!(case_set.len(), cases.len(), "duplicate cases");
    let missing: Vec<_> = rows.difference(&case_set).collect();
    let extra: Vec<_> = case_set.difference(&rows).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "rows without a case: {missing:?}; cases without a row: {extra:?}"
    );
}

#[test]
fn every_mapping_row_holds_for_its_sample_frame() {
    let by_key: BTreeMap<Key, Case> = cases()
        .into_iter()
        .map(|c| (key(c.platform, c.kind, c.when), c))
        .collect();
    for row in rows() {
        let label = format!("{} {} [{}]", row.platform, row.kind, row.when);
        let Some(case) = by_key.get(&key(&row.platform, &row.kind, &row.when)) else {
            continue; // reported by the test above
        };
        let platform: Platform = row.platform.parse().expect("platform column");
        let bytes = frame(&row.platform, &case.src);
        let u = unify(platform, &bytes);
        assert_eq!(
            u.original.kind(),
            row.kind,
            "{label}: the frame is another kind"
        );
        assert_eq!(u.platform, platform, "{label}");
        assert_eq!(format!("{}/{}", u.event, u.sub_event), row.event, "{label}");
        assert_eq!(u.contact.scene.as_str(), row.scene, "{label}");
        let p = payload(platform, &bytes);
        let peer = resolve(&row.peer, &p, platform).unwrap_or_default();
        assert!(
            !peer.is_empty(),
            "{label}: the peer column resolves to nothing"
        );
        assert_eq!(u.contact.peer, peer, "{label}: peer");
        assert_eq!(
            u.contact.sub_peer,
            resolve(&row.sub_peer, &p, platform),
            "{label}: sub_peer"
        );
        let user = resolve(&row.user, &p, platform).unwrap_or_default();
        assert_eq!(u.user_id, user, "{label}: user");
        assert_eq!(u.sender.uid, user, "{label}: sender.uid");
        let expected_self = match platform {
            Platform::OneBot => p["self_id"].to_string(),
            _ => String::from(ctx(platform).self_id),
        };
        assert_eq!(u.self_id, expected_self, "{label}: self_id");
        (case.check)(&u);
        // The JSON is the spec's shape.
        let json = serde_json::to_value(&u).expect("serialises");
        assert_eq!(json["contact"]["scene"], row.scene, "{label}");
        assert_eq!(json["is_group"], row.scene == "group", "{label}");
        assert_eq!(json["is_guild"], row.scene == "guild", "{label}");
        assert_eq!(
            json.get("group_id").is_some(),
            u.group_id.is_some(),
            "{label}"
        );
    }
}

#[test]
fn table_agrees_with_the_schema_unified_and_scene_keys() {
    let rows = rows();
    let schemas = [
        (
            "qq",
            "name",
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proto/schema/qq.toml"
            )),
        ),
        (
            "bubble",
            "name",
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proto/schema/bubble.toml"
            )),
        ),
        (
            "onebot",
            "kind",
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proto/schema/onebot.toml"
            )),
        ),
    ];
    let mut known = BTreeSet::new();
    let mut refinements = BTreeSet::new();
    for (platform, name_key, text) in schemas {
        let doc: toml::Value = text.parse().expect("schema parses");
        let events = doc
            .get("event")
            .and_then(toml::Value::as_array)
            .expect("[[event]]");
        for ev in events {
            let name = ev
                .get(name_key)
                .and_then(toml::Value::as_str)
                .expect("event name");
            known.insert((platform, name.to_owned()));
            let unified = ev.get("unified").and_then(toml::Value::as_str);
            let scene = ev.get("scene").and_then(toml::Value::as_str);
            let mine: Vec<&Row> = rows
                .iter()
                .filter(|r| r.platform == platform && r.kind == name)
                .collect();
            match unified {
                Some(u) => {
                    let scene =
                        scene.unwrap_or_else(|| panic!("{platform} {name}: unified without scene"));
                    assert!(
                        mine.iter().any(|r| r.event == u && r.scene == scene),
                        "{platform} {name}: schema says {u} in {scene}, docs/unified.md has {:?}",
                        mine.iter()
                            .map(|r| (&r.event, &r.scene))
                            .collect::<Vec<_>>()
                    );
                    for r in &mine {
                        assert!(
                            r.event == u || !r.when.is_empty(),
                            "{platform} {name}: an unconditional row must say {u}, not {}",
                            r.event
                        );
                    }
                }
                None => {
                    for r in &mine {
                        if let Some(scene) = scene {
                            assert_eq!(r.scene, scene, "{platform} {name}: schema scene");
                        }
                        refinements.insert(format!("{platform} {name}"));
                    }
                }
            }
        }
    }
    for r in &rows {
        assert!(
            known.contains(&(r.platform.as_str(), r.kind.clone())),
            "docs/unified.md maps {} {}, which the schema does not know",
            r.platform,
            r.kind
        );
    }
    // Mappings the schema has no `unified` key for: data-dependent or botgate additions. A
    // new one must be added here (and, where it is unconditional, to the schema).
    let expected: BTreeSet<String> = ["onebot notice.notify.poke"].map(String::from).into();
    assert_eq!(refinements, expected);
}

#[test]
fn frames_with_no_unified_meaning_are_skipped_by_kind() {
    let skipped = |platform: Platform, file: &'static str, n: usize| -> String {
        let bytes = frame(platform.as_str(), &Src::Line(file, n));
        match unify_frame(platform, bytes.as_bytes(), &ctx(platform)) {
            Ok(Outcome::Skipped(s)) => {
                assert_eq!(s.platform, platform);
                s.kind
            }
            other => panic!("{platform} line {n} was not skipped: {other:?}"),
        }
    };
    assert_eq!(skipped(Platform::Qq, "qq", 1), "op 10");
    assert_eq!(skipped(Platform::Qq, "qq", 2), "READY");
    assert_eq!(skipped(Platform::Qq, "qq", 3), "op 11");
    assert_eq!(skipped(Platform::Qq, "qq", 12), "MESSAGE_AUDIT_PASS");
    assert_eq!(skipped(Platform::Qq, "qq", 13), "FORUM_THREAD_CREATE");
    assert_eq!(skipped(Platform::Qq, "qq", 14), "AUDIO_START");
    assert_eq!(skipped(Platform::Qq, "qq", 15), "INTERACTION_CREATE");
    assert_eq!(skipped(Platform::Qq, "qq", 17), "SOME_FUTURE_EVENT");
    assert_eq!(skipped(Platform::Qq, "qq", 18), "op 7");
    assert_eq!(skipped(Platform::Qq, "qq", 19), "op 9");
    assert_eq!(skipped(Platform::Qq, "qq", 20), "RESUMED");
    assert_eq!(skipped(Platform::Bubble, "bubble", 2), "BOT_READY");
    assert_eq!(skipped(Platform::Bubble, "bubble", 4), "EVENTS_SUBSCRIBED");
    assert_eq!(skipped(Platform::Bubble, "bubble", 12), "GUILD_ROLE_CREATE");
    assert_eq!(skipped(Platform::Bubble, "bubble", 16), "ERROR");
    assert_eq!(skipped(Platform::Bubble, "bubble", 17), "op 11");
    assert_eq!(
        skipped(Platform::OneBot, "onebot", 20),
        "meta_event.lifecycle"
    );
    assert_eq!(
        skipped(Platform::OneBot, "onebot", 21),
        "meta_event.heartbeat"
    );
    assert_eq!(skipped(Platform::OneBot, "onebot", 22), "action response");
    assert_eq!(
        skipped(Platform::OneBot, "onebot", 24),
        "notice.some_new_notice"
    );
}

#[test]
fn onebot_cq_string_message_becomes_reply_at_all_text_and_image() {
    let u = unify(Platform::OneBot, &frame("onebot", &Src::Line("onebot", 3)));
    assert_eq!(
        u.elements,
        vec![
            Element::Reply {
                message_id: "12345".into()
            },
            Element::AtAll,
            text(" 今晚8点开会[重要] "),
            Element::Image(Media {
                file: Some("a.jpg".into()),
                url: Some("http://x.invalid/a?b=1,2".into()),
                ..Media::default()
            }),
        ]
    );
    assert_eq!(u.message_id.as_deref(), Some("-2147483000"));
    assert_eq!(u.sender.role, Role::Admin);
}

#[test]
fn bubble_2026_message_without_guild_uses_the_channel_as_peer() {
    let u = unify(Platform::Bubble, &frame("bubble", &Src::Line("bubble", 6)));
    assert_eq!(
        (u.contact.peer.as_str(), u.contact.sub_peer.as_deref()),
        ("123", Some("123"))
    );
    assert_eq!(u.user_id, "1");
    assert_eq!(u.sender.nick.as_deref(), Some("username"));
    assert_eq!(
        u.elements,
        vec![
            Element::Reply {
                message_id: "1001".into()
            },
            Element::At {
                user_id: "456".into(),
                name: Some("bob".into())
            },
            text("新版格式"),
        ]
    );
    assert_eq!(u.time, 1_773_144_000);
}

#[test]
fn masters_and_admins_come_from_the_context() {
    let bytes = frame("onebot", &Src::Line("onebot", 1));
    let perms = botgate_proto::unified::Permissions::new(["111222333"], ["444555666"]);
    let ctx = UnifyContext::new("0").with_permissions(perms);
    let Ok(Outcome::Unified(u)) = unify_frame(Platform::OneBot, bytes.as_bytes(), &ctx) else {
        panic!("not unified");
    };
    assert!(u.is_master && u.is_admin);
    let json = serde_json::to_value(&*u).unwrap();
    assert_eq!(
        (json["is_master"].as_bool(), json["is_admin"].as_bool()),
        (Some(true), Some(true))
    );
    let with = serde_json::to_value(u.with_original()).unwrap();
    assert_eq!(with["original"]["kind"], "message.group");
    assert_eq!(with["original"]["data"]["group_id"], 987654321);
    let plain = unify(Platform::OneBot, &bytes);
    assert!(!plain.is_master && !plain.is_admin);
}

#[test]
fn masters_and_admins_configured_as_numbers_match_the_decimal_ids() {
    // A bot's config written by hand: OneBot accounts as JSON numbers (wider than 32 bits
    // too), as strings, or both.
    let perms: botgate_proto::unified::Permissions =
        serde_json::from_str(r#"{"masters":[111222333],"admins":["444555666",9876543210123]}"#)
            .expect("numeric ids are ids");
    assert_eq!(perms.masters, ["111222333"]);
    assert_eq!(perms.admins, ["444555666", "9876543210123"]);
    let ctx = UnifyContext::new("0").with_permissions(perms);
    let bytes = frame("onebot", &Src::Line("onebot", 1));
    let Ok(Outcome::Unified(u)) = unify_frame(Platform::OneBot, bytes.as_bytes(), &ctx) else {
        panic!("not unified");
    };
    assert!(u.is_master && u.is_admin);
    let wide = bytes.replace("\"user_id\": 111222333", "\"user_id\": 9876543210123");
    let Ok(Outcome::Unified(u)) = unify_frame(Platform::OneBot, wide.as_bytes(), &ctx) else {
        panic!("not unified");
    };
    assert_eq!(u.user_id, "9876543210123");
    assert!(!u.is_master && u.is_admin);
}
