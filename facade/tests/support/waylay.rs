//! A Waylay-like OneBot v11 implementation for tests, independent of botgate: it connects out
//! to a bot's reverse-WS endpoint with tokio-tungstenite directly (not botgate's sim or
//! transport) and behaves as waylay.md describes Waylay's adapter: only `Authorization:
//! Bearer` (no `X-Self-ID`, no `X-Client-Role`); a lifecycle `connect` with `self_id` 0 before
//! its QQ login, then the real one, and the real one at the start of every later connection;
//! events as Waylay emits them (segment arrays, `_ntMsgSeq`, a readable `raw_message`);
//! actions answered by `echo`, concurrently (answers may come back out of order), only on the
//! socket that asked; a reconnect after every close.
//!
//! Event `n` carries `time = BASE_TIME + n`: that is how a test reads the number back.
//! Included by path from the CLI's tests as well.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// `time` of event 0; meta events carry earlier times.
pub const BASE_TIME: i64 = 1_712_640_000;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How the implementation behaves.
#[derive(Debug, Clone)]
pub struct Waylay {
    /// The bot's reverse-WS URL.
    pub url: String,
    /// `ONEBOT_TOKEN`, sent as `Authorization: Bearer`.
    pub token: Option<String>,
    /// The QQ account.
    pub self_id: i64,
    /// Events per connection before it is dropped (0: never). Drops alternate between a close
    /// frame (1001 going away) and a plain TCP close.
    pub drop_every: usize,
    /// Wait between a close and the next connection (Waylay: 5 s).
    pub reconnect: Duration,
}

/// What the implementation saw and did so far.
#[derive(Debug, Default, Clone)]
pub struct State {
    /// Connections opened.
    pub connections: usize,
    /// Events written (numbered ones).
    pub sent: usize,
    /// Every action frame read, in arrival order.
    pub actions: Vec<Value>,
    /// `(echo, message_id)` of every `ok` answer written.
    pub answered: Vec<(Value, i64)>,
    /// Close codes the bot sent (a close frame from the bot's side).
    pub closed_by_bot: Vec<Option<u16>>,
    /// HTTP statuses of refused upgrades.
    pub refused: Vec<u16>,
}

/// The kind and payload of event `n` of `self_id`'s stream: a mix of what Waylay emits.
pub fn event(self_id: i64, n: usize) -> (&'static str, Value) {
    let time = BASE_TIME + i64::try_from(n).unwrap();
    let id = i64::try_from(n).unwrap() + 1;
    let user = 2_000 + (n % 7) as i64;
    match n % 10 {
        0..=5 => (
            "message.group",
            json!({"time": time, "self_id": self_id, "post_type": "message",
                "message_type": "group", "sub_type": "normal", "message_id": id,
                "group_id": 1_000 + (n % 4) as i64, "user_id": user, "anonymous": null,
                "message": [{"type": "text", "data": {"text": format!("群消息 {n}")}},
                            {"type": "face", "data": {"id": "178"}}],
                "raw_message": format!("群消息 {n}[表情178]"), "font": 0,
                "sender": {"user_id": user, "nickname": "小明", "card": "", "role": "member"},
                "_ntMsgSeq": n.to_string()}),
        ),
        6 | 7 => (
            "message.private",
            json!({"time": time, "self_id": self_id, "post_type": "message",
                "message_type": "private", "sub_type": "friend", "message_id": id,
                "user_id": user, "message": [{"type": "text", "data": {"text": format!("私聊 {n}")}}],
                "raw_message": format!("私聊 {n}"), "font": 0,
                "sender": {"user_id": user, "nickname": "小红"}, "_ntMsgSeq": n.to_string()}),
        ),
        8 => (
            "notice.group_recall",
            json!({"time": time, "self_id": self_id, "post_type": "notice",
                "notice_type": "group_recall", "group_id": 1_000, "user_id": user,
                "operator_id": user, "message_id": id}),
        ),
        _ => (
            "notice.notify.poke",
            json!({"time": time, "self_id": self_id, "post_type": "notice",
                "notice_type": "notify", "sub_type": "poke", "group_id": 1_001,
                "user_id": user, "target_id": self_id}),
        ),
    }
}

/// The number of a numbered event (`None` for meta events).
pub fn number(event: &Value) -> Option<usize> {
    let time = event.get("time")?.as_i64()?;
    usize::try_from(time.checked_sub(BASE_TIME)?).ok()
}

fn lifecycle(self_id: i64) -> Value {
    json!({"time": BASE_TIME - 100, "self_id": self_id, "post_type": "meta_event",
        "meta_event_type": "lifecycle", "sub_type": "connect"})
}

fn heartbeat(self_id: i64) -> Value {
    json!({"time": BASE_TIME - 50, "self_id": self_id, "post_type": "meta_event",
        "meta_event_type": "heartbeat", "interval": 30_000, "status": {"online": true, "good": true}})
}

/// A running implementation.
pub struct Running {
    state: watch::Sender<State>,
    task: JoinHandle<()>,
}

impl Running {
    /// What it saw and did so far.
    pub fn state(&self) -> State {
        self.state.borrow().clone()
    }

    /// Waits (bounded by `limit`) until `f` holds for the state.
    pub async fn wait_for(&self, limit: Duration, what: &str, f: impl Fn(&State) -> bool) -> State {
        let mut rx = self.state.subscribe();
        let found = tokio::time::timeout(limit, async {
            rx.wait_for(|s| f(s)).await.map(|s| s.clone())
        })
        .await;
        match found {
            Ok(Ok(state)) => state,
            _ => panic!("timed out waiting for {what}: {:?}", self.state()),
        }
    }

