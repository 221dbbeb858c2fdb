//! `botgate listen`: connect to a gateway, print one JSON line per dispatched event on stdout,
//! reconnect / resume on its own. Lifecycle lines and logs go to stderr. Runs as a service:
//! SIGINT or SIGTERM closes the session cleanly (exit 0); a fatal session error stops it with
//! exit 1 and the reason on stderr. Stdin is not read unless `--exit-on-stdin-eof`.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use botgate::proto::qq::EventType as QqEventType;
use botgate::proto::unified::Platform as UPlatform;
use botgate::{Bot, BubbleHandlers, Intents, Lifecycle, OneBotHandlers, QqHandlers, RunningBot};
use botgate_dispatch::Platform;
use botgate_session::SessionMachine;
use tokio::sync::watch;

use crate::print;
use crate::stop::{run_until_stopped, Stop};
use crate::{listen_reverse, Platform as Which};

/// Options of `botgate listen`.
#[derive(clap::Args)]
pub struct ListenArgs {
    /// Which gateway.
    #[arg(long, value_enum)]
    pub platform: Which,
    /// Gateway URL (QQ: optional with --app-id, discovered through --api-base).
    #[arg(long)]
    pub url: Option<String>,
    /// OneBot: serve the reverse WebSocket on this address (e.g. 127.0.0.1:8080) for the
    /// implementation (Waylay, NapCat, ...) to connect to, instead of dialling --url. Many
    /// accounts may connect; each line carries its account's self_id.
    #[arg(long, conflicts_with = "url")]
    pub bind: Option<String>,
    /// With --bind: accept the implementation only on this path (e.g. /onebot/v11/ws);
    /// default: any path.
    #[arg(long, requires = "bind")]
    pub path: Option<String>,
    /// QQ: the Identify token as given (`QQBot <access token>` or `Bot <app id>.<token>`);
    /// Bubble: the bot token; OneBot: the access token (with --bind: the one the
    /// implementation must present; missing is refused 401, wrong 403).
    #[arg(long, conflicts_with_all = ["app_id", "secret"])]
    pub token: Option<String>,
    /// QQ: app id (with --secret: the access token is fetched and refreshed).
    #[arg(long, requires = "secret")]
    pub app_id: Option<String>,
    /// QQ: app secret.
    #[arg(long, requires = "app_id")]
    pub secret: Option<String>,
    /// QQ: OpenAPI base for token and gateway discovery (default: production).
    #[arg(long)]
    pub api_base: Option<String>,
    /// QQ: base of getAppAccessToken (default: --api-base if given, else bots.qq.com).
    #[arg(long)]
    pub auth_base: Option<String>,
    /// Event types to receive (QQ / Bubble wire names, OneBot kinds like message.group),
    /// comma separated; default: everything (QQ: the public intents).
    #[arg(long, value_delimiter = ',')]
    pub events: Vec<String>,
    /// QQ: send this intents value instead of computing it from --events (0: GUILDS, as botgo
    /// and botpy identify).
    #[arg(long, conflicts_with = "events")]
    pub intents: Option<u32>,
    /// Print each event in the unified event model instead (kinds with no unified meaning are
    /// not printed).
    #[arg(long)]
    pub unified: bool,
    /// QQ: run as shard I of N (`I/N`).
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// Also stop (cleanly, exit 0) when standard input ends. Off by default: services run with
    /// stdin at /dev/null.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
    /// QQ / Bubble: keep the session's resume point in this directory, so that the next run
    /// resumes it: the events sent meanwhile are replayed, those already handled skipped
    /// (Bubble: only against a server with the extended profile).
    #[arg(long)]
    pub state_dir: Option<std::path::PathBuf>,
    /// QQ / Bubble: serve the platform's webhook (HTTP callback) mode on this address (e.g.
    /// 127.0.0.1:8443) instead of connecting to its gateway. QQ needs --app-id and --secret.
    #[arg(long, conflicts_with_all = ["url", "bind"])]
    pub webhook: Option<String>,
    /// With --webhook, Bubble: the secret deliveries are signed with (without it they are
    /// accepted unauthenticated, with a warning).
    #[arg(long, requires = "webhook")]
    pub webhook_secret: Option<String>,
    /// With --webhook: serve only this path (e.g. /qq); default: any path.
    #[arg(long, requires = "webhook")]
    pub webhook_path: Option<String>,
    /// With --webhook: serve HTTPS with this PEM certificate chain (plain HTTP without it,
    /// for behind a reverse proxy).
    #[arg(long, requires_all = ["webhook", "tls_key"])]
    pub tls_cert: Option<std::path::PathBuf>,
    /// With --tls-cert: its PEM private key.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for ListenArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenArgs").finish_non_exhaustive()
    }
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 0/1")?;
    let i: u32 = i.trim().parse().map_err(|e| format!("shard id: {e}"))?;
    let n: u32 = n.trim().parse().map_err(|e| format!("shard count: {e}"))?;
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: need 0 <= I < N"));
    }
    Ok((i, n))
}

