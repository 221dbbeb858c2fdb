//! `botgate run` while its Redis is gone for good: a stop signal is obeyed at once, and the
//! process exits 0 within one Redis timeout, however many shards it ran. Each Redis call
//! then takes its connect retries (about 8 s); the loop that frees and leases shards made them
//! one after another, deaf to the signal meanwhile: with 4 shards SIGTERM took about 40 s.
//!
//! Needs a Redis: `BOTGATE_TEST_REDIS` (skipped without it, failing under `CI`). The process
//! reaches it through a proxy the test cuts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use support::{argv, qq_sim_shards, redis_url, strings, unique_prefix, Proc, Signal};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Shards of the bot, all run by the one process.
const SHARDS: usize = 4;
/// The bound on a stop that frees the leases: above one Redis timeout (about 8 s), well below
/// one per shard (the old behaviour: over 30 s).
const STOP_LIMIT: Duration = Duration::from_secs(20);

/// A loopback proxy to the Redis at `url`; dropping it (or [`Proxy::cut`]) closes every
/// connection and refuses new ones: a Redis that is gone.
struct Proxy {
    url: String,
    tasks: JoinSet<()>,
}

impl Proxy {
    async fn start(url: &str) -> Self {
        // redis://[user:password@]host:port[/db]
        let rest = url.strip_prefix("redis://").expect("a redis:// URL");
        let (authority, db) = rest.split_once('/').unwrap_or((rest, "0"));
        let (userinfo, target) = match authority.rsplit_once('@') {
            Some((userinfo, target)) => (format!("{userinfo}@"), target.to_owned()),
            None => (String::new(), authority.to_owned()),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let local = listener.local_addr().unwrap();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self {
            url: format!("redis://{userinfo}{local}/{db}"),
            tasks,
        }
    }

    /// Closes every connection and the listener (connects are refused from now on).
    async fn cut(&mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// `botgate run` as a gateway of all `SHARDS` shards of `sim`, through `proxy`, with stdin at
/// /dev/null; returns once every shard's session is stored.
async fn gateway(sim: &botgate_sim::QqSim, proxy: &Proxy, lease_ttl_ms: &str) -> Proc {
    let prefix = unique_prefix("cli-run-redis-down");
    let shards = SHARDS.to_string();
    let mut p = Proc::spawn(argv(
        &["run"],
        &strings(&[
            "--redis",
            &proxy.url,
            "--role",
            "gateway",
            "--shards",
            &shards,
            "--max-concurrency",
            &shards,
            "--lease-ttl-ms",
            lease_ttl_ms,
            "--prefix",
            &prefix,
            "--url",
            &sim.url(),
            "--token",
            "QQBot sim-access-token",
        ]),
    ));
    for _ in 0..SHARDS {
        p.stderr_until(|l| l.ends_with(" session stored")).await;
    }
    p
}

/// SIGTERM, then the exit: 0, within `limit`, having said why it closed.
async fn stops_within(p: Proc, limit: Duration) {
    let asked = Instant::now();
    let exit = p.with_limit(limit).stop(Signal::Term).await;
    let took = asked.elapsed();
    assert_eq!(exit.code, Some(0), "{}", exit.stderr);
    assert!(exit.stderr.contains("SIGTERM, closing"), "{}", exit.stderr);
    assert!(took < limit, "took {took:?}:\n{}", exit.stderr);
    eprintln!("stopped {took:?} after SIGTERM");
}

/// The leases lapsed (Redis gone): the shards stopped, and the loop is freeing their leases
/// (one timeout each, it was one after another) and leasing shards again when SIGTERM comes:
/// the stop does not wait for those calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_redis_is_gone_and_the_leases_lapsed_stops_at_once() {
    let Some(redis) = redis_url() else { return };
    let sim = qq_sim_shards(SHARDS as u32).await;
    let mut proxy = Proxy::start(&redis).await;
    let mut p = gateway(&sim, &proxy, "1000").await;
    proxy.cut().await;
    for _ in 0..SHARDS {
        p.stderr_until(|l| l.ends_with(" lease lost; stopped"))
            .await;
    }
    // the first of the freeing calls timed out: the loop is in the next ones
    p.stderr_until(|l| l.contains("shard lease not released"))
        .await;
    stops_within(p, Duration::from_secs(5)).await;
}

/// Redis gone while every shard still holds its lease: each is stopped and its lease
/// released (which fails) at once, not one after another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_redis_is_gone_and_the_shards_run_stops_within_one_timeout() {
    let Some(redis) = redis_url() else { return };
    let sim = qq_sim_shards(SHARDS as u32).await;
    let mut proxy = Proxy::start(&redis).await;
    let p = gateway(&sim, &proxy, "30000").await;
    proxy.cut().await;
    stops_within(p, STOP_LIMIT).await;
}
