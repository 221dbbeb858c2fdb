//! A peer that floods pings (decision 0090): tokio-websockets queues a pong for every ping and
//! writes them only as the socket takes them, so a peer that pings and never reads made the
//! client's memory grow for ever on a connection that looked alive. The client must fail such
//! a connection after a bounded number of pings, and keep a peer that reads its pongs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod raw_ws;

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions, Message, ReceiveBuffer};
use botgate_transport::ErrorKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The largest ping payload a control frame holds: the largest pong queued per ping.
const PAYLOAD: usize = 125;

/// The kernel buffers of the server's socket and the client's receive buffer: small, so that
/// what the kernel holds (pongs unread, pings not yet read) is a few hundred frames, not tens
/// of thousands, and the count the flood test asserts stays near the client's bound.
const SERVER_BUFFER: u32 = 4 << 10;
const CLIENT_RECEIVE_BUFFER: u32 = 16 << 10;

/// The client's bound (`MAX_PINGS_WHILE_BLOCKED` in `ws::stream`).
const BOUND: usize = 1024;

/// A pong as the client writes it: 2 bytes of header, 4 of mask, the payload.
const PONG: usize = 6 + PAYLOAD;

/// The pings the flood test accepts the server to have written before the client gave up:
/// those whose pongs the kernel took before the client's writes blocked, the bound, and a
/// margin for the pings on their way to the client (its receive buffer, the server's send
/// buffer: a few hundred) when it gave up. The kernel takes pongs until the client's send
/// buffer is full, which Linux autotunes up to `tcp_wmem`'s maximum (4 MiB by default, reached
/// at once on loopback with its 64 KiB segments), at least a pong's bytes each: measured, 24 k
/// pings in all with the default. The client without a bound reads every ping.
fn written_limit() -> usize {
    send_buffer_max() / PONG + 3 * BOUND
}

/// The most a TCP send buffer grows to (`tcp_wmem`'s maximum; Linux's default elsewhere).
fn send_buffer_max() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse::<usize>().ok())
        .unwrap_or(4 << 20)
}

/// An unmasked frame, as a server writes it (payloads under 126 bytes).
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut out = vec![0x80 | opcode, payload.len() as u8];
    out.extend_from_slice(payload);
    out
}

fn ping(i: usize) -> Vec<u8> {
    let mut payload = format!("ping {i} ").into_bytes();
    payload.resize(PAYLOAD, b'.');
    frame(0x9, &payload)
}

/// A raw server whose accepted sockets have small kernel buffers (they inherit the
/// listener's), and the `ws://` URL of it.
fn small_buffer_server() -> (TcpListener, String) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(SERVER_BUFFER).unwrap();
    socket.set_send_buffer_size(SERVER_BUFFER).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let tcp = socket.listen(16).unwrap();
    let url = format!("ws://{}/gateway", tcp.local_addr().unwrap());
    (tcp, url)
}

/// Accepts one connection, reads its upgrade request and answers 101.
async fn accept_upgrade(tcp: &TcpListener) -> TcpStream {
    let (mut sock, _, key) = raw_ws::accept_request(tcp).await;
    sock.write_all(raw_ws::upgrade_answer(&key).as_bytes())
        .await
        .unwrap();
    sock
}

/// A client (with a small receive buffer) connected to a small-buffer raw server.
async fn connected() -> (ws::WsStream, TcpStream) {
    let (tcp, url) = small_buffer_server();
    let options = ConnectOptions::new().receive_buffer(ReceiveBuffer::Fixed(CLIENT_RECEIVE_BUFFER));
    let client = tokio::spawn(async move { ws::connect(&url, &options).await });
    let sock = within("the upgrade", accept_upgrade(&tcp)).await;
    (within("the connect", client).await.unwrap().unwrap(), sock)
}

/// The client's next message, which must be a text message (returned) or an error.
async fn text_or_error(client: &mut ws::WsStream) -> Result<String, botgate_transport::Error> {
    match client.recv().await? {
        Some(Message::Text(text)) => Ok(String::from_utf8(text.to_vec()).unwrap()),
        other => panic!("not a text message nor an error: {other:?}"),
    }
}

