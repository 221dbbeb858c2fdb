//! `Bot::onebot_reverse`: OneBot implementations connect to our listener like Waylay does (no
//! X-Self-ID); events reach the handlers of their own account, in order, across reconnects,
//! and `ctx.call` goes back over the connection that carries the account.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/waylay.rs"]
mod waylay;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botgate::dispatch::ActionCallErrorKind;
use botgate::{Bot, OneBotHandlers, ReverseNotice};
use botgate_sim::{OneBotConfig, OneBotSim, Record};
use botgate_testkit::within_for;
use serde_json::{json, Value};
use tokio::sync::watch;
use waylay::Waylay;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverse_ws_receives_events_and_answers_through_the_same_connection() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("reverse-secret")
        .handlers_fn(|| {
            let mut h = OneBotHandlers::new();
            h.on_group_message(|ctx, msg| async move {
                if msg.message.plain_text() == "/ping" {
                    ctx.call(
                        "send_group_msg",
                        json!({"group_id": msg.group_id, "message": [{"type": "text", "data": {"text": "pong"}}]}),
                    )
                    .await?;
                }
                Ok(())
            });
            h
        })
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("reverse-secret".into()),
        lifecycle_zero_first: true,
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    within_for(
        LIMIT,
        "the account",
        bot.account_count().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    assert_eq!(
        bot.account_ids(),
        ["123456789"],
        "learnt from the lifecycle event (after Waylay's self_id 0)"
    );
    let mut life = bot.account("123456789").unwrap();
    within_for(LIMIT, "online", life.wait_for(|l| l.readies >= 1))
        .await
        .unwrap();

    sim.push_event(
        json!({"time": 1, "self_id": 123456789, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": 9, "group_id": 555, "user_id": 7,
        "message": [{"type": "text", "data": {"text": "/ping"}}], "raw_message": "/ping", "font": 0,
        "sender": {"user_id": 7, "nickname": "n"}}),
    );
    let sent = within_for(LIMIT, "the answer", async {
        loop {
            if let Some(m) = sim.sent_messages().into_iter().next() {
                return m;
            }
            sim.log().wait_for(|r| r.received().cloned()).await;
        }
    })
    .await;
    assert_eq!(sent.action, "send_group_msg");
    assert_eq!(sent.self_id, 123456789);
    assert_eq!(sent.params["group_id"], 555);
    assert_eq!(sent.params["message"][0]["data"]["text"], "pong");
    bot.shutdown().await;
}

