//! The `botgate` command line: decode captured frames, compute intents, listen to a gateway,
//! serve a simulated platform, and play the end-to-end demo.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.verbose);
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("botgate: {err}");
            ExitCode::from(2)
        }
    }
}
