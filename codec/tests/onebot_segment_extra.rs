//! A segment's data fields its known type does not model (decision 0058) survive the decode a
//! dispatcher runs on a OneBot group message (the session's `RawEvent::scan_frame_envelope`,
//! then `RawEvent::decode`), serialisation back to JSON, an action's encode and the CQ render.
//! Segments of an unknown type pass through whole.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use botgate_codec::onebot::{decode_event, encode_call, Event, RawEvent, Scanned, Segment};
use botgate_proto::onebot::action::SendGroupMsg;
use botgate_proto::onebot::GroupMessage;
use serde_json::{json, Value};

/// A NapCat-style group message (key order as NapCat writes it) whose segments carry fields
/// botgate does not model, and one segment of a type it does not know.
const FRAME: &str = r#"{"self_id":10001,"user_id":20002,"time":1712640000,"message_id":-2147480000,"message_seq":3,"real_id":3,"real_seq":"3","message_type":"group","sender":{"user_id":20002,"nickname":"n","card":"c","role":"member"},"raw_message":"[CQ:reply,id=123][CQ:face,id=14]","font":14,"sub_type":"normal","message":[{"type":"reply","data":{"id":"123","seq":456}},{"type":"face","data":{"id":"14","raw":{"faceIndex":14,"faceText":"/微笑","faceType":1},"resultId":null}},{"type":"image","data":{"file":"x.jpg","url":"https://x.invalid/download?appid=1407&fileid=a","summary":"[图片]","sub_type":0,"file_size":"1234"}},{"type":"forward","data":{"id":"abc","content":[{"type":"text","data":{"text":"inside"}}]}},{"type":"longmsg","data":{"id":"x","n":1}}],"message_format":"array","post_type":"message","group_id":30003}"#;

/// The frame's `message` as it serialises back: as sent, but for the image's modelled
/// `file_size`, which reads a number sent as a string and is written as the number.
fn expected_message() -> Value {
    let mut frame: Value = serde_json::from_str(FRAME).unwrap();
    let mut message = frame["message"].take();
    message[2]["data"]["file_size"] = json!(1234);
    message
}

/// The group message as the dispatcher decodes it.
fn decoded(frame: &str) -> Box<GroupMessage> {
    let Scanned::Event(raw) = RawEvent::scan_frame_envelope(frame.as_bytes().to_vec()).unwrap()
    else {
        panic!("not an event")
    };
    let event = raw.decode().unwrap();
    assert_eq!(decode_event(frame.as_bytes()).unwrap(), event);
    let Event::MessageGroup(m) = event else {
        panic!("{event:?}")
    };
    m
}

#[test]
fn a_group_message_keeps_what_its_segments_do_not_model() {
    let m = decoded(FRAME);
    let [reply, face, image, forward, unknown] = &m.message[..] else {
        panic!("{:?}", m.message)
    };
    // readable by a handler
    let Segment::Reply(reply) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(
        (reply.id.as_str(), &reply.extra["seq"]),
        ("123", &json!(456))
    );
    let Segment::Face(face) = face else {
        panic!("{face:?}")
    };
    assert_eq!(face.id, "14");
    assert_eq!(face.extra["raw"]["faceText"], "/微笑");
    assert_eq!(face.extra["resultId"], Value::Null);
    let Segment::Image(image) = image else {
        panic!("{image:?}")
    };
    assert_eq!(
        (image.file_size, &image.extra["sub_type"]),
        (Some(1234), &json!(0))
    );
    assert!(!image.extra.contains_key("file_size") && !image.extra.contains_key("url"));
    let Segment::Forward(forward) = forward else {
        panic!("{forward:?}")
    };
    assert_eq!(forward.extra["content"][0]["data"]["text"], "inside");
    // a type botgate does not know passes through whole
    assert!(unknown.is_unknown());
    assert_eq!(
        (unknown.kind(), unknown.data()),
        ("longmsg", json!({"id": "x", "n": 1}))
    );

    // serialised back: the same keys and values
    assert_eq!(
        serde_json::to_value(&m.message).unwrap(),
        expected_message()
    );
    let event = serde_json::to_value(&*m).unwrap();
    assert_eq!(event["message"], expected_message());
}

#[test]
fn a_forwarded_message_sends_what_its_segments_do_not_model() {
    let m = decoded(FRAME);
    let call = SendGroupMsg {
        group_id: 40004,
        message: m.message.clone(),
        ..SendGroupMsg::default()
    };
    let frame: Value = serde_json::from_str(&encode_call(&call, "e1").unwrap()).unwrap();
    assert_eq!(frame["action"], "send_group_msg");
    assert_eq!(frame["params"]["message"], expected_message());
}

#[test]
fn the_cq_form_carries_the_flat_fields() {
    let m = decoded(FRAME);
    // `seq`, `sub_type` and `n` are flat; `raw`, `resultId: null` and `content` are not.
    assert_eq!(
        m.message.to_cq(),
        "[CQ:reply,id=123,seq=456][CQ:face,id=14]\
         [CQ:image,file=x.jpg,url=https://x.invalid/download?appid=1407&amp;fileid=a,\
         summary=&#91;图片&#93;,file_size=1234,sub_type=0][CQ:forward,id=abc][CQ:longmsg,id=x,n=1]"
    );
}

#[test]
fn a_message_sent_as_a_cq_string_keeps_unmodelled_parameters() {
    let mut frame: Value = serde_json::from_str(FRAME).unwrap();
    frame["message"] = json!("[CQ:reply,id=123,seq=456][CQ:face,id=14,resultId=r1]hi");
    frame["message_format"] = json!("string");
    let m = decoded(&frame.to_string());
    assert_eq!(
        m.message.0,
        vec![
            Segment::reply(123).with_extra("seq", "456"),
            Segment::face(14).with_extra("resultId", "r1"),
            Segment::text("hi"),
        ]
    );
    assert_eq!(
        m.message.to_cq(),
        "[CQ:reply,id=123,seq=456][CQ:face,id=14,resultId=r1]hi"
    );
}
