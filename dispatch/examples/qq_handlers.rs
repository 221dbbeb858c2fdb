//! Route QQ frames to typed handlers with `botgate-dispatch` alone: no socket, no session.
//!
//! Run: `cargo run -p botgate-dispatch --example qq_handlers`
//!
//! Register handlers on a `QqHandlers` registry (what you register decides the intents to
//! identify with), wrap it in a `Dispatcher`, and feed it scanned frames. Each frame gets a
//! `Disposition`: accepted for its handlers, dropped undecoded because nobody handles its type,
//! dropped as a resend, not an event, or failed to decode (reported to `on_error`, like handler
//! errors). `DispatchStats` counts all of it.

use botgate_codec::Frame;
use botgate_dispatch::qq::QqHandlers;
use botgate_dispatch::{DispatchConfig, Dispatcher};

/// Frames as the session would hand them over (`SessionEvent::Dispatch`), one per line.
const FRAMES: &str = r#"{"op":0,"s":1,"t":"READY","d":{"version":1,"session_id":"s1","user":{"id":"6158788878435714165","bot":true},"shard":[0,1]}}
{"op":0,"s":2,"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:a1","d":{"id":"m1","channel_id":"100010","guild_id":"187","content":"<@!6158788878435714165> /天气 深圳","author":{"id":"42","username":"小明"}}}
{"op":0,"s":3,"t":"MESSAGE_REACTION_ADD","id":"MESSAGE_REACTION_ADD:r1","d":{"user_id":"42","channel_id":"100010","guild_id":"187","target":{"id":"m1","type":0},"emoji":{"id":"4","type":1}}}
{"op":0,"s":2,"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:a1","d":{"id":"m1","channel_id":"100010","guild_id":"187","content":"<@!6158788878435714165> /天气 深圳","author":{"id":"42","username":"小明"}}}
{"op":0,"s":4,"t":"C2C_MESSAGE_CREATE","id":"C2C_MESSAGE_CREATE:c1","d":{"id":"m2","content":"help","author":{"id":"E4F4","user_openid":"E4F4"}}}
{"op":0,"s":5,"t":"C2C_MESSAGE_CREATE","id":"C2C_MESSAGE_CREATE:c2","d":{"id":"m3","content":"/fail","author":{"id":"E4F4","user_openid":"E4F4"}}}
{"op":0,"s":6,"t":"C2C_MESSAGE_CREATE","id":"C2C_MESSAGE_CREATE:c3","d":"oops"}
{"op":11}"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), botgate_codec::Error> {
    let mut handlers = QqHandlers::new();
    handlers
        // Guild @-messages: the payload arrives typed (`botgate_proto::qq::Message`).
        .on_at_message_create(|ctx, msg| async move {
            println!(
                "  [handler] s={:?} guild {} channel {} from {}: {:?}",
                ctx.seq(),
                msg.guild_id,
                msg.channel_id,
                msg.author.username.as_deref().unwrap_or("?"),
                msg.content
            );
            Ok(())
        })
        // Private (C2C) messages; a handler error goes to `on_error`, the bot carries on.
        .on_c2c_message_create(|ctx, msg| async move {
            if msg.content == "/fail" {
                return Err(format!("cannot handle message {}", msg.id).into());
            }
            println!(
                "  [handler] s={:?} user {}: {:?}",
                ctx.seq(),
                msg.author.user_openid,
                msg.content
            );
            Ok(())
        })
        .on_error(|err| println!("  [on_error] {err}"));
    // READY and MESSAGE_REACTION_ADD have no handler: they need no intent and are never decoded.
    println!(
        "intents: {} {:?}",
        handlers.intents().bits(),
        handlers.intents().names()
    );

    let dispatcher = Dispatcher::new(handlers, DispatchConfig::default());
    for line in FRAMES.lines() {
        let frame = Frame::scan(line.as_bytes().to_vec())?;
        let seq = frame
            .seq()
            .map_or_else(|| "-".to_owned(), |s| s.to_string());
        let label = frame.event_type().unwrap_or("-").to_owned();
        let disposition = dispatcher.dispatch(frame).await;
        println!("s={seq:<2} {label:<22} -> {disposition:?}");
        // Let this frame's handlers finish before the next line, so the output reads in order.
        // (A real bot does not wait: lanes keep each conversation in order on their own.)
        dispatcher.idle().await;
    }

    dispatcher.shutdown().await;
    println!("{:#?}", dispatcher.stats());
    Ok(())
}
