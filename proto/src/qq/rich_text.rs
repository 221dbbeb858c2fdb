//! Forum rich text: the JSON document QQ puts inside the `title` / `content` strings of forum
//! events (`{"paragraphs":[{"elems":[{"text":{"text":"..."},"type":1}],"props":{}}]}`).

use crate::de::int_enum;
use crate::Text;
use serde::{Deserialize, Serialize};

/// A rich-text document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct RichText {
    /// Paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
}

impl RichText {
    /// Parses a rich-text string leniently; never fails.
    ///
    /// A JSON object is read as a document (unknown parts ignored, mistyped parts dropped).
    /// Anything else that is not empty (plain text, malformed JSON) becomes one paragraph with
    /// one text element holding the string as is, so no content is lost. `""` is empty.
    pub fn parse(s: &str) -> RichText {
        let t = s.trim();
        if t.is_empty() {
            return RichText::default();
        }
        if t.starts_with('{') {
            if let Ok(doc) = serde_json::from_str::<RichText>(t) {
                return doc;
            }
        }
        RichText::from_plain(s)
    }

    /// One paragraph with one text element.
    pub fn from_plain(text: &str) -> RichText {
        RichText {
            paragraphs: vec![Paragraph {
                elems: vec![Elem {
                    kind: Some(ElemType::Text),
                    text: Some(TextElem {
                        text: text.into(),
                        props: None,
                    }),
                    ..Elem::default()
                }],
                props: None,
            }],
        }
    }

    /// The text of the document: text elements (and link descriptions or URLs) concatenated,
    /// paragraphs separated by `\n`.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for e in &p.elems {
                if let Some(t) = &e.text {
                    out.push_str(&t.text);
                } else if let Some(u) = &e.url {
                    match u.desc.as_deref().filter(|d| !d.is_empty()) {
                        Some(d) => out.push_str(d),
                        None => out.push_str(&u.url),
                    }
                }
            }
        }
        out
    }
}

/// A paragraph.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Paragraph {
    /// Elements, in order.
    pub elems: Vec<Elem>,
    /// Paragraph properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub props: Option<ParagraphProps>,
}

/// Paragraph properties.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ParagraphProps {
    /// Alignment: 0 left, 1 centre, 2 right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<i64>,
}

int_enum! {
    /// Element type (`type`).
    pub enum ElemType {
        /// Text.
        Text = 1,
        /// Image.
        Image = 2,
        /// Video.
        Video = 3,
        /// Link.
        Url = 4,
    }
}

/// One element of a paragraph; the member named by `type` is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct Elem {
    /// Element type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ElemType>,
    /// Text element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextElem>,
    /// Image element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageElem>,
    /// Video element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<VideoElem>,
    /// Link element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<UrlElem>,
}

/// A text element.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct TextElem {
    /// The text.
    pub text: Text,
    /// Its style (bold, italic, underline), when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub props: Option<TextProps>,
}

/// The style of a text element (`props` of `text`; botpy `TextProps`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct TextProps {
    /// Bold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_bold: Option<bool>,
    /// Italic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underlined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
}

/// An image element.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct ImageElem {
    /// Third-party image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_url: Option<Text>,
    /// Width as a fraction of the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width_percent: Option<f64>,
    /// Image hosted by the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plat_image: Option<PlatImage>,
}

/// An image hosted by the platform.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct PlatImage {
    /// URL.
    pub url: Text,
    /// Width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Image id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<Text>,
}

/// A video element.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct VideoElem {
    /// Third-party video URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_url: Option<Text>,
    /// Video hosted by the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plat_video: Option<PlatVideo>,
}

/// A video hosted by the platform.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct PlatVideo {
    /// URL.
    pub url: Text,
    /// Width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Video id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<Text>,
    /// Duration in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    /// Cover image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<PlatImage>,
}

/// A link element.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default)]
pub struct UrlElem {
    /// URL.
    pub url: Text,
    /// Link text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<Text>,
}

crate::de::lenient_payload!(
    Lossy:
    RichText { paragraphs },
    Paragraph { elems, props },
    ParagraphProps { alignment },
    Elem { kind = "type", text, image, video, url },
    TextElem { text, props },
    TextProps { font_bold, italic, underline },
    ImageElem { third_url, width_percent, plat_image },
    PlatImage { url, width, height, image_id },
    VideoElem { third_url, plat_video },
    PlatVideo { url, width, height, video_id, duration, cover },
    UrlElem { url, desc },
);
crate::de::serialize_derived!(
    RichText,
    Paragraph,
    ParagraphProps,
    Elem,
    TextElem,
    TextProps,
    ImageElem,
    PlatImage,
    VideoElem,
    PlatVideo,
    UrlElem
);
