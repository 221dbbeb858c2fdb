//! The machine's own latency floor: the latency run's paced write → read path with nothing of
//! botgate in it. One thread writes frames of the same size to a loopback TCP socket at the
//! same rate, pacing and stamping as the blast sender does; another, blocked in `read`, stamps
//! each frame when its last byte arrives. What this shows (waking an idle reader, the
//! hypervisor's pauses of a vCPU) is the part of the e2e latency no client can remove on this
//! machine.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The latency of each of `n` frames of `size` bytes written at `rate` per second.
pub fn latencies(n: usize, rate: u32, size: usize) -> Result<Vec<Duration>, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let size = size.max(1);
    let writer = std::thread::Builder::new()
        .name("floor-writer".into())
        .spawn(move || write_paced(addr, n, rate, size))
        .map_err(|e| e.to_string())?;
    let (mut socket, _) = listener.accept().map_err(|e| e.to_string())?;
    let mut arrived = Vec::with_capacity(n);
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0usize;
    while arrived.len() < n {
        let read = socket.read(&mut buf).map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("the floor writer closed early".to_owned());
        }
        let now = Instant::now();
        bytes += read;
        while arrived.len() < (bytes / size).min(n) {
            arrived.push(now);
        }
    }
    let written = writer
        .join()
        .map_err(|_| "the floor writer panicked".to_owned())??;
    Ok(written
        .iter()
        .zip(&arrived)
        .map(|(w, a)| a.saturating_duration_since(*w))
        .collect())
}

/// Writes `n` frames at `rate`/s as the paced blast sender does; the instant each was written.
fn write_paced(
    addr: std::net::SocketAddr,
    n: usize,
    rate: u32,
    size: usize,
) -> Result<Vec<Instant>, String> {
    let mut socket = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    socket.set_nodelay(true).map_err(|e| e.to_string())?;
    let frame = vec![b'x'; size];
    let interval = Duration::from_secs(1) / rate.max(1);
    let mut stamps = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
        // As the blast sender waits.
        while let Some(nap) = botgate_sim::blast::pace_wait(due) {
            std::thread::sleep(nap);
        }
        stamps.push(Instant::now());
        socket.write_all(&frame).map_err(|e| e.to_string())?;
    }
    Ok(stamps)
}
