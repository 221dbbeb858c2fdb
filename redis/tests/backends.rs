//! The Redis backends against a real redis-server (`BOTGATE_TEST_REDIS`): the session store
//! and its journal seen from two "processes" (two store instances), identify buckets shared by
//! two queues, and shard leases renewed, lost, and taken over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_redis::{RedisIdentifyQueue, RedisSessionStore, ShardLeases};
use botgate_session::{ResumeState, SessionStore};
use redis::Commands;
use support::{events_key, raw, redis_url, unique_prefix};

fn state(session: &str, seq: u64) -> ResumeState {
    ResumeState {
        session_id: session.into(),
        seq,
        resume_url: None,
        shard: Some([1, 4]),
    }
}

#[test]
fn the_store_round_trips_across_instances_and_its_journal_is_compacted_by_saves() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("store");
    let a = RedisSessionStore::open(&url).unwrap().with_prefix(&prefix);
    let b = RedisSessionStore::open(&url).unwrap().with_prefix(&prefix);
    assert_eq!(a.load("qq/1/1-4").unwrap(), None);
    assert_eq!(a.handled_since_save("qq/1/1-4").unwrap(), Vec::<u64>::new());

    a.save("qq/1/1-4", &state("s1", 10)).unwrap();
    for seq in [12, 9, 11, 13] {
        a.mark_handled("qq/1/1-4", "s1", seq).unwrap();
    }
    a.flush_journal();
    // another process sees the state and the notes above the saved seq
    assert_eq!(b.load("qq/1/1-4").unwrap(), Some(state("s1", 10)));
    assert_eq!(b.handled_since_save("qq/1/1-4").unwrap(), [11, 12, 13]);

    // a save drops the notes at or below it
    b.save("qq/1/1-4", &state("s1", 12)).unwrap();
    assert_eq!(a.handled_since_save("qq/1/1-4").unwrap(), [13]);
    let mut conn = raw(&url);
    let journal = format!("{prefix}:handled:qq/1/1-4:s1");
    assert_eq!(conn.zcard::<_, u64>(&journal).unwrap(), 1);

    // a new session's save drops the old session's journal
    a.save("qq/1/1-4", &state("s2", 1)).unwrap();
    assert!(!conn.exists::<_, bool>(&journal).unwrap());
    assert_eq!(a.handled_since_save("qq/1/1-4").unwrap(), Vec::<u64>::new());

    // keys are independent; clear removes the state and its journal
    a.save("bubble/x", &state("b", 3)).unwrap();
    a.mark_handled("qq/1/1-4", "s2", 5).unwrap();
    a.clear("qq/1/1-4").unwrap();
    assert_eq!(b.load("qq/1/1-4").unwrap(), None);
    assert!(!conn
        .exists::<_, bool>(format!("{prefix}:handled:qq/1/1-4:s2"))
        .unwrap());
    assert_eq!(b.load("bubble/x").unwrap(), Some(state("b", 3)));
}

/// Fencing: a process whose lease was taken over (it has not noticed yet) cannot write the
/// shard's state over the new owner's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fenced_save_of_a_process_that_lost_its_lease_is_refused() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("fence");
    let ttl = Duration::from_secs(30);
    let leases = |owner: &'static str| {
        let url = url.clone();
        let prefix = prefix.clone();
        async move {
            ShardLeases::connect(&url, "app", owner, ttl)
                .await
                .unwrap()
                .with_prefix(prefix)
        }
    };
    let (a, b) = (leases("A").await, leases("B").await);
    let store = Arc::new(RedisSessionStore::open(&url).unwrap().with_prefix(&prefix));
    let (store_a, store_b) = (store.fenced(a.fence(1)), store.fenced(b.fence(1)));

    // no lease yet: nobody may write
    let refused = store_a.save("qq/1/1-4", &state("s1", 5)).unwrap_err();
    assert!(refused.to_string().contains("save"), "{refused}");
    let lease = a.try_acquire(1).await.unwrap().expect("free shard");
    store_a.save("qq/1/1-4", &state("s1", 10)).unwrap();
    assert_eq!(store_b.load("qq/1/1-4").unwrap(), Some(state("s1", 10)));

    // A's lease expires in a partition and B takes the shard over (A has not noticed)
    raw(&url)
        .del::<_, ()>(format!("{prefix}:lease:app:1"))
        .unwrap();
    let _taken = b.try_acquire(1).await.unwrap().expect("taken over");
    store_b.save("qq/1/1-4", &state("s2", 3)).unwrap();
    let err = store_a.save("qq/1/1-4", &state("s1", 11)).unwrap_err();
    let chain = format!(
        "{err} / {:?}",
        std::error::Error::source(&err).map(|s| s.to_string())
    );
    assert!(chain.contains("lease is not held by A"), "{chain}");
    assert!(store_a.clear("qq/1/1-4").is_err());
    assert_eq!(
        store.load("qq/1/1-4").unwrap(),
        Some(state("s2", 3)),
        "B's state stands"
    );
    // the unfenced store writes as before (no leases in play)
    store.save("bubble/x", &state("b", 1)).unwrap();
    drop(lease);
}

