//! Skipping a nested object or array without parsing it.
//!
//! The skip classifies 64 bytes at a time, simdjson's way but in safe Rust: `wide`'s vectors
//! compile to SSE2 / AVX2 / NEON compares where the target has them (plain loops elsewhere)
//! and give one bit per byte for quotes, backslashes and brackets. Escaped quotes are removed
//! with carry arithmetic on the backslash bits, a prefix XOR of the quote bits gives "inside a
//! string", and only the brackets outside strings are looked at one by one, paired with a bit
//! stack held in a register: no recursion and no allocation, whatever the input.
//!
//! What a block costs is what the skip costs (a 560-byte `d` is nine blocks), so a block
//! computes as few masks as it can: three, not five. Brackets are found with one compare
//! (`byte & 0xD9 == 0x59`, which also lets `Y y _ DEL` through: the bracket loop reads the
//! byte and ignores those), and the backslash mask is only built for a block that has a
//! backslash (one OR of the compares says so; most blocks have none).

use wide::u8x64;

use super::{eof, MAX_DEPTH};
use crate::Error;

/// Bytes classified per step.
const BLOCK: usize = 64;

/// The bytes of a block as vectors, with the masks every block needs.
#[derive(Debug, Clone, Copy)]
struct Block {
    v: u8x64,
    /// One bit per `"` (bit `k` is byte `k`).
    quote: u64,
    /// One bit per `{ } [ ]`, and per `Y y _ DEL` (see the module docs).
    bracket: u64,
}

impl Block {
    #[inline(always)]
    fn classify(bytes: [u8; BLOCK]) -> Block {
        let v = u8x64::new(bytes);
        Block {
            v,
            quote: v.simd_eq(u8x64::splat(b'"')).to_bitmask(),
            // `{ } [ ]` are 0x7B 0x7D 0x5B 0x5D: equal to 0x59 once bits 0x20 | 0x04 | 0x02
            // are cleared (as are 0x59 0x5F 0x79 0x7F).
            bracket: (v & u8x64::splat(0xD9))
                .simd_eq(u8x64::splat(0x59))
                .to_bitmask(),
        }
    }

    /// The backslashes of the block, one bit each (bits below `shift` dropped).
    #[inline(always)]
    fn backslash(&self, shift: u32) -> u64 {
        let eq = self.v.simd_eq(u8x64::splat(b'\\'));
        if eq.any() {
            eq.to_bitmask() >> shift
        } else {
            0
        }
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

/// The open brackets, one bit per level (1 = object, 0 = array), at most [`MAX_DEPTH`].
///
/// The innermost 64 levels live in one register-sized word that pushes and pops by shifting;
/// only deeper levels go to the [`Spill`] array (through cold functions, which take it apart
/// from the word so that the word and the depth stay in registers).
#[derive(Debug, Clone, Copy, Default)]
struct Brackets {
    /// Level `depth - 1` in bit 0, level `depth - 64` in bit 63.
    top: u64,
    depth: usize,
}

/// The levels below the innermost 64: level `l` in bit `l % 64` of word `l / 64`.
struct Spill([u64; MAX_DEPTH / 64]);

impl Brackets {
    /// An opening bracket: `{` when `curly`, else `[`.
    #[inline(always)]
    fn open(&mut self, curly: bool, spill: &mut Spill) -> Result<(), Error> {
        if self.depth >= 64 {
            self.spill_out(spill)?;
        }
        self.top = (self.top << 1) | u64::from(curly);
        self.depth += 1;
        Ok(())
    }

    /// Level `depth - 64` is about to leave the word: keep it in the spill array.
    #[cold]
    #[inline(never)]
    fn spill_out(&self, spill: &mut Spill) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(Error::too_large("nesting", MAX_DEPTH));
        }
        let level = self.depth - 64;
        if let Some(word) = spill.0.get_mut(level / 64) {
            let bit = 1u64 << (level % 64);
            if self.top >> 63 == 1 {
                *word |= bit;
            } else {
                *word &= !bit;
            }
        }
        Ok(())
    }

    /// A closing bracket at offset `at`: `}` when `curly`, else `]`. `Ok(true)` when it closed
    /// the outermost one.
    #[inline(always)]
    fn close(&mut self, curly: bool, at: usize, spill: &Spill) -> Result<bool, Error> {
        if self.depth == 0 {
            return Err(Error::syntax(at, "unbalanced closing bracket"));
        }
        if (self.top ^ u64::from(curly)) & 1 != 0 {
            return Err(Error::syntax(at, "mismatched closing bracket"));
        }
        self.top >>= 1;
        self.depth -= 1;
        if self.depth >= 64 {
            self.top |= self.spilled(spill);
        }
        Ok(self.depth == 0)
    }

