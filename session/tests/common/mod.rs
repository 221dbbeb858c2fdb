//! Helpers shared by the session tests: drain a machine, read what it sent.
#![allow(dead_code)]

use std::time::Instant;

use botgate_session::{Outgoing, SessionEvent, SessionMachine};
use bytes::Bytes;
use serde_json::Value;

pub fn tx<M: SessionMachine>(m: &mut M) -> Vec<Outgoing> {
    std::iter::from_fn(|| m.poll_transmit()).collect()
}

pub fn events<M: SessionMachine>(m: &mut M) -> Vec<SessionEvent> {
    std::iter::from_fn(|| m.poll_event()).collect()
}

/// The JSON of every text frame sent (closes skipped).
pub fn sent_json<M: SessionMachine>(m: &mut M) -> Vec<Value> {
    tx(m)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::Text(t) => Some(serde_json::from_str(&t).unwrap()),
            _ => None,
        })
        .collect()
}

pub fn ops(v: &[Value]) -> Vec<u64> {
    v.iter().map(|x| x["op"].as_u64().unwrap()).collect()
}

pub fn frame(m: &mut impl SessionMachine, now: Instant, json: &str) {
    m.handle_frame(now, Bytes::copy_from_slice(json.as_bytes()));
}

/// Seqs of the dispatches among `events`.
pub fn dispatch_seqs(ev: &[SessionEvent]) -> Vec<u64> {
    ev.iter()
        .filter_map(|e| match e {
            SessionEvent::Dispatch(f) => f.seq(),
            _ => None,
        })
        .collect()
}

pub fn close_code(o: &[Outgoing]) -> Option<u16> {
    o.iter().find_map(|x| match x {
        Outgoing::Close { code, .. } => Some(*code),
        _ => None,
    })
}
