//! Bench only (not a workspace member, decision 0025): frames for comparing botgate's typed
//! decode with twilight-model's on gateway message events of the same size.
//!
//! [`corpus::Corpus::new`] builds Discord `MESSAGE_CREATE` dispatch frames and QQ
//! `AT_MESSAGE_CREATE` frames in pairs: the same message text in both, the QQ frame given
//! mentions until it is as long as its Discord partner. `benches/anchors.rs` times them.

pub mod corpus;
pub mod discord;
pub mod qq;
pub mod rng;
