//! Helpers of the driver tests: a consumer task that records what the driver delivers and
//! publishes its progress (tests await it, never sleep), and waits on the sim's log.
#![allow(dead_code)]

use botgate_session::{ErrorKind, SessionEvent};
use botgate_sim::{Log, Record};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Every wait is bounded: a hang is a failure, not a pass.
pub use botgate_testkit::within;

/// What the consumer has seen so far.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// `Dispatch` (QQ / Bubble) or non-meta `Event` (OneBot) count.
    pub delivered: usize,
    /// `Ready` count.
    pub readies: usize,
    /// `Resumed` count.
    pub resumes: usize,
    /// `Reconnecting` count.
    pub reconnects: usize,
    /// `Subscriptions` count (Bubble).
    pub subscriptions: usize,
    /// The kinds of `Fatal` errors seen.
    pub fatal: Vec<ErrorKind>,
    /// `Stopped` seen.
    pub stopped: bool,
}

/// What the consumer collected by the time the channel closed.
#[derive(Debug, Default)]
pub struct Collected {
    /// `(t, id)` of every dispatch / event, in delivery order.
    pub keys: Vec<(String, String)>,
    /// The final progress.
    pub progress: Progress,
}

/// `(t, id)` of a QQ / Bubble dispatch frame (`d.id` as text).
pub fn frame_key(frame: &botgate_codec::Frame) -> (String, String) {
    let d: Value = frame
        .data()
        .map(|d| serde_json::from_slice(d).unwrap())
        .unwrap_or(Value::Null);
    (
        frame.event_type().unwrap_or_default().to_owned(),
        id_text(&d["id"]),
    )
}

/// `(message_type, message_id)` of a OneBot event; `None` for meta events.
pub fn onebot_key(bytes: &[u8]) -> Option<(String, String)> {
    let v: Value = serde_json::from_slice(bytes).unwrap();
    if v["post_type"] == "meta_event" {
        return None;
    }
    Some((
        v["message_type"].as_str().unwrap_or_default().to_owned(),
        id_text(&v["message_id"]),
    ))
}

pub fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Spawns the consumer: reads every event, records keys, publishes progress.
pub fn consume(
    mut events: botgate_session::driver::EventReceiver<SessionEvent>,
) -> (watch::Receiver<Progress>, JoinHandle<Collected>) {
    let (tx, rx) = watch::channel(Progress::default());
    let task = tokio::spawn(async move {
        let mut out = Collected::default();
        while let Some(event) = events.recv().await {
            let mut p = out.progress.clone();
            match event {
                // Bubble control frames pass through to handlers; they are not scripted events
                SessionEvent::Dispatch(frame) if is_control(&frame) => {}
                SessionEvent::Dispatch(frame) => {
                    out.keys.push(frame_key(&frame));
                    p.delivered += 1;
                }
                SessionEvent::Event(bytes) => {
                    if let Some(key) = onebot_key(&bytes) {
                        out.keys.push(key);
                        p.delivered += 1;
                    }
                }
                SessionEvent::Ready(_) => p.readies += 1,
                SessionEvent::Resumed { .. } => p.resumes += 1,
                SessionEvent::Reconnecting { .. } => p.reconnects += 1,
                SessionEvent::Subscriptions { .. } => p.subscriptions += 1,
                SessionEvent::Fatal(e) => p.fatal.push(e.kind().clone()),
                SessionEvent::Stopped => p.stopped = true,
                _ => {}
            }
            out.progress = p.clone();
            tx.send_replace(p);
        }
        out
    });
    (rx, task)
}

/// Awaits progress satisfying `pred`.
pub async fn progress(
    rx: &mut watch::Receiver<Progress>,
    what: &str,
    pred: impl FnMut(&Progress) -> bool,
) -> Progress {
    within(what, rx.wait_for(pred)).await.unwrap().clone()
}

/// The highest connection number the sim has opened so far.
pub fn last_conn(log: &Log) -> u64 {
    log.snapshot()
        .iter()
        .filter_map(|r| match r {
            Record::Connected { conn } => Some(*conn),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Waits until the sim sent, on a connection newer than `after`, a frame that says the client
/// is back: a dispatch whose `t` is one of `types` (resumed, or a fresh session ready /
/// subscribed), or with `None` anything at all. Only records from index `from` on count.
pub async fn back(log: &Log, from: usize, after: u64, types: Option<&[&str]>) {
    within(
        "the client to come back",
        log.wait_until(|records| {
            records.get(from..)?.iter().find_map(|r| match r {
                Record::Sent { conn, frame }
                    if *conn > after
                        && types.is_none_or(|types| {
                            frame["t"].as_str().is_some_and(|t| types.contains(&t))
                        }) =>
                {
                    Some(())
                }
                _ => None,
            })
        }),
    )
    .await;
}

/// Injects a fault (`inject` returns how many connections it hit) into the client's live
/// connection; when the client is between connections it first waits for it to come back, so
/// every scheduled fault really happens. With `reconnects`, waits until the client is back
/// after the fault too (nothing is pushed while a session is being replaced).
pub async fn fault_and_wait(
    log: &Log,
    types: Option<&[&str]>,
    reconnects: bool,
    inject: impl Fn() -> usize,
) {
    loop {
        let from = log.len();
        let conn = last_conn(log);
        if inject() > 0 {
            if reconnects {
                back(log, from, conn, types).await;
            }
            return;
        }
        back(log, from, conn, types).await;
    }
}

/// `(t, d.id)` of every dispatch the sim wrote (op 0, excluding `skip` types), first
/// occurrence only, in wire order.
pub fn sent_keys_first(sent: &[Value], skip: &[&str]) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::new();
    sent.iter()
        .filter(|f| f["op"] == 0)
        .filter(|f| !skip.contains(&f["t"].as_str().unwrap_or_default()))
        .map(|f| (f["t"].as_str().unwrap().to_owned(), id_text(&f["d"]["id"])))
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

/// Bubble's subscription / error frames, which the session also passes on as dispatches.
pub fn is_control(frame: &botgate_codec::Frame) -> bool {
    matches!(
        frame.event_type(),
        Some("EVENTS_SUBSCRIBED" | "EVENTS_UNSUBSCRIBED" | "SUBSCRIBE_DENIED" | "ERROR")
    )
}
