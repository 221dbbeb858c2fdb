//! The webhook server on real sockets (127.0.0.1), driven by the sim's webhook poster (which
//! signs with its own code): QQ validation and deliveries over plain HTTP, Bubble over direct
//! TLS, every bad input class refused with its status and nothing handed on, bounded bodies,
//! the request timeout and a graceful shutdown that still answers the request in flight.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use botgate_sim::webhook::{WebhookFault, WebhookPoster};
use botgate_testkit::within;
use botgate_transport::webhook::{
    tls_config_from_pem, BubbleReceiver, Delivery, QqKey, QqReceiver, QqReceiverConfig,
    ServerConfig, WebhookServer,
};
use botgate_transport::Secret;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../testdata/webhook/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn small_bodies() -> ServerConfig {
    ServerConfig {
        max_body: 16 * 1024,
        ..ServerConfig::default()
    }
}

async fn qq_server(config: ServerConfig) -> (WebhookServer, mpsc::Receiver<Delivery>) {
    let (tx, rx) = mpsc::channel(64);
    let receiver = QqReceiver::new(
        QqKey::from_secret("sim-client-secret").unwrap(),
        QqReceiverConfig {
            app_id: Some("102000001".into()),
            ..QqReceiverConfig::default()
        },
        tx,
    );
    let server = WebhookServer::bind("127.0.0.1:0", config, Arc::new(receiver))
        .await
        .unwrap();
    (server, rx)
}

fn drain(rx: &mut mpsc::Receiver<Delivery>) -> Vec<Delivery> {
    let mut out = Vec::new();
    while let Ok(d) = rx.try_recv() {
        out.push(d);
    }
    out
}

