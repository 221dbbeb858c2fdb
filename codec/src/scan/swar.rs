//! Eight bytes at a time in a `u64` (SWAR): the helpers the strict string scan uses.

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
}
