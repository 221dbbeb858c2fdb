//! The dispatcher's route table: for every registered route, the handlers of the route and of
//! its registered dot-prefixes, flattened once when the dispatcher is built, so a dispatched
//! event costs one hash lookup and no handler list is copied per event.
//!
//! A route that is not registered itself (OneBot `notice.notify.poke` with a handler on
//! `notice` only) matches through its longest registered prefix: that prefix's flattened list
//! is exactly the handlers of every registered prefix of the route, broadest first.

use std::collections::HashMap;
use std::sync::Arc;

use crate::handlers::{Handlers, TypedFn, UnifiedFn};
use crate::hashing::FastState;
use crate::platform::Platform;

/// The handlers one event of a route runs, in order: typed ones, then unified ones.
pub(crate) struct Entry<P: Platform> {
    /// The registered route's name (what a context of an event matched exactly reports).
    pub(crate) name: Arc<str>,
    pub(crate) typed: Vec<TypedFn<P>>,
    pub(crate) unified: Vec<UnifiedFn>,
}

/// Which entry a route matched, and whether it matched it exactly (not through a prefix).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) entry: usize,
    pub(crate) exact: bool,
}

pub(crate) struct RouteTable<P: Platform> {
    // The keys are registered names; lookups use network-derived routes, but the table is
    // never grown from the network, so a lookup cannot be made slow by chosen inputs.
    index: HashMap<Box<str>, usize, FastState>,
    entries: Vec<Entry<P>>,
}

impl<P: Platform> RouteTable<P> {
    pub(crate) fn new(handlers: &Handlers<P>) -> Self {
        let mut index = HashMap::with_hasher(FastState::default());
        let mut entries = Vec::new();
        for name in handlers.route_names() {
            let mut typed = Vec::new();
            let mut unified = Vec::new();
            for route in handlers.matching(name) {
                typed.extend(route.typed.iter().cloned());
                unified.extend(route.unified.iter().cloned());
            }
            index.insert(Box::from(name), entries.len());
            entries.push(Entry {
                name: Arc::from(name),
                typed,
                unified,
            });
        }
        Self { index, entries }
    }

    /// The entry `route` runs, if any handler wants it.
    pub(crate) fn lookup(&self, route: &str) -> Option<Hit> {
        if let Some(&entry) = self.index.get(route) {
            return Some(Hit { entry, exact: true });
        }
        // A route without dots (QQ, Bubble) has no prefixes.
        route
            .char_indices()
            .rev()
            .filter(|&(_, c)| c == '.')
            .find_map(|(i, _)| route.get(..i).and_then(|p| self.index.get(p)))
            .map(|&entry| Hit {
                entry,
                exact: false,
            })
    }

    pub(crate) fn entry(&self, entry: usize) -> Option<&Entry<P>> {
        self.entries.get(entry)
    }
}