    /// Level `depth - 64`, which comes back into the word, as bit 63.
    #[cold]
    #[inline(never)]
    fn spilled(&self, spill: &Spill) -> u64 {
        let level = self.depth - 64;
        let word = spill.0.get(level / 64).copied().unwrap_or(0);
        (word >> (level % 64) & 1) << 63
    }
}

/// The scan state carried from block to block.
#[derive(Debug, Default)]
struct Skip {
    brackets: Brackets,
    escapes: Escapes,
    /// All ones while the previous block ended inside a string.
    in_string: u64,
}

/// What a block ended with.
enum Step {
    /// The value goes on into the next block.
    More,
    /// The value ended at this offset (past its closing bracket).
    End(usize),
}

impl Skip {
    /// Runs the block whose byte 0 is at `b[i]`; `shift` bits of its masks are already
    /// dropped (the last block, read as the input's last 64 bytes).
    #[inline(always)]
    fn block(
        &mut self,
        b: &[u8],
        i: usize,
        block: Block,
        shift: u32,
        spill: &mut Spill,
    ) -> Result<Step, Error> {
        let backslash = block.backslash(shift);
        let quotes = (block.quote >> shift) & !self.escapes.next(backslash);
        // Opening quote and content set, closing quote clear.
        let inside = prefix_xor(quotes) ^ self.in_string;
        self.in_string = 0u64.wrapping_sub(inside >> 63);
        let mut structural = (block.bracket >> shift) & !inside;
        let stray = backslash & !inside;
        if stray != 0 {
            // Brackets before a stray backslash still count: the value may end before it.
            structural &= (stray & stray.wrapping_neg()) - 1;
        }
        while structural != 0 {
            let at = i + structural.trailing_zeros() as usize;
            structural &= structural - 1;
            // `{ [` have bit 0x02 and not 0x04, `} ]` the other way round; the bytes the
            // bracket mask also lets through have both or neither.
            let c = b.get(at).copied().unwrap_or(0);
            let curly = c & 0x20 != 0;
            match c & 0x06 {
                0x02 => self.brackets.open(curly, spill)?,
                0x04 if self.brackets.close(curly, at, spill)? => return Ok(Step::End(at + 1)),
                _ => {}
            }
        }
        if stray != 0 {
            return Err(Error::syntax(
                i + stray.trailing_zeros() as usize,
                "backslash outside a string",
            ));
        }
        Ok(Step::More)
    }
}

/// Skips the object or array that starts at `b[start]`; returns the offset past its end.
///
/// Beyond string boundaries and bracket pairing, one more thing is checked because it is free
/// here: a backslash outside a string is a syntax error (it could only hide a quote).
pub(super) fn skip_nested(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut skip = Skip::default();
    let mut spill = Spill([0; MAX_DEPTH / 64]);
    let mut blocks = b.get(start..).unwrap_or_default().chunks_exact(BLOCK);
    let mut i = start;
    for full in blocks.by_ref() {
        let mut bytes = [0u8; BLOCK];
        bytes.copy_from_slice(full);
        if let Step::End(end) = skip.block(b, i, Block::classify(bytes), 0, &mut spill)? {
            return Ok(end);
        }
        i += BLOCK;
    }
    if !blocks.remainder().is_empty() {
        // The last, partial block: the input's last 64 bytes with the masks shifted down (no
        // copy into a padded buffer), or, for a shorter input, the rest padded with spaces
        // (which mean nothing to the skip).
        let (bytes, from, shift) = match b.len().checked_sub(BLOCK) {
            Some(from) => {
                let mut bytes = [0u8; BLOCK];
                bytes.copy_from_slice(b.get(from..).unwrap_or_default());
                (bytes, from, (i - from) as u32)
            }
            None => {
                let mut bytes = [b' '; BLOCK];
                let rest = b.get(i..).unwrap_or_default();
                if let Some(head) = bytes.get_mut(..rest.len()) {
                    head.copy_from_slice(rest);
                }
                (bytes, i, 0)
            }
        };
        debug_assert!(from + shift as usize == i);
        if let Step::End(end) = skip.block(b, i, Block::classify(bytes), shift, &mut spill)? {
            return Ok(end);
        }
    }
    let what = if skip.in_string != 0 {
        "in a string inside the value that starts at byte"
    } else {
        "in the value that starts at byte"
    };
    Err(eof(b.len(), &format!("{what} {start}")))
}

#[cfg(test)]
mod tests;
