//! Bubble open-gateway payloads: the union of the 2025-12 (seed) and 2026-03 schemas, ids as
//! integers.
//!
//! Wire names are camelCase. Both schema versions decode into the same structs (spec
//! `bubble.md` §1.5): `author` may be an object or a plain name, `mentions` may be ids or
//! objects, the seed's `timestamp` / `editedTimestamp` / `channelId` sit next to the rewrite's
//! `createdAt` / `editedAt` / `threadId` (each kept under the name it arrived with; accessors
//! such as [`Message::time`] pick whichever is present), ids are accepted as numbers or numeric
//! strings, and the AlemonJS client's snake_case spellings are accepted as aliases. A missing or
//! mistyped non-essential field never loses the event. The event → payload table is
//! `proto/schema/bubble.toml`.

pub mod api;
mod control;
mod guild;
mod member;
mod message;
mod notice;
mod ready;
mod user;

pub use control::{ErrorEvent, EventsSubscribed, EventsUnsubscribed, Resumed, SubscribeDenied};
pub use guild::{Channel, Guild, GuildRole, Role};
pub use member::{GroupMember, GuildMember, MemberAction};
pub use message::{Attachment, Mention, Message, MessageDelete, MessagePin, Reaction};
pub use notice::{Application, GroupThread, Notice, ReadState, ReadStateKind};
pub use ready::{BotInfo, BotReady, BotUser, DmThread, GuildRef};
pub use user::{Author, MentionEntity, MentionRef, User};

pub use crate::generated::bubble::*;
