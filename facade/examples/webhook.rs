//! The unified example's `/ping` in webhook mode: QQ and Bubble POST their events to this
//! process (QQ on `127.0.0.1:8443/qq`, Bubble on `127.0.0.1:8444/bubble`), every delivery is
//! verified (QQ: Ed25519 with the key of the bot secret, op 13 validation answered; Bubble:
//! HMAC-SHA256 with the webhook secret), and the answers go out as passive replies through each
//! platform's REST API.
//!
//! Against the simulators (three terminals; start this one first):
//!
//! ```text
//! cargo run -p botgate --example webhook
//! botgate sim --platform qq --port 8080 --webhook-target http://127.0.0.1:8443/qq
//! botgate sim --platform bubble --port 8081 --webhook-target http://127.0.0.1:8444/bubble \
//!     --webhook-secret whsec-demo
//! ```
//!
//! Each sim delivers a `/ping` (QQ validates the URL first) and prints one line per request;
//! the `pong` replies reach the sims' REST endpoints (`botgate -vvv sim ..` logs them).
//! Settings come from `BOTGATE_QQ_APP_ID`, `BOTGATE_QQ_SECRET`, `BOTGATE_QQ_API_BASE`,
//! `BOTGATE_BUBBLE_TOKEN`, `BOTGATE_BUBBLE_REST`, `BOTGATE_BUBBLE_WEBHOOK_SECRET`, defaulting
//! to the simulators'.
//! Behind a reverse proxy that terminates TLS this is the whole set-up; to serve HTTPS
//! directly, add `.tls_pem_files("cert.pem", "key.pem")`.

use botgate::dispatch::{Handlers, Unified, Unify};
use botgate::{Bot, BubbleHandlers, Filter, QqHandlers};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The same command handlers as `examples/unified.rs`.
fn register<P: Unify<Unified = Unified>>(handlers: &mut Handlers<P>) {
    handlers.on_message(Filter::new().command("/ping"), |ctx, event| async move {
        println!("[{:?}] {}: /ping", event.platform, event.user_id);
        ctx.reply("pong").await?;
        Ok(())
    });
}

fn env_or(env: &str, default: &str) -> String {
    std::env::var(env)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing_subscriber::fmt::init();
    let mut qq_handlers = QqHandlers::new();
    register(&mut qq_handlers);
    let api_base = env_or("BOTGATE_QQ_API_BASE", "http://127.0.0.1:8080");
    let qq = Bot::qq_webhook(
        env_or("BOTGATE_QQ_APP_ID", "102000001"),
        env_or("BOTGATE_QQ_SECRET", "sim-client-secret"),
    )
    .bind("127.0.0.1:8443")
    .path("/qq")
    .api_base(api_base.clone())
    .auth_base(api_base)
    .handlers(qq_handlers);

    let mut bubble_handlers = BubbleHandlers::new();
    register(&mut bubble_handlers);
    let bubble = Bot::bubble_webhook(env_or("BOTGATE_BUBBLE_TOKEN", "sim-bubble-token"))
        .webhook_secret(env_or("BOTGATE_BUBBLE_WEBHOOK_SECRET", "whsec-demo"))
        .bind("127.0.0.1:8444")
        .path("/bubble")
        .rest_base(env_or(
            "BOTGATE_BUBBLE_REST",
            "http://127.0.0.1:8081/api/bot/v1",
        ))
        .handlers(bubble_handlers);

    // Both serve until Ctrl-C or SIGTERM, then stop cleanly; one that cannot start (its port
    // taken) ends the example at once, with its error.
    tokio::try_join!(qq.run(), bubble.run())?;
    Ok(())
}
