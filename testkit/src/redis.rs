//! The Redis the tests run against, without a Redis client (the crates that test against
//! Redis bring their own): its URL from `BOTGATE_TEST_REDIS` (`redis://127.0.0.1:PORT/0`),
//! skipped with a note without it, except in CI (`CI` set), where it fails; and key prefixes
//! no other test or run uses.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable that holds the test Redis's URL.
pub const REDIS_ENV: &str = "BOTGATE_TEST_REDIS";

/// The URL of the test Redis; `None` (skip the test) only outside CI.
///
/// # Panics
/// In CI (`CI` set) without [`REDIS_ENV`]: there the Redis tests must run.
pub fn redis_url() -> Option<String> {
    match std::env::var(REDIS_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{REDIS_ENV} is not set: in CI the Redis tests must run (.ci/run starts a redis-server)")
        }
        _ => {
            eprintln!(
                "{REDIS_ENV} is not set: Redis test skipped (README: running the Redis tests)"
            );
            None
        }
    }
}

/// A key prefix no other test (or run, or process) uses: `botgate-test:<test>:<pid>:<ns>:<n>`.
pub fn unique_prefix(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "botgate-test:{test}:{}:{nanos}:{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_differ_within_one_process() {
        let (a, b) = (unique_prefix("t"), unique_prefix("t"));
        assert_ne!(a, b);
        assert!(a.starts_with("botgate-test:t:"), "{a}");
    }
}
