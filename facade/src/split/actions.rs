//! A worker's OneBot actions: sent to the gateway that holds the account's socket through
//! Redis ([`ActionRelay`]), answered there by [`serve_actions`](super::serve_actions).

use std::sync::Arc;
use std::time::Duration;

use botgate_dispatch::{ActionCall, ActionCallError, ActionCallErrorKind, ActionSink};
use botgate_redis::ActionRelay;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde_json::{json, Value};

/// Actions of the events one gateway published, relayed to it.
pub(crate) struct RelayedActions {
    pub(crate) relay: Arc<ActionRelay>,
    pub(crate) gateway: String,
    pub(crate) timeout: Duration,
}

impl ActionSink for RelayedActions {
    fn call(&self, action: ActionCall) -> BoxFuture<'static, Result<Value, ActionCallError>> {
        let (relay, gateway, timeout) =
            (Arc::clone(&self.relay), self.gateway.clone(), self.timeout);
        async move {
            let body = json!({"action": action.name, "params": action.params});
            let answer = relay
                .call(&gateway, body, timeout)
                .await
                .map_err(|e| ActionCallError::with_source(ActionCallErrorKind::Transport, e))?;
            from_answer(answer)
        }
        .boxed()
    }
}

/// The gateway's answer (see `gateway::answer_of`) as a handler sees it.
fn from_answer(mut answer: Value) -> Result<Value, ActionCallError> {
    if answer["ok"] == true {
        return Ok(answer["data"].take());
    }
    if let Some(code) = answer["code"].as_i64() {
        let message = answer["message"].as_str().unwrap_or_default().to_owned();
        return Err(ActionCallError::new(ActionCallErrorKind::Rejected {
            code,
            message,
        }));
    }
    let why = answer["error"]
        .as_str()
        .unwrap_or("the gateway could not send it")
        .to_owned();
    Err(ActionCallError::with_source(
        ActionCallErrorKind::Transport,
        why,
    ))
}
