//! `cargo xtask soak --platform qq|bubble|onebot|all --minutes N`: the soak of
//! `facade/tests/soak.rs` (ignored in the plain test suite), run for N minutes per platform
//! against the simulator with randomized faults. Prints each run's report line; fails when a
//! run fails. `--seconds S` instead of `--minutes` for short runs (CI: 60 s per platform).

use std::path::Path;
use std::process::Command;

const PLATFORMS: [&str; 3] = ["qq", "bubble", "onebot"];

/// Parses the options and runs the platforms' soaks; `Ok(false)` when one failed.
pub fn run(root: &Path, args: &[&str]) -> Result<bool, String> {
    let mut platforms: Vec<&str> = PLATFORMS.to_vec();
    let mut seconds: u64 = 60;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match *arg {
            "--platform" => {
                platforms = match *value {
                    "all" => PLATFORMS.to_vec(),
                    one if PLATFORMS.contains(&one) => vec![one],
                    other => return Err(format!("unknown platform {other:?}")),
                }
            }
            "--minutes" => seconds = parse(value)? * 60,
            "--seconds" => seconds = parse(value)?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // One test binary; with several platforms their soaks run side by side (one per test
    // thread), so `all` takes the time of one.
    println!("== soak {}: {seconds} s", platforms.join(", "));
    let mut command = Command::new(&cargo);
    command
        .current_dir(root)
        .args(["test", "--quiet", "-p", "botgate", "--test", "soak", "--"])
        .args(["--ignored", "--nocapture", "--exact"])
        .arg(format!("--test-threads={}", platforms.len()))
        .args(platforms.iter().map(|p| format!("soak_{p}")))
        .env("BOTGATE_SOAK_SECONDS", seconds.to_string());
    let status = command
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    Ok(status.success())
}

fn parse(value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("expected a whole number, got {value:?}"))
}
