//! The general scan of [`Frame::scan`](super::Frame::scan): any key order, whitespace,
//! escapes and unknown keys, strict about the envelope and exact about what is wrong.

use super::Text;
use crate::scan::{self, Kind, Span};
use crate::Error;

/// The envelope fields found so far in `input`.
pub(super) struct Envelope<'a> {
    input: &'a [u8],
    pub(super) op: Option<u8>,
    pub(super) seq: Field<u64>,
    pub(super) event_type: Field<Text>,
    pub(super) id: Field<Text>,
    pub(super) data: Option<Span>,
}

impl<'a> Envelope<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Envelope {
            input,
            op: None,
            seq: Field::Absent,
            event_type: Field::Absent,
            id: Field::Absent,
            data: None,
        }
    }
}

impl scan::Visit for Envelope<'_> {
    #[inline(always)]
    fn value(&mut self, key: scan::RawKey<'_>, start: usize) -> Result<usize, Error> {
        self.field(self.input, key, start)
    }
}

impl Envelope<'_> {
    /// Reads the value of `key` that starts at `input[start]`; returns the offset past it.
    ///
    /// The common shapes (`t` / `id` strings, plain integer `op` / `s`, `d`) are read inline;
    /// anything else goes to [`general`](Self::general), which reports what is wrong.
    #[inline(always)]
    fn field(&mut self, input: &[u8], key: scan::RawKey<'_>, start: usize) -> Result<usize, Error> {
        let name = if key.escaped {
            Name::of_escaped(key)?
        } else {
            Name::of(key.raw)
        };
        match (name, input.get(start)) {
            // `t` and `id` are read here, so that the string is scanned once.
            (Name::T | Name::Id, Some(b'"')) => {
                let (close, escaped) = scan::strict_string(input, start + 1)?;
                let text = text_at(input, start, close, escaped)?;
                if name == Name::T {
                    let text = match text {
                        Text::Span(range) => Text::event_type(input, range.span()),
                        text => text,
                    };
                    self.event_type.set("t", Some(text))?;
                } else {
                    self.id.set("id", Some(text))?;
                }
                Ok(close + 1)
            }
            (Name::Op | Name::S, _) => match (name, plain_uint(input, start)) {
                (Name::Op, Some((n, end))) if n < 256 && self.op.is_none() => {
                    self.op = u8::try_from(n).ok();
                    Ok(end)
                }
                (Name::S, Some((n, end))) => {
                    self.seq.set("s", Some(n))?;
                    Ok(end)
                }
                // Out of range, a duplicate, not a plain integer: the general path says so.
                _ => self.general(input, name, start),
            },
            (Name::D, _) if self.data.is_none() => {
                let end = scan::skip_value(input, start)?;
                self.data = Some(Span { start, end });
                Ok(end)
            }
            (Name::Other, _) => scan::skip_value(input, start),
            _ => self.general(input, name, start),
        }
    }

    /// Every other case: validates the value and reports what is wrong with it.
    #[cold]
    #[inline(never)]
    fn general(&mut self, input: &[u8], name: Name, start: usize) -> Result<usize, Error> {
        let end = scan::skip_value(input, start)?;
        let span = Span { start, end };
        match name {
            Name::Op => {
                if self.op.is_some() {
                    return Err(duplicate("op"));
                }
                self.op = Some(parse_op(input, span)?);
            }
            Name::S => self.seq.set("s", parse_seq(input, span)?)?,
            Name::T => self.event_type.set("t", parse_null("t", input, span)?)?,
            Name::Id => self.id.set("id", parse_null("id", input, span)?)?,
            Name::D => {
                if self.data.is_some() {
                    return Err(duplicate("d"));
                }
                self.data = Some(span);
            }
            Name::Other => {}
        }
        Ok(end)
    }
}

/// The keys of the envelope, told apart by their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Op,
    S,
    T,
    Id,
    D,
    Other,
}

impl Name {
    #[inline(always)]
    fn of(key: &[u8]) -> Name {
        match key {
            [b'o', b'p'] => Name::Op,
            [b's'] => Name::S,
            [b't'] => Name::T,
            [b'i', b'd'] => Name::Id,
            [b'd'] => Name::D,
            _ => Name::Other,
        }
    }

    /// The name of a key written with escapes (rare: decoded first).
    #[cold]
    fn of_escaped(key: scan::RawKey<'_>) -> Result<Name, Error> {
        Ok(Name::of(key.text()?.as_bytes()))
    }
}

