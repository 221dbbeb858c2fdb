//! QQ Bot OpenAPI bits the gateway needs: access token, `/gateway`, `/gateway/bot`.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::lenient;
use crate::error::Detail;
use crate::{Error, ErrorKind, Secret};

/// How requests to the QQ OpenAPI (and the gateway Identify) authenticate.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QqAuth {
    /// `QQBot <access_token>` (current scheme; token from `getAppAccessToken`).
    AccessToken(Secret),
    /// `Bot <app_id>.<bot_token>` (legacy fixed bot token).
    BotToken {
        /// The app id.
        app_id: String,
        /// The bot token.
        token: Secret,
    },
}

impl QqAuth {
    /// The `Authorization` header value (also the Identify `token`).
    pub fn header_value(&self) -> Secret {
        match self {
            Self::AccessToken(token) => Secret::new(format!("QQBot {}", token.expose())),
            Self::BotToken { app_id, token } => {
                Secret::new(format!("Bot {app_id}.{}", token.expose()))
            }
        }
    }
}

impl fmt::Debug for QqAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccessToken(t) => f.debug_tuple("AccessToken").field(t).finish(),
            Self::BotToken { app_id, token } => f
                .debug_struct("BotToken")
                .field("app_id", app_id)
                .field("token", token)
                .finish(),
        }
    }
}

/// An access token from `POST /app/getAppAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token (send as `QQBot <token>`).
    pub token: Secret,
    /// Lifetime from the moment of the answer.
    pub expires_in: Duration,
}

#[derive(Deserialize)]
pub(crate) struct AccessTokenWire {
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub(crate) expires_in: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) message: Option<String>,
}

/// Answer of `GET /gateway`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Gateway {
    /// The WebSocket URL to connect to.
    pub url: String,
}

/// Answer of `GET /gateway/bot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayBot {
    /// The WebSocket URL to connect to.
    pub url: String,
    /// Recommended number of shards.
    pub shards: u32,
    /// How many identifies are left and how fast they may go.
    pub session_start_limit: SessionStartLimit,
}

/// The identify budget of `/gateway/bot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionStartLimit {
    /// Identifies allowed per period.
    pub total: u32,
    /// Identifies left in this period.
    pub remaining: u32,
    /// Time until the period resets.
    pub reset_after: Duration,
    /// Shards that may identify per 5 s.
    pub max_concurrency: u32,
}

#[derive(Deserialize)]
pub(crate) struct GatewayBotWire {
    pub(crate) url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub(crate) shards: Option<u64>,
    #[serde(default)]
    pub(crate) session_start_limit: Option<SessionStartLimitWire>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SessionStartLimitWire {
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    total: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    remaining: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    reset_after: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    max_concurrency: Option<u64>,
}

fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl GatewayBotWire {
    /// The answer of `endpoint` as a [`GatewayBot`]; a missing `url` is a decode error.
    pub(crate) fn into_gateway_bot(self, endpoint: &str) -> Result<GatewayBot, Error> {
        let url = self.url.filter(|u| !u.is_empty()).ok_or_else(|| {
            Error::with_source(
                ErrorKind::Decode {
                    endpoint: endpoint.into(),
                },
                Detail("missing field `url`".into()),
            )
        })?;
        Ok(GatewayBot {
            url,
            shards: self.shards.map(clamp_u32).unwrap_or(1).max(1),
            session_start_limit: self.session_start_limit.unwrap_or_default().into_limit(),
        })
    }
}

impl SessionStartLimitWire {
    pub(crate) fn into_limit(self) -> SessionStartLimit {
        SessionStartLimit {
            total: clamp_u32(self.total.unwrap_or(1000)),
            remaining: clamp_u32(self.remaining.unwrap_or(1000)),
            reset_after: Duration::from_millis(self.reset_after.unwrap_or(0)),
            // 0 would stall every identify queue: one per 5 s is the documented floor.
            max_concurrency: clamp_u32(self.max_concurrency.unwrap_or(1)).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_header_values() {
        let a = QqAuth::AccessToken(Secret::new("abc"));
        assert_eq!(a.header_value().expose(), "QQBot abc");
        let b = QqAuth::BotToken {
            app_id: "102".into(),
            token: Secret::new("xyz"),
        };
        assert_eq!(b.header_value().expose(), "Bot 102.xyz");
        assert!(!format!("{b:?}").contains("xyz"));
    }

    #[test]
    fn token_expiry_as_string_or_number() {
        let s: AccessTokenWire =
            serde_json::from_str(r#"{"access_token":"t","expires_in":"7200"}"#).unwrap();
        assert_eq!(s.expires_in, Some(7200));
        let n: AccessTokenWire =
            serde_json::from_str(r#"{"access_token":"t","expires_in":7199}"#).unwrap();
        assert_eq!(n.expires_in, Some(7199));
        let e: AccessTokenWire =
            serde_json::from_str(r#"{"code":100016,"message":"invalid appid"}"#).unwrap();
        assert_eq!((e.access_token, e.code), (None, Some(100016)));
    }

    #[test]
    fn session_start_limit_lenient() {
        let w: GatewayBotWire = serde_json::from_str(
            r#"{"url":"wss://x","shards":"2","session_start_limit":{"total":1000,"remaining":"999","reset_after":14400000,"max_concurrency":0}}"#,
        )
        .unwrap();
        assert_eq!(w.shards, Some(2));
        let l = w.session_start_limit.unwrap().into_limit();
        assert_eq!(l.remaining, 999);
        assert_eq!(l.reset_after, Duration::from_millis(14_400_000));
        assert_eq!(l.max_concurrency, 1);
    }
}
