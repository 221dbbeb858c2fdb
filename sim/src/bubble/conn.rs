//! One Bubble gateway connection: Hello, BOT_READY, subscriptions, heartbeats, resume
//! (extended profile), the client rate limit and faults.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::rate::TokenBucket;
use super::{Command, ReadyShape, Session, Shared};
use crate::server::ServerWs;
use crate::wire::{Incoming, Wire};
use crate::Fault;

enum End {
    Close(u16, String),
    Drop,
    Gone,
}

fn close(code: u16, reason: &str) -> End {
    End::Close(code, reason.to_owned())
}

struct Conn {
    id: u64,
    session: Option<String>,
    acking: bool,
    last_dispatch: Option<String>,
    deadline: Instant,
    /// Extended profile: when to send BOT_READY if no op 6 arrives first.
    ready_at: Option<Instant>,
    bucket: Option<TokenBucket>,
    /// This connection's own queue. Every frame it writes goes through it, queued under the
    /// state lock when the frame takes a seq, so frames leave in seq order even when
    /// [`Shared::push`] queues a dispatch while a client frame is being answered.
    queue: mpsc::UnboundedSender<Command>,
}

impl Conn {
    /// Queues `frames` behind everything already queued (callers hold the state lock while a
    /// frame they built took a seq).
    fn enqueue(&self, frames: Vec<String>) {
        for frame in frames {
            let _ = self.queue.send(Command::Send(frame));
        }
    }
}

pub(crate) async fn run(shared: Arc<Shared>, ws: ServerWs, conn_id: u64) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    {
        let mut state = shared.state();
        if shared.config.single_connection {
            for other in state.conns.values() {
                let _ = other.send(Command::Fault(Fault::Close {
                    code: 4010,
                    reason: "another connection took over".into(),
                }));
            }
        }
        state.conns.insert(conn_id, tx.clone());
    }
    let mut wire = Wire::new(ws, conn_id, shared.log.clone());
    let end = serve(&shared, &mut wire, tx, &mut rx).await;
    {
        let mut state = shared.state();
        state.conns.remove(&conn_id);
        let extended = shared.extended();
        state.sessions.retain(|_, s| {
            if s.conn == Some(conn_id) {
                s.conn = None;
                // Only the extended profile can resume: strict sessions die with the socket.
                return extended;
            }
            true
        });
    }
    match end {
        End::Close(code, reason) => wire.close(code, &reason).await,
        End::Drop => wire.drop_tcp(),
        End::Gone => {}
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared,
    wire: &mut Wire<S>,
    queue: mpsc::UnboundedSender<Command>,
    rx: &mut mpsc::UnboundedReceiver<Command>,
) -> End {
    let interval = u64::try_from(shared.config.heartbeat_interval.as_millis()).unwrap_or(u64::MAX);
    if !wire
        .send(&json!({"op": 10, "d": {"heartbeat_interval": interval}}))
        .await
    {
        return End::Gone;
    }
    let now = Instant::now();
    let mut conn = Conn {
        id: wire.conn,
        session: None,
        acking: true,
        last_dispatch: None,
        deadline: now + shared.config.heartbeat_timeout,
        ready_at: None,
        bucket: shared
            .config
            .rate_limit
            .map(|r| TokenBucket::new(r.per_second, r.burst, now.into_std())),
        queue,
    };
    if shared.extended() {
        conn.ready_at = Some(now + shared.config.resume_window);
    } else {
        ready(shared, &mut conn);
    }
    enum Event {
        Command(Option<Command>),
        Client(Incoming),
        Timeout,
        Ready,
    }
    loop {
        let ready_at = conn.ready_at;
        let event = tokio::select! {
            command = rx.recv() => Event::Command(command),
            incoming = wire.next() => Event::Client(incoming),
            _ = tokio::time::sleep_until(conn.deadline) => Event::Timeout,
            _ = async move {
                match ready_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => Event::Ready,
        };
        let outcome = match event {
            Event::Timeout => Err(close(4009, "session timed out")),
            Event::Command(None) | Event::Client(Incoming::Gone) => Err(End::Gone),
            Event::Ready => {
                ready(shared, &mut conn);
                Ok(())
            }
            Event::Command(Some(Command::Send(text))) => {
                send_all(wire, &mut conn, vec![text]).await
            }
            Event::Command(Some(Command::Fault(fault))) => {
                apply_fault(shared, wire, &mut conn, fault).await
            }
            Event::Client(Incoming::Frame(frame, ok)) => handle(shared, &mut conn, &frame, ok),
        };
        if let Err(end) = outcome {
            return end;
        }
    }
}

async fn send_all<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
    conn: &mut Conn,
    frames: Vec<String>,
) -> Result<(), End> {
    for frame in frames {
        if crate::log::op(&crate::server::parse_frame(&frame).0) == Some(0) {
            conn.last_dispatch = Some(frame.clone());
        }
        if !wire.send_text(frame).await {
            return Err(End::Gone);
        }
    }
    Ok(())
}

