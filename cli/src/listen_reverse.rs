//! `botgate listen --platform onebot --bind ADDR`: serve the OneBot reverse WebSocket that
//! implementations (Waylay, NapCat, ...) connect to, for any number of accounts, and print one
//! JSON line per event like the forward mode (each with its account's `self_id`). Lifecycle
//! lines go to stderr. Runs until SIGINT / SIGTERM: then every connection is closed normally
//! (1000), what was read is printed, and the exit status is 0.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use botgate::{Bot, OneBotHandlers, ReverseNotice};
use tokio::sync::broadcast::error::RecvError;

use crate::print;
use crate::stop::Stop;

/// What `listen` was asked for, as far as the reverse WS needs it.
pub struct Options<'a> {
    /// `--bind`: the address to serve on.
    pub bind: &'a str,
    /// `--token`: the one the implementation must present.
    pub token: Option<&'a str>,
    /// `--path`: the only path served.
    pub path: Option<&'a str>,
    /// `--events`: the kinds to print (all when empty).
    pub events: &'a [String],
    /// `--unified`: print the unified model instead.
    pub unified: bool,
    /// `--exit-on-stdin-eof`: the end of stdin stops the listener too.
    pub exit_on_stdin_eof: bool,
}

// Written out: `token` is a secret.
impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("bind", &self.bind)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Serves until a stop signal.
pub async fn serve(
    options: Options<'_>,
    mut stop: Stop,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let wanted: Arc<HashSet<String>> = Arc::new(options.events.iter().cloned().collect());
    let printer = print::onebot_printer(wanted, options.unified);
    // One handler set per account, made when it first connects.
    let mut builder = Bot::onebot_reverse(options.bind).handlers_for(move |_self_id| {
        let mut handlers = OneBotHandlers::new();
        handlers.on_raw(printer.clone());
        handlers
    });
    if let Some(token) = options.token {
        builder = builder.access_token(token);
    }
    if let Some(path) = options.path {
        builder = builder.path(path);
    }
    let bot = builder.start().await?;
    errln!(
        "botgate listen: OneBot reverse WS on ws://{}{}",
        bot.local_addr(),
        options.path.unwrap_or("/")
    );
    let mut notices = bot.notices();
    let reporter = tokio::spawn(async move {
        loop {
            match notices.recv().await {
                Ok(notice) => report(&notice),
                Err(RecvError::Lagged(n)) => {
                    errln!("botgate listen: {n} connection notices skipped");
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
    let why = stop.wait_or_stdin_eof(options.exit_on_stdin_eof).await;
    errln!("botgate listen: {why}, closing");
    // The connections closing now are not waiting for a reconnect: no lines for them.
    reporter.abort();
    bot.shutdown().await;
    errln!("botgate listen: closed");
    Ok(ExitCode::SUCCESS)
}

/// One lifecycle line on stderr.
fn report(notice: &ReverseNotice) {
    match notice {
        ReverseNotice::Connected {
            conn,
            addr,
            self_id,
            ..
        } => errln!(
            "botgate listen: connection {conn} from {addr} (self id {})",
            self_id.as_deref().unwrap_or("not sent; learnt from its events")
        ),
        ReverseNotice::Online {
            conn,
            self_id,
            role,
            ..
        } => errln!("botgate listen: ready (self id {self_id}) on connection {conn} ({role})"),
        ReverseNotice::Replaced {
            self_id,
            old,
            new,
            old_role,
            new_role,
            ..
        } => errln!(
            "botgate listen: warning: a second connection ({new}, {new_role}) for self id \
             {self_id}: connection {old} ({old_role}) is closed"
        ),
        ReverseNotice::Disconnected {
            conn,
            self_id,
            reason,
            ..
        } => errln!(
            "botgate listen: connection {conn} (self id {}) closed{}; waiting for the implementation to reconnect",
            self_id.as_deref().unwrap_or("?"),
            if reason.is_empty() { String::new() } else { format!(": {reason}") }
        ),
        other => errln!("botgate listen: {other:?}"),
    }
}
