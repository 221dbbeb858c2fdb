//! Review of the transport crate (decision 0079): what a server that answers the upgrade
//! oddly, or frames oddly, must not do to the client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod raw_ws;

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions};
use botgate_transport::ErrorKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// A raw server socket and the `ws://` URL of it.
async fn raw_server() -> (TcpListener, String) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/gateway", tcp.local_addr().unwrap());
    (tcp, url)
}

/// Accepts one connection and reads its upgrade request.
async fn accept_request(tcp: &TcpListener) -> TcpStream {
    raw_ws::accept_request(tcp).await.0
}

/// Connects to a raw server that answers the upgrade with `answer`: the client's result.
async fn connect_answered(answer: String) -> Result<ws::WsStream, botgate_transport::Error> {
    let (tcp, url) = raw_server().await;
    let client = tokio::spawn(async move { ws::connect(&url, &ConnectOptions::new()).await });
    let mut sock = within("the upgrade request", accept_request(&tcp)).await;
    sock.write_all(answer.as_bytes()).await.unwrap();
    let result = within("the connect", client).await;
    drop(sock);
    result.expect("the connect task panicked")
}

/// A 101 whose `Sec-WebSocket-Accept` decodes to more than the 20 bytes of a SHA-1 made
/// tokio-websockets' check panic ("Output slice is too small"): the task that connects (the
/// session driver's) died instead of seeing a failed connect.
#[tokio::test]
async fn an_overlong_accept_key_is_a_failed_connect_not_a_panic() {
    for accept in ["A".repeat(28), "A".repeat(40), "QUJD".repeat(50)] {
        let answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        );
        let err = connect_answered(answer).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connect, "{accept}: {err:?}");
    }
}

/// A refusal with many headers (a CDN's or a WAF's 401 / 403 carries a dozen of its own):
/// tokio-websockets reads at most 25 and failed to parse the answer, so the status was lost
/// and a wrong token read as a network failure, retried for ever instead of failing fast.
#[tokio::test]
async fn a_refusal_with_many_headers_keeps_its_status() {
    for status in [401u16, 403, 429] {
        let mut answer = format!("HTTP/1.1 {status} Nope\r\n");
        for i in 0..40 {
            answer.push_str(&format!("X-Edge-{i}: v{i}\r\n"));
        }
        answer.push_str("Content-Length: 0\r\n\r\n");
        let err = connect_answered(answer).await.unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::UpgradeRejected { status },
            "{err:?}"
        );
        assert_eq!(err.is_auth_failure(), status != 429);
    }
}

/// An unmasked frame, as a server writes it (payloads under 126 bytes).
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut out = vec![0x80 | opcode, payload.len() as u8];
    out.extend_from_slice(payload);
    out
}

/// A client connected to a raw server: the client and the server's socket.
async fn connected() -> (ws::WsStream, TcpStream) {
    let (tcp, url) = raw_server().await;
    let client = tokio::spawn(async move { ws::connect(&url, &ConnectOptions::new()).await });
    let (mut sock, _, key) = within("the upgrade request", raw_ws::accept_request(&tcp)).await;
    sock.write_all(raw_ws::upgrade_answer(&key).as_bytes())
        .await
        .unwrap();
    (within("the connect", client).await.unwrap().unwrap(), sock)
}

/// Sends heartbeats until one fails (the first may still be taken by the kernel): its error.
async fn failed_write(client: &mut ws::WsStream) -> botgate_transport::Error {
    within("a failed write", async {
        loop {
            match client.send_text(r#"{"op":1,"d":9}"#).await {
                Ok(()) => tokio::task::yield_now().await,
                Err(e) => return e,
            }
        }
    })
    .await
}

