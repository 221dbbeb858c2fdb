//! `cargo xtask clients [--install]`: real clients, unchanged, against `botgate sim`: qq-botpy
//! (QQ gateway + OpenAPI replies), NoneBot 2's OneBot v11 adapter over a forward WebSocket
//! and over a reverse one, AlemonJS's Bubble client (gateway + REST replies). Each answers
//! the `/ping`s of a script (`sim/clients/*.jsonl`); a run passes when the client handled
//! every one and the sim received every reply (the summary the sim prints when stopped). A
//! client that is not installed fails the run (`--install` makes a virtualenv and a
//! node_modules under the target dir, from PyPI and npm).

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a client gets to connect and answer every `/ping`.
const LIMIT: Duration = Duration::from_secs(60);
/// The `/ping`s in each script.
const PINGS: u64 = 2;
/// The clients, at the versions last checked (their own dependencies float).
const PIP_PACKAGES: [&str; 3] = [
    "qq-botpy==1.2.1",
    "nonebot2[fastapi,websockets,httpx]==2.5.0",
    "nonebot-adapter-onebot==2.4.6",
];

/// The AlemonJS packages, at the versions last checked.
const NPM_PACKAGES: [&str; 4] = [
    "@alemonjs/bubble@2.1.13",
    "alemonjs@2.1.109",
    "dayjs@1.11.23",
    "ws@8.23.1",
];

/// One client run: its name, what it needs, and how it is started.
struct Case {
    name: &'static str,
    needs: Needs,
    run: fn(&Env) -> Result<(), String>,
}

/// What a case needs installed.
enum Needs {
    /// Python modules, importable by the chosen interpreter.
    Python(&'static str),
    /// The npm packages of [`NPM_PACKAGES`] in the clients' node_modules.
    Node,
}

/// What every case uses.
struct Env {
    root: PathBuf,
    botgate: PathBuf,
    python: PathBuf,
    /// The clients' working directory (botpy writes `botpy.log` into it).
    work: PathBuf,
    /// Where the npm packages are installed (a node_modules inside).
    node: PathBuf,
}

const CASES: [Case; 4] = [
    Case {
        name: "qq-botpy → QQ gateway + OpenAPI",
        needs: Needs::Python("botpy"),
        run: botpy_qq,
    },
    Case {
        name: "NoneBot 2 → OneBot v11 forward WS",
        needs: Needs::Python("nonebot, nonebot.adapters.onebot.v11"),
        run: nonebot_forward,
    },
    Case {
        name: "NoneBot 2 ← OneBot v11 reverse WS",
        needs: Needs::Python("nonebot, nonebot.adapters.onebot.v11, fastapi, uvicorn"),
        run: nonebot_reverse,
    },
    Case {
        name: "AlemonJS → Bubble gateway + REST",
        needs: Needs::Node,
        run: alemonjs_bubble,
    },
];

/// Parses the options, builds the CLI and runs every case; `Ok(false)` when one failed.
pub fn run(root: &Path, args: &[&str]) -> Result<bool, String> {
    let venv = target_dir(root).join("clients-venv");
    let node = target_dir(root).join("clients-node");
    let mut install = false;
    let mut python = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--install" => install = true,
            "--python" => python = Some(PathBuf::from(rest.next().ok_or("--python needs a path")?)),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if install {
        make_venv(&venv)?;
        npm_install(&node)?;
    }
    let python = python.unwrap_or_else(|| {
        let own = venv.join("bin/python");
        if own.exists() {
            own
        } else {
            PathBuf::from("python3")
        }
    });
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let built = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--quiet", "-p", "botgate-cli"])
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !built.success() {
        return Ok(false);
    }
    let work = target_dir(root).join("clients-run");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let env = Env {
        botgate: target_dir(root).join("debug/botgate"),
        root: root.to_path_buf(),
        python,
        work,
        node,
    };
    let mut ok = true;
    for case in &CASES {
        let started = Instant::now();
        let installed = match case.needs {
            Needs::Python(imports) => importable(&env.python, imports),
            Needs::Node => node_installed(&env.node),
        };
        let result = installed.and_then(|()| (case.run)(&env));
        let took = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("ok      {} ({PINGS} answered, {took:.1} s)", case.name),
            Err(why) => {
                ok = false;
                println!("FAILED  {}: {why}", case.name);
            }
        }
    }
    Ok(ok)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn make_venv(venv: &Path) -> Result<(), String> {
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let pip = venv.join("bin/pip");
    let installed = made.success()
        && Command::new(&pip)
            .args(["install", "--quiet"])
            .args(PIP_PACKAGES)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", pip.display()))?
            .success();
    if installed {
        Ok(())
    } else {
        Err(format!(
            "installing {PIP_PACKAGES:?} into {} failed",
            venv.display()
        ))
    }
}

fn npm_install(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // A package.json of its own, so npm installs here and not in a parent directory.
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        std::fs::write(
            &manifest,
            "{\"name\":\"botgate-clients\",\"private\":true}\n",
        )
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    }
    let installed = Command::new("npm")
        .current_dir(dir)
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .args(NPM_PACKAGES)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if installed.success() {
        Ok(())
    } else {
        Err(format!(
            "npm install {NPM_PACKAGES:?} in {} failed",
            dir.display()
        ))
    }
}

