//! Bubble open gateway: command encoders (Heartbeat, Subscribe, Unsubscribe, Resume), the
//! typed event decode, and webhook bodies as dispatch frames.

pub mod command;
pub mod decode;
pub mod webhook;

pub use command::*;
pub use decode::*;
pub use webhook::webhook_frame;
