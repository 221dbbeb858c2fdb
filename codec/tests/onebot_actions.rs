//! Typed actions: every action's name, its params on the wire, and its response `data` decoded
//! into the result type, through the envelope.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::onebot::{
    encode_call, ActionParams, ActionRequest, ActionResponse, ActionResponseError, Message,
    Retcode, Segment,
};
use botgate_proto::onebot::action::*;
use botgate_proto::onebot::{Role, Sex};
use serde_json::{json, Value};

/// Encode `params` with echo "e", check the frame, answer with `data`, decode the result.
fn call<P: ActionParams + serde::de::DeserializeOwned>(
    params: P,
    wire_params: Value,
    data: Value,
) -> P::Output {
    let frame = encode_call(&params, "e").unwrap();
    let sent: Value = serde_json::from_str(&frame).unwrap();
    assert_eq!(
        sent,
        json!({"action": P::NAME, "params": wire_params, "echo": "e"}),
        "{}",
        P::NAME
    );
    // The implementation's side reads the same params back.
    let action = ActionRequest::decode(frame.as_bytes()).unwrap();
    assert_eq!(action.action, P::NAME);
    let _: P = action.params_as().unwrap();
    let resp = json!({"status": "ok", "retcode": 0, "data": data, "echo": "e"}).to_string();
    let resp = ActionResponse::decode(resp.as_bytes()).unwrap();
    assert_eq!(resp.echo_str().as_deref(), Some("e"));
    resp.into_result::<P::Output>().unwrap()
}

fn names_of_typed_actions() -> Vec<&'static str> {
    vec![
        SendPrivateMsg::NAME,
        SendGroupMsg::NAME,
        SendMsg::NAME,
        DeleteMsg::NAME,
        GetMsg::NAME,
        GetForwardMsg::NAME,
        SendLike::NAME,
        SetGroupKick::NAME,
        SetGroupBan::NAME,
        SetGroupWholeBan::NAME,
        SetGroupAdmin::NAME,
        SetGroupCard::NAME,
        SetGroupName::NAME,
        SetGroupLeave::NAME,
        SetGroupSpecialTitle::NAME,
        SetFriendAddRequest::NAME,
        SetGroupAddRequest::NAME,
        GetLoginInfo::NAME,
        GetStrangerInfo::NAME,
        GetFriendList::NAME,
        GetGroupInfo::NAME,
        GetGroupList::NAME,
        GetGroupMemberInfo::NAME,
        GetGroupMemberList::NAME,
        GetGroupHonorInfo::NAME,
        GetVersionInfo::NAME,
        GetStatus::NAME,
        CanSendImage::NAME,
        CanSendRecord::NAME,
    ]
}

#[test]
fn every_listed_action_has_a_typed_params_struct() {
    assert_eq!(names_of_typed_actions(), ACTIONS);
    assert_eq!(ACTIONS.len(), 29);
}

#[test]
fn send_actions_return_the_message_id() {
    let msg = Message::from(vec![Segment::at(1), Segment::text(" hi")]);
    let wire_msg = json!([{"type":"at","data":{"qq":"1"}},{"type":"text","data":{"text":" hi"}}]);
    let out = call(
        SendPrivateMsg {
            user_id: 10,
            group_id: None,
            message: msg.clone(),
            auto_escape: None,
        },
        json!({"user_id": 10, "message": wire_msg}),
        json!({"message_id": 12347}),
    );
    assert_eq!(out.message_id, 12347);
    let out = call(
        SendGroupMsg {
            group_id: 20,
            message: msg.clone(),
            auto_escape: Some(false),
        },
        json!({"group_id": 20, "message": wire_msg, "auto_escape": false}),
        json!({"message_id": "-5"}),
    );
    assert_eq!(out.message_id, -5);
    let out = call(
        SendMsg {
            message_type: Some("group".into()),
            user_id: None,
            group_id: Some(20),
            message: msg,
            auto_escape: None,
        },
        json!({"message_type": "group", "group_id": 20, "message": wire_msg}),
        json!({"message_id": 1}),
    );
    assert_eq!(out.message_id, 1);
}

