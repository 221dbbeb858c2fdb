//! A WebSocket client with `botgate-transport` alone: connect, read, send, close.
//!
//! Against an in-process OneBot simulator (exits by itself):
//! `cargo run -p botgate-transport --example ws_client`
//! Against your own server (prints up to 5 messages, stops early on a close or after 10 s of
//! silence; the optional token is sent as a Bearer header):
//! `cargo run -p botgate-transport --example ws_client -- ws://127.0.0.1:3001/ [token]`
//!
//! The simulator comes from `botgate-sim`, a dev-dependency of this crate: the example uses it
//! so it runs without any outside service; your program needs only the URL of a real server.

use std::time::Duration;

use botgate_sim::{OneBotConfig, OneBotSim};
use botgate_transport::ws::{self, ConnectOptions, Message, WsStream};
use botgate_transport::Secret;
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    if let Some(url) = args.next() {
        return print_messages(&url, args.next(), 5).await;
    }

    // A OneBot v11 implementation on 127.0.0.1 that wants an access token.
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("example-token".into()),
        ..OneBotConfig::default()
    })
    .await?;
    println!("OneBot sim at {}", sim.url());

    // Without the token the server accepts the upgrade, then closes with 1008 (Waylay's way).
    let mut stream = ws::connect(sim.url(), &ConnectOptions::new()).await?;
    println!("no token   : {}", describe(stream.recv().await?));

    // With it: `Secret` keeps the token out of `Debug`; an idle timeout bounds every read.
    let options = ConnectOptions::new()
        .bearer(Secret::new("example-token"))
        .connect_timeout(Duration::from_secs(2))
        .idle_timeout(Some(Duration::from_secs(2)));
    let mut stream = ws::connect(sim.url(), &options).await?;
    println!("connected  : peer {:?}", stream.peer_addr());
    println!("first      : {}", describe(stream.recv().await?)); // the lifecycle meta event

    // An event pushed by the server side...
    sim.push_event(
        json!({"post_type": "message", "message_type": "private", "sub_type": "friend",
        "message_id": 1, "user_id": 42, "message": "hi", "raw_message": "hi", "font": 0,
        "sender": {"user_id": 42, "nickname": "alice"}}),
    );
    println!("event      : {}", describe(stream.recv().await?));

    // ...and an action sent by us; the answer carries our `echo`.
    let action = json!({"action": "get_login_info", "params": {}, "echo": "req-1"});
    stream.send_text(action.to_string()).await?;
    println!("response   : {}", describe(stream.recv().await?));

    // A clean close: send ours, then read until the peer has closed too.
    stream.close(1000, "bye").await?;
    while let Some(message) = stream.recv().await? {
        println!("after close: {}", describe(Some(message)));
    }
    println!("closed");
    Ok(())
}

/// Connects to `url` and prints up to `limit` messages (stops early when the peer closes).
async fn print_messages(url: &str, token: Option<String>, limit: usize) -> Result<(), Error> {
    let mut options = ConnectOptions::new().idle_timeout(Some(Duration::from_secs(10)));
    if let Some(token) = token {
        options = options.bearer(Secret::new(token));
    }
    let mut stream: WsStream = ws::connect(url, &options).await?;
    for _ in 0..limit {
        let message = stream.recv().await?;
        let done = !matches!(message, Some(Message::Text(_) | Message::Binary(_)));
        println!("{}", describe(message));
        if done {
            return Ok(());
        }
    }
    stream.close(1000, "done").await?;
    Ok(())
}

/// One line about a received message.
fn describe(message: Option<Message>) -> String {
    match message {
        Some(Message::Text(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Some(Message::Binary(bytes)) => format!("<{} binary bytes>", bytes.len()),
        Some(Message::Close { code, reason }) => format!("close {code:?} {reason:?}"),
        Some(other) => format!("{other:?}"),
        None => "connection closed".to_owned(),
    }
}
