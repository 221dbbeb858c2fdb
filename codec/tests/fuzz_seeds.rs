//! The seed corpora of the fuzz targets (`fuzz/corpus/<target>/`) run as plain tests, through
//! the same checks the fuzz targets use (`botgate_codec::fuzzing`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::fs;
use std::path::{Path, PathBuf};

use botgate_codec::{bubble, fuzzing, qq};

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

fn testdata_lines(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(file);
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every sample line of `files` is a seed of `target` (so the corpus cannot silently drift).
fn assert_seeds_cover(target: &str, files: &[&str]) {
    let seeds: Vec<Vec<u8>> = corpus(target).into_iter().map(|(_, b)| b).collect();
    for file in files {
        for line in testdata_lines(file) {
            assert!(
                seeds.iter().any(|s| s == line.as_bytes()),
                "{target}: no seed for this line of {file}: {line}"
            );
        }
    }
}

#[test]
fn frame_scan_seeds_pass_the_checks() {
    let seeds = corpus("frame_scan");
    assert!(seeds.len() >= 40, "only {} seeds", seeds.len());
    for (path, bytes) in &seeds {
        eprintln!("{}", path.display());
        fuzzing::check_frame_scan(bytes);
        // Every seed is a valid frame: the corpus starts from accepted input.
        botgate_codec::Frame::scan(bytes.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert_seeds_cover(
        "frame_scan",
        &["qq/frames.jsonl", "qq/order.jsonl", "bubble/frames.jsonl"],
    );
}

#[test]
fn qq_decode_seeds_pass_the_checks() {
    for (path, bytes) in corpus("qq_decode") {
        eprintln!("{}", path.display());
        fuzzing::check_decode(&bytes, qq::decode_event, |event| {
            event.event_type().as_str().to_owned()
        });
    }
    assert_seeds_cover("qq_decode", &["qq/frames.jsonl", "qq/order.jsonl"]);
}

#[test]
fn bubble_decode_seeds_pass_the_checks() {
    for (path, bytes) in corpus("bubble_decode") {
        eprintln!("{}", path.display());
        fuzzing::check_decode(&bytes, bubble::decode_event, |event| {
            event.event_type().as_str().to_owned()
        });
    }
    assert_seeds_cover("bubble_decode", &["bubble/frames.jsonl"]);
}
