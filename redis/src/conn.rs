//! A blocking connection for the synchronous traits (`SessionStore`, `IdentifyQueue`): opened
//! on first use, reopened once after a connection-level error, with bounded waits.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection, RedisResult};

use crate::error::Error;

/// How long a connect, a read or a write may take.
const IO_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest an async command waits for its answer: above the longest blocking read a
/// command here makes (`EventStream`'s `block` is capped at [`MAX_BLOCK`]).
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest `XREADGROUP BLOCK` a worker may ask for (below [`RESPONSE_TIMEOUT`]).
pub(crate) const MAX_BLOCK: Duration = Duration::from_secs(20);

pub(crate) struct SyncConn {
    client: Client,
    conn: Mutex<Option<Connection>>,
}

impl fmt::Debug for SyncConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client's connection info may hold a password: show only where it goes.
        let info = self.client.get_connection_info();
        f.debug_struct("SyncConn")
            .field("addr", &info.addr.to_string())
            .finish_non_exhaustive()
    }
}

impl SyncConn {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            conn: Mutex::new(None),
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    fn open(&self) -> RedisResult<Connection> {
        let conn = self.client.get_connection_with_timeout(IO_TIMEOUT)?;
        conn.set_read_timeout(Some(IO_TIMEOUT))?;
        conn.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(conn)
    }

    /// Runs `f` on the connection; after a connection-level error the connection is dropped
    /// and `f` runs once more on a new one (a Redis restart costs one retry, not an error).
    pub(crate) fn run<T>(
        &self,
        op: &'static str,
        f: impl Fn(&mut Connection) -> RedisResult<T>,
    ) -> Result<T, Error> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut last = None;
        for _ in 0..2 {
            let conn = match slot.as_mut() {
                Some(conn) => conn,
                None => match self.open() {
                    Ok(conn) => slot.insert(conn),
                    Err(e) => {
                        last = Some(e);
                        continue;
                    }
                },
            };
            match f(conn) {
                Ok(v) => return Ok(v),
                Err(e) if is_connection_error(&e) => {
                    *slot = None;
                    last = Some(e);
                }
                Err(e) => return Err(Error::Redis { op, source: e }),
            }
        }
        Err(match last {
            Some(source) => Error::Redis { op, source },
            None => Error::Redis {
                op,
                source: redis::RedisError::from((redis::ErrorKind::IoError, "no connection")),
            },
        })
    }
}

pub(crate) fn is_connection_error(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

/// An async connection manager with bounded connects: each attempt gives up after
/// [`IO_TIMEOUT`], and a connect is retried 3 times, 1 s then 2 s apart (the client's retry
/// builder starts at 1 s and multiplies each delay by `factor`). The client's defaults
/// (`factor` 100, no cap below a minute) retried for about 8 minutes without a word on a wrong
/// port or a refused password, and the process could not be stopped meanwhile.
///
/// A Redis that vanishes without closing the connection (a failover to another address, a
/// frozen VM, a partition) leaves a blocking read (`XREADGROUP BLOCK`, `BLPOP`) waiting for
/// good: nothing unacknowledged is outstanding, so the socket reports no error. TCP
/// keepalive probes (after 5 s idle, 1 s apart, the socket failing once they go unanswered
/// for 10 s) end such a connection, and the manager connects again; every answer is also
/// bounded by [`RESPONSE_TIMEOUT`], longer than any blocking command here waits.
pub(crate) async fn manager(client: Client) -> Result<redis::aio::ConnectionManager, Error> {
    use redis::io::tcp::{socket2::TcpKeepalive, TcpSettings};
    let keepalive = TcpKeepalive::new()
        .with_time(Duration::from_secs(5))
        .with_interval(Duration::from_secs(1));
    let tcp = TcpSettings::default().set_keepalive(keepalive);
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    let tcp = tcp.set_user_timeout(Duration::from_secs(10));
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(IO_TIMEOUT)
        .set_response_timeout(RESPONSE_TIMEOUT)
        .set_tcp_settings(tcp)
        .set_number_of_retries(3)
        .set_factor(2)
        .set_max_delay(2_000);
    redis::aio::ConnectionManager::new_with_config(client, config)
        .await
        .map_err(Error::redis("connect"))
}
