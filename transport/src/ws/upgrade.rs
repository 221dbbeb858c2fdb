//! The server side of the WebSocket upgrade (RFC 6455 §4.2) for the reverse-WS [`Listener`]:
//! read the request, let the caller check it, then answer 101 or an error status. Ours because
//! tokio-websockets' `ServerBuilder::accept` answers 101 before the caller sees the request,
//! and the listener must refuse a bad token with 401 / 403 first (decision 0030).
//!
//! [`Listener`]: super::Listener

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The longest upgrade request read, headers included.
const MAX_REQUEST: usize = 16 << 10;
/// The most headers an upgrade request may carry.
const MAX_HEADERS: usize = 64;
/// Appended to the client's key before hashing (RFC 6455 §1.3).
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A valid WebSocket upgrade request.
#[derive(Debug)]
pub(crate) struct Request {
    /// The path of the request target.
    pub(crate) path: String,
    /// Its query, without the `?`.
    pub(crate) query: Option<String>,
    /// All headers, repeated ones kept.
    pub(crate) headers: HeaderMap,
    /// The `Sec-WebSocket-Accept` to answer with.
    accept: String,
}

/// Why no upgrade request could be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    /// The peer sent something that is not a WebSocket upgrade: answer this status.
    #[error("not a websocket upgrade request ({0}): {1}")]
    Status(StatusCode, &'static str),
    /// The socket failed or closed before a whole request arrived.
    #[error("reading the upgrade request failed")]
    Io(#[from] std::io::Error),
}

/// Reads one upgrade request from `io`. Nothing after it is read: a client must wait for the
/// 101 before it sends a frame (RFC 6455 §4.1), so bytes beyond the request are refused.
pub(crate) async fn read_request<S: AsyncRead + Unpin>(io: &mut S) -> Result<Request, Refused> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        if buf.len() >= MAX_REQUEST {
            return Err(Refused::Status(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "request too large",
            ));
        }
        let mut chunk = [0u8; 1024];
        let want = chunk.len().min(MAX_REQUEST - buf.len());
        let n = io.read(&mut chunk[..want]).await?;
        if n == 0 {
            return Err(Refused::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(request) = parse(&buf)? {
            return Ok(request);
        }
    }
}

/// The request in `buf`, `None` while incomplete.
fn parse(buf: &[u8]) -> Result<Option<Request>, Refused> {
    let bad = |why| Refused::Status(StatusCode::BAD_REQUEST, why);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refused::Status(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "too many headers",
            ))
        }
        Err(_) => return Err(bad("malformed HTTP request")),
    };
    if len != buf.len() {
        return Err(bad("data sent before the upgrade was answered"));
    }
    if request.method != Some("GET") || request.version != Some(1) {
        return Err(bad("not an HTTP/1.1 GET"));
    }
    let target = request.path.unwrap_or("/");
    let mut map = HeaderMap::with_capacity(request.headers.len());
    for header in request.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|_| bad("invalid header name"))?;
        let value = HeaderValue::from_bytes(header.value).map_err(|_| bad("invalid header"))?;
        map.append(name, value);
    }
    if !has_token(&map, "upgrade", "websocket") {
        return Err(bad("no `Upgrade: websocket`"));
    }
    if !has_token(&map, "connection", "upgrade") {
        return Err(bad("no `Connection: upgrade`"));
    }
    if !has_token(&map, "sec-websocket-version", "13") {
        return Err(Refused::Status(
            StatusCode::UPGRADE_REQUIRED,
            "only WebSocket version 13 is spoken",
        ));
    }
    let key = map
        .get("sec-websocket-key")
        .map(|k| k.as_bytes().trim_ascii())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| bad("no `Sec-WebSocket-Key`"))?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    Ok(Some(Request {
        path: path.to_owned(),
        query,
        accept: accept_key(key),
        headers: map,
    }))
}

/// True when one of the comma-separated values of `name` is `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: &str, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(token))
}

/// `Sec-WebSocket-Accept` for `key`: base64 of SHA-1 over the key and the GUID.
fn accept_key(key: &[u8]) -> String {
    let mut sha1 = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    sha1.update(key);
    sha1.update(GUID);
    STANDARD.encode(sha1.finish())
}

/// Answers `request` with 101: from here on the socket speaks WebSocket.
pub(crate) async fn accept<S: AsyncWrite + Unpin>(
    io: &mut S,
    request: &Request,
) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        request.accept
    );
    io.write_all(response.as_bytes()).await?;
    io.flush().await
}

/// Answers with `status` and closes: no upgrade.
pub(crate) async fn refuse<S: AsyncWrite + Unpin>(
    io: &mut S,
    status: StatusCode,
) -> std::io::Result<()> {
    let reason = status.canonical_reason().unwrap_or("Rejected");
    let response = format!(
        "HTTP/1.1 {} {reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{reason}",
        status.as_u16(),
        reason.len()
    );
    io.write_all(response.as_bytes()).await?;
    io.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = "GET /onebot/v11?access_token=a%20b HTTP/1.1\r\nHost: x\r\n\
        Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
        Authorization: Bearer a\r\nAuthorization: Token b\r\n\r\n";

    #[test]
    fn the_accept_key_of_the_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn a_valid_request_keeps_path_query_and_repeated_headers() {
        assert!(parse(&REQUEST.as_bytes()[..40]).unwrap().is_none());
        let request = parse(REQUEST.as_bytes()).unwrap().unwrap();
        assert_eq!(request.path, "/onebot/v11");
        assert_eq!(request.query.as_deref(), Some("access_token=a%20b"));
        assert_eq!(request.headers.get_all("authorization").iter().count(), 2);
        assert_eq!(request.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn refusals_carry_their_status() {
        let status = |text: &str| match parse(text.as_bytes()) {
            Err(Refused::Status(status, _)) => status,
            other => panic!("{other:?}"),
        };
        let early_frame = format!("{REQUEST}\u{81}\u{0}");
        assert_eq!(status(&early_frame), StatusCode::BAD_REQUEST);
        assert_eq!(
            status(&REQUEST.replace("Upgrade: websocket", "Upgrade: h2c")),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(&REQUEST.replace("Version: 13", "Version: 8")),
            StatusCode::UPGRADE_REQUIRED
        );
        assert_eq!(
            status(&REQUEST.replace("Sec-WebSocket-Key", "X-Key")),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(status("POST / HTTP/1.1\r\n\r\n"), StatusCode::BAD_REQUEST);
        assert_eq!(status("\u{16}\u{3}\u{1}garbage"), StatusCode::BAD_REQUEST);
    }
}
