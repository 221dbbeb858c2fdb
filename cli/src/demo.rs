//! `botgate demo`: the embedded simulators and bots in one process, playing a short story:
//! events flowing, a command answered, a dropped connection resumed with nothing lost.
//! Exits 0 only when every check of the story holds.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use botgate::{Bot, OneBotHandlers, QqHandlers};
use botgate_sim::{Fault, OneBotConfig, OneBotSim, QqConfig, QqSim};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::stdout;
use crate::stop::{run_printing, Stop};

/// How long one step of the story may take before the demo gives up.
const STEP: Duration = Duration::from_secs(30);

/// Options of `botgate demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Keep the simulators and bots running after the story (an event every second) until
    /// SIGINT (Ctrl-C) or SIGTERM.
    #[arg(long, conflicts_with = "scale")]
    pub forever: bool,
    /// Play the scale-out story instead: 2 gateways and 3 workers (child processes) on Redis
    /// against the sim; one of each is killed; the rest take over with no event lost.
    #[arg(long)]
    pub scale: bool,
    /// With --scale: the Redis to use (default: the BOTGATE_REDIS environment variable).
    #[arg(long, requires = "scale")]
    pub redis: Option<String>,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for DemoArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoArgs").finish_non_exhaustive()
    }
}

/// Runs the demo on a fresh tokio runtime (its lines through stdout's queue).
pub fn run(args: DemoArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if args.scale {
        return crate::demo_scale::run(args.redis);
    }
    run_printing(story(args))
}

type Failure = Box<dyn std::error::Error>;

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, Failure> {
    tokio::time::timeout(STEP, fut)
        .await
        .map_err(|_| format!("timed out after {}s waiting for {what}", STEP.as_secs()).into())
}

/// The ids of the messages the QQ handler saw, in the order it saw them.
#[derive(Clone)]
struct Seen(Arc<watch::Sender<Vec<String>>>);

impl Seen {
    fn new() -> Self {
        Self(Arc::new(watch::channel(Vec::new()).0))
    }
    fn push(&self, id: String) {
        self.0.send_modify(|v| v.push(id));
    }
    async fn wait_len(&self, n: usize) -> Vec<String> {
        let mut rx = self.0.subscribe();
        let seen = match rx.wait_for(|v| v.len() >= n).await {
            Ok(v) => v.clone(),
            Err(_) => Vec::new(),
        };
        seen
    }
}

const STORY: &[(&str, &str, &str)] = &[
    ("小明", "1001", "/天气 深圳"),
    ("阿强", "1002", "大家好 👋"),
    ("小红", "1003", "今晚八点开会，别迟到 ⏰"),
    ("小明", "1001", "/help"),
    ("阿强", "1002", "收到 👍"),
    ("小红", "1003", "🎉🎉🎉"),
    ("小明", "1001", "刚才掉线了吗？"),
    ("阿强", "1002", "没有丢消息 ✅"),
    ("小红", "1003", "resume 真快 🚀"),
    ("小明", "1001", "好的，散会"),
];
/// Events 0..BEFORE_DROP flow normally; the rest are sent while the bot is disconnected.
const BEFORE_DROP: usize = 6;

fn at_message(i: usize, bot_id: &str) -> Value {
    let (name, user, text) = STORY[i % STORY.len()];
    json!({
        "id": format!("demo-msg-{i}"),
        "channel_id": "100010",
        "guild_id": "18700000000001",
        "content": format!("<@!{bot_id}> {text}"),
        "timestamp": "2026-11-25T20:00:00+08:00",
        "author": {"id": user, "username": name, "bot": false},
        "member": {"roles": ["1"], "joined_at": "2026-01-01T00:00:00+08:00"},
        "seq": i + 1,
        "seq_in_channel": (i + 1).to_string(),
    })
}

