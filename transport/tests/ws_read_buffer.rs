//! Messages far larger than the read buffers (tokio-util's 8 KiB, and the burst buffer of the
//! `read_buffer_size` option, decision 0039) arrive whole and in order, on both the client and
//! the listener, whether bursts are read through that buffer or not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions, Listener, ListenerConfig, Message};

#[tokio::test]
async fn messages_larger_than_the_read_buffer_arrive_whole() {
    // 1 KiB: no burst buffer (below the 8 KiB the WebSocket layer reads into); the default
    // the two defaults; 20 KiB, smaller than one message.
    for size in [
        1024,
        ws::DEFAULT_READ_BUFFER_SIZE,
        ws::CURRENT_THREAD_READ_BUFFER_SIZE,
        20 << 10,
    ] {
        exchange_large_messages(size).await;
    }
}

async fn exchange_large_messages(read_buffer_size: usize) {
    let config = ListenerConfig {
        read_buffer_size,
        ..Default::default()
    };
    let mut l = Listener::bind("127.0.0.1:0", config).await.unwrap();
    let url = format!("ws://{}/", l.local_addr());
    let options = ConnectOptions::new().read_buffer_size(read_buffer_size);
    let mut client = within("the connect", ws::connect(&url, &options))
        .await
        .unwrap();
    let (mut server, _) = within("the accept", l.accept()).await.unwrap();
    let big: Vec<String> = (0..3)
        .map(|i| format!("{{\"n\":{i},\"text\":\"{}\"}}", "消息".repeat(20_000 + i)))
        .collect();
    for text in &big {
        server.send_text(text.clone()).await.unwrap();
    }
    for text in &big {
        let got = within("the client's next message", client.recv())
            .await
            .unwrap();
        assert_eq!(got, Some(Message::Text(text.clone().into())));
        client.send_text(text.clone()).await.unwrap();
        let back = within("the server's next message", server.recv())
            .await
            .unwrap();
        assert_eq!(back, Some(Message::Text(text.clone().into())));
    }
}

#[test]
fn the_default_burst_reads_follow_the_runtime_a_listener_keeps_64_kib_and_there_is_a_floor() {
    assert_eq!(ws::DEFAULT_READ_BUFFER_SIZE, 256 << 10);
    assert_eq!(ws::CURRENT_THREAD_READ_BUFFER_SIZE, 4 << 20);
    assert_eq!(ws::DEFAULT_LISTENER_READ_BUFFER_SIZE, 64 << 10);
    assert!(ListenerConfig::default().read_buffer_size == ws::DEFAULT_LISTENER_READ_BUFFER_SIZE);
    let options = ConnectOptions::new();
    // Outside any runtime, and on a multi-thread one: the smaller reads.
    assert_eq!(
        options.effective_read_buffer_size(),
        ws::DEFAULT_READ_BUFFER_SIZE
    );
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    assert_eq!(
        multi.block_on(async { options.effective_read_buffer_size() }),
        ws::DEFAULT_READ_BUFFER_SIZE
    );
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(
        current.block_on(async { options.effective_read_buffer_size() }),
        ws::CURRENT_THREAD_READ_BUFFER_SIZE
    );
    // Set: whatever the runtime, with a floor.
    let set = ConnectOptions::new().read_buffer_size(1);
    assert_eq!(
        current.block_on(async { set.effective_read_buffer_size() }),
        1024
    );
    let text = format!("{set:?}");
    assert!(text.contains("read_buffer_size: Some(1024)"), "{text}");
}
