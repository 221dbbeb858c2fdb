//! `botgate listen --platform onebot --bind ADDR`: the real binary serves the OneBot reverse
//! WebSocket to an independent Waylay-like implementation and to `botgate sim --accounts`, on
//! 127.0.0.1, run as a service (stdin /dev/null, stopped by SIGTERM).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../facade/tests/support/waylay.rs"]
mod waylay;

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::{Exit, Proc, Signal};
use waylay::Waylay;

const LIMIT: Duration = Duration::from_secs(60);

/// `botgate ARGS` (stdin /dev/null), its waits bounded by `LIMIT`.
fn spawn(args: &[&str]) -> Proc {
    Proc::spawn(args).with_limit(LIMIT)
}

/// Starts `botgate listen --platform onebot --bind 127.0.0.1:0 ARGS` and returns it with
/// the URL it serves (from its stderr line announcing it).
async fn listen(args: &[&str]) -> (Proc, String) {
    let mut all = vec!["listen", "--platform", "onebot", "--bind", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut proc = spawn(&all);
    let line = proc.stderr_until(|l| l.contains("reverse WS on")).await;
    let url = line.split_whitespace().last().unwrap().to_owned();
    (proc, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waylay_like_implementation_dropping_every_250_events_loses_nothing() {
    const TOTAL: usize = 2000;
    const SELF_ID: i64 = 2_854_196_310;
    let (mut listen, url) = listen(&[
        "--token",
        "waylay-token",
        "--path",
        "/onebot/v11/ws",
        "--events",
        "message,notice",
    ])
    .await;
    assert!(url.ends_with("/onebot/v11/ws"), "{url}");
    let implementation = Waylay {
        url,
        token: Some("waylay-token".into()),
        self_id: SELF_ID,
        drop_every: 250,
        reconnect: Duration::ZERO,
    }
    .start(TOTAL);
    for n in 0..TOTAL {
        let line = listen.next_json().await;
        let data = &line["data"];
        assert_eq!(waylay::number(data), Some(n), "{line}");
        assert_eq!(line["kind"], waylay::event(SELF_ID, n).0, "{line}");
        assert_eq!(line["self_id"], SELF_ID.to_string());
        assert_eq!(data["self_id"], SELF_ID);
    }
    assert_eq!(implementation.state().connections, TOTAL / 250);
    let Exit { code, rest, stderr } = listen.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(rest.is_empty(), "nothing after the last event: {rest:?}");
    let state = implementation
        .wait_for(LIMIT, "the close", |s| !s.closed_by_bot.is_empty())
        .await;
    assert_eq!(state.closed_by_bot, [Some(1000)], "a normal close");
    implementation.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_wrong_token_is_refused_at_the_upgrade() {
    let (listen, url) = listen(&["--token", "right"]).await;
    let implementation = |token: Option<&str>| Waylay {
        url: url.clone(),
        token: token.map(str::to_owned),
        self_id: 1,
        drop_every: 0,
        reconnect: Duration::ZERO,
    };
    assert_eq!(
        implementation(Some("bad-t0ken")).try_connect().await,
        Err(403)
    );
    assert_eq!(implementation(None).try_connect().await, Err(401));
    let Exit { code, rest, stderr } = listen.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(rest.is_empty(), "nothing dispatched: {rest:?}");
    assert!(stderr.contains("rejected"), "{stderr}");
    assert!(
        !stderr.contains("bad-t0ken"),
        "no token in the log: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_accounts_from_botgate_sim_each_reach_their_own_handlers() {
    const ACCOUNTS: usize = 100;
    let (mut listen, url) = listen(&["--token", "many", "--events", "message"]).await;
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        script.path(),
        r#"{"post_type":"message","message_type":"group","sub_type":"normal","message_id":1,"group_id":7,"user_id":8,"message":[{"type":"text","data":{"text":"one"}}],"raw_message":"one","font":0,"sender":{"user_id":8}}
{"post_type":"message","message_type":"private","sub_type":"friend","message_id":2,"user_id":8,"message":[{"type":"text","data":{"text":"two"}}],"raw_message":"two","font":0,"sender":{"user_id":8}}
"#,
    )
    .unwrap();
    let mut sim = spawn(&[
        "sim",
        "--platform",
        "onebot",
        "--reverse",
        &url,
        "--accounts",
        &ACCOUNTS.to_string(),
        "--token",
        "many",
        "--script",
        script.path().to_str().unwrap(),
    ]);
    let info = sim.next_json().await;
    let accounts: Vec<i64> = info["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(accounts.len(), ACCOUNTS);
    // Per account: the texts in order, and the account whose handlers printed them.
    let mut seen: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for _ in 0..2 * ACCOUNTS {
        let line = listen.next_json().await;
        let account = line["data"]["self_id"].as_i64().unwrap();
        assert_eq!(line["self_id"], account.to_string(), "{line}");
        let text = line["data"]["message"][0]["data"]["text"].as_str().unwrap();
        seen.entry(account).or_default().push(text.to_owned());
    }
    assert_eq!(seen.keys().copied().collect::<Vec<_>>(), accounts);
    assert!(
        seen.values().all(|texts| texts == &["one", "two"]),
        "{seen:?}"
    );
    let Exit { code, rest, stderr } = listen.stop(Signal::Term).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(
        stderr.matches("ready (self id").count(),
        ACCOUNTS,
        "a lifecycle line per account: {stderr}"
    );
    let Exit { code, .. } = sim.stop(Signal::Term).await;
    assert_eq!(code, Some(0));
}

/// `--exit-on-stdin-eof` stops the reverse listener too (it was ignored there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reverse_listener_exits_at_end_of_stdin_when_asked() {
    let mut proc = Proc::spawn_with_stdin([
        "listen",
        "--platform",
        "onebot",
        "--bind",
        "127.0.0.1:0",
        "--exit-on-stdin-eof",
    ])
    .with_limit(LIMIT);
    proc.stderr_until(|l| l.contains("reverse WS on")).await;
    proc.close_stdin();
    let Exit { code, stderr, .. } = proc.finish().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("end of stdin, closing"), "{stderr}");
}
