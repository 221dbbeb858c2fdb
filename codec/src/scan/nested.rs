//! Skipping a nested object or array without parsing it.
//!
//! The skip looks at eight bytes at a time (SWAR: plain `u64` arithmetic, no `unsafe`, no
//! target features) and jumps straight to the next byte that matters: a quote, a bracket, or
//! inside a string a quote or a backslash. Brackets are paired with a fixed-size bit stack, so
//! there is neither recursion nor allocation, whatever the input.

use super::{eof, MAX_DEPTH};
use crate::Error;

pub(super) const LO: u64 = 0x0101_0101_0101_0101;
pub(super) const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `b[i..i + 8]` as a little-endian word (first byte lowest).
#[inline(always)]
pub(super) fn load(b: &[u8], i: usize) -> Option<u64> {
    let chunk = b.get(i..i.checked_add(8)?)?;
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    Some(u64::from_le_bytes(word))
}

/// High bit set in the bytes of `w` equal to `v`. Bytes above a match may be set spuriously,
/// never bytes below one, so the lowest set bit is always the first match.
#[inline(always)]
pub(super) fn eq_bytes(w: u64, v: u8) -> u64 {
    let x = w ^ (LO * u64::from(v));
    x.wrapping_sub(LO) & !x & HI
}

/// High bit set in exactly the bytes of `w` equal to `v` (no false positives).
#[inline(always)]
fn eq_exact(w: u64, v: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (LO * u64::from(v));
    !(((x & LOW7) + LOW7) | x) & HI
}

/// The open brackets: one bit per level (1 = object, 0 = array), at most [`MAX_DEPTH`].
struct Brackets {
    bits: [u64; MAX_DEPTH / 64],
    depth: usize,
}

impl Brackets {
    /// Handles the bracket `c` found at offset `at`; `Ok(true)` when it closed the outermost one.
    #[inline]
    fn push_or_pop(&mut self, c: u8, at: usize) -> Result<bool, Error> {
        if c == b'{' || c == b'[' {
            if self.depth == MAX_DEPTH {
                return Err(Error::too_large("nesting", MAX_DEPTH));
            }
            if let Some(word) = self.bits.get_mut(self.depth / 64) {
                let bit = 1u64 << (self.depth % 64);
                if c == b'{' {
                    *word |= bit;
                } else {
                    *word &= !bit;
                }
            }
            self.depth += 1;
            return Ok(false);
        }
        if self.depth == 0 {
            return Err(Error::syntax(at, "unbalanced closing bracket"));
        }
        self.depth -= 1;
        let is_object = self
            .bits
            .get(self.depth / 64)
            .is_some_and(|word| word & (1u64 << (self.depth % 64)) != 0);
        if is_object != (c == b'}') {
            return Err(Error::syntax(at, "mismatched closing bracket"));
        }
        Ok(self.depth == 0)
    }
}

