//! The Redis the tests run against: its URL and key prefixes come from `botgate-testkit`
//! (`BOTGATE_TEST_REDIS`; skipped locally without it, failing in CI); here only what needs a
//! Redis client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub use botgate_testkit::redis::{redis_url, unique_prefix};

/// A stream key of this test run's own (`<unique prefix>:events`), named after `tag`.
pub fn events_key(tag: &str) -> String {
    format!("{}:events", unique_prefix(tag))
}

/// A plain connection, for looking at (or tampering with) what the backends wrote.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

/// A loopback TCP proxy to the Redis at `url`: [`Cutter::cut_for`] closes every connection
/// made through it and refuses new ones for a while (a Redis restart), then lets them through
/// again. Returns the URL to connect through.
pub async fn cutting_proxy(url: &str) -> (String, Cutter) {
    let info = redis::Client::open(url)
        .unwrap()
        .get_connection_info()
        .clone();
    let redis::ConnectionAddr::Tcp(host, port) = info.addr else {
        panic!("a TCP Redis URL")
    };
    let target = format!("{host}:{port}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap();
    let (cut, _) = tokio::sync::broadcast::channel::<()>(1);
    let down_until = std::sync::Arc::new(std::sync::Mutex::new(None::<tokio::time::Instant>));
    let cutter = Cutter {
        cut: cut.clone(),
        down_until: std::sync::Arc::clone(&down_until),
    };
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let down = down_until
                .lock()
                .unwrap()
                .is_some_and(|until| tokio::time::Instant::now() < until);
            if down {
                drop(client);
                continue;
            }
            let mut cut = cut.subscribe();
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = cut.recv() => {}
                }
            });
        }
    });
    let db = info.redis.db;
    (format!("redis://{local}/{db}"), cutter)
}

/// See [`cutting_proxy`].
pub struct Cutter {
    cut: tokio::sync::broadcast::Sender<()>,
    down_until: std::sync::Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl Cutter {
    /// Closes every connection made through the proxy so far and refuses new ones for `down`.
    pub fn cut_for(&self, down: std::time::Duration) {
        *self.down_until.lock().unwrap() = Some(tokio::time::Instant::now() + down);
        let _ = self.cut.send(());
    }
}
