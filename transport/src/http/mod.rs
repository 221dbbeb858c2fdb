//! The HTTP client every REST call goes through: JSON requests, raw exchanges and the REST
//! response step the platform clients share (the QQ endpoints live in `crate::qq`).

mod body;
mod client;
pub(crate) mod lenient;
mod raw;
mod rest_step;

pub use body::MAX_RESPONSE_BODY;
pub(crate) use client::join;
pub use client::{HttpClient, HttpConfig};
pub(crate) use raw::{NetFailure, RawResponse};
pub(crate) use rest_step::{classify, Refusals};
