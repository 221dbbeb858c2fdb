//! Where an event happened ([`Contact`], [`Scene`]) and who triggered it ([`Sender`], [`Role`]).

use crate::de::str_enum;
use crate::Text;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

str_enum! {
    /// The scene of a [`Contact`] (the seed's names; Karin says `friend` for `private`).
    pub enum Scene {
        /// A group chat (群聊): peer is the group id.
        Group = "group",
        /// A private chat (私聊): peer is the user's id; for a QQ guild DM, sub_peer is the
        /// DM's guild id.
        Private = "private",
        /// A guild channel (频道): peer is the guild id, sub_peer the channel id.
        Guild = "guild",
        /// Someone nearby (附近的人): peer is the user's id.
        Nearby = "nearby",
        /// A stranger (陌生人): peer is the user's id.
        Stranger = "stranger",
        /// A group temp chat (群临时会话): peer is the user's id, sub_peer the group id.
        StrangerFromGroup = "stranger_from_group",
    }
}

impl Scene {
    /// The scene is a group chat.
    pub fn is_group(&self) -> bool {
        matches!(self, Scene::Group)
    }

    /// The scene is a guild channel.
    pub fn is_guild(&self) -> bool {
        matches!(self, Scene::Guild)
    }

    /// The scene is one-to-one: private, nearby, stranger or a group temp chat.
    pub fn is_private(&self) -> bool {
        matches!(
            self,
            Scene::Private | Scene::Nearby | Scene::Stranger | Scene::StrangerFromGroup
        )
    }
}

/// Where an event happened (`contact`): the scene and the ids needed to answer there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The scene.
    pub scene: Scene,
    /// Group id, guild id, or the user's id (see [`Scene`]).
    #[serde(deserialize_with = "crate::de::text")]
    pub peer: Text,
    /// The channel id in a guild, the group id of a temp chat, the guild id of a QQ guild DM;
    /// `null` otherwise.
    #[serde(default, deserialize_with = "crate::de::opt_text_keep_empty")]
    pub sub_peer: Option<Text>,
}

impl Contact {
    /// A contact from its parts.
    pub fn new(scene: Scene, peer: impl Into<Text>, sub_peer: Option<Text>) -> Self {
        Self {
            scene,
            peer: peer.into(),
            sub_peer,
        }
    }
}

/// A member's role in a group (`sender.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Role {
    /// The group (or guild) owner.
    Owner,
    /// An admin.
    Admin,
    /// An ordinary member.
    Member,
    /// Not known: outside groups, or the platform does not say.
    #[default]
    Unknown,
}

impl Role {
    /// The JSON name: `owner`, `admin`, `member`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Unknown => "unknown",
        }
    }

    /// The role from its name; anything else is [`Role::Unknown`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "owner" => Role::Owner,
            "admin" => Role::Admin,
            "member" => Role::Member,
            _ => Role::Unknown,
        }
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Role::from_name(&crate::de::string(d)?))
    }
}

/// Who triggered an event (`sender`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sender {
    /// The sender's id (the same value as `user_id`).
    #[serde(deserialize_with = "crate::de::text")]
    pub uid: Text,
    /// A numeric account distinct from `uid`, where a platform has one; `null` otherwise.
    #[serde(deserialize_with = "crate::de::opt_text_keep_empty")]
    pub uin: Option<Text>,
    /// Nickname; may be absent.
    #[serde(deserialize_with = "crate::de::opt_text_keep_empty")]
    pub nick: Option<Text>,
    /// Group card (the name shown in the group), where the platform sends one (botgate
    /// addition).
    #[serde(
        deserialize_with = "crate::de::opt_text_keep_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub card: Option<Text>,
    /// Role in the group or guild; `unknown` elsewhere.
    pub role: Role,
}

impl Sender {
    /// A sender known only by id.
    pub fn id(uid: impl Into<Text>) -> Self {
        Self {
            uid: uid.into(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_and_sender_serialise_with_nulls_where_the_spec_shows_them() {
        let c = Contact::new(Scene::Group, "C9F7", None);
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"scene": "group", "peer": "C9F7", "sub_peer": null})
        );
        let s = Sender {
            uid: "9F2A".into(),
            nick: Some("张三".into()),
            role: Role::Member,
            ..Sender::default()
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"uid": "9F2A", "uin": null, "nick": "张三", "role": "member"})
        );
        let back: Sender =
            serde_json::from_value(serde_json::json!({"uid": 42, "role": "boss"})).unwrap();
        assert_eq!(back.uid, "42");
        assert_eq!(back.role, Role::Unknown);
    }

    #[test]
    fn scenes_classify() {
        assert!(Scene::StrangerFromGroup.is_private());
        assert!(!Scene::Guild.is_private() && Scene::Guild.is_guild());
        assert!(Scene::Group.is_group() && !Scene::Group.is_private());
        assert!(!Scene::Unknown("x".into()).is_private());
    }
}
