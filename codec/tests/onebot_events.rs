//! Every line of `testdata/onebot/events.jsonl` classifies and decodes to the right kind and
//! field values; typed payloads serialise back under their wire names.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::onebot::{decode_event, Event, EventKind, Incoming, Segment};
use botgate_proto::onebot::segment::{At, Image};
use botgate_proto::onebot::{
    GroupBanSubType, GroupDecreaseSubType, GroupIncreaseSubType, GroupRequestSubType, GroupSubType,
    HonorType, LifecycleSubType, PrivateSubType, Role, Sex,
};
use serde_json::Value;

const EVENTS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/onebot/events.jsonl"
));

fn lines() -> Vec<&'static str> {
    EVENTS.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn event(n: usize) -> Event {
    let line = lines()[n - 1];
    let Incoming::Event(raw) = Incoming::classify(line.as_bytes().to_vec()).unwrap() else {
        panic!("line {n} is not an event")
    };
    let event = raw.decode().unwrap();
    assert_eq!(raw.kind(), &event.kind(), "line {n}");
    assert_eq!(decode_event(line.as_bytes()).unwrap(), event, "line {n}");
    event
}

/// The serialised payload equals the line (every field of these lines is typed and present).
fn assert_serialises_back(n: usize, e: &Event) {
    let original: Value = serde_json::from_str(lines()[n - 1]).unwrap();
    assert_eq!(serde_json::to_value(e).unwrap(), original, "line {n}");
}

#[test]
fn the_file_has_the_lines_this_test_knows() {
    assert_eq!(lines().len(), 24);
}

