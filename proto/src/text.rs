//! [`Text`]: the string type of decoded payloads. A decode copies a payload's JSON once into one
//! shared buffer and every string field read from it without an escape is a range of that
//! buffer (a reference count, no allocation, no copy): a QQ message holds ~35 strings, which as
//! `String`s cost an allocation, a copy and a free each (decision 0032).
//!
//! A `Text` reads as a `&str` (`Deref`, `as_str`, `Display`, comparisons with `str` and
//! `String`), is built from `&str` / `String`, and serialises as a JSON string. Kept for long,
//! one field keeps its whole payload's buffer alive: [`Text::detach`] copies it out.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An immutable UTF-8 string that shares the buffer it was decoded from (see the module docs).
/// Clones are a reference count; the empty text allocates nothing. 24 bytes, and so is an
/// `Option<Text>`: a payload struct of 30 strings stays under the allocator's per-thread cache
/// size (1,032 bytes), where a larger box costs several hundred instructions more to allocate
/// and free.
#[derive(Clone)]
pub struct Text {
    /// The buffer (`None`: the empty text).
    buf: Option<Arc<str>>,
    /// Byte range of this text in `buf`, on char boundaries: `start..end1 - 1`, or
    /// `start..` (the rest of `buf`) when `end1` is [`TO_END`]. `end1` is never 0, which gives
    /// `Option<Text>` its `None` without a tag.
    start: u32,
    end1: NonZeroU32,
}

impl Default for Text {
    fn default() -> Self {
        Self::new()
    }
}

/// `end1` of a text that runs to the end of its buffer (one too long for a range of `u32`s).
const TO_END: NonZeroU32 = NonZeroU32::MAX;

impl Text {
    /// The empty text (no allocation).
    pub const fn new() -> Self {
        Self {
            buf: None,
            start: 0,
            end1: NonZeroU32::MIN,
        }
    }

    /// All of `buf` (any length).
    fn whole(buf: Arc<str>) -> Self {
        let len = buf.len();
        Self::range(buf, 0, len).unwrap_or(Self {
            buf: None,
            start: 0,
            end1: NonZeroU32::MIN,
        })
    }

    /// The text `buf[start..end]` (on char boundaries), or `None` when its ends do not fit the
    /// compact range (a buffer of 4 GiB or more, but for a text that is all of it).
    #[inline]
    fn range(buf: Arc<str>, start: usize, end: usize) -> Option<Self> {
        let end1 = match end.checked_add(1).and_then(|e| u32::try_from(e).ok()) {
            Some(e) if e < TO_END.get() => NonZeroU32::new(e)?,
            _ if end == buf.len() => TO_END,
            _ => return None,
        };
        Some(Self {
            start: u32::try_from(start).ok()?,
            end1,
            buf: Some(buf),
        })
    }

    /// Buffers shorter than this take [`in_small_buffer`](Self::in_small_buffer).
    pub(crate) const SMALL_BUFFER: usize = TO_END.get() as usize - 1;

    /// The text `buf[start..end]`, for a `buf` shorter than [`SMALL_BUFFER`] (the caller
    /// checked), and `start..end` on char boundaries: no check here (a decode makes one per
    /// string).
    ///
    /// [`SMALL_BUFFER`]: Self::SMALL_BUFFER
    #[inline]
    pub(crate) fn in_small_buffer(buf: Arc<str>, start: u32, end: u32) -> Self {
        // `end < SMALL_BUFFER`, so `end + 1` is below `TO_END`: never taken for "to the end".
        Self {
            buf: Some(buf),
            start,
            end1: NonZeroU32::MIN.saturating_add(end),
        }
    }

    /// The byte range of this text in its buffer.
    #[inline]
    fn bounds(&self, buf: &str) -> (usize, usize) {
        let start = self.start as usize;
        match self.end1 {
            TO_END => (start, buf.len()),
            end1 => (start, end1.get() as usize - 1),
        }
    }

