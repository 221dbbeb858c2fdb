//! Requests from workers to the gateway that holds a socket, and their answers: what a worker
//! needs when a reply must go out over that socket (OneBot actions).
//!
//! Each gateway has a request list `<prefix>:actions:<gateway>`; a worker `RPUSH`es
//! `{"r": <its answer list>, "e": <echo>, "b": <body>}` and the gateway, which `BLPOP`s its list
//! ([`ActionQueue::next`]), does what the body says and `RPUSH`es `{"e", "b"}` to the worker's
//! answer list `<prefix>:answers:<worker>` ([`ActionQueue::answer`]). One task per worker
//! ([`ActionRelay`]) pops its answer list and hands each answer to the call waiting on its
//! echo. Lists, not pub/sub: a request waits for a gateway that is reconnecting to Redis.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Client};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::error::Error;

/// How long one `BLPOP` waits before it is issued again (bounds how late a stop is seen).
const POLL: f64 = 1.0;
/// Answers nobody popped (their worker died) expire.
const ANSWER_TTL_MS: i64 = 60_000;

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>;

fn requests_key(prefix: &str, gateway: &str) -> String {
    format!("{prefix}:actions:{gateway}")
}

/// The shared connection, and one for `BLPOP` (which holds its connection while it waits: a
/// connection of its own, not the shared one). Both are managers: after Redis restarts, or
/// drops the connection, the next command connects again. A plain connection failed every
/// `BLPOP` from then on, and the relay was dead until the process restarted.
async fn connect(url: &str) -> Result<(ConnectionManager, ConnectionManager), Error> {
    let client = Client::open(url).map_err(Error::Url)?;
    let conn = crate::conn::manager(client.clone()).await?;
    let blocking = crate::conn::manager(client).await?;
    Ok((conn, blocking))
}

/// A prefix for this relay's echoes that no earlier process under the same worker name used:
/// answers to a predecessor's calls (its answer list outlives it by `ANSWER_TTL_MS`) then
/// match no call of ours. Echoes counted from 0 in each process matched them.
fn echo_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}.{:x}", std::process::id(), nanos)
}

/// A worker's side: sends requests to gateways and waits for their answers.
pub struct ActionRelay {
    conn: ConnectionManager,
    prefix: String,
    answers: String,
    /// See [`echo_prefix`].
    echo_prefix: String,
    next: AtomicU64,
    waiting: Waiting,
    reader: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for ActionRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionRelay")
            .field("answers", &self.answers)
            .finish_non_exhaustive()
    }
}

impl Drop for ActionRelay {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl ActionRelay {
    /// The relay of worker `worker` (unique per process) under key prefix `prefix`.
    ///
    /// # Errors
    /// [`Error::Url`] or [`Error::Redis`] (cannot connect).
    pub async fn connect(url: &str, prefix: &str, worker: &str) -> Result<Self, Error> {
        let (conn, blocking) = connect(url).await?;
        let answers = format!("{prefix}:answers:{worker}");
        let waiting = Waiting::default();
        let reader = tokio::spawn(read_answers(
            blocking,
            answers.clone(),
            Arc::clone(&waiting),
        ));
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            answers,
            echo_prefix: echo_prefix(),
            next: AtomicU64::new(0),
            waiting,
            reader,
        })
    }

    /// Sends `body` to gateway `gateway` and waits up to `timeout` for its answer.
    ///
    /// # Errors
    /// [`Error::Redis`] when the request cannot be queued; [`Error::Timeout`] when no answer
    /// came in time (the gateway is gone, or the request is still queued for it).
    pub async fn call(
        &self,
        gateway: &str,
        body: Value,
        timeout: Duration,
    ) -> Result<Value, Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let echo = format!("{}.{n}", self.echo_prefix);
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(echo.clone(), tx);
        let request = json!({"r": self.answers, "e": echo, "b": body}).to_string();
        let mut conn = self.conn.clone();
        let pushed: Result<i64, _> = conn
            .rpush(requests_key(&self.prefix, gateway), request)
            .await;
        let answer = match pushed {
            Ok(_) => tokio::time::timeout(timeout, rx).await,
            Err(e) => {
                self.forget(&echo);
                return Err(Error::Redis {
                    op: "queue a request for the gateway",
                    source: e,
                });
            }
        };
        self.forget(&echo);
        match answer {
            Ok(Ok(value)) => Ok(value),
            _ => Err(Error::Timeout {
                op: "gateway answer",
                after: timeout,
            }),
        }
    }

    fn forget(&self, echo: &str) {
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(echo);
    }
}

/// Pops the worker's answer list for as long as the relay lives.
async fn read_answers(mut conn: ConnectionManager, key: String, waiting: Waiting) {
    loop {
        let popped: redis::RedisResult<Option<(String, Vec<u8>)>> = conn.blpop(&key, POLL).await;
        match popped {
            Ok(Some((_, bytes))) => {
                let Ok(answer) = serde_json::from_slice::<Value>(&bytes) else {
                    tracing::warn!(key, "an answer that botgate did not write; dropped");
                    continue;
                };
                let echo = answer["e"].as_str().unwrap_or_default().to_owned();
                let tx = waiting
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&echo);
                match tx {
                    Some(tx) => {
                        let _ = tx.send(answer["b"].clone());
                    }
                    None => tracing::debug!(echo, "an answer nobody waits for (timed out)"),
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "reading gateway answers failed; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// One request a gateway popped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ActionRequest {
    /// What the worker asks (for OneBot: `{"action", "params"}`).
    pub body: Value,
    reply_to: String,
    echo: Value,
}

/// A gateway's side: its request list, and the answers it sends back.
pub struct ActionQueue {
    blocking: ConnectionManager,
    conn: ConnectionManager,
    key: String,
}

impl fmt::Debug for ActionQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionQueue")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ActionQueue {
    /// The request list of gateway `gateway` under key prefix `prefix`.
    ///
    /// # Errors
    /// [`Error::Url`] or [`Error::Redis`] (cannot connect).
    pub async fn connect(url: &str, prefix: &str, gateway: &str) -> Result<Self, Error> {
        let (conn, blocking) = connect(url).await?;
        Ok(Self {
            blocking,
            conn,
            key: requests_key(prefix, gateway),
        })
    }

    /// The next request, waiting up to about a second (`None`: none came; call again).
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached.
    pub async fn next(&self) -> Result<Option<ActionRequest>, Error> {
        let mut blocking = self.blocking.clone();
        let popped: Option<(String, Vec<u8>)> = blocking
            .blpop(&self.key, POLL)
            .await
            .map_err(Error::redis("read requests"))?;
        let Some((_, bytes)) = popped else {
            return Ok(None);
        };
        let mut request: Value =
            serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
                op: "read requests",
                source,
            })?;
        Ok(Some(ActionRequest {
            body: request["b"].take(),
            reply_to: request["r"].as_str().unwrap_or_default().to_owned(),
            echo: request["e"].take(),
        }))
    }

    /// Sends `answer` back to the worker that asked `request`.
    ///
    /// # Errors
    /// [`Error::Redis`] when Redis cannot be reached (the worker's call then times out).
    pub async fn answer(&self, request: &ActionRequest, answer: Value) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let message = json!({"e": request.echo, "b": answer}).to_string();
        redis::pipe()
            .rpush(&request.reply_to, message)
            .ignore()
            .pexpire(&request.reply_to, ANSWER_TTL_MS)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(Error::redis("answer a worker"))
    }
}
