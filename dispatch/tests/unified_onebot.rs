//! Unified handlers on the OneBot sample events: group-scene filter, text filters behind a
//! reply and mentions, notices (data-dependent pokes included), requests, masters, and what is
//! never decoded.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::Arc;

use botgate_dispatch::onebot::{EventKind, OneBot, OneBotHandlers};
use botgate_dispatch::{
    Category, Context, DispatchConfig, Dispatcher, Disposition, Filter, HandlerError, Permissions,
    Scene, Unified, Unify,
};

mod samples;
use samples::{count, feed, onebot_events, Log};

/// (sub_event, scene, peer, message id, self id, master, admin)
type Row = (String, String, String, Option<String>, String, bool, bool);
type Ready = std::future::Ready<Result<(), HandlerError>>;

fn record(log: &Log<Row>) -> impl Fn(Context, Unified) -> Ready + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |_ctx, u| {
        log.lock().unwrap().push((
            u.sub_event.as_str().to_owned(),
            u.contact.scene.as_str().to_owned(),
            u.contact.peer.to_string(),
            u.message_id.as_deref().map(str::to_owned),
            u.self_id.to_string(),
            u.is_master,
            u.is_admin,
        ));
        std::future::ready(Ok(()))
    }
}

#[tokio::test]
async fn a_group_scene_filter_gets_exactly_the_group_messages() {
    let all: Log<Row> = Log::default();
    let groups: Log<Row> = Log::default();
    let mut handlers = OneBotHandlers::new();
    handlers
        .set_permissions(Permissions::new(Vec::<String>::new(), ["111222333"]))
        .on_message(Filter::new(), record(&all))
        .on_message(Filter::new().scene(Scene::Group), record(&groups));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let events = onebot_events();
    let n = events.len();
    let dispositions = feed(&d, events).await;

    let row = |sub: &str, scene: &str, peer: &str, id: &str| {
        (
            sub.to_owned(),
            scene.to_owned(),
            peer.to_owned(),
            Some(id.to_owned()),
            "123456789".to_owned(),
            false,
            true,
        )
    };
    assert_eq!(
        *groups.lock().unwrap(),
        [
            row("group", "group", "987654321", "12345"),
            row("group", "group", "987654321", "-2147483000"),
        ]
    );
    // The private message runs in its user's lane, concurrently with the group's.
    let all = all.lock().unwrap().clone();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&row("private", "private", "111222333", "12346")));

    let stats = d.stats();
    assert_eq!(
        stats.decoded, 3,
        "notices, requests, meta events stay undecoded"
    );
    assert_eq!(count(&dispositions, Disposition::Accepted), 3);
    assert_eq!(stats.unhandled as usize, n - 3);
    assert_eq!(stats.handled, 5);
}

#[tokio::test]
async fn text_filters_skip_a_leading_reply_and_mentions() {
    let texts: Log<(String, String)> = Log::default();
    let mut handlers = OneBotHandlers::new();
    for filter in [
        Filter::new().scene(Scene::Group).prefix("今晚"),
        Filter::new().scene(Scene::Private).command("你好"),
        Filter::new().command("hello").group("987654321"),
        Filter::new().command("hello").group("1"),
    ] {
        let t = Arc::clone(&texts);
        let tag = format!("{filter:?}");
        handlers.on_message(filter, move |_ctx, u: Unified| {
            let (t, tag) = (Arc::clone(&t), tag.clone());
            async move {
                let id = u.message_id.clone().unwrap_or_default();
                t.lock().unwrap().push((tag, id.into()));
                Ok(())
            }
        });
    }
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, onebot_events()).await;
    let mut got = texts.lock().unwrap().clone();
    got.sort();
    // 12345 "hello" (group 987654321), 12346 "[at bot] 你好", -2147483000 "[reply][at all] 今晚..."
    let tags: Vec<(&str, &str)> = got
        .iter()
        .map(|(t, id)| (t.as_str(), id.as_str()))
        .collect();
    assert_eq!(tags.len(), 3, "{tags:?}");
    let with = |id: &str| {
        tags.iter()
            .find(|(_, i)| *i == id)
            .map(|(t, _)| *t)
            .unwrap()
    };
    assert!(with("12345").contains("\"hello\"") && with("12345").contains("987654321"));
    assert!(with("12346").contains("你好"));
    assert!(with("-2147483000").contains("今晚"));
}

