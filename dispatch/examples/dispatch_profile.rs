//! The dispatch bench's cases as a plain program, for instruction counts: run it under
//! `valgrind --tool=callgrind` with two event counts and divide the difference of the totals by
//! the difference of the counts (set-up cancels out):
//!
//! ```sh
//! cargo build --release -p botgate-dispatch --example dispatch_profile
//! valgrind --tool=callgrind target/release/examples/dispatch_profile handled 20000
//! ```
//!
//! Cases: `decode_only`, `handled`, `handled_dedupe`, `unified` (as in `benches/dispatch.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_codec::Frame;
use botgate_dispatch::qq::QqHandlers;
use botgate_dispatch::{DispatchConfig, Dispatcher, Disposition, Filter, Scene};

fn frame(i: usize) -> Frame {
    let text = format!(
        r#"{{"op":0,"s":{i},"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:{i}","d":{{"id":"m{i}","channel_id":"c{}","guild_id":"g","content":"hello","author":{{"id":"u","username":"n"}}}}}}"#,
        i % 64
    );
    Frame::scan(text.into_bytes()).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map_or("handled", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let frames: Vec<Frame> = (0..n).map(frame).collect();
    if case == "decode_only" {
        for f in &frames {
            let e = botgate_codec::qq::decode_event("AT_MESSAGE_CREATE", f.data().unwrap());
            assert!(e.is_ok());
        }
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut handlers = QqHandlers::new();
        if case == "unified" {
            handlers.on_message(Filter::new().scene(Scene::Guild), |_ctx, _u| async {
                Ok(())
            });
        } else {
            handlers.on_at_message_create(|_ctx, _m| async { Ok(()) });
        }
        let config = DispatchConfig {
            dedupe_window: if case == "handled_dedupe" { 4096 } else { 0 },
            ..DispatchConfig::default()
        };
        let d = Dispatcher::new(handlers, config);
        for f in frames {
            let r = d.dispatch(f).await;
            assert_eq!(r, Disposition::Accepted);
        }
        d.idle().await;
        println!("{case}: {} events, {:?}", n, d.stats());
    });
}
