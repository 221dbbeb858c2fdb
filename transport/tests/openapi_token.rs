//! The QQ access token: fetched once and shared (concurrent callers included), refreshed
//! before it expires without a failed send, an expired token refused with 401 and not retried.

mod openapi_common;

use std::time::{Duration, Instant};

use botgate_proto::qq::api::MessageToCreate;
use botgate_sim::{QqConfig, QqSim};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::{AppCredentials, QqAuth, Target, TokenSource};
use botgate_transport::{ErrorKind, Secret};
use openapi_common::{client, client_with, credentials, parts, token_requests};

#[tokio::test]
async fn token_is_fetched_once_and_shared_by_concurrent_sends() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            api.send(
                &Target::Channel("c".into()),
                MessageToCreate::text(format!("m{i}")),
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(token_requests(&sim), 1);
    let token_body = parts(&sim.requests("POST", "/app/getAppAccessToken")[0]).1;
    assert_eq!(
        token_body,
        serde_json::json!({"appId": "102000001", "clientSecret": "***"}),
        "the sim records the request with the secret masked"
    );
    let sends = sim.requests("POST", "/channels/c/messages");
    assert_eq!(sends.len(), 16);
    assert!(sends.iter().all(|r| parts(r).2 == "QQBot sim-token-1"));
    // The gateway's Identify gets the same credential.
    assert_eq!(
        api.tokens().token().await.unwrap().expose(),
        "QQBot sim-token-1"
    );
    assert_eq!(token_requests(&sim), 1);
}

#[tokio::test]
async fn short_lived_token_is_refreshed_before_expiry_without_a_failed_send() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 2,
        ..Default::default()
    })
    .await
    .unwrap();
    let api = client(&sim);
    let t0 = Instant::now();
    api.send(&Target::Channel("c".into()), MessageToCreate::text("1"))
        .await
        .unwrap();
    // Within the first half of a 2 s lifetime the token is reused...
    let tokens = api.tokens();
    assert_eq!(
        tokens
            .token_at(t0 + Duration::from_millis(900))
            .await
            .unwrap()
            .expose(),
        "QQBot sim-token-1"
    );
    assert_eq!(token_requests(&sim), 1);
    // ... and the platform retires it; by then the client must have moved on.
    sim.expire_tokens();
    // In the last second (the refresh margin, capped at half the lifetime) it is replaced.
    assert_eq!(
        tokens
            .token_at(t0 + Duration::from_millis(1_100))
            .await
            .unwrap()
            .expose(),
        "QQBot sim-token-2"
    );
    api.send(&Target::Channel("c".into()), MessageToCreate::text("2"))
        .await
        .unwrap();
    let sends = sim.requests("POST", "/channels/c/messages");
    let seen: Vec<_> = sends.iter().map(|r| (parts(r).0, parts(r).2)).collect();
    assert_eq!(
        seen,
        vec![
            (200, "QQBot sim-token-1".to_owned()),
            (200, "QQBot sim-token-2".to_owned())
        ]
    );
    assert_eq!(sim.issued_tokens(), vec!["sim-token-1", "sim-token-2"]);
}

#[tokio::test]
async fn concurrent_refreshes_share_one_token_request() {
    let sim = QqSim::start_default().await.unwrap();
    let tokens = TokenSource::app(HttpClient::new().unwrap(), credentials(&sim));
    let now = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let tokens = tokens.clone();
        tasks.push(tokio::spawn(async move { tokens.token_at(now).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().expose(), "QQBot sim-token-1");
    }
    assert_eq!(token_requests(&sim), 1);
}

#[tokio::test]
async fn expired_token_is_refused_with_401_and_not_retried() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    api.send(&Target::Group("G".into()), MessageToCreate::text("ok"))
        .await
        .unwrap();
    sim.expire_tokens();

    // A fixed credential cannot recover: 401, code 11244, one request.
    let fixed = client_with(
        &sim,
        TokenSource::fixed(QqAuth::AccessToken(Secret::new("sim-token-1"))),
    );
    let err = fixed
        .send(&Target::Group("G".into()), MessageToCreate::text("late"))
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!((api_err.status, api_err.code), (401, Some(11_244)));
    assert!(err.is_auth_failure());
    assert_eq!(sim.requests("POST", "/v2/groups/G/messages").len(), 2);

    // The app source drops the refused token, so the next call fetches a fresh one.
    let err = api
        .send(&Target::Group("G".into()), MessageToCreate::text("late"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    api.send(&Target::Group("G".into()), MessageToCreate::text("again"))
        .await
        .unwrap();
    let statuses: Vec<_> = sim
        .requests("POST", "/v2/groups/G/messages")
        .iter()
        .map(|r| (parts(r).0, parts(r).2))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (200, "QQBot sim-token-1".to_owned()),
            (401, "QQBot sim-token-1".to_owned()),
            (401, "QQBot sim-token-1".to_owned()),
            (200, "QQBot sim-token-2".to_owned()),
        ]
    );
}

