//! Gateway control dispatches: subscription answers, `ERROR` and botgate's `RESUMED`.

use serde::{Deserialize, Serialize};

use crate::Text;

/// `EVENTS_SUBSCRIBED`: the answer to op 30.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct EventsSubscribed {
    /// Event types now subscribed.
    #[serde(alias = "subscribed_events")]
    pub subscribed_events: Vec<Text>,
    /// Names the server rejected.
    #[serde(alias = "invalid_events")]
    pub invalid_events: Vec<Text>,
}

/// `EVENTS_UNSUBSCRIBED`: the answer to op 31.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct EventsUnsubscribed {
    /// Event types no longer subscribed.
    #[serde(alias = "unsubscribed_events")]
    pub unsubscribed_events: Vec<Text>,
}

/// `SUBSCRIBE_DENIED`: a subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct SubscribeDenied {
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// The refused event types.
    pub events: Vec<Text>,
}

/// `ERROR`: a gateway error such as `{"code":"RATE_LIMIT","message":"Too many messages"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorEvent {
    /// Error code (`RATE_LIMIT`; a numeric code is kept as its decimal string).
    pub code: Text,
    /// Human-readable message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

impl ErrorEvent {
    /// The rate-limit code Bubble documents.
    pub const RATE_LIMIT: &'static str = "RATE_LIMIT";

    /// Whether this is the documented rate-limit error.
    pub fn is_rate_limit(&self) -> bool {
        self.code == Self::RATE_LIMIT
    }
}

/// `RESUMED` (botgate extension): the missed dispatches were replayed. Any `d` is accepted; a
/// `d` that is not an object reads as the default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct Resumed {
    /// How many dispatches were replayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed: Option<u64>,
}

crate::de::lenient_payload!(
    Lossy:
    EventsSubscribed {
        subscribed_events = "subscribedEvents" | "subscribed_events",
        invalid_events = "invalidEvents" | "invalid_events",
    },
    EventsUnsubscribed { unsubscribed_events = "unsubscribedEvents" | "unsubscribed_events" },
    SubscribeDenied { reason, events },
    ErrorEvent { code, message },
    Resumed { replayed },
);
crate::de::serialize_derived!(
    EventsSubscribed,
    EventsUnsubscribed,
    SubscribeDenied,
    ErrorEvent,
    Resumed
);