/// An optional envelope field that may appear at most once: absent, null, or a value.
#[derive(Default)]
pub(super) enum Field<T> {
    #[default]
    Absent,
    Present(Option<T>),
}

impl<T> Field<T> {
    #[inline(always)]
    fn set(&mut self, name: &'static str, value: Option<T>) -> Result<(), Error> {
        if matches!(self, Field::Present(_)) {
            return Err(duplicate(name));
        }
        *self = Field::Present(value);
        Ok(())
    }

    pub(super) fn into_option(self) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Present(value) => value,
        }
    }
}

fn duplicate(field: &'static str) -> Error {
    Error::envelope(field, "appears more than once")
}

/// The raw value for messages, cut short so a huge value does not make a huge error.
fn shown(input: &[u8], span: Span) -> String {
    const MAX: usize = 32;
    let raw = String::from_utf8_lossy(span.slice(input));
    match raw.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{}…`", &raw[..cut]),
        None => format!("`{raw}`"),
    }
}

fn not_a(field: &'static str, want: &str, input: &[u8], span: Span) -> Error {
    let got = Kind::of(input, span).map_or("something else", Kind::describe);
    Error::envelope(
        field,
        format!("must be {want}, got {got} {}", shown(input, span)),
    )
}

/// The digits of a JSON number that is a non-negative integer, or `None` (negative, fraction,
/// exponent). The scan has already checked the number's grammar.
fn integer_digits(raw: &[u8]) -> Option<&[u8]> {
    if raw.iter().all(u8::is_ascii_digit) && !raw.is_empty() {
        Some(raw)
    } else {
        None
    }
}

fn parse_u64(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// The JSON number at `b[start..]` when it is a plain non-negative integer that fits in 64
/// bits (no sign, fraction, exponent or leading zero), with the offset past it; `None` for
/// anything else, which the general path then reads and reports.
#[inline(always)]
pub(super) fn plain_uint(b: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut end = start;
    let mut n = 0u64;
    while let Some(&c) = b.get(end) {
        let digit = c.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // Any 19 digits fit in a u64: only a longer number needs the overflow checks.
        n = n.wrapping_mul(10).wrapping_add(u64::from(digit));
        end += 1;
    }
    if end - start > 19 {
        n = checked_uint(b.get(start..end).unwrap_or_default())?;
    }
    let leading_zero = b.get(start) == Some(&b'0') && end > start + 1;
    match b.get(end) {
        _ if end == start || leading_zero => None,
        Some(b'.' | b'e' | b'E') => None,
        _ => Some((n, end)),
    }
}

/// The value of `digits` (ASCII digits only), or `None` past `u64::MAX`.
#[cold]
fn checked_uint(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &c| {
        n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

fn parse_op(input: &[u8], span: Span) -> Result<u8, Error> {
    if Kind::of(input, span) != Some(Kind::Number) {
        return Err(not_a("op", "an integer", input, span));
    }
    integer_digits(span.slice(input))
        .and_then(parse_u64)
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| {
            Error::envelope(
                "op",
                format!("must be an integer in 0..=255, got {}", shown(input, span)),
            )
        })
}

fn parse_seq(input: &[u8], span: Span) -> Result<Option<u64>, Error> {
    match Kind::of(input, span) {
        Some(Kind::Null) => Ok(None),
        Some(Kind::Number) => integer_digits(span.slice(input))
            .and_then(parse_u64)
            .map(Some)
            .ok_or_else(|| {
                Error::envelope(
                    "s",
                    format!(
                        "must be an integer in 0..=18446744073709551615, got {}",
                        shown(input, span)
                    ),
                )
            }),
        _ => Err(not_a("s", "an integer or null", input, span)),
    }
}

/// The string whose quotes are at `open` and `close` (already checked by the strict scan).
#[inline(always)]
fn text_at(input: &[u8], open: usize, close: usize, escaped: bool) -> Result<Text, Error> {
    let inner = Span {
        start: open + 1,
        end: close,
    };
    if !escaped {
        return Ok(Text::span(inner));
    }
    let text = scan::str_value(
        input,
        Span {
            start: open,
            end: close + 1,
        },
    )?;
    Ok(Text::Owned(text.into_owned().into_boxed_str()))
}

/// `t` or `id` when it is not a string: only `null` is allowed.
fn parse_null(field: &'static str, input: &[u8], span: Span) -> Result<Option<Text>, Error> {
    match Kind::of(input, span) {
        Some(Kind::Null) => Ok(None),
        _ => Err(not_a(field, "a string or null", input, span)),
    }
}
