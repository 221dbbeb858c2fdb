//! The direct pass (decision 0035): a payload read straight into its `Box` by code the
//! `lenient_payload!` macro writes from the struct's field list, without serde's visitors, its
//! per-field `Option` slots or the moves of the finished struct. It reads only what the first
//! pass would read to the same value, and refuses the rest (a number in a string field, `null`
//! where a value is expected, a duplicate key, ...): the decode then starts over on the serde
//! passes, so the direct pass changes no result, only the cost of well-formed input.
//!
//! Strings borrowed from the input become [`crate::Text`] ranges of the shared buffer the
//! input is (`crate::text::share_strings`' source, passed in here, not read from the thread).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use super::fast::Fast;
pub(crate) use super::reader::KeyBytes;
use super::reader::{fail, Reader, Result, Text as Token};
use crate::Text;
use serde::de::{self, Visitor};

/// What the direct pass reads from: the reader over the shared buffer, and that buffer.
pub(crate) struct Input<'de> {
    pub(super) reader: Reader<'de>,
    source: &'de Arc<str>,
    /// The source is short enough for [`Text::in_small_buffer`].
    small: bool,
}

impl<'de> Input<'de> {
    /// The string at the position (past its opening quote), as a [`Text`] sharing the source
    /// when it has no escape. The reader reads all of the source, so its offsets are the
    /// source's.
    #[inline(always)]
    fn text(&mut self) -> Result<Text> {
        match self.reader.string_range()? {
            Some((start, end)) => Ok(match (u32::try_from(start), u32::try_from(end)) {
                (Ok(start), Ok(end)) if self.small => {
                    Text::in_small_buffer(Arc::clone(self.source), start, end)
                }
                _ => {
                    let s = self
                        .source
                        .get(start..end)
                        .ok_or_else(|| fail("not a boundary"))?;
                    Text::range_of(self.source, s).unwrap_or_else(|| s.into())
                }
            }),
            None => Ok(Text::from(self.reader.scratch.as_str())),
        }
    }

    /// The next byte (after whitespace), not taken.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.reader.peek()
    }

    /// Reads a struct's object: `entry(self, field)` for each key of a field, which must read
    /// the value; other keys' values are skipped. Keys with escapes are refused.
    ///
    /// Producers write a type's keys in one order. `next[i]` holds the field that followed
    /// field `i` the last time (`next[N]`: the first field): that field's key is tried first
    /// with one compare of its bytes ([`KeyBytes`]), and only when it is not there is the key
    /// read as a string and looked up with `by_name`. Every path reads the same key to the
    /// same field, so the guess only changes the cost.
    #[inline]
    pub(crate) fn fields<F: Copy, const N: usize>(
        &mut self,
        fields: &Fields<F, N>,
        by_name: impl Fn(&str) -> Option<F>,
        mut entry: impl FnMut(&mut Self, F) -> Result<()>,
    ) -> Result<()> {
        self.reader.expect(b'{')?;
        self.reader.enter()?;
        if self.reader.peek() == Some(b'}') {
            self.reader.bump();
            self.reader.leave();
            return Ok(());
        }
        let mut prev = N;
        loop {
            let guess = fields
                .next
                .get(prev)
                .map_or(0, |n| n.load(Ordering::Relaxed));
            let guess = usize::from(guess);
            let field = match fields.keys.get(guess) {
                Some(key) if self.reader.take_key(key) => fields.all.get(guess).copied(),
                _ => {
                    self.reader.expect(b'"')?;
                    let Token::Borrowed(key) = self.reader.string()? else {
                        return Err(fail("escaped key"));
                    };
                    self.reader.expect(b':')?;
                    let found = by_name(key);
                    if let (Some(f), Some(slot)) = (found, fields.next.get(prev)) {
                        // Learn the order; `index` is below N <= 64.
                        slot.store((fields.index)(f) as u8, Ordering::Relaxed);
                    }
                    found
                }
            };
            match field {
                Some(f) => {
                    prev = (fields.index)(f);
                    entry(self, f)?;
                }
                None => self.reader.skip()?,
            }
            // The separator is matched here and in the array and skip loops, not in a shared
            // helper: one (inlined or not) cost 60–320 instructions per QQ event (callgrind).
            match self.reader.peek() {
                Some(b',') => self.reader.bump(),
                Some(b'}') => {
                    self.reader.bump();
                    break;
                }
                _ => return Err(fail("expected `,` or `}`")),
            }
        }
        self.reader.leave();
        Ok(())
    }
}

/// What [`Input::fields`] knows of a struct with `N` fields (`F`: one value per field, in
/// the order of the field list).
pub(crate) struct Fields<F: 'static, const N: usize> {
    /// Each field's key (`keys[i]` is field `i`'s).
    pub(crate) keys: &'static [KeyBytes; N],
    /// Each field (`all[i]` is field `i`).
    pub(crate) all: &'static [F; N],
    /// A field's place in the list.
    pub(crate) index: fn(F) -> usize,
    /// `N + 1` entries: the field seen after field `i` last time; `next[N]` the first one.
    pub(crate) next: &'static [AtomicU8],
}

