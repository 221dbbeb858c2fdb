//! Helpers for the OpenAPI tests: a client against a QQ sim, and request accessors.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use botgate_sim::{QqSim, Record};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::{AppCredentials, OpenApi, OpenApiConfig, TokenSource};
use botgate_transport::RetryPolicy;
use serde_json::Value;

/// Retries with tiny delays, so retry tests take milliseconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

/// App credentials the sim accepts.
pub fn credentials(sim: &QqSim) -> AppCredentials {
    AppCredentials::new(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .with_auth_base(sim.http_base())
}

/// An OpenAPI client with app credentials against `sim`.
pub fn client(sim: &QqSim) -> OpenApi {
    let http = HttpClient::new().unwrap();
    let tokens = TokenSource::app(http.clone(), credentials(sim));
    client_with(sim, tokens)
}

/// An OpenAPI client with `tokens` against `sim`.
pub fn client_with(sim: &QqSim, tokens: TokenSource) -> OpenApi {
    let http = HttpClient::new().unwrap();
    OpenApi::new(
        http,
        tokens,
        OpenApiConfig {
            api_base: sim.http_base(),
            retry: fast_retry(),
        },
    )
}

/// `(status, body, authorization)` of an `Http` record.
pub fn parts(record: &Record) -> (u16, Value, String) {
    match record {
        Record::Http { status, body, .. } => (
            *status,
            body.clone().unwrap_or(Value::Null),
            record
                .header("authorization")
                .unwrap_or_default()
                .to_owned(),
        ),
        other => panic!("not an http record: {other:?}"),
    }
}

/// The arrival time of an `Http` record.
pub fn at(record: &Record) -> std::time::Instant {
    match record {
        Record::Http { at, .. } => *at,
        other => panic!("not an http record: {other:?}"),
    }
}

/// Number of token requests the sim saw.
pub fn token_requests(sim: &QqSim) -> usize {
    sim.requests("POST", "/app/getAppAccessToken").len()
}
