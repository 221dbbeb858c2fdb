//! `X-Client-Role` on the reverse WebSocket (decision 0057): go-cqhttp split (`api` and `event`
//! URLs instead of a `universal` one) opens two sockets with the same `X-Self-ID`, role `API`
//! (answers actions, sends nothing else) and role `Event` (events and heartbeats, answers
//! nothing).
//! The clients are raw tokio-tungstenite sockets on 127.0.0.1 (not botgate's sim or
//! transport), as go-cqhttp would open them.
//!
//! Every wait is bounded (`botgate_testkit::within_for`); synchronisation is by what the
//! sockets read, the bot's notices and what handlers saw, never by sleeping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use botgate::session::onebot::ClientRole;
use botgate::{Bot, OneBotHandlers, ReverseNotice};
use botgate_testkit::{within_for, Seen};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const LIMIT: Duration = Duration::from_secs(60);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Upgrades to `url` with the headers go-cqhttp sends (each only when given).
async fn connect(url: &str, self_id: Option<i64>, role: Option<&str>) -> Ws {
    let mut request = url.into_client_request().unwrap();
    if let Some(id) = self_id {
        request
            .headers_mut()
            .insert("X-Self-ID", id.to_string().parse().unwrap());
    }
    if let Some(role) = role {
        request
            .headers_mut()
            .insert("X-Client-Role", role.parse().unwrap());
    }
    let (ws, _) = within_for(
        LIMIT,
        "the upgrade",
        tokio_tungstenite::connect_async(request),
    )
    .await
    .unwrap();
    ws
}

/// The next text frame as JSON; `None` once the bot closed the socket (or it ended).
async fn next_json(ws: &mut Ws, what: &str) -> Option<Value> {
    within_for(LIMIT, what, async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return None,
                Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
                Some(Ok(message)) if message.is_close() => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
}

/// Reads `ws` until the bot closes it: the text frames read before, and the close code. The
/// close is answered (the stream is read to its end), as an implementation does.
async fn read_to_close(ws: &mut Ws, limit: Duration, what: &str) -> (Vec<Value>, Option<u16>) {
    within_for(limit, what, async {
        let mut texts = Vec::new();
        let mut code = None;
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return (texts, code),
                Some(Ok(Message::Text(text))) => texts.push(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(frame))) => code = frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
            }
        }
    })
    .await
}