/// Skips the object or array that starts at `b[start]`; returns the offset past its end.
///
/// Eight bytes per step: exact byte masks for quotes and brackets, a prefix XOR of the quote
/// mask for "inside a string", and the brackets outside strings handed to [`Brackets`]. A word
/// with a backslash in it (or right after one) takes the byte-by-byte path.
pub(super) fn skip_nested(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut brackets = Brackets {
        bits: [0; MAX_DEPTH / 64],
        depth: 0,
    };
    // All ones while the previous word ended inside a string.
    let mut in_string = 0u64;
    // The previous word ended with a backslash inside a string: the next byte is escaped.
    let mut escape = false;
    let mut i = start;
    while i < b.len() {
        let w = match load(b, i) {
            Some(w) => w,
            None => {
                // The tail, padded with spaces (which mean nothing to the skip).
                let mut tail = [b' '; 8];
                let rest = b.get(i..).unwrap_or_default();
                tail[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(tail)
            }
        };
        // Any backslash at all (a spurious bit only ever sits above a real one).
        if eq_bytes(w, b'\\') != 0 || escape {
            for (k, c) in w.to_le_bytes().into_iter().enumerate() {
                if escape {
                    escape = false;
                } else if in_string != 0 {
                    match c {
                        b'\\' => escape = true,
                        b'"' => in_string = 0,
                        _ => {}
                    }
                } else {
                    match c {
                        b'"' => in_string = u64::MAX,
                        b'{' | b'}' | b'[' | b']' if brackets.push_or_pop(c, i + k)? => {
                            return Ok(i + k + 1);
                        }
                        _ => {}
                    }
                }
            }
            i += 8;
            continue;
        }
        let quotes = eq_exact(w, b'"');
        // `| 0x20` folds `[` onto `{` and `]` onto `}`, and nothing else onto either.
        let folded = w | (LO * 0x20);
        let candidates = eq_bytes(folded, b'{') | eq_bytes(folded, b'}');
        if candidates == 0 {
            // No bracket here: only the parity of the quotes matters.
            let count = ((quotes >> 7).wrapping_mul(LO)) >> 56;
            if count & 1 != 0 {
                in_string = !in_string;
            }
            i += 8;
            continue;
        }
        // Inside-string mask: opening quote and content set, closing quote clear.
        let mut inside = quotes;
        inside ^= inside << 8;
        inside ^= inside << 16;
        inside ^= inside << 32;
        inside ^= in_string & HI;
        in_string = if inside & (1 << 63) != 0 { u64::MAX } else { 0 };
        let mut structural = candidates & !inside;
        while structural != 0 {
            let k = (structural.trailing_zeros() / 8) as usize;
            let c = (w >> (8 * k)) as u8;
            // `eq_bytes` may flag the byte after a real bracket: check the byte itself.
            if matches!(c, b'{' | b'}' | b'[' | b']') && brackets.push_or_pop(c, i + k)? {
                return Ok(i + k + 1);
            }
            structural &= structural - 1;
        }
        i += 8;
    }
    let what = if in_string != 0 {
        "in a string inside the value that starts at byte"
    } else {
        "in the value that starts at byte"
    };
    Err(eof(b.len(), &format!("{what} {start}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_bytes_finds_the_first_match_exactly() {
        for pos in 0..8 {
            let mut bytes = *b"abcdefgh";
            bytes[pos] = b'"';
            // A byte 0x00 right after the match used to be the classic false-positive case.
            if pos < 7 {
                bytes[pos + 1] = 0x01;
            }
            let m = eq_bytes(u64::from_le_bytes(bytes), b'"');
            assert_eq!(m.trailing_zeros() / 8, pos as u32);
        }
        assert_eq!(eq_bytes(u64::from_le_bytes(*b"abcdefgh"), b'"'), 0);
    }

    #[test]
    fn eq_exact_flags_exactly_the_equal_bytes() {
        for c in 0..=255u8 {
            let bytes = [c, b'"', c, 0, b'"', c.wrapping_add(1), 0xff, b'"'];
            let m = eq_exact(u64::from_le_bytes(bytes), b'"');
            for (k, &byte) in bytes.iter().enumerate() {
                assert_eq!(
                    m >> (8 * k + 7) & 1 == 1,
                    byte == b'"',
                    "byte {c:#x} at {k}"
                );
            }
        }
    }

    #[test]
    fn every_bracket_byte_is_seen_at_every_position() {
        for c in 0..=255u8 {
            for pos in 1..20 {
                let mut input = vec![b' '; 21];
                input[0] = b'[';
                input[pos] = c;
                input[20] = b']';
                let got = skip_nested(&input, 0);
                match c {
                    b']' => assert_eq!(got.unwrap(), pos + 1),
                    b'[' | b'{' | b'}' | b'"' => assert!(got.is_err(), "{c:#x} at {pos}"),
                    _ => assert_eq!(got.unwrap(), 21, "{c:#x} at {pos}"),
                }
            }
        }
    }

    #[test]
    fn strings_with_escapes_are_skipped_at_any_alignment() {
        for pad in 0..17 {
            let body = format!("{}\\\"\\\\{}\"", "x".repeat(pad), "中".repeat(pad));
            let input = format!("[\"{body}]");
            assert_eq!(
                skip_nested(input.as_bytes(), 0).unwrap(),
                input.len(),
                "{input}"
            );
        }
    }
}
