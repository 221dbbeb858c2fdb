//! Codec benchmarks over a mixed corpus of QQ and Bubble frames generated here.
//!
//! Three groups over the same frames:
//! - `scan`: `Frame::scan` only (what the session does for every frame);
//! - `scan_decode`: scan plus the typed decode of `d` (`qq::decode_event` /
//!   `bubble::decode_event`; what dispatch does for a handled event);
//! - `serde_value`: `serde_json::from_slice::<Value>` of the whole frame (the baseline).
//!
//! Each group reports bytes/s (`/bytes`) and frames/s (`/frames`); before them the best of
//! 200 plain runs of each group is printed (robust against a busy machine), and the best of
//! `scan` over the same frames pretty-printed (the general scan, not the compact fast path).
//! Run: `cargo bench -p botgate-codec -- --warm-up-time 1 --measurement-time 3`.

#![allow(clippy::unwrap_used)] // a benchmark of known-good input

use std::hint::black_box;
use std::time::Instant;

use botgate_codec::{bubble, qq, Frame};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

/// Runs per group for the best-of timing printed before the criterion runs.
const BEST_OF: usize = 200;

/// A deterministic xorshift generator, so every run benchmarks the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const TEXTS: &[&str] = &[
    "大家好 👋",
    "<@!6158788878435714165> /天气 深圳",
    "今天的会议改到下午三点，请大家准时参加 🙏",
    "hello world",
    "收到！👍👍",
    "这是一条比较长的消息，用来测试解码器在处理中文内容时的性能表现，其中还包含一些 emoji 😀🎉🚀 以及英文 mixed content.",
    "签到",
    "\"quoted\" and \\escaped\\ text\nwith a newline",
];
const NAMES: &[&str] = &["小明", "阿强", "群pro测试机器人", "Alice", "鲍勃", "🐱猫猫"];

fn qq_frame(rng: &mut Rng, seq: u64) -> Value {
    let user = |rng: &mut Rng| {
        json!({"id": rng.next().to_string(), "username": rng.pick(NAMES),
               "avatar": "https://thirdqq.qlogo.cn/0", "bot": false})
    };
    let (t, d) = match rng.below(10) {
        0..=2 => (
            "AT_MESSAGE_CREATE",
            json!({"author": user(rng), "channel_id": "100010", "guild_id": "18700000000001",
                   "content": rng.pick(TEXTS), "id": format!("08e0{}", rng.next()),
                   "member": {"joined_at": "2021-04-12T16:34:36+08:00", "roles": ["1", "4"]},
                   "mentions": [user(rng)], "seq": seq, "seq_in_channel": seq.to_string(),
                   "timestamp": "2021-05-20T15:14:58+08:00"}),
        ),
        3 => (
            "GROUP_AT_MESSAGE_CREATE",
            json!({"author": {"id": "E4F4AEA33253A2797FB897C50B81D7ED",
                              "member_openid": "E4F4AEA33253A2797FB897C50B81D7ED"},
                   "content": rng.pick(TEXTS), "group_id": "C9F778FE6ADF9D1D1DBE395BF744A33A",
                   "group_openid": "C9F778FE6ADF9D1D1DBE395BF744A33A",
                   "id": format!("ROBOT1.0_{}", rng.next()), "timestamp": "2023-11-06T13:37:18+08:00"}),
        ),
        4 => (
            "GUILD_MEMBER_ADD",
            json!({"guild_id": "18700000000001", "joined_at": "2022-01-01T00:00:00+08:00",
                   "nick": rng.pick(NAMES), "op_user_id": "1", "roles": ["1"], "user": user(rng)}),
        ),
        5 => (
            "MESSAGE_REACTION_ADD",
            json!({"user_id": rng.next().to_string(), "guild_id": "18700000000001",
                   "channel_id": "100010", "target": {"id": "08e0", "type": 0},
                   "emoji": {"id": "4", "type": 1}}),
        ),
        6 => (
            "FORUM_THREAD_CREATE",
            json!({"guild_id": "18700000000001", "channel_id": "100012", "author_id": "2233",
                   "thread_info": {"thread_id": rng.next().to_string(),
                       "title": json!({"paragraphs": [{"elems": [{"text": {"text": rng.pick(TEXTS)}, "type": 1}]}]}).to_string(),
                       "content": json!({"paragraphs": [{"elems": [{"text": {"text": rng.pick(TEXTS)}, "type": 1}], "props": {}}]}).to_string(),
                       "date_time": "2022-06-01T10:00:00+08:00"}}),
        ),
        7 => (
            "C2C_MESSAGE_CREATE",
            json!({"author": {"id": "E4F4", "user_openid": "E4F4AEA33253A2797FB897C50B81D7ED"},
                   "content": rng.pick(TEXTS), "id": format!("ROBOT1.0_{}", rng.next()),
                   "timestamp": "2023-11-06T13:39:41+08:00", "attachments": []}),
        ),
        8 => (
            "MESSAGE_CREATE",
            json!({"author": user(rng), "channel_id": "100011", "content": rng.pick(TEXTS),
                   "guild_id": "18700000000001", "id": "08a1", "seq": seq,
                   "attachments": [{"content_type": "image/png", "filename": "a.png",
                                    "height": 100, "width": 200, "size": 3012,
                                    "url": "gchat.qpic.cn/qmeetpic/0/0-0-ABC/0"}],
                   "timestamp": "2022-06-01T10:00:00+08:00"}),
        ),
        _ => (
            "SOME_FUTURE_EVENT",
            json!({"foo": rng.pick(TEXTS), "bar": [1, 2, {"baz": null}], "n": rng.next()}),
        ),
    };
    json!({"op": 0, "s": seq, "t": t, "id": format!("{t}:{}", rng.next()), "d": d})
}

