//! `botgate sim --platform P --blast N`: a sender that is never the bottleneck.
//!
//! Encodes N events once, measures the sender's ceiling against an in-process count-only
//! client and prints it, then serves the same N frames to every client that connects (as fast
//! as it reads, or at `--blast-rate` frames/s) and prints a line per client served.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use botgate_sim::blast::{self, Blast, BlastConfig, BlastServer, Interrupted};
use serde_json::json;

use crate::stdout;
use crate::stop::{Stop, StopSignal};
use crate::Platform;

/// What `--blast` needs from the sim's options.
#[derive(Debug, Clone, Copy)]
pub struct BlastArgs {
    pub platform: Platform,
    pub port: u16,
    pub frames: usize,
    pub rate: Option<u32>,
    pub ceiling_only: bool,
}

fn platform(p: Platform) -> blast::Platform {
    match p {
        Platform::Qq => blast::Platform::Qq,
        Platform::Bubble => blast::Platform::Bubble,
        Platform::Onebot => blast::Platform::OneBot,
    }
}

fn name(p: Platform) -> &'static str {
    match p {
        Platform::Qq => "qq",
        Platform::Bubble => "bubble",
        Platform::Onebot => "onebot",
    }
}

/// Encodes, measures the ceiling, then serves until Ctrl-C or SIGTERM (which also ends the
/// encoding and the measure: seconds each for millions of frames).
pub async fn serve(
    args: BlastArgs,
    stop: &mut Stop,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let kind = platform(args.platform);
    let started = Instant::now();
    let frames = match encode(&args, stop).await? {
        Ok(frames) => Arc::new(frames),
        Err(stopped) => return Ok(stopped),
    };
    let encode_s = started.elapsed().as_secs_f64();
    let measure = async {
        let server = BlastServer::start(Arc::clone(&frames), BlastConfig::default()).await?;
        blast::count(&server.url(), kind, frames.len()).await
    };
    let ceiling = tokio::select! {
        ceiling = measure => ceiling?,
        signal = stop.wait() => return Ok(stopped(signal, "while measuring the ceiling")),
    };
    out!(
        "{}",
        json!({
            "blast": {
                "platform": name(args.platform),
                "frames": frames.len(),
                "wire_bytes": frames.wire_bytes(),
                "bytes_per_frame": frames.wire_bytes() / frames.len().max(1),
                "encode_s": round(encode_s),
            },
            "ceiling": {
                "client": "count-only",
                "frames_per_s": ceiling.frames_per_sec().round(),
                "mb_per_s": round(ceiling.mb_per_sec()),
                "seconds": round(ceiling.elapsed.as_secs_f64()),
            }
        })
    )
    .await;
    if args.ceiling_only {
        return Ok(ExitCode::SUCCESS);
    }
    let config = BlastConfig {
        port: args.port,
        pace: args.rate,
        ..BlastConfig::default()
    };
    let server = BlastServer::start(frames, config).await?;
    out!(
        "{}",
        json!({"platform": name(args.platform), "url": server.url(), "blast": args.frames,
               "rate": args.rate})
    )
    .await;
    let mut served = 0;
    loop {
        let run = tokio::select! {
            _ = stop.wait() => break,
            run = server.next_run() => run,
        };
        let Some(run) = run else { break };
        served += 1;
        let seconds = run.finished.duration_since(run.started).as_secs_f64();
        let line = json!({"blasted": {"conn": run.conn, "frames": run.frames,
            "seconds": round(seconds), "frames_per_s": run.frames_per_sec().round()}});
        // Waits while stdout's reader does not read, but not past a stop.
        tokio::select! {
            _ = stop.wait() => break,
            () = stdout::out(line.to_string()) => {}
        }
    }
    stdout::try_out(json!({"stopped": {"blasts": served}}).to_string());
    Ok(ExitCode::SUCCESS)
}

/// The N frames, encoded on a blocking thread; a stop signal meanwhile ends the encoding
/// between two chunks (`Err`: the command's result, a graceful stop).
async fn encode(
    args: &BlastArgs,
    stop: &mut Stop,
) -> Result<Result<Blast, ExitCode>, Box<dyn std::error::Error>> {
    let (kind, n) = (platform(args.platform), args.frames);
    // A line to wait for: a signal from here on ends the encoding.
    errln!("botgate sim: encoding {n} {} frames", name(args.platform));
    let halt = Arc::new(AtomicBool::new(false));
    let mut encoding = tokio::task::spawn_blocking({
        let halt = Arc::clone(&halt);
        move || Blast::new_until(kind, n, &halt)
    });
    let signal = tokio::select! {
        encoded = &mut encoding => return Ok(Ok(encoded??)),
        signal = stop.wait() => signal,
    };
    halt.store(true, Ordering::Relaxed);
    // Within a chunk (about a millisecond): how far it got.
    let done = match encoding.await? {
        Ok(_) => n,
        Err(Interrupted { encoded, .. }) => encoded,
    };
    let when = format!("while encoding ({done} of {n} frames)");
    Ok(Err(stopped(signal, &when)))
}

/// A stop before the frames were served: nothing was blasted.
fn stopped(signal: StopSignal, when: &str) -> ExitCode {
    errln!("botgate sim: {signal} {when}, stopping");
    stdout::try_out(json!({"stopped": {"blasts": 0}}).to_string());
    ExitCode::SUCCESS
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
