//! OneBot v11 action params against the standard's action table (`api/public.md` of
//! botuniverse/onebot-11): a parameter left out means the standard's default, both in the
//! params a `..Default::default()` builds and in params decoded from a request; and
//! `set_group_add_request` takes `type` for `sub_type` (decision 0086).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_proto::onebot::action::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn decode<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

#[test]
fn absent_params_read_as_the_standard_defaults() {
    // `duration` 30 * 60: absent is a 30-minute mute, not "lift the ban" (0).
    let p: SetGroupBan = decode(json!({"group_id": 1, "user_id": 2}));
    assert_eq!(p.duration, 1800, "set_group_ban.duration");
    // `enable` true.
    let p: SetGroupWholeBan = decode(json!({"group_id": 1}));
    assert!(p.enable, "set_group_whole_ban.enable");
    let p: SetGroupAdmin = decode(json!({"group_id": 1, "user_id": 2}));
    assert!(p.enable, "set_group_admin.enable");
    // `approve` true.
    let p: SetFriendAddRequest = decode(json!({"flag": "f"}));
    assert!(p.approve, "set_friend_add_request.approve");
    let p: SetGroupAddRequest = decode(json!({"flag": "f", "sub_type": "add"}));
    assert!(p.approve, "set_group_add_request.approve");
    // `duration` -1 (forever).
    let p: SetGroupSpecialTitle = decode(json!({"group_id": 1, "user_id": 2}));
    assert_eq!(p.duration, -1, "set_group_special_title.duration");
    // `times` 1.
    let p: SendLike = decode(json!({"user_id": 1}));
    assert_eq!(p.times, 1, "send_like.times");
    // The defaults that were right stay so.
    let p: SetGroupKick = decode(json!({"group_id": 1, "user_id": 2}));
    assert!(!p.reject_add_request);
    let p: SetGroupLeave = decode(json!({"group_id": 1}));
    assert!(!p.is_dismiss);
    let p: GetGroupMemberInfo = decode(json!({"group_id": 1, "user_id": 2}));
    assert!(!p.no_cache);
}

#[test]
fn default_built_params_send_the_standard_defaults() {
    assert_eq!(
        serde_json::to_value(SetGroupBan {
            group_id: 1,
            user_id: 2,
            ..Default::default()
        })
        .unwrap(),
        json!({"group_id": 1, "user_id": 2, "duration": 1800})
    );
    assert_eq!(
        serde_json::to_value(SetGroupAddRequest {
            flag: "f".into(),
            sub_type: "invite".into(),
            ..Default::default()
        })
        .unwrap(),
        json!({"flag": "f", "sub_type": "invite", "approve": true, "reason": ""})
    );
    assert_eq!(
        serde_json::to_value(SetFriendAddRequest {
            flag: "f".into(),
            ..Default::default()
        })
        .unwrap(),
        json!({"flag": "f", "approve": true, "remark": ""})
    );
    assert_eq!(
        serde_json::to_value(SendLike {
            user_id: 1,
            ..Default::default()
        })
        .unwrap(),
        json!({"user_id": 1, "times": 1})
    );
    assert_eq!(
        serde_json::to_value(SetGroupSpecialTitle {
            group_id: 1,
            user_id: 2,
            special_title: "t".into(),
            ..Default::default()
        })
        .unwrap(),
        json!({"group_id": 1, "user_id": 2, "special_title": "t", "duration": -1})
    );
    assert_eq!(
        serde_json::to_value(SetGroupWholeBan {
            group_id: 1,
            ..Default::default()
        })
        .unwrap(),
        json!({"group_id": 1, "enable": true})
    );
    assert_eq!(
        serde_json::to_value(SetGroupAdmin {
            group_id: 1,
            user_id: 2,
            ..Default::default()
        })
        .unwrap(),
        json!({"group_id": 1, "user_id": 2, "enable": true})
    );
}

#[test]
fn set_group_add_request_reads_type_as_sub_type() {
    // "`sub_type` 或 `type`": go-cqhttp-era frameworks send `type`.
    let p: SetGroupAddRequest =
        decode(json!({"flag": "7|1|2", "type": "invite", "approve": false}));
    assert_eq!(
        (p.flag.as_str(), p.sub_type.as_str(), p.approve),
        ("7|1|2", "invite", false)
    );
    // Sent as `sub_type`, the standard's first spelling.
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"flag": "7|1|2", "sub_type": "invite", "approve": false, "reason": ""})
    );
}

#[test]
fn responses_read_numbers_sent_as_strings() {
    // `message_id` int32, `user_id` int64: some implementations send strings.
    let r: MessageIdResult = decode(json!({"message_id": "12"}));
    assert_eq!(r.message_id, 12);
    let m: GroupMemberInfo = decode(json!({
        "group_id": "1", "user_id": "2", "nickname": "n", "card": "c", "sex": "unknown",
        "age": "18", "join_time": "1700000000", "last_sent_time": 1700000001, "level": 3,
        "role": "admin", "unfriendly": 0, "title": "t", "title_expire_time": "0",
        "card_changeable": true
    }));
    assert_eq!(
        (m.group_id, m.user_id, m.nickname.as_str(), m.card.as_str()),
        (1, 2, "n", "c")
    );
    assert_eq!(
        (m.age, m.join_time, m.last_sent_time, m.level.as_deref()),
        (
            Some(18),
            Some(1_700_000_000),
            Some(1_700_000_001),
            Some("3")
        )
    );
    assert_eq!(m.role, Some(botgate_proto::onebot::Role::Admin));
    assert_eq!(
        (
            m.unfriendly,
            m.title.as_deref(),
            m.title_expire_time,
            m.card_changeable
        ),
        (Some(false), Some("t"), Some(0), Some(true))
    );
    let g: GroupInfo = decode(
        json!({"group_id": "9", "group_name": "g", "member_count": "3", "max_member_count": 200}),
    );
    assert_eq!(
        (g.group_id, g.member_count, g.max_member_count),
        (9, Some(3), Some(200))
    );
    let me: LoginInfo = decode(json!({"user_id": "10001", "nickname": "bot"}));
    assert_eq!(me.user_id, 10001);
    let msg: MsgInfo = decode(json!({
        "time": "1", "message_type": "group", "message_id": "5", "real_id": "6",
        "sender": {"user_id": "2", "nickname": "n", "card": "c", "role": "member"},
        "message": "hi[CQ:face,id=1]"
    }));
    assert_eq!(
        (msg.time, msg.message_id, msg.real_id, msg.sender.user_id),
        (1, 5, Some(6), 2)
    );
    assert_eq!(msg.message.0.len(), 2);
}
