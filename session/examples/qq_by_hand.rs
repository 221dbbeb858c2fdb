//! Drive the sans-IO QQ session by hand: no socket, no real clock, no tasks.
//!
//! Run: `cargo run -p botgate-session --example qq_by_hand`
//!
//! `qq::Session` is a state machine: you feed it what happened (`handle_connected`,
//! `handle_frame`, `handle_timeout`, `handle_closed`, each with the current instant) and drain
//! what it wants (`poll_transmit` for frames to send, `poll_event` for the application,
//! `poll_timeout` for its next timer). Here the "server" is a list of literal frames and the
//! clock is an `Instant` we advance ourselves, so a 41 s heartbeat takes no time at all.
//! Your own driver does the same with a real WebSocket and `tokio::time::sleep_until`.

use std::time::{Duration, Instant};

use botgate_session::qq::{Config, Session};
use botgate_session::{Outgoing, SessionEvent, SessionMachine};
use bytes::Bytes;
use url::Url;

/// An illustrative token; the session sends it in Identify / Resume, never in `Debug`.
const TOKEN: &str = "QQBot example-access-token";

const HELLO: &str = r#"{"op":10,"d":{"heartbeat_interval":41250}}"#;
const READY: &str = r#"{"op":0,"s":1,"t":"READY","d":{"version":1,"session_id":"sess-1","user":{"id":"6158788878435714165","username":"bot","bot":true},"shard":[0,1]}}"#;
const HEARTBEAT_ACK: &str = r#"{"op":11}"#;
const AT_MESSAGE: &str = r#"{"op":0,"s":2,"t":"AT_MESSAGE_CREATE","id":"AT_MESSAGE_CREATE:1","d":{"id":"m1","channel_id":"100010","guild_id":"187","content":"<@!6158788878435714165> hi","author":{"id":"42"}}}"#;
const RECONNECT: &str = r#"{"op":7}"#;
const RESUMED: &str = r#"{"op":0,"s":3,"t":"RESUMED","d":""}"#;

fn main() -> Result<(), url::ParseError> {
    // The virtual clock: a base instant plus however far we say time has moved.
    let mut now = Instant::now();
    let start = now;

    let url = Url::parse("wss://api.sgroup.qq.com/websocket")?;
    let intents = 1 << 30; // PUBLIC_GUILD_MESSAGES
    let mut config = Config::new(url, TOKEN, intents);
    config.seed = Some(7); // deterministic jitter, so every run prints the same
    let mut session = Session::new(config, now, None);

    // 1. The session wants a connection; we "open" it at once.
    if let Some((at, url)) = session.next_connect() {
        now = now.max(at);
        println!("[{:>5.1}s] connect to {url}", secs(start, now));
    }
    session.handle_connected(now);

    // 2. Hello → the session answers with Identify.
    feed(&mut session, now, start, HELLO);
    // 3. READY → the session is ready; the application gets `SessionEvent::Ready`.
    feed(&mut session, now, start, READY);

    // 4. Jump the clock to the session's timer: a heartbeat goes out; the server acknowledges.
    if let Some(deadline) = session.poll_timeout() {
        now = deadline;
        println!("[{:>5.1}s] timer fired", secs(start, now));
        session.handle_timeout(now);
        drain(&mut session, start, now);
    }
    feed(&mut session, now, start, HEARTBEAT_ACK);

    // 5. A dispatch reaches the application as a scanned frame (decode it with botgate-codec).
    now += Duration::from_millis(500);
    feed(&mut session, now, start, AT_MESSAGE);

    // 6. op 7: the server asks for a reconnect. The session sends a close; we close the socket
    //    and report it; the session plans a resume.
    feed(&mut session, now, start, RECONNECT);
    session.handle_closed(now, None, "closed by client");
    drain(&mut session, start, now);
    if let Some((at, url)) = session.next_connect() {
        now = now.max(at);
        println!("[{:>5.1}s] reconnect to {url}", secs(start, now));
    }
    session.handle_connected(now);
    feed(&mut session, now, start, HELLO); // → Resume (not Identify): the session id is kept
    feed(&mut session, now, start, RESUMED);

    // 7. Shut down for good.
    session.close(now);
    drain(&mut session, start, now);
    session.handle_closed(now, Some(1000), "");
    drain(&mut session, start, now);
    println!(
        "session id {:?}, last seq {}, ready {}",
        session.session_id(),
        session.last_seq(),
        session.is_ready()
    );
    Ok(())
}

/// Hands one server frame to the session, then prints everything it wants done.
fn feed(session: &mut Session, now: Instant, start: Instant, frame: &'static str) {
    println!("[{:>5.1}s] <- {frame}", secs(start, now));
    session.handle_frame(now, Bytes::from_static(frame.as_bytes()));
    drain(session, start, now);
}

/// Prints what the session transmits and the events it raises (a driver would send / deliver
/// them instead).
fn drain(session: &mut Session, start: Instant, now: Instant) {
    let t = secs(start, now);
    while let Some(out) = session.poll_transmit() {
        match out {
            // Identify and Resume carry the token: never print it as is.
            Outgoing::Text(text) => println!("[{t:>5.1}s] -> {}", text.replace(TOKEN, "<token>")),
            Outgoing::Close { code, reason } => println!("[{t:>5.1}s] -> close {code} {reason:?}"),
            other => println!("[{t:>5.1}s] -> {other:?}"),
        }
    }
    while let Some(event) = session.poll_event() {
        match event {
            SessionEvent::Ready(ready) => println!(
                "[{t:>5.1}s] event: ready, session {:?}, bot {:?}",
                ready.session_id, ready.bot_id
            ),
            SessionEvent::Dispatch(frame) => println!(
                "[{t:>5.1}s] event: dispatch s={:?} t={:?} ({} bytes of d)",
                frame.seq(),
                frame.event_type(),
                frame.data().map_or(0, <[u8]>::len)
            ),
            SessionEvent::Reconnecting { why, at, resume } => println!(
                "[{t:>5.1}s] event: reconnecting ({why:?}) at {:.1}s, resume {resume}",
                secs(start, at)
            ),
            other => println!("[{t:>5.1}s] event: {other:?}"),
        }
    }
}

/// Seconds of virtual time since the start.
fn secs(start: Instant, now: Instant) -> f64 {
    now.duration_since(start).as_secs_f64()
}
