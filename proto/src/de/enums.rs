//! The two enum shapes of the payload types: integer-coded (`Other(i64)` keeps unknown codes) and
//! string-coded (`Unknown(String)` keeps unknown names). Both read by the scalar rule.

/// Defines a public integer-coded enum whose unknown values are kept in `Other(i64)`.
///
/// It deserializes leniently (a number or a numeric string; optional string aliases map to a
/// variant) and serializes as its integer.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Other(i64),
        }

        impl $name {
            /// The enum for a wire integer (unknown values become `Other`).
            pub fn from_i64(v: i64) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }

            /// The wire integer.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(v) => *v,
                }
            }

            /// Whether the value is one this version does not know.
            pub fn is_other(&self) -> bool {
                matches!(self, Self::Other(_))
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self::from_i64(v)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.as_i64())
            }
        }

        $crate::de::direct_by_serde!(Option<$name>);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = $crate::de::opt_string(d)?;
                let v = v.as_deref().map(str::trim).unwrap_or("");
                $( $( if v == $alias { return Ok(Self::$variant); } )* )+
                v.parse::<i64>().map(Self::from_i64).map_err(|_| {
                    <D::Error as serde::de::Error>::invalid_value(
                        serde::de::Unexpected::Str(v),
                        &concat!("an integer code of ", stringify!($name)),
                    )
                })
            }
        }
    };
}
pub(crate) use int_enum;

/// Defines a public string-coded enum whose unknown values are kept in `Unknown(String)`.
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(s) => s,
                }
            }

            /// Whether the value is one this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        $crate::de::direct_by_serde!(Option<$name>);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = $crate::de::string(d)?;
                Ok(match s.parse::<$name>() {
                    Ok(v) => v,
                    Err(never) => match never {},
                })
            }
        }
    };
}
pub(crate) use str_enum;
