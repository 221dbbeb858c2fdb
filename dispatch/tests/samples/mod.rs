//! The sample frames of `testdata/` as dispatcher inputs, and small helpers shared by the
//! `unified_*` tests.
#![allow(dead_code, clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::{Arc, Mutex};

use botgate_codec::onebot::{Incoming, RawEvent};
use botgate_codec::Frame;
use botgate_dispatch::{Dispatcher, Disposition, Platform};

/// A log shared between handlers and the test.
pub type Log<T> = Arc<Mutex<Vec<T>>>;

/// The non-empty lines of `testdata/<file>`.
pub fn lines(file: &str) -> Vec<String> {
    let path = format!("{}/../testdata/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every frame of `testdata/qq/frames.jsonl` (hello, heartbeat acks and reconnects included).
pub fn qq_frames() -> Vec<Frame> {
    lines("qq/frames.jsonl")
        .into_iter()
        .map(|l| Frame::scan(l.into_bytes()).unwrap())
        .collect()
}

/// Every frame of `testdata/bubble/frames.jsonl`.
pub fn bubble_frames() -> Vec<Frame> {
    lines("bubble/frames.jsonl")
        .into_iter()
        .map(|l| Frame::scan(l.into_bytes()).unwrap())
        .collect()
}

/// Every event of `testdata/onebot/events.jsonl` (action responses left out).
pub fn onebot_events() -> Vec<RawEvent> {
    lines("onebot/events.jsonl")
        .into_iter()
        .filter_map(|l| match Incoming::classify(l.into_bytes()).unwrap() {
            Incoming::Event(raw) => Some(raw),
            _ => None,
        })
        .collect()
}

/// A frame from its JSON text.
pub fn frame(json: &str) -> Frame {
    Frame::scan(json.as_bytes().to_vec()).unwrap()
}

/// A OneBot event from its JSON text.
pub fn onebot_event(json: &str) -> RawEvent {
    match Incoming::classify(json.as_bytes().to_vec()).unwrap() {
        Incoming::Event(raw) => raw,
        _ => panic!("not an event: {json}"),
    }
}

/// Dispatches every input in order, waits for the handlers, returns the dispositions.
pub async fn feed<P: Platform>(d: &Dispatcher<P>, inputs: Vec<P::Input>) -> Vec<Disposition> {
    let mut out = Vec::new();
    for input in inputs {
        out.push(d.dispatch(input).await);
    }
    d.idle().await;
    out
}

/// How many of `dispositions` are `which`.
pub fn count(dispositions: &[Disposition], which: Disposition) -> usize {
    dispositions.iter().filter(|d| **d == which).count()
}

/// A Bubble group message (2026-03 format), as in `codec/tests/unify_table.rs`: the sample
/// file has none.
pub const BUBBLE_GROUP_MESSAGE: &str = r#"{"op":0,"s":3,"t":"GROUP_MESSAGE_CREATE","d":{"id":3001,"groupId":77,"threadId":88,"authorId":5,"author":"eve","content":"/天气 北京","type":"text","replyToId":2999,"createdAt":"2026-03-10T12:00:00Z"}}"#;
