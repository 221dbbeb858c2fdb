//! `cargo xtask codegen [--check]`: generates the event-type enums, the typed event enums and
//! decode tables, the QQ intents bits, the dispatch crate's typed handler methods and
//! `docs/events.md` from `proto/schema/*.toml`.
//!
//! The generated files are checked in (as rust-analyzer does); `--check` regenerates them in
//! memory and exits 1 naming every file that is stale, so CI catches a schema edit without a
//! regeneration, or a hand edit of a generated file.
//!
//! `cargo xtask cycles` fails when two files of a workspace crate import each other.
//!
//! `cargo xtask soak --platform qq|bubble|onebot|all --minutes N` runs the fault soak.
//!
//! `cargo xtask bench [e2e|memory|codec|dispatch|anchors|all]` runs the benchmarks of
//! BENCHMARKS.md.
//!
//! `cargo xtask clients [--install]` runs real clients (qq-botpy, NoneBot 2, AlemonJS) against the sim.

mod bench;
mod clients;
mod codegen;
mod cycles;
mod gen_codec;
mod gen_codec_onebot;
mod gen_dispatch;
mod gen_docs;
mod gen_proto;
mod rust;
mod schema;
mod soak;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check] | cycles

  codegen          write the files generated from proto/schema/*.toml
  codegen --check  exit 1 if any generated file is stale (CI)
  cycles           exit 1 if two files of a workspace crate import each other (CI)
  soak [--platform qq|bubble|onebot|all] [--minutes N | --seconds S]
                   the client stack against a sim injecting random faults (default: all, 60 s)
  bench [e2e|memory|codec|dispatch|anchors|all] [-- ARGS]
                   the benchmarks of BENCHMARKS.md in release mode (default: all)
  clients [--install] [--python PATH]
                   qq-botpy, NoneBot 2 and AlemonJS, unchanged, answer /ping against
                   `botgate sim` (--install: them under the target dir, from PyPI and npm)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = codegen::project_root();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&root, false),
        ["codegen", "--check"] => codegen::run(&root, true),
        ["cycles"] => cycles::run(&root),
        ["soak", rest @ ..] => soak::run(&root, rest),
        ["bench", rest @ ..] => bench::run(&root, rest),
        ["clients", rest @ ..] => clients::run(&root, rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
