//! WebSocket client and reverse-WS listener over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::time::Duration;

use botgate_testkit::within;
use botgate_transport::ws::{
    self, ConnectOptions, HeaderName, HeaderValue, Listener, ListenerConfig, Message, PeerInfo,
};
use botgate_transport::{ErrorKind, Secret};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite;

/// A client connected to `l` at `url` with `options`, the listener's end of it and its peer.
async fn pair(
    l: &mut Listener,
    url: &str,
    options: &ConnectOptions,
) -> (ws::WsStream, ws::WsStream, PeerInfo) {
    let client = within("the connect", ws::connect(url, options))
        .await
        .unwrap();
    let (server, peer) = within("the accept", l.accept()).await.unwrap();
    (client, server, peer)
}

async fn listener(token: Option<&str>) -> (Listener, String) {
    let config = ListenerConfig {
        access_token: token.map(Secret::new),
        ..Default::default()
    };
    let l = Listener::bind("127.0.0.1:0", config).await.unwrap();
    let url = format!("ws://{}/onebot/v11", l.local_addr());
    (l, url)
}

#[tokio::test]
async fn client_and_listener_exchange_text_and_close_codes() {
    let (mut l, url) = listener(None).await;
    let (mut client, mut server, peer) = pair(&mut l, &url, &ConnectOptions::new()).await;
    assert_eq!(peer.path, "/onebot/v11");
    assert_eq!(peer.self_id, None);
    assert_eq!(peer.role, None);

    server.send_text(r#"{"op":10}"#).await.unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Text(r#"{"op":10}"#.into()))
    );
    client.send_text("你好".to_string()).await.unwrap();
    assert_eq!(
        within("the server's next message", server.recv())
            .await
            .unwrap(),
        Some(Message::Text("你好".into()))
    );

    server.close(4004, "auth failed").await.unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Close {
            code: Some(4004),
            reason: "auth failed".into()
        })
    );
    // The server sees the echoed close; once it drops the socket the client sees the end.
    assert!(matches!(
        within("the server's next message", server.recv())
            .await
            .unwrap(),
        Some(Message::Close {
            code: Some(4004),
            ..
        })
    ));
    drop(server);
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        None
    );
    let err = client.send_text("late").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Closed);
}

#[tokio::test]
async fn oversized_message_is_a_typed_error() {
    let (mut l, url) = listener(None).await;
    let options = ConnectOptions::new()
        .max_message_size(1024)
        .max_frame_size(1024);
    let (mut client, mut server, _) = pair(&mut l, &url, &options).await;
    server.send_text("x".repeat(1000)).await.unwrap();
    server.send_text("y".repeat(4096)).await.unwrap();
    match within("the client's next message", client.recv())
        .await
        .unwrap()
    {
        Some(Message::Text(t)) => assert_eq!(t.len(), 1000),
        other => panic!("{other:?}"),
    }
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::MessageTooLarge {
            size: 4096,
            max: 1024
        }
    );
}

#[tokio::test]
async fn listener_rejects_a_missing_token_with_401_and_a_wrong_one_with_403() {
    let (_l, url) = listener(Some("s3cret")).await;
    let wrong = ConnectOptions::new().bearer(Secret::new("wrong"));
    let err = within("the connect", ws::connect(&url, &wrong))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::UpgradeRejected { status: 403 });
    assert!(err.is_auth_failure());

    let err = within("the connect", ws::connect(&url, &ConnectOptions::new()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.is_auth_failure());

    let wrong_query = ConnectOptions::new().access_token_query(Secret::new("s3cre"));
    let err = within("the connect", ws::connect(&url, &wrong_query))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
}

#[tokio::test]
async fn listener_accepts_bearer_token_header_and_access_token_query() {
    let (mut l, url) = listener(Some("s3cret")).await;
    let bearer = ConnectOptions::new().bearer(Secret::new("s3cret"));
    let (_a, _, _) = pair(&mut l, &url, &bearer).await;

    let token_scheme = ConnectOptions::new().header(
        HeaderName::from_static("authorization"),
        HeaderValue::from_static("Token s3cret"),
    );
    let (_b, _, _) = pair(&mut l, &url, &token_scheme).await;

    let query = ConnectOptions::new().access_token_query(Secret::new("s3cret"));
    let (_c, _, peer) = pair(&mut l, &url, &query).await;
    assert_eq!(peer.path, "/onebot/v11");
}

