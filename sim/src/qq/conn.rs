//! One QQ gateway connection: Hello, Identify / Resume checks, heartbeats, dispatches, faults.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{intents, Command, Session, Shared};
use crate::server::ServerWs;
use crate::wire::{Incoming, Wire};
use crate::Fault;

/// How a connection ends.
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
}

pub(crate) async fn run(shared: Arc<Shared>, ws: ServerWs, conn_id: u64) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    shared.state().conns.insert(conn_id, tx);
    let mut wire = Wire::new(ws, conn_id, shared.log.clone());
    let end = serve(&shared, &mut wire, &mut rx).await;
    {
        let mut state = shared.state();
        state.conns.remove(&conn_id);
        for session in state.sessions.values_mut() {
            if session.conn == Some(conn_id) {
                session.conn = None;
            }
        }
    }
    match end {
        End::Close(code, reason) => wire.close(code, &reason).await,
        End::Drop => wire.drop_tcp(),
        End::Gone => {}
    }
}

fn heartbeat_timeout(shared: &Shared) -> std::time::Duration {
    shared
        .config
        .heartbeat_timeout
        .unwrap_or(shared.config.heartbeat_interval * 2)
}

async fn serve(
    shared: &Shared,
    wire: &mut Wire<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>,
    rx: &mut mpsc::UnboundedReceiver<Command>,
) -> End {
    let interval = u64::try_from(shared.config.heartbeat_interval.as_millis()).unwrap_or(u64::MAX);
    if !wire
        .send(&json!({"op": 10, "d": {"heartbeat_interval": interval}}))
        .await
    {
        return End::Gone;
    }
    let mut conn = Conn {
        id: wire.conn,
        session: None,
        acking: true,
        last_dispatch: None,
        deadline: Instant::now() + heartbeat_timeout(shared),
    };
    enum Event {
        Command(Option<Command>),
        Client(Incoming),
        Timeout,
    }
    loop {
        let event = tokio::select! {
            command = rx.recv() => Event::Command(command),
            incoming = wire.next() => Event::Client(incoming),
            _ = tokio::time::sleep_until(conn.deadline) => Event::Timeout,
        };
        let outcome = match event {
            Event::Timeout => Err(close(4009, "connection expired: no heartbeat")),
            Event::Command(None) | Event::Client(Incoming::Gone) => Err(End::Gone),
            Event::Command(Some(Command::Send(text))) => {
                if crate::log::op(&crate::server::parse_frame(&text).0) == Some(0) {
                    conn.last_dispatch = Some(text.clone());
                }
                send_all(wire, vec![text]).await
            }
            Event::Command(Some(Command::Fault(fault))) => {
                apply_fault(shared, wire, &mut conn, fault).await
            }
            Event::Client(Incoming::Frame(frame, ok)) => {
                handle(shared, wire, &mut conn, &frame, ok).await
            }
        };
        if let Err(end) = outcome {
            return end;
        }
    }
}

async fn send_all(
    wire: &mut Wire<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>,
    frames: Vec<String>,
) -> Result<(), End> {
    for frame in frames {
        if !wire.send_text(frame).await {
            return Err(End::Gone);
        }
    }
    Ok(())
}

async fn handle(
    shared: &Shared,
    wire: &mut Wire<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>,
    conn: &mut Conn,
    frame: &Value,
    ok: bool,
) -> Result<(), End> {
    if !ok || !frame.is_object() {
        return Err(close(4002, "invalid payload"));
    }
    let Some(op) = frame.get("op").and_then(Value::as_u64) else {
        return Err(close(4002, "invalid payload: op"));
    };
    let d = frame.get("d").unwrap_or(&Value::Null);
    match op {
        1 => {
            conn.deadline = Instant::now() + heartbeat_timeout(shared);
            if conn.acking {
                send_all(wire, vec![json!({"op": 11}).to_string()]).await?;
            }
            Ok(())
        }
        2 => {
            let frames = identify(shared, conn, d)?;
            remember_last(conn, &frames);
            send_all(wire, frames).await
        }
        6 => {
            let frames = resume(shared, conn, d)?;
            remember_last(conn, &frames);
            send_all(wire, frames).await
        }
        _ if conn.session.is_none() => Err(close(4003, "not authenticated")),
        _ => Err(close(4001, "invalid opcode")),
    }
}

fn remember_last(conn: &mut Conn, frames: &[String]) {
    if let Some(last) = frames.last() {
        conn.last_dispatch = Some(last.clone());
    }
}

