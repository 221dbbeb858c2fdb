//! Users, message authors (object or plain name) and mentions (ids or objects).

use serde::de::{self as sde, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

use crate::Text;

/// A Bubble user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct User {
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// User name (`name`; the AlemonJS client says `username`).
    #[serde(alias = "username", skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Avatar URL or path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Text>,
    /// Whether the user is a bot (`isBot` / `is_bot`).
    #[serde(alias = "is_bot", skip_serializing_if = "Option::is_none")]
    pub is_bot: Option<bool>,
    /// Nickname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<Text>,
}

/// A message's `author`: an object in the seed schema, a plain user name in the 2026-03 schema
/// (which puts the id in `authorId`). A bare number is taken as the id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Author {
    /// The seed schema's author object.
    User(User),
    /// The 2026-03 schema's user name.
    Name(Text),
    /// A bare id.
    Id(i64),
}

impl Author {
    /// The author's id, when the author carries one.
    pub fn id(&self) -> Option<i64> {
        match self {
            Author::User(u) => u.id,
            Author::Id(id) => Some(*id),
            Author::Name(_) => None,
        }
    }

    /// The author's name, when the author carries one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Author::User(u) => u.name.as_deref(),
            Author::Name(n) => Some(n.as_str()),
            Author::Id(_) => None,
        }
    }
}

impl Serialize for Author {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Author::User(u) => u.serialize(s),
            Author::Name(n) => s.serialize_str(n),
            Author::Id(id) => s.serialize_i64(*id),
        }
    }
}

impl<'de> Deserialize<'de> for Author {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(opt_author(d)?.unwrap_or(Author::Name(Text::new())))
    }
}

/// The direct pass's read of `author` (decision 0035): an object read in place as a [`User`]
/// (as `opt_author` reads it: a map is a `User`), anything else by `opt_author` itself.
pub(crate) fn direct_opt_author(
    input: &mut crate::de::direct::Input<'_>,
    out: &mut Option<Author>,
) -> serde_json::Result<()> {
    if input.peek() == Some(b'{') {
        let mut user = User::default();
        <User as crate::de::direct::Direct>::read(input, &mut user)?;
        *out = Some(Author::User(user));
        return Ok(());
    }
    crate::de::direct::with(input, out, opt_author)
}

/// Never fails: an author object, name or id; anything else (or `null`, `""`) is `None`.
pub(crate) fn opt_author<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Author>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Author>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an author object, name or id")
        }
        fn visit_map<A: sde::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
            <User as Deserialize>::deserialize(sde::value::MapAccessDeserializer::new(a))
                .map(|u| Some(Author::User(u)))
        }
        /// Not lenient-read (`de::peek`): read the value as it comes.
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        /// A name borrowed from the payload shares its buffer (decision 0032).
        fn visit_borrowed_str<E: sde::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            if v.is_empty() {
                return Ok(None);
            }
            Text::deserialize(sde::value::BorrowedStrDeserializer::new(v))
                .map(|t| Some(Author::Name(t)))
        }
        fn visit_str<E: sde::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| Author::Name(Text::from(v))))
        }
        fn visit_string<E: sde::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| Author::Name(Text::from(v))))
        }
        fn visit_i64<E: sde::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Author::Id(v)))
        }
        fn visit_u64<E: sde::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(i64::try_from(v).ok().map(Author::Id))
        }
        fn visit_f64<E: sde::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: sde::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: sde::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a.next_element::<sde::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_none<E: sde::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: sde::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        /// An object, still read leniently (`de::peek`).
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            <User as Deserialize>::deserialize(d).map(|u| Some(Author::User(u)))
        }
    }
    crate::de::peek(d, V)
}

/// A mentioned user (or role, ...) in the 2026-03 schema.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(default, rename_all = "camelCase")]
pub struct MentionEntity {
    /// What is mentioned (`user`, ...).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// Its avatar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Text>,
}

/// One entry of `mentions`: a bare user id (seed) or an object (2026-03).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MentionRef {
    /// A user id.
    Id(i64),
    /// A mention object.
    Entity(MentionEntity),
}

impl MentionRef {
    /// The mentioned id.
    pub fn id(&self) -> Option<i64> {
        match self {
            MentionRef::Id(id) => Some(*id),
            MentionRef::Entity(e) => e.id,
        }
    }
}

impl Serialize for MentionRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MentionRef::Id(id) => s.serialize_i64(*id),
            MentionRef::Entity(e) => e.serialize(s),
        }
    }
}

/// One list element that never fails: `None` for shapes that are neither an id nor an object.
struct OptMention(Option<MentionRef>);

impl<'de> Deserialize<'de> for OptMention {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OptMention;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a user id or a mention object")
            }
            fn visit_map<A: sde::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                <MentionEntity as Deserialize>::deserialize(sde::value::MapAccessDeserializer::new(
                    a,
                ))
                .map(|e| OptMention(Some(MentionRef::Entity(e))))
            }
            fn visit_i64<E: sde::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(OptMention(Some(MentionRef::Id(v))))
            }
            fn visit_u64<E: sde::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(OptMention(i64::try_from(v).ok().map(MentionRef::Id)))
            }
            fn visit_f64<E: sde::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(OptMention(None))
            }
            fn visit_str<E: sde::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OptMention(v.trim().parse().ok().map(MentionRef::Id)))
            }
            fn visit_bool<E: sde::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(OptMention(None))
            }
            fn visit_seq<A: sde::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<sde::IgnoredAny>()?.is_some() {}
                Ok(OptMention(None))
            }
            fn visit_none<E: sde::Error>(self) -> Result<Self::Value, E> {
                Ok(OptMention(None))
            }
            fn visit_unit<E: sde::Error>(self) -> Result<Self::Value, E> {
                Ok(OptMention(None))
            }
            /// An object, still read leniently (`de::peek`).
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                <MentionEntity as Deserialize>::deserialize(d)
                    .map(|e| OptMention(Some(MentionRef::Entity(e))))
            }
            /// Not lenient-read (`de::peek`): read the value as it comes.
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
        crate::de::peek(d, V)
    }
}

impl<'de> Deserialize<'de> for MentionRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OptMention::deserialize(d)?
            .0
            .ok_or_else(|| sde::Error::custom("expected a user id or a mention object"))
    }
}

/// Never fails: a list of ids and / or mention objects; other elements (and a non-list) are
/// dropped.
pub(crate) fn mentions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MentionRef>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<MentionRef>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of mentions")
        }
        fn visit_seq<A: sde::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(OptMention(m)) = a.next_element()? {
                out.extend(m);
            }
            Ok(out)
        }
        fn visit_map<A: sde::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a
                .next_entry::<sde::IgnoredAny, sde::IgnoredAny>()?
                .is_some()
            {}
            Ok(Vec::new())
        }
        fn visit_i64<E: sde::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E: sde::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E: sde::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_str<E: sde::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E: sde::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: sde::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: sde::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        /// An object (`de::peek`): not a list.
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            sde::IgnoredAny::deserialize(d)?;
            Ok(Vec::new())
        }
        /// Not lenient-read (`de::peek`): read the value as it comes.
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    crate::de::peek(d, V)
}

crate::de::lenient_payload!(
    Lossy:
    User { id, name = "name" | "username", avatar, is_bot = "isBot" | "is_bot", nickname },
    MentionEntity { kind = "type", id, name, avatar },
);
crate::de::serialize_derived!(User, MentionEntity);
