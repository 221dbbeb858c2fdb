//! The typed `data` of every known segment type.
//!
//! By the standard almost every value is a string (`"id":"178"`); implementations also send
//! numbers. Ids inside segments therefore stay strings (`at.qq` may be `all`, `reply.id` is an
//! opaque message id); sizes and coordinates are numbers, accepted from strings too.
//!
//! Field order is the order [`cq::render`](crate::onebot::cq::render) writes parameters in.

use super::super::Message;
use crate::de;
use serde::{Deserialize, Serialize};

/// `text`: plain text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Text {
    /// The text, unescaped.
    pub text: String,
}

/// `face`: a QQ face (emoticon).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Face {
    /// The face id (a number, sent as a string by the standard).
    pub id: String,
}

/// `image`: a picture.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Image {
    /// File name, URL, path or `base64://` data.
    pub file: String,
    /// `flash` for a flash picture.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Picture sub type (NapCat, Waylay; 1 = sticker).
    #[serde(rename = "subType", skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<i32>,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Use the cache when sending by URL (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// Download through the proxy when sending by URL (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Download timeout in seconds when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Preview text (NapCat, e.g. `[动画表情]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// `record`: a voice message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Record {
    /// File name, URL, path or `base64://` data.
    pub file: String,
    /// Voice changer (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magic: Option<String>,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Use the cache when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// Download through the proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Download timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// `video`: a short video.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Video {
    /// File name, URL, path or `base64://` data.
    pub file: String,
    /// Download URL (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Cover picture (go-cqhttp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// Use the cache when sending by URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// Download through the proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Download timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// File size in bytes (NapCat, Waylay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// `at`: an @-mention.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct At {
    /// The mentioned user's id, or `all` for everyone.
    pub qq: String,
    /// Display name (Waylay, NapCat; Waylay may put a name in `qq` when it lacks the id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `rps`: rock-paper-scissors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Rps {
    /// The outcome (receive; Waylay, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<i32>,
}

/// `dice`: a dice roll.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Dice {
    /// The number rolled (receive; Waylay, NapCat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<i32>,
}

/// `shake`: a window shake (no data).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Shake {}

/// `poke`: a poke (the old QQ kind, not the notify event).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Poke {
    /// Poke type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Poke id.
    pub id: String,
    /// Poke name (receive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `anonymous`: send this message anonymously.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Anonymous {
    /// Send non-anonymously if anonymity fails (`0` / `1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
}

/// `share`: a link share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Share {
    /// Title (first, as in the standard's CQ examples).
    pub title: String,
    /// The link.
    pub url: String,
    /// Summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `contact`: a recommended friend or group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Contact {
    /// `qq` for a friend, `group` for a group.
    #[serde(rename = "type")]
    pub kind: String,
    /// The user or group id.
    pub id: String,
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
    pub title: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// `music`: a music share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Music {
    /// `qq`, `163`, `xm` or `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Song id (not for `custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Link (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Audio URL (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<String>,
    /// Title (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Summary (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Picture URL (custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `reply`: a reply to a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Reply {
    /// The replied message's id (Waylay: the NT msgId string, not the short `message_id`).
    pub id: String,
}

/// `forward`: a forwarded-messages bundle (fetch with `get_forward_msg`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Forward {
    /// The forward id.
    pub id: String,
}

/// `node`: one node of a forward bundle: a reference by `id`, or a custom node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Node {
    /// The message id of an existing message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Sender id of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Sender name of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// The content of a custom node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Message>,
}

/// `xml`: an XML card.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Xml {
    /// The XML text.
    pub data: String,
    /// go-cqhttp's card resid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resid: Option<String>,
}

/// `json`: a JSON card.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Json {
    /// The JSON text.
    pub data: String,
    /// go-cqhttp's card resid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resid: Option<String>,
}

/// `file`: a file (NapCat, Waylay extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct File {
    /// File name or path.
    pub file: String,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Download URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Local path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// File id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// `mface`: a market (store) face (NapCat extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Mface {
    /// Emoji id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji_id: Option<String>,
    /// Emoji package id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji_package_id: Option<String>,
    /// Key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Text shown in place of the face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `markdown`: Markdown content (NapCat extension).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Markdown {
    /// The Markdown text.
    pub content: String,
}

crate::de::lenient_payload!(Strict: Text, Face, Image, Record, Video, At, Rps, Dice, Poke, Anonymous, Share, Contact, Location, Music, Reply, Forward, Node, Xml, Json, File, Mface, Markdown);
crate::de::serialize_derived!(
    Text, Face, Image, Record, Video, At, Rps, Dice, Poke, Anonymous, Share, Contact, Location,
    Music, Reply, Forward, Node, Xml, Json, File, Mface, Markdown
);
