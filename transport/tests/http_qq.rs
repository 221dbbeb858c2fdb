//! The HTTP client against the QQ sim: token fetch and gateway discovery.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::time::Duration;

use botgate_sim::{QqConfig, QqSim, Record};
use botgate_transport::http::HttpClient;
use botgate_transport::qq::QqAuth;
use botgate_transport::ws::{self, ConnectOptions, Message};
use botgate_transport::{ErrorKind, Secret};

#[tokio::test]
async fn token_fetch_then_gateway_bot_then_identify() {
    let config = QqConfig {
        shards: 3,
        session_start_limit: (1000, 998, 14_400_000, 2),
        ..Default::default()
    };
    let sim = QqSim::start(config).await.unwrap();
    let client = HttpClient::new().unwrap();
    let base = sim.http_base();

    let token = client
        .qq_access_token(&base, "102000001", &Secret::new("sim-client-secret"))
        .await
        .unwrap();
    assert_eq!(token.expires_in, Duration::from_secs(7200));
    assert_eq!(sim.issued_tokens(), vec![token.token.expose().to_owned()]);

    let auth = QqAuth::AccessToken(token.token.clone());
    let gateway = client.qq_gateway(&base, &auth).await.unwrap();
    assert_eq!(gateway.url, sim.url());
    let bot = client.qq_gateway_bot(&base, &auth).await.unwrap();
    assert_eq!(bot.url, sim.url());
    assert_eq!(bot.shards, 3);
    assert_eq!(bot.session_start_limit.total, 1000);
    assert_eq!(bot.session_start_limit.remaining, 998);
    assert_eq!(
        bot.session_start_limit.reset_after,
        Duration::from_millis(14_400_000)
    );
    assert_eq!(bot.session_start_limit.max_concurrency, 2);

    // The issued token identifies on the gateway it points to.
    let mut stream = ws::connect(&bot.url, &ConnectOptions::new()).await.unwrap();
    let hello = match stream.recv().await.unwrap() {
        Some(Message::Text(t)) => serde_json::from_slice::<serde_json::Value>(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(hello["op"], 10);
    let identify = serde_json::json!({"op": 2, "d": {"token": auth.header_value().expose(),
        "intents": 1 << 30, "shard": [0, 3], "properties": {}}});
    stream.send_text(identify.to_string()).await.unwrap();
    match stream.recv().await.unwrap() {
        Some(Message::Text(t)) => {
            let ready: serde_json::Value = serde_json::from_slice(&t).unwrap();
            assert_eq!(ready["t"], "READY");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn wrong_secret_and_wrong_token_fail_fast() {
    let sim = QqSim::start_default().await.unwrap();
    let client = HttpClient::new().unwrap();
    let base = sim.http_base();

    let err = client
        .qq_access_token(&base, "102000001", &Secret::new("wrong"))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::TokenRejected {
            code: Some(100016),
            message: "invalid appid or secret".into()
        }
    );
    assert!(err.is_auth_failure());

    let err = client
        .qq_gateway_bot(&base, &QqAuth::AccessToken(Secret::new("nope")))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::HttpStatus {
            endpoint: "/gateway/bot".into(),
            status: 401
        }
    );
    assert!(err.is_auth_failure());
    let http_records = sim
        .log()
        .snapshot()
        .into_iter()
        .filter(|r| matches!(r, Record::Http { .. }))
        .count();
    assert_eq!(http_records, 2);
}

#[tokio::test]
async fn legacy_bot_token_is_accepted_when_configured() {
    let config = QqConfig {
        bot_token: Some("legacy".into()),
        ..Default::default()
    };
    let sim = QqSim::start(config).await.unwrap();
    let client = HttpClient::new().unwrap();
    let auth = QqAuth::BotToken {
        app_id: "102000001".into(),
        token: Secret::new("legacy"),
    };
    let gateway = client.qq_gateway(&sim.http_base(), &auth).await.unwrap();
    assert_eq!(gateway.url, sim.url());
}

#[tokio::test]
async fn unreachable_host_is_a_request_error() {
    // Bind then drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = HttpClient::new().unwrap();
    let err = client
        .qq_gateway(
            &format!("http://127.0.0.1:{port}"),
            &QqAuth::AccessToken(Secret::new("x")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::HttpRequest {
            endpoint: "/gateway".into()
        }
    );
}

#[tokio::test]
async fn send_json_posts_a_body_with_the_authorization_header() {
    let sim = QqSim::start_default().await.unwrap();
    let client = HttpClient::new().unwrap();
    let url = url::Url::parse(&format!("{}/channels/100010/messages", sim.http_base())).unwrap();
    let auth = QqAuth::AccessToken(Secret::new("sim-access-token")).header_value();
    let body = serde_json::json!({"content": "hi", "msg_id": "08e0"});
    let answer: serde_json::Value = client
        .send_json(http::Method::POST, &url, Some(&auth), Some(&body))
        .await
        .unwrap();
    assert_eq!(answer["id"], "sim-msg-1");
    let recorded = sim
        .log()
        .snapshot()
        .into_iter()
        .find_map(|r| match r {
            Record::Http {
                path, body, status, ..
            } => Some((path, body, status)),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        recorded,
        ("/channels/100010/messages".to_owned(), Some(body), 200)
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<HttpClient>();
    send_sync::<Secret>();
    send_sync::<botgate_transport::Error>();
    send::<botgate_transport::ws::WsStream>();
    send_sync::<botgate_transport::ws::Listener>();
    send_sync::<ConnectOptions>();
}

/// Review of stop 29: an answer's body was buffered whole, whatever its size (a 1 GiB answer
/// to the token request took 1 GiB of memory). Past `MAX_RESPONSE_BODY` it is a request error,
/// whether announced (`Content-Length`) or streamed (chunked).
#[tokio::test]
async fn an_oversized_answer_is_refused_not_buffered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        for chunked in [false, true] {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = sock.read(&mut request).await;
            let head = if chunked {
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n"
                    .to_owned()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\ncontent-type: application/json\r\n\r\n",
                    1u64 << 30
                )
            };
            if sock.write_all(head.as_bytes()).await.is_err() {
                continue;
            }
            // 64 KiB chunks until the client hangs up
            let data = vec![b' '; 64 << 10];
            let chunk = [
                format!("{:x}\r\n", data.len()).into_bytes(),
                data,
                b"\r\n".to_vec(),
            ]
            .concat();
            loop {
                let piece = if chunked {
                    &chunk[..]
                } else {
                    &chunk[8..8 + (64 << 10)]
                };
                if sock.write_all(piece).await.is_err() {
                    break;
                }
            }
        }
    });
    let client = HttpClient::new().unwrap();
    for _ in 0..2 {
        let err = client
            .qq_gateway(&base, &QqAuth::AccessToken(Secret::new("x")))
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::HttpRequest {
                endpoint: "/gateway".into()
            },
            "{err:?}"
        );
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert!(
            source.as_deref().is_some_and(|s| s.contains("exceeds")),
            "{source:?}"
        );
    }
}
