//! OneBot v11 session (forward WebSocket client, or the connections a reverse listener accepts).

mod action;
mod config;
mod event_frame;
mod role;
mod session;

pub use action::{ActionId, ActionResponse, OneBotCallError};
pub use config::Config;
pub use event_frame::EventFrame;
pub use role::ClientRole;
pub use session::{Session, WATCHDOG_CLOSE_CODE};
