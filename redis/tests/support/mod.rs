//! The Redis the tests run against: its URL and key prefixes come from `botgate-testkit`
//! (`BOTGATE_TEST_REDIS`; skipped locally without it, failing in CI); here only what needs a
//! Redis client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub use botgate_testkit::redis::{redis_url, unique_prefix};

/// A plain connection, for looking at (or tampering with) what the backends wrote.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}
