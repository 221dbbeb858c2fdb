//! The unified event model: one shape for every platform, after Karin / kritor (seed 003).
//!
//! A QQ guild @-message, a OneBot group message and a Bubble channel message all become an
//! [`Event`] with the same fields: who ([`Event::user_id`], [`Sender`]), where ([`Contact`]: a
//! [`Scene`] with `peer` / `sub_peer`), what ([`EventKind`] and [`SubEvent`]), the message as
//! platform-neutral [`Element`]s, and the notice / request specifics in [`Content`]. Ids are
//! strings: QQ openids stay as sent, Bubble and OneBot integers are rendered in decimal.
//!
//! The mapping from each platform's events lives in `botgate_codec::unify` (this crate has no
//! logic beyond small accessors); the table is `docs/unified.md`. The typed platform event is
//! kept alongside the unified one there (`botgate_codec::unify::Unified`), because this crate
//! cannot depend on the codec's event enums (decision 0005).
//!
//! `is_master` / `is_admin` are configuration, not platform data: pass a [`Permissions`].
//!
//! ```
//! use botgate_proto::unified::{Contact, Permissions, Scene};
//!
//! let contact = Contact::new(Scene::Guild, "18700000000001", Some("100010".into()));
//! assert!(contact.scene.is_guild());
//! let perms = Permissions::new(["1234567890"], ["2233"]);
//! assert!(perms.is_admin("1234567890"), "a master is also an admin");
//! assert!(!perms.is_master("2233"));
//! ```

mod contact;
mod content;
mod element;
mod event;
mod kind;
mod permissions;
mod platform;

pub use contact::{Contact, Role, Scene, Sender};
pub use content::{Anonymous, Content, FileInfo};
pub use element::{Element, Media};
pub use event::Event;
pub use kind::{EventKind, SubEvent};
pub use permissions::Permissions;
pub use platform::{Platform, UnknownPlatform};
