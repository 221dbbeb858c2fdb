//! The unified event.

use crate::Text;
use serde::{Deserialize, Serialize};

use super::{Contact, Content, Element, EventKind, Permissions, Platform, Sender, SubEvent};

/// One event in the unified model (seed 003, spec `unified.md`).
///
/// Serialises with snake_case names, `contact` and `sender` nested, `elements` as tagged
/// objects; `group_id`, `message_id`, `raw_message` and `content` are left out when unset.
/// The derived flags (`is_private`, `is_group`, `is_guild`, `is_master`, `is_admin`) are
/// methods here; `botgate_codec::unify::Unified` adds them to its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The platform the event came from.
    pub platform: Platform,
    /// The bot's own id on that platform.
    #[serde(deserialize_with = "crate::de::text")]
    pub self_id: Text,
    /// Who triggered the event; for notices, whom the notice is about. Empty when the platform
    /// does not say (a Bubble deletion, say).
    #[serde(deserialize_with = "crate::de::text")]
    pub user_id: Text,
    /// The group, only in the `group` and `stranger_from_group` scenes.
    #[serde(
        default,
        deserialize_with = "crate::de::opt_text_keep_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<Text>,
    /// When it happened, unix seconds.
    pub time: i64,
    /// message, message_sent, notice or request.
    pub event: EventKind,
    /// The sub-event (for messages: the scene).
    pub sub_event: SubEvent,
    /// Where it happened.
    pub contact: Contact,
    /// Who triggered it.
    pub sender: Sender,
    /// The message id (messages; the affected message of some notices is in `content`).
    #[serde(
        default,
        deserialize_with = "crate::de::opt_text_keep_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_id: Option<Text>,
    /// The message, as platform-neutral elements (messages and message edits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<Element>,
    /// The message as the platform wrote it (QQ / Bubble content, OneBot `raw_message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_message: Option<Text>,
    /// Notice / request specifics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
}

impl Event {
    /// The scene is one-to-one (private, nearby, stranger, group temp chat).
    pub fn is_private(&self) -> bool {
        self.contact.scene.is_private()
    }

    /// The scene is a group chat.
    pub fn is_group(&self) -> bool {
        self.contact.scene.is_group()
    }

    /// The scene is a guild channel.
    pub fn is_guild(&self) -> bool {
        self.contact.scene.is_guild()
    }

    /// Whether the triggering user is a master of this bot.
    pub fn is_master(&self, permissions: &Permissions) -> bool {
        permissions.is_master(&self.user_id)
    }

    /// Whether the triggering user is an admin (or a master) of this bot.
    pub fn is_admin(&self, permissions: &Permissions) -> bool {
        permissions.is_admin(&self.user_id)
    }

    /// The text elements joined: what the user typed, without mentions, faces or media.
    pub fn plain_text(&self) -> String {
        self.elements.iter().filter_map(Element::as_text).collect()
    }

    /// The notice / request content, or an empty one.
    pub fn content_or_default(&self) -> Content {
        self.content.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unified::{Role, Scene};
    use serde_json::json;

    fn group_message() -> Event {
        Event {
            platform: Platform::OneBot,
            self_id: "123456789".into(),
            user_id: "111222333".into(),
            group_id: Some("987654321".into()),
            time: 1712640000,
            event: EventKind::Message,
            sub_event: SubEvent::Group,
            contact: Contact::new(Scene::Group, "987654321", None),
            sender: Sender {
                uid: "111222333".into(),
                nick: Some("张三".into()),
                role: Role::Member,
                ..Sender::default()
            },
            message_id: Some("12345".into()),
            elements: vec![Element::text("hello")],
            raw_message: Some("hello".into()),
            content: None,
        }
    }

    #[test]
    fn serialises_in_the_spec_shape_and_reads_back() {
        let e = group_message();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            json!({
                "platform": "onebot", "self_id": "123456789", "user_id": "111222333",
                "group_id": "987654321", "time": 1712640000, "event": "message",
                "sub_event": "group",
                "contact": {"scene": "group", "peer": "987654321", "sub_peer": null},
                "sender": {"uid": "111222333", "uin": null, "nick": "张三", "role": "member"},
                "message_id": "12345", "elements": [{"type": "text", "text": "hello"}],
                "raw_message": "hello"
            })
        );
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), e);
    }

    #[test]
    fn flags_follow_the_scene_and_the_permissions() {
        let mut e = group_message();
        assert!(e.is_group() && !e.is_private() && !e.is_guild());
        assert!(!e.is_master(&Permissions::default()));
        assert!(e.is_master(&Permissions::new(["111222333"], Vec::<String>::new())));
        assert!(e.is_admin(&Permissions::new(Vec::<String>::new(), ["111222333"])));
        e.contact.scene = Scene::StrangerFromGroup;
        assert!(e.is_private());
        assert_eq!(e.plain_text(), "hello");
    }
}
