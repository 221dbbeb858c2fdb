//! qq-botpy (the official Python SDK) against the same sender, when Python has it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use botgate_sim::blast::{Blast, Platform};

use crate::sender::Sender;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/e2e/botpy_e2e.py");

/// `Err(why)` when python3 or botpy is missing.
pub fn available() -> Result<String, String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import botpy, importlib.metadata as m; print(m.version('qq-botpy'))",
        ])
        .output()
        .map_err(|e| format!("no python3 ({e})"))?;
    if !out.status.success() {
        return Err("python3 has no botpy (pip install qq-botpy)".to_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Events/s of qq-botpy handling `n` QQ events from a flood blast (sender start to the N-th
/// handler, as for botgate).
pub fn run(n: usize, send_buffer: Option<u32>) -> Result<f64, String> {
    let sender = Sender::start(Arc::new(Blast::new(Platform::Qq, n)), None, send_buffer);
    let mut child = Command::new("python3")
        .args([SCRIPT, &sender.url, &n.to_string()])
        // botpy writes botpy.log into its working directory.
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("botpy output: {e}"))?;
    let done = Instant::now();
    let _ = child.wait();
    if !line.contains("\"handled\"") {
        return Err(format!("botpy did not finish: {line:?}"));
    }
    let run = sender.next_run()?;
    Ok(n as f64 / done.duration_since(run.started).as_secs_f64())
}
