//! The `botgate` command line: decode captured frames, compute intents, listen to a gateway,
//! serve a simulated platform, play the end-to-end demo, and run a bot across processes on
//! Redis.

// Before the modules: they use these. `println!` / `eprintln!` panic when the write fails,
// which it does once the reader of the pipe went away (`| head`, a log collector that died):
// a long-running command would then die by a panic (status 101) in the lines of its own stop.
// And a write to a full pipe blocks: stdout is written by a thread of its own (`stdout.rs`).
/// `println!` for the runtime's tasks: the line goes through stdout's queue (`stdout::out`),
/// which waits for room, never in a blocked write, and ignores a failed write. Await it.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::out(format!($($arg)*))
    };
}

/// `eprintln!` that ignores a failed write (a closed stderr or a broken pipe).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod decode;
mod demo;
mod demo_scale;
mod intents;
mod listen;
mod listen_reverse;
mod listen_webhook;
mod print;
mod run;
mod run_worker;
mod sim;
mod sim_webhook;
mod stdout;
mod stop;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// botgate: one API for the QQ Bot gateway, the Bubble open gateway and OneBot v11.
#[derive(Parser)]
#[command(name = "botgate", version, about)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

// Written out: the arguments hold secrets (tokens, secrets, Redis URLs with passwords).
impl std::fmt::Debug for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cli")
            .field("verbose", &self.verbose)
            .finish_non_exhaustive()
    }
}

/// The platforms botgate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// The QQ Bot gateway.
    Qq,
    /// The Bubble open gateway.
    Bubble,
    /// OneBot v11 (Waylay, go-cqhttp, NapCat, Lagrange, LLOneBot).
    Onebot,
}

#[derive(Subcommand)]
pub enum Command {
    /// Decode frames, one per input line, into one JSON line each (exit 1 if any line failed).
    Decode {
        /// Which gateway the frames come from.
        #[arg(long, value_enum)]
        platform: Platform,
        /// Map each event into the unified event model: `{"line":N,"event":{..}}`, or
        /// `{"line":N,"skipped":"<kind>"}` for kinds with no unified meaning.
        #[arg(long)]
        unified: bool,
        /// With --unified: the bot's own id (else learnt from READY / BOT_READY lines).
        #[arg(long, requires = "unified")]
        self_id: Option<String>,
        /// Input file; stdin when absent.
        file: Option<PathBuf>,
    },
    /// Print the QQ intents value (and its names) that the given event types need.
    Intents {
        /// QQ event types (wire names, e.g. AT_MESSAGE_CREATE).
        #[arg(required = true)]
        event_types: Vec<String>,
    },
    /// Connect to a gateway (or serve OneBot reverse WS / a webhook) and print one JSON line
    /// per dispatched event.
    Listen(listen::ListenArgs),
    /// Play the end-to-end demo: embedded simulators and bots, events, a command, a resume.
    Demo(demo::DemoArgs),
    /// Serve a simulated platform (QQ, Bubble or OneBot) on 127.0.0.1 for an outside client.
    Sim(sim::SimArgs),
    /// Run a bot from several processes through Redis: lease free shards, take over those of
    /// dead processes, resume from the Redis store, print events as `listen` (`--role all`);
    /// or split: gateways append events to a Redis Stream, workers handle them.
    Run(run::RunArgs),
}

// Written out: the arguments hold secrets.
impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command { .. }")
    }
}

/// Sets up `tracing` on stderr.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// Runs one subcommand; `Err` is a usage or setup failure (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Decode {
            platform,
            unified,
            self_id,
            file,
        } => decode::run(
            platform,
            unified.then(|| self_id.unwrap_or_default()),
            file.as_deref(),
        ),
        Command::Intents { event_types } => intents::run(&event_types),
        Command::Sim(args) => sim::run(args),
        Command::Run(args) if args.role == run::Role::Worker => run_worker::run(args),
        Command::Run(args) => run::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Listen(args) if args.webhook.is_some() => listen_webhook::run(args),
        Command::Listen(args) => listen::run(args),
    }
}

fn main() -> ExitCode {
    let args = Cli::parse();
    init_logging(args.verbose);
    match run(args) {
        Ok(code) => code,
        Err(err) => {
            // The cause is often in a source ("cannot bind ...: address in use").
            errln!("botgate: {}", listen::error_chain(&*err));
            ExitCode::from(2)
        }
    }
}
