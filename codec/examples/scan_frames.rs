//! Scan QQ gateway frames and decode only the ones you handle, with `botgate-codec` alone.
//!
//! Run on the built-in sample:  `cargo run -p botgate-codec --example scan_frames`
//! Run on your own frames (one JSON frame per line, from a file or `-` for stdin):
//! `cargo run -p botgate-codec --example scan_frames -- testdata/qq/frames.jsonl`
//!
//! Each line is scanned once for the envelope (`op`, `s`, `t`, `id`) with `d` kept raw. Events
//! this program handles are decoded into typed payloads; every other dispatch takes the skip
//! path: its `d` is never parsed. A frame whose envelope is broken is reported, not fatal.

use std::io::{self, BufRead, BufReader};

use botgate_codec::qq::{decode_event, Event};
use botgate_codec::{Frame, Intents};
use botgate_proto::qq::EventType;

/// A few frames as they cross the wire (from `testdata/qq/frames.jsonl`, shortened), plus an
/// unknown future event, a handled event whose `d` does not decode and a broken envelope.
const SAMPLE: &str = r#"{"op": 10, "d": {"heartbeat_interval": 45000}}
{"op": 0, "s": 1, "t": "READY", "d": {"version": 1, "session_id": "082ee18c", "user": {"id": "6158788878435714165", "username": "bot", "bot": true}, "shard": [0, 1]}}
{"op": 11}
{"op": 0, "s": 2, "t": "AT_MESSAGE_CREATE", "id": "AT_MESSAGE_CREATE:e4c5", "d": {"author": {"id": "1234567890", "username": "小明"}, "channel_id": "100010", "guild_id": "18700000000001", "id": "08e092ee", "content": "<@!6158788878435714165> /天气 深圳", "seq": 828}}
{"op": 0, "s": 3, "t": "MESSAGE_REACTION_ADD", "d": {"user_id": "2233", "guild_id": "18700000000001", "channel_id": "100011", "target": {"id": "08a1", "type": 0}, "emoji": {"id": "4", "type": 1}}}
{"op": 0, "s": 4, "t": "GROUP_AT_MESSAGE_CREATE", "id": "GROUP_AT_MESSAGE_CREATE:abc", "d": {"author": {"id": "E4F4AEA3", "member_openid": "E4F4AEA3"}, "content": " 签到", "group_openid": "C9F778FE", "id": "ROBOT1.0_kpgrp"}}
{"op": 0, "s": 5, "t": "C2C_MESSAGE_CREATE", "id": "C2C_MESSAGE_CREATE:def", "d": {"author": {"id": "E4F4AEA3", "user_openid": "E4F4AEA3"}, "content": "help", "id": "ROBOT1.0_.b6nx"}}
{"op": 0, "s": 6, "t": "SOME_FUTURE_EVENT", "d": {"anything": [1, 2, 3]}}
{"op": 0, "s": 7, "t": "C2C_MESSAGE_CREATE", "d": "not an object"}
{"op": "zero", "d": {}}
{"op": 7}
"#;

/// The dispatch types this program decodes; everything else is skipped unparsed.
const HANDLED: [EventType; 3] = [
    EventType::AtMessageCreate,
    EventType::GroupAtMessageCreate,
    EventType::C2cMessageCreate,
];

fn main() -> io::Result<()> {
    // The handled events also decide which intents to ask for at Identify.
    let intents = Intents::for_events(&HANDLED);
    println!(
        "intents for the handled events: {} {:?}",
        intents.bits(),
        intents.names()
    );

    let input: Box<dyn BufRead> = match std::env::args().nth(1).as_deref() {
        None => Box::new(SAMPLE.as_bytes()),
        Some("-") => Box::new(BufReader::new(io::stdin())),
        Some(path) => Box::new(BufReader::new(std::fs::File::open(path)?)),
    };
    let (mut decoded, mut skipped, mut failed) = (0, 0, 0);
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        // One pass over the bytes: the envelope fields, `d` kept as a raw span.
        let frame = match Frame::scan(line.into_bytes()) {
            Ok(frame) => frame,
            Err(err) => {
                println!("bad frame        : {err}");
                failed += 1;
                continue;
            }
        };
        let t = frame.event_type().unwrap_or("-");
        let s = frame
            .seq()
            .map_or_else(|| "-".to_owned(), |s| s.to_string());
        print!("op={:<2} s={s:<2} t={t:<24} ", frame.op());

        // Only op 0 (dispatch) carries an event; other ops are gateway control frames.
        let (0, Some(t)) = (frame.op(), frame.event_type()) else {
            println!("(control frame)");
            continue;
        };
        if !HANDLED.contains(&EventType::from(t)) {
            // The skip path: `d` is never parsed, however big it is.
            println!(
                "skipped ({} bytes of d unparsed)",
                frame.data().map_or(0, <[u8]>::len)
            );
            skipped += 1;
            continue;
        }
        let data = frame.data().unwrap_or(b"null");
        match decode_event(t, data) {
            Ok(Event::AtMessageCreate(m)) => {
                println!(
                    "guild {} channel {}: {:?}",
                    m.guild_id, m.channel_id, m.content
                );
            }
            Ok(Event::GroupAtMessageCreate(m)) => {
                println!(
                    "group {} member {}: {:?}",
                    m.group_openid, m.author.member_openid, m.content
                );
            }
            Ok(Event::C2cMessageCreate(m)) => {
                println!("user {}: {:?}", m.author.user_openid, m.content);
            }
            Ok(other) => println!("decoded {:?}", other.event_type()),
            Err(err) => {
                println!("decode failed: {err}");
                failed += 1;
                continue;
            }
        }
        decoded += 1;
    }
    println!("decoded {decoded}, skipped {skipped}, failed {failed}");
    Ok(())
}