async fn send(ws: &mut Ws, value: &Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

fn lifecycle(self_id: i64) -> Value {
    json!({"time": 1_712_640_000, "self_id": self_id, "post_type": "meta_event",
        "meta_event_type": "lifecycle", "sub_type": "connect"})
}

fn group_message(self_id: i64, id: i64) -> Value {
    let text = format!("message {id}");
    json!({"time": 1_712_640_000 + id, "self_id": self_id, "post_type": "message",
        "message_type": "group", "sub_type": "normal", "message_id": id, "group_id": 1_000,
        "user_id": 2_000, "anonymous": null, "message": [{"type": "text", "data": {"text": text}}],
        "raw_message": text, "font": 0, "sender": {"user_id": 2_000, "nickname": "n"}})
}

/// Handlers that answer each group message with `get_msg` of its id and record
/// `(message_id, the call's data)`.
fn calling_handlers(seen: &Seen<(i64, Value)>) -> impl Fn() -> OneBotHandlers + Send + Sync {
    let seen = seen.clone();
    move || {
        let seen = seen.clone();
        let mut h = OneBotHandlers::new();
        h.on_group_message(move |ctx, msg| {
            let seen = seen.clone();
            async move {
                let data = ctx
                    .call("get_msg", json!({"message_id": msg.message_id}))
                    .await?;
                seen.push((msg.message_id, data));
                Ok(())
            }
        });
        h
    }
}

/// Reads the next action on the API socket, checks it is `get_msg` of `message_id`, and
/// answers it (by its echo) with data naming the message.
async fn answer_on(api: &mut Ws, message_id: i64) {
    let request = next_json(api, "the action on the API socket")
        .await
        .expect("the API socket is still open and carries the action");
    assert_eq!(request["action"], "get_msg");
    assert_eq!(request["params"]["message_id"], message_id);
    let answer = json!({"status": "ok", "retcode": 0,
        "data": {"message_id": message_id, "answered_by": "api"}, "echo": request["echo"]});
    send(api, &answer).await;
}

/// go-cqhttp's split sockets for one account: the event on the Event socket reaches the
/// handler, its `ctx.call` goes out on the API socket (never on the Event one) and returns
/// what the API socket answered; twice, with no replacement and both sockets open until the
/// shutdown closes them normally. The API socket never speaks on its own, and with a
/// 300 ms `first_frame_timeout` it is still served after a silent Event socket opened later
/// has been closed by that timeout. Before roles were honoured, the silent API socket was
/// closed by the timeout (and the Event socket would have taken the actions anyway).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_api_and_event_sockets_serve_one_account() {
    const SELF_ID: i64 = 1_234_500_001;
    let seen = Seen::<(i64, Value)>::new();
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .first_frame_timeout(Duration::from_millis(300))
        .handlers_fn(calling_handlers(&seen))
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let url = format!("ws://{}/onebot/v11/ws", bot.local_addr());

    let mut api = connect(&url, Some(SELF_ID), Some("API")).await;
    within_for(
        LIMIT,
        "the API socket accepted",
        bot.accepted().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    // An Event socket accepted after the API one that stays silent is closed by the
    // first-frame watchdog: the API socket has been silent at least as long.
    let mut silent = connect(&url, Some(SELF_ID), Some("Event")).await;
    let (texts, code) = read_to_close(&mut silent, LIMIT, "the silent Event socket closed").await;
    assert!(texts.is_empty());
    assert_eq!(code, Some(4900), "closed by the watchdog");

    let mut event = connect(&url, Some(SELF_ID), Some("Event")).await;
    send(&mut event, &lifecycle(SELF_ID)).await;
    send(&mut event, &group_message(SELF_ID, 1)).await;
    answer_on(&mut api, 1).await;
    let first = seen
        .wait_within(LIMIT, "the first call's answer", |v| v.len() == 1)
        .await;
    assert_eq!(first[0].0, 1);
    assert_eq!(first[0].1["answered_by"], "api");

    // A second round trip: both sockets still serve.
    send(&mut event, &group_message(SELF_ID, 2)).await;
    answer_on(&mut api, 2).await;
    let both = seen
        .wait_within(LIMIT, "the second call's answer", |v| v.len() == 2)
        .await;
    assert_eq!(both[1].0, 2);
    assert_eq!(both[1].1["message_id"], 2);
    assert_eq!(bot.account_ids(), [SELF_ID.to_string()]);

    // The sockets answer the shutdown's close while it waits for them.
    let ((), (api_texts, api_code), (event_texts, event_code)) = tokio::join!(
        bot.shutdown(),
        read_to_close(&mut api, LIMIT, "the API socket's close"),
        read_to_close(&mut event, LIMIT, "the Event socket's close"),
    );
    assert!(
        api_texts.is_empty(),
        "nothing more on the API socket: {api_texts:?}"
    );
    assert_eq!(
        api_code,
        Some(1000),
        "the API socket was open until the shutdown"
    );
    assert!(
        event_texts.is_empty(),
        "no action ever went to the Event socket: {event_texts:?}"
    );
    assert_eq!(
        event_code,
        Some(1000),
        "the Event socket was open until the shutdown"
    );
    while let Ok(notice) = notices.try_recv() {
        assert!(
            !matches!(notice, ReverseNotice::Replaced { .. }),
            "no connection replaced another: {notice:?}"
        );
    }
}

/// An API socket whose account is not named cannot be routed to (it sends no events to learn
/// it from): it is closed at once, and makes no account. Before, it waited out the 60 s
/// first-frame timeout. The role is read case-insensitively.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_socket_without_x_self_id_is_closed() {
    let bot = Bot::onebot_reverse("127.0.0.1:0").start().await.unwrap();
    let mut notices = bot.notices();
    let url = format!("ws://{}/", bot.local_addr());
    let mut api = connect(&url, None, Some("api")).await;
    let (texts, code) = read_to_close(
        &mut api,
        Duration::from_secs(10),
        "the API socket closed at once",
    )
    .await;
    assert!(texts.is_empty());
    assert_eq!(code, Some(1000));
    let reason = within_for(LIMIT, "the Disconnected notice", async {
        loop {
            if let ReverseNotice::Disconnected { reason, .. } = notices.recv().await.unwrap() {
                return reason;
            }
        }
    })
    .await;
    assert!(reason.contains("X-Self-ID"), "{reason}");
    assert_eq!(*bot.account_count().borrow(), 0);
    bot.shutdown().await;
}

