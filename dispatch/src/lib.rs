//! Handler routing: the typed `Handlers` registry, intents from handlers, per-conversation
//! ordering with bounded concurrency, dedupe, and unified handlers with filters.
//!
//! - [`Handlers`]: register typed handlers (`on_at_message_create`, ... generated from the
//!   schema), `on_raw` (pass-through), `on_error` (handler errors, panics, decode failures,
//!   connection incidents) and unified handlers (`on_message(filter, ..)`). What is registered
//!   decides the QQ intents and the Bubble subscription set.
//! - [`Dispatcher`]: routes each frame; unhandled events are dropped before their payload is
//!   parsed, events of one conversation run in order, conversations run concurrently up to a
//!   bound, and past the bound `dispatch` waits (backpressure, never loss).
//! - [`Platform`]: what a platform tells the dispatcher (route, decode, conversation key,
//!   dedupe key); [`Unify`]: the seam for the unified model, implemented for the three
//!   platforms with `botgate_codec::unify` ([`Unified`] is what their unified handlers get).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), botgate_codec::Error> {
//! use botgate_codec::{Frame, Intents};
//! use botgate_dispatch::qq::QqHandlers;
//! use botgate_dispatch::{DispatchConfig, Dispatcher, Disposition};
//!
//! let mut handlers = QqHandlers::new();
//! handlers.on_c2c_message_create(|_ctx, message| async move {
//!     println!("got {:?}", message.content);
//!     Ok(())
//! });
//! assert_eq!(handlers.intents(), Intents::GROUP_AND_C2C_EVENT);
//!
//! let dispatcher = Dispatcher::new(handlers, DispatchConfig::default());
//! let frame = br#"{"op":0,"s":1,"t":"C2C_MESSAGE_CREATE","d":{"content":"help"}}"#;
//! assert_eq!(dispatcher.dispatch(Frame::scan(&frame[..])?).await, Disposition::Accepted);
//! let ready = br#"{"op":0,"s":2,"t":"READY","d":{}}"#; // no handler: never decoded
//! assert_eq!(dispatcher.dispatch(Frame::scan(&ready[..])?).await, Disposition::Unhandled);
//! dispatcher.shutdown().await;
//! assert_eq!(dispatcher.stats().handled, 1);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod action;
mod completion;
mod context;
mod dispatcher;
mod error;
#[cfg(test)]
mod fed;
mod filter;
mod handlers;
mod hashing;
mod job;
mod lanes;
mod onebot_api;
mod platform;
mod reply;
mod seq;
mod stats;
mod table;
mod unified;
mod unified_platforms;

pub use action::{ActionCall, ActionCallError, ActionCallErrorKind, ActionSink};
pub use completion::Completion;
pub use context::{BotInfo, Context};
pub use dispatcher::{DispatchConfig, Dispatcher, Disposition};
pub use error::{BotError, BotErrorKind, HandlerError, NotHandled};
pub use filter::{Conversation, Filter, Scene};
pub use handlers::{HandlerFuture, Handlers};
pub use onebot_api::OneBotApi;
pub use platform::{ConversationKey, DedupeKey, EventMeta, Platform, PlatformKind};
pub use reply::{OutMessage, ReplyError, ReplyErrorKind, ReplyReceipt, ReplySink};
pub use seq::{SeqTicket, SeqTracker};
pub use stats::DispatchStats;
pub use unified::{Category, UnifiedEvent, Unify};

/// The unified event unified handlers receive on QQ, Bubble and OneBot (the proto event with
/// its typed original and the `is_master` / `is_admin` answers), re-exported.
pub use botgate_codec::unify::Unified;
/// The masters and admins of a bot ([`Handlers::set_permissions`]), re-exported.
pub use botgate_proto::unified::Permissions;

pub mod bubble;
mod fields;
mod generated;
pub mod onebot;
pub mod qq;
