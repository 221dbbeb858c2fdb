//! Messages far larger than the read buffer (tokio-util's 8 KiB; the `read_buffer_size` option
//! is kept but unused since decision 0030) arrive whole and in order, on both the client and
//! the listener.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use botgate_testkit::within;
use botgate_transport::ws::{self, ConnectOptions, Listener, ListenerConfig, Message};

#[tokio::test]
async fn messages_larger_than_the_read_buffer_arrive_whole() {
    let config = ListenerConfig {
        read_buffer_size: 1024,
        ..Default::default()
    };
    let mut l = Listener::bind("127.0.0.1:0", config).await.unwrap();
    let url = format!("ws://{}/", l.local_addr());
    let options = ConnectOptions::new().read_buffer_size(1024);
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
fn the_default_read_buffer_is_small_and_the_option_has_a_floor() {
    assert_eq!(ws::DEFAULT_READ_BUFFER_SIZE, 4096);
    assert!(ListenerConfig::default().read_buffer_size == ws::DEFAULT_READ_BUFFER_SIZE);
    let text = format!("{:?}", ConnectOptions::new().read_buffer_size(1));
    assert!(text.contains("read_buffer_size: 1024"), "{text}");
}
