//! OneBot v11 session (forward WebSocket client, or one accepted reverse connection).

mod action;

pub use action::{ActionError, ActionId, ActionResponse};
