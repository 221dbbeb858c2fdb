//! Unified handlers on the QQ sample frames: which types are wanted (and decoded), scene and
//! command filters, the bot mention in guild messages, masters / admins from `Permissions`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::Arc;

use botgate_codec::Intents;
use botgate_dispatch::qq::{EventType, Qq, QqHandlers};
use botgate_dispatch::{
    BotInfo, Category, DispatchConfig, Dispatcher, Disposition, Filter, Permissions, PlatformKind,
    Scene, Unified, Unify,
};
use botgate_proto::unified::SubEvent;

mod samples;
use samples::{count, feed, qq_frames, Log};

/// What a test handler saw of one event.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    event_type: String,
    sub_event: SubEvent,
    peer: String,
    user_id: String,
    self_id: String,
    is_master: bool,
    is_admin: bool,
}

fn seen(ctx: &botgate_dispatch::Context, u: &Unified) -> Seen {
    Seen {
        event_type: ctx.event_type().to_owned(),
        sub_event: u.sub_event.clone(),
        peer: u.contact.peer.to_string(),
        user_id: u.user_id.to_string(),
        self_id: u.self_id.to_string(),
        is_master: u.is_master,
        is_admin: u.is_admin,
    }
}

fn recorder(
    log: &Log<Seen>,
) -> impl Fn(
    botgate_dispatch::Context,
    Unified,
) -> std::future::Ready<Result<(), botgate_dispatch::HandlerError>>
       + Send
       + Sync
       + 'static {
    let log = Arc::clone(log);
    move |ctx, u| {
        log.lock().unwrap().push(seen(&ctx, &u));
        std::future::ready(Ok(()))
    }
}

/// The wire types of the sample frames whose schema key is `message/...`, in file order.
fn message_types_in_sample() -> Vec<String> {
    qq_frames()
        .iter()
        .filter_map(|f| f.event_type())
        .filter(|t| {
            EventType::from_known(t)
                .and_then(|k| k.unified())
                .is_some_and(|k| k.starts_with("message/"))
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_group_scene_filter_gets_exactly_the_group_messages() {
    let all: Log<Seen> = Log::default();
    let groups: Log<Seen> = Log::default();
    let mut handlers = QqHandlers::new();
    handlers
        .on_message(Filter::new(), recorder(&all))
        .on_message(Filter::new().scene(Scene::Group), recorder(&groups));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let frames = qq_frames();
    let events = frames.iter().filter(|f| f.event_type().is_some()).count();
    let dispositions = feed(&d, frames).await;

    let groups = groups.lock().unwrap().clone();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].event_type, "GROUP_AT_MESSAGE_CREATE");
    assert_eq!(groups[0].sub_event, SubEvent::Group);
    assert_eq!(groups[0].peer, "C9F778FE6ADF9D1D1DBE395BF744A33A");
    assert_eq!(groups[0].user_id, "E4F4AEA33253A2797FB897C50B81D7ED");

    // Every message type reached the unfiltered handler, nothing else did (each in its own
    // lane, so in any order).
    let expected = message_types_in_sample();
    assert_eq!(
        expected,
        [
            "AT_MESSAGE_CREATE",
            "MESSAGE_CREATE",
            "DIRECT_MESSAGE_CREATE",
            "GROUP_AT_MESSAGE_CREATE",
            "C2C_MESSAGE_CREATE"
        ]
    );
    let mut types: Vec<String> = all
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.event_type.clone())
        .collect();
    types.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(types, sorted);

    // Only the message frames were decoded: READY, audits, forum, audio, notices... were not.
    let stats = d.stats();
    assert_eq!(stats.decoded, expected.len() as u64);
    assert_eq!(count(&dispositions, Disposition::Accepted), expected.len());
    assert_eq!(stats.unhandled as usize, events - expected.len());
    assert_eq!(stats.handled, expected.len() as u64 + 1);
    assert_eq!(stats.decode_errors + stats.handler_errors + stats.panics, 0);
}

