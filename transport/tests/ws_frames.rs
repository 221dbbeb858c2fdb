//! The WebSocket framing against a peer that writes raw bytes on 127.0.0.1: what a framing
//! layer can get wrong (fragments, control frames between them, close codes, limits, UTF-8,
//! bytes that come with the 101) and what the upgrade must send (the bearer header).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::Duration;

mod raw_ws;

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions, Listener, ListenerConfig, Message};
use botgate_transport::{ErrorKind, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TEXT: u8 = 0x1;
const CONTINUATION: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// An unmasked frame, as a server writes it.
fn frame(opcode: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![opcode | if fin { 0x80 } else { 0 }];
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= 0xFFFF => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// A masked frame, as a client writes it.
fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// Reads one frame the client sent: (fin, opcode, unmasked payload).
async fn read_frame(sock: &mut TcpStream) -> (bool, u8, Vec<u8>) {
    let mut head = [0u8; 2];
    sock.read_exact(&mut head).await.unwrap();
    assert!(head[1] & 0x80 != 0, "a client frame must be masked");
    let len = match head[1] & 0x7f {
        126 => u64::from(sock.read_u16().await.unwrap()),
        127 => sock.read_u64().await.unwrap(),
        n => u64::from(n),
    };
    let mut mask = [0u8; 4];
    sock.read_exact(&mut mask).await.unwrap();
    let mut payload = vec![0u8; len as usize];
    sock.read_exact(&mut payload).await.unwrap();
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    (head[0] & 0x80 != 0, head[0] & 0x0f, payload)
}

/// A raw server socket and the `ws://` URL of it.
async fn raw_server() -> (TcpListener, String) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/gateway", tcp.local_addr().unwrap());
    (tcp, url)
}

/// Accepts one connection and reads its upgrade request: the socket, the request's text and
/// the 101 answer to write (not yet written, so a test can send frames in the same write).
async fn accept_raw(tcp: &TcpListener) -> (TcpStream, String, Vec<u8>) {
    let (sock, request, key) = raw_ws::accept_request(tcp).await;
    (sock, request, raw_ws::upgrade_answer(&key).into_bytes())
}

/// A client connected to a raw server: the client, the server's socket, the request text.
async fn connected(options: &ConnectOptions) -> (ws::WsStream, TcpStream, String) {
    let (tcp, url) = raw_server().await;
    let options = options.clone();
    let client = tokio::spawn(async move { ws::connect(&url, &options).await });
    let (mut sock, request, answer) = within("the upgrade request", accept_raw(&tcp)).await;
    sock.write_all(&answer).await.unwrap();
    let client = within("the connect", client).await.unwrap().unwrap();
    (client, sock, request)
}

#[tokio::test]
async fn a_frame_in_the_same_write_as_the_101_is_not_lost_and_the_bearer_is_sent() {
    let (tcp, url) = raw_server().await;
    let options = ConnectOptions::new().bearer(Secret::new("t0k-bearer"));
    let client = tokio::spawn(async move { ws::connect(&url, &options).await });
    let (mut sock, request, mut answer) = within("the upgrade request", accept_raw(&tcp)).await;
    assert!(
        request
            .lines()
            .any(|l| l.eq_ignore_ascii_case("authorization: Bearer t0k-bearer")),
        "{request}"
    );
    assert!(
        request.starts_with("GET /gateway HTTP/1.1\r\n"),
        "{request}"
    );
    // One write: the 101 and two frames right behind it.
    answer.extend(frame(TEXT, true, br#"{"op":10}"#));
    answer.extend(frame(TEXT, true, "第二".as_bytes()));
    sock.write_all(&answer).await.unwrap();
    let mut client = within("the connect", client).await.unwrap().unwrap();
    for want in [r#"{"op":10}"#, "第二"] {
        assert_eq!(
            within("the client's next message", client.recv())
                .await
                .unwrap(),
            Some(Message::Text(want.into()))
        );
    }
}

#[tokio::test]
async fn a_fragmented_message_arrives_whole_and_a_ping_between_its_fragments_is_answered() {
    let (mut client, mut sock, _) = connected(&ConnectOptions::new()).await;
    let text = "hello 你好".as_bytes();
    // The split falls inside a character: UTF-8 is checked across fragments.
    let (a, rest) = text.split_at(2);
    let (b, c) = rest.split_at(6);
    let mut bytes = frame(TEXT, false, a);
    bytes.extend(frame(PING, true, b"p1"));
    bytes.extend(frame(CONTINUATION, false, b));
    bytes.extend(frame(CONTINUATION, true, c));
    sock.write_all(&bytes).await.unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Text(text.to_vec().into()))
    );
    assert_eq!(
        within("the pong", read_frame(&mut sock)).await,
        (true, PONG, b"p1".to_vec())
    );
    client.send_text("after").await.unwrap();
    assert_eq!(
        within("the client's text", read_frame(&mut sock)).await,
        (true, TEXT, b"after".to_vec())
    );
}

#[tokio::test]
async fn a_half_arrived_message_survives_a_cancelled_and_a_pending_recv() {
    let (mut client, mut sock, _) = connected(&ConnectOptions::new()).await;
    sock.write_all(&frame(TEXT, false, b"first half, "))
        .await
        .unwrap();
    // A recv that is cancelled (the timeout) and one polled once with a no-op waker, as the
    // session's driver does to take frames already buffered: both must leave the half alone.
    let cancelled = tokio::time::timeout(Duration::from_millis(50), client.recv()).await;
    assert!(cancelled.is_err(), "{cancelled:?}");
    let polled = pin!(client.recv()).poll(&mut Context::from_waker(Waker::noop()));
    assert!(polled.is_pending(), "{polled:?}");
    sock.write_all(&frame(CONTINUATION, true, b"second half"))
        .await
        .unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Text("first half, second half".into()))
    );
}

