//! One REST exchange as a retry [`Step`]: the part every REST client shares. An exchange that
//! got no answer is retried when the request cannot have arrived or a repeat is harmless; a
//! refusal becomes [`ErrorKind::Api`], retried on 429 / 503, and on other 5xx when a repeat
//! is harmless; a 2xx body decodes as `T` (an empty body reads as `null`). What a refusal looks like is the platform's: [`Refusals`].

use ::http::Method;
use serde::de::DeserializeOwned;

use super::{NetFailure, RawResponse};
use crate::retry::Step;
use crate::{ApiError, Error, ErrorKind};

/// How one platform's REST API says no.
pub(crate) trait Refusals {
    /// The [`ApiError`] of a non-2xx answer.
    fn api_error(method: &Method, endpoint: &str, response: &RawResponse) -> ApiError;

    /// A 2xx answer that is a refusal all the same (QQ: `{code, message}` without an `id`).
    fn refusal_in_success(
        _method: &Method,
        _endpoint: &str,
        _response: &RawResponse,
    ) -> Option<ApiError> {
        None
    }
}

/// Turns one exchange into a [`Step`]. `retry_ambiguous`: the request may be sent twice
/// harmlessly, so an exchange that failed after sending can be retried.
pub(crate) fn classify<R: Refusals, T: DeserializeOwned>(
    method: &Method,
    endpoint: &str,
    result: Result<RawResponse, NetFailure>,
    retry_ambiguous: bool,
) -> Step<T> {
    let response = match result {
        Ok(r) => r,
        Err(NetFailure {
            error,
            not_sent,
            permanent,
        }) => {
            return if permanent {
                Step::Fail(error)
            } else if not_sent || retry_ambiguous {
                Step::Retry { error, after: None }
            } else {
                Step::Fail(error)
            };
        }
    };
    if (200..300).contains(&response.status) {
        if let Some(api) = R::refusal_in_success(method, endpoint, &response) {
            return Step::Fail(Error::new(ErrorKind::Api(Box::new(api))));
        }
        return match decode_success(endpoint, &response.body) {
            Ok(value) => Step::Done(value),
            Err(error) => Step::Fail(error),
        };
    }
    let api = R::api_error(method, endpoint, &response);
    let after = api.retry_after;
    // A 5xx may come after the work was done (a proxy's 502 / 504 once the backend sent the
    // message): repeated only when that is harmless. 429 and 503 say it was not done.
    let retryable =
        api.is_retryable() && (retry_ambiguous || api.status == 429 || api.status == 503);
    let error = Error::new(ErrorKind::Api(Box::new(api)));
    if retryable {
        Step::Retry { error, after }
    } else {
        Step::Fail(error)
    }
}

/// The body of a 2xx answer as `T`; an empty (or blank) body reads as `null`.
fn decode_success<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T, Error> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    botgate_proto::de::from_slice(body).map_err(|e| {
        Error::with_source(
            ErrorKind::Decode {
                endpoint: endpoint.to_owned(),
            },
            e,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::http::HeaderMap;
    use bytes::Bytes;
    use serde::de::IgnoredAny;

    /// A platform whose refusals carry nothing but their status.
    struct Plain;

    impl Refusals for Plain {
        fn api_error(method: &Method, endpoint: &str, response: &RawResponse) -> ApiError {
            ApiError::new(method.as_str(), endpoint, response.status)
        }
    }

    fn answer(status: u16, body: &'static str) -> Result<RawResponse, NetFailure> {
        Ok(RawResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        })
    }

    fn lost(not_sent: bool) -> Result<RawResponse, NetFailure> {
        Err(NetFailure {
            error: Error::new(ErrorKind::HttpRequest {
                endpoint: "/x".into(),
            }),
            not_sent,
            permanent: false,
        })
    }

    #[test]
    fn a_2xx_body_decodes_and_an_empty_one_reads_as_null() {
        let step: Step<Option<u32>> =
            classify::<Plain, _>(&Method::GET, "/x", answer(200, "7"), false);
        assert!(matches!(step, Step::Done(Some(7))));
        let step: Step<Option<u32>> =
            classify::<Plain, _>(&Method::DELETE, "/x", answer(204, " \n"), false);
        assert!(matches!(step, Step::Done(None)));
        let step: Step<u32> = classify::<Plain, _>(&Method::GET, "/x", answer(200, "{"), false);
        match step {
            Step::Fail(e) => assert_eq!(
                e.kind(),
                &ErrorKind::Decode {
                    endpoint: "/x".into()
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refusals_are_retried_on_429_and_5xx_only() {
        let retried = |status| {
            matches!(
                classify::<Plain, IgnoredAny>(&Method::GET, "/x", answer(status, ""), true),
                Step::Retry { .. }
            )
        };
        assert!(retried(429));
        assert!(retried(503));
        assert!(!retried(400));
        assert!(!retried(401));
    }

    /// Review of stop 30: a 502 / 504 to a send that is not safe to repeat was retried, and a
    /// message the backend had sent went out up to four times.
    #[test]
    fn a_5xx_that_may_follow_the_work_is_retried_only_when_a_repeat_is_harmless() {
        let retried = |status, harmless| {
            matches!(
                classify::<Plain, IgnoredAny>(&Method::POST, "/x", answer(status, ""), harmless),
                Step::Retry { .. }
            )
        };
        for status in [500, 502, 504] {
            assert!(retried(status, true), "{status}");
            assert!(!retried(status, false), "{status}");
        }
        // Not done: safe to repeat whatever the request.
        assert!(retried(429, false));
        assert!(retried(503, false));
    }

    #[test]
    fn a_lost_exchange_is_retried_when_unsent_or_harmless_to_repeat() {
        let retried = |not_sent, ambiguous| {
            matches!(
                classify::<Plain, IgnoredAny>(&Method::POST, "/x", lost(not_sent), ambiguous),
                Step::Retry { .. }
            )
        };
        assert!(retried(true, false));
        assert!(retried(false, true));
        assert!(!retried(false, false));
    }
}
