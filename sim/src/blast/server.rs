//! [`BlastServer`]: accepts clients, greets them as the platform would, then writes the blast.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, Mutex};

use super::frames;
use super::ws::{self, FrameReader};
use super::{Blast, Platform};
use crate::error::{Error, ErrorKind};

/// Bytes per write while flooding: big enough that a syscall moves hundreds of frames.
const BATCH: usize = 256 << 10;

/// How a [`BlastServer`] runs.
#[derive(Debug, Clone)]
pub struct BlastConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (default 0: any free port).
    pub port: u16,
    /// `None` (default): write as fast as the client reads, in batches of 256 KiB. `Some(r)`:
    /// write one frame every `1 / r` s and record when each was written ([`BlastRun::stamps`]).
    /// The sender spins between frames (with `yield_now`: it keeps its thread busy, so give a
    /// paced server a runtime and a core of its own).
    pub pace: Option<u32>,
    /// `SO_SNDBUF` of the listening socket, which every accepted connection inherits. `None`
    /// (default): the kernel's autotuning. On loopback it decides whose thread sends the
    /// data: with a large send queue, the client's acknowledgements release queued segments
    /// and the kernel transmits them in the client's time (the softirq of its `recv`); with a
    /// small one (64 KiB) the sender's own writes transmit, in the sender's time, as a remote
    /// server's would. BENCHMARKS.md measures both.
    pub send_buffer: Option<u32>,
}

impl Default for BlastConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            pace: None,
            send_buffer: None,
        }
    }
}

/// One client's blast, once every frame was written.
#[derive(Debug, Clone)]
pub struct BlastRun {
    /// The connection's number (1 for the first client).
    pub conn: u64,
    /// Event frames written.
    pub frames: usize,
    /// Bytes written (WebSocket headers included).
    pub bytes: usize,
    /// Just before the first event frame was written.
    pub started: Instant,
    /// Just after the last one was.
    pub finished: Instant,
    /// Paced runs: when each frame was handed to the socket (just before its write).
    pub stamps: Vec<Instant>,
}

impl BlastRun {
    /// Event frames per second written.
    pub fn frames_per_sec(&self) -> f64 {
        self.frames as f64 / self.finished.duration_since(self.started).as_secs_f64()
    }
}

/// Serves a [`Blast`] to every client that connects, until dropped.
#[derive(Debug)]
pub struct BlastServer {
    addr: SocketAddr,
    runs: Mutex<mpsc::UnboundedReceiver<BlastRun>>,
    accept: tokio::task::JoinHandle<()>,
}

