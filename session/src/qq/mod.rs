//! QQ Bot gateway session.

mod close;
mod config;
mod session;

pub use close::{close_action, CloseAction, RATE_LIMIT_PAUSE};
pub use config::Config;
pub use session::{op, Session, RECONNECT_CLOSE_CODE};
