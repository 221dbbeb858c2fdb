//! botgate: one API for the QQ Bot gateway, the Bubble open gateway and OneBot v11.
//!
//! This crate re-exports the layers (each usable alone) and adds the [`Bot`] builders that join
//! them: a session state machine driven over a real WebSocket, and a [`Dispatcher`] that runs
//! your handlers in order per conversation, concurrently across conversations, with
//! backpressure to the socket.
//!
//! | layer | crate | re-exported as |
//! |---|---|---|
//! | payload types, event-type enums | `botgate-proto` | [`proto`] |
//! | frame scan, typed decode, encoders, intents, CQ codes | `botgate-codec` | [`codec`] |
//! | WebSocket client / listener, HTTP | `botgate-transport` | [`transport`] |
//! | sans-IO sessions + tokio driver | `botgate-session` | [`session`] |
//! | handlers, ordering, dedupe | `botgate-dispatch` | [`dispatch`] |

#![deny(missing_docs)]

pub use botgate_codec as codec;
pub use botgate_dispatch as dispatch;
pub use botgate_proto as proto;
pub use botgate_session as session;
pub use botgate_transport as transport;

mod bot;
mod reply;
#[cfg(feature = "redis")]
pub mod split;

pub use bot::{
    Bot, BubbleBot, Error, ErrorKind, Glue, Lifecycle, OneBotBot, OneBotReverse, QqBot, ReverseBot,
    ReverseNotice, RunningBot, ShardedBot, SHUTDOWN_GRACE,
};
pub use bot::{BubbleWebhookBot, QqWebhookBot, WebhookBot};
pub use botgate_codec::Intents;
pub use botgate_dispatch::bubble::BubbleHandlers;
pub use botgate_dispatch::onebot::OneBotHandlers;
pub use botgate_dispatch::qq::QqHandlers;
pub use botgate_dispatch::{BotError, Context, Dispatcher, Filter, HandlerError, NotHandled};
pub use botgate_dispatch::{OutMessage, ReplyError, ReplyErrorKind, ReplyReceipt};

/// The README's code blocks compile as doctests, so the README stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
