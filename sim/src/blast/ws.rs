//! The little of RFC 6455 a blast needs, by hand: server frame headers, masked client frames,
//! the upgrade on both sides, and a header-only frame reader. The blast owns its socket (no
//! tungstenite buffer in between), so frames encoded once are written as they are.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Text frame opcode (with FIN).
pub(crate) const TEXT: u8 = 0x81;
/// Close frame opcode (with FIN).
pub(crate) const CLOSE: u8 = 0x88;
/// Ping / pong opcodes (with FIN).
pub(crate) const PING: u8 = 0x89;
pub(crate) const PONG: u8 = 0x8A;

/// The biggest upgrade request or response read.
const MAX_HEAD: usize = 16 << 10;
/// The key of the count client's upgrade (any 16 bytes in base64 will do).
const CLIENT_KEY: &str = "Ymxhc3QtY291bnQtY2xpZW50";

/// Appends an unmasked frame (server to client) with `opcode` and `payload`.
pub(crate) fn push_server_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8]) {
    push_header(out, opcode, payload.len(), false);
    out.extend_from_slice(payload);
}

/// Appends a masked frame (client to server).
pub(crate) fn push_client_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8]) {
    const MASK: [u8; 4] = [0x5a, 0x17, 0xc3, 0x81];
    push_header(out, opcode, payload.len(), true);
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().zip(MASK.iter().cycle()).map(|(b, m)| b ^ m));
}

fn push_header(out: &mut Vec<u8>, opcode: u8, len: usize, masked: bool) {
    let mask_bit = if masked { 0x80 } else { 0 };
    out.push(opcode);
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
}

/// One frame's header: opcode byte, header length (mask key included), payload length, mask.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub(crate) opcode: u8,
    pub(crate) len: usize,
    pub(crate) payload: usize,
    pub(crate) mask: Option<[u8; 4]>,
}

/// Reads the header at the start of `buf`; `None` when `buf` holds less than a header.
pub(crate) fn header(buf: &[u8]) -> Option<Header> {
    let (&b0, rest) = buf.split_first()?;
    let &b1 = rest.first()?;
    let masked = b1 & 0x80 != 0;
    let (payload, mut len) = match b1 & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
            4,
        ),
        127 => {
            let bytes: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(bytes)).ok()?, 10)
        }
        n => (usize::from(n), 2),
    };
    let mask = if masked {
        let key: [u8; 4] = buf.get(len..len + 4)?.try_into().ok()?;
        len += 4;
        Some(key)
    } else {
        None
    };
    Some(Header {
        opcode: b0,
        len,
        payload,
        mask,
    })
}

/// Reads whole frames (client frames unmasked) from a stream, for the few frames of a
/// handshake and the client's heartbeats.
#[derive(Debug, Default)]
pub(crate) struct FrameReader {
    buf: Vec<u8>,
}

impl FrameReader {
    /// A reader that starts with `leftover` (bytes read past an upgrade's head).
    pub(crate) fn with(leftover: Vec<u8>) -> Self {
        Self { buf: leftover }
    }

    /// The next frame: (opcode byte, payload); `None` at EOF or on an error.
    pub(crate) async fn next<R: AsyncRead + Unpin>(&mut self, io: &mut R) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some(h) = header(&self.buf) {
                let end = h.len.checked_add(h.payload)?;
                if self.buf.len() >= end {
                    let mut payload: Vec<u8> = self.buf[h.len..end].to_vec();
                    if let Some(mask) = h.mask {
                        for (b, m) in payload.iter_mut().zip(mask.iter().cycle()) {
                            *b ^= m;
                        }
                    }
                    self.buf.drain(..end);
                    return Some((h.opcode, payload));
                }
            }
            let mut chunk = [0u8; 8192];
            let n = io.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Reads an HTTP head (up to the blank line); returns it and the bytes read past it.
async fn read_head<R: AsyncRead + Unpin>(io: &mut R) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(at + 4);
            return Some((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = io.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Answers a client's upgrade with 101; returns the bytes read past the request.
pub(crate) async fn accept<S: AsyncRead + AsyncWrite + Unpin>(io: &mut S) -> Option<Vec<u8>> {
    let (head, rest) = read_head(io).await?;
    let key = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("sec-websocket-key")
            .then(|| value.trim().to_owned())
    })?;
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    );
    io.write_all(response.as_bytes()).await.ok()?;
    Some(rest)
}

/// Upgrades a client connection to `host` / `path`; returns the bytes read past the 101.
pub(crate) async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    host: &str,
    path: &str,
) -> Option<Vec<u8>> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {CLIENT_KEY}\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer blast\r\n\r\n"
    );
    io.write_all(request.as_bytes()).await.ok()?;
    let (head, rest) = read_head(io).await?;
    head.lines()
        .next()
        .is_some_and(|status| status.split(' ').nth(1) == Some("101"))
        .then_some(rest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_for_every_length_class() {
        for len in [0usize, 125, 126, 65_535, 65_536] {
            let payload = vec![b'x'; len];
            let mut out = Vec::new();
            push_server_frame(&mut out, TEXT, &payload);
            let h = header(&out).unwrap();
            assert_eq!((h.opcode, h.payload, h.mask), (TEXT, len, None));
            assert_eq!(out.len(), h.len + len);
            let mut masked = Vec::new();
            push_client_frame(&mut masked, TEXT, &payload);
            let h = header(&masked).unwrap();
            assert_eq!(h.payload, len);
            assert!(h.mask.is_some());
        }
    }

    #[test]
    fn a_partial_header_is_none() {
        let mut out = Vec::new();
        push_server_frame(&mut out, TEXT, &[b'x'; 300]);
        assert!(header(&out[..3]).is_none());
        assert!(header(&out[..4]).is_some());
    }

    #[tokio::test]
    async fn the_reader_unmasks_client_frames() {
        let mut bytes = Vec::new();
        push_client_frame(&mut bytes, TEXT, br#"{"op":1,"d":null}"#);
        push_client_frame(&mut bytes, CLOSE, &[3, 232]);
        let mut reader = FrameReader::default();
        let mut io = &bytes[..];
        assert_eq!(
            reader.next(&mut io).await.unwrap(),
            (TEXT, br#"{"op":1,"d":null}"#.to_vec())
        );
        assert_eq!(reader.next(&mut io).await.unwrap(), (CLOSE, vec![3, 232]));
        assert!(reader.next(&mut io).await.is_none());
    }
}