#[tokio::test]
async fn listener_takes_x_self_id_and_role_when_present() {
    let (mut l, url) = listener(None).await;
    let options = ConnectOptions::new()
        .header(
            HeaderName::from_static("x-self-id"),
            HeaderValue::from_static("123456789"),
        )
        .header(
            HeaderName::from_static("x-client-role"),
            HeaderValue::from_static("Universal"),
        );
    let (_a, _, peer) = pair(&mut l, &url, &options).await;
    assert_eq!(peer.self_id, Some(123_456_789));
    assert_eq!(peer.role.as_deref(), Some("Universal"));

    let junk = ConnectOptions::new().header(
        HeaderName::from_static("x-self-id"),
        HeaderValue::from_static("not-a-number"),
    );
    let (_b, _, peer) = pair(&mut l, &url, &junk).await;
    assert_eq!(peer.self_id, None);
}

#[tokio::test]
async fn listener_serves_many_bots_at_once() {
    let (mut l, url) = listener(None).await;
    let mut clients = Vec::new();
    for id in 1..=3 {
        let options = ConnectOptions::new().header(
            HeaderName::from_static("x-self-id"),
            HeaderValue::from_str(&id.to_string()).unwrap(),
        );
        clients.push(
            within("the connect", ws::connect(&url, &options))
                .await
                .unwrap(),
        );
    }
    let mut ids = Vec::new();
    let mut servers = Vec::new();
    for _ in 0..3 {
        let (s, peer) = within("the accept", l.accept()).await.unwrap();
        ids.push(peer.self_id.unwrap());
        servers.push(s);
    }
    ids.sort_unstable();
    assert_eq!(ids, vec![1, 2, 3]);
    for (i, s) in servers.iter_mut().enumerate() {
        s.send_text(format!("bot {i}")).await.unwrap();
    }
    let mut got = Vec::new();
    for c in &mut clients {
        match within("the client's next message", c.recv()).await.unwrap() {
            Some(Message::Text(t)) => got.push(String::from_utf8(t.to_vec()).unwrap()),
            other => panic!("{other:?}"),
        }
    }
    got.sort();
    assert_eq!(got, vec!["bot 0", "bot 1", "bot 2"]);
}

#[tokio::test]
async fn listener_answers_404_on_another_path() {
    let config = ListenerConfig {
        path: Some("/onebot/v11/".into()),
        ..Default::default()
    };
    let mut l = Listener::bind("127.0.0.1:0", config).await.unwrap();
    let base = format!("ws://{}", l.local_addr());
    let err = within(
        "the connect",
        ws::connect(format!("{base}/other"), &ConnectOptions::new()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let _ok = within(
        "the connect",
        ws::connect(format!("{base}/onebot/v11"), &ConnectOptions::new()),
    )
    .await
    .unwrap();
    within("the accept", l.accept()).await.unwrap();
}

#[tokio::test]
async fn pings_are_answered_while_receiving() {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", tcp.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (sock, _) = tcp.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(sock).await.unwrap();
        ws.send(tungstenite::Message::Ping(b"hi"[..].into()))
            .await
            .unwrap();
        match ws.next().await.unwrap().unwrap() {
            tungstenite::Message::Pong(p) => assert_eq!(&p[..], b"hi"),
            other => panic!("expected pong, got {other:?}"),
        }
        ws.send(tungstenite::Message::Text("after pong".into()))
            .await
            .unwrap();
        ws
    });
    let mut client = within("the connect", ws::connect(&url, &ConnectOptions::new()))
        .await
        .unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Text("after pong".into()))
    );
    drop(within("the server task", server).await.unwrap());
}

