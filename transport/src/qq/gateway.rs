//! QQ gateway discovery: `GET /gateway` and `GET /gateway/bot` (URL, recommended shards, the
//! identify budget).

use std::time::Duration;

use ::http::Method;
use serde::Deserialize;

use super::QqAuth;
use crate::error::Detail;
use crate::http::{join, lenient, HttpClient};
use crate::{Error, ErrorKind};

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

impl HttpClient {
    /// `GET {api_base}/gateway`.
    pub async fn qq_gateway(&self, api_base: &str, auth: &QqAuth) -> Result<Gateway, Error> {
        let header = auth.header_value();
        self.send_json::<Gateway, ()>(
            Method::GET,
            &join(api_base, "/gateway")?,
            Some(&header),
            None,
        )
        .await
    }

    /// `GET {api_base}/gateway/bot`: URL, recommended shards and the identify budget.
    pub async fn qq_gateway_bot(&self, api_base: &str, auth: &QqAuth) -> Result<GatewayBot, Error> {
        const ENDPOINT: &str = "/gateway/bot";
        let header = auth.header_value();
        let wire: GatewayBotWire = self
            .send_json::<_, ()>(Method::GET, &join(api_base, ENDPOINT)?, Some(&header), None)
            .await?;
        wire.into_gateway_bot(ENDPOINT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