#[test]
fn a_value_botgate_did_not_write_is_a_typed_decode_error() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("decode");
    let store = RedisSessionStore::open(&url).unwrap().with_prefix(&prefix);
    raw(&url)
        .set::<_, _, ()>(format!("{prefix}:session:k"), "{not json")
        .unwrap();
    let err = store.load("k").unwrap_err();
    assert!(matches!(
        err.kind(),
        botgate_session::ErrorKind::Store { op: "decode", .. }
    ));
}

#[test]
fn an_unreachable_redis_is_an_error_not_a_hang() {
    // Nothing listens on port 1.
    let store = RedisSessionStore::open("redis://127.0.0.1:1/0").unwrap();
    assert!(store.load("k").is_err());
    assert!(RedisSessionStore::open("http://x").is_err());
}

/// Shard `shard`'s identify queue (max_concurrency 2: shards 0 and 2 share a bucket).
fn identify_queue(url: &str, prefix: &str, shard: u32, window: Duration) -> RedisIdentifyQueue {
    RedisIdentifyQueue::open(url, "app", shard, 2)
        .unwrap()
        .with_prefix(prefix)
        .with_window(window)
}

#[test]
fn identify_slots_of_one_bucket_are_a_window_apart_across_processes() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("identify");
    let window = Duration::from_millis(300);
    // shards 0 and 2 share bucket 0 (max_concurrency 2); shard 1 is bucket 1
    let open = |shard| identify_queue(&url, &prefix, shard, window);
    let (a, b, c) = (open(0), open(2), open(1));
    let mut slots = Vec::new();
    for q in [&a, &b, &a, &b] {
        let asked = Instant::now();
        slots.push(asked + q.try_reserve().unwrap());
    }
    // The server hands out slots in ms: allow 2 ms of rounding between two clocks.
    for pair in slots.windows(2) {
        let gap = pair[1].saturating_duration_since(pair[0]);
        assert!(gap + Duration::from_millis(2) >= window, "{gap:?}");
    }
    // the other bucket is free at once
    assert!(c.try_reserve().unwrap() < window);
}