    /// The text as a `&str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.buf {
            // The range is on char boundaries by construction; `get` keeps this panic-free.
            Some(buf) => {
                let (start, end) = self.bounds(buf);
                buf.get(start..end).unwrap_or_default()
            }
            None => "",
        }
    }

    /// `sub`, which must lie inside `buf`, as a range of it; `None` when it does not.
    #[inline]
    pub(crate) fn range_of(buf: &Arc<str>, sub: &str) -> Option<Self> {
        let base = buf.as_ptr() as usize;
        let at = (sub.as_ptr() as usize).checked_sub(base)?;
        let end = at.checked_add(sub.len())?;
        // Inside the buffer. Both ends are then char boundaries of it: a `&str` starting or
        // ending inside one of `buf`'s chars would not be UTF-8 itself.
        if end > buf.len() {
            return None;
        }
        Self::range(Arc::clone(buf), at, end)
    }

    /// The part `sub` of this text (a `&str` borrowed from it) sharing its buffer; a copy
    /// when `sub` is not part of it.
    pub fn slice_of(&self, sub: &str) -> Self {
        let inside = self.buf.as_ref().and_then(|b| {
            let at = (sub.as_ptr() as usize).checked_sub(b.as_ptr() as usize)?;
            let (start, end) = self.bounds(b);
            (at >= start && at + sub.len() <= end)
                .then(|| Self::range_of(b, sub))
                .flatten()
        });
        inside.unwrap_or_else(|| Self::from(sub))
    }

    /// A copy that holds only this text (not the payload it was decoded from): for a field
    /// kept long after its event.
    pub fn detach(&self) -> Self {
        Self::from(self.as_str())
    }

    /// Whether this text shares a larger buffer (its payload's), i.e. whether [`detach`]
    /// would free memory once the event is gone.
    ///
    /// [`detach`]: Self::detach
    pub fn is_shared(&self) -> bool {
        self.buf.as_ref().is_some_and(|b| b.len() != self.len())
    }
}

thread_local! {
    /// The buffer a decode on this thread is reading from (see [`share_strings`]).
    static SOURCE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// While the returned guard lives, [`Text`]s deserialized on this thread from strings
/// borrowed out of `buf` share it instead of copying. Decode `buf` itself (the strings must
/// be borrowed from it); a string from anywhere else is copied as usual. Nests: the guard
/// restores the previous source when dropped.
pub fn share_strings(buf: &Arc<str>) -> SharedSource {
    let previous = SOURCE.with(|s| s.replace(Some(Arc::clone(buf))));
    SharedSource {
        previous,
        _not_send: std::marker::PhantomData,
    }
}

/// Guard of [`share_strings`]: the source stays set on this thread until it drops.
#[must_use = "the source is unset when the guard drops"]
pub struct SharedSource {
    previous: Option<Arc<str>>,
    /// Thread-local state: the guard must drop on the thread that made it.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for SharedSource {
    fn drop(&mut self) {
        let previous = self.previous.take();
        SOURCE.with(|s| *s.borrow_mut() = previous);
    }
}

impl fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSource").finish_non_exhaustive()
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            return Self::new();
        }
        Self::whole(Arc::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        if s.is_empty() {
            return Self::new();
        }
        Self::whole(Arc::from(s))
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Self {
        Self::from(String::from(s))
    }
}

impl From<char> for Text {
    fn from(c: char) -> Self {
        Self::from(c.encode_utf8(&mut [0; 4]) as &str)
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Self {
        t.clone()
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_owned()
    }
}

impl From<&Text> for String {
    fn from(t: &Text) -> Self {
        t.as_str().to_owned()
    }
}

impl FromStr for Text {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s))
    }
}

impl FromIterator<char> for Text {
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<String>())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

