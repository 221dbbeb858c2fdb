//! What `botgate listen` prints on stdout: one JSON line per event, as decoded from the wire
//! (`{"s","t","id","data"}` for QQ / Bubble, `{"kind","self_id","data"}` for OneBot) or in the
//! unified event model (`--unified`). Each event is printed once: a resend (QQ / Bubble
//! replays, webhook retries, a OneBot message sent twice) is recognised by the same key the
//! dispatcher dedupes with and not printed again.

use std::collections::HashSet;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use botgate::codec::onebot::RawEvent;
use botgate::codec::unify::{unify_frame, Outcome, UnifyContext};
use botgate::codec::Frame;
use botgate::proto::unified::Platform as UPlatform;
use botgate_dispatch::onebot::OneBot;
use botgate_dispatch::{DedupeKey, Platform};
use botgate_session::{DedupeWindow, DEFAULT_DEDUPE_WINDOW};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

/// The printer a handler set runs: prints and never fails; waits while the line queue to
/// stdout is full (its reader is slow or has stopped reading).
pub type Printed = Pin<Box<dyn Future<Output = Result<(), botgate::HandlerError>> + Send>>;

/// How long the end of a command waits for its event lines to be written to stdout.
pub const LAST_FLUSH: Duration = Duration::from_secs(5);

/// Lines queued to stdout's writer thread at most.
const QUEUED_LINES: usize = 1024;

/// What goes to stdout's writer thread.
enum ToStdout {
    Line(String),
    /// Answered once every line queued before it is written.
    Flush(oneshot::Sender<()>),
}

static STDOUT_QUEUE: OnceLock<Option<mpsc::Sender<ToStdout>>> = OnceLock::new();

/// The queue to the thread that writes the event lines to stdout, started on the first line
/// (`None` if no thread could be started: lines are then written where they are made).
///
/// A write to a pipe its reader does not read blocks once the pipe is full. Made on the
/// runtime's threads, such writes (and the others' waits for stdout's lock) held every one of
/// them: a stop signal was not even noticed. The printing handlers now wait for room in this
/// queue as any slow handler waits, which a stop does not wait for beyond its grace.
fn stdout_queue() -> Option<&'static mpsc::Sender<ToStdout>> {
    STDOUT_QUEUE
        .get_or_init(|| {
            let (tx, mut rx) = mpsc::channel::<ToStdout>(QUEUED_LINES);
            std::thread::Builder::new()
                .name("botgate-stdout".to_owned())
                .spawn(move || {
                    while let Some(next) = rx.blocking_recv() {
                        match next {
                            ToStdout::Line(line) => write_line(&line),
                            ToStdout::Flush(done) => {
                                let _ = done.send(());
                            }
                        }
                    }
                })
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

fn write_line(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) is not worth a panic.
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Waits until the lines printed so far are written to stdout, for at most `limit` (a reader
/// that stopped reading would hold the end of the process for ever).
pub async fn flush(limit: Duration) {
    let Some(Some(queue)) = STDOUT_QUEUE.get() else {
        return; // nothing was printed through it
    };
    let (done, written) = oneshot::channel();
    let flushed = async {
        if queue.send(ToStdout::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    };
    if tokio::time::timeout(limit, flushed).await.is_err() {
        tracing::warn!(
            limit_ms = limit.as_millis(),
            "stdout is not being read: event lines not written"
        );
    }
}

#[derive(Serialize)]
struct FrameLine<'a, D: Serialize> {
    s: Option<u64>,
    t: &'a str,
    id: Option<&'a str>,
    data: D,
}

#[derive(Serialize)]
struct KindLine<'a, D: Serialize> {
    kind: &'a str,
    /// The account whose handlers printed it (OneBot: many may share a reverse listener).
    self_id: Option<&'a str>,
    data: D,
}

/// One line of JSON, for [`print_line`].
fn emit(line: &impl Serialize) -> Option<String> {
    serde_json::to_string(line).ok()
}

/// Prints `line` (if any) through the queue to stdout.
fn print_line(line: Option<String>) -> Printed {
    Box::pin(async move {
        if let Some(line) = line {
            match stdout_queue() {
                Some(queue) => {
                    // Closed: the process is ending.
                    let _ = queue.send(ToStdout::Line(line)).await;
                }
                None => write_line(&line),
            }
        }
        Ok(())
    })
}

/// Only the wanted types (all when `wanted` is empty).
fn wanted(set: &Arc<HashSet<String>>, name: &str) -> bool {
    set.is_empty() || set.contains(name)
}

/// The unified form of one frame (nothing for kinds with no unified meaning).
fn print_unified(ctx: &botgate::Context, platform: UPlatform, bytes: &[u8]) -> Option<String> {
    let unify_ctx = UnifyContext::new(ctx.self_id().unwrap_or_default()).with_now(unix_now());
    match unify_frame(platform, bytes, &unify_ctx) {
        Ok(Outcome::Unified(event)) => emit(&*event),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "event did not map into the unified model");
            None
        }
    }
}

