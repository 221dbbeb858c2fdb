//! Session payloads: `Hello` (op 10), `READY` and `RESUMED`.

use crate::de;
use crate::Text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::User;

/// op 10 Hello: how often to send heartbeats.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Hello {
    /// Heartbeat interval in milliseconds (0 when missing: the session picks its default).
    pub heartbeat_interval: u64,
}

/// `READY`: the answer to Identify.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Ready {
    /// Gateway protocol version.
    pub version: i64,
    /// Session id, needed to resume.
    pub session_id: Text,
    /// The bot's own user.
    pub user: User,
    /// `[shard_id, shard_count]`, when sent.
    // Own rule: exactly two numbers, else `None` as a whole.
    #[serde(deserialize_with = "shard", skip_serializing_if = "Option::is_none")]
    pub shard: Option<[u32; 2]>,
}

/// `[a, b]` of numbers or numeric strings; any other shape is `None`.
fn shard<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u32; 2]>, D::Error> {
    let v = de::lossy_vec_i64(d)?;
    match v.as_slice() {
        [a, b] => Ok(u32::try_from(*a)
            .ok()
            .zip(u32::try_from(*b).ok())
            .map(|(a, b)| [a, b])),
        _ => Ok(None),
    }
}

/// `RESUMED`: every missed dispatch has been replayed. QQ sends `d: ""`; any `d` is accepted
/// and nothing is kept. Serializes as `""`, as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resumed;

impl<'de> Deserialize<'de> for Resumed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Resumed)
    }
}

/// A payload like the others to the codec (no direct pass: nothing is read).
impl crate::de::Payload for Resumed {
    const MODE: crate::de::Mode = crate::de::Mode::Lossy;
    fn plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <Self as Deserialize>::deserialize(d)
    }
}

impl Serialize for Resumed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("")
    }
}

crate::de::lenient_payload!(Lossy: Hello, Ready);
crate::de::serialize_derived!(Hello, Ready);
