//! Discord gateway `MESSAGE_CREATE` dispatch frames with the shape Discord sends for a guild
//! text message: snowflakes as strings, the author and the author's guild member, mentions
//! with their members, nulls for what is unset, now and then an attachment or a link embed.

use serde_json::{json, Value};

use crate::rng::{Rng, NAMES, TEXTS};

/// A 32-hex-digit image hash (avatars), as Discord sends them.
fn image_hash(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.bits(), rng.bits())
}

/// An ISO 8601 timestamp with microseconds, as Discord sends them.
fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000) * 1000
    )
}

/// A user object (the author, or a mention without its member).
fn user(rng: &mut Rng) -> Value {
    json!({
        "id": rng.snowflake().to_string(),
        "username": rng.pick(NAMES),
        "global_name": rng.pick(NAMES),
        "avatar": image_hash(rng),
        "avatar_decoration_data": null,
        "discriminator": "0",
        "public_flags": rng.below(2) * 64,
        "clan": null,
        "primary_guild": null,
    })
}

/// A guild member as a message carries it (no `user`: that is the author or the mention).
fn member(rng: &mut Rng) -> Value {
    let roles: Vec<String> = (0..1 + rng.below(3))
        .map(|_| rng.snowflake().to_string())
        .collect();
    json!({
        "roles": roles,
        "premium_since": null,
        "pending": false,
        "nick": if rng.below(3) == 0 { Value::from(rng.pick(NAMES)) } else { Value::Null },
        "mute": false,
        "joined_at": timestamp(rng),
        "flags": 0,
        "deaf": false,
        "communication_disabled_until": null,
        "banner": null,
        "avatar": null,
    })
}

/// An image attachment.
fn attachment(rng: &mut Rng, channel_id: &str) -> Value {
    let id = rng.snowflake();
    let url = format!("https://cdn.discordapp.com/attachments/{channel_id}/{id}/image.png?ex=6650f1c2&is=664fa042&hm={}", image_hash(rng));
    json!({
        "id": id.to_string(),
        "filename": "image.png",
        "size": 10_000 + rng.below(500_000),
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "width": 1280,
        "height": 720,
        "content_type": "image/png",
        "placeholder": "2PgNBQAXaWiIeHeGiHd3iHeHd3iI",
        "placeholder_version": 1,
    })
}

/// A link preview embed.
fn embed() -> Value {
    json!({
        "type": "link",
        "url": "https://example.com/news/2024/05/20/article",
        "title": "示例新闻标题 — Example headline",
        "description": "这是一段链接预览的描述文字。A short description of the linked page.",
        "provider": {"name": "Example"},
        "thumbnail": {"url": "https://example.com/thumb.png", "proxy_url": "https://images-ext-1.discordapp.net/external/abc/https/example.com/thumb.png", "width": 400, "height": 300, "flags": 0},
    })
}

/// The text of a message: a tag `<{prefix}{id}>` per mentioned id, then `text`.
pub fn content(mention_ids: &[String], prefix: &str, text: &str) -> String {
    let mut content = String::new();
    for id in mention_ids {
        content.push_str(&format!("<{prefix}{id}> "));
    }
    content.push_str(text);
    content
}

/// One `MESSAGE_CREATE` dispatch frame with sequence `seq`, in Discord's key order for the
/// envelope (`t`, `s`, `op`, `d`), and the text of its message without the mention tags
/// (for the QQ partner).
pub fn message_create(rng: &mut Rng, seq: u64) -> (String, String) {
    let guild_id = rng.snowflake().to_string();
    let channel_id = rng.snowflake().to_string();
    let mention_count = match rng.below(20) {
        0..=13 => 0,
        14..=18 => 1,
        _ => 2,
    };
    let mentions: Vec<Value> = (0..mention_count)
        .map(|_| {
            let mut mention = user(rng);
            mention["member"] = member(rng);
            mention
        })
        .collect();
    let mention_ids: Vec<String> = mentions
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let text = rng.pick(TEXTS);
    let attachments: Vec<Value> = if rng.below(8) == 0 {
        vec![attachment(rng, &channel_id)]
    } else {
        Vec::new()
    };
    let embeds: Vec<Value> = if rng.below(10) == 0 {
        vec![embed()]
    } else {
        Vec::new()
    };
    let d = json!({
        "type": 0,
        "tts": false,
        "timestamp": timestamp(rng),
        "pinned": false,
        "nonce": rng.snowflake().to_string(),
        "mentions": mentions,
        "mention_roles": if rng.below(10) == 0 { vec![rng.snowflake().to_string()] } else { Vec::new() },
        "mention_everyone": false,
        "member": member(rng),
        "id": rng.snowflake().to_string(),
        "flags": 0,
        "embeds": embeds,
        "edited_timestamp": null,
        "content": content(&mention_ids, "@", text),
        "components": [],
        "channel_id": channel_id,
        "author": user(rng),
        "attachments": attachments,
        "guild_id": guild_id,
    });
    let frame = format!(r#"{{"t":"MESSAGE_CREATE","s":{seq},"op":0,"d":{d}}}"#);
    (frame, text.to_owned())
}