/// Remembers what was printed: `first(key)` is true the first time a key is seen (and for
/// inputs with no key: those cannot be told apart from a resend, so they are printed).
#[derive(Clone)]
struct Printed1 {
    window: Arc<Mutex<DedupeWindow<DedupeKey>>>,
}

impl Printed1 {
    fn new() -> Self {
        Self {
            window: Arc::new(Mutex::new(DedupeWindow::new(DEFAULT_DEDUPE_WINDOW))),
        }
    }

    fn first(&self, key: Option<DedupeKey>) -> bool {
        let Some(key) = key else { return true };
        match self.window.lock() {
            Ok(mut window) => window.insert(key),
            Err(_) => true,
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Prints QQ / Bubble frames (`P` says how a resend is recognised).
pub fn frame_printer<P: Platform<Input = Frame>>(
    wanted_types: Arc<HashSet<String>>,
    decode: fn(&str, &[u8]) -> Result<serde_json::Value, botgate::codec::Error>,
    unified: Option<UPlatform>,
) -> impl Fn(botgate::Context, Frame) -> Printed + Send + Sync + 'static {
    let printed = Printed1::new();
    move |ctx, frame: Frame| {
        let t = frame.event_type();
        let mut line = None;
        if let Some(t) = t.filter(|t| printed.first(P::dedupe_key(&frame, t))) {
            if let (Some(platform), true) = (unified, wanted(&wanted_types, t)) {
                line = print_unified(&ctx, platform, frame.bytes());
            } else if wanted(&wanted_types, t) {
                let d = frame.data().unwrap_or(b"null");
                line = match decode(t, d) {
                    Ok(data) => emit(&FrameLine {
                        s: frame.seq(),
                        t,
                        id: frame.id(),
                        data,
                    }),
                    Err(e) => {
                        tracing::warn!(t, error = %e, "payload did not decode; printing it raw");
                        let data: serde_json::Value =
                            serde_json::from_slice(d).unwrap_or(serde_json::Value::Null);
                        emit(&FrameLine {
                            s: frame.seq(),
                            t,
                            id: frame.id(),
                            data,
                        })
                    }
                };
            }
        }
        print_line(line)
    }
}

pub fn qq_json(t: &str, d: &[u8]) -> Result<serde_json::Value, botgate::codec::Error> {
    let event = botgate::codec::qq::decode_event(t, d)?;
    Ok(serde_json::to_value(&event).unwrap_or(serde_json::Value::Null))
}

pub fn bubble_json(t: &str, d: &[u8]) -> Result<serde_json::Value, botgate::codec::Error> {
    let event = botgate::codec::bubble::decode_event(t, d)?;
    Ok(serde_json::to_value(&event).unwrap_or(serde_json::Value::Null))
}

/// Prints OneBot events of the wanted kinds (a kind or its prefix: `message` takes
/// `message.group`); cloned into each account's handlers.
pub fn onebot_printer(
    wanted_kinds: Arc<HashSet<String>>,
    unified: bool,
) -> impl Fn(botgate::Context, RawEvent) -> Printed + Clone + Send + Sync + 'static {
    let printed = Printed1::new();
    move |ctx, raw: RawEvent| {
        let kind = raw.kind().as_str();
        let wanted = wanted_kinds.is_empty()
            || wanted_kinds.iter().any(|w| {
                kind == w
                    || kind
                        .strip_prefix(w.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            });
        let matches = wanted && printed.first(OneBot::dedupe_key(&raw, kind));
        let mut line = None;
        if matches && unified {
            line = print_unified(&ctx, UPlatform::OneBot, raw.bytes());
        } else if matches {
            let self_id = ctx.self_id();
            line = match raw.decode() {
                Ok(event) => emit(&KindLine {
                    kind,
                    self_id,
                    data: &event,
                }),
                Err(e) => {
                    tracing::warn!(kind, error = %e, "event did not decode; printing it raw");
                    let data: serde_json::Value =
                        serde_json::from_slice(raw.bytes()).unwrap_or(serde_json::Value::Null);
                    emit(&KindLine {
                        kind,
                        self_id,
                        data,
                    })
                }
            };
        }
        print_line(line)
    }
}
