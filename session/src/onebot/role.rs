//! [`ClientRole`]: what a reverse-WebSocket connection carries, from its `X-Client-Role`.

use std::fmt;

/// What a OneBot v11 reverse-WebSocket connection carries, from its `X-Client-Role` header.
///
/// go-cqhttp split (its `api` and `event` URLs set, no `universal` one) opens two sockets per
/// account, both with the account's `X-Self-ID`: an `API` one, which only answers actions (it
/// sends no events, no heartbeats, nothing until an action is sent), and an `Event` one,
/// which sends events (heartbeats included) and answers no actions. A `Universal` connection (or one without
/// the header: Waylay, NapCat) carries both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClientRole {
    /// Events and actions (`Universal`, no header, or a value not known).
    #[default]
    Universal,
    /// Events only (`Event`): it does not answer actions.
    Event,
    /// Actions only (`API`): it sends nothing but the answers to actions.
    Api,
}

impl ClientRole {
    /// The role named by an `X-Client-Role` value, compared without regard to case and
    /// surrounding spaces; `None` (no header) and a value not known are
    /// [`Universal`](Self::Universal) (the latter logged at debug level).
    pub fn from_header(value: Option<&str>) -> Self {
        let Some(value) = value.map(str::trim) else {
            return Self::Universal;
        };
        if value.eq_ignore_ascii_case("api") {
            Self::Api
        } else if value.eq_ignore_ascii_case("event") {
            Self::Event
        } else if value.eq_ignore_ascii_case("universal") || value.is_empty() {
            Self::Universal
        } else {
            tracing::debug!(
                role = value,
                "OneBot: X-Client-Role not known; the connection is taken as Universal"
            );
            Self::Universal
        }
    }

    /// Whether the connection carries events (`Universal`, `Event`).
    pub fn carries_events(self) -> bool {
        self != Self::Api
    }

    /// Whether the connection answers actions (`Universal`, `API`).
    pub fn answers_actions(self) -> bool {
        self != Self::Event
    }

    /// The header's spelling in the OneBot v11 standard: `Universal`, `Event`, `API`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Universal => "Universal",
            Self::Event => "Event",
            Self::Api => "API",
        }
    }
}

impl fmt::Display for ClientRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ClientRole;

    #[test]
    fn roles_are_read_without_regard_to_case_and_default_to_universal() {
        for (header, role) in [
            (Some("API"), ClientRole::Api),
            (Some("api"), ClientRole::Api),
            (Some(" Api "), ClientRole::Api),
            (Some("Event"), ClientRole::Event),
            (Some("EVENT"), ClientRole::Event),
            (Some("Universal"), ClientRole::Universal),
            (Some("universal"), ClientRole::Universal),
            (None, ClientRole::Universal),
            (Some(""), ClientRole::Universal),
            (Some("Both"), ClientRole::Universal),
        ] {
            assert_eq!(ClientRole::from_header(header), role, "{header:?}");
        }
        assert!(ClientRole::Api.answers_actions() && !ClientRole::Api.carries_events());
        assert!(!ClientRole::Event.answers_actions() && ClientRole::Event.carries_events());
        assert!(ClientRole::Universal.answers_actions() && ClientRole::Universal.carries_events());
        assert_eq!(ClientRole::Api.to_string(), "API");
    }
}
