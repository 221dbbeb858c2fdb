//! The QQ webhook reads the envelope as strictly as the gateway (decision 0078): a signed body
//! whose `op` is a string (`"op":"0"`) is answered 400 with the reason, and never reaches a
//! handler. Before, it was acknowledged with op 12 (QQ does not send it again) and then
//! dropped by the pump's `Frame::scan`: an event lost without a 4xx.
//!
//! Real HTTP/1.1 requests on 127.0.0.1, signed with the bot secret's Ed25519 key; every wait
//! is bounded (`botgate_testkit::within`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use botgate::transport::webhook::QqKey;
use botgate::{Bot, QqHandlers};
use botgate_testkit::within;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const APP_ID: &str = "102000001";
const SECRET: &str = "DG5g3B4j9X2KOErG";

/// POSTs `body` to `addr` `/qq`, signed (timestamp now); returns the status and the body.
async fn post_signed(addr: std::net::SocketAddr, body: &str) -> (u16, String) {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    // The validation signature is over `event_ts + plain_token`: the same bytes as a
    // delivery's `timestamp + body`.
    let signature = QqKey::from_secret(SECRET)
        .unwrap()
        .sign_validation(&ts, body);
    let request = format!(
        "POST /qq HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-bot-appid: {APP_ID}\r\nx-signature-timestamp: {ts}\r\n\
         x-signature-ed25519: {signature}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    within("the answer", stream.read_to_string(&mut answer))
        .await
        .unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn c2c(id: &str, op: &str) -> String {
    format!(
        r#"{{"op":{op},"id":"C2C_MESSAGE_CREATE:{id}","t":"C2C_MESSAGE_CREATE","d":{{"id":"{id}","content":"hi","author":{{"user_openid":"U1"}},"timestamp":"2026-11-25T20:00:00+08:00"}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_string_op_is_answered_400_and_never_dispatched() {
    let seen = Arc::new(AtomicU64::new(0));
    let mut handlers = QqHandlers::new();
    let s = Arc::clone(&seen);
    handlers.on_c2c_message_create(move |_, _| {
        s.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let bot = Bot::qq_webhook(APP_ID, SECRET)
        .bind("127.0.0.1:0")
        .path("/qq")
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let addr = bot.local_addr();

    for op in [r#""0""#, r#"" 0 ""#, r#""13""#, "0.0", "-1", "null"] {
        let (status, body) = post_signed(addr, &c2c("m-bad", op)).await;
        assert_eq!(status, 400, "op {op}: {body}");
        assert!(
            body.contains("`op`"),
            "op {op}: the reason is named: {body}"
        );
    }
    // The same event with an integer op goes through, and proves the pump is past the others.
    let (status, body) = post_signed(addr, &c2c("m-good", "0")).await;
    assert_eq!((status, body.as_str()), (200, r#"{"op":12}"#));
    within("the good event", async {
        while seen.load(Ordering::SeqCst) < 1 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;

    let web = bot.stats();
    assert_eq!((web.delivered, web.malformed), (1, 6), "{web:?}");
    let stats = bot.dispatcher().stats();
    assert_eq!(
        stats.frames, 1,
        "only the integer op reached the dispatcher"
    );
    bot.shutdown().await;
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
