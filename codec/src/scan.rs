//! Top-level key scan of a JSON object without parsing nested values.
//!
//! [`object_fields`] walks the keys of the top-level object in whatever order and with whatever
//! whitespace they arrive, and hands each key with the byte [`Span`] of its raw value to a
//! callback. Nested objects and arrays are skipped, not parsed: an iterative bracket counter
//! (no recursion, so deep nesting cannot overflow the stack) that still honours string
//! boundaries, so a `"t":` inside a nested string or object is never taken for a top-level key.
//!
//! What is checked, strictly: what a reader of the envelope reads.
//! - the top level is exactly one object followed only by whitespace;
//! - keys and top-level string values are well-formed JSON strings (escapes, no raw control
//!   characters) and UTF-8 ([`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) with the
//!   offset of the first bad byte); top-level numbers and literals follow the JSON grammar;
//! - nested values have terminated strings, no backslash outside a string, and balanced,
//!   correctly paired brackets at most [`MAX_DEPTH`] levels deep
//!   ([`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) beyond).
//!
//! What is left to the reader of a nested value (the typed decode, which reads it anyway): its
//! scalars, its commas and colons, and the UTF-8 of its strings. So a frame whose `d` holds
//! bytes that are not UTF-8 still gives its `op`, `s` and `t`, and the decode of `d` reports the
//! bad bytes (the repository's `docs/decisions/0009-scan-reads-d-for-its-extent.md` says why).
//!
//! Nested values are skipped 64 bytes at a time with SIMD compares (through `wide`, in safe
//! Rust), the way simdjson finds its structural characters.
//!
//! ```
//! use botgate_codec::scan;
//!
//! let frame = br#"{"d":{"t":"inner"},"t":"OUTER","op":0}"#;
//! let mut t = None;
//! scan::object_fields(frame, |key, span| {
//!     if key == "t" {
//!         t = Some(scan::str_value(frame, span)?.into_owned());
//!     }
//!     Ok(())
//! })?;
//! assert_eq!(t.as_deref(), Some("OUTER"));
//! # Ok::<(), botgate_codec::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::ops::{ControlFlow, Range};

use crate::Error;

mod nested;
mod string;
mod swar;

pub use botgate_proto::de::replace_lone_surrogates;
use nested::skip_nested;
pub(crate) use string::{strict_string, unescape};

/// The deepest nesting of arrays and objects inside a top-level value that the scan accepts.
///
/// Deeper input is rejected with [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge)
/// (`what = "nesting"`); no typed decode could read it anyway (serde_json stops at 128).
pub const MAX_DEPTH: usize = 1024;

/// A byte range `start..end` of a raw JSON value inside the scanned input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte of the value.
    pub start: usize,
    /// Offset one past the last byte of the value.
    pub end: usize,
}

impl Span {
    /// The span as a `Range`, for slicing.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Length of the span in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of the span in `input`, or an empty slice if the span is not inside `input`.
    pub fn slice<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        input.get(self.range()).unwrap_or_default()
    }
}

/// A key of the top-level object, with its escapes already decoded.
///
/// A key without escapes is kept as the bytes between its quotes (checked to be UTF-8 by the
/// scan): comparing it ([`as_bytes`](Self::as_bytes), `==`) costs no text conversion, which
/// only [`as_str`](Self::as_str) makes.
#[derive(Clone)]
pub struct Key<'a> {
    /// The bytes between the quotes, as written.
    raw: &'a [u8],
    /// The text with its escapes decoded, when there were escapes.
    decoded: Option<String>,
    span: Span,
}

impl<'a> Key<'a> {
    /// The key's text (escapes decoded).
    pub fn as_str(&self) -> &str {
        match &self.decoded {
            Some(text) => text,
            // The scan has checked the key is UTF-8: the default is never taken.
            None => std::str::from_utf8(self.raw).unwrap_or_default(),
        }
    }

    /// The key's text as bytes (escapes decoded), without a UTF-8 conversion.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.decoded {
            Some(text) => text.as_bytes(),
            None => self.raw,
        }
    }

    /// The span of the key in the input, quotes included.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Whether the key was written with escapes (its text then had to be decoded).
    pub fn was_escaped(&self) -> bool {
        self.decoded.is_some()
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes() && self.span == other.span
    }
}

