//! The QQ bot over loopback against `QqSim`: intents from handlers, no decode for unhandled
//! events, per-conversation order under concurrency, panics contained, backpressure without
//! loss, and one shared access token, refreshed across reconnects.
//!
//! Synchronisation is by sim logs, lifecycle / status watch channels, barriers and semaphores;
//! every wait is bounded (`botgate_testkit::within`): a bug fails the test, it does not hang.

use std::sync::{Arc, Mutex};

use botgate::dispatch::{BotErrorKind, DispatchConfig};
use botgate::session::driver::DriverConfig;
use botgate::{Bot, Intents, OutMessage, QqHandlers};
use botgate_sim::{Fault, QqConfig, QqSim, Record};
use botgate_testkit::{within, Seen};
use serde_json::{json, Value};
use tokio::sync::{Barrier, Semaphore};

#[path = "support/qq_bot.rs"]
mod qq_bot;
use qq_bot::bot_for;

/// A unified handler's optional intents (decision 0054): dropped one per refusal (4014), DMs
/// before group / C2C. A public guild bot ends with 1<<30 and gets its @-messages; a group bot
/// without DMs keeps group / C2C (review of stop 30: all were dropped at once); one granted
/// both keeps both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unified_handlers_optional_intents_are_dropped_when_refused_and_kept_when_granted() {
    let public = (1 << 0) | (1 << 1) | (1 << 30);
    let (group, dm) = (1 << 25, 1 << 12);
    for (granted, refusals, kept) in [
        (public, 2, 1 << 30),
        (public | group, 1, (1 << 30) | group),
        (public | group | dm, 0, (1 << 30) | group | dm),
    ] {
        let sim = QqSim::start(QqConfig {
            allowed_intents: granted,
            ..Default::default()
        })
        .await
        .unwrap();
        let seen = Seen::new();
        let mut handlers = QqHandlers::new();
        let s = seen.clone();
        handlers.on_message(botgate::Filter::new(), move |_, ev| {
            s.push(ev.message_id.clone().unwrap_or_default());
            async { Ok(()) }
        });
        let builder = bot_for(&sim).handlers(handlers);
        let first = builder.effective_intents().bits();
        assert_eq!(first, (1 << 30) | dm | group);
        assert_eq!(builder.optional_intents().bits(), dm | group);
        let bot = builder.start().await.unwrap();
        within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
            .await
            .unwrap();
        let identify = sim.identify_log();
        assert_eq!(identify.len(), 1 + refusals, "{granted:#x}: {identify:?}");
        assert_eq!(identify[0]["intents"], json!(first));
        assert_eq!(sim.sessions()[0].intents, kept, "{granted:#x}");
        sim.push_event("AT_MESSAGE_CREATE", at_message("1", "after"));
        let got = within("the @-message", seen.wait_len(1)).await;
        assert_eq!(got, vec!["msg-1-after".to_owned()]);
        assert_eq!(bot.lifecycle().borrow().readies, 1);
        within("shutdown", bot.shutdown()).await.unwrap();
    }
}

