//! The end-to-end benchmark (`cargo xtask bench e2e`): blast sender → loopback WebSocket →
//! transport → session → dispatch → a no-op handler, for QQ, Bubble and OneBot.
//!
//! - Throughput: N events written as fast as the client reads; events/s from the sender's
//!   first write to the N-th handler entered, on a current-thread runtime (one core) and on a
//!   two-thread runtime; typed and unified handlers; the median (and best) of `--runs` runs.
//! - Latency: events written one at a time at `--rate` events/s (50k); from the moment each
//!   frame is handed to the socket to the moment its handler is entered; p50 / p99 / p99.9.
//!   Then the floor: the same paced writes to a plain blocking TCP reader, without botgate,
//!   which is what waking a reader and the hypervisor's pauses cost on this machine.
//! - qq-botpy against the same sender when python3 has it, and the ratio; a "skipped" line
//!   otherwise.
//!
//! Options: `--events N` (throughput, default 200,000), `--latency-events N` (100,000),
//! `--rate R` (50,000), `--runs K` (3), `--botpy-events N` (200,000), `--platform P|all`,
//! `--handler typed|unified`, `--runtime current|two`, `--no-latency`, `--no-botpy` (to
//! profile one case), `--quick` (small sizes: a smoke run), `--sender-sndbuf BYTES` (the flood
//! sender's `SO_SNDBUF`, for it and for qq-botpy; default: the kernel's autotuning, under
//! which loopback runs much of the sender's TCP work in the client's time). The sender runs
//! on a thread of its own ("blast-sender").

#![allow(clippy::expect_used)]

mod botpy;
mod bots;
mod floor;
mod probe;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use botgate_sim::blast::{self, Blast, Platform};

use bots::Handler;
use probe::Probe;
use sender::Sender;

const LIMIT: Duration = Duration::from_secs(120);
/// The first events of a latency run are warm-up (connection buffers, first allocations).
const WARMUP: usize = 1000;

struct Options {
    events: usize,
    latency_events: usize,
    rate: u32,
    runs: usize,
    botpy_events: usize,
    platforms: Vec<Platform>,
    handlers: Vec<Handler>,
    runtimes: Vec<Rt>,
    latency: bool,
    botpy: bool,
    /// The flood sender's `SO_SNDBUF` (`None`: the kernel's autotuning).
    sender_sndbuf: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rt {
    Current,
    TwoThreads,
}

impl Rt {
    fn name(self) -> &'static str {
        match self {
            Self::Current => "current-thread",
            Self::TwoThreads => "2 worker threads",
        }
    }

    fn build(self) -> tokio::runtime::Runtime {
        let mut builder = match self {
            Self::Current => tokio::runtime::Builder::new_current_thread(),
            Self::TwoThreads => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
        };
        builder.enable_all().build().expect("runtime")
    }
}

fn name(p: Platform) -> &'static str {
    match p {
        Platform::Qq => "qq",
        Platform::Bubble => "bubble",
        _ => "onebot",
    }
}

