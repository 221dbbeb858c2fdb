//! Audio bot events (`AUDIO_*`) and audio / live channel membership
//! (`AUDIO_OR_LIVE_CHANNEL_MEMBER_*`).

use crate::Text;
use serde::{Deserialize, Serialize};

use super::ChannelType;

/// `AUDIO_START` / `AUDIO_FINISH` / `AUDIO_ON_MIC` / `AUDIO_OFF_MIC`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct AudioAction {
    /// Guild id.
    pub guild_id: Text,
    /// Channel id.
    pub channel_id: Text,
    /// Audio URL (start / finish).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<Text>,
    /// Status text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
}

/// `AUDIO_OR_LIVE_CHANNEL_MEMBER_ENTER` / `_EXIT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct AudioOrLiveChannelMember {
    /// Guild id.
    pub guild_id: Text,
    /// Channel id.
    pub channel_id: Text,
    /// Channel type (voice 2 or live 10005).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// Who entered / left.
    pub user_id: Text,
}

crate::de::lenient_payload!(
    Lossy:
    AudioAction { guild_id, channel_id, audio_url, text },
    AudioOrLiveChannelMember { guild_id, channel_id, channel_type, user_id },
);
crate::de::serialize_derived!(AudioAction, AudioOrLiveChannelMember);