fn bubble_frame(rng: &mut Rng, seq: u64) -> Value {
    let id = || (seq * 7) as i64;
    let (t, d) = match rng.below(8) {
        0..=1 => (
            "MESSAGE_CREATE",
            json!({"id": id(), "channelId": 123, "guildId": 10, "content": rng.pick(TEXTS),
                   "msgType": 0, "author": {"id": rng.below(1000), "name": rng.pick(NAMES),
                   "avatar": "https://example.invalid/a.png"},
                   "timestamp": "2025-12-31T12:00:00Z", "mentions": [456], "mentionRoles": [100]}),
        ),
        2..=3 => (
            "MESSAGE_CREATE",
            json!({"id": id(), "channelId": 123, "authorId": rng.below(1000), "author": rng.pick(NAMES),
                   "content": rng.pick(TEXTS), "type": "text",
                   "mentions": [{"type": "user", "id": 456, "name": rng.pick(NAMES)}],
                   "replyToId": 1001, "createdAt": "2026-03-10T12:00:00Z"}),
        ),
        4 => (
            "DM_MESSAGE_CREATE",
            json!({"id": id(), "channelId": 456, "content": rng.pick(TEXTS),
                   "author": {"id": 1, "name": rng.pick(NAMES)}, "timestamp": "2025-12-31T12:00:00Z"}),
        ),
        5 => (
            "GUILD_MEMBER_ADD",
            json!({"guildId": 10, "user": {"id": rng.below(100_000), "name": rng.pick(NAMES),
                   "avatar": "https://example.invalid/b.png"}, "joinedAt": "2025-12-31T12:00:00Z"}),
        ),
        6 => (
            "MESSAGE_REACTION_ADD",
            json!({"messageId": id(), "channelId": 123, "userId": rng.below(1000), "emoji": "👍"}),
        ),
        _ => (
            "SOMETHING_NEW",
            json!({"payload": {"nested": [rng.pick(TEXTS), {"deeper": [1, 2, 3]}]}}),
        ),
    };
    json!({"op": 0, "s": seq, "t": t, "d": d})
}

/// `(is_qq, frame bytes)` for a few thousand frames, two thirds QQ and one third Bubble.
fn corpus() -> Vec<(bool, Bytes)> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (1..=4000u64)
        .map(|seq| {
            let qq = rng.below(3) != 0;
            let value = if qq {
                qq_frame(&mut rng, seq)
            } else {
                bubble_frame(&mut rng, seq)
            };
            (qq, Bytes::from(serde_json::to_vec(&value).unwrap()))
        })
        .collect()
}

