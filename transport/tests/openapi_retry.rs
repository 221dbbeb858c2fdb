//! Retries of the QQ OpenAPI client against scripted sim failures: 5xx retried with the same
//! body (same `msg_seq`), 4xx never retried and reported with code and trace id, 429's
//! `Retry-After` honoured, retries bounded.

mod openapi_common;

use std::time::Duration;

use botgate_proto::qq::api::MessageToCreate;
use botgate_sim::{HttpFault, QqSim};
use botgate_transport::qq::Target;
use openapi_common::{at, client, parts};
use serde_json::json;

#[tokio::test]
async fn server_error_is_retried_with_the_same_msg_seq() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(HttpFault::server_error().on("/v2/groups/"));
    let sent = api
        .send(
            &Target::Group("G".into()),
            MessageToCreate::text("once").reply_to("m-1"),
        )
        .await
        .unwrap();
    assert_eq!(sent.id, "sim-msg-1");
    let tries: Vec<_> = sim
        .requests("POST", "/v2/groups/G/messages")
        .iter()
        .map(parts)
        .collect();
    assert_eq!(tries.len(), 2);
    assert_eq!((tries[0].0, tries[1].0), (500, 200));
    assert_eq!(tries[0].1, tries[1].1, "the retry reuses the body");
    assert_eq!(tries[1].1["msg_seq"], json!(1));
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_code_and_trace_id() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(
        HttpFault::status(403)
            .code(11_253)
            .message("no permission")
            .times(5),
    );
    let err = api
        .send(&Target::Channel("c".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!(api_err.status, 403);
    assert_eq!(api_err.code, Some(11_253));
    assert_eq!(api_err.message, "no permission");
    assert_eq!(api_err.attempts, 1);
    assert_eq!(api_err.endpoint, "/channels/c/messages");
    assert_eq!(api_err.method, "POST");
    // The trace id is the header the sim sent (also in the body; the header wins).
    let trace = api_err.trace_id.clone().unwrap();
    assert!(trace.starts_with("sim-trace-"), "{trace}");
    assert!(err.is_auth_failure());
    assert_eq!(sim.requests("POST", "/channels/").len(), 1);
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(HttpFault::rate_limited(Duration::from_millis(150)).on("/v2/users/"));
    api.send(&Target::C2c("U".into()), MessageToCreate::text("x"))
        .await
        .unwrap();
    let tries = sim.requests("POST", "/v2/users/U/messages");
    assert_eq!(tries.len(), 2);
    assert_eq!((parts(&tries[0]).0, parts(&tries[1]).0), (429, 200));
    let gap = at(&tries[1]) - at(&tries[0]);
    assert!(gap >= Duration::from_millis(150), "retried after {gap:?}");
}

#[tokio::test]
async fn retries_are_bounded() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(HttpFault::status(502).times(10).on("/channels/"));
    let err = api
        .send(&Target::Channel("c".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!((api_err.status, api_err.attempts), (502, 4));
    assert_eq!(sim.requests("POST", "/channels/").len(), 4);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(HttpFault::rate_limited(Duration::from_secs(600)));
    let err = api
        .send(&Target::Channel("c".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!(api_err.status, 429);
    assert_eq!(api_err.retry_after, Some(Duration::from_secs(600)));
    assert_eq!(sim.requests("POST", "/channels/").len(), 1);
}
