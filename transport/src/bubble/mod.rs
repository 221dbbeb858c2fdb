//! The Bubble REST client ([`Rest`]): channel sends, the DM thread lookup and DM sends, `GET
//! /me`, deletes; Bearer auth, one request budget per bot shared by every caller, 429
//! `retryAfter` (or `Retry-After`, or `X-RateLimit-Reset`) honoured.
//!
//! ```no_run
//! # async fn demo() -> Result<(), botgate_transport::Error> {
//! use botgate_proto::bubble::api::SendMessage;
//! use botgate_transport::bubble::{Rest, RestConfig};
//! use botgate_transport::http::HttpClient;
//! use botgate_transport::Secret;
//!
//! let rest = Rest::new(HttpClient::new()?, Secret::new("BOT_TOKEN"), RestConfig::default());
//! let sent = rest.send_channel(123, &SendMessage::text("pong").reply_to(1001)).await?;
//! rest.send_to_user(456, &SendMessage::text("hi in private")).await?;
//! # let _ = sent;
//! # Ok(()) }
//! ```

mod budget;
mod reset;
mod rest;

pub use budget::RateBudget;
pub use rest::{Rest, RestConfig, API_BASE};
