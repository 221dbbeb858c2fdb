//! [`Unified`]: the unified event with the typed platform event it came from.

use std::ops::Deref;

use botgate_proto::unified::{Event, Platform};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::UnifyContext;

/// The typed platform event a unified event was made from (decision 0005: kept typed here,
/// because `botgate-proto` cannot depend on the codec's event enums).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Original {
    /// A QQ Bot gateway dispatch.
    Qq(crate::qq::Event),
    /// A Bubble open-gateway dispatch.
    Bubble(crate::bubble::Event),
    /// A OneBot v11 event.
    OneBot(crate::onebot::Event),
}

impl Original {
    /// The platform.
    pub fn platform(&self) -> Platform {
        match self {
            Original::Qq(_) => Platform::Qq,
            Original::Bubble(_) => Platform::Bubble,
            Original::OneBot(_) => Platform::OneBot,
        }
    }

    /// The platform's name for the event: `AT_MESSAGE_CREATE`, `notice.group_ban`, ...
    pub fn kind(&self) -> &str {
        match self {
            Original::Qq(e) => e.name(),
            Original::Bubble(e) => e.name(),
            Original::OneBot(e) => e.kind_str(),
        }
    }
}

impl Serialize for Original {
    /// `{"platform": "qq", "kind": "AT_MESSAGE_CREATE", "data": <payload as on the wire>}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("platform", &self.platform())?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            Original::Qq(e) => map.serialize_entry("data", e)?,
            Original::Bubble(e) => map.serialize_entry("data", e)?,
            Original::OneBot(e) => map.serialize_entry("data", e)?,
        }
        map.end()
    }
}

/// A unified event and the typed platform event it came from.
///
/// Derefs to the [`Event`], so `unified.contact.scene` reads as expected. Serialises as the
/// event (the JSON of spec `unified.md`) plus the derived flags `is_private`, `is_group`,
/// `is_guild`, `is_master`, `is_admin`; [`Unified::with_original`] adds the platform event.
#[derive(Debug, Clone, PartialEq)]
pub struct Unified {
    /// The unified event (named so that `unified.event` still reads the event kind through
    /// `Deref`). Boxed, so that handing a `Unified` on (mapping → dispatcher → handler) moves
    /// a pointer, not the ~840-byte event (decision 0028).
    pub unified: Box<Event>,
    /// The platform event it was made from.
    pub original: Original,
    /// Whether the user is a master, per the context's permissions at mapping time.
    pub is_master: bool,
    /// Whether the user is an admin (or master), per the context's permissions at mapping time.
    pub is_admin: bool,
}

impl Unified {
    /// Joins an event (an [`Event`] or a `Box<Event>`) to its original, answering
    /// `is_master` / `is_admin` from `ctx`.
    pub fn new(event: impl Into<Box<Event>>, original: Original, ctx: &UnifyContext) -> Self {
        let event = event.into();
        // Most bots configure nobody: no lookups (each reads the user id) then.
        let (is_master, is_admin) = if ctx.permissions.is_empty() {
            (false, false)
        } else {
            (
                event.is_master(&ctx.permissions),
                event.is_admin(&ctx.permissions),
            )
        };
        Self {
            is_master,
            is_admin,
            unified: event,
            original,
        }
    }

    /// The typed platform event (spec: `event.platform_event()`).
    pub fn platform_event(&self) -> &Original {
        &self.original
    }

    /// The unified event alone.
    pub fn into_event(self) -> Event {
        *self.unified
    }

    /// A view that serialises like `self` plus `"original": {platform, kind, data}`.
    pub fn with_original(&self) -> WithOriginal<'_> {
        WithOriginal(self)
    }
}

impl Deref for Unified {
    type Target = Event;
    fn deref(&self) -> &Event {
        &self.unified
    }
}

#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    event: &'a Event,
    is_private: bool,
    is_group: bool,
    is_guild: bool,
    is_master: bool,
    is_admin: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original: Option<&'a Original>,
}

impl<'a> View<'a> {
    fn of(u: &'a Unified, original: bool) -> Self {
        View {
            event: &u.unified,
            is_private: u.unified.is_private(),
            is_group: u.unified.is_group(),
            is_guild: u.unified.is_guild(),
            is_master: u.is_master,
            is_admin: u.is_admin,
            original: original.then_some(&u.original),
        }
    }
}

impl Serialize for Unified {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        View::of(self, false).serialize(s)
    }
}

/// [`Unified`] serialised with its platform event (see [`Unified::with_original`]).
#[derive(Debug, Clone, Copy)]
pub struct WithOriginal<'a>(&'a Unified);

impl Serialize for WithOriginal<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        View::of(self.0, true).serialize(s)
    }
}
