//! A message: a list of segments, read from a segment array, a single segment object or a CQ
//! string (all three occur on the wire, depending on `message_format` and the implementation;
//! reading them, and the CQ form, is `message_forms.rs`).

use super::segment::Segment;
use serde::{Serialize, Serializer};
use std::ops::{Deref, DerefMut};

/// A message: its segments in order. Always serialised as a segment array.
///
/// Deserialises from a segment array, one segment object, a CQ string (parsed leniently, see
/// [`cq::parse_lenient`](crate::onebot::cq::parse_lenient)) or `null` (empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message(pub Vec<Segment>);

crate::de::direct_by_serde!(Message);

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// A message of one text segment.
    pub fn text(text: impl Into<crate::Text>) -> Self {
        Self(vec![Segment::text(text)])
    }

    /// This message with a segment appended (builder style; `Vec::push` is there too, by
    /// `DerefMut`).
    #[must_use]
    pub fn with(mut self, seg: impl Into<Segment>) -> Self {
        self.0.push(seg.into());
        self
    }

    /// The text segments joined: what a user typed, without faces, pictures or mentions.
    pub fn plain_text(&self) -> String {
        self.0.iter().filter_map(Segment::as_text).collect()
    }

    /// Merge adjacent text segments and drop empty ones (the form
    /// [`cq::parse`](crate::onebot::cq::parse) produces). A text segment with fields of its
    /// own (`extra`, decision 0058) is neither merged nor dropped: that would lose them.
    pub fn normalize(&mut self) {
        let mut out: Vec<Segment> = Vec::with_capacity(self.0.len());
        for seg in self.0.drain(..) {
            push_normalized(&mut out, seg);
        }
        self.0 = out;
    }
}

/// Appends `seg` to segments in the normalised form ([`Message::normalize`]): empty text is
/// dropped, text merged into text before it; text with fields of its own (`extra`) stays as
/// it is.
pub(crate) fn push_normalized(out: &mut Vec<Segment>, seg: Segment) {
    if let Segment::Text(t) = &seg {
        if t.extra.is_empty() {
            if t.text.is_empty() {
                return;
            }
            if let Some(Segment::Text(prev)) = out.last_mut() {
                if prev.extra.is_empty() {
                    prev.text = crate::Text::from([prev.text.as_str(), &t.text].concat());
                    return;
                }
            }
        }
    }
    out.push(seg);
}

impl Deref for Message {
    type Target = Vec<Segment>;
    fn deref(&self) -> &Vec<Segment> {
        &self.0
    }
}

impl DerefMut for Message {
    fn deref_mut(&mut self) -> &mut Vec<Segment> {
        &mut self.0
    }
}

impl From<Vec<Segment>> for Message {
    fn from(v: Vec<Segment>) -> Self {
        Self(v)
    }
}

impl From<Segment> for Message {
    fn from(s: Segment) -> Self {
        Self(vec![s])
    }
}

impl From<&str> for Message {
    /// Plain text (not parsed as CQ code).
    fn from(s: &str) -> Self {
        Self::text(s)
    }
}

impl FromIterator<Segment> for Message {
    fn from_iter<I: IntoIterator<Item = Segment>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for Message {
    type Item = Segment;
    type IntoIter = std::vec::IntoIter<Segment>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Message {
    type Item = &'a Segment;
    type IntoIter = std::slice::Iter<'a, Segment>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_string_and_single_object_decode_alike() {
        let a: Message = serde_json::from_str(
            r#"[{"type":"text","data":{"text":"hi "}},{"type":"face","data":{"id":"178"}}]"#,
        )
        .unwrap();
        let b: Message = serde_json::from_str(r#""hi [CQ:face,id=178]""#).unwrap();
        assert_eq!(a, b);
        let c: Message = serde_json::from_str(r#"{"type":"face","data":{"id":178}}"#).unwrap();
        assert_eq!(c.0, vec![Segment::face(178)]);
        let d: Message = serde_json::from_str("null").unwrap();
        assert!(d.is_empty());
    }

    #[test]
    fn normalize_merges_text_and_drops_empty() {
        let mut m = Message(vec![
            Segment::text("a"),
            Segment::text(""),
            Segment::text("b"),
            Segment::face(1),
            Segment::text(""),
        ]);
        m.normalize();
        assert_eq!(m.0, vec![Segment::text("ab"), Segment::face(1)]);
        assert_eq!(m.plain_text(), "ab");
    }

    #[test]
    fn absent_elements_are_dropped() {
        let m: Message =
            serde_json::from_str(r#"[null,"",{"type":"text","data":{"text":"a"}},null]"#).unwrap();
        assert_eq!(m.0, vec![Segment::text("a")]);
        let m: Message = serde_json::from_str(r#""""#).unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn numbers_and_bools_are_their_text_but_not_segments() {
        // A CQ string sent as a number or a bool reads as its text, as any string field
        // does (decision 0071); a number where a segment belongs is still no segment.
        for (json, text) in [("12", "12"), ("-1.5", "-1.5"), ("true", "true")] {
            let m: Message = serde_json::from_str(json).unwrap();
            assert_eq!(m.to_cq(), text, "{json}");
        }
        assert!(serde_json::from_str::<Message>("[1]").is_err());
    }
}
