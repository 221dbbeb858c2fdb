//! The Bubble subscription sets: what the user wants, what the server confirmed, and what must
//! be sent to bring the two together.

use std::collections::BTreeSet;

use super::config::Subscription;

/// Desired and confirmed event types of one session.
#[derive(Debug, Clone)]
pub(crate) struct Subscriptions {
    mode: Subscription,
    /// The user's set (Exact / Handled lists plus runtime subscribes).
    wanted: BTreeSet<String>,
    /// Subscribed at run time: wanted whatever `availableEvents` says (Handled mode filters
    /// only the handlers' set by it).
    added: BTreeSet<String>,
    /// Unsubscribed at run time, or rejected by the server.
    excluded: BTreeSet<String>,
    /// `availableEvents` of the last BOT_READY.
    available: Vec<String>,
    /// What the server confirmed on this session.
    confirmed: BTreeSet<String>,
    /// Unsubscribes sent (or queued) and not yet confirmed: a subscribe to one of these must be
    /// sent although it still shows as confirmed.
    unsubscribing: BTreeSet<String>,
    /// Subscribes sent on this connection and not yet confirmed: not sent again meanwhile.
    subscribing: BTreeSet<String>,
}

impl Subscriptions {
    pub(crate) fn new(mode: Subscription) -> Self {
        let wanted = match &mode {
            Subscription::Exact(v) | Subscription::Handled(v) => v.iter().cloned().collect(),
            Subscription::All => BTreeSet::new(),
        };
        Self {
            mode,
            wanted,
            added: BTreeSet::new(),
            excluded: BTreeSet::new(),
            available: Vec::new(),
            confirmed: BTreeSet::new(),
            unsubscribing: BTreeSet::new(),
            subscribing: BTreeSet::new(),
        }
    }

    pub(crate) fn desired(&self) -> BTreeSet<String> {
        let base: BTreeSet<String> = match &self.mode {
            Subscription::Handled(_) if !self.available.is_empty() => self
                .wanted
                .iter()
                .filter(|e| self.available.contains(e) || self.added.contains(*e))
                .cloned()
                .collect(),
            Subscription::Exact(_) | Subscription::Handled(_) => self.wanted.clone(),
            // A BOT_READY without `availableEvents` (the seed shape lists none): every type
            // botgate knows, or "all" would subscribe nothing and receive nothing.
            Subscription::All if self.available.is_empty() => botgate_codec::bubble::EVENTS
                .iter()
                .filter(|info| info.subscribable)
                .map(|info| info.name.to_owned())
                .chain(self.wanted.iter().cloned())
                .collect(),
            Subscription::All => self.available.iter().chain(&self.wanted).cloned().collect(),
        };
        base.difference(&self.excluded).cloned().collect()
    }

    pub(crate) fn confirmed(&self) -> Vec<String> {
        self.confirmed.iter().cloned().collect()
    }

    pub(crate) fn available(&self) -> &[String] {
        &self.available
    }

    /// A new session (BOT_READY): nothing is confirmed; returns what to subscribe and whether
    /// the confirmed set changed.
    pub(crate) fn fresh_session(&mut self, available: Vec<String>) -> (Vec<String>, bool) {
        self.available = available;
        let had = !self.confirmed.is_empty();
        self.confirmed.clear();
        self.unsubscribing.clear();
        let send: Vec<String> = self.desired().into_iter().collect();
        self.subscribing = send.iter().cloned().collect();
        (send, had)
    }

    /// A new connection: changes in flight are lost or will be replayed as confirmations.
    pub(crate) fn new_connection(&mut self) {
        self.unsubscribing.clear();
        self.subscribing.clear();
    }

    /// After RESUMED: `(to subscribe, to unsubscribe)` to reach the desired set.
    pub(crate) fn resume_diff(&mut self) -> (Vec<String>, Vec<String>) {
        let desired = self.desired();
        let add: Vec<String> = desired.difference(&self.confirmed).cloned().collect();
        let remove: Vec<String> = self.confirmed.difference(&desired).cloned().collect();
        self.unsubscribing.extend(remove.iter().cloned());
        self.subscribing.extend(add.iter().cloned());
        (add, remove)
    }

    /// The server dropped a command (`ERROR` `RATE_LIMIT` names none): whatever was sent and
    /// not confirmed may be lost. Returns `(to subscribe, to unsubscribe)` to reach the desired
    /// set again (both are idempotent, so a name the server did take is only confirmed twice).
    pub(crate) fn resync(&mut self) -> (Vec<String>, Vec<String>) {
        self.subscribing.clear();
        self.unsubscribing.clear();
        self.resume_diff()
    }