fn node_installed(dir: &Path) -> Result<(), String> {
    if dir
        .join("node_modules/@alemonjs/bubble/package.json")
        .exists()
    {
        return Ok(());
    }
    Err(format!(
        "@alemonjs/bubble not installed in {} (`cargo xtask clients --install` installs it with npm)",
        dir.display()
    ))
}

fn importable(python: &Path, imports: &str) -> Result<(), String> {
    let out = Command::new(python)
        .args(["-c", &format!("import {imports}")])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "not installed for {} (import {imports}; `cargo xtask clients --install` makes a virtualenv with them)",
        python.display()
    ))
}

fn botpy_qq(env: &Env) -> Result<(), String> {
    let script = env.root.join("sim/clients/qq_ping.jsonl");
    let mut sim = Sim::start(env, &["--platform", "qq", "--script"], &script)?;
    let field = |k: &str| sim.announced[k].as_str().unwrap_or_default().to_owned();
    let mut client = Command::new(&env.python);
    client
        .current_dir(&env.work)
        .arg(env.root.join("sim/clients/botpy_ping.py"))
        .args([field("app_id"), field("client_secret")])
        .env("SIM_API_BASE", field("api_base"));
    let handled = Client::start(&mut client)?.wait_for_pings();
    sim.stop_and_check(handled, "messages")
}

fn nonebot_forward(env: &Env) -> Result<(), String> {
    let script = env.root.join("sim/clients/onebot_ping.jsonl");
    let mut sim = Sim::start(
        env,
        &["--platform", "onebot", "--token", "t0k", "--script"],
        &script,
    )?;
    let url = sim.announced["url"].as_str().unwrap_or_default().to_owned();
    let mut client = nonebot(env);
    client
        .env("DRIVER", "~websockets+~httpx")
        .env("ONEBOT_WS_URLS", format!("[\"{url}\"]"));
    let handled = Client::start(&mut client)?.wait_for_pings();
    sim.stop_and_check(handled, "actions")
}

fn nonebot_reverse(env: &Env) -> Result<(), String> {
    let port = free_port()?;
    let mut command = nonebot(env);
    command
        .env("DRIVER", "~fastapi+~websockets+~httpx")
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string());
    let mut client = Client::start(&mut command)?;
    let deadline = Instant::now() + LIMIT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("NoneBot did not listen on 127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("ws://127.0.0.1:{port}/onebot/v11/ws");
    let script = env.root.join("sim/clients/onebot_ping.jsonl");
    let mut sim = Sim::start(
        env,
        &[
            "--platform",
            "onebot",
            "--token",
            "t0k",
            "--reverse",
            &url,
            "--reverse-identity",
            "--script",
        ],
        &script,
    )?;
    let handled = client.wait_for_pings();
    sim.stop_and_check(handled, "actions")
}