/// Review of stop 30: gateway discovery went around the OpenAPI client: one 502 from
/// `/gateway/bot` failed `start()`. It is retried now, and a refusal names QQ's code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_discovery_retries_a_server_error_and_reports_qqs_code() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    sim.inject_http(botgate_sim::HttpFault::status(502).on("/gateway/bot"));
    let bot = bot_for(&sim)
        .handlers(QqHandlers::new())
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let statuses: Vec<u16> = sim
        .requests("GET", "/gateway/bot")
        .iter()
        .filter_map(|r| match r {
            Record::Http { status, .. } => Some(*status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, vec![502, 200]);
    within("shutdown", bot.shutdown()).await.unwrap();

    sim.inject_http(
        botgate_sim::HttpFault::status(403)
            .code(11_298)
            .message("bot suspended")
            .on("/gateway/bot"),
    );
    let Err(err) = bot_for(&sim).start().await else {
        panic!("a refused discovery must fail start()");
    };
    let chain = {
        let mut s = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(e) = source {
            s.push_str(" / ");
            s.push_str(&e.to_string());
            source = e.source();
        }
        s
    };
    assert!(chain.contains("11298"), "{chain}");
}

/// An `AT_MESSAGE_CREATE` payload in channel `channel` carrying `text`.
fn at_message(channel: &str, text: &str) -> Value {
    json!({
        "id": format!("msg-{channel}-{text}"),
        "channel_id": channel,
        "guild_id": "18700000000001",
        "content": text,
        "timestamp": "2026-11-25T20:00:00+08:00",
        "author": {"id": "1001", "username": "小明", "bot": false},
    })
}

/// Intents in Identify are the union of the registered handlers' intents, for several sets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identify_sends_the_intents_of_the_registered_handlers() {
    type Register = fn(&mut QqHandlers);
    let cases: [(&str, Register, u32); 5] = [
        (
            "AT_MESSAGE_CREATE + GUILD_MEMBER_ADD",
            |h| {
                h.on_at_message_create(|_, _| async { Ok(()) })
                    .on_guild_member_add(|_, _| async { Ok(()) });
            },
            1_073_741_826, // PUBLIC_GUILD_MESSAGES (1 << 30) | GUILD_MEMBERS (1 << 1)
        ),
        (
            "GROUP_AT_MESSAGE_CREATE + C2C_MESSAGE_CREATE",
            |h| {
                h.on_group_at_message_create(|_, _| async { Ok(()) })
                    .on_c2c_message_create(|_, _| async { Ok(()) });
            },
            1 << 25, // GROUP_AND_C2C_EVENT
        ),
        (
            "MESSAGE_CREATE + DIRECT_MESSAGE_CREATE + MESSAGE_REACTION_ADD + READY",
            |h| {
                h.on_message_create(|_, _| async { Ok(()) })
                    .on_direct_message_create(|_, _| async { Ok(()) })
                    .on_message_reaction_add(|_, _| async { Ok(()) })
                    .on_ready(|_, _| async { Ok(()) }); // READY needs no intent
            },
            (1 << 9) | (1 << 12) | (1 << 10),
        ),
        (
            "GUILD_CREATE + CHANNEL_DELETE + AT_MESSAGE_CREATE + PUBLIC_MESSAGE_DELETE",
            |h| {
                h.on_guild_create(|_, _| async { Ok(()) })
                    .on_channel_delete(|_, _| async { Ok(()) })
                    .on_at_message_create(|_, _| async { Ok(()) })
                    .on_public_message_delete(|_, _| async { Ok(()) });
            },
            (1 << 0) | (1 << 30), // GUILDS | PUBLIC_GUILD_MESSAGES
        ),
        (
            // botgo's IntentEnterAIO (1 << 23): the sim refused it with 4013 (fatal).
            "ENTER_AIO + SUBSCRIBE_MESSAGE_STATUS",
            |h| {
                h.on_enter_aio(|_, _| async { Ok(()) })
                    .on_subscribe_message_status(|_, _| async { Ok(()) });
            },
            (1 << 23) | (1 << 25), // ENTER_AIO | GROUP_AND_C2C_EVENT
        ),
    ];
    for (name, register, expected) in cases {
        let sim = QqSim::start(QqConfig::default()).await.unwrap();
        let mut handlers = QqHandlers::new();
        register(&mut handlers);
        let builder = bot_for(&sim).handlers(handlers);
        assert_eq!(
            builder.effective_intents().bits(),
            expected,
            "{name}: computed"
        );
        let bot = builder.start().await.unwrap();
        within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
            .await
            .unwrap();
        let identify = sim.identify_log();
        assert_eq!(identify.len(), 1, "{name}: one Identify");
        assert_eq!(
            identify[0]["intents"],
            json!(expected),
            "{name}: on the wire"
        );
        assert_eq!(
            sim.sessions()[0].intents,
            expected,
            "{name}: as the sim recorded"
        );
        within("shutdown", bot.shutdown()).await.unwrap();
    }
    // An explicit override wins over the handlers.
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(|_, _| async { Ok(()) });
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let forced = Intents::PUBLIC_GUILD_MESSAGES | Intents::DIRECT_MESSAGE;
    let bot = bot_for(&sim)
        .handlers(handlers)
        .intents(forced)
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    assert_eq!(sim.identify_log()[0]["intents"], json!(forced.bits()));
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// Events nobody handles are counted and dropped without their payload being parsed: their
/// payloads here are deliberately undecodable, and no decode error appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhandled_event_types_are_never_decoded() {
    let sim = QqSim::start(QqConfig {
        filter_by_intents: false, // deliver everything, covered by intents or not
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let errors = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_at_message_create(move |_, msg| {
            let seen = seen.clone();
            async move {
                seen.push(msg.content);
                Ok(())
            }
        });
    }
    {
        let errors = errors.clone();
        handlers.on_error(move |e| errors.push(e.to_string()));
    }
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    // Unhandled types, including ones in the handled intent group, with payloads that would
    // fail to decode if anyone tried.
    let unhandled: [(&str, Value); 5] = [
        ("MESSAGE_CREATE", json!("not an object")),
        (
            "PUBLIC_MESSAGE_DELETE",
            json!({"message": 5, "op_user": []}),
        ),
        ("GUILD_CREATE", json!(42)),
        ("C2C_MESSAGE_CREATE", json!([1, 2, 3])),
        ("SOME_FUTURE_EVENT", json!({"anything": true})),
    ];
    sim.push_event("AT_MESSAGE_CREATE", at_message("1", "one"));
    for (t, d) in &unhandled[..3] {
        sim.push_event(t, d.clone());
    }
    sim.push_event("AT_MESSAGE_CREATE", at_message("1", "two"));
    for (t, d) in &unhandled[3..] {
        sim.push_event(t, d.clone());
    }
    // The last frame is handled: once it is seen, the pump has dispatched every earlier one.
    sim.push_event("AT_MESSAGE_CREATE", at_message("1", "three"));
    assert_eq!(seen.wait_len(3).await, ["one", "two", "three"]);
    within("idle", bot.dispatcher().idle()).await;

    let stats = bot.dispatcher().stats();
    assert_eq!(
        stats.decoded, 3,
        "only the handled events were decoded: {stats:?}"
    );
    assert_eq!(stats.decode_errors, 0, "{stats:?}");
    assert_eq!(stats.accepted, 3, "{stats:?}");
    assert_eq!(stats.handled, 3, "{stats:?}");
    // READY reaches the dispatcher too, and nobody handles it here.
    assert_eq!(stats.unhandled, unhandled.len() as u64 + 1, "{stats:?}");
    assert_eq!(stats.frames, 3 + unhandled.len() as u64 + 1, "{stats:?}");
    assert!(
        errors.now().is_empty(),
        "no error reported: {:?}",
        errors.now()
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A deterministic per-message pseudo-random number (xorshift), for handler jitter.
fn jitter(channel: usize, index: usize) -> u64 {
    let mut x = (channel as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (index as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// Many channels, each a sequence of messages; handlers yield a random number of times. Each
/// channel's order holds, everything is delivered once, and channels really run concurrently
/// (the first message of several channels meets at a barrier, which a serial dispatcher could
/// never pass).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_per_channel_holds_under_concurrency() {
    const CHANNELS: usize = 16;
    const PER_CHANNEL: usize = 25;
    const MEET: usize = 8;
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let per_channel: Arc<Mutex<Vec<Vec<usize>>>> = Arc::new(Mutex::new(vec![Vec::new(); CHANNELS]));
    let total = Seen::new();
    let barrier = Arc::new(Barrier::new(MEET));
    let mut handlers = QqHandlers::new();
    {
        let per_channel = Arc::clone(&per_channel);
        let total = total.clone();
        handlers.on_at_message_create(move |_, msg| {
            let per_channel = Arc::clone(&per_channel);
            let total = total.clone();
            let barrier = Arc::clone(&barrier);
            async move {
                let (c, i) = msg
                    .content
                    .split_once('/')
                    .map(|(c, i)| (c.parse::<usize>().unwrap(), i.parse::<usize>().unwrap()))
                    .unwrap();
                if i == 0 && c < MEET {
                    barrier.wait().await;
                }
                for _ in 0..jitter(c, i) % 8 {
                    tokio::task::yield_now().await;
                }
                per_channel.lock().unwrap()[c].push(i);
                total.push((c, i));
                Ok(())
            }
        });
    }
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    for i in 0..PER_CHANNEL {
        for c in 0..CHANNELS {
            sim.push_event(
                "AT_MESSAGE_CREATE",
                at_message(&format!("2000{c}"), &format!("{c}/{i}")),
            );
        }
    }
    let all = total.wait_len(CHANNELS * PER_CHANNEL).await;
    within("idle", bot.dispatcher().idle()).await;
    assert_eq!(all.len(), CHANNELS * PER_CHANNEL);
    let expected: Vec<usize> = (0..PER_CHANNEL).collect();
    for (c, order) in per_channel.lock().unwrap().iter().enumerate() {
        assert_eq!(order, &expected, "channel {c}");
    }
    let stats = bot.dispatcher().stats();
    assert_eq!(stats.handled, (CHANNELS * PER_CHANNEL) as u64, "{stats:?}");
    assert_eq!(stats.duplicates, 0, "{stats:?}");
    // Interleaving across channels happened (handled order differs from push order).
    let push_order: Vec<(usize, usize)> = (0..PER_CHANNEL)
        .flat_map(|i| (0..CHANNELS).map(move |c| (c, i)))
        .collect();
    assert_ne!(
        all, push_order,
        "no interleaving at all: channels ran serially"
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A handler that panics is reported to `on_error` with the event type and the message; the
/// same conversation's later events are still handled and the session stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_does_not_stop_the_bot() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let seen = Seen::new();
    let errors: Seen<BotErrorKind> = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_at_message_create(move |_, msg| {
            let seen = seen.clone();
            async move {
                if msg.content == "boom" {
                    panic!("handler exploded on purpose");
                }
                seen.push(msg.content);
                Ok(())
            }
        });
    }
    {
        let errors = errors.clone();
        handlers.on_error(move |e| errors.push(e.kind().clone()));
    }
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    for text in ["before", "boom", "after", "later"] {
        sim.push_event("AT_MESSAGE_CREATE", at_message("30001", text));
    }
    assert_eq!(seen.wait_len(3).await, ["before", "after", "later"]);
    within("idle", bot.dispatcher().idle()).await;
    assert_eq!(
        errors.now(),
        [BotErrorKind::Panic {
            event_type: "AT_MESSAGE_CREATE".into(),
            message: "handler exploded on purpose".into(),
        }]
    );
    let stats = bot.dispatcher().stats();
    assert_eq!((stats.panics, stats.handled), (1, 3), "{stats:?}");
    let life = life.borrow().clone();
    assert_eq!((life.stopped, life.reconnects), (None, 0));
    // Still alive: a new event after the panic goes through.
    sim.push_event("AT_MESSAGE_CREATE", at_message("30002", "still here"));
    assert_eq!(seen.wait_len(4).await[3], "still here");
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A blocked handler fills the dispatcher (max_pending 2) and the driver's event channel
/// (capacity 2): the driver stops reading the socket while the sim has written everything.
/// Released, every event is delivered exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_backpressures_the_socket_without_loss() {
    const N: usize = 200;
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let entered = Seen::new();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let (gate, entered, seen) = (Arc::clone(&gate), entered.clone(), seen.clone());
        handlers.on_at_message_create(move |_, msg| {
            let (gate, entered, seen) = (Arc::clone(&gate), entered.clone(), seen.clone());
            async move {
                entered.push(());
                gate.acquire().await?.forget();
                seen.push(msg.content.parse::<usize>()?);
                Ok(())
            }
        });
    }
    let bot = bot_for(&sim)
        .handlers(handlers)
        .dispatch_config(DispatchConfig {
            max_in_flight: 1,
            max_pending: 2,
            dedupe_window: 16,
        })
        .driver_config(DriverConfig::default().event_capacity(2))
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    for i in 0..N {
        sim.push_event("AT_MESSAGE_CREATE", at_message("40001", &i.to_string()));
    }
    let mut status = bot.driver().status();
    within("backpressure", status.wait_for(|s| s.backpressured))
        .await
        .unwrap();
    // The sim has written every dispatch (READY + N) ...
    within(
        "the sim to write every dispatch",
        sim.log().wait_count(
            N + 1,
            |r| matches!(r, Record::Sent { frame, .. } if frame["op"] == 0),
        ),
    )
    .await;
    // ... but the driver has read only a handful, and keeps not reading.
    let read = bot.driver().stats().frames_in;
    let written = sim.log().sent().len() as u64;
    assert!(
        read + (N as u64) / 2 < written,
        "the reader should stall: read {read} of {written} written"
    );
    assert!(bot.driver().status().borrow().backpressured);
    assert_eq!(entered.now().len(), 1, "max_in_flight 1: one handler runs");
    assert!(seen.now().is_empty());
    assert!(bot.dispatcher().pending() <= 2);

    gate.add_permits(N);
    let all = seen.wait_len(N).await;
    assert_eq!(all, (0..N).collect::<Vec<_>>(), "exactly once, in order");
    within("idle", bot.dispatcher().idle()).await;
    within(
        "the reader to resume",
        status.wait_for(|s| !s.backpressured),
    )
    .await
    .unwrap();
    let stats = bot.dispatcher().stats();
    assert_eq!(
        (stats.handled, stats.duplicates),
        (N as u64, 0),
        "{stats:?}"
    );
    assert!(
        bot.driver().stats().frames_in > N as u64,
        "READY + N dispatches read"
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// Handlers that answer every `AT_MESSAGE_CREATE` with `echo: <content>` and record
/// `(content, reply succeeded)` once the reply is done.
fn echo_handlers(seen: &Seen<(String, bool)>) -> QqHandlers {
    let mut handlers = QqHandlers::new();
    let seen = seen.clone();
    handlers.on_at_message_create(move |ctx, msg| {
        let seen = seen.clone();
        async move {
            let sent = ctx
                .reply(OutMessage::from(format!("echo: {}", msg.content)))
                .await;
            seen.push((String::from(msg.content), sent.is_ok()));
            Ok(())
        }
    });
    handlers
}

/// `(status, Authorization)` of every reply the sim received in channel `channel`.
fn replies(sim: &QqSim, channel: &str) -> Vec<(u16, String)> {
    sim.requests("POST", &format!("/channels/{channel}/messages"))
        .iter()
        .map(|r| match r {
            Record::Http {
                status, headers, ..
            } => (
                *status,
                headers
                    .iter()
                    .find(|(k, _)| k == "authorization")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            ),
            other => panic!("not an HTTP record: {other:?}"),
        })
        .collect()
}

/// `QQBot <issued token n>`, as Identify / Resume / `Authorization` carry it.
fn issued(sim: &QqSim, n: usize) -> String {
    let tokens = sim.issued_tokens();
    let token = tokens
        .get(n)
        .unwrap_or_else(|| panic!("token #{n} was not issued: {tokens:?}"));
    format!("QQBot {token}")
}

/// With app id + secret and a short-lived token: a token the platform stopped accepting is
/// replaced once (here by the reply that got 401), and the gateway resumes with that same
/// replacement instead of fetching its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_access_token_is_refreshed_and_the_session_resumes() {
    let sim = QqSim::start(QqConfig {
        // Well inside the session's 60 s refresh margin (it asks for a token at the reconnect),
        // and long enough that the replacement is still fresh when it does.
        token_expires_in: 5,
        access_token: None, // only tokens issued by the token endpoint are accepted
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let bot = bot_for(&sim)
        .handlers(echo_handlers(&seen))
        .start()
        .await
        .unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    assert_eq!(sim.identify_log()[0]["token"], issued(&sim, 0));
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "before"));
    seen.wait_len(1).await;

    // The token is now dead for the sim: the next reply gets 401 and refreshes it.
    sim.expire_tokens();
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "expired"));
    seen.wait_len(2).await;
    let fresh = issued(&sim, 1);
    assert_eq!(
        replies(&sim, "50001"),
        [
            (200, issued(&sim, 0)),
            (401, issued(&sim, 0)),
            (200, fresh.clone())
        ]
    );

    sim.inject(Fault::Drop);
    within("the reconnect", life.wait_for(|l| l.reconnects >= 1))
        .await
        .unwrap();
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "while away"));
    let resumed = within("RESUMED", life.wait_for(|l| l.resumes >= 1))
        .await
        .map(|l| l.clone());
    assert!(
        resumed.is_ok(),
        "bot stopped: {:?}\nissued {:?}\nidentify {:?}\nresume {:?}",
        life.borrow(),
        sim.issued_tokens(),
        sim.identify_log(),
        sim.resume_log()
    );
    let resume = sim.resume_log();
    assert_eq!(resume.len(), 1);
    assert_eq!(
        resume[0]["token"], fresh,
        "resumed with the reply's refresh"
    );
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "after"));
    let seen = seen.wait_len(4).await;
    let texts: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, ["before", "expired", "while away", "after"]);
    assert!(seen.iter().all(|(_, ok)| *ok), "every reply sent: {seen:?}");
    assert_eq!(sim.issued_tokens().len(), 2, "one refresh, one fetch");
    let life = life.borrow().clone();
    assert_eq!(
        (life.readies, life.stopped),
        (1, None),
        "resumed, not re-identified"
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A 1 s token and a drop: the session comes back at once (a healthy session has no backoff)
/// and, the token's expiry being inside the 60 s margin, asks for a token first, so the Resume
/// carries a live one: no 4004, no fatal stop, at most the one refresh. (That the request is
/// made when a backoff ends, not at the drop, is `a_short_lived_token_is_requested_when_the_
/// backoff_ends_not_when_the_link_drops` on the virtual clock.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_second_token_and_a_drop_the_session_resumes_with_a_live_token() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 1,
        access_token: None,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_at_message_create(move |_, msg| {
            let seen = seen.clone();
            async move {
                seen.push(msg.content);
                Ok(())
            }
        });
    }
    let bot = bot_for(&sim).handlers(handlers).start().await.unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    assert_eq!(sim.identify_log()[0]["token"], issued(&sim, 0));
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "before"));
    seen.wait_len(1).await;

    sim.inject(Fault::Drop);
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "while away"));
    let resumed = within(
        "RESUMED or a stop",
        life.wait_for(|l| l.resumes >= 1 || l.stopped.is_some()),
    )
    .await
    .map(|l| l.clone())
    .unwrap();
    assert_eq!(
        (resumed.resumes, resumed.stopped),
        (1, None),
        "issued {:?}\nidentify {:?}\nresume {:?}",
        sim.issued_tokens(),
        sim.identify_log(),
        sim.resume_log()
    );
    let resume = sim.resume_log();
    assert_eq!(resume.len(), 1, "one Resume, not refused");
    let issued_now = sim.issued_tokens().len();
    assert!(
        (1..=2).contains(&issued_now),
        "the first token and at most the one refresh: {issued_now}"
    );
    assert_eq!(
        resume[0]["token"],
        issued(&sim, issued_now - 1),
        "the newest token"
    );
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "after"));
    assert_eq!(seen.wait_len(3).await, ["before", "while away", "after"]);
    let life = life.borrow().clone();
    assert_eq!((life.readies, life.stopped), (1, None));
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// Within one token lifetime the gateway and the replies use one access token: start-up,
/// a reply and a reconnect (where the session asks for a token, its expiry being inside the
/// 60 s margin) fetch it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_and_the_replies_share_one_access_token() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 30,
        access_token: None,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let bot = bot_for(&sim)
        .handlers(echo_handlers(&seen))
        .start()
        .await
        .unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let token = issued(&sim, 0);
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "one"));
    assert_eq!(seen.wait_len(1).await, [("one".to_owned(), true)]);
    assert_eq!(replies(&sim, "50001"), [(200, token.clone())]);
    assert_eq!(
        sim.issued_tokens().len(),
        1,
        "the reply reused the gateway's"
    );

    sim.inject(Fault::Drop);
    within("RESUMED", life.wait_for(|l| l.resumes >= 1))
        .await
        .unwrap();
    sim.push_event("AT_MESSAGE_CREATE", at_message("50001", "two"));
    seen.wait_len(2).await;
    assert_eq!(sim.identify_log()[0]["token"], token);
    assert_eq!(sim.resume_log()[0]["token"], token);
    assert_eq!(
        replies(&sim, "50001"),
        [(200, token.clone()), (200, token.clone())]
    );
    assert_eq!(sim.issued_tokens().len(), 1, "one token for everything");
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A token the gateway refuses (4004) although its known lifetime has not run out is dropped
/// from the shared cache before the session asks again: the next Identify carries a newly
/// issued token, not the cached one (which would be a second 4004 and a fatal stop).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_gateway_rejects_is_replaced_not_reused() {
    let sim = QqSim::start(QqConfig {
        token_expires_in: 30,
        access_token: None,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let bot = bot_for(&sim)
        .handlers({
            let mut h = QqHandlers::new();
            h.on_at_message_create(|_, _| async { Ok(()) });
            h
        })
        .start()
        .await
        .unwrap();
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    // Refused from now on, though the bot's cache believes it has 30 s left.
    sim.expire_tokens();
    sim.inject(Fault::Drop);
    let after = within(
        "a second READY or a stop",
        life.wait_for(|l| l.readies >= 2 || l.stopped.is_some()),
    )
    .await
    .map(|l| l.clone())
    .unwrap();
    assert_eq!(
        (after.readies, after.stopped),
        (2, None),
        "issued {:?}\nidentify {:?}\nresume {:?}",
        sim.issued_tokens(),
        sim.identify_log(),
        sim.resume_log()
    );
    assert_eq!(sim.resume_log()[0]["token"], issued(&sim, 0), "refused");
    let identify = sim.identify_log();
    assert_eq!(identify.len(), 2);
    assert_eq!(identify[1]["token"], issued(&sim, 1), "a new token");
    assert_eq!(sim.issued_tokens().len(), 2);
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// Review of stop 28: a handler of the old session that ends after a fresh session's READY
/// must not freeze the new session's resume point (an old session's frame number ends
/// nothing of the new session's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_sessions_late_handler_does_not_freeze_the_new_sessions_resume_point() {
    use botgate::session::{MemoryStore, SessionStore};
    use std::time::Duration;
    use tokio::sync::{watch, Notify};

    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let store = Arc::new(MemoryStore::new());
    let release = Arc::new(Notify::new());
    let (done_tx, mut done) = watch::channel(Vec::<String>::new());
    let done_tx = Arc::new(done_tx);
    let mut handlers = QqHandlers::new();
    {
        let (release, done_tx) = (Arc::clone(&release), Arc::clone(&done_tx));
        handlers.on_at_message_create(move |_, msg| {
            let (release, done_tx) = (Arc::clone(&release), Arc::clone(&done_tx));
            async move {
                let content = msg.content.to_string();
                if content == "slow" {
                    done_tx.send_modify(|d| d.push("slow started".into()));
                    release.notified().await;
                }
                done_tx.send_modify(|d| d.push(content));
                Ok(())
            }
        });
    }
    let bot = Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
    .handlers(handlers)
    .session_store(Arc::clone(&store))
    .save_every(1, Duration::from_millis(20))
    .start()
    .await
    .unwrap();
    let key = format!("qq/{}/0-1", sim.config().app_id);
    let mut life = bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    // Session A: "slow" (seq 2) blocks in its handler.
    sim.push_event("AT_MESSAGE_CREATE", at_message("a", "slow"));
    within(
        "slow started",
        done.wait_for(|d| d.iter().any(|x| x == "slow started")),
    )
    .await
    .unwrap();
    // A fresh session B (not resumable): its frames are numbered from 1 again.
    sim.inject(Fault::InvalidSession { resumable: false });
    within("the second READY", life.wait_for(|l| l.readies >= 2))
        .await
        .unwrap();
    release.notify_one(); // A's seq 2 ends now, late
    within(
        "slow done",
        done.wait_for(|d| d.iter().any(|x| x == "slow")),
    )
    .await
    .unwrap();
    for i in 0..5 {
        sim.push_event("AT_MESSAGE_CREATE", at_message("b", &format!("b{i}")));
    }
    within("b4 handled", done.wait_for(|d| d.iter().any(|x| x == "b4")))
        .await
        .unwrap();
    let (session, last) = bot
        .driver()
        .with_machine(|m, _| (m.session_id().map(str::to_owned), m.last_seq()))
        .await
        .unwrap();
    // Everything of B is handled: the saved point reaches its last frame.
    within("the saved point reaches B's last frame", async {
        loop {
            match store.load(&key).unwrap() {
                Some(saved) if Some(&saved.session_id) == session.as_ref() && saved.seq == last => {
                    break
                }
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
    .await;
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// A bare fixed access token is `QQBot <token>` in Identify as in REST (botgo and botpy always
/// send the type): it was sent bare in Identify, refused with 4004, and the bot stopped, while
/// its replies would have been accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_fixed_token_identifies_as_a_qqbot_token() {
    let sim = QqSim::start(QqConfig::default()).await.unwrap();
    let token = sim.config().access_token.clone().unwrap();
    let mut handlers = QqHandlers::new();
    handlers.on_at_message_create(|_, _| async { Ok(()) });
    let bot = Bot::qq_with_token(token.clone())
        .api_base(sim.http_base())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("READY", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    let identify = sim.identify_log();
    assert_eq!(identify.len(), 1);
    assert_eq!(identify[0]["token"], format!("QQBot {token}"));
    within("shutdown", bot.shutdown()).await.unwrap();
}
