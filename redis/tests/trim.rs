//! The stream's trimming (decision 0088), against a real redis-server (`BOTGATE_TEST_REDIS`):
//! an entry a consumer group still needs is never trimmed, entries every group has read are
//! trimmed to `max_len`, and a stream full of needed entries refuses the publish.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use botgate_redis::{Consumer, EventStream};
use support::{events_key, raw, redis_url};

/// Redis's `stream-node-max-entries` (default): a regular pass trims whole nodes (`~`), so a
/// stream can hold up to this many more than `max_len`.
const NODE: usize = 100;

/// How many entries stream `key` holds.
fn len(url: &str, key: &str) -> usize {
    redis::cmd("XLEN").arg(key).query(&mut raw(url)).unwrap()
}

/// Reads everything `consumer` can get, batch by batch, until a read comes back empty.
async fn read_all(consumer: &mut Consumer) -> Vec<botgate_redis::Delivery> {
    let mut all = Vec::new();
    loop {
        let batch = consumer.next_batch(500).await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
    }
}

/// The defect: `XADD .. MAXLEN ~ max_len` dropped the oldest entries while the group had read
/// none of them (workers down longer than `max_len` events): lost without a word. (Without
/// `trim_every` / `hard_max_len`, which it did not have, the old code let the group read 100
/// of the 2,500.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_a_group_has_not_read_outlive_max_len() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-unread");
    let stream = EventStream::connect(&url, &key)
        .await
        .unwrap()
        .max_len(100)
        .hard_max_len(10_000)
        .trim_every(100, Duration::from_secs(3600));
    let mut worker = stream
        .consumer("workers", "a")
        .await
        .unwrap()
        .block(Duration::from_millis(10));
    // Workers down: 2,500 events arrive, none read (past several trim rounds).
    for i in 0..2_500u32 {
        stream
            .publish("qq", 0, format!(r#"{{"op":0,"id":"e{i}"}}"#).as_bytes())
            .await
            .unwrap();
    }
    let pass = stream.trim().await.unwrap();
    assert_eq!((pass.removed, pass.len), (0, 2_500));
    let got = read_all(&mut worker).await;
    assert_eq!(
        got.len(),
        2_500,
        "every unread entry is still in the stream"
    );
    assert_eq!(&got[0].frame[..], br#"{"op":0,"id":"e0"}"#);
    assert_eq!(&got[2_499].frame[..], br#"{"op":0,"id":"e2499"}"#);
    assert_eq!(len(&url, &key), 2_500);
}

/// A stream with the given bounds whose trim passes run only when asked (or when it is full).
async fn stream(url: &str, key: &str, max_len: usize, hard_max_len: usize) -> EventStream {
    EventStream::connect(url, key)
        .await
        .unwrap()
        .max_len(max_len)
        .hard_max_len(hard_max_len)
        .trim_every(u32::MAX, Duration::from_secs(3600))
}

/// A consumer of group `group` whose reads do not wait.
async fn consumer(stream: &EventStream, group: &str) -> Consumer {
    stream
        .consumer(group, "a")
        .await
        .unwrap()
        .block(Duration::from_millis(1))
}

/// Publishes `n` events numbered from `from`; their entry ids.
async fn publish(stream: &EventStream, from: u32, n: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in from..from + n {
        let frame = format!(r#"{{"op":0,"id":"e{i}"}}"#);
        ids.push(stream.publish("qq", 0, frame.as_bytes()).await.unwrap());
    }
    ids
}

/// Whether stream `key` still holds entry `id`.
fn holds(url: &str, key: &str, id: &str) -> bool {
    let found: redis::Value = redis::cmd("XRANGE")
        .arg(key)
        .arg(id)
        .arg(id)
        .query(&mut raw(url))
        .unwrap();
    matches!(found, redis::Value::Array(v) if v.len() == 1)
}

/// Read is not enough: an entry read and not acknowledged (its worker may die, another then
/// claims it) holds the trim; once everything is acknowledged the stream is `max_len` again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_trimmed_to_max_len_once_acknowledged_and_not_before() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-acked");
    let stream = stream(&url, &key, 100, 10_000).await;
    let mut worker = consumer(&stream, "workers").await;
    let ids = publish(&stream, 0, 1_000).await;
    let got = read_all(&mut worker).await;
    assert_eq!(got.len(), 1_000);

    // all read, none acknowledged: nothing goes
    let pass = stream.trim().await.unwrap();
    assert_eq!((pass.removed, pass.len), (0, 1_000));

    // all acknowledged but the 401st: it and everything after stay
    let acker = worker.acker();
    for d in got.iter().filter(|d| d.id != ids[400]) {
        acker.done(&d.id, None).unwrap();
    }
    let pass = stream.trim().await.unwrap();
    assert!(pass.removed > 0 && pass.removed <= 400, "{pass:?}");
    assert_eq!(pass.len, 1_000 - pass.removed);
    assert!(holds(&url, &key, &ids[400]));

    // the last one acknowledged: down to about max_len, the newest kept
    acker.done(&ids[400], None).unwrap();
    stream.trim().await.unwrap();
    let left = len(&url, &key);
    assert!((100..=100 + NODE).contains(&left), "{left}");
    assert!(holds(&url, &key, &ids[900]));
}

/// Several groups: the one furthest behind decides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_furthest_behind_holds_the_trim() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-groups");
    let stream = stream(&url, &key, 10, 10_000).await;
    let mut fast = consumer(&stream, "fast").await;
    let mut slow = consumer(&stream, "slow").await;
    let ids = publish(&stream, 0, 300).await;
    let acker = fast.acker();
    for d in read_all(&mut fast).await {
        acker.done(&d.id, None).unwrap();
    }
    let pass = stream.trim().await.unwrap();
    assert_eq!((pass.removed, pass.len), (0, 300));
    let got = read_all(&mut slow).await;
    assert_eq!(got.len(), 300);
    let acker = slow.acker();
    for d in &got[..100] {
        acker.done(&d.id, None).unwrap();
    }
    let pass = stream.trim().await.unwrap();
    assert!(pass.removed > 0 && pass.removed <= 100, "{pass:?}");
    assert!(holds(&url, &key, &ids[100]));
}

/// A pending entry the stream no longer holds (deleted; on Redis 6.2 a trimmed one stays
/// pending for good) must not hold the trim below it for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_entry_already_gone_does_not_hold_the_trim() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-gone");
    let stream = stream(&url, &key, 10, 10_000).await;
    let mut worker = consumer(&stream, "workers").await;
    let ids = publish(&stream, 0, 200).await;
    let acker = worker.acker();
    for d in read_all(&mut worker).await.iter().skip(1) {
        acker.done(&d.id, None).unwrap();
    }
    let deleted: i64 = redis::cmd("XDEL")
        .arg(&key)
        .arg(&ids[0])
        .query(&mut raw(&url))
        .unwrap();
    assert_eq!(deleted, 1);
    let pass = stream.trim().await.unwrap();
    assert!((10..=10 + NODE as u64).contains(&pass.len), "{pass:?}");
}

/// With no consumer group nothing tells what is needed: the newest `max_len` entries are
/// kept, as `MAXLEN` did; and a publish trims every `trim_every` publishes by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_group_publishes_keep_the_newest_max_len() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-nogroup");
    let stream = EventStream::connect(&url, &key)
        .await
        .unwrap()
        .max_len(20)
        .trim_every(10, Duration::from_secs(3600));
    let ids = publish(&stream, 0, 205).await;
    // the 200th publish trimmed (199 entries down to about 20) before it appended
    let left = len(&url, &key);
    assert!((20..=20 + NODE + 10).contains(&left), "{left}");
    assert!(holds(&url, &key, &ids[185]));
}