/// The server pings and never reads: the client must fail the connection as a protocol error
/// after about its bound, not queue pongs for ever. The server counts the pings its socket
/// took before the client went away; without a bound the client reads every one of them and
/// then the text frame that ends the flood.
#[tokio::test]
async fn a_peer_that_floods_pings_and_never_reads_is_failed_after_a_bounded_number() {
    let limit = written_limit();
    // Where the flood stops if the client never gives up (it then reads a text frame).
    let cap = 3 * limit;
    let (mut client, mut sock) = connected().await;
    let flood = tokio::spawn(async move {
        for i in 0..cap {
            if sock.write_all(&ping(i)).await.is_err() {
                // The client closed its socket: `i` pings were written whole.
                return (i, None);
            }
        }
        sock.write_all(&frame(0x1, b"the flood is over"))
            .await
            .unwrap();
        // Kept open, so that the client reads the text rather than a lost connection.
        (cap, Some(sock))
    });
    let verdict = within("the client's verdict", text_or_error(&mut client)).await;
    drop(client);
    let (written, _sock) = within("the end of the flood", flood).await.unwrap();

    let err = match verdict {
        Ok(text) => panic!("no error after {written} pings, then {text:?}: the pongs piled up"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), &ErrorKind::Protocol, "{}", err.report());
    let report = err.report().to_string();
    assert!(report.contains("pings"), "{report}");
    assert!(
        written > BOUND,
        "failed after {written} pings, fewer than the bound {BOUND}"
    );
    assert!(
        written <= limit,
        "failed only after {written} pings (limit {limit})"
    );
}

/// The server pings in bursts of half the bound, 40 times the bound in all, and reads every
/// pong of a burst before the next (more pongs than the kernel's buffers hold, so they go out
/// only because it reads): the connection stays up and the text frame after the pings
/// arrives.
#[tokio::test]
async fn a_peer_that_reads_its_pongs_stays_connected_through_many_more_pings_than_the_bound() {
    const BURST: usize = BOUND / 2;
    const BURSTS: usize = 80;
    let (mut client, mut sock) = connected().await;
    let server = tokio::spawn(async move {
        let mut pongs = vec![0u8; BURST * PONG];
        for burst in 0..BURSTS {
            let pings: Vec<u8> = (0..BURST).flat_map(|i| ping(burst * BURST + i)).collect();
            sock.write_all(&pings).await.unwrap();
            sock.read_exact(&mut pongs).await.unwrap();
            for pong in pongs.chunks(PONG) {
                assert_eq!(pong[..2], [0x8A, 0x80 | PAYLOAD as u8], "not a pong");
            }
        }
        sock.write_all(&frame(0x1, b"after the pings"))
            .await
            .unwrap();
        sock
    });
    expect_text_after_the_pings(&mut client).await;
    within("the server", server).await.unwrap();
}

/// The server writes four times the bound's pings at once and then reads the pongs, with the
/// default buffers, which hold them all: the client reads the burst in one go and its writes
/// are never refused, though tokio's task budget leaves most of them pending until its next
/// poll. That is not a peer that does not read: the text frame after the pings arrives.
#[tokio::test]
async fn a_burst_of_pings_the_socket_takes_the_pongs_of_is_not_a_flood() {
    // Pongs well within the client's send buffer (on loopback it grows to the maximum at once).
    let pings = (4 * BOUND).min(send_buffer_max() / 4 / PONG);
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/gateway", tcp.local_addr().unwrap());
    let client = tokio::spawn(async move { ws::connect(&url, &ConnectOptions::new()).await });
    let mut sock = within("the upgrade", accept_upgrade(&tcp)).await;
    let mut client = within("the connect", client).await.unwrap().unwrap();
    let server = tokio::spawn(async move {
        let mut burst: Vec<u8> = (0..pings).flat_map(ping).collect();
        burst.extend(frame(0x1, b"after the pings"));
        sock.write_all(&burst).await.unwrap();
        let mut pongs = vec![0u8; pings * PONG];
        sock.read_exact(&mut pongs).await.unwrap();
        // Every pong is in: the server closes (the client writes the rest while it reads).
        sock.write_all(&frame(0x8, &1000u16.to_be_bytes()))
            .await
            .unwrap();
        sock
    });
    expect_text_after_the_pings(&mut client).await;
    let close = within("the server's close", client.recv()).await.unwrap();
    assert!(
        matches!(
            close,
            Some(Message::Close {
                code: Some(1000),
                ..
            })
        ),
        "{close:?}"
    );
    within("the server", server).await.unwrap();
}

/// The text frame the servers send after their pings reaches the client, which stayed
/// connected.
async fn expect_text_after_the_pings(client: &mut ws::WsStream) {
    let text = within("the text after the pings", text_or_error(client))
        .await
        .unwrap_or_else(|e| panic!("the connection failed: {}", e.report()));
    assert_eq!(text, "after the pings");
}
