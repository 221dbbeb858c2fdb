//! The first pass's JSON reader over text already checked to be UTF-8 (decision 0026): the
//! lexing half (whitespace, strings, numbers, skipping a value). The `serde::Deserializer`
//! over it is `reader_de.rs`.
//!
//! It accepts a subset of what serde_json accepts and reads it to the same values; anything
//! else is an error, which only sends the decode to the coercing passes (on serde_json). So
//! every rule here is serde_json's or stricter: control characters and lone surrogates in a
//! string, a number's grammar, 128 levels of nesting (a skipped value included, which
//! serde_json does not limit), and any number other than a plain integer is handed to
//! serde_json itself, so a float is rounded exactly as it rounds it.

use serde::de::{self, Visitor};
use wide::u8x16;

pub(super) type Error = serde_json::Error;
pub(super) type Result<T> = std::result::Result<T, Error>;

/// Nesting serde_json allows (its `remaining_depth`): entering the 128th level fails.
const DEPTH: u8 = 128;

/// An error of the first pass: never shown, only a reason to retry.
#[cold]
pub(super) fn fail(why: &'static str) -> Error {
    de::Error::custom(why)
}

/// A string just read: borrowed from the input (no escape in it), or decoded into the
/// reader's scratch.
pub(super) enum Text<'de> {
    Borrowed(&'de str),
    Scratch,
}

/// The reader: the input, a position in it, the nesting left, a scratch for escaped strings.
#[derive(Debug)]
pub(crate) struct Reader<'de> {
    text: &'de str,
    pos: usize,
    depth: u8,
    pub(super) scratch: String,
}

/// A key as the bytes that follow its opening quote in compact JSON, `name":`, for
/// [`Reader::take_key`]: one 16-byte compare instead of a string read and a match. A name
/// longer than 14 bytes gets `len` 0, which never matches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyBytes {
    bits: u128,
    mask: u128,
    len: usize,
}

impl KeyBytes {
    /// The key bytes of each of `names` (which must be `N`).
    pub(crate) const fn all<const N: usize>(names: &[&str]) -> [KeyBytes; N] {
        let mut out = [KeyBytes {
            bits: 0,
            mask: 0,
            len: 0,
        }; N];
        let mut i = 0;
        while i < N {
            out[i] = KeyBytes::of(names[i].as_bytes());
            i += 1;
        }
        out
    }

    const fn of(name: &[u8]) -> KeyBytes {
        let len = name.len() + 2;
        if len > 16 {
            return KeyBytes {
                bits: 0,
                mask: 0,
                len: 0,
            };
        }
        let (mut bits, mut mask) = (0u128, 0u128);
        let mut i = 0;
        while i < len {
            let byte = if i < name.len() {
                name[i]
            } else if i == name.len() {
                b'"'
            } else {
                b':'
            };
            bits |= (byte as u128) << (8 * i);
            mask |= 0xFF << (8 * i);
            i += 1;
        }
        KeyBytes { bits, mask, len }
    }
}

/// Below this, `n * 10^8 + 99,999,999` fits in a `u64`.
const EIGHT_DIGITS_ROOM: u64 = (u64::MAX - 99_999_999) / 100_000_000;

