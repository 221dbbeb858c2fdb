//! What `botgate listen` prints on stdout: one JSON line per event, as decoded from the wire
//! (`{"s","t","id","data"}` for QQ / Bubble, `{"kind","self_id","data"}` for OneBot) or in the
//! unified event model (`--unified`). Each event is printed once: a resend (QQ / Bubble
//! replays, webhook retries, a OneBot message sent twice) is recognised by the same key the
//! dispatcher dedupes with and not printed again.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use botgate::codec::onebot::RawEvent;
use botgate::codec::unify::{unify_frame, Outcome, UnifyContext};
use botgate::codec::Frame;
use botgate::proto::unified::Platform as UPlatform;
use botgate_dispatch::onebot::OneBot;
use botgate_dispatch::{DedupeKey, Platform};
use botgate_session::{DedupeWindow, DEFAULT_DEDUPE_WINDOW};
use serde::Serialize;

/// The printer a handler set runs: prints and never fails; waits while the line queue to
/// stdout is full (its reader is slow or has stopped reading).
pub type Printed = Pin<Box<dyn Future<Output = Result<(), botgate::HandlerError>> + Send>>;

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
            crate::stdout::out(line).await;
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