macro_rules! eq_with {
    ($($t:ty),+) => {$(
        impl PartialEq<$t> for Text {
            #[inline]
            fn eq(&self, other: &$t) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<Text> for $t {
            #[inline]
            fn eq(&self, other: &Text) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )+};
}
eq_with!(str, &str, String, &String);

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `string`, not `str`: the lenient deserializer reads a string field by the hint.
        d.deserialize_string(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    #[inline]
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text, E> {
        let shared = SOURCE.with(|s| s.borrow().as_ref().and_then(|b| Text::range_of(b, v)));
        Ok(shared.unwrap_or_else(|| Text::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text::from(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Text, E> {
        match std::str::from_utf8(v) {
            Ok(s) => Ok(Text::from(s)),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Text, E> {
        match String::from_utf8(v) {
            Ok(s) => Ok(Text::from(s)),
            Err(e) => Err(E::invalid_value(de::Unexpected::Bytes(e.as_bytes()), &self)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_text_and_an_optional_one_take_24_bytes() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 24);
    }

    #[test]
    fn a_text_to_the_end_of_its_buffer_and_ranges_that_do_not_fit() {
        let buf: Arc<str> = Arc::from("héllo wörld");
        let tail = Text {
            buf: Some(Arc::clone(&buf)),
            start: 7,
            end1: TO_END,
        };
        assert_eq!(tail, "wörld");
        assert_eq!(tail.slice_of(&tail[1..4]), "ör");
        assert_eq!(Text::range(Arc::clone(&buf), 1, 3), Some(Text::from("é")));
        // an end past u32 that is not the buffer's end has no compact form
        assert!(Text::range(Arc::clone(&buf), 0, u32::MAX as usize).is_none());
        assert_eq!(Text::whole(buf), "héllo wörld");
    }

    #[derive(Deserialize)]
    struct Two {
        a: Text,
        b: Text,
    }

    #[test]
    fn strings_of_the_shared_source_are_ranges_of_it() {
        let buf: Arc<str> = Arc::from(r#"{"a":"héllo","b":"x\"y"}"#);
        let two: Two = {
            let _scope = share_strings(&buf);
            serde_json::from_str(&buf).unwrap()
        };
        assert_eq!(two.a, "héllo");
        assert!(
            two.a.is_shared(),
            "an unescaped string is a range of the source"
        );
        assert_eq!(two.b, "x\"y");
        assert!(
            !two.b.is_shared(),
            "an escaped string is decoded into its own buffer"
        );
        // 1 here, 1 in `a`: the guard let go of its reference
        assert_eq!(Arc::strong_count(&buf), 2);
        let detached = two.a.detach();
        assert!(!detached.is_shared());
        assert_eq!(detached, two.a);
    }

    #[test]
    fn without_a_source_or_from_another_buffer_strings_are_copied() {
        let two: Two = serde_json::from_str(r#"{"a":"p","b":"q"}"#).unwrap();
        assert_eq!((two.a.as_str(), two.b.as_str()), ("p", "q"));
        let other: Arc<str> = Arc::from("unrelated");
        let _scope = share_strings(&other);
        let two: Two = serde_json::from_str(r#"{"a":"p","b":"q"}"#).unwrap();
        assert!(!two.a.is_shared());
        assert_eq!(Arc::strong_count(&other), 2, "only the scope holds it");
    }

    #[test]
    fn scopes_nest_and_restore() {
        let outer: Arc<str> = Arc::from(r#"{"a":"o","b":"o"}"#);
        let inner: Arc<str> = Arc::from(r#"{"a":"i","b":"i"}"#);
        let _o = share_strings(&outer);
        {
            let _i = share_strings(&inner);
            let t: Two = serde_json::from_str(&inner).unwrap();
            assert!(t.a.is_shared());
        }
        let t: Two = serde_json::from_str(&outer).unwrap();
        assert!(t.a.is_shared());
        assert_eq!(Arc::strong_count(&inner), 1);
    }

    #[test]
    fn a_slice_of_a_text_shares_it_and_a_foreign_str_is_copied() {
        let t = Text::from("hello world");
        let w = t.slice_of(&t[6..]);
        assert_eq!(w, "world");
        assert!(w.is_shared());
        let other = String::from("world");
        assert!(!t.slice_of(&other).is_shared());
        let inner = t.slice_of(&t[0..5]);
        // a slice of a slice stays inside its parent's range
        assert!(!inner.slice_of(&t[6..]).is_shared());
        assert_eq!(inner.slice_of(&inner[1..3]), "el");
    }

    #[test]
    fn reads_and_compares_like_a_str() {
        let t = Text::from("abc");
        assert_eq!(t, "abc");
        assert_eq!("abc", t);
        assert_eq!(t, String::from("abc"));
        assert_eq!(t.len(), 3);
        assert_eq!(format!("{t} {t:?}"), "abc \"abc\"");
        assert_eq!(Text::new(), "");
        assert_eq!(Text::default().as_str(), "");
        assert_eq!(String::from(t.clone()), "abc");
        let mut set = std::collections::HashSet::new();
        set.insert(t);
        assert!(set.contains("abc"));
        assert_eq!(
            serde_json::to_string(&Text::from("a\"b")).unwrap(),
            r#""a\"b""#
        );
    }
}
