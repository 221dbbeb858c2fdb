//! Closed-world string enums of OneBot v11 (sub types, roles, sexes) that stay open: a value
//! botgate does not know is kept as `Unknown(String)` and serialised back unchanged.

use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value botgate does not know, kept as sent (the default is the empty string).
            Unknown(String),
        }

        impl Default for $name {
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        crate::de::direct_by_serde!($name);

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(s) => s,
                }
            }

            /// Whether the value is one botgate does not know (or empty).
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(StrVisitor).map(|s| Self::from(s.as_str()))
            }
        }
    };
}

/// Accepts any string, number or bool (as its string form); `null` is `""`.
struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

string_enum! {
    /// A group member's role (`sender.role`, member info).
    Role { /// The group owner.
        Owner = "owner", /// A group admin.
        Admin = "admin", /// An ordinary member.
        Member = "member" }
}

string_enum! {
    /// A user's sex as OneBot reports it.
    Sex { /// Male.
        Male = "male", /// Female.
        Female = "female", /// Not disclosed.
        Undisclosed = "unknown" }
}

string_enum! {
    /// `sub_type` of a private message.
    PrivateSubType { /// From a friend.
        Friend = "friend", /// A temporary chat started from a group.
        Group = "group", /// Sent by the bot account in a group (go-cqhttp).
        GroupSelf = "group_self", /// Anything else.
        Other = "other" }
}

string_enum! {
    /// `sub_type` of a group message.
    GroupSubType { /// An ordinary message.
        Normal = "normal", /// An anonymous message.
        Anonymous = "anonymous", /// A system notice shown as a message.
        Notice = "notice" }
}

string_enum! {
    /// `sub_type` of `notice.group_increase`.
    GroupIncreaseSubType { /// Approved by an admin.
        Approve = "approve", /// Invited by a member.
        Invite = "invite" }
}

string_enum! {
    /// `sub_type` of `notice.group_decrease`.
    GroupDecreaseSubType { /// The member left.
        Leave = "leave", /// The member was kicked.
        Kick = "kick", /// The bot account was kicked.
        KickMe = "kick_me", /// The group was dismissed (NapCat).
        Disband = "disband" }
}

string_enum! {
    /// `sub_type` of `notice.group_ban`.
    GroupBanSubType { /// Muted.
        Ban = "ban", /// Unmuted.
        LiftBan = "lift_ban" }
}

string_enum! {
    /// `sub_type` of `notice.group_admin`.
    GroupAdminSubType { /// Made admin.
        Set = "set", /// No longer admin.
        Unset = "unset" }
}

string_enum! {
    /// `sub_type` of `notice.essence`.
    EssenceSubType { /// Added to the essence list.
        Add = "add", /// Removed from it.
        Delete = "delete" }
}

string_enum! {
    /// `sub_type` of `notice.reaction` (Lagrange).
    ReactionSubType { /// A reaction was added.
        Add = "add", /// A reaction was removed.
        Remove = "remove" }
}

string_enum! {
    /// `honor_type` of `notice.notify.honor`.
    HonorType { /// 龙王 (most talkative).
        Talkative = "talkative", /// 群聊之火.
        Performer = "performer", /// 快乐源泉.
        Emotion = "emotion" }
}

string_enum! {
    /// `sub_type` of `request.group`.
    GroupRequestSubType { /// Someone asks to join.
        Add = "add", /// The bot is invited.
        Invite = "invite" }
}

string_enum! {
    /// `sub_type` of `meta_event.lifecycle`.
    LifecycleSubType { /// The WebSocket connection is up.
        Connect = "connect", /// The OneBot plugin was enabled (HTTP POST).
        Enable = "enable", /// The OneBot plugin was disabled (HTTP POST).
        Disable = "disable" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_map_to_variants_and_back() {
        let r: Role = serde_json::from_str("\"admin\"").unwrap();
        assert_eq!(r, Role::Admin);
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"admin\"");
        let s: Sex = serde_json::from_str("\"unknown\"").unwrap();
        assert_eq!(s, Sex::Undisclosed);
    }

    #[test]
    fn unknown_values_are_kept() {
        let r: Role = serde_json::from_str("\"superadmin\"").unwrap();
        assert_eq!(r, Role::Unknown("superadmin".into()));
        assert!(r.is_unknown());
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"superadmin\"");
        let n: GroupBanSubType = serde_json::from_str("7").unwrap();
        assert_eq!(n.as_str(), "7");
    }
}
