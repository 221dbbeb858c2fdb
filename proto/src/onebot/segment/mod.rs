//! Message segments: `{"type": "...", "data": {...}}`, one typed variant per known type.
//!
//! A segment of a type botgate does not know is kept as [`Segment::Unknown`] with its `data`
//! map. A segment of a known type whose `data` does not fit the typed struct (a coordinate that
//! is not a number, say) is kept the same way rather than failing the whole message. A known
//! type's data fields its struct does not model are kept in the struct's `extra`
//! ([`Segment::extra`], decision 0058): the producer's data is never lost.

mod data;

pub use data::*;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A segment of a type botgate does not know (or whose data did not fit its typed struct).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnknownSegment {
    /// The segment type as sent (`type`).
    pub kind: String,
    /// The `data` object as sent (`null` is empty).
    pub data: Map<String, Value>,
}

macro_rules! segments {
    ($( $(#[$m:meta])* $variant:ident = $wire:literal ),+ $(,)?) => {
        /// One segment of a message.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Segment {
            $( $(#[$m])* $variant($variant), )+
            /// A segment botgate does not know; kept as sent.
            Unknown(UnknownSegment),
        }

        impl Segment {
            /// Every segment type with a typed variant, as wire names.
            pub const KNOWN_TYPES: &'static [&'static str] = &[$($wire),+];

            /// The wire name of the segment type (`text`, `image`, ...).
            pub fn kind(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $wire, )+
                    Self::Unknown(u) => &u.kind,
                }
            }

            /// Decode typed data for `kind`. `None` if the type is not known; `Some(Err)` if
            /// the data does not fit. Through `de::from_value`, the lenient decode of the
            /// payload types' own `Deserialize` without its copy of the `Value` first.
            fn typed(kind: &str, data: &Value) -> Option<Result<Segment, serde_json::Error>> {
                match kind {
                    $( $wire => Some(crate::de::from_value::<$variant>(data).map(Self::$variant)), )+
                    _ => None,
                }
            }

            /// The data fields the segment's type does not model, as sent: a typed segment's
            /// `extra` (NapCat's `face.raw`, `reply.seq`, ...), an unknown segment's whole
            /// `data` (decision 0058).
            ///
            /// ```
            /// use botgate_proto::onebot::Segment;
            /// let s: Segment = serde_json::from_str(
            ///     r#"{"type":"reply","data":{"id":"123","seq":456}}"#,
            /// )?;
            /// assert_eq!(s, Segment::reply(123).with_extra("seq", 456));
            /// assert_eq!(s.extra()["seq"], 456);
            /// assert_eq!(serde_json::to_string(&s)?, r#"{"type":"reply","data":{"id":"123","seq":456}}"#);
            /// # Ok::<(), serde_json::Error>(())
            /// ```
            pub fn extra(&self) -> &Map<String, Value> {
                match self {
                    $( Self::$variant(d) => &d.extra, )+
                    Self::Unknown(u) => &u.data,
                }
            }

            /// [`extra`](Self::extra), to change.
            pub fn extra_mut(&mut self) -> &mut Map<String, Value> {
                match self {
                    $( Self::$variant(d) => &mut d.extra, )+
                    Self::Unknown(u) => &mut u.data,
                }
            }

            /// The data serialised as a JSON value (an object for every known type).
            pub(crate) fn data_value(&self) -> Result<Value, serde_json::Error> {
                match self {
                    $( Self::$variant(d) => serde_json::to_value(d), )+
                    Self::Unknown(u) => Ok(Value::Object(u.data.clone())),
                }
            }

            /// The data as JSON text, fields in declaration order.
            pub(crate) fn data_json(&self) -> Result<String, serde_json::Error> {
                match self {
                    $( Self::$variant(d) => serde_json::to_string(d), )+
                    Self::Unknown(u) => serde_json::to_string(&u.data),
                }
            }

            fn serialize_data<S: SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
                match self {
                    $( Self::$variant(d) => st.serialize_field("data", d), )+
                    Self::Unknown(u) => st.serialize_field("data", &u.data),
                }
            }
        }

        $(
            impl From<$variant> for Segment {
                fn from(d: $variant) -> Self {
                    Self::$variant(d)
                }
            }
        )+
    };
}