/// Opens a fresh session and queues BOT_READY (plus held events of unknown types).
fn ready(shared: &Shared, conn: &mut Conn) {
    conn.ready_at = None;
    let mut state = shared.state();
    state.next_session += 1;
    let id = format!("bubble-sim-{}-{}", state.next_session, conn.id);
    let mut session = Session {
        id: id.clone(),
        seq: 0,
        buffer: Default::default(),
        subscribed: Default::default(),
        conn: Some(conn.id),
    };
    let (bot_id, name) = &shared.config.bot;
    let guilds = json!([{"id": 10, "name": "Sim Guild"}]);
    let available = &shared.config.available_events;
    let mut d = match shared.config.ready_shape {
        ReadyShape::Seed => json!({"bot": {"id": bot_id, "name": name}, "guilds": guilds}),
        ReadyShape::Gateway => json!({
            "bot": {"id": 1, "name": name, "botUser": {"id": bot_id, "name": format!("bot_{name}")}},
            "subscribedGuilds": guilds,
            "subscribedDMs": [],
            "availableEvents": available,
        }),
        ReadyShape::AlemonJs => json!({
            "guilds": guilds,
            "dm_threads": [],
            "available_events": available,
        }),
    };
    if shared.extended() {
        match shared.config.ready_shape {
            ReadyShape::AlemonJs => {
                d["session_id"] = json!(id);
                d["resume_gateway_url"] = json!(format!("ws://{}/api/bot/gateway", shared.addr));
            }
            _ => d["sessionId"] = json!(id),
        }
    }
    let mut frames = vec![shared.dispatch_frame(&mut session, "BOT_READY", &d)];
    let pending = std::mem::take(&mut state.pending);
    for (t, d) in pending {
        if shared.available(&t) {
            state.pending.push((t, d));
        } else {
            frames.push(shared.dispatch_frame(&mut session, &t, &d));
        }
    }
    state.sessions.insert(id.clone(), session);
    conn.session = Some(id);
    conn.enqueue(frames);
}

