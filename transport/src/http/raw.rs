//! One HTTP exchange with everything the REST clients classify on: status, headers, body, and
//! for a failed exchange whether the request can have reached the server.

use ::http::header::{AUTHORIZATION, CONTENT_TYPE};
use ::http::{HeaderMap, HeaderValue, Method};
use bytes::Bytes;
use url::Url;

use super::HttpClient;
use crate::{Error, ErrorKind, Secret};

/// An answer, whatever its status.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An exchange that produced no answer.
#[derive(Debug)]
pub(crate) struct NetFailure {
    /// The error to report.
    pub(crate) error: Error,
    /// True when the request certainly did not reach the server (connect failed), so sending
    /// it again cannot double it.
    pub(crate) not_sent: bool,
    /// The request cannot be made as it is (a credential that is no header value): sending
    /// it again fails the same way.
    pub(crate) permanent: bool,
}

impl HttpClient {
    /// Sends `body` (JSON bytes) with `authorization` as the whole `Authorization` value and
    /// returns the answer of any status.
    pub(crate) async fn execute(
        &self,
        method: Method,
        url: &Url,
        authorization: Option<&Secret>,
        body: Option<&[u8]>,
    ) -> Result<RawResponse, NetFailure> {
        let endpoint = url.path().to_owned();
        let failure = |error: Error, not_sent: bool| NetFailure {
            error,
            not_sent,
            permanent: false,
        };
        let mut request = self.inner.request(method, url.clone());
        if let Some(auth) = authorization {
            let mut value = HeaderValue::try_from(auth.expose()).map_err(|_| NetFailure {
                error: crate::error::invalid_authorization(),
                not_sent: true,
                permanent: true,
            })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let request_error = |e: reqwest::Error| {
            let not_sent = e.is_connect() || e.is_builder();
            let permanent = e.is_builder();
            let failure = |error, not_sent| NetFailure {
                error,
                not_sent,
                permanent,
            };
            failure(
                Error::with_source(
                    ErrorKind::HttpRequest {
                        endpoint: endpoint.clone(),
                    },
                    e.without_url(),
                ),
                not_sent,
            )
        };
        let response = request.send().await.map_err(request_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match super::body::read_body(response).await {
            Ok(body) => body,
            Err(super::body::BodyError::Read(e)) => return Err(request_error(e)),
            Err(super::body::BodyError::TooLarge) => {
                return Err(failure(
                    Error::with_source(
                        ErrorKind::HttpRequest {
                            endpoint: endpoint.clone(),
                        },
                        crate::error::Detail(super::body::BodyError::too_large()),
                    ),
                    false,
                ))
            }
        };
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}
