//! [`HttpClient`]: a reqwest client (rustls with `ring`) and its JSON request.

use std::fmt;
use std::time::Duration;

use ::http::header::{AUTHORIZATION, CONTENT_TYPE};
use ::http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::Detail;
use crate::{Error, ErrorKind, Secret};

/// Settings of an [`HttpClient`].
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Limit for one whole request (connect, send, read the answer).
    pub timeout: Duration,
    /// Connect limit.
    pub connect_timeout: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("botgate/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// An HTTP client for tokens, gateway discovery and REST calls. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct HttpClient {
    pub(super) inner: reqwest::Client,
}

impl HttpClient {
    /// A client with [`HttpConfig::default`].
    pub fn new() -> Result<Self, Error> {
        Self::with_config(&HttpConfig::default())
    }

    /// A client with `config`.
    pub fn with_config(config: &HttpConfig) -> Result<Self, Error> {
        crate::tls::install_default_crypto_provider();
        let inner = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| Error::with_source(ErrorKind::HttpClient, e))?;
        Ok(Self { inner })
    }

    /// Sends a JSON request and decodes a JSON answer. `authorization` is the whole header
    /// value (e.g. `QQBot <token>`, `Bearer <token>`). Non-2xx answers are
    /// [`ErrorKind::HttpStatus`] with the start of the body as source.
    pub async fn send_json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: &Url,
        authorization: Option<&Secret>,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let endpoint = url.path().to_owned();
        let mut request = self.inner.request(method, url.clone());
        if let Some(auth) = authorization {
            let mut value = ::http::HeaderValue::try_from(auth.expose())
                .map_err(|_| crate::error::invalid_authorization())?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                Error::with_source(
                    ErrorKind::HttpRequest {
                        endpoint: endpoint.clone(),
                    },
                    e,
                )
            })?;
            request = request.header(CONTENT_TYPE, "application/json").body(bytes);
        }
        let request_error = |e: reqwest::Error| {
            Error::with_source(
                ErrorKind::HttpRequest {
                    endpoint: endpoint.clone(),
                },
                e.without_url(),
            )
        };
        let response = request.send().await.map_err(request_error)?;
        let status = response.status();
        let bytes = match super::body::read_body(response).await {
            Ok(bytes) => bytes,
            Err(super::body::BodyError::Read(e)) => return Err(request_error(e)),
            Err(super::body::BodyError::TooLarge) => {
                return Err(Error::with_source(
                    ErrorKind::HttpRequest { endpoint },
                    Detail(super::body::BodyError::too_large()),
                ))
            }
        };
        if !status.is_success() {
            let snippet = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
            tracing::debug!(%endpoint, status = status.as_u16(), "http request failed");
            return Err(Error::with_source(
                ErrorKind::HttpStatus {
                    endpoint,
                    status: status.as_u16(),
                },
                Detail(snippet),
            ));
        }
        botgate_proto::de::from_slice(&bytes)
            .map_err(|e| Error::with_source(ErrorKind::Decode { endpoint }, e))
    }
}

/// `base` + `path`, tolerating a trailing `/` on the base.
pub(crate) fn join(base: &str, path: &str) -> Result<Url, Error> {
    let joined = format!("{}{}", base.trim_end_matches('/'), path);
    Url::parse(&joined).map_err(|e| {
        Error::with_source(
            ErrorKind::InvalidUrl {
                reason: e.to_string(),
            },
            e,
        )
    })
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_tolerates_trailing_slash() {
        assert_eq!(
            join("https://bots.qq.com/", "/app/getAppAccessToken")
                .unwrap()
                .as_str(),
            "https://bots.qq.com/app/getAppAccessToken"
        );
        assert_eq!(
            join("http://127.0.0.1:9/api", "/gateway").unwrap().as_str(),
            "http://127.0.0.1:9/api/gateway"
        );
        assert_eq!(
            join("not a url", "/x").unwrap_err().kind(),
            &ErrorKind::InvalidUrl {
                reason: "relative URL without a base".into()
            }
        );
    }
}