impl BlastServer {
    /// Binds and starts accepting.
    ///
    /// # Errors
    /// [`ErrorKind::Bind`] when the address cannot be bound.
    pub async fn start(blast: Arc<Blast>, config: BlastConfig) -> Result<Self, Error> {
        let addr = SocketAddr::new(config.host, config.port);
        let bind_error = |e: std::io::Error| {
            Error::new(
                ErrorKind::Bind {
                    addr: addr.to_string(),
                },
                Some(Box::new(e)),
            )
        };
        let listener = listen(addr, config.send_buffer).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let accept = tokio::spawn(async move {
            let mut conn = 0;
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                conn += 1;
                let _ = tcp.set_nodelay(true);
                let (blast, tx, pace) = (Arc::clone(&blast), tx.clone(), config.pace);
                tokio::spawn(async move {
                    if let Some(run) = serve(tcp, conn, &blast, pace).await {
                        let _ = tx.send(run);
                    }
                });
            }
        });
        Ok(Self {
            addr,
            runs: Mutex::new(rx),
            accept,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://<addr>/websocket` (any path is accepted).
    pub fn url(&self) -> String {
        format!("ws://{}/websocket", self.addr)
    }

    /// The next finished blast (in finishing order).
    pub async fn next_run(&self) -> Option<BlastRun> {
        self.runs.lock().await.recv().await
    }
}

impl Drop for BlastServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A listener on `addr` whose accepted connections get `send_buffer` as their `SO_SNDBUF`.
fn listen(addr: SocketAddr, send_buffer: Option<u32>) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    if let Some(bytes) = send_buffer {
        socket.set_send_buffer_size(bytes)?;
    }
    socket.bind(addr)?;
    socket.listen(1024)
}

/// One client: upgrade, greeting, blast, then answers until the client leaves.
async fn serve(
    mut tcp: TcpStream,
    conn: u64,
    blast: &Blast,
    pace: Option<u32>,
) -> Option<BlastRun> {
    let leftover = ws::accept(&mut tcp).await?;
    let mut reader = FrameReader::with(leftover);
    let platform = blast.platform();
    let mut greeting = Vec::new();
    match platform {
        Platform::Qq => {
            write_text(&mut tcp, frames::HELLO).await?;
            // Identify or Resume: either way a fresh READY (the blast has one session).
            loop {
                let (opcode, payload) = reader.next(&mut tcp).await?;
                if opcode == ws::TEXT && matches!(op(&payload), Some(2 | 6)) {
                    break;
                }
            }
            ws::push_server_frame(&mut greeting, ws::TEXT, frames::QQ_READY.as_bytes());
        }
        Platform::Bubble => {
            ws::push_server_frame(&mut greeting, ws::TEXT, frames::HELLO.as_bytes());
            ws::push_server_frame(&mut greeting, ws::TEXT, frames::BUBBLE_READY.as_bytes());
        }
        Platform::OneBot => {
            ws::push_server_frame(&mut greeting, ws::TEXT, frames::ONEBOT_CONNECT.as_bytes());
        }
    }
    tcp.write_all(&greeting).await.ok()?;
    let (read, mut write) = tcp.into_split();
    let (replies_tx, mut replies) = mpsc::unbounded_channel();
    tokio::spawn(answer(read, reader, platform, replies_tx));
    let run = match pace {
        None => flood(&mut write, blast, &mut replies, conn).await?,
        Some(rate) => paced(&mut write, blast, &mut replies, conn, rate).await?,
    };
    // Keep answering (heartbeats, the close) until the client leaves.
    let keep = async move {
        while let Some(reply) = replies.recv().await {
            if write.write_all(&reply).await.is_err() {
                break;
            }
        }
    };
    tokio::spawn(keep);
    Some(run)
}

async fn write_text(tcp: &mut TcpStream, text: &str) -> Option<()> {
    let mut frame = Vec::with_capacity(text.len() + 4);
    ws::push_server_frame(&mut frame, ws::TEXT, text.as_bytes());
    tcp.write_all(&frame).await.ok()
}

/// Writes pending replies (frames written whole, between event frames).
async fn replies_now(
    write: &mut OwnedWriteHalf,
    replies: &mut mpsc::UnboundedReceiver<Vec<u8>>,
) -> Option<()> {
    while let Ok(reply) = replies.try_recv() {
        write.write_all(&reply).await.ok()?;
    }
    Some(())
}

async fn flood(
    write: &mut OwnedWriteHalf,
    blast: &Blast,
    replies: &mut mpsc::UnboundedReceiver<Vec<u8>>,
    conn: u64,
) -> Option<BlastRun> {
    let started = Instant::now();
    let mut from = 0;
    while from < blast.len() {
        let to = blast.batch_end(from, BATCH);
        write.write_all(blast.span(from, to)).await.ok()?;
        replies_now(write, replies).await?;
        from = to;
    }
    Some(BlastRun {
        conn,
        frames: blast.len(),
        bytes: blast.wire_bytes(),
        started,
        finished: Instant::now(),
        stamps: Vec::new(),
    })
}

/// How a paced writer waits for `due`: `Some(nap)` to sleep first while `due` is more than
/// the timer wheel's millisecond away, then `None` once it is time, the last stretch spun
/// with `yield_now` (giving the core to any other runnable thread). A thread sleep there
/// (~50 µs late by the timer slack) let both cores go idle between frames, and waking the
/// client from idle then added ~40 µs to every frame on this VM (p50 65 vs 23 µs at 50k/s).
pub fn pace_wait(due: Instant) -> Option<Duration> {
    loop {
        let now = Instant::now();
        if now >= due {
            return None;
        }
        if due - now > Duration::from_millis(2) {
            return Some(due - now - Duration::from_millis(1));
        }
        std::thread::yield_now();
    }
}

async fn paced(
    write: &mut OwnedWriteHalf,
    blast: &Blast,
    replies: &mut mpsc::UnboundedReceiver<Vec<u8>>,
    conn: u64,
    rate: u32,
) -> Option<BlastRun> {
    let interval = Duration::from_secs(1) / rate.max(1);
    let mut stamps = Vec::with_capacity(blast.len());
    let started = Instant::now();
    for i in 0..blast.len() {
        let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
        while let Some(nap) = pace_wait(due) {
            tokio::time::sleep(nap).await;
        }
        stamps.push(Instant::now());
        write.write_all(blast.span(i, i + 1)).await.ok()?;
        if i % 64 == 63 {
            replies_now(write, replies).await?;
        }
    }
    Some(BlastRun {
        conn,
        frames: blast.len(),
        bytes: blast.wire_bytes(),
        started,
        finished: Instant::now(),
        stamps,
    })
}

/// Reads the client's frames and queues the answers: heartbeat ACKs (QQ, Bubble), Bubble's
/// EVENTS_SUBSCRIBED, OneBot action responses, pongs and the closing handshake.
async fn answer(
    mut read: OwnedReadHalf,
    mut reader: FrameReader,
    platform: Platform,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    while let Some((opcode, payload)) = reader.next(&mut read).await {
        let mut out = Vec::new();
        match opcode {
            ws::CLOSE => {
                ws::push_server_frame(&mut out, ws::CLOSE, &payload);
                let _ = replies.send(out);
                return;
            }
            ws::PING => ws::push_server_frame(&mut out, ws::PONG, &payload),
            ws::TEXT => {
                let Some(text) = reply(platform, &payload) else {
                    continue;
                };
                ws::push_server_frame(&mut out, ws::TEXT, text.as_bytes());
            }
            _ => continue,
        }
        if replies.send(out).is_err() {
            return;
        }
    }
}

fn op(payload: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Value>(payload)
        .ok()?
        .get("op")?
        .as_u64()
}

/// The answer to one client text frame, if it needs one.
fn reply(platform: Platform, payload: &[u8]) -> Option<String> {
    let frame: Value = serde_json::from_slice(payload).ok()?;
    match platform {
        Platform::Qq | Platform::Bubble => match frame.get("op")?.as_u64()? {
            1 => Some(r#"{"op":11}"#.to_owned()),
            30 if platform == Platform::Bubble => {
                let events = frame.get("d")?.get("events")?.clone();
                let d = serde_json::json!({"subscribedEvents": events, "invalidEvents": []});
                Some(serde_json::json!({"op": 0, "t": "EVENTS_SUBSCRIBED", "d": d}).to_string())
            }
            _ => None,
        },
        Platform::OneBot => {
            let action = frame.get("action")?.as_str()?;
            let data = match action {
                "get_login_info" => {
                    serde_json::json!({"user_id": 123_456_789, "nickname": "botgate-blast"})
                }
                _ => Value::Null,
            };
            let echo = frame.get("echo").cloned().unwrap_or(Value::Null);
            let response =
                serde_json::json!({"status": "ok", "retcode": 0, "data": data, "echo": echo});
            Some(response.to_string())
        }
    }
}