#[tokio::test]
async fn a_command_filter_matches_the_guild_at_message_behind_the_bot_mention() {
    let args: Log<(String, String)> = Log::default();
    let mut handlers = QqHandlers::new();
    let a = Arc::clone(&args);
    handlers.on_message(
        Filter::new().scene(Scene::Guild).command("/天气"),
        move |ctx, u: Unified| {
            let a = Arc::clone(&a);
            async move {
                // The raw content starts with the mention; the text filters read does not.
                assert!(u.raw_message.as_deref().unwrap_or("").starts_with("<@!"));
                let text = u.plain_text();
                let city = Filter::command_args(&text, "/天气").unwrap_or("?");
                a.lock()
                    .unwrap()
                    .push((ctx.event_type().to_owned(), city.to_owned()));
                Ok(())
            }
        },
    );
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, qq_frames()).await;
    assert_eq!(
        *args.lock().unwrap(),
        [("AT_MESSAGE_CREATE".to_owned(), "深圳".to_owned())]
    );
    assert_eq!(d.stats().handled, 1);
}

#[tokio::test]
async fn masters_and_admins_come_from_the_configured_permissions() {
    let log: Log<Seen> = Log::default();
    let mut handlers = QqHandlers::new();
    handlers
        .set_permissions(Permissions::new(["1234567890"], ["2233"]))
        .on_message(Filter::new().scene(Scene::Guild), recorder(&log));
    assert_eq!(handlers.permissions().masters, ["1234567890"]);
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    d.set_bot(BotInfo::new(PlatformKind::Qq).with_self_id("6158788878435714165"));
    feed(&d, qq_frames()).await;

    let mut got: Vec<(String, bool, bool)> = log
        .lock()
        .unwrap()
        .iter()
        .map(|s| (s.user_id.clone(), s.is_master, s.is_admin))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("1234567890".to_owned(), true, true), // AT_MESSAGE_CREATE by the master
            ("2233".to_owned(), false, true),      // MESSAGE_CREATE by the admin
        ]
    );
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .all(|s| s.self_id == "6158788878435714165"));

    // Changed at run time: later events answer from the new lists.
    d.set_permissions(Permissions::new(["2233"], Vec::<String>::new()));
    log.lock().unwrap().clear();
    let line = samples::lines("qq/frames.jsonl")[4].clone();
    assert!(line.contains(r#""t": "MESSAGE_CREATE""#));
    let resend = samples::frame(&line);
    let next = samples::frame(
        &line
            .replace("MESSAGE_CREATE:1a2b", "MESSAGE_CREATE:1a2c")
            .replace(r#""id": "08a1""#, r#""id": "08a2""#),
    );
    assert_eq!(
        feed(&d, vec![resend, next]).await,
        [Disposition::Duplicate, Disposition::Accepted]
    );
    let got = log.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].user_id.as_str(), got[0].is_master), ("2233", true));
}

#[tokio::test]
async fn notices_and_their_filters_see_the_unified_sub_events() {
    let log: Log<Seen> = Log::default();
    let recalls: Log<Seen> = Log::default();
    let mut handlers = QqHandlers::new();
    handlers
        .on_notice(Filter::new(), recorder(&log))
        .on_notice(Filter::new().sub_event("group_recall"), recorder(&recalls))
        .on_request(Filter::new(), |_ctx, _u| async {
            panic!("QQ has no unified requests")
        });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, qq_frames()).await;
    let mut got: Vec<(String, String)> = log
        .lock()
        .unwrap()
        .iter()
        .map(|s| (s.event_type.clone(), s.sub_event.as_str().to_owned()))
        .collect();
    got.sort();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        got,
        pairs(&[
            ("GROUP_ADD_ROBOT", "group_member_increase"),
            ("GUILD_MEMBER_ADD", "guild_member_increase"),
            ("MESSAGE_REACTION_ADD", "message_reaction_add"),
            ("PUBLIC_MESSAGE_DELETE", "group_recall"),
        ])
    );
    assert_eq!(recalls.lock().unwrap().len(), 1);
    assert_eq!(d.stats().decoded, 4);
    assert_eq!(d.stats().panics, 0);
}