async fn story(args: DemoArgs) -> Result<ExitCode, Failure> {
    // With --forever, first: a signal during the story must not kill the process (it is
    // acted on once the story is told). Without, Ctrl-C keeps its default action.
    let mut stop = args.forever.then(Stop::new);
    out!("botgate demo: simulators and bots in one process, on 127.0.0.1\n").await;

    // --- QQ -------------------------------------------------------------------------------
    let qq_sim = QqSim::start(QqConfig {
        heartbeat_interval: Duration::from_millis(2_000),
        ..QqConfig::default()
    })
    .await?;
    let bot_id = qq_sim.config().bot_user.0.clone();
    out!(
        "[sim]    QQ gateway on {} (token + /gateway/bot on {})",
        qq_sim.url(),
        qq_sim.http_base()
    )
    .await;

    let seen = Seen::new();
    let mut qq = QqHandlers::new();
    qq.on_ready(|_ctx, ready| async move {
        out!(
            "[bot]    READY as {} (session {})",
            ready.user.username.as_deref().unwrap_or("?"),
            ready.session_id
        )
        .await;
        Ok(())
    });
    {
        let seen = seen.clone();
        qq.on_at_message_create(move |ctx, msg| {
            let seen = seen.clone();
            async move {
                let text = msg
                    .content
                    .split_once("> ")
                    .map_or(msg.content.as_str(), |(_, t)| t);
                out!(
                    "[event]  s={:<3} AT_MESSAGE_CREATE  {}: {}",
                    ctx.seq().map_or_else(|| "-".into(), |s| s.to_string()),
                    msg.author.username.as_deref().unwrap_or("?"),
                    text
                )
                .await;
                seen.push(String::from(&msg.id));
                Ok(())
            }
        });
    }
    qq.on_guild_member_add(|_ctx, member| async move {
        out!(
            "[event]  GUILD_MEMBER_ADD   {} joined",
            member
                .user
                .as_ref()
                .map_or("?", |u| u.username.as_deref().unwrap_or("?"))
        )
        .await;
        Ok(())
    });
    // Not a task (it cannot wait): dropped if stdout's queue is full.
    qq.on_error(|err| {
        stdout::try_out(format!(
            "[bot]    {err} (the session reconnects and resumes)"
        ))
    });
    let builder = Bot::qq(
        qq_sim.config().app_id.clone(),
        qq_sim.config().client_secret.clone(),
    )
    .api_base(qq_sim.http_base())
    .auth_base(qq_sim.http_base())
    .handlers(qq);
    let intents = builder.effective_intents();
    out!(
        "[bot]    QQ bot: intents {} ({}) computed from its handlers",
        intents.bits(),
        intents
    )
    .await;
    let qq_bot = builder.start().await?;
    let mut life = qq_bot.lifecycle();
    within("READY", life.wait_for(|l| l.readies >= 1)).await??;

    qq_sim.push_event(
        "GUILD_MEMBER_ADD",
        json!({"guild_id": "18700000000001", "user": {"id": "1004", "username": "新同学"}, "roles": ["1"], "joined_at": "2026-11-25T20:00:00+08:00"}),
    );
    let mut sent = Vec::new();
    for i in 0..BEFORE_DROP {
        let d = at_message(i, &bot_id);
        sent.push(format!("demo-msg-{i}"));
        qq_sim.push_event("AT_MESSAGE_CREATE", d);
    }
    within("the first events", seen.wait_len(BEFORE_DROP)).await?;

    out!("[fault]  the simulator drops the TCP connection (no close frame)").await;
    qq_sim.inject(Fault::Drop);
    within(
        "the bot to notice the drop",
        life.wait_for(|l| l.reconnects >= 1),
    )
    .await??;
    for i in BEFORE_DROP..STORY.len() {
        let d = at_message(i, &bot_id);
        sent.push(format!("demo-msg-{i}"));
        qq_sim.push_event("AT_MESSAGE_CREATE", d);
    }
    out!(
        "[sim]    {} more events sent while the bot is away",
        STORY.len() - BEFORE_DROP
    )
    .await;
    within("RESUMED", life.wait_for(|l| l.resumes >= 1)).await??;
    out!("[bot]    session resumed: the simulator replays what the bot missed").await;
    let handled = within("the replayed events", seen.wait_len(STORY.len())).await?;
    let lifecycle = life.borrow().clone();

    // --- OneBot ---------------------------------------------------------------------------
    let ob_sim = OneBotSim::start(OneBotConfig {
        heartbeat_interval: Some(Duration::from_millis(1_000)),
        ..OneBotConfig::default()
    })
    .await?;
    out!(
        "\n[sim]    OneBot v11 implementation (like Waylay) on {}",
        ob_sim.url()
    )
    .await;
    let (answered_tx, mut answered_rx) = watch::channel(None::<Value>);
    let answered_tx = Arc::new(answered_tx);
    let mut ob = OneBotHandlers::new();
    ob.on_group_message(move |ctx, msg| {
        let answered_tx = Arc::clone(&answered_tx);
        async move {
        let text = msg.message.plain_text();
        out!("[event]  message.group      {}: {}", msg.user_id, text).await;
        if text.trim() == "/ping" {
            let data = ctx
                .call(
                    "send_group_msg",
                    json!({"group_id": msg.group_id, "message": [{"type": "text", "data": {"text": "pong 🏓"}}]}),
                )
                .await?;
            out!("[bot]    answered /ping with \"pong 🏓\" (message_id {})", data["message_id"]).await;
            answered_tx.send_replace(Some(data));
        }
        Ok(())
        }
    });
    ob.on_error(|err| {
        let mut line = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            line.push_str(&format!(": {s}"));
            source = s.source();
        }
        stdout::try_out(format!("[error]  {line}"));
    });
    let ob_bot = Bot::onebot_ws(ob_sim.url()).handlers(ob).start().await?;
    let mut ob_life = ob_bot.lifecycle();
    within(
        "the OneBot lifecycle event",
        ob_life.wait_for(|l| l.readies >= 1),
    )
    .await??;
    let self_id = ob_sim.config().self_id;
    for (message_id, text) in [(4242, "大家好"), (4243, "/ping")] {
        ob_sim.push_event(json!({
            "time": 1_764_072_000, "self_id": self_id, "post_type": "message", "message_type": "group",
            "sub_type": "normal", "message_id": message_id, "group_id": 987654321, "user_id": 111222333,
            "message": [{"type": "text", "data": {"text": text}}], "raw_message": text, "font": 0,
            "sender": {"user_id": 111222333, "nickname": "张三", "role": "member"}
        }));
    }
    let reply = within("the /ping answer", answered_rx.wait_for(Option::is_some))
        .await??
        .clone()
        .unwrap_or(Value::Null);
    let answer = ob_sim
        .sent_messages()
        .into_iter()
        .next()
        .ok_or("the simulator recorded no sent message")?;

    // --- summary --------------------------------------------------------------------------
    let exactly_once = handled == sent;
    let answered = answer.action == "send_group_msg"
        && answer.params["message"][0]["data"]["text"] == "pong 🏓"
        && reply["message_id"] == answer.message_id;
    out!("\nsummary").await;
    out!(
        "  QQ:     {} events sent, {} handled, {} (exactly once, in order); {} drop, {} resume",
        sent.len(),
        handled.len(),
        if exactly_once {
            "the same ids"
        } else {
            "MISMATCH"
        },
        lifecycle.reconnects,
        lifecycle.resumes
    )
    .await;
    out!(
        "  OneBot: /ping answered by {} with message_id {}",
        answer.action,
        answer.message_id
    )
    .await;
    let ok = exactly_once && answered && lifecycle.resumes >= 1;
    out!("  result: {}", if ok { "OK" } else { "FAILED" }).await;

    if let (Some(stop), true) = (stop.as_mut(), ok) {
        out!("\n--forever: an event every second; Ctrl-C or SIGTERM stops").await;
        let mut i = STORY.len();
        let mut qq_life = qq_bot.lifecycle();
        let mut ob_life = ob_bot.lifecycle();
        loop {
            tokio::select! {
                _ = stop.wait() => break,
                // A bot that stops by itself is a failure of the demo, not a reason to idle.
                _ = qq_life.wait_for(|l| l.stopped.is_some()) => {
                    errln!("botgate demo: the QQ bot stopped: {:?}", qq_bot.wait().await);
                    return Ok(ExitCode::from(1));
                }
                _ = ob_life.wait_for(|l| l.stopped.is_some()) => {
                    errln!("botgate demo: the OneBot bot stopped: {:?}", ob_bot.wait().await);
                    return Ok(ExitCode::from(1));
                }
                _ = tokio::time::sleep(Duration::from_secs(1)) => {
                    qq_sim.push_event("AT_MESSAGE_CREATE", at_message(i, &bot_id));
                    i += 1;
                }
            }
        }
    }
    qq_bot.shutdown().await?;
    ob_bot.shutdown().await?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
