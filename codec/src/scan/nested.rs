//! Skipping a nested object or array without parsing it.
//!
//! The skip classifies 64 bytes at a time, simdjson's way but in safe Rust: `wide`'s vectors
//! compile to SSE2 / AVX2 / NEON compares where the target has them (plain loops elsewhere)
//! and give one bit per byte for quotes, backslashes, opening and closing brackets. Escaped
//! quotes are removed with carry arithmetic on the backslash bits, a prefix XOR of the quote
//! bits gives "inside a string", and only the brackets outside strings are looked at one by
//! one, paired with a fixed-size bit stack: no recursion and no allocation, whatever the input.

use wide::u8x64;

use super::{eof, MAX_DEPTH};
use crate::Error;

/// Bytes classified per step.
const BLOCK: usize = 64;

/// One bit per byte of a block (bit `k` is byte `k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` or `[`.
    open: u64,
    /// `}` or `]`.
    close: u64,
    /// Bytes with bit `0x20` set: at a bracket, `{` or `}` rather than `[` or `]`.
    curly: u64,
}

#[inline(always)]
fn classify(block: [u8; BLOCK]) -> Masks {
    let v = u8x64::new(block);
    // `| 0x20` folds `[` onto `{` and `]` onto `}`, and nothing else onto either.
    let folded = v | u8x64::splat(0x20);
    Masks {
        quote: v.simd_eq(u8x64::splat(b'"')).to_bitmask(),
        backslash: v.simd_eq(u8x64::splat(b'\\')).to_bitmask(),
        open: folded.simd_eq(u8x64::splat(b'{')).to_bitmask(),
        close: folded.simd_eq(u8x64::splat(b'}')).to_bitmask(),
        curly: (v & u8x64::splat(0x20))
            .simd_eq(u8x64::splat(0x20))
            .to_bitmask(),
    }
}

/// Which bytes a backslash escapes, with the carry from one block into the next.
#[derive(Debug, Default)]
struct Escapes {
    /// 1 when the first byte of the next block is escaped (the block ended on an odd run).
    carry: u64,
}

impl Escapes {
    /// The bytes of this block escaped by a backslash (an escaped backslash included).
    #[inline(always)]
    fn next(&mut self, backslash: u64) -> u64 {
        const ODD: u64 = 0xAAAA_AAAA_AAAA_AAAA;
        if backslash == 0 {
            return std::mem::take(&mut self.carry);
        }
        // A backslash that is itself escaped starts nothing.
        let starts = backslash & !self.carry;
        // Subtracting each run's first bit from the odd bits sets, past the run, the bit whose
        // parity tells whether the run was odd; XOR with the odd bits turns that into "escaped".
        let codes = ((starts << 1) | ODD).wrapping_sub(starts) ^ ODD;
        let escaped = codes ^ (backslash | self.carry);
        self.carry = (codes & backslash) >> 63;
        escaped
    }
}

/// Bit `k` set when an odd number of bits at or below `k` are set in `x`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The masks of the 64 bytes from `i` on; past the end of `b`, bytes count as spaces (which
/// mean nothing to the skip).
///
/// The last, partial block of an input of 64 bytes or more is read as the input's last 64
/// bytes with the masks shifted down: no copy into a padded buffer.
#[inline(always)]
fn masks_at(b: &[u8], i: usize) -> Masks {
    if let Some(full) = b.get(i..i.saturating_add(BLOCK)) {
        let mut block = [0u8; BLOCK];
        block.copy_from_slice(full);
        return classify(block);
    }
    if let Some(last) = b.len().checked_sub(BLOCK).and_then(|from| b.get(from..)) {
        let mut block = [0u8; BLOCK];
        block.copy_from_slice(last);
        let shift = i.saturating_sub(b.len() - BLOCK).min(BLOCK - 1) as u32;
        let m = classify(block);
        return Masks {
            quote: m.quote >> shift,
            backslash: m.backslash >> shift,
            open: m.open >> shift,
            close: m.close >> shift,
            curly: m.curly >> shift,
        };
    }
    let mut block = [b' '; BLOCK];
    let rest = b.get(i..).unwrap_or_default();
    block[..rest.len()].copy_from_slice(rest);
    classify(block)
}

/// The open brackets, one bit per level (1 = object, 0 = array), at most [`MAX_DEPTH`].
///
/// The innermost 64 levels live in one register-sized word that pushes and pops by shifting;
/// only deeper levels go to the spill array, so ordinary JSON never touches memory here.
struct Brackets {
    /// Level `depth - 1` in bit 0, level `depth - 64` in bit 63.
    top: u64,
    /// Level `l` (for the levels below the innermost 64) in bit `l % 64` of word `l / 64`.
    spill: [u64; MAX_DEPTH / 64],
    depth: usize,
}

