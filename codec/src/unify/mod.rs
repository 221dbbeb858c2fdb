//! The unified event model's mapping: QQ, Bubble and OneBot events →
//! [`botgate_proto::unified::Event`], with the typed platform event kept alongside.
//!
//! - [`unify_qq`], [`unify_bubble`], [`unify_onebot`]: one typed platform event → a
//!   [`Unified`], or [`Skipped`] naming the kind when it has no unified meaning (READY,
//!   heartbeats, audits, forum threads, ...).
//! - [`unify_frame`]: raw bytes of one frame / event of a platform → [`Outcome`].
//!
//! The mapping table (which event becomes which sub-event, scene, peer, sub_peer and sender)
//! is `docs/unified.md`; `codec/tests/unify_table.rs` checks every row against a sample frame.
//!
//! ```
//! use botgate_codec::unify::{unify_frame, Outcome, UnifyContext};
//! use botgate_proto::unified::{Platform, Scene, SubEvent};
//!
//! let frame = br#"{"op":0,"s":5,"t":"GROUP_AT_MESSAGE_CREATE","d":{"id":"ROBOT1.0_x",
//!     "content":" hi","group_openid":"C9F7","author":{"member_openid":"E4F4"},
//!     "timestamp":"2023-11-06T13:37:18+08:00"}}"#;
//! let ctx = UnifyContext::new("102074");
//! let Outcome::Unified(u) = unify_frame(Platform::Qq, frame, &ctx)? else { panic!() };
//! assert_eq!(u.sub_event, SubEvent::Group);
//! assert_eq!(u.contact.scene, Scene::Group);
//! assert_eq!(u.contact.peer, "C9F7");
//! assert_eq!(u.user_id, "E4F4");
//! assert_eq!(u.time, 1699249038);
//! # Ok::<(), botgate_codec::Error>(())
//! ```

mod bubble;
mod context;
mod draft;
mod elements;
mod frame;
#[doc(hidden)]
pub mod fuzzing;
mod onebot;
mod qq;
mod time;
mod unified;

pub use bubble::{unify_bubble, unify_bubble_owned};
pub use context::UnifyContext;
pub use frame::{unify_frame, Outcome};
pub use onebot::{unify_onebot, unify_onebot_owned};
pub use qq::{unify_qq, unify_qq_owned};
pub use unified::{Original, Unified, WithOriginal};

use botgate_proto::unified::Platform;

/// An event with no meaning in the unified model (READY, heartbeats, audit results, ...):
/// reported, never forced into a wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{platform} {kind} has no unified meaning")]
pub struct Skipped {
    /// The platform.
    pub platform: Platform,
    /// The platform's name for the event or frame: `READY`, `meta_event.heartbeat`, `op 11`.
    pub kind: String,
}

impl Skipped {
    /// A skipped event of this platform and kind.
    pub fn new(platform: Platform, kind: impl Into<String>) -> Self {
        Self {
            platform,
            kind: kind.into(),
        }
    }
}
