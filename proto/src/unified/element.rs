//! Platform-neutral message elements (`elements`): `{"type": "text", "text": "hello"}`, ...

use crate::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A media or file reference: whichever of file name, URL, size, ... the platform sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Media {
    /// File name, path, id or `base64://` data, as the platform names the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Text>,
    /// Download URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    /// Display file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// MIME type, where the platform sends one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime: Option<Text>,
}

/// One element of a message. Serialises as an object with a `type` tag.
///
/// Anything a platform sends that has no element of its own is kept as
/// [`Element::Unknown`] with the platform's type name and its raw data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Element {
    /// Plain text.
    Text {
        /// The text.
        text: Text,
    },
    /// An @-mention of one user.
    At {
        /// The mentioned user's id.
        user_id: Text,
        /// Display name, where the platform sends one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<Text>,
    },
    /// An @-mention of everyone (`{"type": "at_all"}`).
    AtAll,
    /// A platform face / emoticon.
    Face {
        /// The face id.
        id: Text,
    },
    /// A picture.
    Image(Media),
    /// A voice message.
    Record(Media),
    /// A video.
    Video(Media),
    /// A file.
    File(Media),
    /// A reply to (quote of) another message.
    Reply {
        /// The quoted message's id.
        message_id: Text,
    },
    /// A bundle of forwarded messages.
    Forward {
        /// The bundle's id (fetch its content with the platform's API).
        id: Text,
    },
    /// A JSON card.
    Json {
        /// The JSON text.
        data: Text,
    },
    /// An XML card.
    Xml {
        /// The XML text.
        data: Text,
    },
    /// Markdown.
    Markdown {
        /// The Markdown text.
        content: Text,
    },
    /// Anything else, kept as sent.
    Unknown {
        /// The platform's name for it (`ark`, `embed`, `dice`, `location`, ...).
        platform_type: Text,
        /// The platform's data.
        raw: Value,
    },
}

impl Element {
    /// A text element.
    pub fn text(text: impl Into<Text>) -> Self {
        Element::Text { text: text.into() }
    }

    /// An @-mention of `user_id` without a name.
    pub fn at(user_id: impl Into<Text>) -> Self {
        Element::At {
            user_id: user_id.into(),
            name: None,
        }
    }

    /// The element's `type` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Element::Text { .. } => "text",
            Element::At { .. } => "at",
            Element::AtAll => "at_all",
            Element::Face { .. } => "face",
            Element::Image(_) => "image",
            Element::Record(_) => "record",
            Element::Video(_) => "video",
            Element::File(_) => "file",
            Element::Reply { .. } => "reply",
            Element::Forward { .. } => "forward",
            Element::Json { .. } => "json",
            Element::Xml { .. } => "xml",
            Element::Markdown { .. } => "markdown",
            Element::Unknown { .. } => "unknown",
        }
    }

    /// The text, if this is a text element.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Element::Text { text } => Some(text),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_serialise_flat_with_a_type_tag_and_read_back() {
        let elements = vec![
            Element::Reply {
                message_id: "12345".into(),
            },
            Element::AtAll,
            Element::at("42"),
            Element::text("hi"),
            Element::Image(Media {
                url: Some("https://x.invalid/a.png".into()),
                ..Media::default()
            }),
            Element::Unknown {
                platform_type: "dice".into(),
                raw: json!({"result": 3}),
            },
        ];
        let value = serde_json::to_value(&elements).unwrap();
        assert_eq!(
            value,
            json!([
                {"type": "reply", "message_id": "12345"},
                {"type": "at_all"},
                {"type": "at", "user_id": "42"},
                {"type": "text", "text": "hi"},
                {"type": "image", "url": "https://x.invalid/a.png"},
                {"type": "unknown", "platform_type": "dice", "raw": {"result": 3}},
            ])
        );
        let back: Vec<Element> = serde_json::from_value(value).unwrap();
        assert_eq!(back, elements);
        for e in &elements {
            assert_eq!(serde_json::to_value(e).unwrap()["type"], e.kind());
        }
    }
}