    /// The user subscribes: returns the names to send.
    pub(crate) fn subscribe(&mut self, events: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut send = Vec::new();
        for e in events {
            self.excluded.remove(&e);
            self.wanted.insert(e.clone());
            self.added.insert(e.clone());
            // Confirmed or on its way, and not being removed: nothing to send.
            let held = self.confirmed.contains(&e) || self.subscribing.contains(&e);
            if !held || self.unsubscribing.contains(&e) {
                self.subscribing.insert(e.clone());
                send.push(e);
            }
        }
        send
    }

    /// The user unsubscribes: returns the names to send.
    pub(crate) fn unsubscribe(&mut self, events: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut send = Vec::new();
        for e in events {
            self.wanted.remove(&e);
            self.added.remove(&e);
            self.subscribing.remove(&e);
            self.excluded.insert(e.clone());
            send.push(e);
        }
        send
    }

    /// An unsubscribe is about to go out.
    pub(crate) fn unsubscribing(&mut self, events: &[String]) {
        self.unsubscribing.extend(events.iter().cloned());
    }

    /// EVENTS_SUBSCRIBED.
    pub(crate) fn on_subscribed(&mut self, subscribed: Vec<String>, invalid: &[String]) {
        for e in &subscribed {
            self.subscribing.remove(e);
        }
        self.confirmed.extend(subscribed);
        self.reject(invalid);
    }

    /// EVENTS_UNSUBSCRIBED.
    pub(crate) fn on_unsubscribed(&mut self, gone: Vec<String>) {
        for e in gone {
            self.confirmed.remove(&e);
            self.unsubscribing.remove(&e);
        }
    }

    /// `invalidEvents` or SUBSCRIBE_DENIED: these leave the desired set (not re-sent forever).
    pub(crate) fn reject(&mut self, events: &[String]) {
        for e in events {
            self.wanted.remove(e);
            self.added.remove(e);
            self.confirmed.remove(e);
            self.subscribing.remove(e);
            self.excluded.insert(e.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn handled_meets_available_and_all_takes_everything() {
        let mut h = Subscriptions::new(Subscription::Handled(s(&["A", "B"])));
        assert_eq!(h.fresh_session(vec![]).0, s(&["A", "B"]));
        assert_eq!(h.fresh_session(s(&["B", "C"])).0, s(&["B"]));
        let mut a = Subscriptions::new(Subscription::All);
        assert_eq!(a.fresh_session(s(&["C", "B"])).0, s(&["B", "C"]));
        // no `availableEvents`: every subscribable type botgate knows
        let every = a.fresh_session(vec![]).0;
        assert!(every.iter().any(|e| e == "MESSAGE_CREATE"), "{every:?}");
        assert!(!every.iter().any(|e| e == "BOT_READY"), "{every:?}");
    }

    #[test]
    fn a_subscribe_racing_an_unconfirmed_unsubscribe_is_sent() {
        let mut x = Subscriptions::new(Subscription::Exact(s(&["A"])));
        x.fresh_session(vec![]);
        x.on_subscribed(s(&["A"]), &[]);
        assert!(x.subscribe(s(&["A"])).is_empty());
        let un = x.unsubscribe(s(&["A"]));
        x.unsubscribing(&un);
        assert_eq!(x.subscribe(s(&["A"])), s(&["A"]));
        x.on_unsubscribed(s(&["A"]));
        x.on_subscribed(s(&["A"]), &[]);
        assert_eq!(x.confirmed(), s(&["A"]));
    }

    #[test]
    fn a_resync_sends_what_is_unconfirmed_again() {
        let mut x = Subscriptions::new(Subscription::Exact(s(&["A"])));
        x.fresh_session(vec![]);
        x.on_subscribed(s(&["A"]), &[]);
        assert_eq!(x.subscribe(s(&["B"])), s(&["B"]));
        assert!(x.subscribe(s(&["B"])).is_empty(), "on its way");
        let un = x.unsubscribe(s(&["A"]));
        x.unsubscribing(&un);
        assert_eq!(x.resync(), (s(&["B"]), s(&["A"])));
    }

    #[test]
    fn resume_diff_adds_and_removes() {
        let mut x = Subscriptions::new(Subscription::Exact(s(&["A", "B"])));
        x.fresh_session(vec![]);
        x.on_subscribed(s(&["A", "C"]), &[]);
        assert_eq!(x.resume_diff(), (s(&["B"]), s(&["C"])));
    }
}