#[test]
fn unified_handlers_require_only_public_intents_and_ask_for_the_rest_as_optional() {
    let mut handlers = QqHandlers::new();
    handlers.on_message(Filter::new(), |_ctx, _u| async { Ok(()) });
    // Required: what every bot has. DMs and group / C2C are optional: asked for, dropped if
    // the gateway refuses them (decision 0054). Every guild message (GUILD_MESSAGES) is for
    // private bots only: not asked for.
    assert_eq!(handlers.intents(), Intents::PUBLIC_GUILD_MESSAGES);
    assert_eq!(
        handlers.optional_intents(),
        Intents::DIRECT_MESSAGE | Intents::GROUP_AND_C2C_EVENT
    );
    for t in <Qq as Unify>::event_types(Category::Message) {
        assert!(handlers.wants(t.as_str()));
    }
    assert!(handlers.wants("MESSAGE_CREATE"));
    assert!(!handlers.wants("READY"));
    assert!(!handlers.wants("MESSAGE_AUDIT_PASS"));
    assert!(!handlers.wants("MESSAGE_REACTION_ADD"));

    // A typed handler on a private type requires its intent: no longer optional.
    handlers.on_message_create(|_ctx, _m| async { Ok(()) });
    assert_eq!(
        handlers.intents(),
        Intents::PUBLIC_GUILD_MESSAGES | Intents::GUILD_MESSAGES
    );
    assert_eq!(
        handlers.optional_intents(),
        Intents::DIRECT_MESSAGE | Intents::GROUP_AND_C2C_EVENT
    );
    let mut notices = QqHandlers::new();
    notices.on_notice(Filter::new(), |_ctx, _u| async { Ok(()) });
    assert_eq!(
        notices.intents(),
        Intents::GUILD_MEMBERS | Intents::PUBLIC_GUILD_MESSAGES
    );
    assert_eq!(
        notices.optional_intents(),
        Intents::GUILD_MESSAGE_REACTIONS | Intents::DIRECT_MESSAGE | Intents::GROUP_AND_C2C_EVENT
    );
    // Typed handlers alone: nothing optional (botgo's `RegisterHandlers`).
    let mut typed = QqHandlers::new();
    typed.on_direct_message_create(|_ctx, _m| async { Ok(()) });
    assert_eq!(typed.intents(), Intents::DIRECT_MESSAGE);
    assert!(typed.optional_intents().is_empty());
}

#[tokio::test]
async fn an_at_message_delivered_under_both_guild_types_reaches_unified_handlers_once() {
    let unified: Log<Seen> = Log::default();
    let typed: Log<String> = Log::default();
    let mut handlers = QqHandlers::new();
    handlers.on_message(Filter::new(), recorder(&unified));
    for t in [EventType::AtMessageCreate, EventType::MessageCreate] {
        let typed = Arc::clone(&typed);
        handlers.on(t, move |ctx, _ev| {
            typed.lock().unwrap().push(ctx.event_type().to_owned());
            std::future::ready(Ok(()))
        });
    }
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let at = samples::lines("qq/frames.jsonl")[3].clone();
    assert!(at.contains(r#""t": "AT_MESSAGE_CREATE""#));
    // A private bot with both intents: the same message (same d.id) as MESSAGE_CREATE.
    let all = at.replace(
        r#""t": "AT_MESSAGE_CREATE", "id": "AT_MESSAGE_CREATE:"#,
        r#""t": "MESSAGE_CREATE", "id": "MESSAGE_CREATE:"#,
    );
    // Another message in the same channel under the private type only.
    let other = all
        .replace(
            "08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a906",
            "08e092eeb983afef9e0110f6d2a2c60138e4b4b70148e090f3a907",
        )
        .replace("MESSAGE_CREATE:e4c5", "MESSAGE_CREATE:f4c5");
    let dispositions = feed(
        &d,
        vec![
            samples::frame(&at),
            samples::frame(&all),
            samples::frame(&other),
        ],
    )
    .await;
    assert_eq!(dispositions, [Disposition::Accepted; 3]);
    assert_eq!(
        *typed.lock().unwrap(),
        ["AT_MESSAGE_CREATE", "MESSAGE_CREATE", "MESSAGE_CREATE"]
    );
    let got: Vec<String> = unified
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.event_type.clone())
        .collect();
    assert_eq!(got, ["AT_MESSAGE_CREATE", "MESSAGE_CREATE"]);
}