#[tokio::test]
async fn qq_validation_deliveries_and_every_fault_over_http() {
    let (server, mut rx) = qq_server(small_bodies()).await;
    let url = format!("http://{}/qq", server.local_addr());
    let poster = WebhookPoster::qq(&url, "102000001", "sim-client-secret").unwrap();

    let validation = poster.validate().await.unwrap();
    assert!(validation.valid, "{validation:?}");

    let ping = json!({"id": "m1", "content": " /ping", "group_openid": "G1",
                      "author": {"member_openid": "M1"}});
    let ok = poster.post("GROUP_AT_MESSAGE_CREATE", ping.clone()).await;
    assert_eq!(ok.status, Some(200), "{ok:?}");
    assert_eq!(ok.body, r#"{"op":12}"#);
    let delivered = drain(&mut rx);
    assert_eq!(delivered.len(), 1);
    let frame: serde_json::Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(frame["d"]["content"], " /ping");
    assert_eq!(frame["id"].as_str(), ok.event_id.as_deref());

    for (fault, status) in [
        (WebhookFault::WrongSignature, 401),
        (WebhookFault::Unsigned, 401),
        (WebhookFault::StaleTimestamp(Duration::from_secs(3600)), 401),
        (WebhookFault::OversizedBody(32 * 1024), 413),
    ] {
        let posted = poster
            .post_with("GROUP_AT_MESSAGE_CREATE", ping.clone(), fault.clone())
            .await;
        assert_eq!(posted.status, Some(status), "{fault:?}: {posted:?}");
        assert!(drain(&mut rx).is_empty(), "nothing handed on for {fault:?}");
    }

    // A replayed (byte-for-byte) delivery is acknowledged, not handed on again: its
    // signature is remembered while its timestamp is in the window (review of stop 28).
    poster.post("C2C_MESSAGE_CREATE", json!({"id": "m2"})).await;
    let replayed = poster.replay().await.unwrap();
    assert_eq!(replayed.status, Some(200));
    assert_eq!(replayed.body, r#"{"op":12}"#);
    let once = drain(&mut rx);
    assert_eq!(once.len(), 1);
    assert_eq!(server.stats().ignored, 1);

    let stats = server.stats();
    assert_eq!(stats.validated, 1);
    assert_eq!(stats.delivered, 2);
    assert_eq!(stats.bad_signature, 2);
    assert_eq!(stats.stale_timestamp, 1);
    assert_eq!(stats.too_large, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_path_and_method_are_refused() {
    let (server, mut rx) = qq_server(ServerConfig {
        path: Some("/qq/".into()),
        ..ServerConfig::default()
    })
    .await;
    let base = format!("http://{}", server.local_addr());
    let client = reqwest::Client::new();
    let other_path = client
        .post(format!("{base}/other"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(other_path.status(), 404);
    let get = client.get(format!("{base}/qq")).send().await.unwrap();
    assert_eq!(get.status(), 405);
    let unsigned = client
        .post(format!("{base}/qq"))
        .body(r#"{"op":0,"t":"X","d":{}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert!(drain(&mut rx).is_empty());
    assert_eq!(server.stats().not_routed, 2);
}

#[tokio::test]
async fn bubble_over_direct_tls() {
    let tls = tls_config_from_pem(&testdata("server.pem"), &testdata("server.key")).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let receiver = BubbleReceiver::new(Some(Secret::new("whsec-test")), tx);
    let config = ServerConfig {
        tls: Some(tls),
        ..small_bodies()
    };
    let server = WebhookServer::bind("127.0.0.1:0", config, Arc::new(receiver))
        .await
        .unwrap();
    assert!(server.is_tls());
    let url = format!("https://localhost:{}/bubble", server.local_addr().port());
    let poster = WebhookPoster::bubble(&url, Some("whsec-test"))
        .unwrap()
        .with_root_certificate(&testdata("ca.pem"))
        .unwrap();

    let ok = poster
        .post(
            "MESSAGE_CREATE",
            json!({"id": 1001, "channelId": 5, "content": "/ping"}),
        )
        .await;
    assert_eq!(ok.status, Some(200), "{ok:?}");
    let delivered = drain(&mut rx);
    assert_eq!(delivered.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(body["type"], "MESSAGE_CREATE");

    for (fault, status) in [
        (WebhookFault::WrongSignature, 401),
        (WebhookFault::Unsigned, 401),
        (WebhookFault::OversizedBody(32 * 1024), 413),
    ] {
        let posted = poster
            .post_with("MESSAGE_CREATE", json!({"id": 1002}), fault.clone())
            .await;
        assert_eq!(posted.status, Some(status), "{fault:?}: {posted:?}");
        assert!(drain(&mut rx).is_empty(), "nothing handed on for {fault:?}");
    }

    // Plain HTTP to the TLS port gets no answer.
    let plain = WebhookPoster::bubble(format!("http://{}/", server.local_addr()), None).unwrap();
    assert!(plain
        .post("MESSAGE_CREATE", json!({}))
        .await
        .status
        .is_none());
    assert!(drain(&mut rx).is_empty());
    server.shutdown().await;
}

/// Sends `head` and the first part of a body on a raw connection.
async fn partial_request(addr: std::net::SocketAddr, body: &str, sent: usize) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body.as_bytes()[..sent]).await.unwrap();
    tcp
}

async fn read_status(tcp: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 1024];
    let n = within("an answer", tcp.read(&mut buf)).await.unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_request_that_stalls_gets_408() {
    let (tx, mut rx) = mpsc::channel(4);
    let receiver = BubbleReceiver::new(None, tx);
    let config = ServerConfig {
        request_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    };
    let server = WebhookServer::bind("127.0.0.1:0", config, Arc::new(receiver))
        .await
        .unwrap();
    let body = r#"{"type":"MESSAGE_CREATE","data":{"id":1}}"#;
    let mut tcp = partial_request(server.local_addr(), body, 10).await;
    assert_eq!(read_status(&mut tcp).await, "HTTP/1.1 408 Request Timeout");
    assert!(drain(&mut rx).is_empty());
    assert_eq!(server.stats().timed_out, 1);
}

#[tokio::test]
async fn shutdown_answers_the_request_in_flight_then_closes() {
    let (tx, mut rx) = mpsc::channel(4);
    let receiver = BubbleReceiver::new(None, tx);
    let server = WebhookServer::bind("127.0.0.1:0", ServerConfig::default(), Arc::new(receiver))
        .await
        .unwrap();
    let addr = server.local_addr();
    let body = r#"{"type":"MESSAGE_CREATE","data":{"id":1}}"#;
    let mut tcp = partial_request(addr, body, 10).await;
    // Wait until the server has the request open (its headers are read), then shut down.
    within("the request to be read", async {
        while server.stats().in_flight == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let shutdown = tokio::spawn(server.shutdown());
    // The listener closes: new connections are refused.
    within("the listener to close", async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    tcp.write_all(&body.as_bytes()[10..]).await.unwrap();
    assert_eq!(read_status(&mut tcp).await, "HTTP/1.1 200 OK");
    within("the shutdown", shutdown).await.unwrap();
    assert_eq!(drain(&mut rx).len(), 1);
    assert!(
        rx.recv().await.is_none(),
        "the receiver is gone with the server"
    );
}

/// Review of stop 28: connections were unbounded, and each may hold a body for up to the
/// request timeout. At `max_connections` nothing more is accepted until one ends.
#[tokio::test]
async fn no_more_than_max_connections_are_served_at_once() {
    let (tx, mut rx) = mpsc::channel(8);
    let receiver = BubbleReceiver::new(None, tx);
    let config = ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    };
    let server = WebhookServer::bind("127.0.0.1:0", config, Arc::new(receiver))
        .await
        .unwrap();
    let addr = server.local_addr();
    let body = r#"{"type":"MESSAGE_CREATE","data":{"id":1}}"#;
    // Two slow requests hold both places.
    let first = partial_request(addr, body, 10).await;
    let second = partial_request(addr, body, 10).await;
    within("both requests open", async {
        while server.stats().in_flight < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    // A third connection waits in the backlog: its whole request gets no answer yet.
    let mut third = partial_request(addr, body, body.len()).await;
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(early.is_err(), "answered beyond the limit: {early:?}");
    assert_eq!(server.stats().in_flight, 2);
    // One of the two leaves: the third is accepted and served.
    drop(first);
    assert_eq!(read_status(&mut third).await, "HTTP/1.1 200 OK");
    assert_eq!(drain(&mut rx).len(), 1);
    drop(second);
    server.shutdown().await;
}
