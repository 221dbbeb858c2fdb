//! Review of the Redis backends (decision 0085), against a real redis-server
//! (`BOTGATE_TEST_REDIS`): a store sees its own journal notes, and a stream entry botgate did
//! not write does not stay pending for good.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use botgate_redis::{EventStream, RedisSessionStore};
use botgate_session::{ResumeState, SessionStore};
use redis::Commands;
use support::{events_key, raw, redis_url, unique_prefix};

/// Reads what is new in `key` as the consumer `dead` of `workers`, which then never acks it.
fn read_as_dead(url: &str, key: &str) {
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("dead")
        .arg("COUNT")
        .arg(10)
        .arg("STREAMS")
        .arg(key)
        .arg(">")
        .query(&mut raw(url))
        .unwrap();
}

/// How many entries of group `group` of stream `key` are pending (read, not acknowledged).
fn pending(url: &str, key: &str, group: &str) -> i64 {
    let summary: redis::Value = redis::cmd("XPENDING")
        .arg(key)
        .arg(group)
        .query(&mut raw(url))
        .unwrap();
    match summary {
        redis::Value::Array(v) => match v.first() {
            Some(redis::Value::Int(n)) => *n,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// `handled_since_save` reads the journal in Redis, but `mark_handled` only queues a note for
/// the journal writer: a store asked right after a note did not see it (a shard restarted in
/// the same process, e.g. its lease lost and taken again, replayed an event it had handled).
/// Redis holds the writer's `ZADD` here (`CLIENT PAUSE .. WRITE`; reads go on), so the note
/// is surely still unwritten when the journal is read, unless the read waits for it.
#[test]
fn a_store_sees_its_own_journal_notes() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("journal-own");
    let store = RedisSessionStore::open(&url).unwrap().with_prefix(&prefix);
    let state = ResumeState {
        session_id: "s1".into(),
        seq: 10,
        resume_url: None,
        shard: Some([0, 1]),
    };
    store.save("k", &state).unwrap();
    // The journal writer is started (its connection made) before the pause.
    store.mark_handled("k", "s1", 11).unwrap();
    store.flush_journal();

    let mut admin = raw(&url);
    // Long enough for the read below, well inside the store's 2 s I/O timeout.
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1000)
        .arg("WRITE")
        .query(&mut admin)
        .unwrap();
    store.mark_handled("k", "s1", 12).unwrap();
    let seen = store.handled_since_save("k");
    let _: () = redis::cmd("CLIENT")
        .arg("UNPAUSE")
        .query(&mut admin)
        .unwrap();
    assert_eq!(seen.unwrap(), [11, 12]);
}

/// An entry `delivery` cannot read (not written by botgate: another writer on the key, or
/// fields it does not know) was left pending: never acknowledged, taken over by every worker
/// in turn each `claim_idle`, for good. It is acknowledged (and logged) instead, as the worker
/// does with an entry no handler can take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_botgate_did_not_write_is_acknowledged_not_left_pending() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream-foreign");
    let stream = EventStream::connect(&url, &key).await.unwrap();
    let mut worker = stream
        .consumer("workers", "a")
        .await
        .unwrap()
        .block(Duration::from_millis(10));
    let _: String = raw(&url).xadd(&key, "*", &[("x", "y")]).unwrap();
    let _: String = raw(&url)
        .xadd(&key, "*", &[("p", "qq"), ("s", "not a shard"), ("f", "{}")])
        .unwrap();
    stream.publish("qq", 0, br#"{"op":0}"#).await.unwrap();

    let got = worker.next_batch(10).await.unwrap();
    assert_eq!(got.len(), 1);
    worker.acker().done(&got[0].id, None).unwrap();
    assert_eq!(
        pending(&url, &key, "workers"),
        0,
        "foreign entries left pending"
    );

    // The same for an entry taken over from a dead consumer: read by `dead`, claimed at once
    // (claim_idle 0) by `b`.
    let _: String = raw(&url).xadd(&key, "*", &[("x", "z")]).unwrap();
    read_as_dead(&url, &key);
    assert_eq!(pending(&url, &key, "workers"), 1);
    let mut b = stream
        .consumer("workers", "b")
        .await
        .unwrap()
        .claim_idle(Duration::ZERO)
        .block(Duration::from_millis(10));
    assert!(b.next_batch(10).await.unwrap().is_empty());
    assert_eq!(
        pending(&url, &key, "workers"),
        0,
        "a claimed foreign entry left pending"
    );
}

/// A done-mark TTL Redis refuses (`PX 0` below a millisecond, or past what `PX` takes, e.g.
/// `Duration::MAX` for "keep them for good") failed every acknowledgement: every event was
/// redelivered and handled again, for good. The TTL is kept within what Redis takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_done_ttl_still_acknowledges() {
    let Some(url) = redis_url() else { return };
    for (n, ttl) in [Duration::ZERO, Duration::from_micros(300), Duration::MAX]
        .into_iter()
        .enumerate()
    {
        let key = events_key("stream-done-ttl");
        let stream = EventStream::connect(&url, &key).await.unwrap();
        let mut worker = stream
            .consumer("workers", "a")
            .await
            .unwrap()
            .block(Duration::from_millis(10))
            .done_ttl(ttl);
        stream.publish("qq", 0, br#"{"op":0}"#).await.unwrap();
        let got = worker.next_batch(10).await.unwrap();
        assert_eq!(got.len(), 1);
        let event = format!("e{n}");
        let acked = worker.acker().done(&got[0].id, Some(&event));
        assert!(acked.is_ok(), "done_ttl {ttl:?}: {acked:?}");
        assert_eq!(pending(&url, &key, "workers"), 0);
        if ttl == Duration::MAX {
            assert!(worker.is_done(&event).await.unwrap());
        }
    }
}

/// Reads one RESP command (an array of bulk strings); `None` at the end of the stream.
async fn read_command<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<Vec<String>> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut line = String::new();
    if r.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let n: usize = line.trim().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).await.ok()?;
        let len: usize = line.trim().strip_prefix('$')?.parse().ok()?;
        let mut buf = vec![0; len + 2];
        r.read_exact(&mut buf).await.ok()?;
        buf.truncate(len);
        args.push(String::from_utf8(buf).ok()?);
    }
    Some(args)
}

