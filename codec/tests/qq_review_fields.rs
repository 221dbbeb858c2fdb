//! Fields a review of stop 30 found dropped or misread (botgo / botpy read them): group and
//! C2C `mentions`, an attachment's `id`, an interaction's `resolved.keyword` and the rest of
//! `resolved`, and the audio / live membership event's own `channel_type` codes. Decoded the
//! way the dispatcher decodes (`qq::decode_event`: the direct pass first), and the same through
//! plain serde.

#![allow(clippy::unwrap_used)] // tests

use botgate_codec::qq::{self, Event};
use botgate_proto::qq as p;

#[test]
fn group_and_c2c_messages_keep_mentions_and_attachment_ids() {
    let group = br#"{"id":"m1","content":" hi","author":{"id":"A","member_openid":"A"},"group_openid":"G","attachments":[{"id":"att-1","url":"gchat.qpic.cn/x","content_type":"image/png"}],"mentions":[{"scope":"single","id":"B","member_openid":"B","is_you":true,"bot":true,"nick_extra":7}]}"#;
    let Event::GroupAtMessageCreate(m) =
        qq::decode_event("GROUP_AT_MESSAGE_CREATE", group).unwrap()
    else {
        panic!("not a group message")
    };
    assert_eq!(m.attachments[0].id.as_deref(), Some("att-1"));
    let mention = &m.mentions[0];
    assert_eq!(mention.id.as_str(), "B");
    assert_eq!(mention.member_openid.as_deref(), Some("B"));
    assert_eq!((mention.is_you, mention.bot), (Some(true), Some(true)));
    assert_eq!(mention.scope.as_deref(), Some("single"));
    assert_eq!(mention.extra.get("nick_extra"), Some(&serde_json::json!(7)));
    let plain: p::GroupMessage = serde_json::from_slice(group).unwrap();
    assert_eq!(plain, *m);

    let c2c = br#"{"id":"m2","content":"yo","author":{"id":"U","user_openid":"U"},"mentions":[{"id":"X","user_openid":"X"}]}"#;
    let Event::C2cMessageCreate(m) = qq::decode_event("C2C_MESSAGE_CREATE", c2c).unwrap() else {
        panic!("not a C2C message")
    };
    assert_eq!(m.mentions[0].user_openid.as_deref(), Some("X"));
}

#[test]
fn an_interaction_keeps_its_search_keyword_and_unmodelled_resolved_fields() {
    let d = r#"{"id":"i1","type":11,"data":{"type":9,"resolved":{"keyword":"天气","feature_id":"f","future_field":{"a":1}}}}"#;
    let Event::InteractionCreate(i) = qq::decode_event("INTERACTION_CREATE", d.as_bytes()).unwrap()
    else {
        panic!("not an interaction")
    };
    let resolved = &i.data.resolved;
    assert_eq!(resolved.keyword.as_deref(), Some("天气"));
    assert_eq!(resolved.feature_id.as_deref(), Some("f"));
    assert_eq!(
        resolved.extra.get("future_field"),
        Some(&serde_json::json!({"a": 1}))
    );
    // Written back as it came.
    let back = serde_json::to_value(&i.data.resolved).unwrap();
    assert_eq!(back["future_field"]["a"], 1);
}

#[test]
fn audio_or_live_membership_reads_its_own_channel_type_codes() {
    for (code, kind) in [
        ("2", p::AudioChannelType::Audio),
        ("5", p::AudioChannelType::Live),
    ] {
        let d =
            format!(r#"{{"guild_id":"1","channel_id":"2","channel_type":{code},"user_id":"u"}}"#);
        let Event::AudioOrLiveChannelMemberEnter(m) =
            qq::decode_event("AUDIO_OR_LIVE_CHANNEL_MEMBER_ENTER", d.as_bytes()).unwrap()
        else {
            panic!("not a membership event")
        };
        assert_eq!(m.channel_type, Some(kind));
    }
}