    /// Stops (the connection is dropped).
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Waylay {
    /// Tries one connection and reports how the upgrade went: `Ok` (then closes), or the HTTP
    /// status of the refusal.
    pub async fn try_connect(&self) -> Result<(), u16> {
        match tokio_tungstenite::connect_async(self.request()).await {
            Ok((mut ws, _)) => {
                let _ = ws.close(None).await;
                Ok(())
            }
            Err(WsError::Http(response)) => Err(response.status().as_u16()),
            Err(e) => panic!("connect failed: {e}"),
        }
    }

    fn request(&self) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        let mut request = self.url.as_str().into_client_request().unwrap();
        if let Some(token) = &self.token {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        request
    }

    /// Starts sending events `0..total`, then keeps the last connection open (answering
    /// actions) until stopped.
    pub fn start(self, total: usize) -> Running {
        let state = watch::Sender::new(State::default());
        let task = tokio::spawn(self.clone().run(total, state.clone()));
        Running { state, task }
    }

    async fn run(self, total: usize, state: watch::Sender<State>) {
        let mut next = 0;
        let mut drops = 0;
        // Numbers the answers across connections (message ids stay unique).
        let answers = Arc::new(AtomicI64::new(0));
        loop {
            let ws = match tokio_tungstenite::connect_async(self.request()).await {
                Ok((ws, _)) => ws,
                Err(e) => {
                    if let WsError::Http(response) = e {
                        state.send_modify(|s| s.refused.push(response.status().as_u16()));
                    }
                    tokio::time::sleep(self.reconnect.max(Duration::from_millis(50))).await;
                    continue;
                }
            };
            let first = state.borrow().connections == 0;
            state.send_modify(|s| s.connections += 1);
            let (tx, rx) = mpsc::unbounded_channel();
            let conn = tokio::spawn(connection(
                ws,
                rx,
                tx.clone(),
                state.clone(),
                Arc::clone(&answers),
            ));
            if first {
                let _ = tx.send(Out::Frame(lifecycle(0))); // before QQ login
            }
            let _ = tx.send(Out::Frame(lifecycle(self.self_id)));
            let mut on_this = 0;
            while next < total && (self.drop_every == 0 || on_this < self.drop_every) {
                if next > 0 && next % 100 == 0 {
                    let _ = tx.send(Out::Frame(heartbeat(self.self_id)));
                }
                let _ = tx.send(Out::Frame(event(self.self_id, next).1));
                next += 1;
                on_this += 1;
                state.send_modify(|s| s.sent = next);
            }
            if next < total {
                drops += 1;
                let _ = tx.send(Out::Drop {
                    close_frame: drops % 2 == 1,
                });
            }
            // All sent: the last connection stays up (answering actions) until closed.
            drop(tx);
            let _ = conn.await;
            tokio::time::sleep(self.reconnect).await;
        }
    }
}

/// What the connection task writes.
enum Out {
    Frame(Value),
    /// End the connection, with or without a close frame first.
    Drop {
        close_frame: bool,
    },
}

/// One connection: writes what it is given in order, answers actions as they come.
async fn connection(
    mut ws: Ws,
    mut rx: mpsc::UnboundedReceiver<Out>,
    tx: mpsc::UnboundedSender<Out>,
    state: watch::Sender<State>,
    answers: Arc<AtomicI64>,
) {
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Out::Frame(frame)) => {
                    let sent = ws.send(Message::text(frame.to_string())).await;
                    if sent.is_err() {
                        return;
                    }
                }
                Some(Out::Drop { close_frame }) => return drop_gracefully(ws, close_frame).await,
                None => {}
            },
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
                        continue; // Waylay drops bad JSON silently
                    };
                    if frame.get("action").is_none() {
                        continue;
                    }
                    state.send_modify(|s| s.actions.push(frame.clone()));
                    let n = answers.fetch_add(1, Ordering::Relaxed) + 1;
                    // Actions run concurrently: answers may overtake each other.
                    let tx = tx.clone();
                    let state = state.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis((n % 3) as u64)).await;
                        let (response, message_id) = answer(&frame, n);
                        if let Some(id) = message_id {
                            let echo = frame.get("echo").cloned().unwrap_or(Value::Null);
                            state.send_modify(|s| s.answered.push((echo, id)));
                        }
                        let _ = tx.send(Out::Frame(response));
                    });
                }
                Some(Ok(Message::Close(frame))) => {
                    state.send_modify(|s| s.closed_by_bot.push(frame.map(|f| u16::from(f.code))));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}

/// Ends a connection as a process closing its socket does, but without a reset: a close with
/// unread data in the receive buffer sends RST, and the peer's kernel may then discard what we
/// sent and it had not read yet. So: (close frame,) FIN, then read until the bot closes too.
async fn drop_gracefully(mut ws: Ws, close_frame: bool) {
    if close_frame {
        let _ = ws
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "bye".into(),
            })))
            .await;
    }
    if let MaybeTlsStream::Plain(tcp) = ws.get_mut() {
        let _ = tcp.shutdown().await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// The answer to an action like Waylay's (message sends get a fresh `message_id`, unknown
/// actions 1404), and the `message_id` if it is a success.
fn answer(frame: &Value, n: i64) -> (Value, Option<i64>) {
    let action = frame["action"].as_str().unwrap_or_default();
    let message_id = 500_000 + n;
    let (mut response, id) = match action {
        "send_msg" | "send_group_msg" | "send_private_msg" => (
            json!({"status": "ok", "retcode": 0, "data": {"message_id": message_id}}),
            Some(message_id),
        ),
        _ => (
            json!({"status": "failed", "retcode": 1404, "msg": "不支持的 API", "data": null}),
            None,
        ),
    };
    if let Some(echo) = frame.get("echo") {
        response["echo"] = echo.clone();
    }
    (response, id)
}
