//! The platform side of every protocol botgate speaks, on loopback, with faults on demand:
//! used by the tests, `botgate demo` and the benchmarks.
//!
//! - [`qq::QqSim`]: the QQ gateway plus token / gateway-discovery / REST endpoints.
//! - [`bubble::BubbleSim`]: Bubble's gateway (strict documented profile or botgate's extended
//!   profile with `s`, resume, op 7 / 9).
//! - [`onebot::OneBotSim`]: a OneBot v11 implementation like Waylay: forward-WS server and
//!   reverse-WS client, lifecycle / heartbeat meta events, actions answered by `echo`.
//! - [`blast::BlastServer`]: N pre-encoded dispatch frames written in large batches (or at a
//!   fixed rate), for end-to-end benchmarks; [`blast::count`] measures its ceiling.
//! - [`webhook::WebhookPoster`]: QQ's and Bubble's webhook side: signed POSTs to a bot's
//!   callback URL (QQ op 13 validation too), with faults and Bubble's retry schedule.
//!
//! Each sim binds `127.0.0.1:0` by default, records everything in a [`Log`] (with async
//! `wait_for` for tests), takes scripted events (`push_event`, `load_script`) and faults
//! ([`Fault`]) at any time, and stops when dropped.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use botgate_sim::{QqConfig, QqSim, Record};
//! use botgate_transport::ws::{self, ConnectOptions, Message};
//!
//! let sim = QqSim::start(QqConfig::default()).await?;
//! sim.push_event("AT_MESSAGE_CREATE", serde_json::json!({"content": "hi"})); // held until READY
//! let mut stream = ws::connect(sim.url(), &ConnectOptions::new()).await?;
//! let identify = r#"{"op":2,"d":{"token":"QQBot sim-access-token","intents":1073741824,"shard":[0,1]}}"#;
//! stream.send_text(identify).await?;
//! // Wait for the sim to have sent READY and the held event: no sleeps.
//! sim.log()
//!     .wait_count(2, |r| matches!(r, Record::Sent { frame, .. } if frame["op"] == 0))
//!     .await;
//! assert_eq!(sim.sent_dispatches()[1]["d"]["content"], "hi");
//! # Ok(()) }
//! ```
//!
//! The sims parse client frames with `serde_json` on purpose, independently of
//! `botgate-codec`: a bug in the codec cannot hide behind the same bug in the sim.

#![deny(missing_docs)]

mod answer;
pub mod blast;
pub mod bubble;
pub mod error;
mod fault;
pub mod http_fault;
pub mod log;
pub mod onebot;
pub mod qq;
pub mod script;
mod server;
pub mod webhook;
mod wire;

pub use bubble::{BubbleConfig, BubbleSim};
pub use error::{Error, ErrorKind};
pub use fault::Fault;
pub use http_fault::HttpFault;
pub use log::{Log, Record};
pub use onebot::{OneBotConfig, OneBotSim};
pub use qq::{QqConfig, QqSim};
pub use webhook::{WebhookFault, WebhookPoster};