impl Eq for Key<'_> {}

impl fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for Key<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Key<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

/// What kind of JSON value a span holds, judged by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

impl Kind {
    /// The kind of the value at `span` in `input` (a span handed out by [`object_fields`]).
    pub fn of(input: &[u8], span: Span) -> Option<Kind> {
        Some(match *input.get(span.start)? {
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b'"' => Kind::String,
            b't' | b'f' => Kind::Bool,
            b'n' => Kind::Null,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => return None,
        })
    }

    /// A short name for messages: `an object`, `a string`, ...
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Object => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
        }
    }
}

/// Calls `f` with every key of the top-level JSON object in `input` and the span of its value.
///
/// Keys come in input order; duplicates are reported as they come (the caller decides). An
/// error returned by `f` stops the scan and is returned as is.
///
/// # Errors
/// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) if `input` is not UTF-8,
/// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) with the offset of the problem if it is not
/// one well-formed object (see the module docs for what is checked),
/// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) if a value nests deeper than
/// [`MAX_DEPTH`].
pub fn object_fields(
    input: &[u8],
    mut f: impl FnMut(Key<'_>, Span) -> Result<(), Error>,
) -> Result<(), Error> {
    fields(input, &mut |key: RawKey<'_>, start| {
        let end = skip_value(input, start)?;
        f(key.to_key()?, Span { start, end })?;
        Ok(end)
    })
}

/// Like [`object_fields`], for a reader that needs only a few fields: `f` returns
/// [`ControlFlow::Break`] once it has what it wants and the scan stops there. What follows is
/// then not read, so not checked either: a malformed rest is no error.
///
/// # Errors
/// As [`object_fields`], for what was read.
pub fn object_fields_until(
    input: &[u8],
    mut f: impl FnMut(Key<'_>, Span) -> ControlFlow<()>,
) -> Result<(), Error> {
    fields(input, &mut |key: RawKey<'_>, start| {
        let end = skip_value(input, start)?;
        Ok(match f(key.to_key()?, Span { start, end }) {
            ControlFlow::Continue(()) => end,
            ControlFlow::Break(()) => STOP,
        })
    })
}

/// What a [`Visit`] returns for "stop here" (no value ends at `usize::MAX`).
pub(crate) const STOP: usize = usize::MAX;

/// A key of the top-level object as written: the bytes between its quotes (checked to be
/// UTF-8), escapes not decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawKey<'a> {
    /// The bytes between the quotes.
    pub(crate) raw: &'a [u8],
    /// Whether `raw` holds escapes (then [`RawKey::text`] decodes them).
    pub(crate) escaped: bool,
    /// The key in the input, quotes included.
    pub(crate) span: Span,
}

impl<'a> RawKey<'a> {
    /// The key handed to an [`object_fields`] reader (escapes decoded when it has any).
    fn to_key(self) -> Result<Key<'a>, Error> {
        Ok(Key {
            raw: self.raw,
            decoded: match self.escaped {
                true => Some(self.text()?.into_owned()),
                false => None,
            },
            span: self.span,
        })
    }

    /// The key's text, escapes decoded.
    pub(crate) fn text(&self) -> Result<Cow<'a, str>, Error> {
        let raw = utf8(self.raw, self.span.start + 1)?;
        if self.escaped {
            unescape(raw, self.span.start + 1).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }
}

