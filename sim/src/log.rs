//! [`Log`]: everything a sim saw and did, in wire order, with async waits for tests
//! (`wait_for` resolves when a matching record exists: no sleeps needed).

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::Notify;

/// One thing that happened in a sim.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A WebSocket connection was opened (`conn` numbers connections from 1).
    Connected {
        /// Connection number.
        conn: u64,
    },
    /// An upgrade (or, for the reverse client, a connect) was refused with an HTTP status.
    Rejected {
        /// Request path.
        path: String,
        /// HTTP status.
        status: u16,
    },
    /// A frame from the client. Text that is not JSON is kept as a JSON string.
    Received {
        /// Connection number.
        conn: u64,
        /// The frame.
        frame: Value,
    },
    /// A frame the sim wrote to the client.
    Sent {
        /// Connection number.
        conn: u64,
        /// The frame.
        frame: Value,
    },
    /// The sim closed the connection with a close frame.
    Closed {
        /// Connection number.
        conn: u64,
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// The sim dropped the TCP connection without a close frame (fault).
    Dropped {
        /// Connection number.
        conn: u64,
    },
    /// A WebSocket ping from the client (answered with a pong by the WebSocket layer while
    /// the connection reads: not during a `Delay` stall).
    Pinged {
        /// Connection number.
        conn: u64,
    },
    /// The client closed or went away.
    Disconnected {
        /// Connection number.
        conn: u64,
        /// The client's close code, if it sent one.
        code: Option<u16>,
    },
    /// A plain HTTP request was answered.
    Http {
        /// Method.
        method: String,
        /// Path (without the query).
        path: String,
        /// Status answered.
        status: u16,
        /// The JSON body of the request, if any (a `clientSecret` in it reads `"***"`).
        body: Option<Value>,
        /// The query string, if any.
        query: Option<String>,
        /// Request headers (lower-case names, arrival order), `Authorization` included: it
        /// only ever carries credentials the sim issued or was configured with.
        headers: Vec<(String, String)>,
        /// When the request arrived.
        at: std::time::Instant,
    },
}

impl Record {
    /// The frame of a `Received` record.
    pub fn received(&self) -> Option<&Value> {
        match self {
            Self::Received { frame, .. } => Some(frame),
            _ => None,
        }
    }

    /// A request header of an `Http` record (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        match self {
            Self::Http { headers, .. } => headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// `(method, path)` of an `Http` record.
    pub fn http(&self) -> Option<(&str, &str)> {
        match self {
            Self::Http { method, path, .. } => Some((method, path)),
            _ => None,
        }
    }

    /// The frame of a `Sent` record.
    pub fn sent(&self) -> Option<&Value> {
        match self {
            Self::Sent { frame, .. } => Some(frame),
            _ => None,
        }
    }
}

/// The shared, append-only record of a sim. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Log {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    records: Mutex<Vec<Record>>,
    changed: Notify,
}

/// What a record is, without its payloads (Identify / Resume frames and `Authorization`
/// headers hold secrets).
fn summary(record: &Record) -> String {
    let frame_kind = |f: &Value| {
        format!(
            "op={} t={} action={}",
            f.get("op").unwrap_or(&Value::Null),
            f.get("t").unwrap_or(&Value::Null),
            f.get("action").unwrap_or(&Value::Null)
        )
    };
    match record {
        Record::Connected { conn } => format!("connected conn={conn}"),
        Record::Rejected { path, status } => format!("rejected {path} {status}"),
        Record::Received { conn, frame } => format!("received conn={conn} {}", frame_kind(frame)),
        Record::Sent { conn, frame } => format!("sent conn={conn} {}", frame_kind(frame)),
        Record::Closed { conn, code, .. } => format!("closed conn={conn} code={code}"),
        Record::Dropped { conn } => format!("dropped conn={conn}"),
        Record::Pinged { conn } => format!("pinged conn={conn}"),
        Record::Disconnected { conn, code } => format!("disconnected conn={conn} code={code:?}"),
        Record::Http {
            method,
            path,
            status,
            ..
        } => format!("http {method} {path} {status}"),
        #[allow(unreachable_patterns)]
        _ => "record".to_owned(),
    }
}

impl Log {
    fn lock(&self) -> MutexGuard<'_, Vec<Record>> {
        // A panic while holding the lock cannot leave a Vec half-pushed: keep going.
        self.inner
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn push(&self, record: Record) {
        // A summary, never the frames or headers themselves: they carry tokens.
        tracing::trace!(record = %summary(&record), "sim");
        self.lock().push(record);
        self.inner.changed.notify_waiters();
    }

    /// A copy of every record so far.
    pub fn snapshot(&self) -> Vec<Record> {
        self.lock().clone()
    }

    /// Number of records so far.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing happened yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Resolves with `f(records)` as soon as it returns `Some` (checked now and after every
    /// new record). Wrap in `tokio::time::timeout` in tests.
    pub async fn wait_until<T>(&self, mut f: impl FnMut(&[Record]) -> Option<T>) -> T {
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(value) = f(&self.lock()) {
                return value;
            }
            notified.await;
        }
    }

    /// Resolves with the first record (from the start) for which `f` returns `Some`.
    pub async fn wait_for<T>(&self, mut f: impl FnMut(&Record) -> Option<T>) -> T {
        self.wait_until(|records| records.iter().find_map(&mut f))
            .await
    }

    /// Resolves once at least `n` records satisfy `pred`; returns them.
    pub async fn wait_count(&self, n: usize, pred: impl Fn(&Record) -> bool) -> Vec<Record> {
        self.wait_until(|records| {
            let hits: Vec<Record> = records.iter().filter(|r| pred(r)).cloned().collect();
            (hits.len() >= n).then_some(hits)
        })
        .await
    }

    /// Every `Http` record whose method is `method` and whose path starts with `prefix`.
    pub fn http(&self, method: &str, prefix: &str) -> Vec<Record> {
        self.lock()
            .iter()
            .filter(|r| {
                r.http()
                    .is_some_and(|(m, p)| m == method && p.starts_with(prefix))
            })
            .cloned()
            .collect()
    }

    /// Every frame received from clients.
    pub fn received(&self) -> Vec<Value> {
        self.lock()
            .iter()
            .filter_map(Record::received)
            .cloned()
            .collect()
    }

    /// Every frame sent to clients.
    pub fn sent(&self) -> Vec<Value> {
        self.lock()
            .iter()
            .filter_map(Record::sent)
            .cloned()
            .collect()
    }
}

/// `frame["op"]` as an integer.
pub fn op(frame: &Value) -> Option<u64> {
    frame.get("op").and_then(Value::as_u64)
}

/// `frame["t"]` as a string.
pub fn event_type(frame: &Value) -> Option<&str> {
    frame.get("t").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn wait_for_sees_records_pushed_later() {
        let log = Log::default();
        let waiter = {
            let log = log.clone();
            tokio::spawn(async move {
                log.wait_for(|r| match r {
                    Record::Sent { frame, .. } if op(frame) == Some(11) => Some(frame.clone()),
                    _ => None,
                })
                .await
            })
        };
        log.push(Record::Connected { conn: 1 });
        log.push(Record::Sent {
            conn: 1,
            frame: json!({"op": 11}),
        });
        assert_eq!(waiter.await.unwrap(), json!({"op": 11}));
        assert_eq!(log.len(), 2);
        assert_eq!(log.sent(), vec![json!({"op": 11})]);
    }
}
