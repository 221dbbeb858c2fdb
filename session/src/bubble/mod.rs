//! Bubble open-gateway session (documented flow plus botgate's extended profile).

mod close;
mod config;
mod dedupe_key;
mod session;
mod subscriptions;

pub use close::{close_action, CloseAction, RATE_LIMIT_PAUSE};
pub use config::{Config, Subscription};
pub use session::{op, Session, RECONNECT_CLOSE_CODE};