/// A stand-in for a Redis 6.2 on loopback: `XAUTOCLAIM` answers `claim` (raw RESP), every
/// other command `+OK`. Returns its URL.
async fn redis_6_2(claim: &'static str) -> String {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut r = tokio::io::BufReader::new(r);
                while let Some(cmd) = read_command(&mut r).await {
                    let answer = match cmd.first().map(|c| c.to_ascii_uppercase()) {
                        Some(c) if c == "XAUTOCLAIM" => claim,
                        _ => "+OK\r\n",
                    };
                    if w.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("redis://{addr}/0")
}

/// Redis 6.2 answers a pending entry that was trimmed from the stream as a nil among the
/// claimed entries (7.0 lists its id apart, in a third element). The client's reply type
/// refused a nil coming first: the whole claim failed, and the entries claimed with it
/// (the trimmed one comes first every time the scan reaches them) were never delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trimmed_entry_in_a_redis_6_2_claim_does_not_fail_the_others() {
    let claim = concat!(
        "*2\r\n",
        "$3\r\n0-0\r\n",
        "*2\r\n",
        "$-1\r\n",
        "*2\r\n$3\r\n5-0\r\n",
        "*6\r\n$1\r\np\r\n$2\r\nqq\r\n$1\r\ns\r\n$1\r\n3\r\n$1\r\nf\r\n$2\r\n{}\r\n",
    );
    let url = redis_6_2(claim).await;
    let stream = EventStream::connect(&url, "events").await.unwrap();
    let mut worker = stream.consumer("workers", "a").await.unwrap();
    let got = worker.next_batch(10).await;
    let got = got.expect("the claim is read");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id.as_str(), got[0].shard), ("5-0", 3));
    assert!(got[0].claimed);
}

/// The same on a real Redis (7.0 and later: the trimmed entry's id comes apart, in a third
/// element): the entries claimed with it are delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trimmed_pending_entry_does_not_hold_up_those_claimed_with_it() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream-trimmed-claim");
    let stream = EventStream::connect(&url, &key).await.unwrap();
    let mut b = stream
        .consumer("workers", "b")
        .await
        .unwrap()
        .claim_idle(Duration::ZERO)
        .block(Duration::from_millis(10));
    let first = stream.publish("qq", 0, b"{}").await.unwrap();
    let second = stream.publish("qq", 1, b"{}").await.unwrap();
    read_as_dead(&url, &key);
    let _: i64 = raw(&url).xdel(&key, &[&first]).unwrap();
    let got = b.next_batch(10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id.as_str(), got[0].shard), (second.as_str(), 1));
    b.acker().done(&got[0].id, None).unwrap();
    assert_eq!(pending(&url, &key, "workers"), 0);
}

/// `block(Duration::ZERO)` ("do not wait") sent `BLOCK 0`, which Redis reads as "wait for
/// good": a read on a quiet stream hung until the 30 s answer timeout, then failed (and an
/// entry appended meanwhile was delivered to a read nobody awaited any more: pending until
/// `claim_idle`). The bound below only turns that hang into a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_block_reads_without_waiting_for_good() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream-block-zero");
    let stream = EventStream::connect(&url, &key).await.unwrap();
    let mut worker = stream
        .consumer("workers", "a")
        .await
        .unwrap()
        .block(Duration::ZERO);
    let read = tokio::time::timeout(Duration::from_secs(10), worker.next_batch(10)).await;
    let read = read.expect("the read returns");
    assert!(read.unwrap().is_empty());
}