fn alemonjs_bubble(env: &Env) -> Result<(), String> {
    let script = env.root.join("sim/clients/bubble_ping.jsonl");
    let mut sim = Sim::start(env, &["--platform", "bubble", "--script"], &script)?;
    let field = |k: &str| sim.announced[k].as_str().unwrap_or_default().to_owned();
    // AlemonJS reads its settings from a YAML file (`CFG_PATH`); its REST base is read from
    // the environment only. The client is copied beside the node_modules it imports.
    let config = env.node.join("alemon.config.yaml");
    let yaml = format!(
        "bubble:\n  token: {}\n  URL: {}\n",
        field("token"),
        field("url")
    );
    std::fs::write(&config, yaml).map_err(|e| format!("{}: {e}", config.display()))?;
    let client_file = env.node.join("bubble_ping.mjs");
    std::fs::copy(env.root.join("sim/clients/bubble_ping.mjs"), &client_file)
        .map_err(|e| format!("{}: {e}", client_file.display()))?;
    let mut client = Command::new("node");
    client
        .current_dir(&env.node)
        .arg(&client_file)
        .env("CFG_PATH", &config)
        .env("BUBBLE_API_BASE", field("rest_base"));
    let handled = Client::start(&mut client)?.wait_for_pings();
    sim.stop_and_check(handled, "messages")
}

/// `nonebot_ping.py` with the sim's token (and `/` as its command start).
fn nonebot(env: &Env) -> Command {
    let mut c = Command::new(&env.python);
    c.current_dir(&env.work)
        .arg(env.root.join("sim/clients/nonebot_ping.py"))
        .env("ONEBOT_ACCESS_TOKEN", "t0k")
        .env("LOG_LEVEL", "WARNING");
    c
}

fn free_port() -> Result<u16, String> {
    let probe = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    probe
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A `botgate sim` child: its announcement (first stdout line) read.
struct Sim {
    child: Child,
    lines: mpsc::Receiver<String>,
    announced: Value,
}

impl Sim {
    fn start(env: &Env, args: &[&str], script: &Path) -> Result<Self, String> {
        let mut child = Command::new(&env.botgate)
            .arg("sim")
            .args(args)
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", env.botgate.display()))?;
        let lines = lines_of(child.stdout.take());
        let first = lines
            .recv_timeout(LIMIT)
            .map_err(|_| "the sim announced nothing".to_owned())?;
        let announced =
            serde_json::from_str(&first).map_err(|e| format!("sim said {first:?}: {e}"))?;
        Ok(Self {
            child,
            lines,
            announced,
        })
    }

    /// Stops the sim as a service is stopped (SIGTERM) and checks its summary's `count` (the
    /// replies it received) against the `/ping`s the client said it answered.
    fn stop_and_check(&mut self, handled: u64, count: &str) -> Result<(), String> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().map_err(|e| e.to_string())?;
        let summary: Option<Value> = self
            .lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
            .find_map(|v| v.get("stopped").cloned());
        let received = summary.as_ref().and_then(|s| s[count].as_u64());
        match (status.success(), handled, received) {
            (true, PINGS, Some(PINGS)) => Ok(()),
            _ => Err(format!(
                "the client answered {handled} of {PINGS} /pings; the sim ({status}) received {received:?} {count}: {summary:?}"
            )),
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client child printing a JSON line per `/ping` answered.
struct Client {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Client {
    fn start(command: &mut Command) -> Result<Self, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the client: {e}"))?;
        let lines = lines_of(child.stdout.take());
        Ok(Self { child, lines })
    }

    /// How many `/ping`s it answered before it had answered them all or [`LIMIT`] passed.
    fn wait_for_pings(&mut self) -> u64 {
        let deadline = Instant::now() + LIMIT;
        let mut handled = 0;
        while handled < PINGS {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains("\"handled\"") => handled += 1,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        handled
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of a child's stdout, read on a thread of their own.
fn lines_of(out: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = out {
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}
