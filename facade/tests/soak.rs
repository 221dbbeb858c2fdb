//! Soak: the real client stack (`Bot` → driver → session → transport) against a simulator on
//! loopback that injects randomized faults — every kind the sim supports for the platform, at
//! random intervals down to one per 50 events — while events flow. Asserts 0 lost, 0
//! duplicated, in order (OneBot: 0 duplicated and in order; losses are what the protocol cannot
//! replay, counted and reported).
//!
//! Ignored in the plain suite; `cargo xtask soak --platform qq|bubble|onebot|all --minutes N`
//! runs it (CI: one minute per platform). `BOTGATE_SOAK_SEED` replays a run's fault schedule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use botgate::{Bot, BubbleHandlers, Context, OneBotHandlers, QqHandlers};
use botgate_sim::{
    BubbleConfig, BubbleSim, Fault, Log, OneBotConfig, OneBotSim, QqConfig, QqSim, Record,
};
use serde_json::{json, Value};

/// Bound of any single wait: a stall fails the run instead of hanging it.
const WAIT: Duration = Duration::from_secs(60);
/// Events pushed ahead of what the handlers have seen, at most.
const IN_FLIGHT: u64 = 400;

fn soak_duration() -> Duration {
    let secs = std::env::var("BOTGATE_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// SplitMix64: a reproducible fault schedule from one seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn seed() -> u64 {
    std::env::var("BOTGATE_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// The keys handlers saw, in order.
type Seen = botgate_testkit::Seen<u64>;

/// Waits until `f` holds for what `seen` holds; on a stall, writes the sim's log next to the
/// test's temp files (for the post-mortem) and fails naming the first gap.
async fn wait(seen: &Seen, what: &str, log: &Log, f: impl Fn(&[u64]) -> bool) {
    let mut rx = seen.subscribe();
    if tokio::time::timeout(WAIT, rx.wait_for(|v| f(v)))
        .await
        .is_ok()
    {
        return;
    }
    let all = seen.now();
    let gap = all.windows(2).find(|w| w[1] != w[0] + 1);
    let dump = std::env::temp_dir().join("botgate-soak-log.txt");
    let text: String = log.snapshot().iter().map(|r| format!("{r:?}\n")).collect();
    let _ = std::fs::write(&dump, text);
    panic!(
        "stalled waiting for {what}; seen {}, last {:?}, first gap {gap:?}; sim log in {}",
        all.len(),
        all.last(),
        dump.display()
    );
}

/// The key a handler records: the number in the event's raw JSON at `path`.
fn key_of(ctx: &Context, path: &[&str]) -> u64 {
    let raw: Value = serde_json::from_slice(ctx.raw().expect("the raw frame")).unwrap();
    let v = path.iter().fold(&raw, |v, k| &v[*k]);
    match v {
        Value::String(s) => s.trim_start_matches("n ").parse().unwrap(),
        other => other.as_u64().unwrap(),
    }
}

/// One fault of the schedule. `ends`: it ends the connection. `quiesce`: it ends the session
/// for good (the protocol cannot replay across it), so the producer waits for the connection
/// to end before pushing on. `heartbeated`: injected once the newest connection has sent a
/// heartbeat.
struct Kind {
    fault: Fault,
    ends: bool,
    quiesce: bool,
    heartbeated: bool,
}

/// A fault that ends the connection.
fn kind(fault: Fault) -> Kind {
    Kind {
        fault,
        ends: true,
        quiesce: false,
        heartbeated: false,
    }
}

/// A fault the connection survives (a stall, a resend, a heartbeat request).
fn survived(fault: Fault) -> Kind {
    Kind {
        fault,
        ends: false,
        quiesce: false,
        heartbeated: false,
    }
}

/// A fault that ends the session for good.
fn quiesced(fault: Fault) -> Kind {
    Kind {
        fault,
        ends: true,
        quiesce: true,
        heartbeated: false,
    }
}

/// OneBot's heartbeats stopping (`StopAcks`): it ends a connection that has sent a heartbeat,
/// so it is injected once the newest connection has. On a connection that has sent none it
/// is an implementation with heartbeats off, which the session keeps, watched by WebSocket
/// pings that the sim answers (decision 0060).
fn heartbeats_stop() -> Kind {
    Kind {
        heartbeated: true,
        ..kind(Fault::StopAcks)
    }
}

/// Whether the newest connection in `r` has sent a heartbeat meta event.
fn newest_heartbeated(r: &[Record]) -> bool {
    let mut beat = HashSet::new();
    for x in r.iter().rev() {
        match x {
            Record::Sent { conn, frame } if frame["meta_event_type"] == "heartbeat" => {
                beat.insert(*conn);
            }
            Record::Connected { conn } => return beat.contains(conn),
            _ => {}
        }
    }
    false
}

fn close(code: u16) -> Fault {
    Fault::Close {
        code,
        reason: "soak".into(),
    }
}

/// What a platform run needs from its sim.
struct Feed<'a> {
    push: Box<dyn Fn(u64) + 'a>,
    inject: Box<dyn Fn(&Fault) -> usize + 'a>,
    log: &'a Log,
    kinds: Vec<Kind>,
    lossy: bool,
    /// The dispatch after which a new session receives events (QQ: READY; Bubble: the
    /// subscription confirmed, EVENTS_SUBSCRIBED).
    session_ready: &'static str,
}

/// The records since the ended connection `ended` was opened, newest first: what a wait for
/// the next connection reads (the log of a long run is large).
fn since_opened(r: &[Record], ended: u64) -> impl Iterator<Item = &Record> {
    r.iter()
        .rev()
        .take_while(move |x| !matches!(x, Record::Connected { conn } if *conn <= ended))
}

/// Counts the connections that have ended (closed by either side or dropped), reading only
/// the records added since the last look (the log of a long run is large).
#[derive(Default)]
struct Ends {
    scanned: usize,
    conns: HashSet<u64>,
}

impl Ends {
    fn update(&mut self, records: &[Record]) -> usize {
        for r in records.get(self.scanned..).unwrap_or_default() {
            if let Record::Closed { conn, .. }
            | Record::Dropped { conn }
            | Record::Disconnected { conn, .. } = r
            {
                self.conns.insert(*conn);
            }
        }
        self.scanned = records.len();
        self.conns.len()
    }

    /// The newest connection that has ended (0: none yet).
    fn newest(&self) -> u64 {
        self.conns.iter().copied().max().unwrap_or(0)
    }
}

async fn soak(name: &str, mut feed: Feed<'_>, seen: Seen) {
    // BOTGATE_SOAK_ONLY=Drop,StopAcks narrows the schedule to those kinds (debugging)
    if let Ok(only) = std::env::var("BOTGATE_SOAK_ONLY") {
        feed.kinds.retain(|k| {
            only.split(',')
                .any(|o| format!("{:?}", k.fault).starts_with(o))
        });
    }
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
    }
    let seed = seed();
    let mut rng = Rng(seed);
    println!("soak {name}: seed {seed} (BOTGATE_SOAK_SEED replays the schedule)");
    let duration = soak_duration();
    let started = Instant::now();
    let mut pushed = 0u64;
    let mut next_fault = rng.between(50, 400);
    let mut faults: BTreeMap<String, u64> = BTreeMap::new();
    let mut missed = 0u64;
    let mut lost = 0u64;
    let mut ends = Ends::default();
    while started.elapsed() < duration {
        let chunk = 25.min(next_fault - pushed);
        for _ in 0..chunk {
            (feed.push)(pushed);
            pushed += 1;
        }
        let floor = pushed.saturating_sub(IN_FLIGHT + lost) as usize;
        wait(&seen, "the handlers to catch up", feed.log, |v| {
            v.len() >= floor
        })
        .await;
        if pushed < next_fault {
            continue;
        }
        let k = &feed.kinds[rng.between(0, feed.kinds.len() as u64 - 1) as usize];
        if k.quiesce {
            // the protocol cannot replay across it: injected at a quiet point
            let all = pushed as usize;
            wait(&seen, "a quiet point", feed.log, |v| v.len() >= all).await;
        }
        if k.heartbeated {
            // a newer connection comes if the newest one has ended meanwhile
            let beat = feed.log.wait_until(|r| newest_heartbeated(r).then_some(()));
            tokio::time::timeout(WAIT, beat)
                .await
                .expect("a heartbeat on the newest connection");
        }
        let before = feed.log.wait_until(|r| Some(ends.update(r))).await;
        if (feed.inject)(&k.fault) == 0 {
            missed += 1; // between connections: nothing to fault
        } else {
            *faults.entry(format!("{:?}", k.fault)).or_default() += 1;
            tracing::info!(fault = ?k.fault, pushed, seen = seen.len(), "soak: fault");
            if k.quiesce || (feed.lossy && k.ends) {
                let later = feed
                    .log
                    .wait_until(|r| (ends.update(r) > before).then_some(()));
                tokio::time::timeout(WAIT, later)
                    .await
                    .unwrap_or_else(|_| panic!("{:?} did not end the connection", k.fault));
            }
            if k.quiesce {
                // events pushed now would go to the session that ended: wait for the new one
                let ended = ends.newest();
                let ready = feed.log.wait_until(|r| {
                    since_opened(r, ended)
                        .any(|x| {
                            matches!(x, Record::Sent { conn, frame }
                                if *conn > ended && frame["t"] == feed.session_ready)
                        })
                        .then_some(())
                });
                tokio::time::timeout(WAIT, ready)
                    .await
                    .expect("a new session after the fault");
            }
            if feed.lossy && k.ends {
                // The old connection is gone, so what it did not carry is lost for good: a
                // barrier event on the next one tells how much (order is kept). The next one
                // is up once the sim logged a connection newer than the one that ended (not
                // "after the last end record": the old connection's `Disconnected` may be
                // logged after the new one's `Connected`).
                let ended = ends.newest();
                let reconnected = feed.log.wait_until(|r| {
                    since_opened(r, ended)
                        .any(|x| matches!(x, Record::Connected { conn } if *conn > ended))
                        .then_some(())
                });
                tokio::time::timeout(WAIT, reconnected)
                    .await
                    .expect("the client reconnected");
                let barrier = pushed;
                (feed.push)(barrier);
                pushed += 1;
                wait(&seen, "the barrier", feed.log, |v| {
                    v.last() == Some(&barrier)
                })
                .await;
                lost = pushed - seen.now().into_iter().collect::<HashSet<_>>().len() as u64;
            }
        }
        next_fault = pushed + rng.between(50, 400);
    }
    // A last event on a quiet connection: once it is seen, everything that will ever come has.
    let last = pushed;
    (feed.push)(last);
    wait(&seen, "the last event", feed.log, |v| {
        v.last() == Some(&last)
    })
    .await;
    let wall = started.elapsed();
    let all = seen.now();
    let unique: HashSet<u64> = all.iter().copied().collect();
    let duplicated = all.len() - unique.len();
    let lost = (last + 1) as usize - unique.len();
    let lost_pct = 100.0 * lost as f64 / (last + 1) as f64;
    let in_order = all.windows(2).all(|w| w[0] < w[1]);
    let total: u64 = faults.values().sum();
    println!(
        "soak {name}: seed {seed}, {} events, {total} faults ({} between connections), {:.1} s, \
         {:.0} events/s, lost {lost} ({lost_pct:.2} %), duplicated {duplicated}, in order {in_order}",
        last + 1,
        missed,
        wall.as_secs_f64(),
        (last + 1) as f64 / wall.as_secs_f64(),
    );
    println!("soak {name}: faults by kind {faults:?}");
    assert_eq!(duplicated, 0, "seed {seed}");
    assert!(in_order, "seed {seed}");
    if !feed.lossy {
        assert_eq!(lost, 0, "seed {seed}");
    }
    assert!(total > 0, "the run injected faults");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn soak_qq() {
    let sim = QqSim::start(QqConfig {
        heartbeat_interval: Duration::from_millis(500),
        replay_buffer: 100_000,
        ..QqConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let mut handlers = QqHandlers::new();
    let s = seen.clone();
    handlers.on_at_message_create(move |ctx, _| {
        s.push(key_of(&ctx, &["d", "content"]));
        async { Ok(()) }
    });
    let bot = Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
    .handlers(handlers)
    .start()
    .await
    .unwrap();
    let feed = Feed {
        push: Box::new(|i| {
            sim.push_event(
                "AT_MESSAGE_CREATE",
                json!({"id": format!("m{i}"), "channel_id": "100010", "guild_id": "1",
                       "content": format!("n {i}"), "author": {"id": "42", "username": "u"}}),
            );
        }),
        inject: Box::new(|f| sim.inject(f.clone())),
        log: sim.log(),
        kinds: vec![
            kind(Fault::Drop),
            kind(Fault::StopAcks),
            kind(Fault::Reconnect),
            kind(Fault::InvalidSession { resumable: true }),
            quiesced(Fault::InvalidSession { resumable: false }),
            kind(close(4000)),
            kind(close(4008)),
            kind(close(4009)),
            kind(close(4900)),
            quiesced(close(4006)),
            survived(Fault::Delay(Duration::from_millis(200))),
            survived(Fault::DuplicateLast),
            survived(Fault::RequestHeartbeat),
        ],
        lossy: false,
        session_ready: "READY",
    };
    soak("qq", feed, seen).await;
    bot.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn soak_bubble() {
    let mut config = BubbleConfig {
        heartbeat_interval: Duration::from_millis(500),
        replay_buffer: 100_000,
        ..BubbleConfig::default()
    };
    config.profile = botgate_sim::bubble::Profile::Extended;
    let sim = BubbleSim::start(config).await.unwrap();
    let seen = Seen::new();
    let mut handlers = BubbleHandlers::new();
    let s = seen.clone();
    handlers.on_message_create(move |ctx, _| {
        s.push(key_of(&ctx, &["d", "content"]));
        async { Ok(()) }
    });
    let bot = Bot::bubble(sim.config().token.clone())
        .gateway_url(sim.url())
        .handlers(handlers)
        .start()
        .await
        .unwrap();
    let feed = Feed {
        push: Box::new(|i| {
            sim.push_event(
                "MESSAGE_CREATE",
                json!({"id": 1_000_000 + i, "channelId": 7, "guildId": 1,
                       "content": format!("n {i}"), "author": {"id": 42, "name": "u"}}),
            );
        }),
        inject: Box::new(|f| sim.inject(f.clone())),
        log: sim.log(),
        kinds: vec![
            kind(Fault::Drop),
            kind(Fault::StopAcks),
            kind(Fault::Reconnect),
            kind(Fault::InvalidSession { resumable: true }),
            quiesced(Fault::InvalidSession { resumable: false }),
            kind(close(1001)),
            kind(close(4000)),
            kind(close(4008)),
            quiesced(close(4009)),
            survived(Fault::Delay(Duration::from_millis(200))),
            survived(Fault::DuplicateLast),
            survived(Fault::RequestHeartbeat),
        ],
        lossy: false,
        session_ready: "EVENTS_SUBSCRIBED",
    };
    soak("bubble", feed, seen).await;
    bot.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn soak_onebot() {
    let sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(500)),
        ..OneBotConfig::default()
    })
    .await
    .unwrap();
    let seen = Seen::new();
    let mut handlers = OneBotHandlers::new();
    let s = seen.clone();
    handlers.on_group_message(move |ctx, _| {
        s.push(key_of(&ctx, &["message_id"]));
        async { Ok(()) }
    });
    // The sim heartbeats every 500 ms: a dead reconnect is noticed within 2 s, not 60.
    let bot = Bot::onebot_ws(sim.url())
        .handlers(handlers)
        .first_frame_timeout(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let feed = Feed {
        push: Box::new(|i| {
            sim.push_event(json!({"post_type": "message", "message_type": "group",
                "sub_type": "normal", "message_id": i, "group_id": 5, "user_id": 42,
                "message": format!("n {i}"), "raw_message": format!("n {i}"), "font": 0,
                "sender": {"user_id": 42, "nickname": "u"}}));
        }),
        inject: Box::new(|f| sim.inject(f.clone())),
        log: sim.log(),
        kinds: vec![
            kind(Fault::Drop),
            kind(close(1000)),
            kind(close(1001)),
            heartbeats_stop(),
            survived(Fault::Delay(Duration::from_millis(200))),
            survived(Fault::DuplicateLast),
        ],
        lossy: true,
        session_ready: "",
    };
    soak("onebot", feed, seen).await;
    bot.shutdown().await.unwrap();
}