#[test]
fn delete_like_and_admin_actions_accept_any_data() {
    assert_eq!(
        call(
            DeleteMsg { message_id: 9 },
            json!({"message_id": 9}),
            Value::Null
        ),
        NoData
    );
    assert_eq!(
        call(
            SendLike {
                user_id: 1,
                times: 10
            },
            json!({"user_id": 1, "times": 10}),
            json!({})
        ),
        NoData
    );
    call(
        SetGroupKick {
            group_id: 1,
            user_id: 2,
            reject_add_request: true,
        },
        json!({"group_id": 1, "user_id": 2, "reject_add_request": true}),
        Value::Null,
    );
    call(
        SetGroupBan {
            group_id: 1,
            user_id: 2,
            duration: 600,
        },
        json!({"group_id": 1, "user_id": 2, "duration": 600}),
        Value::Null,
    );
    call(
        SetGroupWholeBan {
            group_id: 1,
            enable: true,
        },
        json!({"group_id": 1, "enable": true}),
        Value::Null,
    );
    call(
        SetGroupAdmin {
            group_id: 1,
            user_id: 2,
            enable: false,
        },
        json!({"group_id": 1, "user_id": 2, "enable": false}),
        Value::Null,
    );
    call(
        SetGroupCard {
            group_id: 1,
            user_id: 2,
            card: "c".into(),
        },
        json!({"group_id": 1, "user_id": 2, "card": "c"}),
        Value::Null,
    );
    call(
        SetGroupName {
            group_id: 1,
            group_name: "g".into(),
        },
        json!({"group_id": 1, "group_name": "g"}),
        Value::Null,
    );
    call(
        SetGroupLeave {
            group_id: 1,
            is_dismiss: false,
        },
        json!({"group_id": 1, "is_dismiss": false}),
        Value::Null,
    );
    call(
        SetGroupSpecialTitle {
            group_id: 1,
            user_id: 2,
            special_title: "t".into(),
            duration: -1,
        },
        json!({"group_id": 1, "user_id": 2, "special_title": "t", "duration": -1}),
        Value::Null,
    );
    call(
        SetFriendAddRequest {
            flag: "friend_uin".into(),
            approve: true,
            remark: "".into(),
        },
        json!({"flag": "friend_uin", "approve": true, "remark": ""}),
        Value::Null,
    );
    call(
        SetGroupAddRequest {
            flag: "7|987654321|2".into(),
            sub_type: "invite".into(),
            approve: false,
            reason: "no".into(),
        },
        json!({"flag": "7|987654321|2", "sub_type": "invite", "approve": false, "reason": "no"}),
        Value::Null,
    );
}

#[test]
fn get_msg_and_forward_results_decode() {
    let out = call(
        GetMsg { message_id: 5 },
        json!({"message_id": 5}),
        json!({"time": 1712640000, "message_type": "group", "message_id": 5, "real_id": 5, "group_id": 7,
               "sender": {"user_id": 1, "nickname": "n", "role": "owner"}, "message": "hi[CQ:face,id=1]"}),
    );
    assert_eq!(
        (out.time, out.message_id, out.group_id),
        (1712640000, 5, Some(7))
    );
    assert_eq!(out.sender.role, Some(Role::Owner));
    assert_eq!(out.message.0, vec![Segment::text("hi"), Segment::face(1)]);

    let out = call(
        GetForwardMsg { id: "fw".into() },
        json!({"id": "fw"}),
        json!({"messages": [{"time": 1, "sender": {"user_id": 2, "nickname": "a"}, "content": "x"},
                            {"time": 2, "message_id": 3, "sender": {"user_id": 4}, "message": [{"type":"text","data":{"text":"y"}}]}]}),
    );
    assert_eq!(out.messages.len(), 2);
    assert_eq!(out.messages[0].content.plain_text(), "x");
    assert_eq!(out.messages[1].message.plain_text(), "y");
    assert_eq!(out.messages[1].message_id, Some(3));
    assert!(out.message.is_empty());
}

#[test]
fn account_and_user_queries_decode() {
    let out = call(
        GetLoginInfo {},
        json!({}),
        json!({"user_id": 123456789, "nickname": "bot"}),
    );
    assert_eq!((out.user_id, out.nickname.as_str()), (123456789, "bot"));
    let out = call(
        GetStrangerInfo {
            user_id: 1,
            no_cache: true,
        },
        json!({"user_id": 1, "no_cache": true}),
        json!({"user_id": 1, "nickname": "s", "sex": "female", "age": "20", "qid": "q", "level": 3, "login_days": 9}),
    );
    assert_eq!(out.sex, Some(Sex::Female));
    assert_eq!(
        (out.age, out.level, out.login_days),
        (Some(20), Some(3), Some(9))
    );
    let out = call(
        GetFriendList {},
        json!({}),
        json!([{"user_id": 1, "nickname": "a", "remark": "r"}, {"user_id": "2"}]),
    );
    assert_eq!(out.len(), 2);
    assert_eq!((out[1].user_id, out[0].remark.as_str()), (2, "r"));
}

