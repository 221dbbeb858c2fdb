//! The server side of a raw WebSocket upgrade, written by hand for tests that then send
//! frames (or answers) no real server would: read the request, compute the 101 answer.
#![allow(dead_code, clippy::unwrap_used)]

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Accepts one connection and reads its upgrade request: the socket, the request's text and
/// its `Sec-WebSocket-Key`.
pub async fn accept_request(tcp: &TcpListener) -> (TcpStream, String, String) {
    let (mut sock, _) = tcp.accept().await.unwrap();
    let mut request = Vec::new();
    while !request.ends_with(b"\r\n\r\n") {
        request.push(sock.read_u8().await.unwrap());
    }
    let request = String::from_utf8(request).unwrap();
    let key = request
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_owned())
        })
        .unwrap();
    (sock, request, key)
}

/// The 101 answer to a request with `key`.
pub fn upgrade_answer(key: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    )
}