/// At most one API socket per account: a newer one closes the older (with a `Replaced`
/// notice), and the account's actions go over the newer. Before, the older was only closed
/// after a quiet second, and the Event socket then replaced the newer and took the actions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_api_socket_of_an_account_closes_the_first() {
    const SELF_ID: i64 = 1_234_500_002;
    let seen = Seen::<(i64, Value)>::new();
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(calling_handlers(&seen))
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let url = format!("ws://{}/", bot.local_addr());

    let mut older = connect(&url, Some(SELF_ID), Some("API")).await;
    within_for(
        LIMIT,
        "the first API socket accepted",
        bot.accepted().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    let mut newer = connect(&url, Some(SELF_ID), Some("Api")).await;
    let (texts, code) = read_to_close(&mut older, LIMIT, "the older API socket closed").await;
    assert!(texts.is_empty());
    assert_eq!(code, Some(1000));
    let replaced = within_for(LIMIT, "the Replaced notice", async {
        loop {
            if let ReverseNotice::Replaced {
                self_id,
                old,
                new,
                old_role,
                new_role,
                ..
            } = notices.recv().await.unwrap()
            {
                return (self_id, old, new, old_role, new_role);
            }
        }
    })
    .await;
    assert_eq!(
        replaced,
        (SELF_ID.to_string(), 1, 2, ClientRole::Api, ClientRole::Api)
    );

    let mut event = connect(&url, Some(SELF_ID), Some("Event")).await;
    send(&mut event, &lifecycle(SELF_ID)).await;
    send(&mut event, &group_message(SELF_ID, 7)).await;
    answer_on(&mut newer, 7).await;
    let answers = seen
        .wait_within(LIMIT, "the call's answer", |v| v.len() == 1)
        .await;
    assert_eq!(answers[0].1["answered_by"], "api");

    let ((), (newer_texts, newer_code), (event_texts, event_code)) = tokio::join!(
        bot.shutdown(),
        read_to_close(&mut newer, LIMIT, "the newer API socket's close"),
        read_to_close(&mut event, LIMIT, "the Event socket's close"),
    );
    assert!(newer_texts.is_empty());
    assert_eq!(newer_code, Some(1000), "open until the shutdown");
    assert!(
        event_texts.is_empty(),
        "no action went to the Event socket: {event_texts:?}"
    );
    assert_eq!(event_code, Some(1000));
    while let Ok(notice) = notices.try_recv() {
        assert!(
            !matches!(notice, ReverseNotice::Replaced { .. }),
            "only the older API socket was replaced: {notice:?}"
        );
    }
}

