//! A QQ bot running several shards in one process, all feeding one dispatcher.

use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::qq::Qq;
use botgate_dispatch::Dispatcher;
use botgate_session::qq;
use tokio::sync::watch;

use super::error::Error;
use super::running::{Lifecycle, RunningBot};
use super::stop::{give_up, within_grace, SHUTDOWN_GRACE};

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

    /// Closes every shard cleanly, then lets running handlers finish for at most
    /// [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE). Returns the first shard's error, if any
    /// ended with one.
    pub async fn shutdown(self) -> Result<(), Error> {
        self.shutdown_within(SHUTDOWN_GRACE).await
    }

    /// [`shutdown`](Self::shutdown), letting running handlers finish for at most `grace`
    /// (then as [`RunningBot::shutdown_within`]).
    pub async fn shutdown_within(self, grace: Duration) -> Result<(), Error> {
        let deadline = tokio::time::Instant::now() + grace;
        // Every session closes at once; one grace for all.
        for shard in &self.shards {
            shard.close_session().await;
        }
        let mut first = Ok(());
        for shard in self.shards {
            if let Err(e) = shard.finish(Some(deadline)).await {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        let dispatcher = &self.dispatcher;
        within_grace(deadline, dispatcher.shutdown(), || give_up(dispatcher)).await;
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