/// Refuses a key seen twice (serde's derive refuses it too; the serde passes then decide).
/// `seen` holds one bit per field, `index` is the field's place in the list.
#[inline]
pub(crate) fn first_time(seen: &mut u64, index: usize) -> Result<()> {
    let bit = 1u64 << index;
    if *seen & bit != 0 {
        return Err(fail("duplicate field"));
    }
    *seen |= bit;
    Ok(())
}

/// A field type the direct pass reads in place.
pub(crate) trait Direct {
    /// Reads the value at the position into `out` (which holds the type's default).
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()>;
}

/// Reads a value as the first serde pass reads a field of type `T` (for the few field types
/// with a rule of their own: enums, floats).
#[inline]
pub(crate) fn by_serde<'de, T: serde::Deserialize<'de>>(input: &mut Input<'de>) -> Result<T> {
    // The serde reads find the shared buffer on the thread (`Text`'s `Deserialize`).
    let _shared = crate::text::share_strings(input.source);
    T::deserialize(Fast::<_>(&mut input.reader))
}

/// Reads a field with its own `deserialize_with` function, as the first serde pass does.
#[inline]
pub(crate) fn with<'r, 'de, T>(
    input: &'r mut Input<'de>,
    out: &mut T,
    read: impl FnOnce(Fast<&'r mut Reader<'de>>) -> Result<T>,
) -> Result<()> {
    let _shared = crate::text::share_strings(input.source);
    *out = read(Fast(&mut input.reader))?;
    Ok(())
}

/// Decodes `source` as a `T` straight into a box; `None` when the direct pass refuses it.
#[inline]
pub(crate) fn boxed<T: Direct + Default>(source: &Arc<str>) -> Option<Box<T>> {
    let mut input = Input {
        reader: Reader::new(source),
        source,
        small: source.len() < Text::SMALL_BUFFER,
    };
    let mut out = Box::<T>::default();
    T::read(&mut input, &mut out).ok()?;
    input.reader.end().ok()?;
    Some(out)
}

impl Direct for Text {
    // Always inlined: a message reads 15 strings, and the call's register saves cost as much
    // as a short string's read.
    #[inline(always)]
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
        input.reader.expect(b'"')?;
        *out = input.text()?;
        Ok(())
    }
}

impl Direct for bool {
    #[inline]
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
        match input.reader.peek() {
            Some(b't') => input.reader.literal(b"true").map(|()| *out = true),
            Some(b'f') => input.reader.literal(b"false").map(|()| *out = false),
            _ => Err(fail("expected a bool")),
        }
    }
}

/// An integer as serde_json hands it over: `u64` when not negative, else `i64`; floats refused.
enum Integer {
    Unsigned(u64),
    Signed(i64),
}

struct IntegerVisitor;

impl<'de> Visitor<'de> for IntegerVisitor {
    type Value = Integer;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer")
    }
    #[inline]
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Integer, E> {
        Ok(Integer::Unsigned(v))
    }
    #[inline]
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Integer, E> {
        Ok(Integer::Signed(v))
    }
}

/// Integer field types: what fits, as serde's `Deserialize` of the type takes it.
macro_rules! integers {
    ($($t:ty),+) => {$(
        impl Direct for $t {
            #[inline]
            fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
                if !matches!(input.reader.peek(), Some(b'-' | b'0'..=b'9')) {
                    return Err(fail("expected a number"));
                }
                let n = match input.reader.number(IntegerVisitor)? {
                    Integer::Unsigned(n) => <$t>::try_from(n).ok(),
                    Integer::Signed(n) => <$t>::try_from(n).ok(),
                };
                *out = n.ok_or_else(|| fail("integer out of range"))?;
                Ok(())
            }
        }
    )+};
}
integers!(u64, i64, u32, i32);

impl Direct for Option<f64> {
    #[inline]
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
        *out = by_serde(input)?;
        Ok(())
    }
}

impl<T: Direct + Default> Direct for Option<T> {
    #[inline]
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
        match input.reader.peek() {
            Some(b'n') => input.reader.literal(b"null").map(|()| *out = None),
            // `""` in an `Option` is absent, as the first pass reads it (decision 0026).
            Some(b'"') if input.reader.empty_string_next() => {
                input.reader.literal(b"\"\"").map(|()| *out = None)
            }
            _ => T::read(input, out.insert(T::default())),
        }
    }
}

impl<T: Direct + Default> Direct for Vec<T> {
    #[inline]
    fn read(input: &mut Input<'_>, out: &mut Self) -> Result<()> {
        input.reader.expect(b'[')?;
        input.reader.enter()?;
        if input.reader.peek() == Some(b']') {
            input.reader.bump();
        } else {
            loop {
                // `null` and `""` elements are dropped by the coercing pass: refused here.
                if matches!(input.reader.peek(), Some(b'n')) || input.reader.empty_string_next() {
                    return Err(fail("an absent element"));
                }
                out.push(T::default());
                if let Some(last) = out.last_mut() {
                    T::read(input, last)?;
                }
                match input.reader.peek() {
                    Some(b',') => input.reader.bump(),
                    Some(b']') => {
                        input.reader.bump();
                        break;
                    }
                    _ => return Err(fail("expected `,` or `]`")),
                }
            }
        }
        input.reader.leave();
        Ok(())
    }
}