/// Decision 0060: our ping is answered by the peer's WebSocket layer (tungstenite here, and our
/// own listener's end), and the pong comes back from `recv` (the OneBot session watches a
/// connection without heartbeats by it); a ping from the peer is still answered and not
/// returned.
#[tokio::test]
async fn a_ping_sent_comes_back_as_a_pong() {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", tcp.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (sock, _) = tcp.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(sock).await.unwrap();
        // Reading answers the ping: tungstenite queues the pong, which a flush writes.
        match ws.next().await.unwrap().unwrap() {
            tungstenite::Message::Ping(p) => assert!(p.is_empty()),
            other => panic!("expected a ping, got {other:?}"),
        }
        ws.flush().await.unwrap();
        ws.send(tungstenite::Message::Text("after the ping".into()))
            .await
            .unwrap();
        ws
    });
    let mut client = within("the connect", ws::connect(&url, &ConnectOptions::new()))
        .await
        .unwrap();
    client.send_ping().await.unwrap();
    assert_eq!(
        within("the pong", client.recv()).await.unwrap(),
        Some(Message::Pong(bytes::Bytes::new()))
    );
    assert_eq!(
        within("the text", client.recv()).await.unwrap(),
        Some(Message::Text("after the ping".into()))
    );
    drop(within("the server task", server).await.unwrap());

    // Between two of our own ends: the listener's end answers while it reads.
    let (mut l, url) = listener(None).await;
    let (mut client, mut server, _) = pair(&mut l, &url, &ConnectOptions::new()).await;
    client.send_ping().await.unwrap();
    client.send_text("after the ping").await.unwrap();
    assert_eq!(
        within("the server's next message", server.recv())
            .await
            .unwrap(),
        Some(Message::Text("after the ping".into())),
        "the ping is answered, not returned"
    );
    assert_eq!(
        within("the pong", client.recv()).await.unwrap(),
        Some(Message::Pong(bytes::Bytes::new()))
    );
}

#[tokio::test]
async fn dropped_tcp_is_connection_lost() {
    let (mut l, url) = listener(None).await;
    let (mut client, server, _) = pair(&mut l, &url, &ConnectOptions::new()).await;
    drop(server);
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ConnectionLost);
}

#[tokio::test]
async fn silent_server_hits_connect_then_idle_timeout() {
    // A socket that completes TCP but never answers the upgrade.
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", tcp.local_addr().unwrap());
    let options = ConnectOptions::new().connect_timeout(Duration::from_millis(100));
    let err = within("the connect", ws::connect(&url, &options))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::ConnectTimeout {
            after: Duration::from_millis(100)
        }
    );

    let (mut l, url) = listener(None).await;
    let options = ConnectOptions::new().idle_timeout(Some(Duration::from_millis(100)));
    let (mut client, _server, _) = pair(&mut l, &url, &options).await;
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::IdleTimeout {
            after: Duration::from_millis(100)
        }
    );
}

#[tokio::test]
async fn wss_to_a_plain_server_fails_as_connect_error() {
    let (_l, url) = listener(None).await;
    let url = url.replace("ws://", "wss://");
    let err = within("the connect", ws::connect(&url, &ConnectOptions::new()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connect);
}

#[tokio::test]
async fn bad_urls_are_rejected_before_any_io() {
    let err = ws::connect("http://127.0.0.1:1/", &ConnectOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidUrl { .. }),
        "{err:?}"
    );
    let err = ws::connect("::", &ConnectOptions::new()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidUrl { .. }),
        "{err:?}"
    );
}

/// A listener whose address is taken fails naming that address, with the OS's reason.
#[tokio::test]
async fn a_taken_listener_address_is_named_in_the_error() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let Err(e) = Listener::bind(addr.as_str(), ListenerConfig::default()).await else {
        panic!("bound a taken address")
    };
    assert!(
        matches!(e.kind(), ErrorKind::Bind { addr: a } if *a == addr),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("cannot bind {addr}"));
    let source = std::error::Error::source(&e)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(source.contains("in use"), "{source}");
}

/// Review of stop 29: a server whose upgrade answer never ends (an endless header) grew the
/// handshake's buffer without bound and outlasted the connect timeout (21 s for 5 s, 481 MB).
/// Past 64 KiB the connect fails at once.
#[tokio::test]
async fn an_endless_upgrade_answer_fails_the_connect_quickly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", tcp.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut sock, _) = tcp.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = sock.read(&mut request).await;
        let _ = sock
            .write_all(b"HTTP/1.1 101 Switching Protocols\r\nX-A: ")
            .await;
        let filler = vec![b'a'; 16 << 10];
        while sock.write_all(&filler).await.is_ok() {}
    });
    let options = ConnectOptions::new().connect_timeout(Duration::from_secs(60));
    let Err(err) = within("the connect", ws::connect(&url, &options)).await else {
        panic!("connected to a server that never finished its answer")
    };
    assert!(
        !matches!(err.kind(), ErrorKind::ConnectTimeout { .. }),
        "refused by size, not by the timeout: {err:?}"
    );
}
