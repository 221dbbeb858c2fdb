//! Audio bot events (`AUDIO_*`) and audio / live channel membership
//! (`AUDIO_OR_LIVE_CHANNEL_MEMBER_*`).

use crate::de;
use serde::{Deserialize, Serialize};

use super::ChannelType;

/// `AUDIO_START` / `AUDIO_FINISH` / `AUDIO_ON_MIC` / `AUDIO_OFF_MIC`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioAction {
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Audio URL (start / finish).
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_url: Option<String>,
    /// Status text.
    #[serde(
        deserialize_with = "de::lossy_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
}

/// `AUDIO_OR_LIVE_CHANNEL_MEMBER_ENTER` / `_EXIT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioOrLiveChannelMember {
    /// Guild id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub guild_id: String,
    /// Channel id.
    #[serde(deserialize_with = "de::lossy_string")]
    pub channel_id: String,
    /// Channel type (voice 2 or live 10005).
    #[serde(
        deserialize_with = "de::lossy",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<ChannelType>,
    /// Who entered / left.
    #[serde(deserialize_with = "de::lossy_string")]
    pub user_id: String,
}
