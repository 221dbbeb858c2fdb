//! [`Sender`]: a `BlastServer` on a thread and runtime of its own, so the client's runtime
//! (one thread or two) runs nothing of the sender's.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use botgate_sim::blast::{Blast, BlastConfig, BlastRun, BlastServer};

pub struct Sender {
    pub url: String,
    runs: mpsc::Receiver<BlastRun>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sender {
    /// `send_buffer`: the sender's `SO_SNDBUF` ([`BlastConfig::send_buffer`]).
    pub fn start(blast: Arc<Blast>, pace: Option<u32>, send_buffer: Option<u32>) -> Self {
        let (url_tx, url_rx) = mpsc::channel();
        let (runs_tx, runs) = mpsc::channel();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("blast-sender".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("sender runtime");
                rt.block_on(async move {
                    let config = BlastConfig {
                        pace,
                        send_buffer,
                        ..BlastConfig::default()
                    };
                    let server = BlastServer::start(blast, config).await.expect("bind");
                    let _ = url_tx.send(server.url());
                    loop {
                        tokio::select! {
                            _ = &mut stopped => break,
                            run = server.next_run() => match run {
                                Some(run) => { let _ = runs_tx.send(run); }
                                None => break,
                            },
                        }
                    }
                });
            });
        let thread = thread.expect("sender thread");
        let url = url_rx.recv().expect("sender started");
        Self {
            url,
            runs,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The next finished blast.
    pub fn next_run(&self) -> Result<BlastRun, String> {
        self.runs
            .recv_timeout(Duration::from_secs(120))
            .map_err(|e| format!("no blast finished: {e}"))
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
