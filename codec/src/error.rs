//! The codec's one error type: what is wrong, in which field of which frame.

use std::error::Error as StdError;
use std::fmt;

/// An error from scanning, decoding or parsing wire data.
///
/// `kind()` says what went wrong and where; the source (a serde error, say) is kept.
///
/// One pointer wide (the details are boxed), so the `Result`s of the scan's hot path stay in
/// registers; the allocation happens only when something is wrong.
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("source", &self.inner.source)
            .finish()
    }
}

/// What went wrong, with the place it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not valid JSON (truncated, stray characters, invalid UTF-8 in a string).
    Syntax {
        /// Byte offset in the frame where the problem was found.
        offset: usize,
        /// What was wrong there.
        reason: String,
    },
    /// The envelope is not what the protocol requires (no `op`, `op` not an integer, ...).
    Envelope {
        /// The envelope field (`op`, `s`, `t`, `id`, `post_type`, ...).
        field: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The payload of a known event type did not decode into its typed struct.
    Payload {
        /// The event type or kind (`AT_MESSAGE_CREATE`, `message.group`, ...).
        event: String,
        /// The path of the offending field inside the payload (`author.id`), `.` for the root.
        path: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The frame is bigger than the configured limit, or nested deeper than allowed.
    TooLarge {
        /// What exceeded the limit (`frame`, `nesting`).
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not valid UTF-8 (a frame must be UTF-8 text).
    InvalidUtf8 {
        /// Byte offset of the first byte that is not part of a valid UTF-8 sequence.
        offset: usize,
    },
    /// A CQ-code string is malformed.
    CqCode {
        /// Byte offset in the string.
        offset: usize,
        /// What was wrong there.
        reason: String,
    },
}

impl Error {
    /// A new error of this kind, without a source.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            inner: Box::new(Inner { kind, source: None }),
        }
    }

    /// A new error of this kind with the underlying error kept as its source.
    pub fn with_source(
        kind: ErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                source: Some(source.into()),
            }),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The underlying error, if any.
    pub fn into_source(self) -> Option<Box<dyn StdError + Send + Sync>> {
        self.inner.source
    }

    /// The kind and the underlying error.
    pub fn into_parts(self) -> (ErrorKind, Option<Box<dyn StdError + Send + Sync>>) {
        (self.inner.kind, self.inner.source)
    }

    /// Shorthand for an [`ErrorKind::Syntax`] error.
    pub fn syntax(offset: usize, reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Syntax {
            offset,
            reason: reason.into(),
        })
    }

    /// Shorthand for an [`ErrorKind::Envelope`] error.
    pub fn envelope(field: &'static str, reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Envelope {
            field,
            reason: reason.into(),
        })
    }

    /// Shorthand for an [`ErrorKind::TooLarge`] error.
    pub fn too_large(what: &'static str, limit: usize) -> Self {
        Self::new(ErrorKind::TooLarge { what, limit })
    }

    /// Shorthand for an [`ErrorKind::InvalidUtf8`] error.
    pub fn invalid_utf8(offset: usize) -> Self {
        Self::new(ErrorKind::InvalidUtf8 { offset })
    }

    /// Like [`decode_payload`](Self::decode_payload), for a payload that is an object on the
    /// wire (every known event): an array is refused, since serde would otherwise fill the
    /// struct by position (`[1,2]` becoming a message whose id is `"1"`).
    ///
    /// # Errors
    /// [`ErrorKind::Payload`] with path `.` for an array, else as `decode_payload`.
    pub fn decode_object<T: serde::de::DeserializeOwned>(
        event: &str,
        bytes: &[u8],
    ) -> Result<T, Error> {
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(Error::new(ErrorKind::Payload {
                event: event.to_owned(),
                path: ".".to_owned(),
                reason: "expected a JSON object, found an array".to_owned(),
            }));
        }
        Self::decode_payload(event, bytes)
    }

    /// Like [`decode_object`](Self::decode_object), for a payload type decoded into a box: its
    /// direct pass when it has one (decision 0035), which fills the box in place.
    ///
    /// # Errors
    /// As [`decode_object`](Self::decode_object).
    pub fn decode_boxed_object<T>(event: &str, bytes: &[u8]) -> Result<Box<T>, Error>
    where
        T: botgate_proto::de::Payload + serde::de::DeserializeOwned,
    {
        // As `decode_object` then `decode_payload`, with the direct pass first.
        let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
            return Self::decode_object(event, bytes);
        };
        if text.trim_ascii_start().starts_with('[') {
            return Self::decode_object(event, bytes);
        }
        let source: std::sync::Arc<str> = std::sync::Arc::from(text);
        match botgate_proto::de::boxed_from_shared::<T>(&source) {
            Ok(boxed) => Ok(boxed),
            // serde_json's passes refuse a lone surrogate escape: read a copy with U+FFFD in
            // its place (see `scan::replace_lone_surrogates`); the copy has none left.
            Err(e) => match crate::scan::replace_lone_surrogates(bytes) {
                Some(clean) => Self::decode_boxed_object(event, &clean),
                None => Err(Self::payload(event, e)),
            },
        }
    }

    /// Decode `bytes` into `T`, reporting a failure as [`ErrorKind::Payload`] with the path of
    /// the offending field.
    pub fn decode_payload<T: serde::de::DeserializeOwned>(
        event: &str,
        bytes: &[u8],
    ) -> Result<T, Error> {
        // Through the lenient deserializer (each payload type in its platform's mode,
        // decision 0014); the path is tracked only once a decode has failed. One SIMD UTF-8
        // pass over the whole payload lets serde_json read it as `&str`, skipping its check of
        // each string (decision 0009); bytes that are not UTF-8 go the slice's way, which
        // reports the string they are in with its path. The text is copied once into a shared
        // buffer whose unescaped strings become `Text` fields without a copy of their own
        // (decision 0032).
        let decoded = match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => {
                let source: std::sync::Arc<str> = std::sync::Arc::from(text);
                botgate_proto::de::from_shared_with_path::<T>(&source)
            }
            Err(_) => botgate_proto::de::from_slice_with_path::<T>(bytes),
        };
        match decoded {
            Ok(value) => Ok(value),
            // As in `decode_boxed_object`: a copy without lone surrogates.
            Err(e) => match crate::scan::replace_lone_surrogates(bytes) {
                Some(clean) => Self::decode_payload(event, &clean),
                None => Err(Self::payload(event, e)),
            },
        }
    }

    /// A payload decode's failure as [`ErrorKind::Payload`].
    #[cold]
    fn payload(event: &str, e: botgate_proto::de::PathError) -> Self {
        Error::with_source(
            ErrorKind::Payload {
                event: event.to_owned(),
                path: e.path,
                reason: e.error.to_string(),
            },
            e.error,
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            ErrorKind::Syntax { offset, reason } => {
                write!(f, "invalid JSON at byte {offset}: {reason}")
            }
            ErrorKind::Envelope { field, reason } => {
                write!(f, "envelope field `{field}`: {reason}")
            }
            ErrorKind::Payload {
                event,
                path,
                reason,
            } => {
                write!(f, "{event} payload field `{path}`: {reason}")
            }
            ErrorKind::TooLarge { what, limit } => write!(f, "{what} exceeds the limit of {limit}"),
            ErrorKind::InvalidUtf8 { offset } => write!(f, "invalid UTF-8 at byte {offset}"),
            ErrorKind::CqCode { offset, reason } => write!(f, "CQ code at byte {offset}: {reason}"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}