/// Review of stop 28: a shard identifies when its reconnect backoff ends, and asks for a slot
/// from then. Reserved from Redis's present instead, the slot was counted a backoff early:
/// another process's identify could then land within the same window.
#[test]
fn an_identify_slot_asked_for_later_is_counted_from_then() {
    use botgate_session::IdentifyQueue;

    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("identify-later");
    let window = Duration::from_millis(300);
    let (a, b) = (
        identify_queue(&url, &prefix, 0, window),
        identify_queue(&url, &prefix, 2, window),
    ); // one bucket
    let asked = Instant::now();
    // A after a backoff of one window; B, right after, with almost none.
    let a_slot = a.reserve(asked + window);
    let b_slot = b.reserve(asked + Duration::from_millis(10));
    assert!(
        a_slot + Duration::from_millis(2) >= asked + window,
        "not before it was asked for"
    );
    let gap = if b_slot > a_slot {
        b_slot - a_slot
    } else {
        a_slot - b_slot
    };
    // The server hands out slots in ms: allow 2 ms of rounding between two clocks.
    assert!(gap + Duration::from_millis(2) >= window, "{gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_exclusive_renewed_and_taken_over_when_its_owner_dies() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("lease");
    let ttl = Duration::from_millis(300);
    let a = ShardLeases::connect(&url, "app", "A", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let b = ShardLeases::connect(&url, "app", "B", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);

    let lease = a.try_acquire(3).await.unwrap().expect("free shard");
    assert!(b.try_acquire(3).await.unwrap().is_none(), "held by A");
    assert!(
        b.try_acquire(2).await.unwrap().is_some(),
        "another shard is free"
    );
    // renewed: still A's after several TTLs
    tokio::time::sleep(ttl * 4).await;
    assert!(lease.is_held());
    assert_eq!(b.holder(3).await.unwrap().as_deref(), Some("A"));

    // A dies (stops renewing): once the key expires, B gets the shard
    drop(lease);
    let taken = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(lease) = b.try_acquire(3).await.unwrap() {
                return lease;
            }
            tokio::time::sleep(ttl / 10).await;
        }
    })
    .await
    .expect("taken over");
    assert_eq!(a.holder(3).await.unwrap().as_deref(), Some("B"));

    // released: free at once
    taken.release().await.unwrap();
    assert_eq!(a.holder(3).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_whose_key_changed_hands_reports_itself_lost() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("lost");
    let ttl = Duration::from_millis(300);
    let a = ShardLeases::connect(&url, "app", "A", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let mut lease = a.try_acquire(0).await.unwrap().unwrap();
    // as if A had paused past its TTL and C had taken the shard meanwhile
    raw(&url)
        .set::<_, _, ()>(format!("{prefix}:lease:app:0"), "C")
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), lease.lost())
        .await
        .expect("lost reported");
    assert!(!lease.is_held());
    // a release must not delete C's key
    lease.release().await.unwrap();
    assert_eq!(a.holder(0).await.unwrap().as_deref(), Some("C"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_entry_left_pending_by_a_dead_worker_is_claimed_by_another() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream");
    let stream = botgate_redis::EventStream::connect(&url, &key)
        .await
        .unwrap();
    for i in 0..3 {
        stream
            .publish("qq", i, format!(r#"{{"op":0,"id":"e{i}"}}"#).as_bytes())
            .await
            .unwrap();
    }
    let idle = Duration::from_millis(200);
    let mut a = stream
        .consumer("workers", "a")
        .await
        .unwrap()
        .claim_idle(idle);
    let mut b = stream
        .consumer("workers", "b")
        .await
        .unwrap()
        .claim_idle(idle)
        .block(Duration::from_millis(50));
    let got = a.next_batch(2).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].platform.as_str(), got[0].shard), ("qq", 0));
    assert_eq!(&got[1].frame[..], br#"{"op":0,"id":"e1"}"#);
    assert!(!got[0].claimed);
    // a finishes e0, then dies with e1 pending
    a.acker().done(&got[0].id, Some("e0")).unwrap();
    assert!(b.is_done("e0").await.unwrap());
    assert!(!b.is_done("e1").await.unwrap());
    drop(a);
    // b gets e2 (new) at once, e1 only once it has been idle long enough
    let fresh = b.next_batch(10).await.unwrap();
    assert_eq!(fresh.len(), 1);
    assert_eq!(&fresh[0].frame[..], br#"{"op":0,"id":"e2"}"#);
    b.acker().done(&fresh[0].id, Some("e2")).unwrap();
    let claimed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let batch = b.next_batch(10).await.unwrap();
            if !batch.is_empty() {
                return batch;
            }
        }
    })
    .await
    .expect("claimed");
    assert_eq!(claimed.len(), 1);
    assert!(claimed[0].claimed);
    assert_eq!(claimed[0].id, got[1].id);
    b.acker().done(&claimed[0].id, Some("e1")).unwrap();
    // nothing pending is left
    let pending: redis::Value = redis::cmd("XPENDING")
        .arg(&key)
        .arg("workers")
        .query(&mut raw(&url))
        .unwrap();
    match pending {
        redis::Value::Array(v) => assert_eq!(v.first(), Some(&redis::Value::Int(0))),
        other => panic!("{other:?}"),
    }
}

/// Review of stop 28: a Redis restarted without persistence has lost the stream and its
/// consumer group; the worker read `NOGROUP` for good. It makes the group again and goes on
/// with what the gateways append from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_whose_group_vanished_makes_it_again_and_reads_on() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream-nogroup");
    let stream = botgate_redis::EventStream::connect(&url, &key)
        .await
        .unwrap();
    let mut worker = stream
        .consumer("workers", "a")
        .await
        .unwrap()
        .block(Duration::from_millis(50));
    stream
        .publish("qq", 0, br#"{"op":0,"id":"e0"}"#)
        .await
        .unwrap();
    let got = worker.next_batch(10).await.unwrap();
    assert_eq!(got.len(), 1);
    worker.acker().done(&got[0].id, Some("e0")).unwrap();
    // What a restart without persistence leaves: no stream, no group.
    let _: () = raw(&url).del(&key).unwrap();
    stream
        .publish("qq", 0, br#"{"op":0,"id":"e1"}"#)
        .await
        .unwrap();
    let batch = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let batch = worker
                .next_batch(10)
                .await
                .expect("no error once the group is back");
            if !batch.is_empty() {
                return batch;
            }
        }
    })
    .await
    .expect("the worker reads again");
    assert_eq!(batch.len(), 1);
    assert_eq!(&batch[0].frame[..], br#"{"op":0,"id":"e1"}"#);
}