/// What the handlers of the Waylay test saw.
#[derive(Default)]
struct Seen {
    /// `(event number, kind, ctx.self_id)` in the order the raw handler ran.
    events: Vec<(usize, String, String)>,
    /// `(event number, message_id answered)` of each action that succeeded.
    answers: Vec<(usize, i64)>,
    /// Actions that failed and were retried (the connection dropped under them).
    retried: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waylay_like_implementation_dropping_every_250_events_loses_nothing() {
    const TOTAL: usize = 2000;
    const SELF_ID: i64 = 3_000_000_001;
    let (seen_tx, mut seen) = watch::channel(Seen::default());
    let seen_tx = Arc::new(seen_tx);
    let made = Arc::new(Mutex::new(Vec::new()));
    let factory = {
        let made = Arc::clone(&made);
        move |self_id: &str| {
            made.lock().unwrap().push(self_id.to_owned());
            let mut h = OneBotHandlers::new();
            let tx = Arc::clone(&seen_tx);
            h.on_raw(move |ctx, raw| {
                let event: Value = serde_json::from_slice(raw.bytes()).unwrap();
                if let Some(n) = waylay::number(&event) {
                    let kind = raw.kind().as_str().to_owned();
                    let who = ctx.self_id().unwrap_or_default().to_owned();
                    tx.send_modify(|s| s.events.push((n, kind, who)));
                }
                std::future::ready(Ok(()))
            });
            let tx = Arc::clone(&seen_tx);
            h.on_group_message(move |ctx, msg| {
                let tx = Arc::clone(&tx);
                async move {
                    let event: Value = serde_json::from_slice(ctx.raw().unwrap()).unwrap();
                    let n = waylay::number(&event).unwrap_or(usize::MAX);
                    if n % 25 != 0 {
                        return Ok(());
                    }
                    let params = json!({"group_id": msg.group_id,
                        "message": [{"type": "text", "data": {"text": format!("re {n}")}}]});
                    // An action written to a connection that then dropped may or may not have
                    // run: this bot chooses to retry it.
                    let mut tries = 0;
                    let data = loop {
                        tries += 1;
                        match ctx.call("send_group_msg", params.clone()).await {
                            Ok(data) => break data,
                            Err(e) if tries < 10 && *e.kind() == ActionCallErrorKind::Transport => {
                                tx.send_modify(|s| s.retried += 1);
                            }
                            Err(e) => return Err(e.into()),
                        }
                    };
                    let id = data["message_id"].as_i64().unwrap();
                    tx.send_modify(|s| s.answers.push((n, id)));
                    Ok(())
                }
            });
            h
        }
    };
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("waylay-token")
        .path("/onebot/v11/ws")
        .handlers_for(factory)
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let waylay = Waylay {
        url: format!("ws://{}/onebot/v11/ws", bot.local_addr()),
        token: Some("waylay-token".into()),
        self_id: SELF_ID,
        drop_every: 250,
        // Waylay waits 5 s; at once is the harder case (the old connection may not be read
        // to its end yet).
        reconnect: Duration::ZERO,
    }
    .start(TOTAL);

    let expected_actions = (0..TOTAL).filter(|n| n % 25 == 0).count();
    let all = tokio::time::timeout(
        LIMIT,
        seen.wait_for(|s| s.events.len() >= TOTAL && s.answers.len() >= expected_actions),
    )
    .await
    .map(drop);
    if all.is_err() {
        let s = seen.borrow();
        let got: std::collections::HashSet<usize> = s.events.iter().map(|e| e.0).collect();
        let missing: Vec<usize> = (0..TOTAL).filter(|n| !got.contains(n)).take(20).collect();
        panic!(
            "timed out: {} events (missing {missing:?}...), {} answers, {} retried; \
             implementation: {} connections, {} sent; account: {:?}",
            s.events.len(),
            s.answers.len(),
            s.retried,
            waylay.state().connections,
            waylay.state().sent,
            bot.account(&SELF_ID.to_string())
                .map(|l| l.borrow().clone())
        );
    }
    let state = waylay.state();
    assert_eq!(state.sent, TOTAL);
    assert_eq!(
        state.connections,
        TOTAL / 250,
        "a new connection after each drop"
    );
    let life = bot.account(&SELF_ID.to_string()).unwrap().borrow().clone();
    assert_eq!(life.readies, 8, "each connection served the account");
    assert_eq!(life.reconnects, 7);

    bot.shutdown().await;
    waylay.stop();
    let seen = seen.borrow();
    // Exactly once, in order, with the right kind, for the right account.
    let numbers: Vec<usize> = seen.events.iter().map(|e| e.0).collect();
    assert_eq!(numbers, (0..TOTAL).collect::<Vec<_>>());
    for (n, kind, who) in &seen.events {
        assert_eq!(kind, waylay::event(SELF_ID, *n).0, "event {n}");
        assert_eq!(who, &SELF_ID.to_string());
    }
    assert_eq!(
        *made.lock().unwrap(),
        [SELF_ID.to_string()],
        "one handler set"
    );
    // Every action answered, once per event, with what the implementation answered.
    let mut answered: Vec<usize> = seen.answers.iter().map(|a| a.0).collect();
    answered.sort_unstable();
    assert_eq!(
        answered,
        (0..TOTAL).filter(|n| n % 25 == 0).collect::<Vec<_>>()
    );
    let written: HashMap<i64, Value> = state
        .answered
        .iter()
        .map(|(echo, id)| (*id, echo.clone()))
        .collect();
    for (n, id) in &seen.answers {
        assert!(written.contains_key(id), "answer {id} to event {n}");
    }
    let texts: Vec<String> = state
        .actions
        .iter()
        .map(|a| {
            a["params"]["message"][0]["data"]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for n in (0..TOTAL).filter(|n| n % 25 == 0) {
        assert!(texts.contains(&format!("re {n}")), "action for {n}");
    }
    assert!(
        texts.len() <= expected_actions + seen.retried,
        "no action sent twice unless retried"
    );
    // No connection was replaced: each had ended before the next one took over.
    let mut replaced = 0;
    while let Ok(notice) = notices.try_recv() {
        replaced += usize::from(matches!(notice, ReverseNotice::Replaced { .. }));
    }
    assert_eq!(replaced, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_wrong_token_is_refused_at_the_upgrade_and_nothing_is_dispatched() {
    let handled = Arc::new(Mutex::new(0usize));
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("right")
        .handlers_fn({
            let handled = Arc::clone(&handled);
            move || {
                let mut h = OneBotHandlers::new();
                let handled = Arc::clone(&handled);
                h.on_raw(move |_, _| {
                    *handled.lock().unwrap() += 1;
                    std::future::ready(Ok(()))
                });
                h
            }
        })
        .start()
        .await
        .unwrap();
    let url = format!("ws://{}/", bot.local_addr());
    let implementation = |token: Option<&str>| Waylay {
        url: url.clone(),
        token: token.map(str::to_owned),
        self_id: 42,
        drop_every: 0,
        reconnect: Duration::ZERO,
    };
    assert_eq!(implementation(Some("wrong")).try_connect().await, Err(403));
    assert_eq!(implementation(Some("righ")).try_connect().await, Err(403));
    assert_eq!(implementation(Some("right!")).try_connect().await, Err(403));
    assert_eq!(implementation(None).try_connect().await, Err(401));

    // The sim (like Waylay, reconnecting) with a wrong token: refused each time.
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("wrong".into()),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    sim.connect_reverse(&url).unwrap();
    let status = within_for(
        LIMIT,
        "the refusal",
        sim.log().wait_for(|r| match r {
            botgate_sim::Record::Rejected { status, .. } => Some(*status),
            _ => None,
        }),
    )
    .await;
    assert_eq!(status, 403);
    // The right token is let in (the listener works), and only then is anything dispatched.
    assert_eq!(*bot.accepted().borrow(), 0);
    assert_eq!(*bot.account_count().borrow(), 0);
    assert_eq!(*handled.lock().unwrap(), 0);
    let running = implementation(Some("right")).start(1);
    within_for(
        LIMIT,
        "the event",
        bot.account_count().wait_for(|n| *n == 1),
    )
    .await
    .unwrap();
    running.stop();
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_accounts_at_once_each_reach_their_own_handlers() {
    const ACCOUNTS: usize = 100;
    /// `(handler set's account, ctx.self_id, event self_id, text)`.
    type Record = (String, String, i64, String);
    let seen = botgate_testkit::Seen::<Record>::new();
    let tx = seen.clone();
    let made = Arc::new(Mutex::new(Vec::new()));
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .access_token("many")
        .handlers_for({
            let made = Arc::clone(&made);
            move |account: &str| {
                made.lock().unwrap().push(account.to_owned());
                let account = account.to_owned();
                let tx = tx.clone();
                let mut h = OneBotHandlers::new();
                h.on_group_message(move |ctx, msg| {
                    let record = (
                        account.clone(),
                        ctx.self_id().unwrap_or_default().to_owned(),
                        msg.self_id,
                        msg.message.plain_text(),
                    );
                    tx.push(record);
                    std::future::ready(Ok(()))
                });
                h
            }
        })
        .start()
        .await
        .unwrap();
    let sim = OneBotSim::start(OneBotConfig {
        access_token: Some("many".into()),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    let ids = sim
        .connect_reverse_accounts(&format!("ws://{}/", bot.local_addr()), ACCOUNTS)
        .unwrap();
    within_for(
        LIMIT,
        "every account",
        bot.account_count().wait_for(|n| *n == ACCOUNTS),
    )
    .await
    .unwrap();
    for (i, id) in ids.iter().enumerate() {
        let sent = sim.push_event_to(
            *id,
            json!({"post_type": "message", "message_type": "group", "sub_type": "normal",
                "message_id": i, "group_id": 9, "user_id": 7, "font": 0,
                "message": [{"type": "text", "data": {"text": format!("for {id}")}}],
                "raw_message": format!("for {id}"), "sender": {"user_id": 7}}),
        );
        assert_eq!(sent, 1, "one connection per account");
    }
    let records = seen
        .wait_within(LIMIT, "every event", |v| v.len() >= ACCOUNTS)
        .await;
    assert_eq!(records.len(), ACCOUNTS);
    let mut per_account: BTreeMap<String, usize> = BTreeMap::new();
    for (account, ctx_id, event_id, text) in &records {
        assert_eq!(account, ctx_id);
        assert_eq!(account, &event_id.to_string());
        assert_eq!(text, &format!("for {account}"));
        *per_account.entry(account.clone()).or_default() += 1;
    }
    assert_eq!(per_account.len(), ACCOUNTS);
    assert!(per_account.values().all(|n| *n == 1));
    let mut made = made.lock().unwrap().clone();
    made.sort();
    let mut expected: Vec<String> = ids.iter().map(i64::to_string).collect();
    expected.sort();
    assert_eq!(made, expected, "one handler set per account");
    assert_eq!(bot.account_ids().len(), ACCOUNTS);
    bot.shutdown().await;
}

/// One connection per account: a second implementation connecting for the same account while
/// the first is open and idle replaces it (the first is closed normally, with a notice), and
/// the first one's events all come before the second one's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_connection_for_the_same_account_replaces_the_first() {
    const SELF_ID: i64 = 777_000_111;
    let seen = botgate_testkit::Seen::<usize>::new();
    let tx = seen.clone();
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(move || {
            let tx = tx.clone();
            let mut h = OneBotHandlers::new();
            h.on_raw(move |_, raw| {
                let event: Value = serde_json::from_slice(raw.bytes()).unwrap();
                if let Some(n) = waylay::number(&event) {
                    tx.push(n);
                }
                std::future::ready(Ok(()))
            });
            h
        })
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let implementation = |reconnect| Waylay {
        url: format!("ws://{}/", bot.local_addr()),
        token: None,
        self_id: SELF_ID,
        drop_every: 0,
        reconnect,
    };
    // The first stays connected after its 10 events (and would come back only much later).
    let first = implementation(Duration::from_secs(3600)).start(10);
    seen.wait_within(LIMIT, "the first's events", |v| v.len() == 10)
        .await;
    let second = implementation(Duration::from_secs(3600)).start(10);
    let replaced = within_for(LIMIT, "the replacement", async {
        loop {
            if let ReverseNotice::Replaced {
                self_id, old, new, ..
            } = notices.recv().await.unwrap()
            {
                return (self_id, old, new);
            }
        }
    })
    .await;
    assert_eq!(replaced, (SELF_ID.to_string(), 1, 2));
    let closed = first
        .wait_for(LIMIT, "the first's close", |s| !s.closed_by_bot.is_empty())
        .await
        .closed_by_bot;
    assert_eq!(closed, [Some(1000)], "closed normally");
    let numbers = seen
        .wait_within(LIMIT, "the second's events", |v| v.len() == 20)
        .await;
    let expected: Vec<usize> = (0..10).chain(0..10).collect();
    assert_eq!(numbers, expected, "the first's events, then the second's");
    let life = bot.account(&SELF_ID.to_string()).unwrap().borrow().clone();
    assert_eq!(life.readies, 2);
    assert_eq!(bot.account_ids(), [SELF_ID.to_string()]);
    first.stop();
    second.stop();
    bot.shutdown().await;
}

/// Upgrades to `url` with `X-Self-ID: self_id` and sends nothing; returns once the bot has
/// ended the connection (a close frame or the end of the stream), or panics after `LIMIT`.
async fn silent_peer_is_closed(url: &str, self_id: Option<i64>) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let mut request = url.into_client_request().unwrap();
    if let Some(id) = self_id {
        request
            .headers_mut()
            .insert("X-Self-ID", id.to_string().parse().unwrap());
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    within_for(LIMIT, "the bot closing a silent connection", async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => break,
                Some(Ok(message)) if message.is_close() => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
}

/// Review of stop 28: a peer that upgraded and never spoke was kept for good (two tasks and a
/// socket each: enough of them exhaust the file descriptors).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_upgrades_and_never_speaks_is_closed() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .first_frame_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let url = format!("ws://{}/", bot.local_addr());
    silent_peer_is_closed(&url, Some(42)).await;
    silent_peer_is_closed(&url, None).await;
    within_for(LIMIT, "no connection left running", async {
        while !bot.lifecycles().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // The `X-Self-ID` made its account at the upgrade (kept, as every account is); the
    // anonymous one made none.
    assert_eq!(bot.account_ids(), ["42"]);
    bot.shutdown().await;
}

/// Review of stop 28: every new `X-Self-ID` made an account kept for good; beyond
/// `max_accounts` a new one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_beyond_the_limit_are_refused() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .max_accounts(2)
        .start()
        .await
        .unwrap();
    let url = format!("ws://{}/", bot.local_addr());
    let implementation = |self_id: i64| Waylay {
        url: url.clone(),
        token: None,
        self_id,
        drop_every: 0,
        reconnect: Duration::ZERO,
    };
    let first = implementation(1).start(1);
    let second = implementation(2).start(1);
    within_for(
        LIMIT,
        "two accounts",
        bot.account_count().wait_for(|n| *n == 2),
    )
    .await
    .unwrap();
    let mut notices = bot.notices();
    silent_peer_is_closed(&url, Some(3)).await;
    let reason = within_for(LIMIT, "the refusal", async {
        loop {
            if let Ok(ReverseNotice::Disconnected {
                self_id: Some(id),
                reason,
                ..
            }) = notices.recv().await
            {
                if id == "3" {
                    return reason;
                }
            }
        }
    })
    .await;
    assert_eq!(reason, "too many accounts");
    assert_eq!(*bot.account_count().borrow(), 2);
    assert_eq!(bot.account_ids().len(), 2);
    first.stop();
    second.stop();
    bot.shutdown().await;
}

/// Review of stop 30: the limit was checked before the account was made, so new accounts
/// arriving at once could all pass it. Twelve at once against a limit of two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_arriving_at_once_do_not_exceed_the_limit() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .max_accounts(2)
        .first_frame_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let url = format!("ws://{}/", bot.local_addr());
    let peers: Vec<_> = (10..22)
        .map(|id| {
            let url = url.clone();
            tokio::spawn(async move { silent_peer_is_closed(&url, Some(id)).await })
        })
        .collect();
    for peer in peers {
        peer.await.unwrap();
    }
    assert!(
        *bot.account_count().borrow() <= 2,
        "{:?}",
        bot.account_ids()
    );
    assert!(bot.account_ids().len() <= 2, "{:?}", bot.account_ids());
    bot.shutdown().await;
}

/// Decision 0060 on a reverse connection: with `ping_watch`, an implementation with heartbeats
/// off stays connected well past its first-frame wait, pinged instead of closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reverse_connection_without_heartbeats_is_pinged_not_closed() {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .first_frame_timeout(Duration::from_millis(200))
        .ping_watch(Duration::from_millis(50), Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: None,
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    sim.connect_reverse(&format!("ws://{}/", bot.local_addr()))
        .unwrap();
    within_for(
        LIMIT,
        "ten pings",
        sim.log()
            .wait_count(10, |r| matches!(r, Record::Pinged { .. })),
    )
    .await;
    let log = sim.log().snapshot();
    let connections = log
        .iter()
        .filter(|r| matches!(r, Record::Connected { .. }))
        .count();
    assert_eq!(connections, 1, "never closed: {log:?}");
    while let Ok(notice) = notices.try_recv() {
        assert!(
            !matches!(notice, ReverseNotice::Disconnected { .. }),
            "never closed: {notice:?}"
        );
    }
    bot.shutdown().await;
}