/// A number sent as a number or a numeric string.
fn lenient_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn identify(shared: &Shared, conn: &mut Conn, d: &Value) -> Result<Vec<String>, End> {
    if conn.session.is_some() {
        return Err(close(4005, "already authenticated"));
    }
    let token = d.get("token").and_then(Value::as_str).unwrap_or_default();
    if !shared.token_valid(token) {
        return Err(close(4004, "authentication failed"));
    }
    let requested = lenient_u64(d.get("intents")).unwrap_or(0);
    let Ok(requested) = u32::try_from(requested) else {
        return Err(close(4013, "invalid intent"));
    };
    if requested & !intents::KNOWN != 0 {
        return Err(close(4013, "invalid intent"));
    }
    if requested & !shared.config.allowed_intents != 0 {
        return Err(close(4014, "intent not authorised"));
    }
    let shard = match d.get("shard") {
        None | Some(Value::Null) => [0, 1],
        Some(Value::Array(a)) if a.len() == 2 => {
            match (lenient_u64(a.first()), lenient_u64(a.get(1))) {
                (Some(id), Some(count)) => [id, count],
                _ => return Err(close(4010, "invalid shard")),
            }
        }
        Some(_) => return Err(close(4010, "invalid shard")),
    };
    if shard[1] == 0 || shard[0] >= shard[1] {
        return Err(close(4010, "invalid shard"));
    }
    if shard[1] < u64::from(shared.config.shards) {
        return Err(close(4011, "too many guilds: use more shards"));
    }
    let mut state = shared.state();
    Shared::check_shard_free(&mut state, shard, conn.id, "");
    state.identifies.push((shard, std::time::Instant::now()));
    state.next_session += 1;
    let id = format!("sim-session-{:04}-{}", state.next_session, conn.id);
    let mut session = Session {
        id: id.clone(),
        intents: requested,
        shard,
        seq: 0,
        buffer: Default::default(),
        conn: Some(conn.id),
    };
    let (user_id, username) = &shared.config.bot_user;
    let ready = json!({
        "version": 1,
        "session_id": id,
        "user": {"id": user_id, "username": username, "bot": true},
        "shard": shard,
    });
    let mut frames = vec![shared.dispatch_frame(&mut session, "READY", &ready)];
    let pending = std::mem::take(&mut state.pending);
    for (t, d) in pending {
        if !shared.config.filter_by_intents || intents::delivers(requested, &t) {
            frames.push(shared.dispatch_frame(&mut session, &t, &d));
        } else {
            state.pending.push((t, d));
        }
    }
    state.sessions.insert(id.clone(), session);
    conn.session = Some(id);
    Ok(frames)
}

fn resume(shared: &Shared, conn: &mut Conn, d: &Value) -> Result<Vec<String>, End> {
    if conn.session.is_some() {
        return Err(close(4005, "already authenticated"));
    }
    let token = d.get("token").and_then(Value::as_str).unwrap_or_default();
    if !shared.token_valid(token) {
        return Err(close(4004, "authentication failed"));
    }
    let session_id = d
        .get("session_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let seq = lenient_u64(d.get("seq")).unwrap_or(0);
    let mut state = shared.state();
    let Some(shard) = state.sessions.get(session_id).map(|s| s.shard) else {
        return Err(close(4006, "session id invalid"));
    };
    Shared::check_shard_free(&mut state, shard, conn.id, session_id);
    let Some(session) = state.sessions.get_mut(session_id) else {
        return Err(close(4006, "session id invalid"));
    };
    let oldest = session.buffer.front().map_or(session.seq + 1, |(s, _)| *s);
    if seq > session.seq || seq + 1 < oldest {
        return Err(close(4007, "invalid seq"));
    }
    let mut frames: Vec<String> = session
        .buffer
        .iter()
        .filter(|(s, _)| *s > seq)
        .map(|(_, f)| f.clone())
        .collect();
    session.conn = Some(conn.id);
    frames.push(shared.dispatch_frame(session, "RESUMED", &json!("")));
    conn.session = Some(session_id.to_owned());
    Ok(frames)
}

async fn apply_fault(
    shared: &Shared,
    wire: &mut Wire<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>,
    conn: &mut Conn,
    fault: Fault,
) -> Result<(), End> {
    match fault {
        Fault::Drop => Err(End::Drop),
        Fault::StopAcks => {
            conn.acking = false;
            Ok(())
        }
        Fault::ResumeAcks => {
            conn.acking = true;
            Ok(())
        }
        Fault::Reconnect => send_all(wire, vec![json!({"op": 7}).to_string()]).await,
        Fault::InvalidSession { resumable } => {
            if !resumable {
                if let Some(id) = conn.session.take() {
                    shared.state().sessions.remove(&id);
                }
            }
            send_all(wire, vec![json!({"op": 9, "d": resumable}).to_string()]).await
        }
        Fault::Close { code, reason } => Err(End::Close(code, reason)),
        Fault::Delay(duration) => {
            tokio::time::sleep(duration).await;
            Ok(())
        }
        Fault::DuplicateLast => match conn.last_dispatch.clone() {
            Some(frame) => send_all(wire, vec![frame]).await,
            None => Ok(()),
        },
        Fault::RequestHeartbeat => {
            send_all(wire, vec![json!({"op": 1, "d": null}).to_string()]).await
        }
    }
}