/// Review of stop 30: an older `Universal` socket (no `X-Self-ID`: its account is known at its
/// first event) that binds after a newer `API` socket took the actions from it. The actions
/// stay on the newer socket: the call goes out on the API socket, nothing on the Universal one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_universal_socket_binding_late_does_not_take_the_actions_of_a_newer_api_one() {
    const SELF_ID: i64 = 1_234_500_003;
    let seen = Seen::<(i64, Value)>::new();
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(calling_handlers(&seen))
        .start()
        .await
        .unwrap();
    let url = format!("ws://{}/", bot.local_addr());
    // Connection 1: Universal, anonymous until its first event.
    let mut universal = connect(&url, None, None).await;
    within_for(
        LIMIT,
        "the Universal socket accepted",
        bot.accepted().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    // Connection 2: API, named by its header: it takes the actions at once.
    let mut api = connect(&url, Some(SELF_ID), Some("API")).await;
    within_for(
        LIMIT,
        "the API socket's account",
        bot.account_count().wait_for(|n| *n >= 1),
    )
    .await
    .unwrap();
    // Now the Universal socket learns its account and binds (older, later).
    send(&mut universal, &lifecycle(SELF_ID)).await;
    send(&mut universal, &group_message(SELF_ID, 9)).await;
    answer_on(&mut api, 9).await;
    let answers = seen
        .wait_within(LIMIT, "the call's answer", |v| v.len() == 1)
        .await;
    assert_eq!(answers[0].1["answered_by"], "api");
    let ((), (universal_texts, _), _) = tokio::join!(
        bot.shutdown(),
        read_to_close(&mut universal, LIMIT, "the Universal socket's close"),
        read_to_close(&mut api, LIMIT, "the API socket's close"),
    );
    assert!(
        universal_texts.is_empty(),
        "no action went to the older Universal socket: {universal_texts:?}"
    );
}

/// The next `Online` notice: `(conn, self_id, role)`.
async fn next_online(
    notices: &mut tokio::sync::broadcast::Receiver<ReverseNotice>,
    what: &str,
) -> (u64, String, ClientRole) {
    within_for(LIMIT, what, async {
        loop {
            if let ReverseNotice::Online {
                conn,
                self_id,
                role,
                ..
            } = notices.recv().await.unwrap()
            {
                return (conn, self_id, role);
            }
        }
    })
    .await
}

/// Decision 0059: the `Online` and `Replaced` notices carry the connections' roles. Over
/// loopback sockets: an `Event` socket is online as `Event` (its `Connected` keeps the header
/// as sent), an `API` one as `Api`, one without the header as `Universal`; a `Universal`
/// socket replacing the idle `Event` one names both roles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_and_replaced_notices_carry_the_roles() {
    const SELF_ID: i64 = 1_234_500_004;
    const OTHER: i64 = 1_234_500_005;
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(OneBotHandlers::new)
        .start()
        .await
        .unwrap();
    let mut notices = bot.notices();
    let url = format!("ws://{}/", bot.local_addr());

    let mut event = connect(&url, Some(SELF_ID), Some("Event")).await;
    send(&mut event, &lifecycle(SELF_ID)).await;
    let connected = within_for(LIMIT, "the Connected notice", async {
        loop {
            if let ReverseNotice::Connected { conn, role, .. } = notices.recv().await.unwrap() {
                return (conn, role);
            }
        }
    })
    .await;
    assert_eq!(connected, (1, Some("Event".to_owned())));
    assert_eq!(
        next_online(&mut notices, "the Event socket online").await,
        (1, SELF_ID.to_string(), ClientRole::Event)
    );

    let mut api = connect(&url, Some(OTHER), Some("API")).await;
    assert_eq!(
        next_online(&mut notices, "the API socket online").await,
        (2, OTHER.to_string(), ClientRole::Api)
    );

    // No header: Universal. The Event socket of the account is idle: it is replaced.
    let mut universal = connect(&url, Some(SELF_ID), None).await;
    let (texts, code) = read_to_close(&mut event, LIMIT, "the idle Event socket closed").await;
    assert!(texts.is_empty());
    assert_eq!(code, Some(1000));
    let replaced = within_for(LIMIT, "the Replaced notice", async {
        loop {
            if let ReverseNotice::Replaced {
                old,
                new,
                old_role,
                new_role,
                ..
            } = notices.recv().await.unwrap()
            {
                return (old, old_role, new, new_role);
            }
        }
    })
    .await;
    assert_eq!(replaced, (1, ClientRole::Event, 3, ClientRole::Universal));
    assert_eq!(
        next_online(&mut notices, "the Universal socket online").await,
        (3, SELF_ID.to_string(), ClientRole::Universal)
    );
    let ((), _, _) = tokio::join!(
        bot.shutdown(),
        read_to_close(&mut universal, LIMIT, "the Universal socket's close"),
        read_to_close(&mut api, LIMIT, "the API socket's close"),
    );
}
