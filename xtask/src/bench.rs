//! `cargo xtask bench [e2e|memory|codec|dispatch|anchors|all] [-- ARGS]`: the benchmarks of
//! BENCHMARKS.md, each in release mode, one after another (default: all). ARGS go to the
//! program when only that one runs (e.g. `cargo xtask bench e2e -- --quick`).
//!
//! `anchors` (botgate's typed decode against twilight-model) is a crate outside the workspace,
//! `benches/anchors`, so that CI never builds twilight-model (decision 0025); it builds into
//! the workspace's target dir.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CRITERION: [&str; 4] = ["--warm-up-time", "1", "--measurement-time", "3"];

/// The manifest of the anchor bench, relative to the workspace root.
const ANCHORS: &str = "benches/anchors/Cargo.toml";

/// Runs the chosen benchmarks; `Ok(false)` when one failed.
pub fn run(root: &Path, args: &[&str]) -> Result<bool, String> {
    let (which, extra) = match args.iter().position(|a| *a == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[][..]),
    };
    let all = ["e2e", "memory", "codec", "dispatch", "anchors"];
    let chosen: Vec<&str> = match which {
        [] | ["all"] => all.to_vec(),
        names => {
            for name in names {
                if !all.contains(name) {
                    return Err(format!(
                        "unknown benchmark {name:?} (e2e, memory, codec, dispatch, anchors, all)"
                    ));
                }
            }
            names.to_vec()
        }
    };
    if !extra.is_empty() && chosen.len() > 1 {
        return Err("arguments after -- need one benchmark".to_owned());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let started = Instant::now();
    let mut ok = true;
    for name in chosen {
        let (package, bench, defaults): (&str, &str, &[&str]) = match name {
            "e2e" => ("botgate", "e2e", &[]),
            "memory" => ("botgate", "memory", &[]),
            "codec" => ("botgate-codec", "codec", &CRITERION),
            "anchors" => (ANCHORS, "anchors", &[]),
            _ => ("botgate-dispatch", "dispatch", &CRITERION),
        };
        let args: Vec<&str> = if extra.is_empty() {
            defaults.to_vec()
        } else {
            extra.to_vec()
        };
        let selector: &[&str] = if package == ANCHORS {
            &["--locked", "--manifest-path"]
        } else {
            &["-p"]
        };
        println!(
            "== bench {name}: cargo bench {} {package} --bench {bench} -- {}",
            selector.join(" "),
            args.join(" ")
        );
        let mut command = Command::new(&cargo);
        command
            .current_dir(root)
            .args(["bench", "--quiet"])
            .args(selector)
            .arg(package);
        // The anchor crate is a workspace of its own, which would build into
        // benches/anchors/target: it shares the workspace's instead.
        if package == ANCHORS && std::env::var_os("CARGO_TARGET_DIR").is_none() {
            command.env("CARGO_TARGET_DIR", root.join("target"));
        }
        let step = Instant::now();
        let status = command
            .args(["--bench", bench, "--"])
            .args(&args)
            .status()
            .map_err(|e| format!("cannot run {cargo}: {e}"))?;
        ok &= status.success();
        println!("== bench {name}: {:.0} s", step.elapsed().as_secs_f64());
    }
    println!("== bench: {:.0} s in all", started.elapsed().as_secs_f64());
    Ok(ok)
}
