//! Audio bot events (`AUDIO_*`) and audio / live channel membership
//! (`AUDIO_OR_LIVE_CHANNEL_MEMBER_*`).

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

int_enum! {
    /// `channel_type` of an audio / live channel membership event: its own codes, not
    /// [`ChannelType`](super::ChannelType)'s (a live channel is 5 here, 10005 there).
    /// Unknown codes are kept in `Other`.
    pub enum AudioChannelType {
        /// Audio / video channel (音视频子频道).
        Audio = 2,
        /// Live channel (直播子频道).
        Live = 5,
    }
}

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
    /// Channel type: audio / video 2, live 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<AudioChannelType>,
    /// Who entered / left.
    pub user_id: Text,
}

crate::de::lenient_payload!(
    Lossy:
    AudioAction { guild_id, channel_id, audio_url, text },
    AudioOrLiveChannelMember { guild_id, channel_id, channel_type, user_id },
);
crate::de::serialize_derived!(AudioAction, AudioOrLiveChannelMember);
