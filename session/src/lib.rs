//! Sans-IO session state machines for QQ, Bubble and OneBot (heartbeat, resume, subscriptions,
//! close codes), and the pieces they share.
//!
//! The machines have the quinn-proto shape ([`SessionMachine`]): `handle_*(now, input)` and
//! `poll_*()`, no sockets, no clocks, no tasks. A driver owns the socket and the timer; tests
//! drive thousands of fault schedules on a virtual clock.
//!
//! - [`qq::Session`]: Hello → Identify / Resume → READY / RESUMED, heartbeats with zombie
//!   detection, op 7 / op 9, the close-code table, seq tracking, token refresh hook.
//! - [`bubble::Session`]: Bearer auth at connect, BOT_READY in three shapes, the subscription
//!   set replayed after every reconnect, the extended profile's resume, dedupe, send budget.
//! - [`onebot::Session`]: lifecycle / self id, heartbeat watchdog, actions matched by `echo`.
//! - Shared: [`Backoff`], [`RateLimiter`], [`SessionStore`] ([`MemoryStore`], [`FileStore`]),
//!   [`IdentifyQueue`] ([`LocalIdentifyQueue`]), [`DedupeWindow`], [`Rng`], and
//!   [`wire::id_field`], the lenient id reader the facade's OneBot reply receipts use too
//!   (decision 0078).
//!
//! ```
//! use std::time::Instant;
//!
//! use botgate_session::qq::{Config, Session};
//! use botgate_session::{Outgoing, SessionEvent, SessionMachine};
//!
//! let now = Instant::now();
//! let url = "wss://api.sgroup.qq.com/websocket".parse()?;
//! let mut session = Session::new(Config::new(url, "QQBot token", 1 << 30), now, None);
//! // The driver opened the socket and read Hello: the session answers with Identify.
//! session.handle_connected(now);
//! session.handle_frame(now, br#"{"op":10,"d":{"heartbeat_interval":41250}}"#.to_vec().into());
//! let Some(Outgoing::Text(identify)) = session.poll_transmit() else { panic!("no Identify") };
//! assert!(identify.starts_with(r#"{"op":2,"#));
//! // READY: the application hears of it, and a heartbeat timer is armed.
//! let ready = br#"{"op":0,"s":1,"t":"READY","d":{"session_id":"s1","user":{"id":"1"}}}"#;
//! session.handle_frame(now, ready.to_vec().into());
//! assert!(matches!(session.poll_event(), Some(SessionEvent::Ready(_))));
//! assert!(session.poll_timeout().is_some_and(|at| at > now));
//! # Ok::<(), url::ParseError>(())
//! ```

#![deny(missing_docs)]

pub mod backoff;
pub mod bubble;
mod deadline;
pub mod dedupe;
#[cfg(feature = "driver")]
pub mod driver;
pub mod error;
pub mod event;
mod fingerprint;
mod gateway;
mod heartbeat;
pub mod identify;
pub mod machine;
pub mod onebot;
pub mod qq;
pub mod ratelimit;
pub mod rng;
pub mod store;
pub mod token;
pub mod wire;

pub use backoff::{Backoff, BackoffConfig};
pub use dedupe::{DedupeWindow, DEFAULT_DEDUPE_WINDOW};
pub use error::{Error, ErrorKind};
pub use event::{ConnectFailure, Outgoing, Ready, SessionEvent, TokenReason, Why};
pub use fingerprint::{FingerprintHasher, FingerprintState, Fingerprinter, Fingerprints};
pub use identify::{BudgetedIdentifyQueue, IdentifyQueue, LocalIdentifyQueue, NoIdentifyQueue};
pub use machine::SessionMachine;
pub use ratelimit::{RateLimitConfig, RateLimiter, SendClass};
pub use rng::Rng;
pub use store::{FileStore, MemoryStore, ResumeState, SessionStore};
pub use token::Token;
pub use wire::Properties;

// The driver moves machines into tasks: they must stay `Send` (and their events too). Checked
// here, where every machine is in view, so that machine.rs names none of them.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<crate::qq::Session>();
    assert_send::<crate::bubble::Session>();
    assert_send::<crate::onebot::Session>();
    assert_send::<SessionEvent>();
    assert_send::<Outgoing>();
};
