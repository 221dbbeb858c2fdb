//! `botgate run --redis URL --role worker`: reads the event stream in a consumer group
//! (`botgate::split::Worker`), prints each event as `listen` does (one JSON line on stdout)
//! and acknowledges it after; claims what a dead worker left pending after
//! `--claim-idle-ms`. OneBot actions would go back through the gateway that published the
//! event. SIGINT / SIGTERM: the running handlers finish, exit 0.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use botgate::split::Worker;
use botgate::{BubbleHandlers, OneBotHandlers, QqHandlers};
use botgate_redis::{ActionRelay, EventStream};

use crate::print;
use crate::run::RunArgs;
use crate::stop::{run_until_stopped, Stop};

/// Runs until SIGINT / SIGTERM (or end of stdin with `--exit-on-stdin-eof`).
pub fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_until_stopped(|stop| serve(args, stop))
}

async fn serve(args: RunArgs, mut stop: Stop) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let owner = args.owner();
    let key = args.stream_key();
    // Connecting to Redis may take seconds (retries): a stop signal meanwhile is obeyed.
    errln!("botgate run: connecting to Redis");
    let connect = async {
        let stream = EventStream::connect(&args.redis, key.clone()).await?;
        let consumer = stream
            .consumer(&args.group, &owner)
            .await?
            .claim_idle(Duration::from_millis(args.claim_idle_ms));
        let relay = ActionRelay::connect(&args.redis, &args.prefix, &owner).await?;
        Ok::<_, botgate_redis::Error>((consumer, relay))
    };
    let (consumer, relay) = tokio::select! {
        connected = connect => connected?,
        signal = stop.wait() => {
            errln!("botgate run: {signal} while connecting to Redis, closing");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let none = Arc::new(HashSet::new());
    let mut qq = QqHandlers::new();
    qq.on_raw(print::frame_printer::<botgate_dispatch::qq::Qq>(
        Arc::clone(&none),
        print::qq_json,
        None,
    ));
    let mut bubble = BubbleHandlers::new();
    bubble.on_raw(print::frame_printer::<botgate_dispatch::bubble::Bubble>(
        Arc::clone(&none),
        print::bubble_json,
        None,
    ));
    let onebot = print::onebot_printer(none, false);
    let rest = args
        .api_base
        .clone()
        .unwrap_or_else(|| botgate::transport::bubble::API_BASE.to_owned());
    let mut worker = Worker::new(consumer)
        .qq(qq)
        .bubble(bubble, args.token.clone().unwrap_or_default(), rest)?
        .onebot(relay, move || {
            let mut handlers = OneBotHandlers::new();
            handlers.on_raw(onebot.clone());
            handlers
        });
    if let Some(n) = args.pause_after {
        worker = worker.max_events(n);
    }
    errln!(
        "botgate run: worker {owner} reading {key} in group {}",
        args.group
    );
    let stdin_eof = args.exit_on_stdin_eof;
    let mut signalled = false;
    let stats = worker
        .run(async {
            let why = stop.wait_or_stdin_eof(stdin_eof).await;
            errln!("botgate run: {why}, closing");
            signalled = true;
        })
        .await?;
    if !signalled {
        // --pause-after: stopped reading with entries pending; wait to be stopped (or killed)
        errln!(
            "botgate run: worker {owner} paused after {} entries; {} read and left pending",
            stats.read,
            stats.left_pending
        );
        let why = stop.wait_or_stdin_eof(stdin_eof).await;
        errln!("botgate run: {why}, closing");
    }
    errln!(
        "botgate run: worker {owner} closed: {} read, {} claimed, {} already done elsewhere",
        stats.read,
        stats.claimed,
        stats.skipped
    );
    Ok(ExitCode::SUCCESS)
}
