//! The HTTP client: QQ access-token fetch, gateway discovery, and JSON REST calls.

mod client;
mod lenient;
mod qq;

pub use client::{HttpClient, HttpConfig};
pub use qq::{AccessToken, Gateway, GatewayBot, QqAuth, SessionStartLimit};