/// A number sent as a number or a numeric string.
fn lenient_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Event names of op 30 / 31 (`events`, or the seed's `event_types`).
fn names(d: &Value) -> Vec<String> {
    d.get("events")
        .or_else(|| d.get("event_types"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Queues a dispatch on the connection's session (or without `s` when there is none).
fn dispatch(shared: &Shared, conn: &Conn, t: &str, d: &Value) {
    let mut state = shared.state();
    let frame = match conn
        .session
        .as_ref()
        .and_then(|id| state.sessions.get_mut(id))
    {
        Some(session) => shared.dispatch_frame(session, t, d),
        None => json!({"op": 0, "t": t, "d": d}).to_string(),
    };
    conn.enqueue(vec![frame]);
}

/// Answers a client frame: the answers are queued (written in order by the connection loop).
fn handle(shared: &Shared, conn: &mut Conn, frame: &Value, ok: bool) -> Result<(), End> {
    let extended = shared.extended();
    let op = frame.get("op").and_then(Value::as_u64);
    let Some(op) = op.filter(|_| ok) else {
        return if extended {
            Err(close(4002, "decode error"))
        } else {
            Ok(())
        };
    };
    let d = frame.get("d").unwrap_or(&Value::Null);
    // Any frame but op 6 ends the wait for a resume.
    if op != 6 && conn.ready_at.is_some() {
        ready(shared, conn);
    }
    if op == 1 {
        conn.deadline = Instant::now() + shared.config.heartbeat_timeout;
        if conn.acking {
            conn.enqueue(vec![json!({"op": 11}).to_string()]);
        }
        return Ok(());
    }
    if let Some(bucket) = &mut conn.bucket {
        if !bucket.try_take(Instant::now().into_std()) {
            dispatch(
                shared,
                conn,
                "ERROR",
                &json!({"code": "RATE_LIMIT", "message": "Too many messages"}),
            );
            if shared.config.close_on_rate_limit {
                // Queued too, so the ERROR is written before the close.
                let _ = conn.queue.send(Command::Fault(Fault::Close {
                    code: 4008,
                    reason: "rate limited".into(),
                }));
            }
            return Ok(());
        }
    }
    if op == 6 {
        if extended {
            resume(shared, conn, d);
        }
        return Ok(());
    }
    match op {
        30 | 31 => {
            subscribe(shared, conn, op == 30, &names(d));
            Ok(())
        }
        _ if extended => Err(close(4001, "unknown opcode")),
        _ => Ok(()),
    }
}

/// Queues EVENTS_SUBSCRIBED / EVENTS_UNSUBSCRIBED (plus held events of the new types).
fn subscribe(shared: &Shared, conn: &Conn, add: bool, names: &[String]) {
    let mut state = shared.state();
    let state = &mut *state;
    let Some(session) = conn
        .session
        .as_ref()
        .and_then(|id| state.sessions.get_mut(id))
    else {
        return;
    };
    let (valid, invalid): (Vec<String>, Vec<String>) =
        names.iter().cloned().partition(|n| shared.available(n));
    if !add {
        for name in &valid {
            session.subscribed.remove(name);
        }
        let d = json!({"unsubscribedEvents": valid});
        conn.enqueue(vec![shared.dispatch_frame(
            session,
            "EVENTS_UNSUBSCRIBED",
            &d,
        )]);
        return;
    }
    session.subscribed.extend(valid.iter().cloned());
    let d = json!({"subscribedEvents": valid, "invalidEvents": invalid});
    let mut frames = vec![shared.dispatch_frame(session, "EVENTS_SUBSCRIBED", &d)];
    let pending = std::mem::take(&mut state.pending);
    for (t, d) in pending {
        if valid.contains(&t) {
            frames.push(shared.dispatch_frame(session, &t, &d));
        } else {
            state.pending.push((t, d));
        }
    }
    conn.enqueue(frames);
}

/// op 6 (extended): queues the replay after `seq` and RESUMED, or op 9 false and a fresh
/// BOT_READY; ignored once the connection has a session (its BOT_READY went out first).
fn resume(shared: &Shared, conn: &mut Conn, d: &Value) {
    let session_id = d
        .get("sessionId")
        .or_else(|| d.get("session_id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let seq = lenient_u64(d.get("seq")).unwrap_or(0);
    // Too late once BOT_READY has named this connection's session: the client has taken that
    // one, and RESUMED names none, so resuming another behind it would leave the client
    // holding the id of a session that is gone.
    if let Some(current) = &conn.session {
        tracing::debug!(session = %current, "bubble sim: op 6 after BOT_READY ignored");
        return;
    }
    let mut state = shared.state();
    conn.ready_at = None;
    let resumable = state.sessions.get(&session_id).is_some_and(|s| {
        let oldest = s.buffer.front().map_or(s.seq + 1, |(first, _)| *first);
        seq <= s.seq && seq + 1 >= oldest
    });
    let Some(session) = state.sessions.get_mut(&session_id).filter(|_| resumable) else {
        drop(state);
        conn.enqueue(vec![json!({"op": 9, "d": false}).to_string()]);
        ready(shared, conn);
        return;
    };
    let mut frames: Vec<String> = session
        .buffer
        .iter()
        .filter(|(s, _)| *s > seq)
        .map(|(_, f)| f.clone())
        .collect();
    let replayed = frames.len();
    session.conn = Some(conn.id);
    frames.push(shared.dispatch_frame(session, "RESUMED", &json!({"replayed": replayed})));
    conn.session = Some(session_id);
    conn.enqueue(frames);
}

async fn apply_fault<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared,
    wire: &mut Wire<S>,
    conn: &mut Conn,
    fault: Fault,
) -> Result<(), End> {
    let frame = match fault {
        Fault::Drop => return Err(End::Drop),
        Fault::StopAcks => {
            conn.acking = false;
            return Ok(());
        }
        Fault::ResumeAcks => {
            conn.acking = true;
            return Ok(());
        }
        Fault::Close { code, reason } => return Err(End::Close(code, reason)),
        Fault::Delay(duration) => {
            tokio::time::sleep(duration).await;
            return Ok(());
        }
        Fault::Reconnect => json!({"op": 7}).to_string(),
        Fault::InvalidSession { resumable } => {
            if !resumable {
                if let Some(id) = conn.session.take() {
                    shared.state().sessions.remove(&id);
                }
            }
            json!({"op": 9, "d": resumable}).to_string()
        }
        Fault::DuplicateLast => match conn.last_dispatch.clone() {
            Some(frame) => frame,
            None => return Ok(()),
        },
        Fault::RequestHeartbeat => json!({"op": 1}).to_string(),
    };
    send_all(wire, conn, vec![frame]).await
}