/// What [`fields`] hands each key to.
pub(crate) trait Visit {
    /// Reads (or skips) the value of `key` that starts at offset `start`; returns the offset
    /// past its end, or [`STOP`] to end the scan there.
    fn value(&mut self, key: RawKey<'_>, start: usize) -> Result<usize, Error>;
}

impl<F: FnMut(RawKey<'_>, usize) -> Result<usize, Error>> Visit for F {
    #[inline(always)]
    fn value(&mut self, key: RawKey<'_>, start: usize) -> Result<usize, Error> {
        self(key, start)
    }
}

/// The loop behind [`object_fields`]: `visit` gets each key and the offset where its value
/// starts, reads (or skips) the value itself and returns the offset past its end.
///
/// Always inlined: each caller gets a loop specialised to its visitor (the frame scan is the
/// hot one), without a call per key.
#[inline(always)]
pub(crate) fn fields(input: &[u8], visit: &mut impl Visit) -> Result<(), Error> {
    let b = input;
    let mut i = skip_ws(b, 0);
    match b.get(i) {
        Some(b'{') => i += 1,
        Some(_) => return Err(Error::syntax(i, "expected `{` (a frame is a JSON object)")),
        None => return Err(Error::syntax(i, "empty input (expected a JSON object)")),
    }
    i = skip_ws(b, i);
    if b.get(i) == Some(&b'}') {
        return expect_end(b, i + 1);
    }
    loop {
        match b.get(i) {
            Some(b'"') => {}
            Some(_) => return Err(Error::syntax(i, "expected a key (a string)")),
            None => return Err(eof(i, "expected a key")),
        }
        let key_start = i;
        let (close, escaped) = key_end(b, i + 1)?;
        let key = RawKey {
            raw: b.get(key_start + 1..close).unwrap_or_default(),
            escaped,
            span: Span {
                start: key_start,
                end: close + 1,
            },
        };
        i = skip_ws(b, close + 1);
        match b.get(i) {
            Some(b':') => i = skip_ws(b, i + 1),
            Some(_) => return Err(Error::syntax(i, "expected `:` after the key")),
            None => return Err(eof(i, "expected `:` after the key")),
        }
        let end = visit.value(key, i)?;
        if end == STOP {
            return Ok(());
        }
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return expect_end(b, i + 1),
            Some(_) => return Err(Error::syntax(i, "expected `,` or `}` after a value")),
            None => return Err(eof(i, "expected `,` or `}`")),
        }
    }
}

/// The closing quote of the key whose content starts at `i`, and whether it has escapes.
///
/// Keys are short: a plain byte loop finds the quote of a key of up to 16 plain ASCII bytes
/// faster than the word-at-a-time string scan, which takes over for anything else.
#[inline(always)]
fn key_end(b: &[u8], i: usize) -> Result<(usize, bool), Error> {
    for (k, &c) in b.get(i..).unwrap_or_default().iter().take(16).enumerate() {
        match c {
            b'"' => return Ok((i + k, false)),
            b'\\' => break,
            c if !(0x20..0x80).contains(&c) => break,
            _ => {}
        }
    }
    strict_string(b, i)
}

/// The text of the JSON string at `span` (escapes decoded; borrowed when there are none).
///
/// # Errors
/// [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) if the span does not hold one well-formed
/// JSON string (the error names its offset in `input`).
pub fn str_value(input: &[u8], span: Span) -> Result<Cow<'_, str>, Error> {
    let raw = span.slice(input);
    if raw.first() != Some(&b'"') {
        return Err(Error::syntax(span.start, "expected a string"));
    }
    let (close, escaped) = strict_string(input, span.start + 1)?;
    if close + 1 != span.end {
        return Err(Error::syntax(
            close + 1,
            "unexpected bytes after the string",
        ));
    }
    let inner = input.get(span.start + 1..close).unwrap_or_default();
    let inner = std::str::from_utf8(inner)
        .map_err(|e| Error::invalid_utf8(span.start + 1 + e.valid_up_to()))?;
    if escaped {
        Ok(Cow::Owned(unescape(inner, span.start + 1)?))
    } else {
        Ok(Cow::Borrowed(inner))
    }
}

/// Skips the JSON value starting at `input[start]` (no leading whitespace) and returns the
/// offset one past its end.
///
/// Strings, numbers and literals are validated strictly; objects and arrays are skipped with the
/// bracket counter (see the module docs).
///
/// # Errors
/// As [`object_fields`], minus the UTF-8 check (the caller has done it or does not need it).
#[inline]
pub fn skip_value(input: &[u8], start: usize) -> Result<usize, Error> {
    let b = input;
    match b.get(start) {
        Some(b'"') => strict_string(b, start + 1).map(|(close, _)| close + 1),
        Some(b'{' | b'[') => skip_nested(b, start),
        Some(b'-' | b'0'..=b'9') => skip_number(b, start),
        Some(b't') => skip_literal(b, start, b"true"),
        Some(b'f') => skip_literal(b, start, b"false"),
        Some(b'n') => skip_literal(b, start, b"null"),
        Some(_) => Err(Error::syntax(start, "expected a value")),
        None => Err(eof(start, "expected a value")),
    }
}

