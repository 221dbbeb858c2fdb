//! Classify and decode any bytes as a OneBot frame: classify and decode must agree, a decoded
//! event must serialise and decode again to the same kind, its message must survive CQ render
//! and parse.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    botgate_codec::onebot::fuzzing::check_decode(data);
});
