//! The frames of a blast, per platform: the greeting a client needs before events flow, and
//! N realistic message events, each with its own ids (dedupe must not drop them) and its own
//! event number in the message id (see [`event_number`](super::event_number)).

use std::fmt::Write;

use super::Platform;

/// Conversations the events are spread over (channels / groups).
const CONVERSATIONS: u64 = 64;

/// QQ's `Hello` (and Bubble's): a long interval, the blast is over long before it matters.
pub(crate) const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":41250}}"#;

/// QQ's READY, sent once the client identified.
pub(crate) const QQ_READY: &str = concat!(
    r#"{"op":0,"s":1,"t":"READY","d":{"version":1,"session_id":"blast-session","#,
    r#""user":{"id":"6158788878435714165","username":"botgate-blast","bot":true,"status":1},"#,
    r#""shard":[0,1]}}"#
);

/// Bubble's BOT_READY (the gateway shape of the spec), sent right after Hello.
pub(crate) const BUBBLE_READY: &str = concat!(
    r#"{"op":0,"t":"BOT_READY","d":{"bot":{"id":1,"name":"blast","botUser":{"id":123,"#,
    r#""name":"bot_blast"}},"subscribedGuilds":[{"id":10,"name":"Blast"}],"subscribedDMs":[],"#,
    r#""availableEvents":["MESSAGE_CREATE","DM_MESSAGE_CREATE"]}}"#
);

/// OneBot's lifecycle `connect` meta event, the first thing an implementation sends.
pub(crate) const ONEBOT_CONNECT: &str = concat!(
    r#"{"time":1712640000,"self_id":123456789,"post_type":"meta_event","#,
    r#""meta_event_type":"lifecycle","sub_type":"connect"}"#
);

/// Writes event `i` (0-based; its event number is `i + 1`) of `platform` into `out`.
pub(crate) fn event(platform: Platform, i: u64, out: &mut String) {
    let n = i + 1;
    let conv = i % CONVERSATIONS;
    // `write!` into a String cannot fail.
    let _ = match platform {
        Platform::Qq => write!(
            out,
            concat!(
                r#"{{"op":0,"s":{s},"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:e4c5a2b0-1b1c-4a8e-9a9e-{n:012}","#,
                r#""d":{{"author":{{"avatar":"https://thirdqq.qlogo.cn/0","bot":false,"id":"{user}","username":"小明"}},"#,
                r#""channel_id":"{channel}","content":"<@!6158788878435714165> /天气 深圳 🌤️ 第{n}条","#,
                r#""guild_id":"18700000000001","id":"08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a9x{n}","#,
                r#""member":{{"joined_at":"2021-04-12T16:34:36+08:00","roles":["1","4"]}},"#,
                r#""mentions":[{{"avatar":"http://thirdqq.qlogo.cn/0","bot":true,"id":"6158788878435714165","username":"群pro测试机器人"}}],"#,
                r#""seq":{n},"seq_in_channel":"{n}","timestamp":"2021-05-20T15:14:58+08:00"}}}}"#
            ),
            s = n + 1,
            n = n,
            user = 1_234_567_890 + conv,
            channel = 100_010 + conv,
        ),
        Platform::Bubble => write!(
            out,
            concat!(
                r#"{{"op":0,"t":"MESSAGE_CREATE","d":{{"id":{n},"channelId":{channel},"guildId":10,"#,
                r#""content":"你好，世界 🎉 /天气 深圳 第{n}条","msgType":0,"#,
                r#""author":{{"id":{user},"name":"username","avatar":"https://example.invalid/a.png"}},"#,
                r#""timestamp":"2025-12-31T12:00:00Z","mentions":[456],"mentionRoles":[100]}}}}"#
            ),
            n = n,
            channel = 123 + conv,
            user = 1 + conv,
        ),
        Platform::OneBot => write!(
            out,
            concat!(
                r#"{{"time":1712640000,"self_id":123456789,"post_type":"message","message_type":"group","#,
                r#""sub_type":"normal","message_id":{n},"group_id":{group},"user_id":{user},"anonymous":null,"#,
                r#""message":[{{"type":"text","data":{{"text":"你好 🎉 /天气 深圳 第{n}条"}}}}],"#,
                r#""raw_message":"你好 🎉 /天气 深圳 第{n}条","font":0,"#,
                r#""sender":{{"user_id":{user},"nickname":"张三","card":"群名片","sex":"unknown","age":0,"#,
                r#""area":"","level":"0","role":"member","title":""}}}}"#
            ),
            n = n,
            group = 987_654_321 + conv,
            user = 111_222_333 + conv,
        ),
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_writes_valid_json_with_its_event_number() {
        for platform in [Platform::Qq, Platform::Bubble, Platform::OneBot] {
            let mut out = String::new();
            event(platform, 41, &mut out);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let id = match platform {
                Platform::Qq => v["d"]["id"].as_str().unwrap().to_owned(),
                Platform::Bubble => v["d"]["id"].to_string(),
                Platform::OneBot => v["message_id"].to_string(),
            };
            assert_eq!(super::super::event_number(&id), Some(42), "{platform:?}");
        }
        for greeting in [HELLO, QQ_READY, BUBBLE_READY, ONEBOT_CONNECT] {
            serde_json::from_str::<serde_json::Value>(greeting).unwrap();
        }
    }
}
