//! The worker → gateway relay (`ActionRelay` / `ActionQueue`) and the gateway name in stream
//! entries, against a real redis-server (`BOTGATE_TEST_REDIS`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use botgate_redis::{ActionQueue, ActionRelay, Error, EventStream};
use redis::Commands;
use serde_json::{json, Value};
use support::{events_key, raw, redis_url, unique_prefix};

const WAIT: Duration = Duration::from_secs(10);

/// The gateway's next request, or `None` when none came. A connection error (another test of
/// this binary drops every `BLPOP` connection) is waited out, as a gateway's loop does.
async fn next_request(queue: &ActionQueue) -> Option<botgate_redis::ActionRequest> {
    loop {
        match queue.next().await {
            Ok(request) => return request,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// A gateway serving `n` requests, each answered with what it asked (`{"asked": body}`).
fn answer_what_was_asked(queue: ActionQueue, n: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut served = 0;
        while served < n {
            if let Some(request) = next_request(&queue).await {
                let answer = json!({"asked": request.body});
                if queue.answer(&request, answer).await.is_ok() {
                    served += 1;
                }
            }
        }
    })
}

async fn call(relay: &ActionRelay, n: u32) -> Value {
    relay.call("gw", json!({"n": n}), WAIT).await.unwrap()
}

/// Two workers' calls to one gateway: each answer reaches the call that asked it (by echo and
/// answer list), and the answer lists expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_reach_the_call_that_asked() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("relay");
    let queue = ActionQueue::connect(&url, &prefix, "gw").await.unwrap();
    let w1 = ActionRelay::connect(&url, &prefix, "w1").await.unwrap();
    let w2 = ActionRelay::connect(&url, &prefix, "w2").await.unwrap();
    // the gateway answers each request with what it was asked, tagged
    let gateway = answer_what_was_asked(queue, 4);
    let (a, b, c, d) = tokio::join!(call(&w1, 1), call(&w2, 2), call(&w1, 3), call(&w2, 4));
    for (answer, n) in [(a, 1), (b, 2), (c, 3), (d, 4)] {
        assert_eq!(answer, json!({"asked": {"n": n}}));
    }
    tokio::time::timeout(WAIT, gateway).await.unwrap().unwrap();
    let ttl: i64 = raw(&url).pttl(format!("{prefix}:answers:w1")).unwrap();
    // popped empty lists are deleted (-2); a list with answers left has a TTL
    assert!(ttl == -2 || ttl > 0, "answer list without expiry: {ttl}");
}

/// A call to a gateway nobody serves gives up after its timeout, with a typed error; the
/// request stays queued for that gateway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_nobody_answers_times_out() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("relay-timeout");
    let relay = ActionRelay::connect(&url, &prefix, "w1").await.unwrap();
    let started = Instant::now();
    let result = relay
        .call("gone", json!({"action": "x"}), Duration::from_millis(300))
        .await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert!(started.elapsed() < WAIT);
    let queued: Vec<String> = raw(&url)
        .lrange(format!("{prefix}:actions:gone"), 0, -1)
        .unwrap();
    assert_eq!(queued.len(), 1);
    let request: Value = serde_json::from_str(&queued[0]).unwrap();
    assert_eq!(request["b"], json!({"action": "x"}));
    assert_eq!(request["r"], format!("{prefix}:answers:w1"));
}

/// Entries published by a named gateway carry its name; unnamed ones carry none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_name_the_gateway_that_published_them() {
    let Some(url) = redis_url() else { return };
    let key = events_key("stream-gateway");
    let named = EventStream::connect(&url, key.clone())
        .await
        .unwrap()
        .gateway("gw-7");
    let unnamed = EventStream::connect(&url, key.clone()).await.unwrap();
    named.publish("onebot", 0, b"{\"a\":1}").await.unwrap();
    unnamed.publish("qq", 3, b"{\"b\":2}").await.unwrap();
    let mut consumer = named
        .consumer("g", "c")
        .await
        .unwrap()
        .block(Duration::from_millis(100));
    let batch = consumer.next_batch(10).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(batch[0].gateway.as_deref(), Some("gw-7"));
    assert_eq!((batch[0].platform.as_str(), batch[0].shard), ("onebot", 0));
    assert_eq!(batch[1].gateway, None);
    assert_eq!((batch[1].platform.as_str(), batch[1].shard), ("qq", 3));
}

/// Review of stop 28: a worker restarted under the same name got the answers to its
/// predecessor's calls (echoes counted from 0 in each process, one answer list per name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_worker_never_gets_its_predecessors_answers() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("relay-restart");
    let queue = ActionQueue::connect(&url, &prefix, "gw").await.unwrap();
    // The predecessor asks, and dies before the answer comes.
    let old = ActionRelay::connect(&url, &prefix, "w1").await.unwrap();
    let asked = old
        .call("gw", json!({"from": "old"}), Duration::from_millis(1))
        .await;
    assert!(matches!(asked, Err(Error::Timeout { .. })), "{asked:?}");
    drop(old);
    let new = ActionRelay::connect(&url, &prefix, "w1").await.unwrap();
    // The gateway answers both, the old request first.
    let gateway = answer_what_was_asked(queue, 2);
    let answer = new.call("gw", json!({"from": "new"}), WAIT).await.unwrap();
    assert_eq!(answer, json!({"asked": {"from": "new"}}));
    tokio::time::timeout(WAIT, gateway).await.unwrap().unwrap();
}

/// Review of stop 28: after Redis dropped the relay's connections (as a restart does), every
/// `BLPOP` failed for good: the gateway served no request and the worker read no answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_serves_again_after_redis_drops_its_connections() {
    let Some(url) = redis_url() else { return };
    let prefix = unique_prefix("relay-reconnect");
    let queue = ActionQueue::connect(&url, &prefix, "gw").await.unwrap();
    let relay = ActionRelay::connect(&url, &prefix, "w1").await.unwrap();
    // Its requests' connection is dropped below: `next_request` waits that out.
    let gateway = answer_what_was_asked(queue, 2);
    assert_eq!(call(&relay, 1).await, json!({"asked": {"n": 1}}));
    // Every client connection waiting in BLPOP is dropped, as a restart drops them all.
    let mut admin = raw(&url);
    let clients: String = redis::cmd("CLIENT").arg("LIST").query(&mut admin).unwrap();
    for line in clients.lines().filter(|l| l.contains("cmd=blpop")) {
        let id = line
            .split(' ')
            .find_map(|field| field.strip_prefix("id="))
            .unwrap();
        let _: redis::RedisResult<()> = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query(&mut admin);
    }
    assert_eq!(call(&relay, 2).await, json!({"asked": {"n": 2}}));
    tokio::time::timeout(WAIT, gateway).await.unwrap().unwrap();
}
