//! The sims' REST sides spoken to with a plain HTTP client: QQ's body checks, trace ids,
//! token expiry and fault rendering; Bubble's Bearer check, rate limit and error shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use botgate_sim::bubble::RateLimit;
use botgate_sim::{BubbleConfig, BubbleSim, HttpFault, QqConfig, QqSim, Record};
use serde_json::{json, Value};

fn http() -> reqwest::Client {
    botgate_transport::install_default_crypto_provider();
    reqwest::Client::new()
}

/// `(status, headers, body)` of a request.
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    auth: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = client.request(method, url).header("authorization", auth);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, body)
}

const QQ_AUTH: &str = "QQBot sim-access-token";

#[tokio::test]
async fn qq_rest_checks_bodies_and_sends_trace_ids() {
    let sim = QqSim::start_default().await.unwrap();
    let c = http();
    let base = sim.http_base();
    let post = reqwest::Method::POST;
    let cases = [
        (
            "/v2/groups/G/messages",
            json!({"content": "no type"}),
            400,
            40_034_001,
        ),
        (
            "/v2/groups/G/messages",
            json!({"msg_type": 7, "media": {"file_info": "forged"}}),
            400,
            40_034_001,
        ),
        (
            "/v2/users/U/messages",
            json!({"msg_type": 0}),
            400,
            40_034_001,
        ),
        ("/channels/C/messages", json!({}), 400, 40_034_001),
        (
            "/v2/groups/G/files",
            json!({"file_type": 9, "url": "https://x/y"}),
            400,
            40_034_001,
        ),
        ("/nowhere", json!({}), 404, 404),
    ];
    for (path, body, status, code) in cases {
        let (got, headers, answer) = call(
            &c,
            post.clone(),
            &format!("{base}{path}"),
            QQ_AUTH,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (got, answer["code"].as_i64()),
            (status, Some(code)),
            "{path} {body}"
        );
        let trace = headers.get("x-tps-trace-id").unwrap().to_str().unwrap();
        assert_eq!(answer["trace_id"], trace);
    }
    // A valid text message is accepted, with a trace id too.
    let (status, headers, answer) = call(
        &c,
        post.clone(),
        &format!("{base}/v2/groups/G/messages"),
        QQ_AUTH,
        Some(json!({"content": "ok", "msg_type": 0})),
    )
    .await;
    assert_eq!((status, answer["id"].as_str()), (200, Some("sim-msg-1")));
    assert!(headers.contains_key("x-tps-trace-id"));
    // Every request was recorded, the query string apart.
    let (_, _, _) = call(
        &c,
        reqwest::Method::GET,
        &format!("{base}/users/@me?x=1"),
        QQ_AUTH,
        None,
    )
    .await;
    let me = sim.requests("GET", "/users/@me");
    match &me[0] {
        Record::Http { query, status, .. } => {
            assert_eq!((query.as_deref(), *status), (Some("x=1"), 200))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.requests("POST", "/").len(), 7);
}

#[tokio::test]
async fn qq_tokens_expire_after_their_lifetime() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = http();
    let base = sim.http_base();
    let (_, _, token) = call(
        &c,
        reqwest::Method::POST,
        &format!("{base}/app/getAppAccessToken"),
        "",
        Some(json!({"appId": "102000001", "clientSecret": "sim-client-secret"})),
    )
    .await;
    assert_eq!(token["expires_in"], "0");
    let auth = format!("QQBot {}", token["access_token"].as_str().unwrap());
    let (status, _, answer) = call(
        &c,
        reqwest::Method::GET,
        &format!("{base}/users/@me"),
        &auth,
        None,
    )
    .await;
    assert_eq!((status, answer["code"].as_i64()), (401, Some(11_244)));
    // An unknown token is a different refusal.
    let (status, _, answer) = call(
        &c,
        reqwest::Method::GET,
        &format!("{base}/users/@me"),
        "QQBot nope",
        None,
    )
    .await;
    assert_eq!((status, answer["code"].as_i64()), (401, Some(11_241)));
}

#[tokio::test]
async fn qq_faults_render_status_code_and_retry_after() {
    let sim = QqSim::start_default().await.unwrap();
    let c = http();
    let url = format!("{}/channels/C/messages", sim.http_base());
    sim.inject_http(HttpFault::rate_limited(Duration::from_millis(1500)).method("POST"));
    let (status, headers, answer) = call(
        &c,
        reqwest::Method::POST,
        &url,
        QQ_AUTH,
        Some(json!({"content": "x"})),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(headers.get("retry-after").unwrap(), "1.5");
    assert_eq!(answer["code"], 22009);
    // Used up: the next one goes through.
    let (status, _, _) = call(
        &c,
        reqwest::Method::POST,
        &url,
        QQ_AUTH,
        Some(json!({"content": "x"})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bubble_rest_limits_with_retry_after_and_rate_headers() {
    let sim = BubbleSim::start(BubbleConfig {
        rest_rate_limit: Some(RateLimit {
            per_second: 1.0,
            burst: 2,
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = http();
    let url = format!("{}/channels/5/messages", sim.rest_base());
    let auth = "Bearer sim-bubble-token";
    let body = Some(json!({"content": "x"}));
    for _ in 0..2 {
        let (status, _, answer) = call(&c, reqwest::Method::POST, &url, auth, body.clone()).await;
        assert_eq!((status, answer["channelId"].as_i64()), (200, Some(5)));
    }
    let (status, headers, answer) = call(&c, reqwest::Method::POST, &url, auth, body.clone()).await;
    assert_eq!(status, 429);
    assert_eq!(answer["error"]["code"], "RATE_LIMIT_EXCEEDED");
    let after = answer["error"]["retryAfter"].as_f64().unwrap();
    assert!(after > 0.5 && after <= 1.0, "{after}");
    assert_eq!(headers.get("x-ratelimit-limit").unwrap(), "1");
    assert_eq!(headers.get("x-ratelimit-remaining").unwrap(), "0");
    assert!(headers.contains_key("x-ratelimit-reset"));
}

#[tokio::test]
async fn bubble_rest_needs_the_bearer_token_and_known_threads() {
    let sim = BubbleSim::start_default().await.unwrap();
    let c = http();
    let base = sim.rest_base();
    let (status, _, answer) = call(
        &c,
        reqwest::Method::GET,
        &format!("{base}/me"),
        "Bearer wrong",
        None,
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("UNAUTHORIZED"))
    );
    let auth = "Bearer sim-bubble-token";
    let (status, _, answer) = call(
        &c,
        reqwest::Method::POST,
        &format!("{base}/dm/threads/77/messages"),
        auth,
        Some(json!({"content": "x"})),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, _, thread) = call(
        &c,
        reqwest::Method::GET,
        &format!("{base}/users/3/dm"),
        auth,
        None,
    )
    .await;
    assert_eq!(
        (status, thread.clone()),
        (200, json!({"channelId": 5001, "recipientId": 3}))
    );
    // The gateway is still served on the same port.
    let (status, _, _) = call(
        &c,
        reqwest::Method::GET,
        &format!("http://{}/other", sim.addr()),
        auth,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        sim.requests("GET", "/").len(),
        2,
        "non-REST paths are not REST records"
    );
}
