//! Typed decode against the anchor: botgate's QQ `AT_MESSAGE_CREATE` decode and twilight-model's
//! Discord `MESSAGE_CREATE` decode, on frames of the same size, in one run (issue 15 point 4).
//!
//! Groups, each one pass over its corpus, run in interleaved rounds (every group once per round,
//! so load on the shared machine falls on all of them alike); the best round of each is printed:
//! - `twilight`: `GatewayEventDeserializer::from_json(&str)` + `deserialize` with
//!   `serde_json::Deserializer::from_str`, what twilight-gateway does with a text message;
//! - `twilight_utf8`: the same from the frame's bytes, `str::from_utf8` first (reference);
//! - `botgate`: `Frame::scan(Bytes)` + `qq::decode_event(t, d)`, what botgate's session and
//!   dispatch do with a frame;
//! - `value_discord`, `value_qq`: `serde_json::from_slice::<Value>` of each frame (reference).
//!
//! Run: `cargo bench --manifest-path benches/anchors/Cargo.toml` (or `cargo xtask bench
//! anchors`); options `--pairs N` (default 2000) and `--rounds N` (default 100).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark of known-good input

use std::hint::black_box;
use std::time::Instant;

use botgate_anchors::corpus::Corpus;
use botgate_codec::{qq, Frame};
use bytes::Bytes;
use serde::de::DeserializeSeed;
use serde_json::Value;
use twilight_model::gateway::event::{DispatchEvent, GatewayEvent, GatewayEventDeserializer};

/// Twilight's decode of one frame, as twilight-gateway's `json::parse` does it.
fn twilight_decode(json: &str) -> GatewayEvent {
    let seed = GatewayEventDeserializer::from_json(json).expect("op and t found");
    let mut de = serde_json::Deserializer::from_str(json);
    seed.deserialize(&mut de).expect("a valid MESSAGE_CREATE")
}

fn twilight(c: &Corpus) -> usize {
    c.discord
        .iter()
        .map(|f| std::mem::size_of_val(&twilight_decode(f)))
        .sum()
}

fn twilight_utf8(c: &Corpus) -> usize {
    c.discord
        .iter()
        .map(|f| {
            let text = std::str::from_utf8(black_box(f.as_bytes())).unwrap();
            std::mem::size_of_val(&twilight_decode(text))
        })
        .sum()
}

fn botgate_decode(bytes: &Bytes) -> qq::Event {
    let frame = Frame::scan(bytes.clone()).unwrap();
    let (t, d) = (frame.event_type().unwrap(), frame.data().unwrap());
    qq::decode_event(t, d).unwrap()
}

fn botgate(c: &Corpus) -> usize {
    c.qq.iter()
        .map(|f| std::mem::size_of_val(&botgate_decode(f)))
        .sum()
}

fn value_discord(c: &Corpus) -> usize {
    c.discord
        .iter()
        .map(|f| {
            serde_json::from_slice::<Value>(f.as_bytes()).unwrap()["d"]
                .as_object()
                .map_or(0, |d| d.len())
        })
        .sum()
}

fn value_qq(c: &Corpus) -> usize {
    c.qq.iter()
        .map(|f| {
            serde_json::from_slice::<Value>(f).unwrap()["d"]
                .as_object()
                .map_or(0, |d| d.len())
        })
        .sum()
}

/// The value of `--name N` among the arguments (cargo passes `--bench` too: ignored).
fn option(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|at| args.get(at + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (pairs, rounds) = (
        option(&args, "--pairs", 2000),
        option(&args, "--rounds", 100),
    );
    let corpus = Corpus::new(pairs);
    let (discord_avg, qq_avg) = (corpus.discord_average(), corpus.qq_average());
    println!(
        "corpus: {pairs} Discord MESSAGE_CREATE frames, {discord_avg:.1} bytes on average; \
         {pairs} QQ AT_MESSAGE_CREATE frames, {qq_avg:.1} bytes on average ({:+.2} %; \
         {:.2} mentions added per QQ frame to match)",
        (qq_avg / discord_avg - 1.0) * 100.0,
        corpus.qq_extra_mentions as f64 / pairs as f64
    );
    // Every frame must decode to the message event, or the groups would time error paths.
    for frame in &corpus.discord {
        assert!(matches!(
            twilight_decode(frame),
            GatewayEvent::Dispatch(_, DispatchEvent::MessageCreate(_))
        ));
    }
    for frame in &corpus.qq {
        assert!(matches!(
            botgate_decode(frame),
            qq::Event::AtMessageCreate(_)
        ));
    }

    type Run = fn(&Corpus) -> usize;
    let groups: [(&str, Run, f64); 5] = [
        ("twilight", twilight, discord_avg),
        ("twilight_utf8", twilight_utf8, discord_avg),
        ("botgate", botgate, qq_avg),
        ("value_discord", value_discord, discord_avg),
        ("value_qq", value_qq, qq_avg),
    ];
    let load_before = load_average();
    let mut best = [f64::INFINITY; 5];
    for _ in 0..rounds {
        for ((_, run, _), best) in groups.iter().zip(&mut best) {
            let start = Instant::now();
            black_box(run(black_box(&corpus)));
            *best = best.min(start.elapsed().as_secs_f64());
        }
    }
    println!(
        "best of {rounds} interleaved rounds (load average {load_before} before, {} after):",
        load_average()
    );
    println!(
        "{:14} {:>9} {:>9} {:>11} {:>9}",
        "group", "ms", "MB/s", "frames/s", "ns/frame"
    );
    let mut mb_s = [0.0; 5];
    for (i, (name, _, avg)) in groups.iter().enumerate() {
        let seconds = best[i];
        mb_s[i] = avg * pairs as f64 / seconds / 1e6;
        println!(
            "{name:14} {:9.3} {:9.1} {:11.0} {:9.0}",
            seconds * 1e3,
            mb_s[i],
            pairs as f64 / seconds,
            seconds / pairs as f64 * 1e9
        );
    }
    println!(
        "botgate / twilight: {:.2}x MB/s (goal >= 3x); botgate / Value (QQ): {:.2}x; \
         twilight / Value (Discord): {:.2}x",
        mb_s[2] / mb_s[0],
        mb_s[2] / mb_s[4],
        mb_s[0] / mb_s[3]
    );
}
