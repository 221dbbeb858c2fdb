//! The blast sender against a real client (botgate-transport) and the count-only client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use botgate_sim::blast::{self, Blast, BlastConfig, BlastServer, Platform};
use botgate_testkit::within_for;
use botgate_transport::ws::{self, ConnectOptions, Message};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(20);

async fn next_json(stream: &mut ws::WsStream) -> Value {
    match within_for(LIMIT, "the next frame", stream.recv())
        .await
        .unwrap()
    {
        Some(Message::Text(bytes)) => serde_json::from_slice(&bytes).unwrap(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qq_client_gets_hello_ready_and_every_event_in_order() {
    let n = 5_000;
    let blast = Arc::new(Blast::new(Platform::Qq, n));
    let server = BlastServer::start(Arc::clone(&blast), BlastConfig::default())
        .await
        .unwrap();
    let mut stream = ws::connect(&server.url(), &ConnectOptions::new())
        .await
        .unwrap();
    assert_eq!(next_json(&mut stream).await["op"], 10);
    stream
        .send_text(r#"{"op":2,"d":{"token":"QQBot t","intents":1,"shard":[0,1]}}"#)
        .await
        .unwrap();
    let ready = next_json(&mut stream).await;
    assert_eq!(
        (ready["t"].as_str(), ready["s"].as_u64()),
        (Some("READY"), Some(1))
    );
    let mut ids = std::collections::HashSet::new();
    for i in 0..n {
        let frame = next_json(&mut stream).await;
        assert_eq!(frame["t"], "AT_MESSAGE_CREATE");
        assert_eq!(frame["s"].as_u64(), Some(i as u64 + 2));
        let id = frame["d"]["id"].as_str().unwrap();
        assert_eq!(blast::event_number(id), Some(i as u64 + 1));
        assert!(
            ids.insert(frame["id"].as_str().unwrap().to_owned()),
            "event ids repeat"
        );
    }
    // A heartbeat sent after the blast is acknowledged.
    stream.send_text(r#"{"op":1,"d":5001}"#).await.unwrap();
    assert_eq!(next_json(&mut stream).await["op"], 11);
    let run = within_for(LIMIT, "the server's report of the run", server.next_run())
        .await
        .unwrap();
    assert_eq!(
        (run.conn, run.frames, run.bytes),
        (1, n, blast.wire_bytes())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_and_onebot_clients_get_their_greeting_then_the_events() {
    for (platform, greeting, first) in [
        (Platform::Bubble, vec!["op", "t"], "MESSAGE_CREATE"),
        (Platform::OneBot, vec!["meta_event_type"], "message"),
    ] {
        let blast = Arc::new(Blast::new(platform, 100));
        let server = BlastServer::start(Arc::clone(&blast), BlastConfig::default())
            .await
            .unwrap();
        let mut stream = ws::connect(&server.url(), &ConnectOptions::new())
            .await
            .unwrap();
        for key in greeting {
            assert!(
                next_json(&mut stream).await.get(key).is_some(),
                "{platform:?}"
            );
        }
        for i in 0..100u64 {
            let frame = next_json(&mut stream).await;
            let (kind, id) = match platform {
                Platform::Bubble => (&frame["t"], frame["d"]["id"].to_string()),
                _ => (&frame["post_type"], frame["message_id"].to_string()),
            };
            assert_eq!(kind, first);
            assert_eq!(blast::event_number(&id), Some(i + 1));
        }
        if platform == Platform::OneBot {
            let call = r#"{"action":"get_login_info","params":{},"echo":"7"}"#;
            stream.send_text(call).await.unwrap();
            let response = next_json(&mut stream).await;
            assert_eq!(
                (response["echo"].as_str(), response["status"].as_str()),
                (Some("7"), Some("ok"))
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_count_client_counts_exactly_the_events_of_every_platform() {
    for platform in [Platform::Qq, Platform::Bubble, Platform::OneBot] {
        let n = 20_000;
        let blast = Arc::new(Blast::new(platform, n));
        let server = BlastServer::start(Arc::clone(&blast), BlastConfig::default())
            .await
            .unwrap();
        let report = within_for(
            LIMIT,
            "the count-only client's report",
            blast::count(&server.url(), platform, n),
        )
        .await
        .unwrap();
        assert_eq!(report.frames, n, "{platform:?}");
        assert_eq!(report.bytes, blast.wire_bytes(), "{platform:?}");
        let run = within_for(LIMIT, "the server's report of the run", server.next_run())
            .await
            .unwrap();
        assert_eq!(run.frames, n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_blast_stamps_every_frame_in_order() {
    let blast = Arc::new(Blast::new(Platform::Bubble, 200));
    let config = BlastConfig {
        pace: Some(20_000),
        ..BlastConfig::default()
    };
    let server = BlastServer::start(Arc::clone(&blast), config)
        .await
        .unwrap();
    let report = within_for(
        LIMIT,
        "the count-only client's report",
        blast::count(&server.url(), Platform::Bubble, 200),
    )
    .await
    .unwrap();
    assert_eq!(report.frames, 200);
    let run = within_for(LIMIT, "the server's report of the run", server.next_run())
        .await
        .unwrap();
    assert_eq!(run.stamps.len(), 200);
    assert!(run.stamps.windows(2).all(|w| w[0] <= w[1]));
    // Frame 199 is due 199 intervals (of 50 µs) after the start, not before.
    assert!(run.stamps[199] - run.started >= Duration::from_micros(50) * 199);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blast_with_a_small_send_buffer_still_delivers_every_frame() {
    // 16 KiB (the kernel doubles it): the writes of 256 KiB batches go out in many parts.
    let n = 20_000;
    let blast = Arc::new(Blast::new(Platform::Qq, n));
    let config = BlastConfig {
        send_buffer: Some(16 << 10),
        ..BlastConfig::default()
    };
    let server = BlastServer::start(Arc::clone(&blast), config)
        .await
        .unwrap();
    let report = within_for(
        LIMIT,
        "the count-only client's report",
        blast::count(&server.url(), Platform::Qq, n),
    )
    .await
    .unwrap();
    assert_eq!(report.frames, n);
    assert_eq!(report.bytes, blast.wire_bytes());
    let run = within_for(LIMIT, "the server's report of the run", server.next_run())
        .await
        .unwrap();
    assert_eq!(run.frames, n);
}
