//! The HTTP client: QQ access-token fetch, gateway discovery, and JSON REST calls.

mod client;
mod lenient;
mod qq;
mod raw;

pub(crate) use client::join;
pub use client::{HttpClient, HttpConfig};
pub(crate) use qq::GatewayBotWire;
pub use qq::{AccessToken, Gateway, GatewayBot, QqAuth, SessionStartLimit};
pub(crate) use raw::{NetFailure, RawResponse};