segments! {
    /// Plain text.
    Text = "text",
    /// A QQ face.
    Face = "face",
    /// A picture.
    Image = "image",
    /// A voice message.
    Record = "record",
    /// A short video.
    Video = "video",
    /// An @-mention.
    At = "at",
    /// Rock-paper-scissors.
    Rps = "rps",
    /// A dice roll.
    Dice = "dice",
    /// A window shake.
    Shake = "shake",
    /// A poke (segment form).
    Poke = "poke",
    /// Send anonymously.
    Anonymous = "anonymous",
    /// A link share.
    Share = "share",
    /// A recommended friend or group.
    Contact = "contact",
    /// A location.
    Location = "location",
    /// A music share.
    Music = "music",
    /// A reply to a message.
    Reply = "reply",
    /// A forwarded-messages bundle.
    Forward = "forward",
    /// A node of a forward bundle.
    Node = "node",
    /// An XML card.
    Xml = "xml",
    /// A JSON card.
    Json = "json",
    /// A file (extension).
    File = "file",
    /// A market face (extension).
    Mface = "mface",
    /// Markdown (extension).
    Markdown = "markdown",
}

/// Why [`Segment::from_parts_strict`] refused a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentDataError {
    /// The segment type.
    pub kind: String,
    /// What did not fit.
    pub reason: String,
}

impl fmt::Display for SegmentDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` segment data: {}", self.kind, self.reason)
    }
}

impl std::error::Error for SegmentDataError {}

impl Segment {
    /// A text segment.
    pub fn text(text: impl Into<crate::Text>) -> Self {
        Self::Text(Text {
            text: text.into(),
            extra: Map::new(),
        })
    }

    /// An @-mention of a user.
    pub fn at(user_id: i64) -> Self {
        Self::At(At {
            qq: user_id.to_string().into(),
            ..At::default()
        })
    }

    /// An @-mention of everyone.
    pub fn at_all() -> Self {
        Self::At(At {
            qq: "all".into(),
            ..At::default()
        })
    }

    /// A reply to the message with this id.
    pub fn reply(message_id: impl ToString) -> Self {
        Self::Reply(Reply {
            id: message_id.to_string().into(),
            extra: Map::new(),
        })
    }

    /// A face by id.
    pub fn face(id: impl ToString) -> Self {
        Self::Face(Face {
            id: id.to_string().into(),
            extra: Map::new(),
        })
    }

    /// A picture by file name, URL or `base64://` data.
    pub fn image(file: impl Into<crate::Text>) -> Self {
        Self::Image(Image {
            file: file.into(),
            ..Image::default()
        })
    }

    /// This segment with one more data field its type does not model (builder style; see
    /// [`extra`](Self::extra)). A key the type models belongs in its field, not here.
    #[must_use]
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra_mut().insert(key.into(), value.into());
        self
    }

    /// The segment from a type and a data map, leniently: a known type whose data does not
    /// fit stays [`Segment::Unknown`] with the data as sent.
    pub fn from_parts(kind: String, data: Map<String, Value>) -> Self {
        let data = Value::Object(data);
        match Self::typed(&kind, &data) {
            Some(Ok(seg)) => seg,
            Some(Err(_)) | None => Self::Unknown(UnknownSegment {
                kind,
                data: match data {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
            }),
        }
    }

    /// The segment from a type and a data map, strictly: a known type whose data does not fit
    /// is an error. Unknown types are still kept.
    pub fn from_parts_strict(
        kind: String,
        data: Map<String, Value>,
    ) -> Result<Self, SegmentDataError> {
        let data = Value::Object(data);
        match Self::typed(&kind, &data) {
            Some(Ok(seg)) => Ok(seg),
            Some(Err(e)) => Err(SegmentDataError {
                kind,
                reason: e.to_string(),
            }),
            None => Ok(Self::Unknown(UnknownSegment {
                kind,
                data: match data {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
            })),
        }
    }

    /// The `data` as a JSON object (`Value::Object`), under wire names.
    pub fn data(&self) -> Value {
        self.data_value().unwrap_or(Value::Null)
    }

    /// The text if this is a text segment.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(&t.text),
            _ => None,
        }
    }

    /// Whether this is a segment botgate has no typed variant for.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }
}

impl At {
    /// Whether this mentions everyone (`qq` is `all`).
    pub fn is_all(&self) -> bool {
        self.qq == "all"
    }

    /// The mentioned user's id, if `qq` is a number.
    pub fn user_id(&self) -> Option<i64> {
        self.qq.trim().parse().ok()
    }
}

impl Serialize for Segment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Segment", 2)?;
        st.serialize_field("type", self.kind())?;
        self.serialize_data(&mut st)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SegmentVisitor)
    }
}

/// Reads `{"type": .., "data": ..}` in any key order; other keys are ignored. An absent `type`
/// (missing, `null`, `""`) keeps the segment as [`Segment::Unknown`] with an empty kind, and an
/// absent `data` is empty (decision 0014).
pub(crate) struct SegmentVisitor;

