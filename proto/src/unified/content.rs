//! The specifics of a notice or request (`content`): who acted, on what, for how long, ...

use crate::Text;
use serde::{Deserialize, Serialize};

/// A file in a notice (group upload, offline file).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FileInfo {
    /// File id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// File name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Download URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// An anonymous group sender (OneBot `anonymous`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Anonymous {
    /// Anonymous id.
    pub id: Text,
    /// Anonymous name.
    pub name: Text,
    /// Flag for the platform's anonymous-ban action.
    pub flag: Text,
}

/// Notice / request specifics (`content`). Which fields are set depends on the sub-event; the
/// table in `docs/unified.md` says which. Unset fields are left out of the JSON.
///
/// Karin's convention: the event's `user_id` is whom the notice is about; whoever acted is
/// `operator_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Content {
    /// Who acted: the admin who recalled, kicked, muted; who invited; who poked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<Text>,
    /// The other user involved: who was poked, the lucky king.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<Text>,
    /// The message concerned: recalled, reacted to, made essence, edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Text>,
    /// The platform's sub type, naming the direction or cause: `ban` / `lift_ban`, `set` /
    /// `unset`, `approve` / `invite`, `leave` / `kick` / `kick_me`, `add` / `delete` /
    /// `remove`, a Bubble member-update action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Text>,
    /// Mute duration in seconds (0 when lifted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Request flag to pass back when approving or refusing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<Text>,
    /// Request comment (验证消息).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<Text>,
    /// The emoji of a reaction (face id or Unicode emoji).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<Text>,
    /// How many reactions of that emoji the message now has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The new group card, special title or guild nickname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_name: Option<Text>,
    /// The old group card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<Text>,
    /// The honor type (`talkative`, `performer`, `emotion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honor: Option<Text>,
    /// The uploaded file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileInfo>,
    /// An anonymous group sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<Anonymous>,
    /// Role ids involved (guild member updates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_ids: Vec<Text>,
}

impl Content {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Content::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_fields_appear_in_the_json() {
        let c = Content {
            operator_id: Some("444555666".into()),
            duration: Some(600),
            action: Some("ban".into()),
            ..Content::default()
        };
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"operator_id": "444555666", "action": "ban", "duration": 600})
        );
        assert!(!c.is_empty());
        assert!(Content::default().is_empty());
    }
}