/// The value of eight ASCII digits, or `None` when one of the bytes is not a digit (simdjson's
/// checks and its three multiplications, on one little-endian word).
#[inline]
fn eight_digits(chunk: &[u8]) -> Option<u64> {
    let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
    let high = 0xF0F0_F0F0_F0F0_F0F0;
    // Each byte is 0x30..=0x39: its high nibble is 3, and adding 6 keeps it 3.
    if (word & high) | ((word.wrapping_add(0x0606_0606_0606_0606) & high) >> 4)
        != 0x3333_3333_3333_3333
    {
        return None;
    }
    let v = (word & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    Some((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` that are `"`, `\` or a control character, as their high bits. Only the lowest
/// flagged byte is exact (a borrow only moves up from a byte that matched), which is the one
/// wanted.
#[inline]
fn specials(w: u64) -> u64 {
    let quote = w ^ (LO * u64::from(b'"'));
    let slash = w ^ (LO * u64::from(b'\\'));
    ((quote.wrapping_sub(LO) & !quote)
        | (slash.wrapping_sub(LO) & !slash)
        | (w.wrapping_sub(LO * 0x20) & !w))
        & HI
}

/// The index of the first `"`, `\` or control character at or after `i` (or the length),
/// sixteen bytes at a time (SSE2 compares through `wide`: about the instructions of one
/// 8-byte word, and most strings here, keys included, fit in one block), then eight.
#[inline]
fn find_special(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i.saturating_add(16)) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        let v = u8x16::new(block);
        // Bytes below 0x20 are those whose maximum with 0x1F is 0x1F.
        let special = v.simd_eq(u8x16::splat(b'"'))
            | v.simd_eq(u8x16::splat(b'\\'))
            | v.max(u8x16::splat(0x1F)).simd_eq(u8x16::splat(0x1F));
        let m = special.to_bitmask();
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i + 8 <= bytes.len() {
        let Some(Ok(chunk)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) else {
            break;
        };
        let hit = specials(u64::from_le_bytes(chunk));
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

impl<'de> Reader<'de> {
    /// A reader at the start of `text`.
    pub(super) fn new(text: &'de str) -> Self {
        Reader {
            text,
            pos: 0,
            depth: DEPTH,
            scratch: String::new(),
        }
    }

    #[inline]
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    /// Moves past the byte last peeked.
    #[inline]
    pub(super) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Skips JSON whitespace and returns the next byte without taking it.
    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        // Compact JSON: the next byte is no whitespace (all of which is below `!`).
        match self.bytes().get(self.pos) {
            Some(&b) if b > b' ' => Some(b),
            _ => self.peek_after_whitespace(),
        }
    }

    /// Whether the next two bytes (after a [`Self::peek`]) are `""`.
    #[inline]
    pub(super) fn empty_string_next(&self) -> bool {
        self.bytes().get(self.pos..self.pos + 2) == Some(b"\"\"".as_slice())
    }

    /// [`Self::peek`] past whitespace.
    #[inline(never)]
    fn peek_after_whitespace(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' | b'\n' | b'\t' | b'\r' => self.pos += 1,
                _ => return Some(b),
            }
        }
        None
    }

    /// Only whitespace is left.
    pub(super) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(fail("trailing characters")),
        }
    }

    /// Enters an array or object (serde_json's recursion limit).
    #[inline]
    pub(super) fn enter(&mut self) -> Result<()> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(fail("recursion limit exceeded"));
        }
        Ok(())
    }

    /// Leaves an array or object.
    #[inline]
    pub(super) fn leave(&mut self) {
        self.depth += 1;
    }

    /// Takes the key `key` describes if it is next: its opening quote at the position, then
    /// the bytes `name":`. `false` leaves the position where it was.
    #[inline]
    pub(super) fn take_key(&mut self, key: &KeyBytes) -> bool {
        let at = self.pos;
        let bytes = self.bytes();
        let (Some(b'"'), Some(window)) = (bytes.get(at), bytes.get(at + 1..at + 17)) else {
            return false;
        };
        let Ok(window) = <[u8; 16]>::try_from(window) else {
            return false;
        };
        if key.len == 0 || (u128::from_le_bytes(window) ^ key.bits) & key.mask != 0 {
            return false;
        }
        self.pos = at + 1 + key.len;
        true
    }

    /// Takes `byte` (after whitespace) or fails.
    #[inline]
    pub(super) fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(fail("unexpected character"))
        }
    }

    /// Takes the literal `word` (`null`, `true`, `false`) at the position.
    #[inline]
    pub(super) fn literal(&mut self, word: &[u8]) -> Result<()> {
        match self.bytes().get(self.pos..) {
            Some(rest) if rest.starts_with(word) => {
                self.pos += word.len();
                Ok(())
            }
            _ => Err(fail("expected a literal")),
        }
    }

    /// Reads a string like [`string`](Self::string), for the direct pass: its byte range in the
    /// input when it has no escape (both ends next to an ASCII quote, so on char boundaries;
    /// no `&str` is made), `None` when it was decoded into the scratch. Always inlined: the
    /// direct pass's string read is the hottest path of a decode.
    #[inline(always)]
    pub(super) fn string_range(&mut self) -> Result<Option<(usize, usize)>> {
        let bytes = self.bytes();
        let start = self.pos;
        let end = find_special(bytes, start);
        match bytes.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(Some((start, end)))
            }
            Some(b'\\') => self.escaped(start, end).map(|_| None),
            _ => Err(fail("control character or end of input in a string")),
        }
    }

    /// Reads a string; the position is just past its opening quote.
    #[inline]
    pub(super) fn string(&mut self) -> Result<Text<'de>> {
        match self.string_range()? {
            // Both ends are next to an ASCII quote, so on a char boundary.
            Some((start, end)) => self
                .text
                .get(start..end)
                .map(Text::Borrowed)
                .ok_or_else(|| fail("not a boundary")),
            None => Ok(Text::Scratch),
        }
    }

    /// The rest of a string with escapes, decoded into the scratch; `at` is its first `\`.
    #[inline(never)]
    fn escaped(&mut self, start: usize, mut at: usize) -> Result<Text<'de>> {
        let text = self.text;
        let bytes = text.as_bytes();
        self.scratch.clear();
        self.scratch
            .push_str(text.get(start..at).ok_or_else(|| fail("not a boundary"))?);
        loop {
            // `at` is on a backslash.
            let escape = bytes.get(at + 1).copied();
            at += 2;
            let c = match escape {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => unicode(bytes, &mut at)?,
                _ => return Err(fail("invalid escape")),
            };
            self.scratch.push(c);
            let next = find_special(bytes, at);
            self.scratch
                .push_str(text.get(at..next).ok_or_else(|| fail("not a boundary"))?);
            match bytes.get(next) {
                Some(b'"') => {
                    self.pos = next + 1;
                    return Ok(Text::Scratch);
                }
                Some(b'\\') => at = next,
                _ => return Err(fail("control character or end of input in a string")),
            }
        }
    }

    /// Reads a number (the position is on its `-` or first digit) and hands it to `visitor`
    /// as serde_json does: a non-negative integer that fits as `u64`, a negative one that
    /// fits as `i64` (not `-0`), anything else as the `f64` serde_json itself reads from it.
    #[inline]
    pub(super) fn number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut n: u64 = 0;
        let mut wide = false;
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                // Eight digits at a time while `n` has room for them (ids are 9–20 digits),
                // then one at a time with the overflow checks. A block is tried only when its
                // last byte is a digit: short numbers (counts, types) skip it for one compare.
                while n < EIGHT_DIGITS_ROOM && matches!(bytes.get(i + 7), Some(b'0'..=b'9')) {
                    match bytes.get(i..i + 8).and_then(eight_digits) {
                        Some(v) => {
                            n = n * 100_000_000 + v;
                            i += 8;
                        }
                        None => break,
                    }
                }
                while let Some(&d @ b'0'..=b'9') = bytes.get(i) {
                    match n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(d - b'0')))
                    {
                        Some(m) => n = m,
                        None => wide = true,
                    }
                    i += 1;
                }
            }
            _ => return Err(fail("invalid number")),
        }
        if !wide && !matches!(bytes.get(i), Some(b'.' | b'e' | b'E')) {
            if !negative {
                self.pos = i;
                return visitor.visit_u64(n);
            }
            // serde_json's rule: `-0` and what does not fit are floats.
            #[allow(clippy::cast_possible_wrap)] // the wrap is the test
            let m = (n as i64).wrapping_neg();
            if m < 0 {
                self.pos = i;
                return visitor.visit_i64(m);
            }
        }
        let end = number_end(bytes, start)?;
        if end == i && (wide || n != 0) {
            // An integer (not `-0`) that fits neither `u64` nor `i64`: serde_json would round it
            // as a float. The decode that reads it as a string (`wide_integers`) runs instead.
            return Err(fail("integer wider than 64 bits"));
        }
        let token = self
            .text
            .get(start..end)
            .ok_or_else(|| fail("not a boundary"))?;
        let f: f64 = serde_json::from_str(token)?;
        self.pos = end;
        visitor.visit_f64(f)
    }

    /// Skips one value (after whitespace), checking it as serde_json's reading would.
    pub(super) fn skip(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string().map(drop)
            }
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.expect(b'"')?;
                        self.string()?;
                        self.expect(b':')?;
                        self.skip()?;
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(fail("expected `,` or `}`")),
                        }
                    }
                }
                self.leave();
                Ok(())
            }
            Some(b'[') => {
                self.enter()?;
                self.pos += 1;
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip()?;
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(fail("expected `,` or `]`")),
                        }
                    }
                }
                self.leave();
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                self.pos = number_end(self.bytes(), self.pos)?;
                Ok(())
            }
            Some(b'n') => self.literal(b"null"),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            _ => Err(fail("expected a value")),
        }
    }
}

