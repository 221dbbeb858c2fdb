//! Scan any bytes as a QQ / Bubble frame; an accepted frame must be self-consistent and agree
//! with serde_json (see `botgate_codec::fuzzing::check_frame_scan`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    botgate_codec::fuzzing::check_frame_scan(data);
});