#[tokio::test]
async fn wrong_secret_fails_fast() {
    let sim = QqSim::start_default().await.unwrap();
    let tokens = TokenSource::app(
        HttpClient::new().unwrap(),
        AppCredentials::new("102000001", "wrong").with_auth_base(sim.http_base()),
    );
    let api = client_with(&sim, tokens);
    let err = api
        .send(&Target::Channel("c".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TokenRejected { .. }));
    assert!(err.is_auth_failure());
    assert_eq!(token_requests(&sim), 1, "a refused secret is not retried");
    assert!(sim.requests("POST", "/channels/").is_empty());
    let debug = format!("{api:?}");
    assert!(!debug.contains("wrong"), "{debug}");
}

fn token_endpoint_fails(times: u32) -> botgate_sim::HttpFault {
    let mut fault = botgate_sim::HttpFault::server_error();
    fault.path_prefix = Some("/app/getAppAccessToken".into());
    fault.times = times;
    fault
}

/// Review of stop 30: callers that queued behind a failed token request each made one more
/// request, one after another (N callers: N requests of up to 15 s each). They share its
/// failure now.
#[tokio::test]
async fn callers_queued_behind_a_failed_first_fetch_share_its_error() {
    let sim = QqSim::start_default().await.unwrap();
    sim.inject_http(token_endpoint_fails(100));
    let tokens = TokenSource::app(HttpClient::new().unwrap(), credentials(&sim));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await })
        })
        .collect();
    for t in tasks {
        let err = t.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::HttpStatus { status: 500, .. } | ErrorKind::Api(_)
            ),
            "{err:?}"
        );
    }
    assert_eq!(token_requests(&sim), 1);
    // A later call is not answered by that old failure: it tries again.
    assert!(tokens.token().await.is_err());
    assert_eq!(token_requests(&sim), 2);
}

/// A failure is shared only with the callers that waited for its request: one that comes
/// after it makes a request of its own, which may succeed.
#[tokio::test]
async fn a_failure_is_not_shared_with_a_caller_that_came_after_it() {
    let sim = QqSim::start_default().await.unwrap();
    sim.inject_http(token_endpoint_fails(1));
    let tokens = TokenSource::app(HttpClient::new().unwrap(), credentials(&sim));
    assert!(tokens.token().await.is_err());
    assert_eq!(tokens.token().await.unwrap().expose(), "QQBot sim-token-1");
    assert_eq!(token_requests(&sim), 2);
}

/// After a failed refresh the current token is used without a new request for a pause, then
/// the refresh is tried again (it was tried by every call until it succeeded).
#[tokio::test]
async fn a_failed_refresh_keeps_the_token_and_pauses_before_the_next_try() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 300,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let tokens = TokenSource::app(HttpClient::new().unwrap(), credentials(&sim));
    let t0 = Instant::now();
    let first = tokens.token_at(t0).await.unwrap();
    sim.inject_http(token_endpoint_fails(1));
    // In the last 60 s: a refresh, which fails; the token still serves.
    let in_window = t0 + Duration::from_secs(250);
    assert_eq!(tokens.token_at(in_window).await.unwrap(), first);
    assert_eq!(token_requests(&sim), 2);
    for s in [1, 2, 4] {
        let at = in_window + Duration::from_secs(s);
        assert_eq!(tokens.token_at(at).await.unwrap(), first);
    }
    assert_eq!(token_requests(&sim), 2, "paused");
    let after = in_window + Duration::from_secs(6);
    let fresh = tokens.token_at(after).await.unwrap();
    assert_ne!(fresh, first);
    assert_eq!(token_requests(&sim), 3);
}