fn parse_options() -> Result<Options, String> {
    let mut o = Options {
        events: 200_000,
        latency_events: 100_000,
        rate: 50_000,
        runs: 3,
        botpy_events: 200_000,
        platforms: vec![Platform::Qq, Platform::Bubble, Platform::OneBot],
        handlers: vec![Handler::Typed, Handler::Unified],
        runtimes: vec![Rt::Current, Rt::TwoThreads],
        latency: true,
        botpy: true,
        sender_sndbuf: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter().map(String::as_str);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        let number = |v: &str| {
            v.replace('_', "")
                .parse::<usize>()
                .map_err(|e| format!("{v}: {e}"))
        };
        match arg {
            // cargo bench passes --bench to harness-less benches.
            "--bench" => {}
            "--quick" => {
                o.events = 50_000;
                o.latency_events = 10_000;
                o.runs = 1;
                o.botpy_events = 20_000;
            }
            "--events" => o.events = number(value()?)?,
            "--latency-events" => o.latency_events = number(value()?)?,
            "--rate" => o.rate = number(value()?)? as u32,
            "--runs" => o.runs = number(value()?)?.max(1),
            "--botpy-events" => o.botpy_events = number(value()?)?,
            "--sender-sndbuf" => {
                let bytes = number(value()?)?;
                o.sender_sndbuf =
                    Some(u32::try_from(bytes).map_err(|_| format!("{bytes}: too large"))?);
            }
            "--handler" => {
                o.handlers = match value()? {
                    "typed" => vec![Handler::Typed],
                    "unified" => vec![Handler::Unified],
                    other => return Err(format!("unknown handler {other}")),
                }
            }
            "--runtime" => {
                o.runtimes = match value()? {
                    "current" => vec![Rt::Current],
                    "two" => vec![Rt::TwoThreads],
                    other => return Err(format!("unknown runtime {other}")),
                }
            }
            "--no-latency" => o.latency = false,
            "--no-botpy" => o.botpy = false,
            "--platform" => {
                o.platforms = match value()? {
                    "qq" => vec![Platform::Qq],
                    "bubble" => vec![Platform::Bubble],
                    "onebot" => vec![Platform::OneBot],
                    "all" => o.platforms.clone(),
                    other => return Err(format!("unknown platform {other}")),
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    o.latency_events = o.latency_events.max(WARMUP * 2);
    Ok(o)
}

/// One throughput run: events/s from the sender's first write to the N-th handler.
fn throughput(sender: &Sender, p: Platform, h: Handler, rt: Rt, n: usize) -> Result<f64, String> {
    let probe = Probe::new(n, false);
    let last = rt.build().block_on(async {
        let stop = bots::start(p, h, &sender.url, &probe, false).await?;
        let last = probe.all(LIMIT).await;
        stop().await;
        last
    })?;
    let run = sender.next_run()?;
    Ok(n as f64 / last.duration_since(run.started).as_secs_f64())
}

struct Latency {
    p50: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
}

/// One latency run on a current-thread runtime against a paced sender.
fn latency(sender: &Sender, p: Platform, h: Handler, n: usize) -> Result<Latency, String> {
    let probe = Probe::new(n, true);
    Rt::Current.build().block_on(async {
        let stop = bots::start(p, h, &sender.url, &probe, true).await?;
        let last = probe.all(LIMIT).await;
        stop().await;
        last
    })?;
    let run = sender.next_run()?;
    let all: Vec<Duration> = (WARMUP..n)
        .map(|i| {
            probe
                .latency(i, run.stamps[i])
                .ok_or(format!("event {i} not stamped"))
        })
        .collect::<Result<_, _>>()?;
    Ok(summary(all))
}

/// The percentiles of `all` (not empty).
fn summary(mut all: Vec<Duration>) -> Latency {
    all.sort_unstable();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
        max: all[all.len() - 1],
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn m(rate: f64) -> String {
    format!("{:.3} M", rate / 1e6)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split(' ').take(3).collect::<Vec<_>>().join(" ");
    format!("{cpus} CPUs ({model}), load average {load}")
}

fn main() -> std::process::ExitCode {
    let o = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("e2e: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("e2e: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(o: &Options) -> Result<(), String> {
    println!("# e2e: sender → loopback WebSocket → transport → session → dispatch → no-op handler");
    println!("machine: {}", machine());
    println!(
        "throughput: {} events per run, median (best) of {} runs; latency: {} events at {}/s, \
         first {WARMUP} left out\n",
        o.events, o.runs, o.latency_events, o.rate
    );
    println!("| platform | bytes/frame | sender ceiling (count-only client) | handler | runtime | events/s median (best) |");
    println!("|---|---|---|---|---|---|");
    let mut qq_one_core = None;
    let mut latencies = Vec::new();
    let mut frame_size = 0;
    for &p in &o.platforms {
        let frames = Arc::new(Blast::new(p, o.events));
        let per_frame = frames.wire_bytes() / frames.len().max(1);
        frame_size = frame_size.max(per_frame);
        let flood = Sender::start(Arc::clone(&frames), None, o.sender_sndbuf);
        let ceiling = Rt::Current
            .build()
            .block_on(blast::count(&flood.url, p, frames.len()))
            .map_err(|e| e.to_string())?;
        flood.next_run()?;
        for &h in &o.handlers {
            for &rt in &o.runtimes {
                let rates = (0..o.runs)
                    .map(|_| throughput(&flood, p, h, rt, o.events))
                    .collect::<Result<Vec<f64>, _>>()?;
                let best = rates.iter().copied().fold(0.0, f64::max);
                let med = median(rates);
                if (p, h, rt) == (Platform::Qq, Handler::Typed, Rt::Current) {
                    qq_one_core = Some(med);
                }
                println!(
                    "| {} | {per_frame} | {} frames/s | {} | {} | {} ({}) |",
                    name(p),
                    m(ceiling.frames_per_sec()),
                    h.name(),
                    rt.name(),
                    m(med),
                    m(best)
                );
            }
        }
        drop(flood);
        drop(frames);
        if !o.latency {
            continue;
        }
        let paced = Sender::start(
            Arc::new(Blast::new(p, o.latency_events)),
            Some(o.rate),
            None,
        );
        for &h in &o.handlers {
            latencies.push((p, h, latency(&paced, p, h, o.latency_events)?));
        }
    }
    println!(
        "\nLatency, frame handed to the socket → handler entered, at {} events/s, current-thread runtime:\n",
        o.rate
    );
    println!("| platform | handler | p50 µs | p99 µs | p99.9 µs | max µs |");
    println!("|---|---|---|---|---|---|");
    let row = |what: &str, how: &str, l: &Latency| {
        println!(
            "| {what} | {how} | {} | {} | {} | {} |",
            us(l.p50),
            us(l.p99),
            us(l.p999),
            us(l.max)
        );
    };
    for (p, h, l) in &latencies {
        row(name(*p), h.name(), l);
    }
    if o.latency {
        // The same paced writes to a blocking reader, no botgate: this machine's floor.
        let all = floor::latencies(o.latency_events, o.rate, frame_size)?;
        let l = summary(all.get(WARMUP..).unwrap_or(&all).to_vec());
        row(
            "floor",
            &format!("blocking TCP reader, {frame_size}-byte writes, no botgate"),
            &l,
        );
    }
    println!();
    let botpy = if o.botpy {
        botpy::available()
    } else {
        Err("--no-botpy".to_owned())
    };
    match (botpy, qq_one_core) {
        (Ok(version), Some(ours)) => {
            let theirs = botpy::run(o.botpy_events, o.sender_sndbuf)?;
            println!(
                "qq-botpy {version}: {} events/s ({} events, same sender, same frames); \
                 botgate QQ typed on one core: {} events/s = {:.1}x qq-botpy",
                m(theirs),
                o.botpy_events,
                m(ours),
                ours / theirs
            );
        }
        (Err(why), _) => println!("qq-botpy: skipped ({why})"),
        (_, None) => println!("qq-botpy: skipped (QQ not benchmarked in this run)"),
    }
    Ok(())
}