/// `bytes` (found at offset `base` of the input) as text, or
/// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) with the input offset of the first
/// invalid byte.
///
/// The check is `simdutf8`'s (SIMD, chosen at run time); only on failure are the bytes checked
/// again by `std` to find the offset, so errors are exactly those of `std::str::from_utf8`.
pub(crate) fn utf8(bytes: &[u8], base: usize) -> Result<&str, Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(e) => Err(Error::invalid_utf8(base + e.valid_up_to())),
        },
    }
}

fn eof(offset: usize, what: &str) -> Error {
    Error::syntax(offset, format!("unexpected end of input ({what})"))
}

fn expect_end(b: &[u8], i: usize) -> Result<(), Error> {
    let i = skip_ws(b, i);
    if i == b.len() {
        Ok(())
    } else {
        Err(Error::syntax(i, "trailing characters after the object"))
    }
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

fn skip_number(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = skip_digits(b, i + 1),
        Some(_) => return Err(Error::syntax(i, "invalid number (expected a digit)")),
        None => return Err(eof(i, "in a number")),
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        match b.get(i) {
            Some(b'0'..=b'9') => i = skip_digits(b, i + 1),
            Some(_) => {
                return Err(Error::syntax(
                    i,
                    "invalid number (expected a digit after `.`)",
                ))
            }
            None => return Err(eof(i, "in a number")),
        }
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        match b.get(i) {
            Some(b'0'..=b'9') => i = skip_digits(b, i + 1),
            Some(_) => return Err(Error::syntax(i, "invalid number (expected an exponent)")),
            None => return Err(eof(i, "in a number")),
        }
    }
    match b.get(i) {
        Some(b'0'..=b'9') => Err(Error::syntax(i, "invalid number (leading zero)")),
        _ => Ok(i),
    }
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = b.get(i) {
        i += 1;
    }
    i
}

