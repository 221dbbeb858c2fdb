//! `botgate sim --webhook-target URL`: the sim delivers its events to a bot's callback URL as
//! the platform's webhook mode does (signed POSTs; QQ validates the URL first), instead of
//! over its gateway. One JSON line per request on stdout: `{"webhook":T,"status":S,..}`.
//! Its REST endpoints keep serving, so the bot's replies land in the sim as usual.

use std::path::PathBuf;
use std::time::Duration;

use botgate_sim::script::{parse_dispatches, ScriptEvent};
use botgate_sim::webhook::{Posted, WebhookFault, WebhookPoster, BUBBLE_RETRY_DELAYS};
use serde_json::{json, Value};

use crate::stop::Stop;
use crate::Platform;

/// How the sim posts webhooks.
#[derive(Clone)]
pub struct WebhookPlan {
    /// The bot's callback URL.
    pub target: String,
    /// QQ: the app id and bot secret deliveries are signed for.
    pub qq: Option<(String, String)>,
    /// Bubble: the signing secret (`None`: unsigned).
    pub bubble_secret: Option<String>,
    /// A PEM root certificate to trust for an `https://` target.
    pub ca: Option<PathBuf>,
    /// After the events, a replay of the last one and one delivery of each fault class.
    pub faults: bool,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for WebhookPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookPlan")
            .field("target", &self.target)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

/// The events posted when no script is given: a `/ping` the unified example answers.
fn default_events(platform: Platform) -> Vec<ScriptEvent> {
    let (t, d) = match platform {
        Platform::Qq => (
            "GROUP_AT_MESSAGE_CREATE",
            json!({"id": "sim-ping-1", "content": " /ping", "group_openid": "G1",
                   "author": {"member_openid": "M1"}, "timestamp": "2026-01-01T12:00:00+08:00"}),
        ),
        _ => (
            "MESSAGE_CREATE",
            json!({"id": 1001, "channelId": 123, "guildId": 10, "content": "/ping",
                   "authorId": 77, "author": {"id": 77, "name": "sim-user"}}),
        ),
    };
    vec![ScriptEvent { t: t.into(), d }]
}

/// One line, waiting while stdout's reader does not read (the posting is raced against the
/// stop: see [`post_until_stop`]).
async fn print(what: &str, posted: &Posted, extra: Value) {
    let mut line = json!({
        "webhook": what,
        "status": posted.status,
        "event_id": posted.event_id,
        "resend": posted.resend,
    });
    if !posted.ok() && posted.status.is_none() {
        line["error"] = json!(posted.body);
    }
    if let (Value::Object(line), Value::Object(extra)) = (&mut line, extra) {
        line.extend(extra);
    }
    out!("{line}").await;
}

/// Posts the script's events (or a `/ping`) to the target, then the faults if asked.
/// Returns how many requests were made.
pub async fn run(
    platform: Platform,
    plan: &WebhookPlan,
    script: Option<&str>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut poster = match (platform, &plan.qq) {
        (Platform::Qq, Some((app_id, secret))) => WebhookPoster::qq(&plan.target, app_id, secret)?,
        (Platform::Bubble, _) => {
            WebhookPoster::bubble(&plan.target, plan.bubble_secret.as_deref())?
        }
        _ => return Err("--webhook-target is for --platform qq or bubble".into()),
    };
    if let Some(ca) = &plan.ca {
        let pem = std::fs::read(ca).map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
        poster = poster.with_root_certificate(&pem)?;
    }
    let events = match script {
        Some(text) => parse_dispatches(text, &["READY", "RESUMED", "BOT_READY"])?,
        None => default_events(platform),
    };
    if platform == Platform::Qq {
        validate(&poster).await?;
    }
    for ScriptEvent { t, d } in &events {
        if platform == Platform::Bubble {
            // Bubble retries a failed delivery after 1 s, 5 s and 15 s.
            for posted in poster.deliver(t, d.clone(), &BUBBLE_RETRY_DELAYS).await {
                print(t, &posted, json!({})).await;
            }
        } else {
            print(t, &poster.post(t, d.clone()).await, json!({})).await;
        }
    }
    if plan.faults {
        let sample = events
            .first()
            .cloned()
            .unwrap_or_else(|| default_events(platform).remove(0));
        let mut faults = vec![WebhookFault::WrongSignature, WebhookFault::Unsigned];
        if platform == Platform::Qq {
            faults.push(WebhookFault::StaleTimestamp(Duration::from_secs(3600)));
        }
        faults.push(WebhookFault::OversizedBody(2 << 20));
        // First the replay of the last good delivery, byte for byte.
        let replayed = poster.replay().await?;
        print(&sample.t, &replayed, json!({"fault": "Replay"})).await;
        for fault in faults {
            let posted = poster
                .post_with(&sample.t, sample.d.clone(), fault.clone())
                .await;
            print(&sample.t, &posted, json!({"fault": format!("{fault:?}")})).await;
        }
    }
    Ok(poster.posted().len())
}

/// Posts as [`run`] does, then serves until a stop signal (which also cuts the posting
/// short). Returns how many requests were made.
pub async fn post_until_stop(
    platform: Platform,
    plan: &WebhookPlan,
    script: Option<&str>,
    stop: &mut Stop,
) -> Result<usize, Box<dyn std::error::Error>> {
    tokio::select! {
        posted = run(platform, plan, script) => {
            let posted = posted?;
            stop.wait().await;
            Ok(posted)
        }
        signal = stop.wait() => {
            tracing::info!(%signal, "stopped while posting webhooks");
            Ok(0)
        }
    }
}

/// QQ checks the callback URL before it delivers anything; a target that is not up yet is
/// asked again for a while, as the console does when the URL is saved.
async fn validate(poster: &WebhookPoster) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..100 {
        let validation = poster.validate().await?;
        if validation.posted.status.is_none() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        print(
            "op13",
            &validation.posted,
            json!({"valid": validation.valid}),
        )
        .await;
        if !validation.valid {
            return Err("the callback URL did not pass validation (op 13)".into());
        }
        return Ok(());
    }
    Err(format!("{} did not answer the validation", poster.target()).into())
}
