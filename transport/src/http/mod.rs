//! The HTTP client: QQ access-token fetch, gateway discovery, and JSON REST calls.

mod client;
mod lenient;
mod qq;
mod raw;
mod rest_step;

pub(crate) use client::join;
pub use client::{HttpClient, HttpConfig};
pub(crate) use qq::GatewayBotWire;
pub use qq::{AccessToken, Gateway, GatewayBot, QqAuth, SessionStartLimit};
pub(crate) use raw::{NetFailure, RawResponse};
pub(crate) use rest_step::{classify, Refusals};
