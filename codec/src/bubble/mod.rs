//! Bubble open gateway: command encoders (Heartbeat, Subscribe, Unsubscribe, Resume) and the
//! typed event decode.

pub mod command;
pub mod decode;

pub use command::*;
pub use decode::*;
