//! Dispatch cost per frame: an unhandled type (dropped undecoded), a handled one (decode +
//! lane + no-op handler), the same with dedupe on, the same with a unified handler (decode +
//! unify + filter + no-op), spread over 64 conversations, in batches of 1000.
#![allow(clippy::unwrap_used, missing_docs)]

use botgate_codec::Frame;
use botgate_dispatch::qq::QqHandlers;
use botgate_dispatch::{DispatchConfig, Dispatcher, Disposition, Filter, Scene};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const BATCH: usize = 1000;

fn frames(t: &str) -> Vec<Frame> {
    (0..BATCH)
        .map(|i| {
            let text = format!(
                r#"{{"op":0,"s":{i},"t":"{t}","id":"{t}:{i}","d":{{"id":"m{i}","channel_id":"c{}","guild_id":"g","content":"hello","author":{{"id":"u","username":"n"}}}}}}"#,
                i % 64
            );
            Frame::scan(text.into_bytes()).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(BATCH as u64));

    let decode = frames("AT_MESSAGE_CREATE");
    group.bench_function("decode_only", |b| {
        b.iter(|| {
            for f in &decode {
                let e = botgate_codec::qq::decode_event("AT_MESSAGE_CREATE", f.data().unwrap());
                assert!(e.is_ok());
            }
        })
    });
    // (name, event type, unified handler, dedupe window)
    for (name, t, unified, window) in [
        ("unhandled", "MESSAGE_CREATE", false, 0),
        ("handled", "AT_MESSAGE_CREATE", false, 0),
        ("handled_dedupe", "AT_MESSAGE_CREATE", false, 4096),
        ("unified", "AT_MESSAGE_CREATE", true, 0),
    ] {
        let input = frames(t);
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut handlers = QqHandlers::new();
                    if unified {
                        let guild = Filter::new().scene(Scene::Guild);
                        handlers.on_message(guild, |_ctx, _u| async { Ok(()) });
                    } else {
                        handlers.on_at_message_create(|_ctx, _m| async { Ok(()) });
                    }
                    // A new dispatcher per batch: its dedupe window starts empty.
                    let config = DispatchConfig {
                        dedupe_window: window,
                        ..DispatchConfig::default()
                    };
                    let d = Dispatcher::new(handlers, config);
                    for f in &input {
                        let r = d.dispatch(f.clone()).await;
                        debug_assert_ne!(r, Disposition::Closed);
                    }
                    d.idle().await;
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
