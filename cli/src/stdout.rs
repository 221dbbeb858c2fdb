//! The CLI's stdout, as its runtime's tasks write it: lines go through a bounded queue to a
//! thread of their own that writes them (decisions 0069 and 0077). A write to a pipe its reader
//! does not read blocks once the pipe is full; made on the runtime's threads, such writes held
//! every one of them (a stop signal was not even noticed). Commands that run no runtime
//! (`decode`, `intents`) write to stdout directly, where they are.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

/// How long the end of a command waits for its lines to be written to stdout.
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

/// The queue to the thread that writes the lines to stdout, started on the first line (`None`
/// if no thread could be started: lines are then written where they are made). The printing
/// handlers wait for room in it as any slow handler waits, which a stop does not wait for
/// beyond its grace.
fn stdout_queue() -> Option<&'static mpsc::Sender<ToStdout>> {
    STDOUT_QUEUE
        .get_or_init(|| {
            let (tx, mut rx) = mpsc::channel::<ToStdout>(QUEUED_LINES);
            std::thread::Builder::new()
                .name("botgate-stdout".to_owned())
                .spawn(move || {
                    while let Some(next) = rx.blocking_recv() {
                        match next {
                            ToStdout::Line(line) => {
                                UNWRITTEN.fetch_sub(1, Ordering::Relaxed);
                                write_line(&line);
                            }
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

/// Queues `line` for stdout, waiting while the queue is full (its reader is slow or has
/// stopped reading): what the runtime's tasks print with, so that no write blocks a thread of
/// the runtime. A task that must not wait for ever races this against its stop.
pub async fn out(line: String) {
    let Some(queue) = stdout_queue() else {
        return write_line(&line);
    };
    UNWRITTEN.fetch_add(1, Ordering::Relaxed);
    let sent = match queue.try_send(ToStdout::Line(line)) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(line)) => {
            not_keeping_up();
            // Closed: the process is ending.
            queue.send(line).await.is_ok()
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    };
    if !sent {
        UNWRITTEN.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Queues `line` for stdout if there is room now, else drops it (with a warning): for a line
/// that must not wait, such as the last one of a stopping command, or one printed where no
/// task can wait.
pub fn try_out(line: String) {
    let Some(queue) = stdout_queue() else {
        return write_line(&line);
    };
    UNWRITTEN.fetch_add(1, Ordering::Relaxed);
    if let Err(unsent) = queue.try_send(ToStdout::Line(line)) {
        UNWRITTEN.fetch_sub(1, Ordering::Relaxed);
        if let mpsc::error::TrySendError::Full(_) = unsent {
            not_keeping_up();
            tracing::warn!("stdout is not being read: a line dropped");
        }
    }
}

/// Lines handed to [`out`](fn@out) / [`try_out`] and not yet taken by stdout's writer: those queued
/// and those waiting for room (the writer may be blocked writing one more).
static UNWRITTEN: AtomicUsize = AtomicUsize::new(0);

/// Lines printed through the queue and not yet written (see `UNWRITTEN`).
pub fn queued() -> usize {
    UNWRITTEN.load(Ordering::Relaxed)
}

/// Says once that stdout's reader is not keeping up: the lines (and whatever prints them) wait.
fn not_keeping_up() {
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            queued = QUEUED_LINES,
            "stdout is not keeping up: printing waits for its reader"
        );
    }
}