#[tokio::test]
async fn close_codes_go_both_ways_and_a_close_without_status_has_no_code() {
    // The client closes: its frame carries code and reason; the server's answer ends it.
    let (mut client, mut sock, _) = connected(&ConnectOptions::new()).await;
    client.close(4000, "bye").await.unwrap();
    let (_, opcode, payload) = within("the close frame", read_frame(&mut sock)).await;
    assert_eq!(opcode, CLOSE);
    assert_eq!(&payload[..2], &4000u16.to_be_bytes());
    assert_eq!(&payload[2..], b"bye");
    sock.write_all(&frame(CLOSE, true, &4000u16.to_be_bytes()))
        .await
        .unwrap();
    assert_eq!(
        within("the server's close", client.recv()).await.unwrap(),
        Some(Message::Close {
            code: Some(4000),
            reason: String::new()
        })
    );
    assert_eq!(within("the end", client.recv()).await.unwrap(), None);
    let err = client.send_text("late").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Closed);

    // The server closes without a status: no code; the client echoes an empty close.
    let (mut client, mut sock, _) = connected(&ConnectOptions::new()).await;
    sock.write_all(&frame(CLOSE, true, b"")).await.unwrap();
    assert_eq!(
        within("the server's close", client.recv()).await.unwrap(),
        Some(Message::Close {
            code: None,
            reason: String::new()
        })
    );
    assert_eq!(
        within("the echo", read_frame(&mut sock)).await,
        (true, CLOSE, Vec::new())
    );
    drop(sock);
    assert_eq!(within("the end", client.recv()).await.unwrap(), None);

    // A code that may not be sent is refused before anything goes out.
    let (mut client, _sock, _) = connected(&ConnectOptions::new()).await;
    for code in [0, 1005, 1006, 2000, 5000] {
        let err = client.close(code, "").await.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidRequest { .. }),
            "{code}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_fragmented_message_over_the_limit_is_message_too_large() {
    let options = ConnectOptions::new().max_message_size(1024);
    let (mut client, mut sock, _) = connected(&options).await;
    // Each fragment fits, the message does not.
    let mut bytes = frame(TEXT, false, &[b'a'; 600]);
    bytes.extend(frame(CONTINUATION, true, &[b'b'; 600]));
    sock.write_all(&bytes).await.unwrap();
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::MessageTooLarge {
            size: 1200,
            max: 1024
        }
    );
    // The client says why (1009) and the stream ends.
    let (_, opcode, payload) = within("the close frame", read_frame(&mut sock)).await;
    assert_eq!((opcode, &payload[..2]), (CLOSE, &1009u16.to_be_bytes()[..]));
}

#[tokio::test]
async fn invalid_utf8_in_a_text_message_is_a_protocol_error_then_the_end() {
    let (mut client, mut sock, _) = connected(&ConnectOptions::new()).await;
    sock.write_all(&frame(TEXT, true, b"ok")).await.unwrap();
    sock.write_all(&frame(TEXT, true, &[b'{', 0xff, 0xfe, b'}']))
        .await
        .unwrap();
    assert_eq!(
        within("the client's next message", client.recv())
            .await
            .unwrap(),
        Some(Message::Text("ok".into()))
    );
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Protocol);
    let (_, opcode, payload) = within("the close frame", read_frame(&mut sock)).await;
    assert_eq!((opcode, &payload[..2]), (CLOSE, &1007u16.to_be_bytes()[..]));
    assert_eq!(within("the end", client.recv()).await.unwrap(), None);
}

/// Writes `request` to the listener at `addr` and returns the status line of its answer.
async fn status_line(addr: std::net::SocketAddr, request: &[u8]) -> (TcpStream, String) {
    let mut sock = TcpStream::connect(addr).await.unwrap();
    sock.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        answer.push(sock.read_u8().await.unwrap());
    }
    let answer = String::from_utf8(answer).unwrap();
    (sock, answer)
}

#[tokio::test]
async fn the_listener_speaks_to_a_raw_client_and_refuses_data_before_its_answer() {
    let mut l = Listener::bind("127.0.0.1:0", ListenerConfig::default())
        .await
        .unwrap();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let request = format!(
        "GET /onebot/v11 HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n"
    );
    let (mut sock, answer) = within(
        "the answer",
        status_line(l.local_addr(), request.as_bytes()),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 101 "), "{answer}");
    assert!(
        answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
        "{answer}"
    );
    let (mut server, peer) = within("the accept", l.accept()).await.unwrap();
    assert_eq!(peer.path, "/onebot/v11");
    sock.write_all(&masked(TEXT, "上报".as_bytes()))
        .await
        .unwrap();
    assert_eq!(
        within("the server's next message", server.recv())
            .await
            .unwrap(),
        Some(Message::Text("上报".into()))
    );

    // A frame sent with the request, before the 101: refused.
    let mut early = request.into_bytes();
    early.extend(masked(TEXT, b"too soon"));
    let (_sock, answer) = within("the answer", status_line(l.local_addr(), &early)).await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
}