/// A segment's `type`, by the string rule.
#[derive(Deserialize)]
struct TypeField(#[serde(deserialize_with = "crate::de::opt_string")] Option<String>);

/// A segment's `data`: an object, or absent.
#[derive(Deserialize)]
struct DataField(#[serde(deserialize_with = "crate::de::opt")] Option<Map<String, Value>>);

impl<'de> Visitor<'de> for SegmentVisitor {
    type Value = Segment;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a segment object {\"type\", \"data\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Segment, A::Error> {
        let mut kind: Option<Option<String>> = None;
        let mut data: Option<Option<Map<String, Value>>> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => {
                    if kind.is_some() {
                        return Err(de::Error::duplicate_field("type"));
                    }
                    kind = Some(map.next_value::<TypeField>()?.0);
                }
                "data" => {
                    if data.is_some() {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    data = Some(map.next_value::<DataField>()?.0);
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(Segment::from_parts(
            kind.flatten().unwrap_or_default(),
            data.flatten().unwrap_or_default(),
        ))
    }
}

/// One element of a segment array: a segment, or `None` for an absent element (`null`, `""`).
pub(crate) struct SegmentOrAbsent;

impl<'de> DeserializeSeed<'de> for SegmentOrAbsent {
    type Value = Option<Segment>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SegmentOrAbsent {
    type Value = Option<Segment>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a segment object {\"type\", \"data\"} or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SegmentVisitor.visit_map(map).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Ok(None)
        } else {
            Err(de::Error::invalid_type(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_segment_decodes_numbers_sent_as_strings_and_numbers() {
        let a: Segment = serde_json::from_str(r#"{"type":"face","data":{"id":178}}"#).unwrap();
        let b: Segment = serde_json::from_str(r#"{"data":{"id":"178"},"type":"face"}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, Segment::face(178));
    }

    #[test]
    fn unknown_type_is_kept_with_its_data() {
        let s: Segment =
            serde_json::from_str(r#"{"type":"longmsg","data":{"id":"x","n":1}}"#).unwrap();
        let Segment::Unknown(u) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(u.kind, "longmsg");
        assert_eq!(u.data["n"], 1);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"type":"longmsg","data":{"id":"x","n":1}}"#
        );
    }

    #[test]
    fn known_type_with_unfitting_data_is_kept_raw() {
        let s: Segment =
            serde_json::from_str(r#"{"type":"location","data":{"lat":"north","lon":1}}"#).unwrap();
        assert!(s.is_unknown());
        assert_eq!(s.kind(), "location");
        let strict =
            Segment::from_parts_strict("location".into(), s.data().as_object().cloned().unwrap());
        assert!(strict.is_err());
    }

    #[test]
    fn null_data_is_empty_data() {
        let s: Segment = serde_json::from_str(r#"{"type":"shake","data":null}"#).unwrap();
        assert_eq!(s, Segment::Shake(Shake::default()));
        let s: Segment = serde_json::from_str(r#"{"type":"rps"}"#).unwrap();
        assert_eq!(s, Segment::Rps(Rps::default()));
    }

    #[test]
    fn segment_without_type_is_kept_with_an_empty_kind() {
        for json in [
            r#"{"data":{"a":1}}"#,
            r#"{"type":null,"data":{"a":1}}"#,
            r#"{"type":"","data":{"a":1}}"#,
        ] {
            let s: Segment = serde_json::from_str(json).unwrap();
            assert!(s.is_unknown(), "{json}");
            assert_eq!((s.kind(), s.data()["a"].as_i64()), ("", Some(1)), "{json}");
        }
        let s: Segment = serde_json::from_str(r#"{"type":"face","data":""}"#).unwrap();
        assert_eq!(s, Segment::Face(Face::default()));
    }

    /// Decodes `json` as a segment, checks its type and that it serialises back to `expect`
    /// (the same keys, the same values).
    fn round_trip(json: &str, kind: &str, expect: &Value) -> Segment {
        let s: Segment = serde_json::from_str(json).unwrap();
        assert!(!s.is_unknown(), "{s:?}");
        assert_eq!(s.kind(), kind);
        assert_eq!(&serde_json::to_value(&s).unwrap(), expect, "{json}");
        assert_eq!(&s.data(), &expect["data"], "{json}");
        // and from the JSON it serialises to, the same segment again
        let again: Segment = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(again, s);
        s
    }

    #[test]
    fn face_keeps_napcat_s_raw_and_result_id() {
        let json = r#"{"type":"face","data":{"id":"14","raw":{"faceIndex":14,"faceText":"/微笑","faceType":1,"sourceType":1},"resultId":null}}"#;
        let original: Value = serde_json::from_str(json).unwrap();
        let s = round_trip(json, "face", &original);
        let Segment::Face(face) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(face.id, "14");
        assert_eq!(face.extra["raw"]["faceText"], "/微笑");
        assert_eq!(face.extra.get("resultId"), Some(&Value::Null));
        assert!(
            !face.extra.contains_key("id"),
            "a modelled key is not repeated"
        );
        assert_eq!(s.extra(), &face.extra);
    }

    #[test]
    fn forward_keeps_its_content() {
        let json = r#"{"type":"forward","data":{"id":"abc","content":[{"type":"text","data":{"text":"hi"}},{"type":"face","data":{"id":"1"}}]}}"#;
        let original: Value = serde_json::from_str(json).unwrap();
        let s = round_trip(json, "forward", &original);
        let Segment::Forward(forward) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(forward.id, "abc");
        assert_eq!(forward.extra.len(), 1);
        assert_eq!(forward.extra["content"][1]["data"]["id"], "1");
        // kept as sent: a handler may read it as segments
        let inner: Vec<Segment> = crate::de::from_value(&forward.extra["content"]).unwrap();
        assert_eq!(inner, [Segment::text("hi"), Segment::face(1)]);
    }

    #[test]
    fn image_keeps_sub_type_beside_its_modelled_fields() {
        let json = r#"{"type":"image","data":{"file":"x.jpg","url":"https://multimedia.nt.qq.com.cn/download?appid=1407","summary":"[图片]","sub_type":0,"file_size":"1234"}}"#;
        let mut expect: Value = serde_json::from_str(json).unwrap();
        // A modelled size reads numbers sent as strings; it is written as the number.
        expect["data"]["file_size"] = Value::from(1234);
        let s = round_trip(json, "image", &expect);
        let Segment::Image(image) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(
            (
                image.file.as_str(),
                image.file_size,
                image.summary.as_deref()
            ),
            ("x.jpg", Some(1234), Some("[图片]"))
        );
        assert_eq!(image.sub_type, None, "`subType` is the modelled key");
        assert_eq!(image.extra.len(), 1, "{:?}", image.extra);
        assert_eq!(image.extra["sub_type"], 0);
    }

    #[test]
    fn reply_keeps_its_seq() {
        let json = r#"{"type":"reply","data":{"id":"123","seq":456}}"#;
        let original: Value = serde_json::from_str(json).unwrap();
        let s = round_trip(json, "reply", &original);
        assert_eq!(s, Segment::reply(123).with_extra("seq", 456));
        assert_eq!(s.extra()["seq"], 456);
        assert_eq!(serde_json::to_string(&s).unwrap(), json);
    }

    #[test]
    fn unmodelled_fields_are_kept_when_the_coercing_passes_read_the_data() {
        // `id` as a number: the first pass refuses it, the lenient one reads it.
        let s: Segment = serde_json::from_str(
            r#"{"type":"face","data":{"id":14,"resultId":"","raw":{"a":[null,""]}}}"#,
        )
        .unwrap();
        let Segment::Face(face) = &s else {
            panic!("{s:?}")
        };
        assert_eq!(face.id, "14");
        // `""` and `null` are values here, not absent ones: kept as sent
        assert_eq!(face.extra["resultId"], "");
        assert_eq!(face.extra["raw"], serde_json::json!({"a": [null, ""]}));
    }

    #[test]
    fn every_known_type_keeps_what_it_does_not_model() {
        for kind in Segment::KNOWN_TYPES {
            let mut data = Map::new();
            data.insert("x_unmodelled".to_owned(), Value::from("v"));
            let s = Segment::from_parts((*kind).to_owned(), data);
            assert!(!s.is_unknown(), "{kind}");
            assert_eq!(
                s.extra().get("x_unmodelled"),
                Some(&Value::from("v")),
                "{kind}"
            );
            assert_eq!(s.data()["x_unmodelled"], "v", "{kind}");
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json.matches("x_unmodelled").count(), 1, "{json}");
        }
    }

    #[test]
    fn a_segment_without_unmodelled_fields_serialises_as_before() {
        let s: Segment = serde_json::from_str(r#"{"type":"face","data":{"id":"14"}}"#).unwrap();
        assert!(s.extra().is_empty());
        assert_eq!(s, Segment::face(14));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"type":"face","data":{"id":"14"}}"#
        );
    }

    #[test]
    fn segment_of_the_wrong_shape_is_an_error() {
        assert!(serde_json::from_str::<Segment>(r#"{"type":"text","data":[1]}"#).is_err());
        assert!(serde_json::from_str::<Segment>(r#"{"type":{},"data":{}}"#).is_err());
    }
}
