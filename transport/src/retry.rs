//! [`RetryPolicy`] and the retry loop the REST clients share: what each attempt's answer means
//! (retry or not: `http::rest_step`, decision 0056) is the caller's; this loop waits the
//! exponential backoff (or the server's `Retry-After`) between attempts and bounds them.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::Error;

/// How a REST client retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: never retry).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further retry (with ±25 % jitter).
    pub base_delay: Duration,
    /// Upper bound of one backoff.
    pub max_delay: Duration,
    /// A server asking to wait longer than this (`Retry-After`) fails the call at once instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Backoff before retry number `retry` (0-based): `base × 2^retry`, capped at `max_delay`,
    /// times a factor in [0.75, 1.25).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        exp.mul_f64(0.75 + 0.5 * unit_random())
    }
}

/// A pseudo-random number in [0, 1) (splitmix64 over a counter and the clock): jitter only.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut z = COUNTER
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(u64::from(nanos));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// What one attempt came to.
#[derive(Debug)]
pub(crate) enum Step<T> {
    /// Success.
    Done(T),
    /// Failed; another attempt may succeed, after `after` if the server said so.
    Retry {
        error: Error,
        after: Option<Duration>,
    },
    /// Failed for good.
    Fail(Error),
}

/// Runs `attempt(n)` (n from 1) until it is done, fails for good, or the retries run out;
/// sleeps the backoff (or the server's delay) between attempts. The error of the last attempt
/// is returned with `attempts` set when it is an [`ApiError`](crate::ApiError).
pub(crate) async fn run<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Step<T>>,
{
    let mut n = 1u32;
    loop {
        let (error, after) = match attempt(n).await {
            Step::Done(value) => return Ok(value),
            Step::Fail(error) => return Err(with_attempts(error, n)),
            Step::Retry { error, after } => (error, after),
        };
        if n > policy.max_retries {
            return Err(with_attempts(error, n));
        }
        let delay = match after {
            Some(after) if after > policy.max_retry_after => {
                tracing::warn!(?after, "server asks to wait longer than allowed; giving up");
                return Err(with_attempts(error, n));
            }
            Some(after) => after,
            None => policy.backoff(n - 1),
        };
        tracing::debug!(attempt = n, ?delay, error = %error, "retrying");
        tokio::time::sleep(delay).await;
        n += 1;
    }
}

fn with_attempts(error: Error, attempts: u32) -> Error {
    let (kind, source) = error.into_parts();
    match kind {
        crate::ErrorKind::Api(mut api) => {
            api.attempts = attempts;
            let kind = crate::ErrorKind::Api(api);
            match source {
                Some(source) => Error::with_source(kind, source),
                None => Error::new(kind),
            }
        }
        kind => match source {
            Some(source) => Error::with_source(kind, source),
            None => Error::new(kind),
        },
    }
}

/// Parses a `Retry-After` value in seconds (fractions allowed); HTTP dates are not used by
/// either platform and give `None`.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    seconds(secs)
}

/// A non-negative, finite number of seconds as a duration.
pub(crate) fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, ErrorKind};
    use std::sync::atomic::AtomicU32;

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_caps() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for (retry, nominal) in [
            (0, 100u64),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            let d = p.backoff(retry).as_secs_f64() * 1000.0;
            let n = nominal as f64;
            assert!(d >= n * 0.75 && d < n * 1.25, "retry {retry}: {d} ms");
        }
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 1.5 "),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(seconds(f64::NAN), None);
    }

    #[tokio::test(start_paused = true)]
    async fn loop_retries_then_reports_attempts() {
        let policy = RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        let calls = AtomicU32::new(0);
        let err = run::<(), _, _>(&policy, |_| {
            calls.fetch_add(1, Ordering::Relaxed);
            async {
                Step::Retry {
                    error: Error::new(ErrorKind::Api(Box::new(ApiError::new("GET", "/x", 503)))),
                    after: None,
                }
            }
        })
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        assert_eq!(err.api().unwrap().attempts, 3);

        // A server delay above the limit fails at once.
        let calls = AtomicU32::new(0);
        let err = run::<(), _, _>(&policy, |_| {
            calls.fetch_add(1, Ordering::Relaxed);
            async {
                Step::Retry {
                    error: Error::new(ErrorKind::Api(Box::new(ApiError::new("GET", "/x", 429)))),
                    after: Some(Duration::from_secs(3600)),
                }
            }
        })
        .await
        .unwrap_err();
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        assert_eq!(err.status(), Some(429));

        let ok = run(&policy, |n| async move {
            if n < 2 {
                Step::Retry {
                    error: Error::new(ErrorKind::ConnectionLost),
                    after: Some(Duration::from_millis(5)),
                }
            } else {
                Step::Done(n)
            }
        })
        .await
        .unwrap();
        assert_eq!(ok, 2);
    }
}
