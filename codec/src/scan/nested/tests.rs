//! The block skip against a byte-by-byte reading of the same rules.

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

/// The skip as it was first written, one byte at a time with a plain bracket stack: what the
/// block version must agree with exactly, spans and errors.
fn reference(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut open: Vec<u8> = Vec::new();
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
                b'{' | b'[' if open.len() == MAX_DEPTH => {
                    return Err(Error::too_large("nesting", MAX_DEPTH))
                }
                b'{' | b'[' => open.push(c),
                b'}' | b']' => match open.pop() {
                    None => return Err(Error::syntax(i, "unbalanced closing bracket")),
                    Some(o) if (o == b'{') != (c == b'}') => {
                        return Err(Error::syntax(i, "mismatched closing bracket"))
                    }
                    Some(_) if open.is_empty() => return Ok(i + 1),
                    Some(_) => {}
                },
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

/// Both skips from `start`, compared (the error kinds carry offsets and messages).
#[track_caller]
fn assert_same(input: &[u8], start: usize) {
    let got = skip_nested(input, start);
    let want = reference(input, start);
    assert_eq!(
        got.as_ref().map_err(Error::kind),
        want.as_ref().map_err(Error::kind),
        "from {start} in {}",
        String::from_utf8_lossy(input)
    );
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
            let m = Block::classify(block);
            let bit = 1u64 << pos;
            let bracket_like = b"{}[]Yy_\x7f".contains(&c);
            assert_eq!(m.quote == bit, c == b'"', "{c:#x} at {pos}");
            assert_eq!(m.backslash(0) == bit, c == b'\\', "{c:#x} at {pos}");
            assert_eq!(m.bracket == bit, bracket_like, "{c:#x} at {pos}");
            assert_eq!((m.quote | m.backslash(0) | m.bracket) & !bit, 0);
        }
    }
}

#[test]
fn block_skip_agrees_with_the_byte_by_byte_skip() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let alphabet = b"{}[]\"\"\"\\\\ax :,Yy_\x7f\xe4";
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
            let mut input: Vec<u8> = kinds.iter().map(|&c| if c { b'[' } else { b'{' }).collect();
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

/// The sample frames of `testdata/`, all platforms.
fn samples() -> impl Iterator<Item = &'static [u8]> {
    const FILES: [&str; 7] = [
        include_str!("../../../../testdata/qq/frames.jsonl"),
        include_str!("../../../../testdata/qq/order.jsonl"),
        include_str!("../../../../testdata/qq/schema_events.jsonl"),
        include_str!("../../../../testdata/bubble/frames.jsonl"),
        include_str!("../../../../testdata/bubble/schema_events.jsonl"),
        include_str!("../../../../testdata/onebot/events.jsonl"),
        include_str!("../../../../testdata/onebot/schema_events.jsonl"),
    ];
    FILES
        .into_iter()
        .flat_map(str::lines)
        .filter(|line| !line.trim().is_empty())
        .map(str::as_bytes)
}

#[test]
fn sample_frames_agree_from_every_bracket_and_when_cut_anywhere() {
    let mut frames = 0;
    for frame in samples() {
        frames += 1;
        // From every `{` or `[`, those inside strings too (a skip may be asked to start there).
        for (start, _) in frame
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == b'{' || c == b'[')
        {
            assert_same(frame, start);
        }
        // The frame cut short anywhere: an unterminated value, string or escape.
        assert_eq!(skip_nested(frame, 0).ok(), Some(frame.len()));
        for end in 1..frame.len() {
            assert_same(&frame[..end], 0);
        }
    }
    assert!(frames > 100, "only {frames} sample frames");
}

#[test]
fn sample_frames_agree_with_any_byte_swapped_for_a_special_one() {
    for frame in samples() {
        for at in 1..frame.len() {
            for c in *b"\"\\{}]y\xe4" {
                let mut bad = frame.to_vec();
                bad[at] = c;
                assert_same(&bad, 0);
            }
        }
    }
}

mod generated {
    use super::{assert_same, skip_nested};
    use proptest::prelude::*;
    use serde_json::Value;

    /// Strings with what a skip must step over: quotes, backslashes, brackets, control
    /// characters (escaped by serde_json), and multi-byte text.
    fn text() -> impl Strategy<Value = String> {
        "([a-z_Y]|[\"\\\\{}\\[\\]]|[\\x00-\\x1f]|中|😀| ){0,40}"
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(text(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A nested value (an object or array), compact or pretty-printed, followed by more input.
    fn nested() -> impl Strategy<Value = Vec<u8>> {
        (json(), any::<bool>()).prop_map(|(value, pretty)| {
            let value = match value {
                v @ (Value::Array(_) | Value::Object(_)) => v,
                v => Value::Array(vec![v]),
            };
            let mut out = match pretty {
                true => serde_json::to_vec_pretty(&value),
                false => serde_json::to_vec(&value),
            }
            .unwrap_or_default();
            out.extend_from_slice(br#","after":"]}"}"#);
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn valid_values_are_skipped_to_their_end(input in nested()) {
            let end = input.len() - br#","after":"]}"}"#.len();
            prop_assert_eq!(skip_nested(&input, 0).ok(), Some(end));
            assert_same(&input, 0);
        }

        #[test]
        fn mutated_values_agree(
            input in nested(),
            at in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"\"\\{}[]Yy_ a\x7f\xe4".to_vec()),
            how in 0..3u8,
        ) {
            let mut input = input;
            let at = at.index(input.len());
            match how {
                0 => input[at] = byte,
                1 => input.insert(at, byte),
                _ => { input.remove(at); }
            }
            if let Some(&(b'{' | b'[')) = input.first() {
                assert_same(&input, 0);
            }
        }

        #[test]
        fn truncated_values_agree(input in nested(), at in any::<prop::sample::Index>()) {
            let at = at.index(input.len());
            assert_same(&input[..at], 0);
        }
    }
}