/// A TCP proxy to `upstream` whose forwarding can be frozen: a network partition (no reset,
/// no end of stream, no answer).
async fn freezable_proxy(upstream: &str, frozen: Arc<AtomicBool>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn pump(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        frozen: Arc<AtomicBool>,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            // Frozen: the bytes are held, as a partitioned network holds them.
            while frozen.load(AtomicOrdering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            if to.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = upstream.to_owned();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                return;
            };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, Arc::clone(&frozen)));
            tokio::spawn(pump(sr, cw, Arc::clone(&frozen)));
        }
    });
    port
}

/// Review of stop 28: a renewal that got no answer (a partition) waited for good, and the
/// lease reported itself held while its key expired and another process took the shard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_whose_renewal_gets_no_answer_is_lost_before_its_key_can_expire() {
    let Some(url) = redis_url() else { return };
    let rest = url.trim_start_matches("redis://");
    let (addr, db) = rest.split_once('/').unwrap_or((rest, "0"));
    let prefix = unique_prefix("lease-partition");
    let frozen = Arc::new(AtomicBool::new(false));
    let via = freezable_proxy(addr, Arc::clone(&frozen)).await;
    let ttl = Duration::from_millis(600);
    let a = ShardLeases::connect(&format!("redis://127.0.0.1:{via}/{db}"), "app", "A", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let b = ShardLeases::connect(&url, "app", "B", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let mut lease_a = a.try_acquire(0).await.unwrap().expect("A acquires");
    frozen.store(true, AtomicOrdering::SeqCst); // A's link to Redis goes silent
                                                // Reported lost two thirds of a TTL after the last renewal was sent, before the key can
                                                // expire (not asserted in time: a loaded machine may wake this test late).
    tokio::time::timeout(Duration::from_secs(10), lease_a.lost())
        .await
        .expect("A sees the loss without an answer");
    let lease_b = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(lease) = b.try_acquire(0).await.unwrap() {
                return lease;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("B takes the shard once A's key expired");
    assert!(lease_b.is_held() && !lease_a.is_held());
    frozen.store(false, AtomicOrdering::SeqCst);
}

/// One dropped connection (a Redis restart, an idle-killing proxy) must not lose a lease that
/// has seconds left: the failed renewal is tried again at once on the reconnected connection.
/// Before the fix the retry came a whole renewal period later, past the moment the lease
/// counts as lost, and every shard of every gateway stopped at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_survives_its_connection_being_dropped() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("lease-drop");
    let (through, cutter) = support::cutting_proxy(&url).await;
    let ttl = Duration::from_secs(9);
    let a = ShardLeases::connect(&through, "app", "A", ttl)
        .await
        .unwrap()
        .with_prefix(&prefix);
    let mut lease = a.try_acquire(5).await.unwrap().expect("free shard");
    let key = format!("{prefix}:lease:app:5");
    // Redis "restarts": down for 3.5 s of the lease's 6 s before it counts as lost (the
    // renewal at 3 s fails; the next, a period later, would be at the 6 s limit).
    cutter.cut_for(Duration::from_millis(3500));
    let mut admin = raw(&url);
    // Renewed after the cut: the key's time to live goes back up.
    let renewed = async {
        let mut last: i64 = redis::cmd("PTTL").arg(&key).query(&mut admin).unwrap();
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now: i64 = redis::cmd("PTTL").arg(&key).query(&mut admin).unwrap();
            if now > last {
                return;
            }
            last = now;
        }
    };
    tokio::select! {
        () = lease.lost() => panic!("the lease was reported lost after one dropped connection"),
        r = tokio::time::timeout(Duration::from_secs(20), renewed) => r.expect("renewed"),
    }
    assert!(lease.is_held());
    assert_eq!(a.holder(5).await.unwrap().as_deref(), Some("A"));
    lease.release().await.unwrap();
}
