//! [`Wire`]: one sim-side WebSocket connection that logs every frame it writes or reads.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::log::{Log, Record};
use crate::server::parse_frame;

/// What the client did.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A text frame: parsed JSON (or the raw text as a string) and whether it parsed.
    Frame(Value, bool),
    /// The connection ended (close frame, EOF or error).
    Gone,
}

/// A logged WebSocket connection.
pub(crate) struct Wire<S> {
    ws: WebSocketStream<S>,
    pub(crate) conn: u64,
    log: Log,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    pub(crate) fn new(ws: WebSocketStream<S>, conn: u64, log: Log) -> Self {
        log.push(Record::Connected { conn });
        Self { ws, conn, log }
    }

    /// Writes `text`; false when the connection is gone.
    pub(crate) async fn send_text(&mut self, text: String) -> bool {
        let (frame, _) = parse_frame(&text);
        self.log.push(Record::Sent {
            conn: self.conn,
            frame,
        });
        self.ws.send(Message::Text(text.into())).await.is_ok()
    }

    /// Writes `frame` as JSON text.
    pub(crate) async fn send(&mut self, frame: &Value) -> bool {
        self.send_text(frame.to_string()).await
    }

    /// The next text frame from the client (pings are logged and answered by tungstenite).
    pub(crate) async fn next(&mut self) -> Incoming {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let (frame, ok) = parse_frame(text.as_str());
                    self.log.push(Record::Received {
                        conn: self.conn,
                        frame: frame.clone(),
                    });
                    return Incoming::Frame(frame, ok);
                }
                Some(Ok(Message::Binary(bytes))) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let (frame, ok) = parse_frame(&text);
                    self.log.push(Record::Received {
                        conn: self.conn,
                        frame: frame.clone(),
                    });
                    return Incoming::Frame(frame, ok);
                }
                Some(Ok(Message::Close(frame))) => {
                    let _ = self.ws.flush().await;
                    self.log.push(Record::Disconnected {
                        conn: self.conn,
                        code: frame.map(|f| u16::from(f.code)),
                    });
                    return Incoming::Gone;
                }
                Some(Ok(Message::Ping(_))) => {
                    // tungstenite queues the pong and writes it with the next read
                    self.log.push(Record::Pinged { conn: self.conn });
                    continue;
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => {
                    self.log.push(Record::Disconnected {
                        conn: self.conn,
                        code: None,
                    });
                    return Incoming::Gone;
                }
            }
        }
    }

    /// Sends a close frame and waits (briefly) for the client's answer.
    pub(crate) async fn close(mut self, code: u16, reason: &str) {
        self.log.push(Record::Closed {
            conn: self.conn,
            code,
            reason: reason.to_owned(),
        });
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.to_owned().into(),
        };
        if self.ws.close(Some(frame)).await.is_err() {
            return;
        }
        // Let the client echo the close so it sees a clean handshake; never wait long.
        let drain = async { while let Some(Ok(_)) = self.ws.next().await {} };
        let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    }

    /// Drops the TCP connection without a close frame.
    pub(crate) fn drop_tcp(self) {
        self.log.push(Record::Dropped { conn: self.conn });
        drop(self.ws);
    }
}
