//! Unified handlers on the Bubble sample frames (plus one group message, which the sample file
//! lacks): subscriptions, undecoded non-unified types, scene and command filters, masters.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::sync::Arc;

use botgate_dispatch::bubble::{Bubble, BubbleHandlers};
use botgate_dispatch::{
    Category, Context, DispatchConfig, Dispatcher, Disposition, Filter, HandlerError, Permissions,
    Scene, Unified, Unify,
};

mod samples;
use samples::{bubble_frames, count, feed, frame, Log, BUBBLE_GROUP_MESSAGE};

type Row = (String, String, String, Option<String>, String, bool);

fn row(ctx: &Context, u: &Unified) -> Row {
    (
        ctx.event_type().to_owned(),
        u.sub_event.as_str().to_owned(),
        u.contact.peer.to_string(),
        u.contact.sub_peer.as_deref().map(str::to_owned),
        u.user_id.to_string(),
        u.is_master,
    )
}

type Ready = std::future::Ready<Result<(), HandlerError>>;

fn record(log: &Log<Row>) -> impl Fn(Context, Unified) -> Ready + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |ctx, u| {
        log.lock().unwrap().push(row(&ctx, &u));
        std::future::ready(Ok::<(), HandlerError>(()))
    }
}

fn with_group_message() -> Vec<botgate_codec::Frame> {
    let mut frames = bubble_frames();
    frames.push(frame(BUBBLE_GROUP_MESSAGE));
    frames
}

#[tokio::test]
async fn a_group_scene_filter_gets_exactly_the_group_messages() {
    let all: Log<Row> = Log::default();
    let groups: Log<Row> = Log::default();
    let mut handlers = BubbleHandlers::new();
    handlers
        .set_permissions(Permissions::new(["5"], Vec::<String>::new()))
        .on_message(Filter::new(), record(&all))
        .on_message(Filter::new().scene(Scene::Group), record(&groups));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    let frames = with_group_message();
    let events = frames.iter().filter(|f| f.event_type().is_some()).count();
    let dispositions = feed(&d, frames).await;

    assert_eq!(
        *groups.lock().unwrap(),
        [(
            "GROUP_MESSAGE_CREATE".to_owned(),
            "group".to_owned(),
            "77".to_owned(),
            Some("88".to_owned()),
            "5".to_owned(),
            true
        )]
    );
    // Channel 123, the DM and the group thread are three lanes: compare sorted.
    let mut types: Vec<(String, String, bool)> = all
        .lock()
        .unwrap()
        .iter()
        .map(|r| (r.0.clone(), r.1.clone(), r.5))
        .collect();
    types.sort();
    let expect = |t: &str, s: &str, m: bool| (t.to_owned(), s.to_owned(), m);
    assert_eq!(
        types,
        [
            expect("DM_MESSAGE_CREATE", "private", false),
            expect("GROUP_MESSAGE_CREATE", "group", true),
            expect("MESSAGE_CREATE", "guild", false),
            expect("MESSAGE_CREATE", "guild", false),
        ]
    );
    // Edits, deletions, members, roles, channels, BOT_READY, ERROR: never decoded.
    let stats = d.stats();
    assert_eq!(stats.decoded, 4);
    assert_eq!(count(&dispositions, Disposition::Accepted), 4);
    assert_eq!(stats.unhandled as usize, events - 4);
    assert_eq!(stats.handled, 5);
}

#[tokio::test]
async fn command_filters_read_the_message_text() {
    let cities: Log<String> = Log::default();
    let mut handlers = BubbleHandlers::new();
    let c = Arc::clone(&cities);
    handlers.on_message(Filter::new().command("/天气"), move |_ctx, u: Unified| {
        let c = Arc::clone(&c);
        async move {
            let text = u.plain_text();
            c.lock().unwrap().push(
                Filter::command_args(&text, "/天气")
                    .unwrap_or("?")
                    .to_owned(),
            );
            Ok(())
        }
    });
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, with_group_message()).await;
    assert_eq!(*cities.lock().unwrap(), ["北京"]);
}

#[tokio::test]
async fn notices_get_edits_deletions_and_member_changes() {
    let log: Log<Row> = Log::default();
    let mut handlers = BubbleHandlers::new();
    handlers.on_notice(Filter::new().peer("10"), record(&log));
    let d = Dispatcher::new(handlers, DispatchConfig::default());
    feed(&d, bubble_frames()).await;
    let mut got: Vec<(String, String)> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| (r.0.clone(), r.1.clone()))
        .collect();
    got.sort();
    let expect = |t: &str, s: &str| (t.to_owned(), s.to_owned());
    // MESSAGE_UPDATE carries no guildId, so its peer is not guild 10: the filter drops it.
    assert_eq!(
        got,
        [
            expect("GUILD_MEMBER_ADD", "guild_member_increase"),
            expect("GUILD_MEMBER_UPDATE", "guild_member_update"),
            expect("MESSAGE_DELETE", "group_recall"),
        ]
    );
    assert_eq!(d.stats().decoded, 4);
}

#[test]
fn unified_handlers_subscribe_to_their_event_types() {
    let mut handlers = BubbleHandlers::new();
    handlers.on_message(Filter::new(), |_ctx, _u| async { Ok(()) });
    assert_eq!(
        handlers.subscriptions(),
        [
            "DM_MESSAGE_CREATE",
            "GROUP_MESSAGE_CREATE",
            "MESSAGE_CREATE"
        ]
    );
    assert_eq!(
        <Bubble as Unify>::event_types(Category::Message).len(),
        handlers.subscriptions().len()
    );
    assert!(<Bubble as Unify>::event_types(Category::Request).is_empty());
}
