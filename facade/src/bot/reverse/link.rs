//! The actions of a reverse-WS account: they go over whichever connection carries the account's
//! actions now (the newest `Universal` or `API` one; never an `Event` one), and wait (up to
//! the action timeout) for the implementation to reconnect when none does.

use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::{ActionCall, ActionCallError, ActionCallErrorKind, ActionSink};
use botgate_session::driver::{DriverError, DriverHandle, LinkState};
use botgate_session::onebot::{self, ActionResponse, OneBotCallError};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::bot::actions::answer;

/// The driver of the connection that carries an account's actions (`None` between
/// connections).
pub(super) type Link = Option<Arc<DriverHandle<onebot::Session>>>;

/// How long an action may still take to resolve once its connection is down. One written to
/// the socket resolves at once (the session fails it as `Disconnected`: it may have run); one
/// still unresolved after this was never written, and a reverse connection's session never
/// writes it (it does not reconnect).
const UNSENT_GRACE: Duration = Duration::from_secs(1);

/// Sends an account's actions over its current connection.
pub(super) struct AccountActions {
    link: watch::Receiver<Link>,
    /// True once the listener shuts down: no next connection will come.
    closing: watch::Receiver<bool>,
    wait: Duration,
}

impl AccountActions {
    pub(super) fn new(
        link: watch::Receiver<Link>,
        closing: watch::Receiver<bool>,
        wait: Duration,
    ) -> Self {
        Self {
            link,
            closing,
            wait,
        }
    }
}

impl ActionSink for AccountActions {
    fn call(
        &self,
        action: ActionCall,
    ) -> BoxFuture<'static, Result<serde_json::Value, ActionCallError>> {
        let mut link = self.link.clone();
        let mut closing = self.closing.clone();
        let wait = self.wait;
        async move {
            let deadline = Instant::now() + wait;
            let mut dead: Option<Arc<DriverHandle<onebot::Session>>> = None;
            loop {
                let usable = |l: &Link| {
                    l.as_ref()
                        .is_some_and(|d| dead.as_ref().is_none_or(|x| !Arc::ptr_eq(d, x)))
                };
                let next = tokio::select! {
                    biased;
                    found = tokio::time::timeout_at(deadline, link.wait_for(usable)) => found
                        .ok()
                        .and_then(Result::ok)
                        .and_then(|l| l.as_ref().map(Arc::clone)),
                    _ = closing.wait_for(|c| *c) => {
                        return Err(ActionCallError::with_source(
                            ActionCallErrorKind::Transport,
                            "the account has no connection that answers actions and the \
                             listener is shutting down",
                        ));
                    }
                };
                let Some(driver) = next else {
                    return Err(ActionCallError::with_source(
                        ActionCallErrorKind::Transport,
                        format!(
                            "the account has no connection that answers actions (waited {} s \
                             for the implementation to connect one)",
                            wait.as_secs()
                        ),
                    ));
                };
                match call_while_up(&driver, &action).await {
                    // Never written (the connection was gone, or its driver had ended): it
                    // never ran, so it may go over the account's next connection.
                    None | Some(Err(DriverError::Stopped)) => dead = Some(driver),
                    Some(other) => return answer(other),
                }
            }
        }
        .boxed()
    }
}

/// Calls `action` on `driver`; `None` when the connection went down with the call unwritten.
async fn call_while_up(
    driver: &DriverHandle<onebot::Session>,
    action: &ActionCall,
) -> Option<Result<Result<ActionResponse, OneBotCallError>, DriverError>> {
    let call = driver.call(action.name.clone(), action.params.clone(), None);
    tokio::pin!(call);
    let mut status = driver.status();
    tokio::select! {
        result = &mut call => return Some(result),
        _ = status.wait_for(|s| s.stopped || s.link != LinkState::Up) => {}
    }
    tokio::time::timeout(UNSENT_GRACE, call).await.ok()
}
