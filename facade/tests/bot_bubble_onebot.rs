//! The Bubble and OneBot bots over loopback: the Bubble subscription (op 30) is the set of
//! handled event types; OneBot actions called from a handler reach the implementation and
//! answer with its data (or its failure).
//!
//! Every wait is bounded (`botgate_testkit::within`); synchronisation is by sim logs and channels
//! only.

use botgate::dispatch::ActionCallErrorKind;
use botgate::{Bot, BubbleHandlers, OneBotHandlers};
use botgate_sim::{BubbleConfig, BubbleSim, OneBotConfig, OneBotSim, Record};
use botgate_testkit::{within, Seen};
use serde_json::{json, Value};

/// The `t` of a frame the sim sent.
fn sent_type(record: &Record) -> Option<&str> {
    record.sent().and_then(|f| f["t"].as_str())
}

/// The bot subscribes (op 30) to exactly the event types it has handlers for; BOT_READY, which
/// cannot be subscribed, is handled without being asked for. Only subscribed types arrive,
/// plus types the sim does not know (future types go to everyone), which stay undecoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bubble_subscribes_to_the_handled_event_types() {
    let sim = BubbleSim::start(BubbleConfig::default()).await.unwrap();
    let seen = Seen::new();
    let ready = Seen::new();
    let mut handlers = BubbleHandlers::new();
    {
        let seen = seen.clone();
        handlers.on_message_create(move |_, msg| {
            let seen = seen.clone();
            async move {
                seen.push(format!("{:?}:{}", msg.channel_id, msg.content));
                Ok(())
            }
        });
    }
    {
        let ready = ready.clone();
        handlers.on_bot_ready(move |_, _| {
            let ready = ready.clone();
            async move {
                ready.push(());
                Ok(())
            }
        });
    }
    let confirmed = Seen::new();
    {
        let confirmed = confirmed.clone();
        handlers.on_events_subscribed(move |_, ev| {
            let confirmed = confirmed.clone();
            async move {
                let mut events = ev.subscribed_events;
                events.sort();
                confirmed.push(events.join(","));
                Ok(())
            }
        });
    }
    handlers
        .on_dm_message_create(|_, _| async { Ok(()) })
        .on_guild_member_add(|_, _| async { Ok(()) });
    let expected = ["DM_MESSAGE_CREATE", "GUILD_MEMBER_ADD", "MESSAGE_CREATE"];
    assert_eq!(handlers.subscriptions(), expected);

    let bot = Bot::bubble(sim.config().token.clone())
        .gateway_url(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within(
        "EVENTS_SUBSCRIBED",
        sim.log()
            .wait_for(|r| (sent_type(r) == Some("EVENTS_SUBSCRIBED")).then_some(())),
    )
    .await;
    let subscribes: Vec<Value> = sim
        .log()
        .received()
        .into_iter()
        .filter(|f| f["op"] == 30)
        .collect();
    assert_eq!(subscribes.len(), 1, "{subscribes:?}");
    let mut sent: Vec<String> = serde_json::from_value(subscribes[0]["d"]["events"].clone())
        .expect("op 30 carries an events list");
    sent.sort();
    assert_eq!(sent, expected);
    assert_eq!(sim.subscriptions(), [expected.map(String::from).to_vec()]);
    ready.wait_len(1).await;
    // the session tracks the confirmation and passes the frame on to the handler too
    assert_eq!(
        confirmed.wait_len(1).await,
        ["DM_MESSAGE_CREATE,GUILD_MEMBER_ADD,MESSAGE_CREATE"]
    );

    sim.push_event("CHANNEL_CREATE", json!({"id": 7, "name": "not subscribed"}));
    sim.push_event("SOME_FUTURE_EVENT", json!("would not decode"));
    sim.push_event(
        "MESSAGE_CREATE",
        json!({"id": 1001, "channelId": 123, "guildId": 10, "content": "hello",
               "author": {"id": 1, "name": "username"}}),
    );
    assert_eq!(seen.wait_len(1).await, ["Some(123):hello"]);
    within("idle", bot.dispatcher().idle()).await;
    let dispatched: Vec<String> = sim
        .sent_dispatches()
        .iter()
        .filter_map(|f| f["t"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !dispatched.iter().any(|t| t == "CHANNEL_CREATE"),
        "the sim delivered an unsubscribed type: {dispatched:?}"
    );
    let stats = bot.dispatcher().stats();
    // BOT_READY, EVENTS_SUBSCRIBED and MESSAGE_CREATE decoded; the future type dropped
    // undecoded.
    assert_eq!(stats.decoded, 3, "{stats:?}");
    assert_eq!(stats.decode_errors, 0, "{stats:?}");
    // Frames: BOT_READY, EVENTS_SUBSCRIBED, the future type, MESSAGE_CREATE.
    assert_eq!((stats.frames, stats.unhandled), (4, 1), "{stats:?}");
    within("shutdown", bot.shutdown()).await.unwrap();
}

/// `ctx.call("send_group_msg", ..)` from a handler reaches the implementation, which records
/// the message, and the call returns its `message_id`; an action the implementation does not
/// support comes back as `Rejected` with its retcode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onebot_actions_from_a_handler_reach_the_implementation() {
    let sim = OneBotSim::start(OneBotConfig::default()).await.unwrap();
    let answers = Seen::new();
    let mut handlers = OneBotHandlers::new();
    {
        let answers = answers.clone();
        handlers.on_group_message(move |ctx, msg| {
            let answers = answers.clone();
            async move {
                let text = msg.message.plain_text();
                let data = ctx
                    .call(
                        "send_group_msg",
                        json!({
                            "group_id": msg.group_id,
                            "message": [{"type": "text", "data": {"text": format!("echo: {text}")}}],
                        }),
                    )
                    .await?;
                let refused = ctx.call("no_such_action", json!({})).await;
                answers.push((data, refused.map_err(|e| e.kind().clone())));
                Ok(())
            }
        });
    }
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    within("connect", bot.lifecycle().wait_for(|l| l.readies >= 1))
        .await
        .unwrap();
    assert_eq!(
        bot.dispatcher().bot().self_id(),
        Some(sim.config().self_id.to_string().as_str())
    );
    // A private message nobody handles, then the group message.
    sim.push_event(json!({
        "post_type": "message", "message_type": "private", "sub_type": "friend",
        "message_id": 1, "user_id": 42, "message": "private", "raw_message": "private",
        "font": 0, "sender": {"user_id": 42, "nickname": "n"}
    }));
    sim.push_event(json!({
        "post_type": "message", "message_type": "group", "sub_type": "normal",
        "message_id": 4242, "group_id": 987_654_321, "user_id": 111_222_333,
        "message": [{"type": "text", "data": {"text": "hi"}}], "raw_message": "hi", "font": 0,
        "sender": {"user_id": 111_222_333, "nickname": "张三", "role": "member"}
    }));
    let answers = answers.wait_len(1).await;
    let (data, refused) = &answers[0];
    let sent = sim.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].action, "send_group_msg");
    assert_eq!(sent[0].params["group_id"], 987_654_321);
    assert_eq!(sent[0].params["message"][0]["data"]["text"], "echo: hi");
    assert_eq!(data["message_id"], json!(sent[0].message_id));
    match refused {
        Err(ActionCallErrorKind::Rejected { code, .. }) => assert_eq!(*code, 1404),
        other => panic!("expected a rejection, got {other:?}"),
    }
    within("idle", bot.dispatcher().idle()).await;
    let stats = bot.dispatcher().stats();
    assert_eq!(stats.handled, 1, "{stats:?}");
    // The private message and the lifecycle meta event (heartbeats, if any, too).
    assert!(stats.unhandled >= 2, "{stats:?}");
    assert_eq!(
        stats.decoded, 1,
        "only the group message was decoded: {stats:?}"
    );
    within("shutdown", bot.shutdown()).await.unwrap();
}
