//! OneBot actions from handlers (`ctx.call`), through the session's echo correlation.

use std::sync::Arc;

use botgate_dispatch::{ActionCall, ActionCallError, ActionCallErrorKind, ActionSink};
use botgate_session::driver::{DriverError, DriverHandle};
use botgate_session::onebot::{self, ActionResponse, OneBotCallError};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;

/// Sends actions over the bot's own OneBot connection.
pub(crate) struct OneBotActions {
    driver: Arc<DriverHandle<onebot::Session>>,
}

impl OneBotActions {
    pub(crate) fn new(driver: Arc<DriverHandle<onebot::Session>>) -> Self {
        Self { driver }
    }
}

impl ActionSink for OneBotActions {
    fn call(
        &self,
        action: ActionCall,
    ) -> BoxFuture<'static, Result<serde_json::Value, ActionCallError>> {
        let driver = Arc::clone(&self.driver);
        async move { answer(driver.call(action.name, action.params, None).await) }.boxed()
    }
}

/// What a handler gets for the driver's answer to an action.
pub(crate) fn answer(
    result: Result<Result<ActionResponse, OneBotCallError>, DriverError>,
) -> Result<serde_json::Value, ActionCallError> {
    match result {
        Ok(Ok(response)) => Ok(response.data),
        Ok(Err(OneBotCallError::Failed {
            retcode, message, ..
        })) => Err(ActionCallError::new(ActionCallErrorKind::Rejected {
            code: retcode,
            message,
        })),
        // It ran, and answered something that cannot be read: not a transport failure.
        Ok(Err(OneBotCallError::InvalidData { reason })) => {
            Err(ActionCallError::new(ActionCallErrorKind::Malformed {
                reason: format!("the answer's data: {reason}"),
            }))
        }
        Ok(Err(other)) => Err(ActionCallError::with_source(
            ActionCallErrorKind::Transport,
            other,
        )),
        Err(e) => Err(ActionCallError::with_source(
            ActionCallErrorKind::Transport,
            e,
        )),
    }
}