impl Brackets {
    fn new() -> Brackets {
        Brackets {
            top: 0,
            spill: [0; MAX_DEPTH / 64],
            depth: 0,
        }
    }

    /// An opening bracket: `{` when `curly`, else `[`.
    #[inline(always)]
    fn open(&mut self, curly: bool) -> Result<(), Error> {
        if self.depth == MAX_DEPTH {
            return Err(Error::too_large("nesting", MAX_DEPTH));
        }
        if let Some(level) = self.depth.checked_sub(64) {
            // Level `depth - 64` leaves the word: keep it in the spill array.
            if let Some(word) = self.spill.get_mut(level / 64) {
                let bit = 1u64 << (level % 64);
                if self.top >> 63 == 1 {
                    *word |= bit;
                } else {
                    *word &= !bit;
                }
            }
        }
        self.top = (self.top << 1) | u64::from(curly);
        self.depth += 1;
        Ok(())
    }

    /// A closing bracket at offset `at`: `}` when `curly`, else `]`. `Ok(true)` when it closed
    /// the outermost one.
    #[inline(always)]
    fn close(&mut self, curly: bool, at: usize) -> Result<bool, Error> {
        if self.depth == 0 {
            return Err(Error::syntax(at, "unbalanced closing bracket"));
        }
        if (self.top & 1 == 1) != curly {
            return Err(Error::syntax(at, "mismatched closing bracket"));
        }
        self.top >>= 1;
        self.depth -= 1;
        if let Some(level) = self.depth.checked_sub(64) {
            // Level `depth - 64` comes back into the word.
            let word = self.spill.get(level / 64).copied().unwrap_or(0);
            self.top |= (word >> (level % 64) & 1) << 63;
        }
        Ok(self.depth == 0)
    }

    /// [`open`](Self::open) or [`close`](Self::close) by the bracket byte `c`.
    #[cfg(test)]
    fn push_or_pop(&mut self, c: u8, at: usize) -> Result<bool, Error> {
        match c {
            b'{' | b'[' => self.open(c == b'{').map(|()| false),
            _ => self.close(c == b'}', at),
        }
    }
}