#[tokio::test]
async fn notices_include_the_data_dependent_pokes_and_requests_have_their_own_handler() {
    let notices: Log<Row> = Log::default();
    let pokes: Log<Row> = Log::default();
    let requests: Log<Row> = Log::default();
    let mut handlers = OneBotHandlers::new();
    handlers
        .set_permissions(Permissions::new(["111222333"], Vec::<String>::new()))
        .on_notice(Filter::new(), record(&notices))
        .on_notice(
            Filter::new()
                .sub_event("group_poke")
                .sub_event("friend_poke"),
            record(&pokes),
        )
        .on_request(Filter::new(), record(&requests));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, onebot_events()).await;

    // Group and private events run in different lanes: compare sorted.
    let subs = |log: &Log<Row>| -> Vec<String> {
        let mut v: Vec<String> = log.lock().unwrap().iter().map(|r| r.0.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(
        subs(&pokes),
        ["friend_poke", "group_poke"],
        "poke has no schema key but maps by its group_id"
    );
    let mut p = pokes.lock().unwrap().clone();
    p.sort();
    assert_eq!((p[0].1.as_str(), p[1].1.as_str()), ("private", "group"));
    assert!(p.iter().all(|r| r.5), "the poker is the master");
    assert_eq!(
        subs(&requests),
        ["friend_apply", "group_apply", "group_invite"]
    );
    let n = subs(&notices);
    assert_eq!(n.len(), 13, "{n:?}");
    for sub in [
        "group_recall",
        "friend_recall",
        "group_member_ban",
        "group_whole_ban",
        "friend_increase",
        "group_lucky_king",
    ] {
        assert!(n.iter().any(|s| s == sub), "{sub} missing from {n:?}");
    }
    // The unknown notice kind and the meta events are not decoded.
    assert_eq!(d.stats().decoded, 16);
    assert_eq!(d.stats().handled, 13 + 2 + 3);
}

#[test]
fn kinds_follow_the_schema_keys() {
    let mut handlers = OneBotHandlers::new();
    handlers.on_request(Filter::new(), |_ctx, _u| async { Ok(()) });
    assert_eq!(handlers.kinds(), ["request.friend", "request.group"]);
    let notices = <OneBot as Unify>::event_types(Category::Notice);
    for k in EventKind::ALL {
        let keyed = k.unified().is_some_and(|key| key.starts_with("notice/"));
        assert_eq!(
            notices.contains(k),
            keyed || matches!(k, EventKind::NoticeNotifyPoke),
            "{k}"
        );
    }
}

/// `notice.offline_file` has a schema key (`notice/friend_file_uploaded`): it is listed for
/// notices once, so an `on_notice` handler runs once per file, not once per listing.
#[tokio::test]
async fn an_offline_file_reaches_a_notice_handler_once() {
    let notices: Log<Row> = Log::default();
    let mut handlers = OneBotHandlers::new();
    handlers.on_notice(Filter::new(), record(&notices));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let file = samples::onebot_event(
        r#"{"time":1712641180,"self_id":123456789,"post_type":"notice","notice_type":"offline_file","user_id":111222333,"file":{"name":"照片.zip","size":2048,"url":"http://example.invalid/f.zip"}}"#,
    );
    assert_eq!(feed(&d, vec![file]).await, [Disposition::Accepted]);
    let got = notices.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "friend_file_uploaded");
    assert_eq!(d.stats().handled, 1);
    let listed = <OneBot as Unify>::event_types(Category::Notice);
    for k in &listed {
        assert_eq!(
            listed.iter().filter(|x| *x == k).count(),
            1,
            "{k} listed twice"
        );
    }
}

/// A quoted reply in a QQ group (NapCat): the client puts `@author ` after the quote, the user
/// adds `@bot /翻译`. The space between the two mentions is no command text: the command
/// filter reads `/翻译`.
#[tokio::test]
async fn a_command_after_two_mentions_and_a_reply_still_matches() {
    let hits: Log<Row> = Log::default();
    let mut handlers = OneBotHandlers::new();
    handlers.on_message(
        Filter::new().scene(Scene::Group).command("/翻译"),
        record(&hits),
    );
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let quoted = samples::onebot_event(
        r#"{"time":1712640100,"self_id":123456789,"post_type":"message","message_type":"group","sub_type":"normal","message_id":12400,"group_id":987654321,"user_id":444555666,"anonymous":null,"message":[{"type":"reply","data":{"id":"12345"}},{"type":"at","data":{"qq":"111222333"}},{"type":"text","data":{"text":" "}},{"type":"at","data":{"qq":"123456789"}},{"type":"text","data":{"text":" /翻译"}}],"raw_message":"[CQ:reply,id=12345][CQ:at,qq=111222333] [CQ:at,qq=123456789] /翻译","font":0,"sender":{"user_id":444555666,"nickname":"李四","card":"","role":"member"}}"#,
    );
    assert_eq!(feed(&d, vec![quoted]).await, [Disposition::Accepted]);
    let got = hits.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].3.as_deref(), Some("12400"));
}
