//! `cargo xtask codegen [--check]`: generates the event-type enums, the typed event enums and
//! decode tables, the QQ intents bits, the dispatch crate's typed handler methods and
//! `docs/events.md` from `proto/schema/*.toml`.
//!
//! The generated files are checked in (as rust-analyzer does); `--check` regenerates them in
//! memory and exits 1 naming every file that is stale, so CI catches a schema edit without a
//! regeneration, or a hand edit of a generated file.

mod codegen;
mod gen_codec;
mod gen_dispatch;
mod gen_docs;
mod gen_proto;
mod rust;
mod schema;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          write the files generated from proto/schema/*.toml
  codegen --check  exit 1 if any generated file is stale (CI)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = match args.as_slice() {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match codegen::run(&codegen::project_root(), check) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
