//! QQ Bot gateway: command encoders (Identify, Resume, Heartbeat) and the typed event decode.

pub mod command;
pub mod decode;

pub use command::*;
pub use decode::*;
