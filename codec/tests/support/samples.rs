//! The sample frames of `testdata/`, one constant per file, for every test that walks them.

#![allow(dead_code)] // each test file uses the samples it needs

/// QQ dispatches, one frame per line.
pub const QQ: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/qq/frames.jsonl"
));
/// QQ frames in a meaningful order (a session's lifecycle).
pub const QQ_ORDER: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/qq/order.jsonl"
));
/// Bubble dispatches, one frame per line.
pub const BUBBLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/bubble/frames.jsonl"
));
/// OneBot v11 events, one per line.
pub const ONEBOT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/onebot/events.jsonl"
));
