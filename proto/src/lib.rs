//! Plain data for every platform botgate speaks: QQ Bot gateway payloads, Bubble open-gateway
//! payloads, OneBot v11 events and the unified event model. serde types only: no I/O.
//!
//! Wire names are exact (`#[serde(rename)]`), ids keep their wire type (QQ: strings; Bubble and
//! OneBot: integers), unknown fields are ignored and unknown enum values are kept. Every field is
//! optional or defaulted: a missing field never loses an event.

#![deny(missing_docs)]

pub mod bubble;
pub mod de;
mod generated;
pub mod onebot;
pub mod qq;
pub mod unified;
