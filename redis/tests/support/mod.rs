//! The Redis the tests run against: its URL comes from `BOTGATE_TEST_REDIS`
//! (`redis://127.0.0.1:PORT/0`). Without it a test is skipped with a note, except in CI
//! (`CI` set), where it fails: `.ci/run` starts a Redis and exports the variable.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const ENV: &str = "BOTGATE_TEST_REDIS";

/// The URL of the test Redis; `None` (skip) only outside CI.
pub fn redis_url() -> Option<String> {
    match std::env::var(ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "{ENV} is not set: in CI the Redis tests must run (.ci/run starts a redis-server)"
            )
        }
        _ => {
            eprintln!("{ENV} is not set: Redis test skipped (README: running the Redis tests)");
            None
        }
    }
}

/// A key prefix no other test (or run) uses.
pub fn unique_prefix(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "botgate-test:{test}:{}:{nanos}:{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A plain connection, for looking at (or tampering with) what the backends wrote.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}
