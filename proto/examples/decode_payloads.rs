//! Deserialize platform payloads with `botgate-proto` alone: plain serde types, no I/O.
//!
//! Run: `cargo run -p botgate-proto --example decode_payloads`
//!
//! Shows a QQ guild AT message (the `d` of an `AT_MESSAGE_CREATE` dispatch) and a OneBot v11
//! group message, both from literal JSON, including the lenient parts: a number sent as a
//! string, a CQ-string message and an unknown field that is simply ignored.

use botgate_proto::{onebot, qq};

/// The `d` of a QQ `AT_MESSAGE_CREATE` frame (from `testdata/qq/frames.jsonl`, shortened).
/// `seq` arrives as a string here: proto accepts it and yields a number.
const QQ_AT_MESSAGE: &str = r#"{
    "author": {"id": "1234567890", "username": "小明", "bot": false},
    "channel_id": "100010",
    "guild_id": "18700000000001",
    "id": "08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906",
    "content": "<@!6158788878435714165> /天气 深圳",
    "mentions": [{"id": "6158788878435714165", "username": "群pro测试机器人", "bot": true}],
    "seq": "828",
    "timestamp": "2021-05-20T15:14:58+08:00",
    "a_field_from_the_future": {"ignored": true}
}"#;

/// A whole OneBot v11 group message event; its `message` is a CQ string, not a segment array.
const ONEBOT_GROUP_MESSAGE: &str = r#"{
    "time": 1712640001, "self_id": 123456789,
    "post_type": "message", "message_type": "group", "sub_type": "normal",
    "message_id": 12345, "group_id": 987654321, "user_id": 111222333,
    "message": "[CQ:at,qq=123456789] 今晚8点开会&#91;重要&#93;[CQ:face,id=178]",
    "raw_message": "[CQ:at,qq=123456789] 今晚8点开会&#91;重要&#93;[CQ:face,id=178]",
    "font": 0,
    "sender": {"user_id": 111222333, "nickname": "张三", "card": "群名片", "role": "admin"}
}"#;

fn main() -> Result<(), serde_json::Error> {
    // QQ: ids stay strings (they exceed 32 bits), mentions are `<@!id>` in the content.
    let at: qq::Message = serde_json::from_str(QQ_AT_MESSAGE)?;
    println!("QQ AT_MESSAGE_CREATE");
    println!("  message id : {}", at.id);
    println!("  guild      : {} / channel {}", at.guild_id, at.channel_id);
    println!(
        "  author     : {} ({})",
        at.author.username.as_deref().unwrap_or("?"),
        at.author.id
    );
    println!("  content    : {}", at.content);
    println!("  seq        : {:?} (sent as a string)", at.seq);
    println!(
        "  mentions bot 6158788878435714165: {}",
        at.mentions_user("6158788878435714165")
    );

    // OneBot: ids are integers, and the message is parsed into segments whatever its wire form.
    let group: onebot::GroupMessage = serde_json::from_str(ONEBOT_GROUP_MESSAGE)?;
    println!("OneBot message.group");
    println!(
        "  group {} / user {} / message id {}",
        group.group_id, group.user_id, group.message_id
    );
    println!(
        "  sender     : {} (card {:?}, role {:?})",
        group.sender.nickname, group.sender.card, group.sender.role
    );
    let kinds: Vec<&str> = group.message.iter().map(|seg| seg.kind()).collect();
    println!("  segments   : {kinds:?}");
    println!("  plain text : {:?}", group.message.plain_text());
    println!("  as CQ      : {}", group.message.to_cq());
    Ok(())
}
