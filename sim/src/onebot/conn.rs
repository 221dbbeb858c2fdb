//! One OneBot connection (forward or reverse): lifecycle, heartbeat meta events, events,
//! actions answered by `echo` in the configured order, faults.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;

use super::{actions, Command, ConnEntry, ResponseOrder, Shared};
use crate::wire::{Incoming, Wire};
use crate::Fault;

enum End {
    Close(u16, String),
    Drop,
    Gone,
}

/// Runs a connection for account `self_id`; `authorized: false` accepts and closes with 1008
/// (Waylay).
pub(crate) async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    ws: WebSocketStream<S>,
    conn_id: u64,
    authorized: bool,
    self_id: i64,
) {
    let mut wire = Wire::new(ws, conn_id, shared.log.clone());
    if !authorized {
        wire.close(1008, "Unauthorized").await;
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    shared.state().conns.insert(
        conn_id,
        ConnEntry {
            tx: tx.clone(),
            self_id,
        },
    );
    let end = serve(&shared, &mut wire, &mut rx, &tx, self_id).await;
    {
        // Events queued for this connection but never written go to the account's next
        // connection: only what was on the wire when it ended is lost, as with a real
        // implementation. Pushes hold the state lock, so none lands in `rx` after this.
        let mut state = shared.state();
        state.conns.remove(&conn_id);
        let unsent: Vec<String> = std::iter::from_fn(|| rx.try_recv().ok())
            .filter_map(|command| match command {
                Command::Event(text) => Some(text),
                _ => None,
            })
            .collect();
        if !unsent.is_empty() {
            let other = state
                .conns
                .values()
                .find(|e| e.self_id == self_id)
                .map(|e| e.tx.clone());
            match other {
                Some(tx) => unsent.into_iter().for_each(|text| {
                    let _ = tx.send(Command::Event(text));
                }),
                None => state.pending_for.entry(self_id).or_default().extend(unsent),
            }
        }
    }
    match end {
        End::Close(code, reason) => wire.close(code, &reason).await,
        End::Drop => wire.drop_tcp(),
        End::Gone => {}
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn lifecycle(self_id: i64) -> Value {
    json!({"time": unix_now(), "self_id": self_id, "post_type": "meta_event",
        "meta_event_type": "lifecycle", "sub_type": "connect"})
}

fn heartbeat(self_id: i64, interval: Duration) -> Value {
    json!({"time": unix_now(), "self_id": self_id, "post_type": "meta_event",
        "meta_event_type": "heartbeat",
        "interval": u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        "status": {"online": true, "good": true}})
}

/// `event` with `time` and `self_id` filled in when it lacks them.
pub(crate) fn complete(event: &Value, self_id: i64) -> Value {
    let mut event = event.clone();
    if let Some(map) = event.as_object_mut() {
        map.entry("time").or_insert_with(|| json!(unix_now()));
        map.entry("self_id").or_insert_with(|| json!(self_id));
    }
    event
}

struct Conn {
    heartbeats: bool,
    last_event: Option<String>,
    held: Vec<String>,
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared,
    wire: &mut Wire<S>,
    rx: &mut mpsc::UnboundedReceiver<Command>,
    tx: &mpsc::UnboundedSender<Command>,
    self_id: i64,
) -> End {
    let mut conn = Conn {
        heartbeats: true,
        last_event: None,
        held: Vec::new(),
    };
    let mut opening = Vec::new();
    if shared.config.lifecycle_zero_first {
        opening.push(lifecycle(0).to_string());
    }
    opening.push(lifecycle(self_id).to_string());
    {
        let mut state = shared.state();
        opening.extend(std::mem::take(&mut state.pending));
        opening.extend(state.pending_for.remove(&self_id).unwrap_or_default());
    }
    for frame in opening {
        conn.last_event = Some(frame.clone());
        if !wire.send_text(frame).await {
            return End::Gone;
        }
    }
    let interval = shared
        .state()
        .heartbeat_interval
        .unwrap_or(shared.config.heartbeat_interval);
    let mut ticker = interval.map(|every| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    enum Event {
        Command(Option<Command>),
        Client(Incoming),
        Tick,
    }
    loop {
        let event = tokio::select! {
            command = rx.recv() => Event::Command(command),
            incoming = wire.next() => Event::Client(incoming),
            _ = async {
                match ticker.as_mut() {
                    Some(t) => { t.tick().await; }
                    None => std::future::pending::<()>().await,
                }
            } => Event::Tick,
        };
        let sent = match event {
            Event::Command(None) | Event::Client(Incoming::Gone) => return End::Gone,
            Event::Tick => {
                if !conn.heartbeats {
                    continue;
                }
                let Some(every) = interval else { continue };
                wire.send(&heartbeat(self_id, every)).await
            }
            Event::Command(Some(Command::Send(text))) => wire.send_text(text).await,
            Event::Command(Some(Command::Event(text))) => {
                conn.last_event = Some(text.clone());
                wire.send_text(text).await
            }
            Event::Command(Some(Command::Fault(fault))) => match fault {
                Fault::Drop => return End::Drop,
                Fault::Close { code, reason } => return End::Close(code, reason),
                Fault::Delay(d) => {
                    tokio::time::sleep(d).await;
                    true
                }
                Fault::StopAcks => {
                    conn.heartbeats = false;
                    true
                }
                Fault::ResumeAcks => {
                    conn.heartbeats = true;
                    true
                }
                Fault::DuplicateLast => match conn.last_event.clone() {
                    Some(text) => wire.send_text(text).await,
                    None => true,
                },
                _ => true,
            },
            Event::Client(Incoming::Frame(frame, _)) => {
                match answer(shared, wire.conn, self_id, &frame) {
                    Some(response) => deliver(shared, wire, &mut conn, tx, response).await,
                    None => true,
                }
            }
        };
        if !sent {
            return End::Gone;
        }
    }
}

/// The response frame to an action frame; `None` for frames without `action` (dropped
/// silently, like Waylay).
fn answer(shared: &Shared, conn: u64, self_id: i64, frame: &Value) -> Option<String> {
    let action = frame.get("action")?.as_str()?;
    let params = frame.get("params").cloned().unwrap_or_else(|| json!({}));
    let mut response = actions::respond(shared, (conn, self_id), action, &params);
    if let (Some(echo), Some(map)) = (frame.get("echo"), response.as_object_mut()) {
        map.insert("echo".into(), echo.clone());
    }
    Some(response.to_string())
}

/// Sends `response` now or later, per the configured order.
async fn deliver<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared,
    wire: &mut Wire<S>,
    conn: &mut Conn,
    tx: &mpsc::UnboundedSender<Command>,
    response: String,
) -> bool {
    let base = shared.config.response_delay;
    let delay = match shared.config.response_order {
        ResponseOrder::InOrder => base,
        ResponseOrder::Shuffled { max_delay } => {
            let max = u64::try_from(max_delay.as_micros())
                .unwrap_or(u64::MAX)
                .max(1);
            base + Duration::from_micros(shared.next_random() % max)
        }
        ResponseOrder::Reversed { batch } => {
            conn.held.push(response);
            if conn.held.len() < batch.max(1) {
                return true;
            }
            let mut held = std::mem::take(&mut conn.held);
            held.reverse();
            for frame in held {
                if !wire.send_text(frame).await {
                    return false;
                }
            }
            return true;
        }
    };
    if delay.is_zero() {
        return wire.send_text(response).await;
    }
    let tx = tx.clone();
    shared.tasks.spawn(async move {
        tokio::time::sleep(delay).await;
        let _ = tx.send(Command::Send(response));
    });
    true
}
