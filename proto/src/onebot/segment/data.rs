//! The typed `data` of every known segment type.
//!
//! By the standard almost every value is a string (`"id":"178"`); implementations also send
//! numbers. Ids inside segments therefore stay strings (`at.qq` may be `all`, `reply.id` is an
//! opaque message id); sizes and coordinates are numbers, accepted from strings too.
//!
//! Field order is the order [`cq::render`](crate::onebot::cq::render) writes parameters in.
//!
//! Each type keeps the data fields it does not model in `extra`, under their keys, values as
//! sent (decision 0058): implementations add fields of their own (NapCat's `face.raw` and
//! `resultId`, `forward.content`, `reply.seq`, ...), and a handler that reads, re-sends or
//! forwards a segment keeps them. Serialised back, they follow the modelled fields.

use super::super::Message;
use crate::de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `text`: plain text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Text {
    /// The text, unescaped.
    pub text: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `face`: a QQ face (emoticon).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Face {
    /// The face id (a number, sent as a string by the standard).
    pub id: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `image`: a picture.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Image {
    /// File name, URL, path or `base64://` data.
    pub file: crate::Text,
    /// `flash` for a flash picture.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::Text>,
    /// Picture sub type (NapCat, Waylay; 1 = sticker).
    #[serde(rename = "subType", skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<i32>,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// Use the cache when sending by URL (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<crate::Text>,
    /// Download through the proxy when sending by URL (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::Text>,
    /// Download timeout in seconds when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Preview text (NapCat, e.g. `[动画表情]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<crate::Text>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `record`: a voice message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Record {
    /// File name, URL, path or `base64://` data.
    pub file: crate::Text,
    /// Voice changer (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magic: Option<crate::Text>,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// Use the cache when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<crate::Text>,
    /// Download through the proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::Text>,
    /// Download timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `video`: a short video.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Video {
    /// File name, URL, path or `base64://` data.
    pub file: crate::Text,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// Cover picture (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<crate::Text>,
    /// Use the cache when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<crate::Text>,
    /// Download through the proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::Text>,
    /// Download timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `at`: an @-mention.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct At {
    /// The mentioned user's id, or `all` for everyone.
    pub qq: crate::Text,
    /// Display name (Waylay, NapCat; Waylay may put a name in `qq` when it lacks the id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `rps`: rock-paper-scissors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Rps {
    /// The outcome (receive; Waylay, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<i32>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `dice`: a dice roll.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Dice {
    /// The number rolled (receive; Waylay, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<i32>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `shake`: a window shake (no data by the standard).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Shake {
    /// The data fields sent with it, kept as sent under their keys (decision 0058).
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `poke`: a poke (the old QQ kind, not the notify event).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Poke {
    /// Poke type.
    #[serde(rename = "type")]
    pub kind: crate::Text,
    /// Poke id.
    pub id: crate::Text,
    /// Poke name (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `anonymous`: send this message anonymously.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Anonymous {
    /// Send non-anonymously if anonymity fails (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `share`: a link share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Share {
    /// Title (first, as in the standard's CQ examples).
    pub title: crate::Text,
    /// The link.
    pub url: crate::Text,
    /// Summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<crate::Text>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `contact`: a recommended friend or group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Contact {
    /// `qq` for a friend, `group` for a group.
    #[serde(rename = "type")]
    pub kind: crate::Text,
    /// The user or group id.
    pub id: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `location`: a location.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Location {
    /// Latitude.
    // Own rule: finite only (JSON cannot carry `inf` back out).
    #[serde(
        deserialize_with = "de::opt_f64_finite",
        skip_serializing_if = "Option::is_none"
    )]
    pub lat: Option<f64>,
    /// Longitude.
    // Own rule: finite only (JSON cannot carry `inf` back out).
    #[serde(
        deserialize_with = "de::opt_f64_finite",
        skip_serializing_if = "Option::is_none"
    )]
    pub lon: Option<f64>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<crate::Text>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `music`: a music share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Music {
    /// `qq`, `163`, `xm` or `custom`.
    #[serde(rename = "type")]
    pub kind: crate::Text,
    /// Song id (not for `custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::Text>,
    /// Link (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// Audio URL (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<crate::Text>,
    /// Title (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<crate::Text>,
    /// Summary (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<crate::Text>,
    /// Picture URL (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `reply`: a reply to a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Reply {
    /// The replied message's id (Waylay: the NT msgId string, not the short `message_id`).
    pub id: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `forward`: a forwarded-messages bundle (fetch with `get_forward_msg`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Forward {
    /// The forward id.
    pub id: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `node`: one node of a forward bundle: a reference by `id`, or a custom node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Node {
    /// The message id of an existing message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<crate::Text>,
    /// Sender id of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Sender name of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<crate::Text>,
    /// The content of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Message>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `xml`: an XML card.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Xml {
    /// The XML text.
    pub data: crate::Text,
    /// go-cqhttp's card resid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resid: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `json`: a JSON card.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Json {
    /// The JSON text.
    pub data: crate::Text,
    /// go-cqhttp's card resid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resid: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `file`: a file (NapCat, Waylay extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct File {
    /// File name or path.
    pub file: crate::Text,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<crate::Text>,
    /// Download URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// Local path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<crate::Text>,
    /// File id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<crate::Text>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `mface`: a market (store) face (NapCat extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Mface {
    /// Emoji id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji_id: Option<crate::Text>,
    /// Emoji package id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji_package_id: Option<crate::Text>,
    /// Key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<crate::Text>,
    /// Text shown in place of the face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<crate::Text>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<crate::Text>,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `markdown`: Markdown content (NapCat extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Markdown {
    /// The Markdown text.
    pub content: crate::Text,
    /// The data fields this version does not model, kept as sent under their keys (NapCat's
    /// `face.raw`, go-cqhttp's `reply.seq`, ...; decision 0058). A decode never puts a key a
    /// field above reads here; a key put here by hand that a field also writes is written twice.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

// Read by their serde pass only (a segment's data comes as the `Value` the segment visitor
// buffers); their unmodelled keys go to `extra`.
crate::de::lenient_payload!(
    Strict: Text, Face, Image, Record, Video, At, Rps, Dice, Shake, Poke, Anonymous, Share,
    Contact, Location, Music, Reply, Forward, Node, Xml, Json, File, Mface, Markdown
);
crate::de::serialize_derived!(
    Text, Face, Image, Record, Video, At, Rps, Dice, Shake, Poke, Anonymous, Share, Contact,
    Location, Music, Reply, Forward, Node, Xml, Json, File, Mface, Markdown
);
