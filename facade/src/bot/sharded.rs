//! A QQ bot running several shards in one process, all feeding one dispatcher.

use std::sync::Arc;

use botgate_dispatch::qq::Qq;
use botgate_dispatch::Dispatcher;
use botgate_session::qq;
use tokio::sync::watch;

use super::error::Error;
use super::running::{Lifecycle, RunningBot};

/// Every shard of a QQ bot ([`QqBot::start_sharded`](super::QqBot::start_sharded)).
pub struct ShardedBot {
    dispatcher: Arc<Dispatcher<Qq>>,
    shards: Vec<RunningBot<Qq, qq::Session>>,
}

impl std::fmt::Debug for ShardedBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedBot")
            .field("shards", &self.shards.len())
            .finish_non_exhaustive()
    }
}

impl ShardedBot {
    pub(crate) fn new(
        dispatcher: Arc<Dispatcher<Qq>>,
        shards: Vec<RunningBot<Qq, qq::Session>>,
    ) -> Self {
        Self { dispatcher, shards }
    }

    /// The dispatcher all shards feed.
    pub fn dispatcher(&self) -> &Dispatcher<Qq> {
        &self.dispatcher
    }

    /// The shards, in shard id order.
    pub fn shards(&self) -> &[RunningBot<Qq, qq::Session>] {
        &self.shards
    }

    /// The lifecycle of each shard, in shard id order.
    pub fn lifecycles(&self) -> Vec<watch::Receiver<Lifecycle>> {
        self.shards.iter().map(RunningBot::lifecycle).collect()
    }

    /// Closes every shard cleanly, then lets running handlers finish. Returns the first
    /// shard's error, if any ended with one.
    pub async fn shutdown(self) -> Result<(), Error> {
        let mut first = Ok(());
        for shard in self.shards {
            if let Err(e) = shard.shutdown().await {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        self.dispatcher.shutdown().await;
        first
    }

    /// Runs until Ctrl-C or SIGTERM, or until any shard stops on its own (a fatal error: the bot is
    /// incomplete without it), then closes the others.
    pub async fn until_ctrl_c(self) -> Result<(), Error> {
        let mut stopped: Vec<_> = self.lifecycles();
        let any_stopped = async {
            if stopped.is_empty() {
                std::future::pending::<()>().await;
            }
            let waits = stopped.iter_mut().map(|l| {
                Box::pin(async move {
                    let _ = l.wait_for(|l| l.stopped.is_some()).await;
                })
            });
            futures_util::future::select_all(waits).await;
        };
        tokio::select! {
            () = super::stop::stop_signal() => tracing::info!("stop signal: closing every shard"),
            _ = any_stopped => tracing::warn!("a shard stopped; closing the others"),
        }
        self.shutdown().await
    }
}
