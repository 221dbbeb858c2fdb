//! A Bubble 429 that names neither `retryAfter` nor `Retry-After` but only
//! `X-RateLimit-Reset` (a Unix time in seconds, as limits.md shows it): the retry waits until
//! then, and a reset further off than the policy allows fails the call at once, as a
//! `Retry-After` that long does (decision 0076).
//!
//! A plain HTTP listener on 127.0.0.1 answers; no sleep synchronises anything. The one timed
//! assertion is a lower bound (the retry arrives no earlier than the reset), which a slow
//! machine cannot break.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use botgate_proto::bubble::api::SendMessage;
use botgate_transport::bubble::{RateBudget, Rest, RestConfig};
use botgate_transport::http::HttpClient;
use botgate_transport::{RetryPolicy, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Serves every request on 127.0.0.1: the first with a 429 carrying only
/// `X-RateLimit-Reset: <reset()>`, the others with a sent message. Returns the base URL and the
/// wall-clock arrival of each request.
async fn serve(reset: fn() -> u64) -> (String, Arc<Mutex<Vec<SystemTime>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let arrivals: Arc<Mutex<Vec<SystemTime>>> = Arc::default();
    let seen = Arc::clone(&arrivals);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let seen = Arc::clone(&seen);
            tokio::spawn(answer(sock, seen, reset));
        }
    });
    (base, arrivals)
}

/// Answers the requests of one connection (closing it after each answer).
async fn answer(mut sock: TcpStream, seen: Arc<Mutex<Vec<SystemTime>>>, reset: fn() -> u64) {
    if !read_request(&mut sock).await {
        return;
    }
    let first = {
        let mut seen = seen.lock().unwrap();
        seen.push(SystemTime::now());
        seen.len() == 1
    };
    let (status, headers, body) = if first {
        (
            "429 Too Many Requests",
            format!(
                "x-ratelimit-limit: 5\r\nx-ratelimit-remaining: 0\r\nx-ratelimit-reset: {}\r\n",
                reset()
            ),
            r#"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded"}}"#,
        )
    } else {
        (
            "200 OK",
            String::new(),
            r#"{"id":1,"channelId":1,"content":"x"}"#,
        )
    };
    let text = format!(
        "HTTP/1.1 {status}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(text.as_bytes()).await;
    let _ = sock.shutdown().await;
}

/// Reads one request (head and `content-length` body); `false` when the peer went away.
async fn read_request(sock: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + len {
                return true;
            }
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn client(base: String, max_retry_after: Duration) -> Rest {
    Rest::new(
        HttpClient::new().unwrap(),
        Secret::new("jwt"),
        RestConfig {
            base,
            budget: RateBudget::default(),
            retry: RetryPolicy {
                max_retries: 3,
                // Ignoring the header would retry after a few milliseconds.
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
                max_retry_after,
            },
        },
    )
}

/// The retry comes no earlier than the reset time the 429 named (two seconds on).
#[tokio::test]
async fn a_429_with_only_a_reset_time_is_retried_once_it_is_reached() {
    fn reset() -> u64 {
        now_secs() + 2
    }
    let (base, arrivals) = serve(reset).await;
    let sent = client(base, Duration::from_secs(5))
        .send_channel(1, &SendMessage::text("x"))
        .await
        .unwrap();
    assert_eq!(sent.id, Some(1));
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2);
    // The reset the first answer named: the second after the one it arrived in, plus two.
    let first_second = arrivals[0].duration_since(UNIX_EPOCH).unwrap().as_secs();
    let reset_at = UNIX_EPOCH + Duration::from_secs(first_second + 2);
    assert!(
        arrivals[1] >= reset_at,
        "retried {:?} before the reset",
        reset_at.duration_since(arrivals[1]).unwrap_or_default()
    );
}

/// A reset an hour off is a wait beyond what the call may wait: it fails at once, with the
/// wait reported, as for a `Retry-After` of an hour.
#[tokio::test]
async fn a_reset_beyond_the_wait_limit_fails_the_call_at_once() {
    fn reset() -> u64 {
        now_secs() + 3600
    }
    let (base, arrivals) = serve(reset).await;
    let err = client(base, Duration::from_secs(5))
        .send_channel(1, &SendMessage::text("x"))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status, api.attempts), (429, 1));
    let wait = api.retry_after.expect("the reset read as a wait");
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert_eq!(arrivals.lock().unwrap().len(), 1);
}