/// The server closes with a code (QQ: 4009 to resume, 4914 / 4915 for a bot taken down or
/// banned) and goes away while the client is writing (a heartbeat): the write fails, and the
/// close frame that came before it must still be read, with its code. tokio-websockets ends
/// the read side on a failed write, so the session saw "connection lost" without a code and
/// could not tell a close worth resuming from a fatal one.
#[tokio::test]
async fn a_close_frame_read_after_a_failed_write_keeps_its_code() {
    let (mut client, mut sock) = connected().await;
    let mut close = 4914u16.to_be_bytes().to_vec();
    close.extend_from_slice("机器人已下架".as_bytes());
    let mut bytes = frame(0x1, br#"{"op":0,"s":9}"#);
    bytes.extend(frame(0x8, &close));
    sock.write_all(&bytes).await.unwrap();
    drop(sock);
    assert_eq!(
        within("the last event", client.recv()).await.unwrap(),
        Some(ws::Message::Text(r#"{"op":0,"s":9}"#.into()))
    );
    // The peer is gone: a write fails.
    let failed = failed_write(&mut client).await;
    assert_eq!(failed.kind(), &ErrorKind::ConnectionLost, "{failed:?}");
    assert_eq!(
        within("the close frame", client.recv()).await.unwrap(),
        Some(ws::Message::Close {
            code: Some(4914),
            reason: "机器人已下架".into()
        })
    );
    assert_eq!(within("the end", client.recv()).await.unwrap(), None);
}

/// As above, with nothing read before the write fails: the close frame is still in the
/// kernel's buffer when the peer's reset comes.
#[tokio::test]
async fn a_close_frame_not_yet_read_when_a_write_fails_keeps_its_code() {
    let (mut client, mut sock) = connected().await;
    sock.write_all(&frame(0x8, &4009u16.to_be_bytes()))
        .await
        .unwrap();
    drop(sock);
    let failed = failed_write(&mut client).await;
    assert_eq!(failed.kind(), &ErrorKind::ConnectionLost, "{failed:?}");
    assert_eq!(
        within("the close frame", client.recv()).await.unwrap(),
        Some(ws::Message::Close {
            code: Some(4009),
            reason: String::new()
        })
    );
}

/// A text message whose last fragment is empty, after one that ended inside a character:
/// tokio-websockets validates a frame's payload only when it has one, so the message's
/// truncated last character was never checked and came out as `Message::Text` of bytes that
/// are not UTF-8; the validator kept the half character and held it against the next message.
#[tokio::test]
async fn a_text_message_cut_inside_a_character_by_an_empty_last_fragment_is_a_protocol_error() {
    let (mut client, mut sock) = connected().await;
    let mut bytes = frame_fin(0x1, false, &"ok 关".as_bytes()[..4]);
    bytes.extend(frame_fin(0x0, true, b""));
    bytes.extend(frame(0x1, "关于".as_bytes()));
    sock.write_all(&bytes).await.unwrap();
    let err = within("the client's next message", client.recv())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Protocol, "{err:?}");
    // The client says why (1007) and the stream ends.
    let mut head = [0u8; 2];
    within("the close frame", sock.read_exact(&mut head))
        .await
        .unwrap();
    assert_eq!(head[0] & 0x0f, 0x8);
    let mut rest = vec![0u8; usize::from(head[1] & 0x7f) + 4];
    sock.read_exact(&mut rest).await.unwrap();
    let code = u16::from_be_bytes([rest[0] ^ rest[4], rest[1] ^ rest[5]]);
    assert_eq!(code, 1007);
    assert_eq!(within("the end", client.recv()).await.unwrap(), None);
}

/// A frame with its FIN bit as given (payloads under 126 bytes).
fn frame_fin(opcode: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
    let mut out = frame(opcode, payload);
    if !fin {
        out[0] &= 0x7f;
    }
    out
}

/// The answer to `key`'s upgrade that `accept` makes (`None`: no `Sec-WebSocket-Accept`), with
/// `extra` headers of a CDN's around the handshake's own (half before, half after).
fn answer_101(key: &str, accept: fn(&str) -> Option<String>, extra: usize) -> String {
    let edge = |range: std::ops::Range<usize>| {
        range
            .map(|i| format!("X-Edge-{i}: v{i}\r\n"))
            .collect::<String>()
    };
    let mut answer = "HTTP/1.1 101 Switching Protocols\r\n".to_owned();
    answer.push_str(&edge(0..extra / 2));
    answer.push_str("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    if let Some(accept) = accept(key) {
        answer.push_str(&format!("Sec-WebSocket-Accept: {accept}\r\n"));
    }
    answer.push_str(&edge(extra / 2..extra));
    answer.push_str("\r\n");
    answer
}

/// The accept key the client expects for `key`.
fn right_accept(key: &str) -> Option<String> {
    Some(derive_accept_key(key.as_bytes()))
}

/// Connects to a raw server that answers the upgrade with [`answer_101`] followed, in the same
/// write, by `after`: the client's result and the server's socket.
async fn connect_101(
    accept: fn(&str) -> Option<String>,
    extra: usize,
    after: &[u8],
) -> (Result<ws::WsStream, botgate_transport::Error>, TcpStream) {
    let (tcp, url) = raw_server().await;
    let client = tokio::spawn(async move { ws::connect(&url, &ConnectOptions::new()).await });
    let (mut sock, _, key) = within("the upgrade request", raw_ws::accept_request(&tcp)).await;
    let mut bytes = answer_101(&key, accept, extra).into_bytes();
    bytes.extend_from_slice(after);
    sock.write_all(&bytes).await.unwrap();
    let result = within("the connect", client).await;
    (result.expect("the connect task panicked"), sock)
}

/// A 101 with more headers than tokio-websockets parses (25; a CDN or a proxy in front of a
/// gateway adds many) failed the connect with `TooManyHeaders`, for ever: the client connects,
/// and the frame that came in the same write as the answer is the first message.
#[tokio::test]
async fn a_101_with_many_headers_connects_and_keeps_the_frame_after_it() {
    // 26 headers in all (just over), 63, 128 (the most read).
    for extra in [23, 60, 125] {
        let (client, _sock) = connect_101(right_accept, extra, &frame(0x1, br#"{"op":10}"#)).await;
        let mut client = client.unwrap_or_else(|e| panic!("{extra} extra headers: {e:?}"));
        assert_eq!(
            within("the first frame", client.recv()).await.unwrap(),
            Some(ws::Message::Text(r#"{"op":10}"#.into())),
            "{extra} extra headers"
        );
    }
}

/// Everything after a shortened head reaches the WebSocket layer byte for byte, also when it
/// is more than the handshake's first read takes (its buffer is 8 KiB).
#[tokio::test]
async fn the_frames_after_a_101_with_many_headers_all_arrive_in_order() {
    let texts: Vec<String> = (0..300).map(|i| format!("{i:0>100}")).collect();
    let after: Vec<u8> = texts
        .iter()
        .flat_map(|t| frame(0x1, t.as_bytes()))
        .collect();
    let (client, _sock) = connect_101(right_accept, 60, &after).await;
    let mut client = client.unwrap();
    for text in texts {
        assert_eq!(
            within("the next frame", client.recv()).await.unwrap(),
            Some(ws::Message::Text(text.into_bytes().into()))
        );
    }
}

/// A 101 with more than the 128 headers read before tokio-websockets fails the connect at
/// once, saying so (neither a hang nor a panic).
#[tokio::test]
async fn a_101_with_more_than_128_headers_fails_the_connect() {
    for extra in [126, 400] {
        let (client, _sock) = connect_101(right_accept, extra, b"").await;
        let err = client.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connect, "{err:?}");
        let source = std::error::Error::source(&err)
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(source.contains("more than 128 headers"), "{source}");
    }
    // A refusal keeps its status all the same.
    let mut refusal = "HTTP/1.1 401 Unauthorized\r\n".to_owned();
    for i in 0..200 {
        refusal.push_str(&format!("X-Edge-{i}: v{i}\r\n"));
    }
    refusal.push_str("\r\n");
    let err = connect_answered(refusal).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::UpgradeRejected { status: 401 },
        "{err:?}"
    );
}

/// Shortening a long 101 does not make tokio-websockets take one it refuses for another
/// reason: a wrong or missing `Sec-WebSocket-Accept` still fails the connect.
#[tokio::test]
async fn a_101_with_many_headers_and_a_wrong_accept_key_is_still_refused() {
    let wrong: fn(&str) -> Option<String> = |_| Some(derive_accept_key(b"another key"));
    let missing: fn(&str) -> Option<String> = |_| None;
    for (accept, extra) in [(wrong, 60), (missing, 60), (wrong, 10), (missing, 10)] {
        let (client, _sock) = connect_101(accept, extra, b"").await;
        let err = client.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Connect, "{extra}: {err:?}");
    }
}
