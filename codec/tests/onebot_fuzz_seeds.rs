//! The seed corpora of the OneBot fuzz targets (`fuzz/corpus/onebot_decode/`,
//! `fuzz/corpus/cq_parse/`) run as plain tests, through the same checks the targets use
//! (`botgate_codec::onebot::fuzzing`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::fs;
use std::path::{Path, PathBuf};

use botgate_codec::onebot::{cq, decode_event, fuzzing, Incoming};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut seeds: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn onebot_decode_seeds_hold_the_invariants() {
    let seeds = corpus("onebot_decode");
    assert!(seeds.len() >= 40, "{} seeds", seeds.len());
    for (path, bytes) in &seeds {
        eprintln!("{}", path.display());
        fuzzing::check_decode(bytes);
    }
}

#[test]
fn onebot_decode_seeds_cover_events_responses_and_errors() {
    let (mut events, mut responses, mut errors) = (0, 0, 0);
    for (_, bytes) in corpus("onebot_decode") {
        match Incoming::classify(bytes.clone()) {
            Ok(Incoming::Event(raw)) => {
                events += 1;
                // Every event seed but the deliberately broken ones decodes.
                let _ = raw.decode();
            }
            Ok(Incoming::Response(_)) => responses += 1,
            Ok(_) => {}
            Err(_) => errors += 1,
        }
    }
    assert!(events >= 30, "{events}");
    assert!(responses >= 4, "{responses}");
    assert!(errors >= 3, "{errors}");
}

#[test]
fn every_events_jsonl_line_is_a_seed() {
    let seeds = corpus("onebot_decode");
    let lines = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/onebot/events.jsonl"
    ));
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            seeds.iter().any(|(_, b)| b == line.as_bytes()),
            "missing seed: {line}"
        );
    }
}

#[test]
fn cq_parse_seeds_hold_the_invariants() {
    let seeds = corpus("cq_parse");
    assert!(seeds.len() >= 15, "{} seeds", seeds.len());
    let mut ok = 0;
    for (path, bytes) in &seeds {
        eprintln!("{}", path.display());
        fuzzing::check_cq(bytes);
        ok += usize::from(cq::parse(std::str::from_utf8(bytes).unwrap()).is_ok());
    }
    assert!(ok >= 9 && ok < seeds.len(), "{ok} of {} parse", seeds.len());
}

#[test]
fn string_format_seed_decodes_to_segments() {
    let (_, bytes) = corpus("onebot_decode")
        .into_iter()
        .find(|(p, _)| p.ends_with("string-format-message.json"))
        .unwrap();
    let e = decode_event(&bytes).unwrap();
    let m = e.message().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].as_text(), Some("x&y"));
}
