//! Meta events (`post_type: meta_event`): lifecycle and heartbeat.

use super::enums::LifecycleSubType;

use serde::{Deserialize, Serialize};

use crate::Text;
use serde_json::{Map, Value};

/// `status` of a heartbeat (and the result of `get_status`): `online` and `good` by the
/// standard; everything else an implementation adds (`stat`, `app_initialized`, ...) is kept
/// in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct HeartbeatStatus {
    /// Whether the account is online (`null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// Whether everything is in order.
    pub good: bool,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `meta_event.lifecycle`: connection up, or the plugin enabled / disabled. Waylay sends `self_id` 0 before login and again with the real id after.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct LifecycleMeta {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `meta_event`.
    pub post_type: Text,
    /// `lifecycle`.
    pub meta_event_type: Text,
    /// `connect`, `enable` or `disable`.
    pub sub_type: LifecycleSubType,
}

/// `meta_event.heartbeat`: periodic status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct HeartbeatMeta {
    /// Unix time of the event, in seconds.
    pub time: i64,
    /// The bot account's id.
    pub self_id: i64,
    /// `meta_event`.
    pub post_type: Text,
    /// `heartbeat`.
    pub meta_event_type: Text,
    /// The implementation's status.
    pub status: HeartbeatStatus,
    /// Milliseconds to the next heartbeat (Waylay 30000, the standard's default 15000).
    pub interval: i64,
}

crate::de::lenient_payload!(Strict: HeartbeatStatus, LifecycleMeta, HeartbeatMeta);
crate::de::serialize_derived!(HeartbeatStatus, LifecycleMeta, HeartbeatMeta);
