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
    sim.inject_http(HttpFault::status(503).times(10).on("/channels/"));
    let err = api
        .send(&Target::Channel("c".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!((api_err.status, api_err.attempts), (503, 4));
    assert_eq!(sim.requests("POST", "/channels/").len(), 4);
}

/// Review of stop 30: a 502 that came after the backend sent the message was retried, so an
/// active message (or a guild reply, which QQ does not dedupe) went out again.
#[tokio::test]
async fn a_send_that_may_have_arrived_is_not_repeated_unless_qq_dedupes_it() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    let mut reply = MessageToCreate::text("re");
    reply.msg_id = Some("m-1".into());
    for (target, msg, path) in [
        (
            Target::Channel("c".into()),
            MessageToCreate::text("x"),
            "/channels/c/",
        ),
        (Target::Channel("c".into()), reply.clone(), "/channels/c/"),
        (
            Target::C2c("U".into()),
            MessageToCreate::text("x"),
            "/v2/users/U/",
        ),
    ] {
        sim.inject_http(HttpFault::status(502).after_handling().on(path));
        let before = sim.requests("POST", path).len();
        let err = api.send(&target, msg).await.unwrap_err();
        assert_eq!(err.api().unwrap().status, 502, "{path}");
        assert_eq!(
            sim.requests("POST", path).len(),
            before + 1,
            "{path}: sent once"
        );
    }
}

/// A group reply whose answer was lost is retried (QQ dedupes `msg_id` + `msg_seq`); the
/// retry's duplicate refusal means the first attempt delivered it: `Ok`, id unknown.
#[tokio::test]
async fn a_group_reply_whose_answer_was_lost_is_delivered_once_and_reported_sent() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.inject_http(HttpFault::status(502).after_handling().on("/v2/groups/"));
    let mut reply = MessageToCreate::text("re");
    reply.msg_id = Some("m-1".into());
    let sent = api.send(&Target::Group("G".into()), reply).await.unwrap();
    assert_eq!(sent.id, "");
    let tries = sim.requests("POST", "/v2/groups/G/messages");
    assert_eq!(
        tries.iter().map(|r| parts(r).0).collect::<Vec<_>>(),
        vec![502, 400]
    );
    // The next reply to the same message gets the next seq and goes through.
    let mut next = MessageToCreate::text("again");
    next.msg_id = Some("m-1".into());
    let sent = api.send(&Target::Group("G".into()), next).await.unwrap();
    assert!(!sent.id.is_empty());
    // A duplicate refusal at the first attempt is a failure (someone else used the seq).
    let mut taken = MessageToCreate::text("taken");
    taken.msg_id = Some("m-1".into());
    taken.msg_seq = Some(1);
    let err = api
        .send(&Target::Group("G".into()), taken)
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, Some(40_054_005));
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

/// Review of stop 30: a token with a line break (read from a file) is no header value; it was
/// retried as a network failure and reported as "HTTP request failed". It fails at once as a
/// configuration error, nothing sent.
#[tokio::test]
async fn a_credential_that_is_no_header_value_fails_at_once_as_a_config_error() {
    use botgate_transport::qq::{QqAuth, TokenSource};
    use botgate_transport::{ErrorKind, Secret};
    let sim = QqSim::start_default().await.unwrap();
    let api = openapi_common::client_with(
        &sim,
        TokenSource::fixed(QqAuth::AccessToken(Secret::new("abc\n"))),
    );
    let err = api
        .send(&Target::Group("G".into()), MessageToCreate::text("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidConfig { .. }),
        "{err:?}"
    );
    assert!(
        !format!("{err:?} {err}").contains("abc"),
        "no secret in the error"
    );
    assert!(sim.requests("POST", "/v2/").is_empty());
}

/// Review of stop 30: a duplicate refusal on a retry counted as "delivered" whatever the first
/// attempt got. After a 429 (not done) it is a real refusal: here a restarted process (a new
/// client, its seq table empty) reuses seq 1 of a message already replied to.
#[tokio::test]
async fn a_duplicate_after_a_429_is_a_refusal_not_a_delivery() {
    let sim = QqSim::start_default().await.unwrap();
    let before_restart = client(&sim);
    before_restart
        .send(
            &Target::Group("G".into()),
            MessageToCreate::text("first").reply_to("m-9"),
        )
        .await
        .unwrap();
    let after_restart = client(&sim);
    sim.inject_http(HttpFault::rate_limited(Duration::from_millis(10)).on("/v2/groups/"));
    let err = after_restart
        .send(
            &Target::Group("G".into()),
            MessageToCreate::text("second").reply_to("m-9"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, Some(40_054_005));
    let statuses: Vec<u16> = sim
        .requests("POST", "/v2/groups/G/messages")
        .iter()
        .map(|r| parts(r).0)
        .collect();
    assert_eq!(statuses, vec![200, 429, 400]);
}
