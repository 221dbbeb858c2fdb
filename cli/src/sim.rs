//! `botgate sim --platform P [--port N]`: serve a simulated platform for an outside client.
//!
//! Prints one JSON line on stdout with what a client needs (URLs and credentials), then serves
//! until Ctrl-C or SIGTERM, and prints a one-line summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use botgate_sim::{BubbleConfig, BubbleSim, OneBotConfig, OneBotSim, QqConfig, QqSim};
use serde_json::json;

use crate::sim_webhook::{self, WebhookPlan};

mod blast;
use crate::stdout;
use crate::stop::{run_until_stopped, Stop};
use crate::Platform;

/// Options of `botgate sim`.
#[derive(clap::Args)]
pub struct SimArgs {
    /// Which platform to simulate.
    #[arg(long, value_enum)]
    pub platform: Platform,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// A JSONL script of events to dispatch once a client is ready.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Heartbeat interval the sim asks for (QQ / Bubble Hello; OneBot heartbeat events).
    #[arg(long, default_value_t = 30_000)]
    pub heartbeat_ms: u64,
    /// Bubble / OneBot: the token clients must present (QQ: the accepted access token; OneBot
    /// with --reverse: the token the sim presents).
    #[arg(long)]
    pub token: Option<String>,
    /// Bubble: serve botgate's extended profile (seq numbers, resume, op 7 / 9).
    #[arg(long)]
    pub extended: bool,
    /// OneBot: also connect as a reverse-WS client (like Waylay) to this URL.
    #[arg(long)]
    pub reverse: Option<String>,
    /// With --reverse: connect K bot accounts at once (self ids from the sim's, counting up),
    /// one connection each; the script goes to every account, as its events (its self_id).
    #[arg(long, value_name = "K", requires = "reverse")]
    pub accounts: Option<usize>,
    /// With --reverse: also send `X-Self-ID` and `X-Client-Role: Universal`, as the go-cqhttp
    /// family does (NoneBot's adapter requires them); Waylay sends neither.
    #[arg(long, requires = "reverse")]
    pub reverse_identity: bool,
    /// QQ / Bubble: deliver the script's events (default: one `/ping`) by webhook to this
    /// callback URL, instead of over the gateway: QQ's signed (validated with op 13 first),
    /// Bubble's signed with --webhook-secret.
    #[arg(long)]
    pub webhook_target: Option<String>,
    /// Bubble: sign webhook deliveries with this secret (default: unsigned).
    #[arg(long, requires = "webhook_target")]
    pub webhook_secret: Option<String>,
    /// Trust this PEM root certificate for an https:// --webhook-target.
    #[arg(long, requires = "webhook_target")]
    pub webhook_ca: Option<PathBuf>,
    /// After the events, replay the last one byte for byte, then post one delivery of each
    /// fault: wrong signature, unsigned, stale timestamp (QQ), oversized body (2 MiB).
    #[arg(long, requires = "webhook_target")]
    pub webhook_faults: bool,
    /// Serve N pre-encoded events to each client, written in large batches straight to the
    /// socket (a sender that is never the bottleneck); prints the sender's ceiling against a
    /// count-only client first.
    #[arg(long, value_name = "N", conflicts_with_all = ["script", "webhook_target", "reverse"])]
    pub blast: Option<usize>,
    /// With --blast: write one frame every 1/R s instead of as fast as the client reads.
    #[arg(long, value_name = "R", requires = "blast")]
    pub blast_rate: Option<u32>,
    /// With --blast: measure and print the ceiling, then exit.
    #[arg(long, requires = "blast")]
    pub ceiling_only: bool,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for SimArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimArgs").finish_non_exhaustive()
    }
}

/// Runs the sim until Ctrl-C or SIGTERM.
pub fn run(args: SimArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_until_stopped(|stop| serve(args, stop))
}