/// Runs until SIGINT / SIGTERM (exit 0) or a fatal session error (exit 1).
pub fn run(args: ListenArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_until_stopped(|stop| listen(args, stop))
}

async fn listen(args: ListenArgs, mut stop: Stop) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let stdin_eof = args.exit_on_stdin_eof;
    if args.bind.is_some() && args.platform != Which::Onebot {
        return Err(
            "--bind serves the OneBot reverse WebSocket: use it with --platform onebot".into(),
        );
    }
    let wanted_types: Arc<HashSet<String>> = Arc::new(args.events.iter().cloned().collect());
    match args.platform {
        Which::Qq => {
            let mut handlers = QqHandlers::new();
            handlers.on_raw(print::frame_printer::<botgate_dispatch::qq::Qq>(
                Arc::clone(&wanted_types),
                print::qq_json,
                args.unified.then_some(UPlatform::Qq),
            ));
            let intents = match args.intents {
                Some(bits) => Intents::from_bits_retain(bits),
                None if args.events.is_empty() => Intents::PUBLIC,
                None => {
                    let types: Vec<QqEventType> = args
                        .events
                        .iter()
                        .map(|e| QqEventType::from(e.as_str()))
                        .collect();
                    if let Some(unknown) = types.iter().find(|t| t.is_unknown()) {
                        return Err(format!("unknown QQ event type {unknown}").into());
                    }
                    Intents::for_events(types.iter())
                }
            }
            // What the Identify carries: GUILDS stands in for none (decision 0078).
            .for_identify();
            let mut builder = match (&args.token, &args.app_id, &args.secret) {
                (Some(token), _, _) => Bot::qq_with_token(token.clone()),
                (None, Some(app_id), Some(secret)) => Bot::qq(app_id.clone(), secret.clone()),
                _ => return Err("QQ needs --token, or --app-id and --secret".into()),
            };
            if let Some(base) = &args.api_base {
                builder = builder.api_base(base.clone());
            }
            if let Some(base) = args.auth_base.as_ref().or(args.api_base.as_ref()) {
                builder = builder.auth_base(base.clone());
            }
            match &args.url {
                Some(url) => builder = builder.gateway_url(url.clone()),
                None if args.token.is_some() && args.api_base.is_none() => {
                    return Err("QQ with --token needs --url (or --api-base for discovery)".into())
                }
                None => {}
            }
            if let Some((i, n)) = args.shard {
                builder = builder.shard(i, n);
            }
            if let Some(dir) = &args.state_dir {
                builder = builder.session_store(botgate::session::FileStore::new(dir));
            }
            errln!(
                "botgate listen: QQ intents {} ({})",
                intents.bits(),
                intents
            );
            let start = builder.handlers(handlers).intents(intents).start();
            let Some(bot) = start_or_stop(&mut stop, start).await? else {
                return Ok(ExitCode::SUCCESS);
            };
            supervise(bot, stop, stdin_eof).await
        }
        Which::Bubble => {
            let token = args.token.clone().ok_or("Bubble needs --token")?;
            let mut handlers = BubbleHandlers::new();
            handlers.on_raw(print::frame_printer::<botgate_dispatch::bubble::Bubble>(
                Arc::clone(&wanted_types),
                print::bubble_json,
                args.unified.then_some(UPlatform::Bubble),
            ));
            let mut builder = Bot::bubble(token);
            if let Some(dir) = &args.state_dir {
                builder = builder.session_store(botgate::session::FileStore::new(dir));
            }
            if let Some(url) = &args.url {
                builder = builder.gateway_url(url.clone());
            }
            builder = if args.events.is_empty() {
                builder.all_events()
            } else {
                builder.events(args.events.clone())
            };
            let start = builder.handlers(handlers).start();
            let Some(bot) = start_or_stop(&mut stop, start).await? else {
                return Ok(ExitCode::SUCCESS);
            };
            supervise(bot, stop, stdin_eof).await
        }
        Which::Onebot if args.bind.is_some() => {
            let options = listen_reverse::Options {
                bind: args.bind.as_deref().unwrap_or_default(),
                token: args.token.as_deref(),
                path: args.path.as_deref(),
                events: &args.events,
                unified: args.unified,
                exit_on_stdin_eof: args.exit_on_stdin_eof,
            };
            listen_reverse::serve(options, stop).await
        }
        Which::Onebot => {
            let url = args.url.clone().ok_or(
                "OneBot needs --url (the implementation's WebSocket) or --bind (reverse WS)",
            )?;
            let mut handlers = OneBotHandlers::new();
            handlers.on_raw(print::onebot_printer(
                Arc::clone(&wanted_types),
                args.unified,
            ));
            let mut builder = Bot::onebot_ws(url);
            if let Some(token) = &args.token {
                builder = builder.access_token(token.clone());
            }
            let start = builder.handlers(handlers).start();
            let Some(bot) = start_or_stop(&mut stop, start).await? else {
                return Ok(ExitCode::SUCCESS);
            };
            supervise(bot, stop, stdin_eof).await
        }
    }
}

