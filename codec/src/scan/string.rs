//! JSON strings read strictly: boundaries, escapes, control characters, and escape decoding.

use wide::u8x16;

use super::swar::{eq_bytes, load, HI, LO};
use super::{eof, utf8};
use crate::Error;

/// Offset of the first `"`, `\` or control character at or after `i` within the bytes that fill
/// whole 16-byte vectors and then whole 8-byte words, or the offset where fewer than eight
/// bytes are left (the caller then goes byte by byte). `high` collects the top bits of the
/// bytes read: non-zero when a byte above 0x7f may be in the string.
///
/// Sixteen bytes cost about as many instructions (SSE2 compares through `wide`) as eight do
/// in a word, and the `t` / `id` strings of an envelope are 17 to 80 bytes long.
#[inline(always)]
fn next_special(b: &[u8], mut i: usize, high: &mut u64) -> usize {
    while let Some(chunk) = b.get(i..i.saturating_add(16)) {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(chunk);
        let v = u8x16::new(bytes);
        *high |= u64::from(v.to_bitmask());
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
    while let Some(w) = load(b, i) {
        *high |= w & HI;
        // Bytes below 0x20 (the lowest flagged byte is always a real one, as for `eq_bytes`).
        let control = w.wrapping_sub(LO * 0x20) & !w & HI;
        let m = eq_bytes(w, b'"') | eq_bytes(w, b'\\') | control;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// Scans a string whose opening quote is at `i - 1`, strictly: valid escapes, no raw control
/// characters, UTF-8 content. Returns the offset of the closing quote and whether there were
/// escapes.
///
/// The common string (no escape, at least eight bytes of input after it) is read inline
/// by the caller; anything else goes on in [`string_rest`], whose set-up it does not pay.
#[inline]
pub(crate) fn strict_string(b: &[u8], i: usize) -> Result<(usize, bool), Error> {
    // Non-zero once a byte above 0x7f may have been seen: only then is the content validated.
    let mut high = 0u64;
    let close = next_special(b, i, &mut high);
    let open = i.saturating_sub(1);
    if b.get(close) == Some(&b'"') {
        if high != 0 {
            utf8(b.get(open + 1..close).unwrap_or_default(), open + 1)?;
        }
        return Ok((close, false));
    }
    string_rest(b, open, close, high)
}

/// [`strict_string`] on from `i`, the first byte its fast path did not take, for the string
/// whose opening quote is at `open`.
#[inline(never)]
fn string_rest(b: &[u8], open: usize, mut i: usize, mut high: u64) -> Result<(usize, bool), Error> {
    let mut escaped = false;
    loop {
        i = next_special(b, i, &mut high);
        match b.get(i) {
            Some(b'"') => {
                if high != 0 {
                    utf8(b.get(open + 1..i).unwrap_or_default(), open + 1)?;
                }
                return Ok((i, escaped));
            }
            Some(b'\\') => {
                escaped = true;
                match b.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        // A lone surrogate is valid JSON and reads as U+FFFD (`unescape`,
                        // `surrogates.rs`); the pair's second escape is checked on its own.
                        u_escape(b, i)?;
                        i += 6;
                    }
                    Some(_) => return Err(Error::syntax(i, "invalid escape in a string")),
                    None => return Err(eof(i + 1, "in an escape")),
                }
            }
            Some(&c) if c < 0x20 => {
                return Err(Error::syntax(
                    i,
                    "control character in a string (must be escaped)",
                ))
            }
            Some(&c) => {
                high |= u64::from(c & 0x80);
                i += 1;
            }
            None => {
                return Err(eof(
                    b.len(),
                    &format!("in the string that starts at byte {open}"),
                ))
            }
        }
    }
}

/// Reads the `\uXXXX` escape whose backslash is at `b[i]`.
fn u_escape(b: &[u8], i: usize) -> Result<u32, Error> {
    match b.get(i + 1) {
        Some(b'u') => {}
        Some(_) => return Err(Error::syntax(i, "invalid escape in a string")),
        None => return Err(eof(i + 1, "in an escape")),
    }
    let mut unit = 0;
    for k in 2..6 {
        match b.get(i + k).and_then(|&c| char::from(c).to_digit(16)) {
            Some(digit) => unit = unit * 16 + digit,
            None if i + k >= b.len() => return Err(eof(i + k, "in a `\\u` escape")),
            None => {
                return Err(Error::syntax(
                    i + k,
                    "invalid `\\u` escape (expected 4 hex digits)",
                ))
            }
        }
    }
    Ok(unit)
}

/// Decodes the escapes of a string's content (`raw`, the bytes between the quotes, already
/// checked by [`strict_string`]); `base` is the offset of `raw` in the input, for errors.
pub(crate) fn unescape(raw: &str, base: usize) -> Result<String, Error> {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(raw.get(plain..i).unwrap_or_default());
        let esc = b.get(i + 1).copied().unwrap_or(0);
        i += 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let at = base + i - 2;
                // `i` is past the `\u`: the escape's backslash is at `i - 2`.
                let hi =
                    u_escape(b, i - 2).map_err(|_| Error::syntax(at, "invalid `\\u` escape"))?;
                i += 4;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    let lo = if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
                        u_escape(b, i).ok()
                    } else {
                        None
                    };
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(hi)
                };
                // A lone surrogate (no char of its own) reads as U+FFFD, as Go reads it.
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            _ => return Err(Error::syntax(base + i - 2, "invalid escape in a string")),
        }
        plain = i;
    }
    out.push_str(raw.get(plain..).unwrap_or_default());
    Ok(out)
}