/// Skips the object or array that starts at `b[start]`; returns the offset past its end.
///
/// Beyond string boundaries and bracket pairing, one more thing is checked because it is free
/// here: a backslash outside a string is a syntax error (it could only hide a quote).
pub(super) fn skip_nested(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut brackets = Brackets::new();
    let mut escapes = Escapes::default();
    // All ones while the previous block ended inside a string.
    let mut in_string = 0u64;
    let mut i = start;
    while i < b.len() {
        let m = masks_at(b, i);
        let quotes = m.quote & !escapes.next(m.backslash);
        // Opening quote and content set, closing quote clear.
        let inside = prefix_xor(quotes) ^ in_string;
        in_string = 0u64.wrapping_sub(inside >> 63);
        let stray = m.backslash & !inside;
        // Brackets before a stray backslash still count: the value may end before it.
        let before_stray = match stray {
            0 => u64::MAX,
            s => (s & s.wrapping_neg()) - 1,
        };
        let mut structural = (m.open | m.close) & !inside & before_stray;
        while structural != 0 {
            let bit = structural & structural.wrapping_neg();
            let curly = m.curly & bit != 0;
            if m.open & bit != 0 {
                brackets.open(curly)?;
            } else if brackets.close(curly, i + bit.trailing_zeros() as usize)? {
                return Ok(i + bit.trailing_zeros() as usize + 1);
            }
            structural &= structural - 1;
        }
        if stray != 0 {
            return Err(Error::syntax(
                i + stray.trailing_zeros() as usize,
                "backslash outside a string",
            ));
        }
        i += BLOCK;
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
                    b'[' | b'{' | b'}' | b'"' | b'\\' => assert!(got.is_err(), "{c:#x} at {pos}"),
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

    /// xorshift64: deterministic inputs without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick(&mut self, from: &[u8]) -> u8 {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    /// The same skip, one byte at a time: what the block version must agree with exactly.
    fn reference(b: &[u8], start: usize) -> Result<usize, Error> {
        let mut brackets = Brackets::new();
        let (mut in_string, mut escape) = (false, false);
        for (i, &c) in b.iter().enumerate().skip(start) {
            if escape {
                escape = false;
            } else if in_string {
                match c {
                    b'\\' => escape = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => in_string = true,
                    b'\\' => return Err(Error::syntax(i, "backslash outside a string")),
                    b'{' | b'}' | b'[' | b']' if brackets.push_or_pop(c, i)? => return Ok(i + 1),
                    _ => {}
                }
            }
        }
        let what = if in_string {
            "in a string inside the value that starts at byte"
        } else {
            "in the value that starts at byte"
        };
        Err(eof(b.len(), &format!("{what} {start}")))
    }

    #[test]
    fn escapes_match_a_byte_by_byte_reading_across_blocks() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..3 * BLOCK).map(|_| rng.pick(b"\\\\\\a\"")).collect();
            let mut want = vec![false; bytes.len()];
            let mut escape = false;
            for (k, &c) in bytes.iter().enumerate() {
                want[k] = escape;
                escape = !escape && c == b'\\';
            }
            let mut escapes = Escapes::default();
            for (n, block) in bytes.chunks(BLOCK).enumerate() {
                let backslash = block
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (k, &c)| m | (u64::from(c == b'\\') << k));
                let got = escapes.next(backslash);
                for k in 0..BLOCK {
                    assert_eq!(
                        got >> k & 1 == 1,
                        want[n * BLOCK + k],
                        "{bytes:?} at {}",
                        n * BLOCK + k
                    );
                }
            }
        }
    }

    #[test]
    fn classify_flags_exactly_the_bytes_that_matter() {
        for c in 0..=255u8 {
            for pos in [0, 1, 15, 16, 31, 32, 47, 48, 63] {
                let mut block = [b'x'; BLOCK];
                block[pos] = c;
                let m = classify(block);
                let bit = 1u64 << pos;
                assert_eq!(m.quote == bit, c == b'"', "{c:#x} at {pos}");
                assert_eq!(m.backslash == bit, c == b'\\', "{c:#x} at {pos}");
                assert_eq!(m.open == bit, c == b'{' || c == b'[', "{c:#x} at {pos}");
                assert_eq!(m.close == bit, c == b'}' || c == b']', "{c:#x} at {pos}");
                assert_eq!((m.quote | m.backslash | m.open | m.close) & !bit, 0);
            }
        }
    }

    #[test]
    fn block_skip_agrees_with_the_byte_by_byte_skip() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let alphabet = b"{}[]\"\"\"\\\\ax :,";
        for round in 0..50_000 {
            let len = 1 + (rng.next() % 300) as usize;
            let mut input: Vec<u8> = (0..len).map(|_| rng.pick(alphabet)).collect();
            input[0] = if round % 2 == 0 { b'{' } else { b'[' };
            let want = reference(&input, 0);
            let got = skip_nested(&input, 0);
            assert_eq!(
                got.as_ref().map_err(Error::kind),
                want.as_ref().map_err(Error::kind),
                "{}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn well_formed_values_are_skipped_to_their_end_at_every_length() {
        let mut rng = Rng(7);
        for _ in 0..2_000 {
            // A random well-formed value: nested arrays and objects with escaped strings.
            let mut value = String::new();
            let mut stack = Vec::new();
            let target = (rng.next() % 400) as usize;
            value.push('[');
            stack.push("]");
            while !stack.is_empty() {
                match (rng.next() % 6, value.len() < target) {
                    (0, true) => {
                        // An object holds one key whose value is an array.
                        value.push_str("{\"k\\\"}\":[");
                        stack.push("]}");
                    }
                    (1, true) => {
                        value.push('[');
                        stack.push("]");
                    }
                    (2 | 3, true) => value.push_str("\"中\\\\\\\"]\\u005d😀\","),
                    _ => {
                        if value.ends_with(',') {
                            value.pop();
                        }
                        if let Some(close) = stack.pop() {
                            value.push_str(close);
                        }
                        if !stack.is_empty() {
                            value.push(',');
                        }
                    }
                }
            }
            let input = format!("{value},\"after\"");
            assert!(
                serde_json::from_str::<serde_json::Value>(&value).is_ok(),
                "{value}"
            );
            assert_eq!(
                skip_nested(input.as_bytes(), 0).unwrap(),
                value.len(),
                "{value}"
            );
        }
    }

    #[test]
    fn deep_mixed_nesting_pairs_through_the_spill_words() {
        let mut rng = Rng(99);
        for depth in [1, 63, 64, 65, 127, 128, 129, 200, MAX_DEPTH] {
            for round in 0..40 {
                let kinds: Vec<bool> = (0..depth).map(|_| rng.next() & 1 == 1).collect();
                let mut input: Vec<u8> =
                    kinds.iter().map(|&c| if c { b'[' } else { b'{' }).collect();
                input.extend(kinds.iter().rev().map(|&c| if c { b']' } else { b'}' }));
                if round > 0 {
                    // Swap one closing bracket for the other kind: a mismatch at that level.
                    let at = depth + (rng.next() % depth as u64) as usize;
                    input[at] = if input[at] == b']' { b'}' } else { b']' };
                }
                let got = skip_nested(&input, 0);
                assert_eq!(
                    got.as_ref().map_err(Error::kind),
                    reference(&input, 0).as_ref().map_err(Error::kind),
                    "depth {depth} round {round}"
                );
                assert_eq!(got.is_ok(), round == 0, "depth {depth} round {round}");
            }
        }
    }
}
