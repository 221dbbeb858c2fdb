//! The seam for unified handlers (`on_message`, `on_notice`, `on_request`).
//!
//! The unified model (`botgate_proto::unified`) and the mapping (`botgate_codec::unify`) plug in
//! here: a platform implements [`Unify`] and its unified event implements [`UnifiedEvent`].
//! The registry only needs three things of them: which event types map to each category (so the
//! events are wanted, subscribed and covered by intents), the mapping itself, and the
//! [`Conversation`] a filter looks at.

use crate::context::BotInfo;
use crate::filter::Conversation;
use crate::platform::Platform;

/// The unified model's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// A message to the bot (`message`).
    Message,
    /// A message the bot sent itself, as echoed by the platform (`message_sent`).
    MessageSent,
    /// A notice (`notice`).
    Notice,
    /// A request (`request`).
    Request,
}

/// A unified event as filters and unified handlers see it.
pub trait UnifiedEvent: Clone + Send + Sync + 'static {
    /// Its `event`.
    fn category(&self) -> Category;
    /// The facts filters look at.
    fn conversation(&self) -> Conversation<'_>;
}

/// A platform whose events map into the unified model.
pub trait Unify: Platform {
    /// The unified event type.
    type Unified: UnifiedEvent;

    /// The event types whose events may map to `category` (from the schema's
    /// `unified = "..."`): registering a unified handler of that category makes them wanted,
    /// subscribed and covered by intents.
    fn event_types(category: Category) -> Vec<Self::EventType>;

    /// Maps a decoded event; `None` when it has no unified meaning.
    fn unify(event: &Self::Event, bot: &BotInfo) -> Option<Self::Unified>;
}