/// Caught-up workers: the publishes alone keep the stream near `max_len`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_keep_a_read_stream_near_max_len() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-steady");
    let stream = EventStream::connect(&url, &key)
        .await
        .unwrap()
        .max_len(50)
        .trim_every(25, Duration::from_secs(3600));
    let mut worker = consumer(&stream, "workers").await;
    let acker = worker.acker();
    let mut most = 0;
    for round in 0..20 {
        publish(&stream, round * 30, 30).await;
        for d in read_all(&mut worker).await {
            acker.done(&d.id, None).unwrap();
        }
        most = most.max(len(&url, &key));
    }
    // at most max_len + trim_every, and what whole-node trimming leaves
    assert!(most <= 50 + 25 + NODE, "{most}");
    assert!(len(&url, &key) >= 50);
}

/// The hard cap: a stream full of entries a group still needs refuses the publish (typed,
/// nothing appended, nothing dropped) until the group has read and acknowledged some.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_full_of_unread_entries_refuses_the_publish_until_workers_catch_up() {
    let Some(url) = redis_url() else { return };
    let key = events_key("trim-full");
    let stream = stream(&url, &key, 10, 50).await;
    let mut worker = consumer(&stream, "workers").await;
    let ids = publish(&stream, 0, 50).await;
    match stream.publish("qq", 0, br#"{"op":0,"id":"e50"}"#).await {
        Err(botgate_redis::Error::StreamFull {
            key: full,
            len: 50,
            hard_max_len: 50,
        }) => assert_eq!(full, key),
        other => panic!("{other:?}"),
    }
    assert_eq!(len(&url, &key), 50);
    // read, not acknowledged: still needed, still full
    let got = read_all(&mut worker).await;
    assert_eq!(got.len(), 50);
    let refused = stream.publish("qq", 0, br#"{"op":0,"id":"e50"}"#).await;
    assert!(matches!(
        refused,
        Err(botgate_redis::Error::StreamFull { .. })
    ));
    // 20 acknowledged: the publish trims them at once and goes through
    let acker = worker.acker();
    for d in &got[..20] {
        acker.done(&d.id, None).unwrap();
    }
    let id = stream
        .publish("qq", 0, br#"{"op":0,"id":"e50"}"#)
        .await
        .unwrap();
    assert_eq!(len(&url, &key), 31);
    assert!(holds(&url, &key, &ids[20]));
    // nothing was lost: the rest and the new one are all there for the group
    for d in &got[20..] {
        acker.done(&d.id, None).unwrap();
    }
    let last = read_all(&mut worker).await;
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].id, id);
}
