//! QQ `AT_MESSAGE_CREATE` dispatch frames in the shape of the QQ gateway's (and the codec
//! bench's): the author, the author's member, mentions (the bot first), ids and sequence numbers
//! as QQ sends them, envelope keys in QQ's order (`op`, `s`, `t`, `id`, `d`).

use serde_json::{json, Value};

use crate::discord::content;
use crate::rng::{Rng, NAMES};

/// The bot's user id, mentioned first in every `AT_MESSAGE_CREATE`.
const BOT_ID: &str = "6158788878435714165";

fn user(rng: &mut Rng) -> Value {
    json!({"avatar": "https://thirdqq.qlogo.cn/0", "bot": false,
           "id": rng.snowflake().to_string(), "username": rng.pick(NAMES)})
}

/// One `AT_MESSAGE_CREATE` frame with sequence `seq`, message text `text`, mentioning the bot
/// and `others` more users (each with its tag in the content).
pub fn at_message_create(rng: &mut Rng, seq: u64, text: &str, others: usize) -> String {
    let mut mentions = vec![json!({"avatar": "http://thirdqq.qlogo.cn/0", "bot": true,
                                   "id": BOT_ID, "username": "群pro测试机器人"})];
    mentions.extend((0..others).map(|_| user(rng)));
    let ids: Vec<String> = mentions
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let d = json!({
        "author": user(rng),
        "channel_id": (100_000 + rng.below(900_000)).to_string(),
        "content": content(&ids, "@!", text),
        "guild_id": (18_700_000_000_000 + rng.below(100_000)).to_string(),
        "id": format!("08e0{:016x}{:016x}{:06x}", rng.bits(), rng.bits(), rng.below(1 << 24)),
        "member": {"joined_at": "2021-04-12T16:34:36+08:00", "roles": ["1", "4"]},
        "mentions": mentions,
        "seq": seq,
        "seq_in_channel": seq.to_string(),
        "timestamp": "2021-05-20T15:14:58+08:00",
    });
    let id = format!(
        "AT_MESSAGE_CREATE:{:016x}-{:04x}",
        rng.bits(),
        rng.below(1 << 16)
    );
    format!(r#"{{"op":0,"s":{seq},"t":"AT_MESSAGE_CREATE","id":"{id}","d":{d}}}"#)
}