async fn serve(args: SimArgs, mut stop: Stop) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if let Some(frames) = args.blast {
        let blast = blast::BlastArgs {
            platform: args.platform,
            port: args.port,
            frames,
            rate: args.blast_rate,
            ceiling_only: args.ceiling_only,
        };
        return blast::serve(blast, &mut stop).await;
    }
    let script = match &args.script {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read script {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let heartbeat = Duration::from_millis(args.heartbeat_ms.max(1));
    let summary = match args.platform {
        Platform::Qq => {
            let mut config = QqConfig {
                port: args.port,
                heartbeat_interval: heartbeat,
                ..QqConfig::default()
            };
            if let Some(token) = &args.token {
                config.access_token = Some(token.clone());
            }
            let sim = QqSim::start(config).await?;
            let c = sim.config();
            announce(json!({
                "platform": "qq",
                "url": sim.url(),
                "api_base": sim.http_base(),
                "app_id": c.app_id,
                "client_secret": c.client_secret,
                "access_token": c.access_token,
            }))
            .await;
            let qq = (c.app_id.clone(), c.client_secret.clone());
            let webhooks = match webhook_plan(&args, Some(qq)) {
                Some(plan) => {
                    sim_webhook::post_until_stop(Platform::Qq, &plan, script.as_deref(), &mut stop)
                        .await?
                }
                None => {
                    if let Some(script) = &script {
                        sim.load_script(script)?;
                    }
                    stop.wait().await;
                    0
                }
            };
            json!({"connections": sim.connections(), "dispatched": sim.sent_dispatches().len(),
                   "messages": messages_posted(sim.log()), "webhooks": webhooks})
        }
        Platform::Bubble => {
            let mut config = BubbleConfig {
                port: args.port,
                heartbeat_interval: heartbeat,
                ..BubbleConfig::default()
            };
            if let Some(token) = &args.token {
                config.token = token.clone();
            }
            if args.extended {
                config.profile = botgate_sim::bubble::Profile::Extended;
            }
            let sim = BubbleSim::start(config).await?;
            announce(json!({
                "platform": "bubble",
                "url": sim.url(),
                "rest_base": sim.rest_base(),
                "token": sim.config().token,
                "extended": args.extended,
            }))
            .await;
            let webhooks = match webhook_plan(&args, None) {
                Some(plan) => {
                    let script = script.as_deref();
                    sim_webhook::post_until_stop(Platform::Bubble, &plan, script, &mut stop).await?
                }
                None => {
                    if let Some(script) = &script {
                        sim.load_script(script)?;
                    }
                    stop.wait().await;
                    0
                }
            };
            json!({"connections": sim.connections(), "dispatched": sim.sent_dispatches().len(),
                   "messages": messages_posted(sim.log()), "webhooks": webhooks})
        }
        Platform::Onebot => {
            let config = OneBotConfig {
                port: args.port,
                heartbeat_interval: Some(heartbeat),
                access_token: args.token.clone(),
                reverse_identity: args.reverse_identity,
                ..OneBotConfig::default()
            };
            let sim = OneBotSim::start(config).await?;
            // The connections are made in the background: announcing after is not late.
            let accounts = match (&args.reverse, args.accounts) {
                (Some(url), Some(k)) => sim.connect_reverse_accounts(url, k)?,
                (Some(url), None) => {
                    sim.connect_reverse(url)?;
                    Vec::new()
                }
                (None, _) => Vec::new(),
            };
            announce(json!({
                "platform": "onebot",
                "url": sim.url(),
                "self_id": sim.config().self_id,
                "accounts": accounts,
                "access_token": sim.config().access_token,
            }))
            .await;
            if let Some(script) = &script {
                if accounts.is_empty() {
                    sim.load_script(script)?;
                }
                for id in &accounts {
                    sim.load_script_to(*id, script)?;
                }
            }
            stop.wait().await;
            json!({"connections": sim.connections(), "actions": sim.actions().len()})
        }
    };
    // The last line: no waiting for a reader that stopped reading.
    stdout::try_out(json!({ "stopped": summary }).to_string());
    Ok(ExitCode::SUCCESS)
}

/// Messages clients sent through the REST API (`POST .../messages`: replies, DMs): what an
/// outside client's test checks its replies against.
fn messages_posted(log: &botgate_sim::Log) -> usize {
    log.http("POST", "/")
        .iter()
        .filter(|r| {
            r.http()
                .is_some_and(|(_, path)| path.ends_with("/messages"))
        })
        .count()
}

/// The webhook settings, when --webhook-target is given.
fn webhook_plan(args: &SimArgs, qq: Option<(String, String)>) -> Option<WebhookPlan> {
    Some(WebhookPlan {
        target: args.webhook_target.clone()?,
        qq,
        bubble_secret: args.webhook_secret.clone(),
        ca: args.webhook_ca.clone(),
        faults: args.webhook_faults,
    })
}

async fn announce(info: serde_json::Value) {
    out!("{info}").await;
    tracing::info!("sim listening; Ctrl-C stops it");
}
