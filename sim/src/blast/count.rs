//! [`count`]: a client that only counts frames (headers read, payloads skipped), so a blast
//! against it measures the sender and the loopback socket, nothing else.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::ws;
use super::Platform;
use crate::error::{Error, ErrorKind};

/// What a count-only client saw.
#[derive(Debug, Clone, Copy)]
pub struct CountReport {
    /// Event frames counted (greeting frames not included).
    pub frames: usize,
    /// Bytes of the event frames (WebSocket headers included).
    pub bytes: usize,
    /// From the end of the greeting to the last frame.
    pub elapsed: Duration,
}

impl CountReport {
    /// Event frames per second.
    pub fn frames_per_sec(&self) -> f64 {
        self.frames as f64 / self.elapsed.as_secs_f64()
    }

    /// Megabytes (10^6) per second.
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }
}

fn failed(reason: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Blast {
            reason: reason.into(),
        },
        None,
    )
}

/// Connects to a [`BlastServer`](super::BlastServer) at `url` (`ws://host:port/path`), does
/// `platform`'s handshake, counts `expected` event frames, then closes.
///
/// # Errors
/// [`ErrorKind::Blast`] when the URL is not `ws://`, the connection or upgrade fails, or the
/// stream ends before `expected` frames.
pub async fn count(url: &str, platform: Platform, expected: usize) -> Result<CountReport, Error> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| failed(format!("not a ws:// URL: {url}")))?;
    let (host, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    let mut tcp = TcpStream::connect(host).await.map_err(|e| {
        Error::new(
            ErrorKind::Blast {
                reason: format!("connect {host}"),
            },
            Some(Box::new(e)),
        )
    })?;
    let _ = tcp.set_nodelay(true);
    let leftover = ws::connect(&mut tcp, host, path)
        .await
        .ok_or_else(|| failed("upgrade refused"))?;
    let greeting = match platform {
        Platform::Qq => {
            let mut identify = Vec::new();
            let text =
                br#"{"op":2,"d":{"token":"QQBot blast","intents":1073741824,"shard":[0,1]}}"#;
            ws::push_client_frame(&mut identify, ws::TEXT, text);
            tcp.write_all(&identify)
                .await
                .map_err(|_| failed("identify not written"))?;
            2
        }
        Platform::Bubble => 2,
        Platform::OneBot => 1,
    };
    let mut buf = vec![0u8; 1 << 20];
    buf[..leftover.len()].copy_from_slice(&leftover);
    let mut filled = leftover.len();
    // Payload bytes of the current frame still to skip.
    let mut skip = 0usize;
    let (mut seen, mut frames, mut bytes) = (0usize, 0usize, 0usize);
    let mut started = Instant::now();
    loop {
        let mut at = 0;
        while at < filled {
            if skip > 0 {
                let take = skip.min(filled - at);
                skip -= take;
                at += take;
                continue;
            }
            let Some(h) = ws::header(&buf[at..filled]) else {
                break;
            };
            at += h.len;
            skip = h.payload;
            if h.opcode != ws::TEXT {
                continue;
            }
            seen += 1;
            if seen == greeting {
                started = Instant::now();
            } else if seen > greeting {
                frames += 1;
                bytes += h.len + h.payload;
            }
        }
        if frames >= expected && skip == 0 {
            let elapsed = started.elapsed();
            let mut close = Vec::new();
            ws::push_client_frame(&mut close, ws::CLOSE, &1000u16.to_be_bytes());
            let _ = tcp.write_all(&close).await;
            return Ok(CountReport {
                frames,
                bytes,
                elapsed,
            });
        }
        // Keep a partial header for the next read.
        buf.copy_within(at..filled, 0);
        filled -= at;
        let n = tcp.read(&mut buf[filled..]).await.map_err(|e| {
            Error::new(
                ErrorKind::Blast {
                    reason: "read".into(),
                },
                Some(Box::new(e)),
            )
        })?;
        if n == 0 {
            return Err(failed(format!(
                "stream ended after {frames} of {expected} frames"
            )));
        }
        filled += n;
    }
}