#[test]
fn line_01_group_message_with_full_sender() {
    let e = event(1);
    assert_eq!(e.kind(), EventKind::MessageGroup);
    let Event::MessageGroup(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((m.time, m.self_id), (1712640000, 123456789));
    assert_eq!(m.sub_type, GroupSubType::Normal);
    assert_eq!(
        (m.message_id, m.group_id, m.user_id),
        (12345, 987654321, 111222333)
    );
    assert_eq!(m.anonymous, None);
    assert_eq!(m.message.0, vec![Segment::text("hello")]);
    assert_eq!(m.raw_message, "hello");
    assert_eq!(m.font, 0);
    let s = &m.sender;
    assert_eq!((s.user_id, s.nickname.as_str()), (111222333, "张三"));
    assert_eq!(s.card.as_deref(), Some("群名片"));
    assert_eq!(s.sex, Some(Sex::Undisclosed));
    assert_eq!(s.age, Some(0));
    // `""` is absent (decision 0014).
    assert_eq!(s.area, None);
    assert_eq!(s.level.as_deref(), Some("0"));
    assert_eq!(s.role, Some(Role::Member));
    assert_eq!(s.title, None);
    // Serialised back: the same object, minus the absent values it does not repeat
    // (`anonymous: null`, the sender's `area: ""` and `title: ""`).
    let mut original: Value = serde_json::from_str(lines()[0]).unwrap();
    original.as_object_mut().unwrap().remove("anonymous");
    let sender = original["sender"].as_object_mut().unwrap();
    sender.remove("area");
    sender.remove("title");
    assert_eq!(serde_json::to_value(&e).unwrap(), original);
}

#[test]
fn line_02_private_message_with_segments() {
    let e = event(2);
    let Event::MessagePrivate(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.sub_type, PrivateSubType::Friend);
    assert_eq!((m.message_id, m.user_id), (12346, 111222333));
    assert_eq!(
        m.message.0,
        vec![
            Segment::At(At {
                qq: "123456789".into(),
                ..At::default()
            }),
            Segment::text(" 你好"),
            Segment::face(178),
            Segment::Image(Image {
                file: "abc.jpg".into(),
                url: Some("http://example.invalid/abc.jpg".into()),
                ..Image::default()
            }),
        ]
    );
    let Segment::At(at) = &m.message[0] else {
        panic!()
    };
    assert_eq!(at.user_id(), Some(123456789));
    assert_eq!(m.raw_message, "@bot 你好[表情178][图片]");
    assert_eq!(m.sender.nickname, "张三");
    assert_eq!(m.sender.card, None);
    assert_eq!(m.sender.role, None);
    assert_serialises_back(2, &e);
}

#[test]
fn line_03_group_message_as_cq_string_with_negative_id() {
    let e = event(3);
    let Event::MessageGroup(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.message_id, -2147483000);
    assert_eq!(
        m.message.0,
        vec![
            Segment::reply(12345),
            Segment::at_all(),
            Segment::text(" 今晚8点开会[重要] "),
            Segment::Image(Image {
                file: "a.jpg".into(),
                url: Some("http://x.invalid/a?b=1,2".into()),
                ..Image::default()
            }),
        ]
    );
    assert!(matches!(&m.message[1], Segment::At(a) if a.is_all()));
    assert_eq!(m.sender.role, Some(Role::Admin));
    // The CQ string renders back exactly.
    assert_eq!(m.message.to_cq(), m.raw_message);
}

#[test]
fn line_04_group_recall() {
    let e = event(4);
    let Event::NoticeGroupRecall(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (n.group_id, n.user_id, n.operator_id, n.message_id),
        (987654321, 111222333, 111222333, 12345)
    );
    assert_eq!((n.time, n.self_id), (1712640002, 123456789));
    assert_serialises_back(4, &e);
}

#[test]
fn line_05_friend_recall() {
    let e = event(5);
    let Event::NoticeFriendRecall(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((n.user_id, n.message_id), (111222333, 12345));
    assert_serialises_back(5, &e);
}

#[test]
fn line_06_group_increase_approve() {
    let e = event(6);
    let Event::NoticeGroupIncrease(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.sub_type, GroupIncreaseSubType::Approve);
    assert_eq!(
        (n.group_id, n.operator_id, n.user_id),
        (987654321, 444555666, 111222333)
    );
    assert_serialises_back(6, &e);
}

#[test]
fn line_07_group_decrease_kick() {
    let e = event(7);
    let Event::NoticeGroupDecrease(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.sub_type, GroupDecreaseSubType::Kick);
    assert_eq!(
        (n.group_id, n.operator_id, n.user_id),
        (987654321, 444555666, 111222333)
    );
    assert_serialises_back(7, &e);
}

#[test]
fn line_08_group_ban_with_duration() {
    let e = event(8);
    let Event::NoticeGroupBan(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.sub_type, GroupBanSubType::Ban);
    assert_eq!(
        (n.group_id, n.operator_id, n.user_id, n.duration),
        (987654321, 444555666, 111222333, 600)
    );
    assert_serialises_back(8, &e);
}

#[test]
fn line_09_whole_group_lift_ban() {
    let e = event(9);
    let Event::NoticeGroupBan(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.sub_type, GroupBanSubType::LiftBan);
    assert_eq!((n.user_id, n.duration), (0, 0));
    assert_serialises_back(9, &e);
}

#[test]
fn line_10_group_admin_set() {
    let e = event(10);
    let Event::NoticeGroupAdmin(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.sub_type, botgate_proto::onebot::GroupAdminSubType::Set);
    assert_eq!((n.group_id, n.user_id), (987654321, 111222333));
    assert_serialises_back(10, &e);
}

#[test]
fn line_11_group_upload_with_file() {
    let e = event(11);
    let Event::NoticeGroupUpload(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((n.group_id, n.user_id), (987654321, 111222333));
    assert_eq!(n.file.id, "file_uuid");
    assert_eq!(n.file.name, "document.pdf");
    assert_eq!((n.file.size, n.file.busid), (102400, 0));
    assert_serialises_back(11, &e);
}

#[test]
fn line_12_friend_add() {
    let e = event(12);
    let Event::NoticeFriendAdd(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.user_id, 111222333);
    assert_serialises_back(12, &e);
}

#[test]
fn line_13_group_poke() {
    let e = event(13);
    assert_eq!(e.kind_str(), "notice.notify.poke");
    let Event::NoticeNotifyPoke(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (n.group_id, n.user_id, n.target_id),
        (Some(987654321), 111222333, 123456789)
    );
    assert_eq!(n.sub_type, "poke");
    assert_serialises_back(13, &e);
}

#[test]
fn line_14_private_poke_has_no_group() {
    let e = event(14);
    let Event::NoticeNotifyPoke(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (n.group_id, n.user_id, n.target_id),
        (None, 111222333, 123456789)
    );
    assert_serialises_back(14, &e);
}

#[test]
fn line_15_lucky_king() {
    let e = event(15);
    let Event::NoticeNotifyLuckyKing(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (n.group_id, n.user_id, n.target_id),
        (987654321, 111222333, 222333444)
    );
    assert_serialises_back(15, &e);
}

#[test]
fn line_16_honor() {
    let e = event(16);
    let Event::NoticeNotifyHonor(n) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(n.honor_type, HonorType::Talkative);
    assert_eq!((n.group_id, n.user_id), (987654321, 111222333));
    assert_serialises_back(16, &e);
}

#[test]
fn line_17_friend_request() {
    let e = event(17);
    let Event::RequestFriend(r) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(r.user_id, 111222333);
    assert_eq!(r.comment, "验证消息");
    assert_eq!(r.flag, "friend_uin");
    assert_serialises_back(17, &e);
}

#[test]
fn line_18_group_add_request() {
    let e = event(18);
    let Event::RequestGroup(r) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(r.sub_type, GroupRequestSubType::Add);
    assert_eq!((r.group_id, r.user_id), (987654321, 111222333));
    assert_eq!(r.flag, "seq|groupCode|type");
    assert_serialises_back(18, &e);
}

#[test]
fn line_19_group_invite_request() {
    let e = event(19);
    let Event::RequestGroup(r) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(r.sub_type, GroupRequestSubType::Invite);
    assert_eq!(r.comment, "");
    assert_eq!(r.flag, "7|987654321|2");
    assert_serialises_back(19, &e);
}

#[test]
fn line_20_lifecycle_before_login_has_self_id_zero() {
    let e = event(20);
    let Event::MetaEventLifecycle(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.sub_type, LifecycleSubType::Connect);
    assert_eq!(m.self_id, 0);
    assert_eq!(e.self_id(), Some(0));
    assert_serialises_back(20, &e);
}

#[test]
fn line_21_heartbeat() {
    let e = event(21);
    let Event::MetaEventHeartbeat(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.interval, 30000);
    assert_eq!(m.status.online, Some(true));
    assert!(m.status.good);
    assert!(m.status.extra.is_empty());
    assert_eq!(e.time(), Some(1712640030));
    assert_serialises_back(21, &e);
}

#[test]
fn line_22_ok_response() {
    let Incoming::Response(r) = Incoming::classify(lines()[21].as_bytes().to_vec()).unwrap() else {
        panic!()
    };
    assert!(r.is_success());
    assert_eq!(r.echo_str().as_deref(), Some("7"));
    let out: botgate_proto::onebot::action::MessageIdResult = r.into_result().unwrap();
    assert_eq!(out.message_id, 12347);
}

#[test]
fn line_23_failed_response_is_unsupported() {
    let Incoming::Response(r) = Incoming::classify(lines()[22].as_bytes().to_vec()).unwrap() else {
        panic!()
    };
    assert_eq!(r.retcode, 1404);
    assert_eq!(r.message.as_deref(), Some("不支持的 API"));
    assert_eq!(r.echo_str().as_deref(), Some("8"));
    let err = r
        .into_result::<botgate_proto::onebot::action::NoData>()
        .unwrap_err();
    assert!(err.is_unsupported());
}

#[test]
fn line_24_unknown_notice_is_kept() {
    let e = event(24);
    assert!(e.is_unknown());
    assert_eq!(e.kind_str(), "notice.some_new_notice");
    let Event::Unknown { data, .. } = &e else {
        panic!()
    };
    assert_eq!(data["whatever"], 1);
    assert_serialises_back(24, &e);
}

#[test]
fn every_event_line_survives_serialise_and_decode_again() {
    for (i, line) in lines().iter().enumerate() {
        let Ok(Incoming::Event(raw)) = Incoming::classify(line.as_bytes().to_vec()) else {
            continue;
        };
        let e = raw.decode().unwrap();
        let again = decode_event(serde_json::to_string(&e).unwrap().as_bytes()).unwrap();
        assert_eq!(again, e, "line {}", i + 1);
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Event>();
    assert_send_sync::<botgate_codec::onebot::RawEvent>();
    assert_send_sync::<Incoming>();
    assert_send_sync::<botgate_codec::onebot::ActionResponse>();
    assert_send_sync::<botgate_codec::onebot::ActionResponseError>();
    assert_send_sync::<botgate_codec::onebot::ActionRequest>();
}