fn skip_literal(b: &[u8], start: usize, lit: &[u8]) -> Result<usize, Error> {
    for (k, &want) in lit.iter().enumerate() {
        match b.get(start + k) {
            Some(&c) if c == want => {}
            Some(_) => {
                return Err(Error::syntax(
                    start + k,
                    "invalid literal (expected true, false or null)",
                ))
            }
            None => return Err(eof(start + k, "in a literal")),
        }
    }
    Ok(start + lit.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn fields(input: &str) -> Result<Vec<(String, String)>, Error> {
        let mut out = Vec::new();
        object_fields(input.as_bytes(), |k, s| {
            out.push((k.as_str().to_owned(), input[s.range()].to_owned()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn a_scan_until_stops_where_told_and_reads_no_further() {
        let until = |input: &str, stop: &str| {
            let mut seen = Vec::new();
            let r = object_fields_until(input.as_bytes(), |k, s| {
                seen.push((k.as_str().to_owned(), input[s.range()].to_owned()));
                match k.as_bytes() == stop.as_bytes() {
                    true => ControlFlow::Break(()),
                    false => ControlFlow::Continue(()),
                }
            });
            (r.is_ok(), seen)
        };
        let (ok, seen) = until(r#"{"a":1,"id":"x", "rest": not json"#, "id");
        assert!(ok);
        assert_eq!(
            seen,
            [("a".into(), "1".into()), ("id".into(), "\"x\"".into())]
        );
        // without a stop it is `object_fields`: every key, and the malformed rest is an error
        let (ok, seen) = until(r#"{"a":1,"b":[2]}"#, "none");
        assert!(ok && seen.len() == 2);
        assert!(!until(r#"{"a":1,"rest": not json"#, "id").0);
        assert!(!until(r#"{"a" 1}"#, "a").0);
    }

    fn syntax_offset(input: &[u8]) -> usize {
        match object_fields(input, |_, _| Ok(())).unwrap_err().kind() {
            ErrorKind::Syntax { offset, .. } => *offset,
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn keys_come_in_input_order_with_raw_value_spans() {
        let got = fields(r#" { "d" : {"t":"x","a":[1,{"b":"}"}]} , "t":"T", "op":0 ,"s":null } "#)
            .unwrap();
        assert_eq!(
            got,
            vec![
                ("d".into(), r#"{"t":"x","a":[1,{"b":"}"}]}"#.into()),
                ("t".into(), r#""T""#.into()),
                ("op".into(), "0".into()),
                ("s".into(), "null".into()),
            ]
        );
    }

    #[test]
    fn escaped_keys_are_decoded() {
        let got = fields(r#"{"\u006fp":1,"a\"b":2,"\ud83d\ude00":3}"#).unwrap();
        let keys: Vec<_> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["op", "a\"b", "😀"]);
    }

    #[test]
    fn utf8_is_checked_in_keys_and_top_level_strings_and_left_to_the_reader_in_nested_values() {
        // Strings longer than one SIMD block, so the vectorised check runs.
        let text = "中文😀x".repeat(20);
        let good = format!(r#"{{"d":{{"content":"{text}"}},"t":"{text}","键{text}":0}}"#);
        let d_end = good.find(r#","t":"#).unwrap();
        // The contents of `t` and of the last key (between their quotes).
        let t_start = d_end + 6;
        let key_start = good.find('键').unwrap();
        let d_string = good.find("中").unwrap()..good.find("中").unwrap() + text.len();
        let strings = [
            t_start..t_start + text.len(),
            key_start..key_start + "键".len() + text.len(),
        ];
        let mut spans = Vec::new();
        object_fields(good.as_bytes(), |_, span| {
            spans.push(span);
            Ok(())
        })
        .unwrap();
        for at in 0..good.len() {
            for byte in [0xff, 0x80, 0xc0, 0xed, 0xf4] {
                let mut bad = good.clone().into_bytes();
                if bad[at] == byte {
                    continue;
                }
                bad[at] = byte;
                let std_error = std::str::from_utf8(&bad).err().map(|e| e.valid_up_to());
                let mut got_spans = Vec::new();
                let got = object_fields(&bad, |_, span| {
                    got_spans.push(span);
                    Ok(())
                });
                let inside_d = at > 5 && at < d_end - 1;
                let in_d_string = d_string.contains(&at);
                let in_top_string = strings.iter().any(|r| r.contains(&at));
                match (std_error, got) {
                    // A continuation byte swapped for another: still UTF-8, same fields.
                    (None, Ok(())) => assert_eq!(got_spans, spans, "byte {byte:#x} at {at}"),
                    // Inside a string in `d`, a byte that is not UTF-8 is the reader's to find.
                    (Some(_), Ok(())) if in_d_string => {
                        assert_eq!(got_spans, spans, "byte {byte:#x} at {at}");
                        let d = spans[0].slice(&bad);
                        assert!(serde_json::from_slice::<serde_json::Value>(d).is_err());
                    }
                    // Elsewhere in `d` only the extent is checked: the reader rejects the rest.
                    (Some(_), Ok(())) if inside_d => {
                        let d = got_spans[0].slice(&bad);
                        assert!(serde_json::from_slice::<serde_json::Value>(d).is_err());
                    }
                    (Some(_), Err(e)) if inside_d && !in_d_string => {
                        assert!(matches!(e.kind(), ErrorKind::Syntax { .. }), "{e:?}");
                    }
                    (Some(offset), Err(e)) if in_top_string => assert_eq!(
                        e.kind(),
                        &ErrorKind::InvalidUtf8 { offset },
                        "byte {byte:#x} at {at}"
                    ),
                    // Elsewhere (a bracket, a colon, ...) it is a syntax error of some kind.
                    (Some(_), Err(_)) if !inside_d && !in_top_string => {}
                    (std_error, got) => panic!(
                        "byte {byte:#x} at {at} (inside d: {inside_d}): {got:?}, std: {std_error:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn empty_object_has_no_fields() {
        assert!(fields(" {} \n").unwrap().is_empty());
    }

    #[test]
    fn brackets_inside_nested_strings_do_not_count() {
        let got = fields(r#"{"d":["]]]", "\"}", "\\"],"x":1}"#).unwrap();
        assert_eq!(got[0].1, r#"["]]]", "\"}", "\\"]"#);
        assert_eq!(got[1], ("x".into(), "1".into()));
    }

    #[test]
    fn long_strings_are_skipped_across_word_boundaries() {
        for pad in 0..20 {
            let s = "中".repeat(pad) + "\\\"" + &"x".repeat(pad);
            let input = format!(r#"{{"d":["{s}"],"op":1}}"#);
            let got = fields(&input).unwrap();
            assert_eq!(got[0].1, format!(r#"["{s}"]"#));
            assert_eq!(got[1].1, "1");
        }
    }

    #[test]
    fn syntax_errors_report_the_offset() {
        assert_eq!(syntax_offset(b""), 0);
        assert_eq!(syntax_offset(b"[1]"), 0);
        assert_eq!(syntax_offset(br#"{"a":1} x"#), 8);
        assert_eq!(syntax_offset(br#"{"a" 1}"#), 5);
        assert_eq!(syntax_offset(br#"{"a":01}"#), 6);
        assert_eq!(syntax_offset(br#"{"a":1,}"#), 7);
        assert_eq!(syntax_offset(br#"{"a":tru}"#), 8);
        assert_eq!(syntax_offset(br#"{"a":"\x"}"#), 6);
        assert_eq!(syntax_offset(br#"{"a":[1}"#), 7);
        assert_eq!(syntax_offset(br#"{"a":]"#), 5);
        assert_eq!(syntax_offset(b"{\"a\":\"\n\"}"), 6);
        assert_eq!(syntax_offset(br#"{"a":[1]"#), 8);
        // lone surrogates are valid JSON (read as U+FFFD): not errors
        for lone in [
            &br#"{"\ud800":1}"#[..],
            br#"{"a":"\udc00"}"#,
            br#"{"a":"\ud800\u0041"}"#,
        ] {
            assert!(object_fields(lone, |_, _| Ok(())).is_ok());
        }
        assert_eq!(syntax_offset(br#"{"a":"\ud800\u00G1"}"#), 16);
    }

    #[test]
    fn invalid_utf8_is_its_own_error() {
        let err = object_fields(b"{\"a\":\"\xff\"}", |_, _| Ok(())).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidUtf8 { offset: 6 });
    }

    #[test]
    fn deep_nesting_is_rejected_without_recursion() {
        let mut input = b"{\"d\":".to_vec();
        input.extend(std::iter::repeat_n(b'[', 10 * 1024 * 1024));
        let err = object_fields(&input, |_, _| Ok(())).unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::TooLarge {
                what: "nesting",
                limit: MAX_DEPTH
            }
        );
    }

    #[test]
    fn nesting_up_to_the_limit_is_accepted() {
        let input = format!(
            r#"{{"d":{}{},"op":1}}"#,
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(fields(&input).unwrap().len(), 2);
    }

    #[test]
    fn callback_errors_stop_the_scan() {
        let mut seen = 0;
        let err = object_fields(br#"{"a":1,"b":2}"#, |_, _| {
            seen += 1;
            Err(Error::envelope("op", "stop"))
        })
        .unwrap_err();
        assert_eq!(seen, 1);
        assert!(matches!(
            err.kind(),
            ErrorKind::Envelope { field: "op", .. }
        ));
    }

    #[test]
    fn str_value_decodes_escapes_and_borrows_plain_text() {
        let input = br#"{"a":"x\ty","b":"plain"}"#;
        let mut vals = Vec::new();
        object_fields(input, |_, s| {
            vals.push(str_value(input, s)?.into_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(vals, ["x\ty", "plain"]);
        assert!(matches!(
            str_value(input, Span { start: 5, end: 11 }).unwrap(),
            Cow::Owned(_)
        ));
        assert!(str_value(b"1", Span { start: 0, end: 1 }).is_err());
    }

    #[test]
    fn kind_is_judged_by_the_first_byte() {
        let input = br#"{"a":{},"b":[],"c":"","d":-1,"e":true,"f":null}"#;
        let mut kinds = Vec::new();
        object_fields(input, |_, s| {
            kinds.push(Kind::of(input, s));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            kinds,
            [
                Some(Kind::Object),
                Some(Kind::Array),
                Some(Kind::String),
                Some(Kind::Number),
                Some(Kind::Bool),
                Some(Kind::Null)
            ]
        );
    }
}
