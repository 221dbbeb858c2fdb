//! Wire decode and encode for every platform botgate speaks.
//!
//! - [`Frame`]: one scan of a QQ / Bubble frame finds `op`, `s`, `t`, `id` and the raw `d`
//!   without parsing `d`; [`Frame::decode_data`] parses `d` on demand.
//! - [`qq`] / [`bubble`]: command encoders (Identify, Resume, Heartbeat, Subscribe, ...) and the
//!   typed event decode.
//! - [`Intents`]: the QQ intents bitmask and the event → intent table.
//! - [`onebot`]: OneBot v11 event decode, message segments, CQ codes and the action envelope.

#![deny(missing_docs)]

pub mod bubble;
pub mod error;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod intents;
mod json;
pub mod onebot;
pub mod qq;
pub mod scan;
pub mod unify;

pub use error::{Error, ErrorKind};
pub use frame::Frame;
pub use intents::Intents;

mod generated;