/// The end of the number starting at `i`, by JSON's grammar (a leading zero alone, digits
/// after `.` and after the exponent).
fn number_end(bytes: &[u8], mut i: usize) -> Result<usize> {
    let digits = |i: &mut usize| {
        let from = *i;
        while let Some(b'0'..=b'9') = bytes.get(*i) {
            *i += 1;
        }
        *i > from
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return Err(fail("invalid number")),
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return Err(fail("invalid number"));
        }
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        if !digits(&mut i) {
            return Err(fail("invalid number"));
        }
    }
    Ok(i)
}

/// Four hex digits at `*at`, moving past them.
#[inline]
fn hex4(bytes: &[u8], at: &mut usize) -> Result<u32> {
    let digits = bytes
        .get(*at..)
        .and_then(<[u8]>::first_chunk::<4>)
        .ok_or_else(|| fail("short \\u escape"))?;
    let mut n = 0;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(fail("invalid \\u escape")),
        };
        n = n * 16 + u32::from(v);
    }
    *at += 4;
    Ok(n)
}

/// The char of a `\u` escape whose hex digits start at `*at`, a surrogate pair included;
/// a lone surrogate reads as U+FFFD (as Go's `encoding/json` reads it; serde_json refuses
/// it, and the codec then reads a copy with `\ufffd` in its place), and the escape after a
/// lone high half is read on its own.
fn unicode(bytes: &[u8], at: &mut usize) -> Result<char> {
    let n = hex4(bytes, at)?;
    let n = match n {
        0xD800..=0xDBFF => {
            let low = match bytes.get(*at..*at + 2) {
                Some(b"\\u") => {
                    let mut after = *at + 2;
                    hex4(bytes, &mut after).ok().map(|low| (low, after))
                }
                _ => None,
            };
            match low {
                Some((low @ 0xDC00..=0xDFFF, after)) => {
                    *at = after;
                    0x1_0000 + ((n - 0xD800) << 10) + (low - 0xDC00)
                }
                _ => return Ok(char::REPLACEMENT_CHARACTER),
            }
        }
        0xDC00..=0xDFFF => return Ok(char::REPLACEMENT_CHARACTER),
        n => n,
    };
    char::from_u32(n).ok_or_else(|| fail("invalid \\u escape"))
}