/// A plain derived struct for the same QQ message fields (owned `String`s, no leniency): the
/// "obvious implementation" the typed decode is compared with (`derive_plain`).
#[derive(serde::Deserialize)]
#[serde(default)]
#[allow(dead_code)] // read by serde only
#[derive(Default)]
struct PlainMessage {
    id: String,
    channel_id: String,
    guild_id: String,
    group_id: String,
    group_openid: String,
    content: String,
    timestamp: String,
    seq: u64,
    seq_in_channel: String,
    author: PlainUser,
    member: PlainMember,
    mentions: Vec<PlainUser>,
    attachments: Vec<PlainAttachment>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct PlainUser {
    id: String,
    username: String,
    avatar: String,
    bot: bool,
    member_openid: String,
    user_openid: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct PlainMember {
    joined_at: String,
    roles: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct PlainAttachment {
    content_type: String,
    filename: String,
    height: u32,
    width: u32,
    size: u64,
    url: String,
}

/// The QQ message frames of the corpus (the four message events), for the `derive_plain`
/// comparison: the same frames through the typed decode, a plain derive and `Value`.
fn qq_messages(frames: &[(bool, Bytes)]) -> Vec<(bool, Bytes)> {
    frames
        .iter()
        .filter(|(qq, b)| {
            *qq && Frame::scan(b.clone())
                .unwrap()
                .event_type()
                .is_some_and(|t| t.ends_with("MESSAGE_CREATE"))
        })
        .cloned()
        .collect()
}

fn derive_plain_all(frames: &[(bool, Bytes)]) -> usize {
    let mut n = 0;
    for (_, bytes) in frames {
        let frame = Frame::scan(bytes.clone()).unwrap();
        let m: PlainMessage = serde_json::from_slice(frame.data().unwrap()).unwrap();
        n += m.content.len();
    }
    n
}

/// `derive_plain` through `botgate_proto::de::from_slice` (the lenient deserializer's cost on
/// a plain struct).
fn derive_lenient_all(frames: &[(bool, Bytes)]) -> usize {
    let mut n = 0;
    for (_, bytes) in frames {
        let frame = Frame::scan(bytes.clone()).unwrap();
        let m: PlainMessage = botgate_proto::de::from_slice(frame.data().unwrap()).unwrap();
        n += m.content.len();
    }
    n
}

/// One pass of a group over the corpus; returns something derived from the results so that
/// nothing is optimised away.
type Run = fn(&[(bool, Bytes)]) -> usize;

fn scan_all(frames: &[(bool, Bytes)]) -> usize {
    let mut n = 0;
    for (_, bytes) in frames {
        let frame = Frame::scan(bytes.clone()).unwrap();
        n += usize::from(frame.op()) + frame.event_type().map_or(0, str::len);
    }
    n
}

fn scan_decode_all(frames: &[(bool, Bytes)]) -> usize {
    let mut n = 0;
    for (is_qq, bytes) in frames {
        let frame = Frame::scan(bytes.clone()).unwrap();
        let (t, d) = (frame.event_type().unwrap(), frame.data().unwrap());
        if *is_qq {
            n += std::mem::size_of_val(&qq::decode_event(t, d).unwrap());
        } else {
            n += std::mem::size_of_val(&bubble::decode_event(t, d).unwrap());
        }
    }
    n
}

fn serde_value_all(frames: &[(bool, Bytes)]) -> usize {
    let mut n = 0;
    for (_, bytes) in frames {
        let value: Value = serde_json::from_slice(bytes).unwrap();
        n += value.as_object().map_or(0, serde_json::Map::len);
    }
    n
}

/// Prints the best time of [`BEST_OF`] plain runs of `run` over `frames`, with MB/s and frames/s.
fn print_best_of(name: &str, run: Run, frames: &[(bool, Bytes)]) {
    let bytes: usize = frames.iter().map(|(_, b)| b.len()).sum();
    let best = (0..BEST_OF)
        .map(|_| {
            let start = Instant::now();
            black_box(run(black_box(frames)));
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    eprintln!(
        "best of {BEST_OF}: {name:12} {:7.3} ms  {:8.1} MB/s  {:10.0} frames/s  ({bytes} bytes)",
        best * 1e3,
        bytes as f64 / best / 1e6,
        frames.len() as f64 / best
    );
}

fn benches(c: &mut Criterion) {
    let frames = corpus();
    let total_bytes: usize = frames.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "corpus: {} frames ({} QQ), {} bytes, {} bytes/frame on average",
        frames.len(),
        frames.iter().filter(|(qq, _)| *qq).count(),
        total_bytes,
        total_bytes / frames.len()
    );
    // Every frame must decode, or the decode group would measure error paths.
    scan_decode_all(&frames);

    let runs: [(&str, Run); 3] = [
        ("scan", scan_all),
        ("scan_decode", scan_decode_all),
        ("serde_value", serde_value_all),
    ];
    // Criterion reports mean and median, which a busy machine inflates; the best of many
    // runs is printed as well, as an estimate of the uncontended speed.
    for (name, run) in runs {
        print_best_of(name, run, &frames);
    }
    // The same frames pretty-printed: whitespace sends every frame through the general scan
    // rather than the compact fast path (best of only; frames/s compares with `scan`).
    let pretty: Vec<(bool, Bytes)> = frames
        .iter()
        .map(|(qq, b)| {
            let value: Value = serde_json::from_slice(b).unwrap();
            (*qq, Bytes::from(serde_json::to_vec_pretty(&value).unwrap()))
        })
        .collect();
    print_best_of("scan_pretty", scan_all, &pretty);
    // The QQ message frames alone, through the typed decode, a plain derive and `Value`.
    let messages = qq_messages(&frames);
    let message_bytes: usize = messages.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "QQ messages: {} frames, {} bytes/frame on average",
        messages.len(),
        message_bytes / messages.len()
    );
    print_best_of("msg_typed", scan_decode_all, &messages);
    print_best_of("msg_derive", derive_plain_all, &messages);
    print_best_of("msg_value", serde_value_all, &messages);
    print_best_of("msg_derive_len", derive_lenient_all, &messages);
    let mut group = c.benchmark_group("derive_plain");
    group.throughput(Throughput::Bytes(message_bytes as u64));
    group.bench_function("bytes", |b| {
        b.iter(|| derive_plain_all(black_box(&messages)))
    });
    group.finish();
    for (name, run) in runs {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(total_bytes as u64));
        group.bench_function("bytes", |b| b.iter(|| run(black_box(&frames))));
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function("frames", |b| b.iter(|| run(black_box(&frames))));
        group.finish();
    }
}

criterion_group!(codec, benches);
criterion_main!(codec);
