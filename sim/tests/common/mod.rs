//! A raw tungstenite client for driving the sims frame by frame.
#![allow(dead_code)] // each test binary uses a different subset

use botgate_testkit::within;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Raw {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

pub enum Got {
    Frame(Value),
    Close(Option<u16>, String),
    End,
}

impl Raw {
    pub async fn connect(url: &str, auth: Option<&str>) -> Result<Self, tungstenite::Error> {
        let mut request = url.into_client_request()?;
        if let Some(auth) = auth {
            request
                .headers_mut()
                .insert("authorization", auth.parse().unwrap());
        }
        let (ws, _) = within(
            "the WebSocket handshake",
            tokio_tungstenite::connect_async(request),
        )
        .await?;
        Ok(Self { ws })
    }

    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_text(&mut self, t: &str) {
        self.ws
            .send(Message::Text(t.to_owned().into()))
            .await
            .unwrap();
    }

    pub async fn got(&mut self) -> Got {
        loop {
            match within("the next frame", self.ws.next()).await {
                Some(Ok(Message::Text(t))) => {
                    return Got::Frame(serde_json::from_str(t.as_str()).unwrap())
                }
                Some(Ok(Message::Close(f))) => {
                    return match f {
                        Some(f) => Got::Close(Some(u16::from(f.code)), f.reason.to_string()),
                        None => Got::Close(None, String::new()),
                    }
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Got::End,
            }
        }
    }

    /// The next frame; panics on close.
    pub async fn frame(&mut self) -> Value {
        match self.got().await {
            Got::Frame(v) => v,
            Got::Close(code, reason) => panic!("closed {code:?} {reason}"),
            Got::End => panic!("connection ended"),
        }
    }

    /// The next frame that is not a heartbeat ACK / meta heartbeat.
    pub async fn frame_skipping_acks(&mut self) -> Value {
        loop {
            let f = self.frame().await;
            if f["op"] != 11 && f["meta_event_type"] != "heartbeat" {
                return f;
            }
        }
    }

    /// Waits for the close frame, skipping other frames; returns its code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.got().await {
                Got::Frame(_) => continue,
                Got::Close(code, _) => return code,
                Got::End => return None,
            }
        }
    }
}