#[test]
fn group_queries_decode() {
    let out = call(
        GetGroupInfo {
            group_id: 1,
            no_cache: false,
        },
        json!({"group_id": 1, "no_cache": false}),
        json!({"group_id": 1, "group_name": "g", "member_count": 10, "max_member_count": 200}),
    );
    assert_eq!(
        (
            out.group_name.as_str(),
            out.member_count,
            out.max_member_count
        ),
        ("g", Some(10), Some(200))
    );
    let out = call(
        GetGroupList { no_cache: None },
        json!({}),
        json!([{"group_id": 1, "group_name": "a"}, {"group_id": 2}]),
    );
    assert_eq!(
        out.iter().map(|g| g.group_id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let member = json!({"group_id": 1, "user_id": 2, "nickname": "n", "card": "c", "sex": "unknown", "age": 0,
        "area": "", "join_time": 1700000000, "last_sent_time": 1712640000, "level": "1", "role": "admin",
        "unfriendly": false, "title": "", "title_expire_time": 0, "card_changeable": true});
    let out = call(
        GetGroupMemberInfo {
            group_id: 1,
            user_id: 2,
            no_cache: false,
        },
        json!({"group_id": 1, "user_id": 2, "no_cache": false}),
        member.clone(),
    );
    assert_eq!(out.role, Some(Role::Admin));
    assert_eq!(
        (out.join_time, out.card_changeable),
        (Some(1700000000), Some(true))
    );
    // `""` optional fields are absent (decision 0014), so they do not serialise back.
    let mut present = member.clone();
    present.as_object_mut().unwrap().retain(|_, v| v != "");
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        present,
        "member info serialises back"
    );
    let out = call(
        GetGroupMemberList {
            group_id: 1,
            no_cache: None,
        },
        json!({"group_id": 1}),
        json!([member]),
    );
    assert_eq!(out[0].user_id, 2);
    let out = call(
        GetGroupHonorInfo {
            group_id: 1,
            kind: "all".into(),
        },
        json!({"group_id": 1, "type": "all"}),
        json!({"group_id": 1, "current_talkative": {"user_id": 2, "nickname": "n", "avatar": "a", "day_count": 3},
               "talkative_list": [{"user_id": 2, "nickname": "n", "avatar": "a", "description": "d"}]}),
    );
    assert_eq!(out.current_talkative.as_ref().map(|t| t.day_count), Some(3));
    assert_eq!(out.talkative_list.len(), 1);
    assert!(out.emotion_list.is_empty());
}

#[test]
fn version_status_and_capabilities_decode() {
    let out = call(
        GetVersionInfo {},
        json!({}),
        json!({"app_name": "waylay", "app_version": "0.4.0", "protocol_version": "v11", "nt_protocol": "x"}),
    );
    assert_eq!(
        (
            out.app_name.as_str(),
            out.app_version.as_str(),
            out.protocol_version.as_str()
        ),
        ("waylay", "0.4.0", "v11")
    );
    assert_eq!(out.extra["nt_protocol"], "x");
    let out = call(
        GetStatus {},
        json!({}),
        json!({"online": true, "good": true}),
    );
    assert_eq!((out.online, out.good), (Some(true), true));
    assert!(call(CanSendImage {}, json!({}), json!({"yes": true})).yes);
    assert!(!call(CanSendRecord {}, json!({}), json!({"yes": 0})).yes);
}

#[test]
fn failures_keep_their_retcode_and_message() {
    for (code, expected) in [
        (100, Retcode::BadRequest),
        (102, Retcode::InvalidData),
        (103, Retcode::OperationFailed),
        (104, Retcode::InvalidCredentials),
        (201, Retcode::WorkerNotReady),
        (1400, Retcode::WsBadRequest),
        (1404, Retcode::WsNotFound),
        (99999, Retcode::Other(99999)),
    ] {
        let resp = json!({"status": "failed", "retcode": code, "data": null, "msg": "m", "wording": "w", "echo": "e"});
        let resp = ActionResponse::decode(resp.to_string().as_bytes()).unwrap();
        let err = resp.into_result::<LoginInfo>().unwrap_err();
        assert_eq!(err.retcode(), Some(expected));
        let ActionResponseError::Failed {
            message,
            wording,
            status,
            ..
        } = &err
        else {
            panic!()
        };
        assert_eq!(
            (message.as_deref(), wording.as_deref(), status.as_str()),
            (Some("m"), Some("w"), "failed")
        );
        assert_eq!(
            err.to_string(),
            format!("action failed: retcode {code}, status `failed`: m (w)")
        );
    }
}

#[test]
fn async_answers_succeed_with_no_data() {
    let resp = ActionResponse::decode(br#"{"status":"async","retcode":1,"data":null}"#).unwrap();
    assert!(resp.is_success());
    assert_eq!(resp.code(), Retcode::Async);
    assert_eq!(resp.into_result::<NoData>().unwrap(), NoData);
}

#[test]
fn responses_encode_for_the_implementation_side() {
    let ok = ActionResponse::ok(json!({"message_id": 1}), Some(json!("7")));
    assert_eq!(
        ok.encode(),
        r#"{"data":{"message_id":1},"echo":"7","retcode":0,"status":"ok"}"#
    );
    let failed = ActionResponse::failed(Retcode::WsNotFound, "不支持的 API", None);
    let back = ActionResponse::decode(failed.encode().as_bytes()).unwrap();
    assert_eq!(back, failed);
    assert_eq!(back.echo, None);
}
