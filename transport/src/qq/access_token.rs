//! `POST /app/getAppAccessToken`: the QQ access token for app id + client secret
//! ([`super::TokenSource`] caches and refreshes it).

use std::time::Duration;

use ::http::Method;
use serde::Deserialize;

use crate::http::{join, lenient, HttpClient};
use crate::{Error, ErrorKind, Secret};

/// An access token from `POST /app/getAppAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token (send as `QQBot <token>`).
    pub token: Secret,
    /// Lifetime from the moment of the answer.
    pub expires_in: Duration,
}

#[derive(Deserialize)]
struct AccessTokenWire {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

impl HttpClient {
    /// `POST {auth_base}/app/getAppAccessToken` with `{appId, clientSecret}`.
    ///
    /// An answer without `access_token` (QQ answers 200 with `{code, message}` for a wrong
    /// secret) is [`ErrorKind::TokenRejected`].
    pub async fn qq_access_token(
        &self,
        auth_base: &str,
        app_id: &str,
        client_secret: &Secret,
    ) -> Result<AccessToken, Error> {
        const ENDPOINT: &str = "/app/getAppAccessToken";
        let body = serde_json::json!({ "appId": app_id, "clientSecret": client_secret.expose() });
        let wire: AccessTokenWire = self
            .send_json(Method::POST, &join(auth_base, ENDPOINT)?, None, Some(&body))
            .await?;
        match wire.access_token {
            Some(token) if !token.is_empty() => Ok(AccessToken {
                token: Secret::new(token),
                expires_in: lifetime(wire.expires_in),
            }),
            _ => Err(Error::new(ErrorKind::TokenRejected {
                code: wire.code,
                message: wire.message.unwrap_or_default(),
            })),
        }
    }
}

/// The longest lifetime taken from an answer: QQ's tokens live 7200 s; a larger
/// `expires_in` (a broken proxy's `1e30`) would overflow the clock's arithmetic.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A token's lifetime from `expires_in` (7200 s when absent), at most [`MAX_LIFETIME`].
fn lifetime(expires_in: Option<u64>) -> Duration {
    Duration::from_secs(expires_in.unwrap_or(7200)).min(MAX_LIFETIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_or_missing_expiry_gives_a_bounded_lifetime() {
        let huge: AccessTokenWire =
            serde_json::from_str(r#"{"access_token":"t","expires_in":"18446744073709551615"}"#)
                .unwrap();
        assert_eq!(lifetime(huge.expires_in), MAX_LIFETIME);
        let float: AccessTokenWire =
            serde_json::from_str(r#"{"access_token":"t","expires_in":1e30}"#).unwrap();
        assert_eq!(lifetime(float.expires_in), MAX_LIFETIME);
        // The clock's arithmetic holds with it.
        let _ = std::time::Instant::now() + lifetime(float.expires_in);
        assert_eq!(lifetime(None), Duration::from_secs(7200));
        assert_eq!(lifetime(Some(300)), Duration::from_secs(300));
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
}
