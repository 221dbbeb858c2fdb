//! A [`Message`] in its wire forms: read from a segment array, one segment object, a CQ string
//! or `null`, and converted to and from a CQ string. Apart from `message.rs` so that the type
//! does not import the CQ parser, which builds messages itself (`node` contents).

use super::cq;
use super::message::Message;
use super::segment::{SegmentOrAbsent, SegmentVisitor};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

impl Message {
    /// Parse a CQ string strictly.
    pub fn from_cq(s: &str) -> Result<Self, cq::CqError> {
        cq::parse(s).map(Self)
    }

    /// Render as a CQ string.
    pub fn to_cq(&self) -> String {
        cq::render(&self.0)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MessageVisitor)
    }
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a segment array, a segment object or a CQ string")
    }

    /// A CQ string borrowed from the payload: its text runs share the payload's buffer
    /// (decision 0032).
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Message, E> {
        let text = crate::Text::deserialize(de::value::BorrowedStrDeserializer::new(v))?;
        Ok(Message(cq::parse_lenient_text(&text)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Message, E> {
        Ok(Message(cq::parse_lenient(v)))
    }

    /// A number or a bool is its text, as in any string field (decision 0071).
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Message, E> {
        Ok(Message(cq::parse_lenient(&v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Message, E> {
        Ok(Message(cq::parse_lenient(&v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Message, E> {
        Ok(Message(cq::parse_lenient(&v.to_string())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Message, E> {
        Ok(Message(cq::parse_lenient(&v.to_string())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Message, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        // An absent element (`null`, `""`) is dropped (decision 0014).
        while let Some(seg) = seq.next_element_seed(SegmentOrAbsent)? {
            out.extend(seg);
        }
        Ok(Message(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Message, A::Error> {
        SegmentVisitor.visit_map(map).map(|s| Message(vec![s]))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Message, E> {
        Ok(Message::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Message, E> {
        Ok(Message::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Message, D::Error> {
        d.deserialize_any(self)
    }
}