/// Starts the bot unless a stop signal comes first (`None`: stopped before it ran).
async fn start_or_stop<T>(
    stop: &mut Stop,
    start: impl std::future::Future<Output = Result<T, botgate::Error>>,
) -> Result<Option<T>, Box<dyn std::error::Error>> {
    tokio::select! {
        started = start => Ok(Some(started?)),
        signal = stop.wait() => {
            errln!("botgate listen: {signal} during start-up, stopping");
            Ok(None)
        }
    }
}

/// Prints lifecycle changes to stderr. A stop signal (or, if asked, the end of stdin) closes
/// the session cleanly: exit 0. The session stopping by itself is a failure: exit 1 with the
/// reason on stderr.
async fn supervise<P, M>(
    bot: RunningBot<P, M>,
    mut stop: Stop,
    stdin_eof: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>>
where
    P: Platform,
    M: SessionMachine + Send + 'static,
{
    let mut life = bot.lifecycle();
    let reporter = tokio::spawn(async move {
        let mut last = Lifecycle::default();
        while life.changed().await.is_ok() {
            let now = life.borrow_and_update().clone();
            if now.readies > last.readies {
                errln!(
                    "botgate listen: ready (self id {})",
                    now.self_id.as_deref().unwrap_or("?")
                );
            }
            if now.resumes > last.resumes {
                errln!("botgate listen: resumed");
            }
            if now.reconnects > last.reconnects {
                errln!("botgate listen: connection lost; reconnecting");
            }
            last = now;
        }
    });
    let mut stopped: watch::Receiver<Lifecycle> = bot.lifecycle();
    let asked = tokio::select! {
        why = stop.wait_or_stdin_eof(stdin_eof) => {
            errln!("botgate listen: {why}, closing");
            true
        }
        _ = stopped.wait_for(|l| l.stopped.is_some()) => false,
    };
    let result = if asked {
        bot.shutdown().await
    } else {
        bot.wait().await
    };
    reporter.abort();
    match result {
        Ok(()) if asked => {
            errln!("botgate listen: closed");
            Ok(ExitCode::SUCCESS)
        }
        Ok(()) => {
            errln!("botgate listen: the session ended on its own");
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            errln!("botgate listen: {}", error_chain(&e));
            Ok(ExitCode::from(1))
        }
    }
}

/// An error and its sources on one line (the close code is often in a source).
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = s.source();
    }
    line
}
