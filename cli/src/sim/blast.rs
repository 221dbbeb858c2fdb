//! `botgate sim --platform P --blast N`: a sender that is never the bottleneck.
//!
//! Encodes N events once, measures the sender's ceiling against an in-process count-only
//! client and prints it, then serves the same N frames to every client that connects (as fast
//! as it reads, or at `--blast-rate` frames/s) and prints a line per client served.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use botgate_sim::blast::{self, Blast, BlastConfig, BlastServer};
use serde_json::json;

use crate::stop::Stop;
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

/// Encodes, measures the ceiling, then serves until Ctrl-C or SIGTERM.
pub async fn serve(
    args: BlastArgs,
    stop: &mut Stop,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let kind = platform(args.platform);
    let started = Instant::now();
    let frames = Arc::new(Blast::new(kind, args.frames));
    let encode_s = started.elapsed().as_secs_f64();
    let ceiling = {
        let server = BlastServer::start(Arc::clone(&frames), BlastConfig::default()).await?;
        blast::count(&server.url(), kind, frames.len()).await?
    };
    outln!(
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
    );
    if args.ceiling_only {
        return Ok(ExitCode::SUCCESS);
    }
    let config = BlastConfig {
        port: args.port,
        pace: args.rate,
        ..BlastConfig::default()
    };
    let server = BlastServer::start(frames, config).await?;
    outln!(
        "{}",
        json!({"platform": name(args.platform), "url": server.url(), "blast": args.frames,
               "rate": args.rate})
    );
    let mut served = 0;
    loop {
        tokio::select! {
            _ = stop.wait() => break,
            run = server.next_run() => {
                let Some(run) = run else { break };
                served += 1;
                let seconds = run.finished.duration_since(run.started).as_secs_f64();
                outln!("{}", json!({"blasted": {"conn": run.conn, "frames": run.frames,
                    "seconds": round(seconds), "frames_per_s": run.frames_per_sec().round()}}));
            }
        }
    }
    outln!("{}", json!({"stopped": {"blasts": served}}));
    Ok(ExitCode::SUCCESS)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
