//! A gateway's side of the split: handlers that publish each event to the stream, and the
//! loop that sends workers' OneBot actions over the socket this gateway holds.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botgate_codec::onebot::RawEvent;
use botgate_codec::Frame;
use botgate_dispatch::{Context, HandlerError, NotHandled};
use botgate_redis::{ActionQueue, ActionRequest, EventStream};
use botgate_session::driver::{DriverError, DriverHandle};
use botgate_session::onebot::{self, ActionResponse, OneBotCallError};
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How long [`publish_frames`] and [`publish_onebot`] try a publish again (50 ms, doubling to
/// 2 s, while Redis cannot take it or the stream is full of entries the workers have not read
/// yet, decision 0088) before the event is given up as not handled.
pub const PUBLISH_RETRY_FOR: Duration = Duration::from_secs(60);

/// Publishes one event, trying again (50 ms, doubling to 2 s) for up to `retry_for` while
/// Redis cannot take it (unreachable, or the stream at its `hard_max_len`). Meanwhile the handler waits, the dispatcher's bound fills and the
/// session stops reading: the gateway pauses instead of dropping events. A publish that still
/// fails is a [`NotHandled`] error: the event never counts as handled, so the saved resume
/// point stays below it and the next start resumes from there and publishes it (decision
/// 0047; it had counted as handled, and was lost).
async fn publish_retrying(
    stream: &EventStream,
    platform: &str,
    shard: u32,
    frame: &[u8],
    retry_for: Duration,
) -> Result<String, NotHandled> {
    let started = Instant::now();
    let mut wait = Duration::from_millis(50);
    loop {
        match stream.publish(platform, shard, frame).await {
            Ok(id) => return Ok(id),
            Err(e) if started.elapsed() + wait < retry_for => {
                tracing::warn!(error = %e, retry_in = ?wait, "publishing an event failed");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
            Err(e) => {
                tracing::error!(error = %e, tried_for = ?started.elapsed(),
                    "an event could not be published: left unhandled, for the next resume");
                return Err(NotHandled::new(e));
            }
        }
    }
}

/// A raw handler (`on_raw`) for QQ / Bubble that publishes each event of shard `shard` as
/// platform `platform` (`qq`, `bubble`); READY / RESUMED stay here (they are the session's).
/// The event counts as handled here once Redis has it; a publish is tried again for up to
/// [`PUBLISH_RETRY_FOR`], and after that the event is left [`NotHandled`].
pub fn publish_frames(
    stream: EventStream,
    platform: &'static str,
    shard: u32,
) -> impl Fn(Context, Frame) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync + 'static
{
    publish_frames_for(stream, platform, shard, PUBLISH_RETRY_FOR)
}

/// [`publish_frames`], trying a publish again for up to `retry_for` instead of
/// [`PUBLISH_RETRY_FOR`].
pub fn publish_frames_for(
    stream: EventStream,
    platform: &'static str,
    shard: u32,
    retry_for: Duration,
) -> impl Fn(Context, Frame) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync + 'static
{
    move |_ctx, frame: Frame| {
        let stream = stream.clone();
        async move {
            if !matches!(frame.event_type(), None | Some("READY" | "RESUMED")) {
                publish_retrying(&stream, platform, shard, frame.bytes(), retry_for).await?;
            }
            Ok(())
        }
        .boxed()
    }
}

/// A raw handler (`on_raw`) for OneBot that publishes each event (platform `onebot`, shard 0).
pub fn publish_onebot(
    stream: EventStream,
) -> impl Fn(Context, RawEvent) -> BoxFuture<'static, Result<(), HandlerError>>
       + Clone
       + Send
       + Sync
       + 'static {
    move |_ctx, raw: RawEvent| {
        let stream = stream.clone();
        async move {
            // meta events (heartbeats, lifecycle) are the connection's, not the handlers'
            if !raw.kind().as_str().starts_with("meta_event") {
                publish_retrying(&stream, "onebot", 0, raw.bytes(), PUBLISH_RETRY_FOR).await?;
            }
            Ok(())
        }
        .boxed()
    }
}

/// Sends the actions workers queued for this gateway over its OneBot connection (`driver`:
/// the running bot's, [`RunningBot::driver`](crate::RunningBot::driver)) and answers each,
/// until `stop` resolves. Actions run concurrently; each is answered when its response
/// comes. A request popped when `stop` comes is not answered (its worker's call times out).
pub async fn serve_actions(
    queue: ActionQueue,
    driver: &DriverHandle<onebot::Session>,
    stop: impl Future<Output = ()>,
) {
    let queue = Arc::new(queue);
    let (tx, mut rx) = mpsc::channel::<ActionRequest>(64);
    // The pop runs on its own task: a BLPOP cancelled by a select could drop a popped request.
    let reader = tokio::spawn({
        let queue = Arc::clone(&queue);
        async move {
            loop {
                match queue.next().await {
                    Ok(Some(request)) => {
                        if tx.send(request).await.is_err() {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reading worker actions failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                }
            }
        }
    });
    let mut inflight = FuturesUnordered::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(request) = rx.recv() => {
                let queue = Arc::clone(&queue);
                inflight.push(async move {
                    let name = request.body["action"].as_str().unwrap_or_default().to_owned();
                    let params = request.body["params"].clone();
                    let answer = answer_of(driver.call(name, params, None).await);
                    if let Err(e) = queue.answer(&request, answer).await {
                        tracing::warn!(error = %e, "an action's answer did not reach its worker");
                    }
                });
            }
            Some(()) = inflight.next(), if !inflight.is_empty() => {}
        }
    }
    reader.abort();
    // answers of actions already sent still go back
    while inflight.next().await.is_some() {}
}

/// What the worker gets back: `{"ok":true,"data"}`, `{"ok":false,"code","message"}` (the
/// implementation refused) or `{"ok":false,"error"}` (no answer from it).
fn answer_of(result: Result<Result<ActionResponse, OneBotCallError>, DriverError>) -> Value {
    match result {
        Ok(Ok(response)) => json!({"ok": true, "data": response.data}),
        Ok(Err(OneBotCallError::Failed {
            retcode, message, ..
        })) => json!({"ok": false, "code": retcode, "message": message}),
        Ok(Err(other)) => json!({"ok": false, "error": other.to_string()}),
        Err(e) => json!({"ok": false, "error": e.to_string()}),
    }
}
