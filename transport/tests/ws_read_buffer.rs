//! Messages far larger than the read buffers (tokio-util's 8 KiB, and the burst buffer of the
//! `read_buffer_size` option, decision 0039) arrive whole and in order, on both the client and
//! the listener, whether bursts are read through that buffer or not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions, Listener, ListenerConfig, Message};

#[tokio::test]
async fn messages_larger_than_the_read_buffer_arrive_whole() {
    // 1 KiB: no burst buffer (below the 8 KiB the WebSocket layer reads into); the default
    // 4 MiB; 20 KiB, smaller than one message.
    for size in [1024, ws::DEFAULT_READ_BUFFER_SIZE, 20 << 10] {
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
fn the_default_burst_reads_are_4_mib_for_a_client_64_kib_for_a_listener_and_have_a_floor() {
    assert_eq!(ws::DEFAULT_READ_BUFFER_SIZE, 4 << 20);
    assert_eq!(ws::DEFAULT_LISTENER_READ_BUFFER_SIZE, 64 << 10);
    assert!(ListenerConfig::default().read_buffer_size == ws::DEFAULT_LISTENER_READ_BUFFER_SIZE);
    let text = format!("{:?}", ConnectOptions::new().read_buffer_size(1));
    assert!(text.contains("read_buffer_size: 1024"), "{text}");
}
