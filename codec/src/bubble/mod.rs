//! Bubble open gateway: command encoders (Heartbeat, Subscribe, Unsubscribe, Resume), the
//! typed event decode, and webhook bodies as dispatch frames.

pub mod command;
pub mod decode;
mod dedupe;
pub mod webhook;

pub use command::*;
pub use decode::*;
pub use dedupe::{delivery, id_names_event, Delivery};
pub use webhook::webhook_frame;
