//! Run the QQ gateway simulator and talk to it, with `botgate-sim` alone.
//!
//! Scripted run (exits by itself): `cargo run -p botgate-sim --example qq_sim`
//! Serve until Ctrl-C, for your own client: `cargo run -p botgate-sim --example qq_sim -- --serve`
//!
//! The sim binds `127.0.0.1:<free port>`, accepts the access token `sim-access-token`, holds
//! pushed events until a session is READY, and injects faults on demand. The scripted run plays
//! a client by hand with plain `tokio-tungstenite` (no botgate client code): Hello, Identify,
//! READY and the pushed event, a heartbeat and its ACK, then an injected op 7 Reconnect. The
//! sim's log records both directions, for assertions in your tests.

use std::time::Duration;

use botgate_sim::{Fault, QqConfig, QqSim, Record};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = QqConfig::default();
    let token = config.access_token.clone().unwrap_or_default();
    let sim = QqSim::start(config).await?;
    println!("QQ sim gateway: {}", sim.url());
    println!(
        "QQ sim HTTP   : {} (token, /gateway/bot, REST)",
        sim.http_base()
    );

    // Held until a session is READY, then dispatched with the next `s`.
    sim.push_event(
        "AT_MESSAGE_CREATE",
        json!({"id": "m1", "channel_id": "100010", "guild_id": "187",
               "content": "<@!6158788878435714165> hello", "author": {"id": "42"}}),
    );

    if std::env::args().any(|a| a == "--serve") {
        println!("identify with token \"QQBot {token}\"; Ctrl-C to stop");
        tokio::signal::ctrl_c().await?;
        println!("{} records logged", sim.log().len());
        return Ok(());
    }

    // The scripted run: a hand-written client.
    let (mut ws, _response) = tokio_tungstenite::connect_async(sim.url()).await?;
    let hello = recv(&mut ws).await?;
    println!(
        "heartbeat_interval: {} ms",
        hello["d"]["heartbeat_interval"]
    );

    let identify = json!({"op": 2, "d": {
        "token": format!("QQBot {token}"),
        "intents": 1 << 30, // PUBLIC_GUILD_MESSAGES
        "shard": [0, 1],
    }});
    ws.send(Message::text(identify.to_string())).await?;
    println!("-> Identify");
    let ready = recv(&mut ws).await?;
    println!("   session {}", ready["d"]["session_id"]);
    let event = recv(&mut ws).await?;
    println!("   content {}", event["d"]["content"]);

    ws.send(Message::text(json!({"op": 1, "d": event["s"]}).to_string()))
        .await?;
    println!("-> Heartbeat");
    recv(&mut ws).await?; // op 11

    // A fault, applied to every open connection: here the server asks for a reconnect.
    sim.inject(Fault::Reconnect);
    recv(&mut ws).await?; // op 7
    ws.close(None).await?;

    // Everything the sim saw and said is in its log.
    let log = sim.log().snapshot();
    let received = log
        .iter()
        .filter(|r| matches!(r, Record::Received { .. }))
        .count();
    let sent = log
        .iter()
        .filter(|r| matches!(r, Record::Sent { .. }))
        .count();
    println!(
        "sim log: {received} frames received, {sent} sent; identifies: {}, dispatches: {}",
        sim.identify_log().len(),
        sim.sent_dispatches().len()
    );
    Ok(())
}

/// Reads the next text frame (within 2 s, so a mistake cannot hang the example) and prints it.
async fn recv<S>(ws: &mut S) -> Result<Value, Error>
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(2), ws.next())
            .await?
            .ok_or("connection closed")??;
        if let Message::Text(text) = msg {
            let frame: Value = serde_json::from_str(&text)?;
            println!(
                "<- op {} {}",
                frame["op"],
                frame["t"].as_str().unwrap_or("")
            );
            return Ok(frame);
        }
    }
}
