//! `botgate listen --platform qq|bubble --webhook ADDR`: serve the platform's webhook (HTTP
//! callback) mode instead of connecting to its gateway, and print one JSON line per event
//! exactly as WebSocket `listen` does. Every delivery is verified first (QQ: Ed25519 with the
//! key of --secret, op 13 validation answered; Bubble: HMAC with --webhook-secret); refused
//! ones are logged on stderr and never printed. Runs until SIGINT / SIGTERM, then stops
//! cleanly (requests in flight answered, queued events printed) with exit status 0.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use botgate::dispatch::Platform;
use botgate::proto::unified::Platform as UPlatform;
use botgate::{Bot, BubbleHandlers, QqHandlers, WebhookBot};

use crate::listen::ListenArgs;
use crate::print;
use crate::stop::{run_until_stopped, Stop};
use crate::Platform as Which;

/// Runs until SIGINT / SIGTERM (exit 0); a server that cannot start is exit 2.
pub fn run(args: ListenArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_until_stopped(|stop| async move { serve(&args, stop).await })
}

async fn serve(args: &ListenArgs, stop: Stop) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let addr = args.webhook.clone().ok_or("--webhook is missing")?;
    let wanted: Arc<HashSet<String>> = Arc::new(args.events.iter().cloned().collect());
    match args.platform {
        Which::Qq => {
            let (Some(app_id), Some(secret)) = (&args.app_id, &args.secret) else {
                return Err(
                    "a QQ webhook needs --app-id and --secret (the bot secret signs)".into(),
                );
            };
            let mut handlers = QqHandlers::new();
            handlers.on_raw(print::frame_printer::<botgate_dispatch::qq::Qq>(
                wanted,
                print::qq_json,
                args.unified.then_some(UPlatform::Qq),
            ));
            let mut builder = Bot::qq_webhook(app_id.clone(), secret.clone()).bind(addr);
            if let Some(base) = &args.api_base {
                builder = builder.api_base(base.clone());
            }
            if let Some(base) = args.auth_base.as_ref().or(args.api_base.as_ref()) {
                builder = builder.auth_base(base.clone());
            }
            if let Some(path) = &args.webhook_path {
                builder = builder.path(path.clone());
            }
            if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
                builder = builder.tls_pem_files(cert.clone(), key.clone());
            }
            let start = builder.handlers(handlers).start();
            supervise("QQ", start, stop, args.exit_on_stdin_eof).await
        }
        Which::Bubble => {
            let mut handlers = BubbleHandlers::new();
            handlers.on_raw(print::frame_printer::<botgate_dispatch::bubble::Bubble>(
                wanted,
                print::bubble_json,
                args.unified.then_some(UPlatform::Bubble),
            ));
            // The bot token only matters to replies; printing needs none.
            let token = args.token.clone().unwrap_or_default();
            let mut builder = Bot::bubble_webhook(token).bind(addr);
            match &args.webhook_secret {
                Some(secret) => builder = builder.webhook_secret(secret.clone()),
                None => errln!(
                    "botgate listen: no --webhook-secret: Bubble deliveries are not authenticated"
                ),
            }
            if let Some(path) = &args.webhook_path {
                builder = builder.path(path.clone());
            }
            if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
                builder = builder.tls_pem_files(cert.clone(), key.clone());
            }
            let start = builder.handlers(handlers).start();
            supervise("Bubble", start, stop, args.exit_on_stdin_eof).await
        }
        Which::Onebot => Err("--webhook is for --platform qq or bubble (OneBot: --bind)".into()),
    }
}

/// Starts the server (unless a stop signal comes first), then serves until one does.
async fn supervise<P: Platform>(
    name: &str,
    start: impl std::future::Future<Output = Result<WebhookBot<P>, botgate::Error>>,
    mut stop: Stop,
    stdin_eof: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let bot = tokio::select! {
        bot = start => bot?,
        signal = stop.wait() => {
            errln!("botgate listen: {signal} during start-up, stopping");
            return Ok(ExitCode::SUCCESS);
        }
    };
    errln!("botgate listen: {name} webhook on {}", bot.local_addr());
    let why = stop.wait_or_stdin_eof(stdin_eof).await;
    errln!("botgate listen: {why}, closing");
    let stats = bot.shutdown().await;
    errln!(
        "botgate listen: {} delivered, {} refused, {} answered 503 (to be sent again)",
        stats.delivered,
        stats.rejected(),
        stats.overloaded
    );
    Ok(ExitCode::SUCCESS)
}
