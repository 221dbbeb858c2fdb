//! The memory benchmark (`cargo xtask bench memory`): resident memory per idle connection.
//!
//! - OneBot: a reverse-WS bot (`Bot::onebot_reverse`) holds `--onebot N` connections (10,000),
//!   one account each, opened by the OneBot sim in a child process (this program again, so the
//!   sim's own memory is not counted); every account has a no-op group-message handler.
//! - QQ: a sharded QQ bot (`start_sharded`, one dispatcher) holds `--qq N` idle shards (1,000)
//!   to the QQ sim in a child process (discovery recommends N shards and lets all identify at
//!   once).
//!
//! Resident memory is `VmRSS` of /proc/self/status, read before the connections are opened
//! (bot already started) and again once all are up and a settling second has passed; the
//! difference over N is the figure per connection.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use botgate::{Bot, OneBotHandlers, QqHandlers};
use botgate_sim::{OneBotConfig, OneBotSim, QqConfig, QqSim};

const LIMIT: Duration = Duration::from_secs(180);
const SETTLE: Duration = Duration::from_secs(1);

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["--role", "onebot-sim", url, n] => child(Role::OneBot(url.to_string(), parse(n))),
        ["--role", "qq-sim", n] => child(Role::Qq(parse(n))),
        rest => parent(rest),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memory: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn parse(n: &str) -> usize {
    n.replace('_', "").parse().unwrap_or(0)
}

enum Role {
    OneBot(String, usize),
    Qq(usize),
}

/// The sim side: opens (OneBot) or serves (QQ) the connections, prints what the parent needs,
/// and lives until its stdin closes.
fn child(role: Role) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let _keep = rt.block_on(async {
        match role {
            Role::OneBot(url, n) => {
                let config = OneBotConfig {
                    heartbeat_interval: None,
                    ..OneBotConfig::default()
                };
                let sim = OneBotSim::start(config).await.map_err(|e| e.to_string())?;
                sim.connect_reverse_accounts(&url, n)
                    .map_err(|e| e.to_string())?;
                println!("connecting");
                Ok::<_, String>((Some(sim), None))
            }
            Role::Qq(n) => {
                let shards = u32::try_from(n).unwrap_or(u32::MAX);
                let config = QqConfig {
                    shards,
                    session_start_limit: (1_000_000, 999_999, 14_400_000, shards),
                    replay_buffer: 16,
                    ..QqConfig::default()
                };
                let sim = QqSim::start(config).await.map_err(|e| e.to_string())?;
                let c = sim.config();
                println!("{} {} {}", sim.http_base(), c.app_id, c.client_secret);
                Ok((None, Some(sim)))
            }
        }
    })?;
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    // Lives until the parent closes our stdin (or goes away).
    let mut sink = String::new();
    while std::io::stdin()
        .read_line(&mut sink)
        .map_err(|e| e.to_string())?
        > 0
    {}
    drop(rt);
    Ok(())
}

fn spawn(args: &[&str]) -> Result<(Child, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok((child, line.trim().to_owned()))
}

fn parent(args: &[&str]) -> Result<(), String> {
    let (mut onebot, mut qq) = (10_000usize, 1_000usize);
    let mut case = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it
            .next()
            .map(|v| parse(v))
            .ok_or(format!("{arg} needs a value"))?;
        match *arg {
            "--onebot" => onebot = value,
            "--qq" => qq = value,
            "--case-onebot" => case = Some((true, value)),
            "--case-qq" => case = Some((false, value)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let Some((is_onebot, n)) = case else {
        // Each case in a process of its own: memory freed by one would be reused by the next.
        println!(
            "| what | connections | RSS before (KiB) | RSS after (KiB) | KiB per connection |"
        );
        println!("|---|---|---|---|---|");
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        for (flag, n) in [("--case-onebot", onebot), ("--case-qq", qq)] {
            if n > 0 {
                let status = Command::new(&exe)
                    .args([flag, &n.to_string()])
                    .status()
                    .map_err(|e| e.to_string())?;
                if !status.success() {
                    return Err(format!("{flag} {n} failed"));
                }
            }
        }
        return Ok(());
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    if is_onebot {
        rt.block_on(onebot_reverse(n))
    } else {
        rt.block_on(qq_shards(n))
    }
}

fn row(what: &str, n: usize, before: u64, after: u64) {
    let per = after.saturating_sub(before) as f64 / n.max(1) as f64;
    println!("| {what} | {n} | {before} | {after} | {per:.1} |");
}

async fn onebot_reverse(n: usize) -> Result<(), String> {
    let bot = Bot::onebot_reverse("127.0.0.1:0")
        .handlers_fn(|| {
            let mut h = OneBotHandlers::new();
            h.on_group_message(|_, _| async { Ok(()) });
            h
        })
        .start()
        .await
        .map_err(|e| e.to_string())?;
    tokio::time::sleep(SETTLE).await;
    let before = rss_kib();
    let url = format!("ws://{}/", bot.local_addr());
    let (mut child, _) = spawn(&["--role", "onebot-sim", &url, &n.to_string()])?;
    let mut accounts = bot.account_count();
    let all = tokio::time::timeout(LIMIT, accounts.wait_for(|c| *c >= n))
        .await
        .is_ok_and(|r| r.is_ok());
    if !all {
        let _ = child.kill();
        return Err(format!(
            "only {} of {n} accounts connected",
            *accounts.borrow()
        ));
    }
    tokio::time::sleep(SETTLE).await;
    let after = rss_kib();
    row("OneBot reverse WS, idle account", n, before, after);
    let _ = child.kill();
    let _ = child.wait();
    bot.shutdown().await;
    Ok(())
}

async fn qq_shards(n: usize) -> Result<(), String> {
    let (mut child, line) = spawn(&["--role", "qq-sim", &n.to_string()])?;
    let mut parts = line.split(' ');
    let (Some(base), Some(app), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        let _ = child.kill();
        return Err(format!("qq sim said {line:?}"));
    };
    let mut h = QqHandlers::new();
    h.on_at_message_create(|_, _| async { Ok(()) });
    tokio::time::sleep(SETTLE).await;
    let before = rss_kib();
    let bot = Bot::qq(app, secret)
        .api_base(base)
        .auth_base(base)
        .shards(u32::try_from(n).unwrap_or(u32::MAX))
        .handlers(h)
        .start_sharded()
        .await
        .map_err(|e| e.to_string())?;
    for mut life in bot.lifecycles() {
        let ready = tokio::time::timeout(LIMIT, life.wait_for(|l| l.readies >= 1)).await;
        if !matches!(ready, Ok(Ok(_))) {
            let _ = child.kill();
            return Err("a shard did not become ready".to_owned());
        }
    }
    tokio::time::sleep(SETTLE).await;
    let after = rss_kib();
    row("QQ, idle shard (one sharded bot)", n, before, after);
    let _ = bot.shutdown().await;
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}
